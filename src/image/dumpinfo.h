/*
 * `imgtool dumpinfo`, host side: print what an image file holds (header,
 * both TLV areas, trailer) in imgtool's human layout, as YAML, or as JSON
 * with the same content imgtool writes. Reads leniently so that damaged
 * images can still be inspected; reports only what stops the walk (a TLV
 * header past the end of the file).
 */
#ifndef IMAGE_DUMPINFO_H
#define IMAGE_DUMPINFO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum img_dump_format { IMG_DUMP_HUMAN, IMG_DUMP_YAML, IMG_DUMP_JSON };

/* name is the file name printed in the output. 0, or a negative code with
 * a message in err (nothing printed for JSON/YAML in that case). */
int img_dumpinfo(const uint8_t *b, size_t len, const char *name, enum img_dump_format fmt,
                 FILE *out, char *err, size_t errcap);

/* imgtool's name for a TLV type ("SHA256", "KEYHASH", ..., "UNKNOWN"). */
const char *img_tlv_name(uint16_t type);

#endif
