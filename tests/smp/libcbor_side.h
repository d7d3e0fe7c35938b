/* Byte-level bridge to libcbor for the cross-check test. */
#ifndef TEST_LIBCBOR_SIDE_H
#define TEST_LIBCBOR_SIDE_H
#include <stddef.h>
#include <stdint.h>
/* Asserts libcbor decodes buf as the sample test_smp_cbor_libcbor wrote. */
void lc_check_sample(const uint8_t *buf, size_t len, const uint64_t *uints, size_t nuints,
                     const uint8_t *bytes, size_t nbytes);
/* Builds {"arr":[7,70000,0x123456789],"off":4096,"n":-42,"sha":h'01020304',"ok":false}
 * as an indefinite map; *out is malloc'd. */
size_t lc_build_sample(uint8_t **out);
/* Bytes libcbor consumes for the first item, 0 if it refuses it. */
size_t lc_item_len(const uint8_t *buf, size_t len);
#endif
