#!/usr/bin/env bash
# The size report exists with both images per signature type, and the
# bootloader fits the nRF52840's 48 KiB boot partition with a margin, with
# ECDSA P-256 and with RSA-2048: checked on the ELF files themselves (every
# loaded byte below 0xC000, where slot 0 starts), not only in the report.
set -euo pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
source "$SRC_DIR/tests/lib/qemu_board.sh"
qb_require_firmware
report=$FIRMWARE_DIR/size-report.txt
[ -s "$report" ] || e2e_fail "no size report $report"
BOOT_END=$((0xC000))
MARGIN=$((4 * 1024))

for sig in ECDSA-P256 RSA-2048; do
    for image in bootloader app-1.0.0; do
        line=$(awk -v s="$sig" -v i="$image" '$1 == s && $2 == i' "$report")
        [ -n "$line" ] || e2e_fail "the report has no line for $sig $image"
        read -r _ _ text data bss flash stack <<<"$line"
        for n in "$text" "$data" "$bss" "$flash" "$stack"; do
            [[ $n =~ ^[0-9]+$ ]] || e2e_fail "$sig $image: figure '$n' is not a number"
        done
        [ "$flash" -eq $((text + data)) ] || e2e_fail "$sig $image: flash is not .text + .data"
        [ "$text" -gt 1024 ] && [ "$stack" -gt 64 ] || e2e_fail "$sig $image: implausible figures: $line"
    done
done

# elf_flash_end ELF: the highest address a loaded segment occupies in
# flash (its load address plus its file size).
elf_flash_end() {
    local max=0 phys size
    while read -r phys size; do
        [ $((phys + size)) -gt "$max" ] && max=$((phys + size))
    done < <(arm-none-eabi-readelf -lW "$1" | awk '$1 == "LOAD" { print $4, $5 }')
    echo "$max"
}
for elf in "$FIRMWARE_DIR/bootloader.elf" "$FIRMWARE_DIR/rsa-2048/bootloader.elf"; do
    end=$(elf_flash_end "$elf")
    [ "$end" -gt 0 ] || e2e_fail "$elf: no loaded segment"
    [ "$end" -le $((BOOT_END - MARGIN)) ] ||
        e2e_fail "$elf ends at $end: beyond the 48 KiB boot partition less $MARGIN bytes"
    e2e_log "$(basename "$(dirname "$elf")")/bootloader.elf: $end of $BOOT_END bytes"
done
# the application is linked for slot 0, its vector table right after the
# 0x200-byte image header
vectors=$(arm-none-eabi-nm "$FIRMWARE_DIR/app-1.0.0.elf" | awk '$3 == "vector_table" { print $1 }')
e2e_assert_eq 0000c200 "$vectors" "the application's vector table"
echo PASS
