/*
 * Private to src/boot: the trailer write helpers shared by the app-side
 * calls and the bootloader, and the small interface every upgrade strategy
 * implements (swap_move.c, swap_scratch.c, overwrite_only.c). Nothing here
 * is part of the contract other libraries code against.
 */
#ifndef BOOT_BOOT_PRIV_H
#define BOOT_BOOT_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootutil.h"
#include "image/decrypt.h"

/* Byte 0 of a set flag (image_ok, copy_done) and of a status record. */
#define BOOT_FLAG_SET_VAL 0x01

/* ---- trailer (trailer.c) ---- */

/* Writes one trailer unit (write_align bytes, value in byte 0, the rest
 * erased) at off unless it already holds exactly that: a unit that holds
 * something else is BOOT_EBADSTATUS, never programmed over (NOR rule). */
int boot_write_unit_once(const struct flash_area *fa, uint32_t off, uint8_t val);
int boot_write_magic(const struct flash_area *fa);
int boot_write_image_ok(const struct flash_area *fa);
int boot_write_copy_done(const struct flash_area *fa);
int boot_write_swap_info(const struct flash_area *fa, uint8_t swap_type, uint8_t image_num);
int boot_write_swap_size(const struct flash_area *fa, uint32_t swap_size);
int boot_read_swap_size(const struct flash_area *fa, uint32_t *swap_size);
/* Erases the sectors holding the trailer (the slot's last sector(s)) of a
 * strategy keeping state_count records per sector. */
int boot_erase_trailer_sectors(const struct flash_area *fa, unsigned state_count);
/* First byte of the trailer's reserved region for a strategy: everything
 * from here to the slot end belongs to the trailer. */
uint32_t boot_trailer_start(const struct flash_area *fa, unsigned state_count);
/* The table of MCUboot on two decoded trailers. */
int boot_swap_type_from_states(const struct boot_swap_state *pri,
                               const struct boot_swap_state *sec);

/* ---- console lines (boot_log.c) ---- */

struct boot_line {
    char buf[160];
    size_t len;
};
void boot_line_str(struct boot_line *l, const char *s);
void boot_line_hex(struct boot_line *l, uint32_t v);
void boot_line_dec(struct boot_line *l, uint32_t v);
void boot_line_ver(struct boot_line *l, const struct image_version *v);
void boot_line_emit(const struct boot_config *cfg, const struct boot_line *l);
/* One line made of a and b (b may be NULL). */
void boot_say(const struct boot_config *cfg, const char *a, const char *b);
/* Emits an "E: ..." line and keeps it (without "E: ") as res->reason. */
void boot_refuse(const struct boot_config *cfg, struct boot_result *res,
                 const struct boot_line *l);

/* ---- strategies ---- */

struct boot_strategy;

/* The AES keys of a swap (boot_enc.c): BOOT_ENC_OLD is the image the
 * primary held when the swap started (encrypted again as it moves to the
 * secondary), BOOT_ENC_NEW the one coming from the secondary (decrypted as
 * it moves to the primary). on[i] false: that image moves unchanged. */
enum { BOOT_ENC_OLD = 0, BOOT_ENC_NEW = 1 };
struct boot_enc {
    bool on[2];
    struct image_body_key key[2];
};

/* One upgrade strategy: its limits, and the two phases of boot_go that
 * differ between strategies. The swap strategies share those phases
 * (swap_common.c) and only describe their step sequence: record k is
 * written to the primary's swap-status area (status_off + k * align) once
 * step k completed, so a reset resumes at the first unwritten record. Every
 * step erases its destination before copying into it and its source stays
 * intact until a later step, so a step cut half way is simply redone. */
struct boot_strategy {
    enum boot_strategy_id id;
    const char *name;
    const char *algo;         /* for the log: "move", "scratch", "overwrite" */
    int mode;                 /* SMP OS bootloader mode number */
    unsigned state_count;     /* status records per sector, 0 = none */
    bool can_revert;
    /* Largest image (header to last TLV) the strategy can move. */
    uint32_t (*max_image_size)(const struct boot_config *cfg);
    /* Layout checks before anything is touched (0 or BOOT_EBADARGS). */
    int (*check_layout)(const struct boot_config *cfg);
    /* Phase 2: finish what a reset interrupted; sets res->resumed if so. */
    int (*resume)(const struct boot_config *cfg, const struct boot_strategy *s,
                  struct boot_result *res);
    /* Phase 3: put the validated secondary in place (test, perm, revert). */
    int (*install)(const struct boot_config *cfg, const struct boot_strategy *s,
                   int swap_type, const struct image_info *secondary);
    /* Swap strategies: records of a swap of swap_size bytes, and the step
     * of record k (idempotent from its recorded start). */
    uint32_t (*record_count)(const struct boot_config *cfg, uint32_t swap_size);
    int (*run_step)(const struct boot_config *cfg, const struct boot_enc *enc,
                    uint32_t swap_size, uint32_t k);
};

