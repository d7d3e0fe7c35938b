#!/usr/bin/env bash
# The QEMU board: our Cortex-M4 bootloader and application on QEMU's
# mps2-an386, its UART0 on a pty (for mcumgr), its flash in DIR/flash.bin.
#
#   scripts/qemu-board.sh --state DIR [--provision IMAGE] [--bootloader ELF]
#                         [--firmware-dir DIR]
#
# A new DIR gets the bootloader (DIR/bootloader.elf, a copy of
# build/firmware/bootloader.elf) and app-1.0.0.signed.bin in slot 0 unless
# --provision names another image; --provision on an existing DIR
# reprograms slot 0 (the factory programmer), --bootloader replaces the
# board's bootloader. Then QEMU runs in the foreground until it is stopped
# (SIGTERM/SIGINT) and prints, once the UART is there:
#
#   uart: /dev/pts/N        (DIR/tty is a symlink to it, as mcusim's)
#
# DIR/console.log collects the console lines of every boot (UART1 carries a
# copy of them); DIR/qemu.log is QEMU's own output. Resets (over SMP, or
# the watchdog's) run the bootloader again in the same QEMU; the flash
# survives them and a restart of QEMU (firmware/README.md).
# QEMU_BOARD_ARGS: more QEMU options (bench/firmware gives -icount shift=0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

FLASH_SIZE=$((0x100000))
SLOT0_OFF=$((0xC000))
SLOT_SIZE=$((0x76000))

usage() {
    echo "usage: qemu-board.sh --state DIR [--provision IMAGE] [--bootloader ELF] [--firmware-dir DIR]" >&2
    exit 2
}

die() {
    echo "qemu-board.sh: $*" >&2
    exit 1
}

state="" provision="" bootloader="" fwdir=${FIRMWARE_DIR:-$root/build/firmware}
while [ $# -gt 0 ]; do
    case $1 in
        --state) [ $# -ge 2 ] || usage; state=$2; shift 2 ;;
        --provision) [ $# -ge 2 ] || usage; provision=$2; shift 2 ;;
        --bootloader) [ $# -ge 2 ] || usage; bootloader=$2; shift 2 ;;
        --firmware-dir) [ $# -ge 2 ] || usage; fwdir=$2; shift 2 ;;
        -h|--help) usage ;;
        *) echo "qemu-board.sh: unknown argument '$1'" >&2; usage ;;
    esac
done
[ -n "$state" ] || usage
command -v qemu-system-arm >/dev/null || die "qemu-system-arm is not installed (bash scripts/setup.sh)"

mkdir -p "$state" || die "cannot create the state folder $state"
state=$(cd "$state" && pwd)

# One QEMU per board: the lock is held as long as this script runs.
exec 9>"$state/lock"
flock -n 9 || die "the board in $state is already running"

# write_at FILE OFFSET SOURCE: SOURCE's bytes into FILE at OFFSET (in place).
write_at() {
    dd if="$3" of="$1" bs=4096 seek="$2" oflag=seek_bytes conv=notrunc status=none
}

# erase FILE OFFSET LEN: NOR-erased bytes (0xff).
erase() {
    head -c "$3" /dev/zero | tr '\0' '\377' | dd of="$1" bs=4096 seek="$2" \
        oflag=seek_bytes conv=notrunc status=none
}

# A signed image for slot 0: the MCUboot header magic, and it fits.
check_image() {
    local img=$1 size magic
    [ -f "$img" ] || die "no such image: $img"
    size=$(stat -c %s "$img")
    [ "$size" -le "$SLOT_SIZE" ] || die "$img: $size bytes do not fit slot 0 ($SLOT_SIZE)"
    magic=$(od -An -tx4 -N4 "$img" | tr -d ' ')
    [ "$magic" = "96f3b83d" ] || die "$img: not a signed image (no image header magic)"
}

flash=$state/flash.bin
if [ -n "$bootloader" ] || [ ! -f "$state/bootloader.elf" ]; then
    src=${bootloader:-$fwdir/bootloader.elf}
    [ -f "$src" ] || die "no bootloader $src (bash scripts/build_firmware.sh)"
    cp "$src" "$state/bootloader.elf.new" && mv "$state/bootloader.elf.new" "$state/bootloader.elf"
fi
if [ ! -f "$flash" ]; then
    img=${provision:-$fwdir/app-1.0.0.signed.bin}
    check_image "$img"
    erase "$flash.new" 0 "$FLASH_SIZE"
    # the boot partition holds the bootloader, as on a programmed part
    arm-none-eabi-objcopy -O binary "$state/bootloader.elf" "$state/bootloader.bin" 2>/dev/null &&
        write_at "$flash.new" 0 "$state/bootloader.bin"
    write_at "$flash.new" "$SLOT0_OFF" "$img"
    mv "$flash.new" "$flash"
    echo "factory: programmed $img into slot 0" >>"$state/console.log"
elif [ -n "$provision" ]; then
    check_image "$provision"
    erase "$flash" "$SLOT0_OFF" "$SLOT_SIZE"
    write_at "$flash" "$SLOT0_OFF" "$provision"
    echo "factory: programmed $provision into slot 0" >>"$state/console.log"
fi
[ "$(stat -c %s "$flash")" -eq "$FLASH_SIZE" ] || die "$flash is not $FLASH_SIZE bytes"

# QEMU runs in the state folder: the firmware opens flash.bin there
# through semihosting. No -no-reboot: a reset must run the bootloader again.
rm -f "$state/tty"
: >"$state/qemu.log"
(
    cd "$state"
    # shellcheck disable=SC2086 # QEMU_BOARD_ARGS: options, split on purpose
    exec qemu-system-arm -M mps2-an386 -nographic -monitor none \
        -semihosting-config enable=on,target=native \
        -kernel bootloader.elf \
        -chardev file,id=console,path=console.log,append=on \
        -serial pty -serial chardev:console ${QEMU_BOARD_ARGS:-}
) </dev/null >>"$state/qemu.log" 2>&1 &
qemu=$!
echo "$qemu" >"$state/qemu.pid"
stop() {
    kill "$qemu" 2>/dev/null || true
    wait "$qemu" 2>/dev/null || true
    rm -f "$state/tty" "$state/qemu.pid"
}
trap 'stop; exit 0' TERM INT HUP
trap stop EXIT

pty=""
for _ in $(seq 100); do
    pty=$(sed -n 's/.*char device redirected to \(\/dev\/pts\/[0-9]*\) (label serial0).*/\1/p' \
          "$state/qemu.log" | head -n 1)
    [ -n "$pty" ] && break
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$pty" ]; then
    cat "$state/qemu.log" >&2
    die "QEMU did not start"
fi
ln -sfn "$pty" "$state/tty"
echo "uart: $pty"
set +e
wait "$qemu"
rc=$?
# wait returns early when a trapped signal arrives; the trap stops QEMU
exit "$rc"
