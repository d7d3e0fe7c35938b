/*
 * Intel HEX in and out, host side (imgtool reads and writes .hex images).
 * The reader turns the records into one flat span from the lowest to the
 * highest address, filling holes with a given byte and reporting them, so
 * a caller can refuse firmware with gaps yet still read a sparse padded
 * image (image, image_ok and magic records only). Uses the heap.
 */
#ifndef IMAGE_IHEX_H
#define IMAGE_IHEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define IHEX_MAX_SPAN (16u << 20) /* refuse files spanning more than 16 MiB */

struct ihex {
    uint32_t base;   /* lowest address holding data */
    size_t len;      /* span in bytes: highest address + 1 - base */
    uint8_t *data;   /* len bytes; holes hold the fill byte */
    bool has_gap;    /* some address inside the span has no data */
    uint32_t gap_addr, gap_len; /* the first hole */
};

/* Parses HEX text. 0 on success; IMAGE_ERR_BAD_ARG for malformed input,
 * with a message naming the line in err. */
int ihex_read(const char *text, size_t text_len, uint8_t fill, struct ihex *out,
              char *err, size_t errcap);
void ihex_free(struct ihex *h);

struct ihex_seg {
    uint32_t addr;
    const uint8_t *data;
    size_t len;
};

/* Writes segments (in ascending, non-overlapping order) as HEX records of
 * up to 16 bytes, with extended linear address records where the upper
 * 16 address bits change (none when all data is below 64 KiB), then the
 * end-of-file record. 0 or IMAGE_ERR_IO. */
int ihex_write(FILE *f, const struct ihex_seg *segs, size_t nsegs);

#endif