const struct boot_strategy *boot_strategy_get(enum boot_strategy_id id);
extern const struct boot_strategy boot_strategy_swap_move;
extern const struct boot_strategy boot_strategy_swap_scratch;
extern const struct boot_strategy boot_strategy_overwrite_only;

/* ---- slots (boot_image.c) ---- */

/* 0 valid, > 0 an IMAGE_ERR_* code negated or a BOOT_INVALID_* code
 * (invalid), < 0 a flash error. An encrypted image in the secondary is
 * validated over its decrypted body. */
#define BOOT_INVALID_NO_ENC_KEY 100  /* encrypted, and the board has no key */
#define BOOT_INVALID_ENC_KEY 101     /* its ENC TLV does not unwrap with the key */
const char *boot_invalid_str(int invalid);
int boot_validate_slot(const struct boot_config *cfg, const struct boot_strategy *s,
                       const struct flash_area *fa, struct image_info *info);
/* Header and TLV layout only; *present false when there is no image. */
int boot_read_slot_info(const struct flash_area *fa, uint32_t area_size,
                        struct image_info *info, bool *present);
/* Bytes the slot's image occupies, 0 when there is none. */
int boot_slot_image_size(const struct boot_config *cfg, const struct boot_strategy *s,
                         const struct flash_area *fa, uint32_t *size);

/* ---- shared by the strategies (swap_common.c) ---- */

/* Erases dst sectors [dst_off, dst_off + len) one by one, then copies len
 * bytes from src at src_off into them. Offsets and len are whole sectors. */
int boot_copy_region(const struct flash_area *dst, uint32_t dst_off,
                     const struct flash_area *src, uint32_t src_off, uint32_t len);
/* The same, passing the data through AES-CTR with key k (when non-NULL)
 * where it falls in k's body; the first byte is at image offset img_off. */
int boot_copy_region_crypt(const struct flash_area *dst, uint32_t dst_off,
                           const struct flash_area *src, uint32_t src_off, uint32_t len,
                           const struct image_body_key *k, uint32_t img_off);
int boot_erase_region(const struct flash_area *fa, uint32_t off, uint32_t len);
uint32_t boot_sectors_for(const struct flash_area *fa, uint32_t len);
/* Bytes of the trailer sectors at the slot end. */
uint32_t boot_trailer_sectors_size(const struct flash_area *fa, unsigned state_count);
/* Equal, disjoint slots, uniform sectors, write alignment 1..BOOT_MAX_ALIGN,
 * room for the largest trailer. */
int boot_check_slots(const struct boot_config *cfg);
bool boot_areas_overlap(const struct flash_area *a, const struct flash_area *b);
/* The resume and install phases of swap-using-move and -scratch. */
int boot_swap_resume(const struct boot_config *cfg, const struct boot_strategy *s,
                     struct boot_result *res);
int boot_swap_install(const struct boot_config *cfg, const struct boot_strategy *s,
                      int swap_type, const struct image_info *secondary);

/* ---- encrypted images (boot_enc.c) ---- */

/* The body key of the image in slot fa (info from boot_read_slot_info):
 * *on false when it is not encrypted; > 0 a BOOT_INVALID_* code, < 0 a
 * flash error. */
int boot_enc_load(const struct boot_config *cfg, const struct flash_area *fa,
                  const struct image_info *info, struct image_body_key *k, bool *on);
/* Both keys of a swap, from the slots' TLVs, when it starts. */
int boot_enc_prepare(const struct boot_config *cfg, const struct boot_strategy *s,
                     const struct image_info *secondary, struct boot_enc *enc);
/* Persisted in the primary trailer sectors (written before the magic, so
 * present whenever a swap-status record is) and read back on resume. */
int boot_enc_save(const struct boot_config *cfg, const struct boot_strategy *s,
                  const struct boot_enc *enc);
int boot_enc_restore(const struct boot_config *cfg, const struct boot_strategy *s,
                     struct boot_enc *enc);
/* Room for the records below the swap-status area (layout check). */
bool boot_enc_room(const struct flash_area *fa, unsigned state_count);

#endif
