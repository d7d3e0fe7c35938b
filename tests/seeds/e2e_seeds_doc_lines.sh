#!/usr/bin/env bash
# Every command line of the user's documents ($SHARED_DIR/seeds/*.md) runs
# against a real mcusim, as the document writes it.
#
# The lines are read from the documents at test time (doc_lines.py), so the
# test follows the documents. Each document gets its own workspace (the
# user's project folder: app/bootloader/, build/zephyr/, app/build/zephyr/,
# scripts/) and its own board, provisioned with v1.0.0 signed with the
# user's key and trusting that key, on a 115200-baud pty.
#
# Substituted, as a user would: /dev/ttyACMn -> the board's pty (its stable
# name STATE/tty; also $DEVICE), `<hash>` / `fed654cba321...` -> the real
# hash of slot 1, file paths -> real files in the workspace (a firmware a
# user uploads is a new build, newer than what runs). Everything else runs
# verbatim through bash, with BIN_DIR first in PATH and no terminal.
#
# Lines that are not ours (west, nrfjprog, JLinkExe, go/pip install, ls,
# lsof, mode, cd, mkdir, echo >> prj.conf) are listed as SKIP; the effects
# later lines depend on are reproduced: `west sign [--version V] [--key K]`
# signs build/zephyr/zephyr.signed.bin, a bootloader flash makes the board
# trust the current key.
#
# Asserted per line: exit 0 and the output the document shows (image list
# fields, upload progress, echo), and the state the line should leave
# (slot 1 holds the upload, the version that runs after reset/scripts).
# Lines that ask for something that does not exist or is wrong (`-n 128`
# as a chunk size, `imgtool verify` without an image, an unsigned upload,
# a baud rate the board does not run at, a script without its FIRMWARE)
# must fail with a hint naming the right thing, never succeed silently or
# crash. A table of every line is printed at the end.
set -o pipefail
source "$SRC_DIR/tests/lib/e2e.sh"
if [ -z "${SHARED_DIR:-}" ] || ! ls "$SHARED_DIR"/seeds/*.md >/dev/null 2>&1; then
    echo "SKIP: SHARED_DIR/seeds/*.md not available"
    exit 77
fi
e2e_require_bin mcumgr mcusim imgtool

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DOC_LINES="python3 $HERE/doc_lines.py"
export BIN_DIR
export PATH="$BIN_DIR:$PATH"
# never the user's audit trail, profiles or home
export HOME=$E2E_TMP/home
mkdir -p "$HOME"
export MCUTOOLS_AUDIT_DB=$E2E_TMP/audit.db
export MCUTOOLS_OPERATOR=ctest-seeds
export MCUMGR_CONN_FILE=$E2E_TMP/mcumgr.cp.json
unset DEVICE

BOARD_BAUD=115200
FW_SIZE=8192
LINE_TIMEOUT=180

ROWS=()      # doc:line <TAB> rc <TAB> result <TAB> command <TAB> note
FAILS=()
DIFFS=()

# ---------------------------------------------------------------- helpers

ver_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

# image_version FILE: the version in a signed image's header ("" if none)
image_version() {
    imgtool verify "$1" 2>/dev/null | sed -n 's/^Image version: //p' | sed 's/+0$//'
}
image_digest() { imgtool verify "$1" 2>/dev/null | sed -n 's/^Image digest: //p'; }

running_version() { sim_status version 2>/dev/null; }

# next_version: a new minor version above what runs and what was built
next_version() {
    local top=${BUILT:-1.0.0} run
    run=$(running_version)
    [ -n "$run" ] && ver_le "$top" "$run" && top=$run
    local major=${top%%.*} rest=${top#*.}
    echo "$major.$(( ${rest%%.*} + 1 )).0"
}

# sign_fw VERSION OUT [KEY]: the user's firmware VERSION, signed
sign_fw() {
    local v=$1 out=$2 key=${3:-$W/app/bootloader/mcuboot-rsa-2048.pem}
    mkdir -p "$(dirname "$out")"
    bash "$SRC_DIR/scripts/make_firmware.sh" "$v" "$E2E_TMP/fw-$v.bin" "$FW_SIZE" >/dev/null ||
        e2e_fail "make_firmware $v"
    imgtool sign -k "$key" --version "$v" --header-size 0x200 --pad-header --align 4 \
        --slot-size 0x76000 "$E2E_TMP/fw-$v.bin" "$out" >/dev/null || e2e_fail "signing $v"
    ver_le "${BUILT:-0}" "$v" && BUILT=$v
}

# unsigned_fw OUT: a plain build output (west build without sign)
unsigned_fw() {
    mkdir -p "$(dirname "$1")"
    bash "$SRC_DIR/scripts/make_firmware.sh" "${BUILT:-1.0.0}" "$1" "$FW_SIZE" >/dev/null ||
        e2e_fail "make_firmware"
}

# the user's signing key (the project has one before any line needs it)
ensure_user_key() {
    local k=$W/app/bootloader/mcuboot-rsa-2048.pem
    [ -f "$k" ] || imgtool keygen -k "$k" -t rsa-2048 || e2e_fail "keygen"
}

board_args() { # baud
    local a=(--baud "$1") k
    for k in "${BOARD_KEYS[@]}"; do a+=(--key "$k"); done
    printf '%s\n' "${a[@]}"
}

# ensure_board: the device is plugged in (first line that needs it):
# v1.0.0 factory-programmed, signed with the user's key
ensure_board() {
    [ -n "${SIM_PID:-}" ] && return 0
    ensure_user_key
    local k=$E2E_TMP/board-key-$DOC_NAME-1.pem
    cp "$W/app/bootloader/mcuboot-rsa-2048.pem" "$k"
    BOARD_KEYS=("$k")
    SIM_DIR=$(e2e_new_state_dir)
    sign_fw 1.0.0 "$E2E_TMP/factory-$DOC_NAME.bin" "$k"
    sim_provision "$E2E_TMP/factory-$DOC_NAME.bin"
    mapfile -t args < <(board_args "$BOARD_BAUD")
    sim_start "${args[@]}"
    export DEVICE=$SIM_TTY_LINK
    e2e_log "board for $DOC_NAME: $SIM_TTY ($SIM_TTY_LINK), v$(running_version)"
}

board_restart() { # baud
    mapfile -t args < <(board_args "$1")
    sim_restart "${args[@]}"
    export DEVICE=$SIM_TTY_LINK
}

mgr() { mcumgr --conntype serial --connstring "dev=$SIM_TTY_LINK,baud=$CUR_BAUD" -t 5 "$@"; }

# slot_field SLOT FIELD from a fresh image list
slot_field() {
    mgr image list 2>/dev/null | awk -v s="slot=$1" -v f="$2:" '
        $0 ~ s"$" {in_slot = 1; next}
        /slot=/ {in_slot = 0}
        in_slot && $1 == f {sub(/^[ \t]*[a-z]+:[ \t]*/, ""); print; exit}'
}

wait_reboot() { # boot_count before
    local i
    for i in $(seq 600); do
        [ "$(sim_status boot_count 2>/dev/null || echo 0)" -gt "$1" ] && return 0
        sleep 0.05
    done
    return 1
}

# ------------------------------------------------------- one document line

NOTE=""
fail_line() { RESULT=FAIL; NOTE="${NOTE:+$NOTE; }$*"; }
diff_line() { [ "$RESULT" = PASS ] && RESULT=DIFF; NOTE="${NOTE:+$NOTE; }$*"; }
note_line() { NOTE="${NOTE:+$NOTE; }$*"; }

# emulate_skip CMD: reproduce what a line that is not ours leaves behind
emulate_skip() {
    local c=$1
    case "$c" in
    "west sign"*)
        local v key
        v=$(sed -n 's/.*--version "\{0,1\}\([0-9.]*\)"\{0,1\}.*/\1/p' <<<"$c")
        key=$(sed -n 's/.*--key \([^ ]*\).*/\1/p' <<<"$c")
        ensure_user_key
        if [ -n "$key" ]; then
            [ -f "$W/$key" ] && key=$W/$key || key=$W/app/$key
        else
            key=$W/app/bootloader/mcuboot-rsa-2048.pem
        fi
        [ -f "$key" ] || { note_line "emulation: key $key missing"; return; }
        [ -n "$v" ] || v=$(image_version "$W/build/zephyr/zephyr.signed.bin")
        [ -n "$v" ] || v=$(next_version)
        sign_fw "$v" "$W/build/zephyr/zephyr.signed.bin" "$key"
        cp "$W/build/zephyr/zephyr.signed.bin" "$W/app/build/zephyr/zephyr.signed.bin"
        note_line "emulated: build/zephyr/zephyr.signed.bin = v$v signed with ${key#"$W"/}" ;;
    "west build"*)
        [ -f "$W/build/zephyr/zephyr.bin" ] || unsigned_fw "$W/build/zephyr/zephyr.bin"
        [ -f "$W/app/build/zephyr/zephyr.bin" ] || cp "$W/build/zephyr/zephyr.bin" "$W/app/build/zephyr/zephyr.bin"
        note_line "emulated: build/zephyr/zephyr.bin" ;;
    *mcuboot/zephyr/zephyr.hex*|*flash_mcuboot*)
        # a bootloader built with the current key; a running board is
        # re-flashed (power cycle) to trust it too
        if [ -n "${SIM_PID:-}" ] && [ -f "$W/app/bootloader/mcuboot-rsa-2048.pem" ]; then
            local k n=$(( ${#BOARD_KEYS[@]} + 1 ))
            for k in "${BOARD_KEYS[@]}"; do
                cmp -s "$k" "$W/app/bootloader/mcuboot-rsa-2048.pem" && return
            done
            k=$E2E_TMP/board-key-$DOC_NAME-$n.pem
            cp "$W/app/bootloader/mcuboot-rsa-2048.pem" "$k"
            BOARD_KEYS+=("$k")
            board_restart "$CUR_BAUD"
            note_line "emulated: bootloader with the new key (board restarted)"
        fi ;;
    esac
}

# prepare_files ARGV...: the files a line names exist as a user has them
prepare_files() {
    local prev="" a path uploads=0
    case " $* " in *" image upload "*|*dfu_update.sh*) uploads=1 ;; esac
    for a in "$@"; do
        case "$a" in
        *.pem)
            path=$LINE_CWD/$a
            if [ "$prev" = "-k" ] && [ "$2" = keygen ]; then :
            elif [ ! -f "$path" ]; then
                ensure_user_key
                mkdir -p "$(dirname "$path")"
                cp "$W/app/bootloader/mcuboot-rsa-2048.pem" "$path"
                note_line "$a = the user's key"
            fi ;;
        */zephyr.bin|zephyr.bin)
            path=$LINE_CWD/$a
            [ -f "$path" ] || unsigned_fw "$path" ;;
        *.bin)
            path=$LINE_CWD/$a
            local v run
            run=$(running_version 2>/dev/null || true)
            v=$([ -f "$path" ] && image_version "$path")
            if [ ! -f "$path" ] || { [ "$uploads" = 1 ] && [ -n "$v" ] && [ -n "$run" ] && ver_le "$v" "$run"; }; then
                v=$(next_version)
                sign_fw "$v" "$path"
                note_line "$a = new build v$v"
            fi ;;
        esac
        prev=$a
    done
}

# substitute CMD: what a user changes in a document line
substitute() {
    local c=$1 h
    c=${c//\/dev\/ttyACM[0-9]/$SIM_TTY_LINK}
    if [[ "$c" == *"fed654cba321..."* || "$c" == *"<hash>"* ]]; then
        h=$(slot_field 1 hash)
        [ -n "$h" ] || h=NO-HASH-IN-SLOT-1
        c=${c//fed654cba321.../$h}
        c=${c//<hash>/$h}
    fi
    printf '%s' "$c"
}

needs_board() {
    case "$1" in
    "mcumgr version"*) return 1 ;;
    mcumgr*|*/dev/tty*|*dfu_update.sh*|*quick_mcumgr_test.sh*|*'$DEVICE'*) return 0 ;;
    esac
    return 1
}

# check_list_vs_doc OUT EXPECTED: the fields the document shows
check_list_vs_doc() {
    local out=$1 exp=$2 d
    printf '%s\n' "$exp" >"$E2E_TMP/exp.txt"
    printf '%s\n' "$out" >"$E2E_TMP/out.txt"
    while IFS= read -r d; do
        [ -n "$d" ] || continue
        # Zephyr reports the backup in slot 1 as "confirmed" while a test
        # image runs unconfirmed; the guide shows empty flags there
        if [[ "$d" == "image=0 slot=1 flags: document '', ours 'confirmed'" ]]; then
            diff_line "doc shows slot 1 flags '' after the test swap; ours 'confirmed' (as Zephyr reports the backup)"
        else
            fail_line "output differs from the document: $d"
        fi
    done < <($DOC_LINES compare "$E2E_TMP/exp.txt" "$E2E_TMP/out.txt")
}

run_line() { # doc line cmd expect
    local where=$1 cmd=$2 expect=$3
    RESULT=PASS NOTE=""
    local sub rc out argv=()
    if needs_board "$cmd"; then ensure_board; fi
    [[ "$cmd" == "export DEVICE="* ]] && ensure_board

    sub=$(substitute "$cmd")
    read -r -a argv <<<"$sub"
    LINE_CWD=$W
    if [[ "${argv[0]}" == ./* ]] && [ ! -e "$W/${argv[0]}" ] && [ -e "$W/scripts/${argv[0]#./}" ]; then
        LINE_CWD=$W/scripts
        note_line "run in scripts/"
    fi

    # expectations
    local want=0 hint="" what=other boot_before fw="" fwver="" baud_arg="" line_baud=""
    case "$sub" in
    "export "*) what=export ;;
    "mcumgr version"*) what=version ;;
    mcumgr*" echo "*) what=echo ;;
    mcumgr*"image list"*) what=list ;;
    mcumgr*"image upload"*) what=upload ;;
    mcumgr*"image test"*) what=test ;;
    mcumgr*"image confirm"*) what=confirm ;;
    mcumgr*"image erase"*) what=erase ;;
    mcumgr*" reset"*) what=reset ;;
    mcumgr*"stat show"*) what=stat ;;
    mcumgr*"shell exec"*) what=shell ;;
    "imgtool keygen"*) what=keygen ;;
    "imgtool verify"*) what=verify ;;
    *dfu_update.sh*) what=dfu ;;
    *quick_mcumgr_test.sh*) what=quick ;;
    *build_dfu_package.sh*) what=package ;;
    esac
    [[ "$sub" =~ baud=([0-9]+) ]] && baud_arg=${BASH_REMATCH[1]}
    if [ "$what" = upload ] && [[ "$sub" =~ \ -n\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 15 ]; then
        want=fail hint=--chunk-size
    fi
    if [ "$what" = verify ]; then
        local pos=() i=2
        while [ $i -lt ${#argv[@]} ]; do
            case "${argv[$i]}" in -k|--key) i=$((i + 2)); continue ;; -*) ;; *) pos+=("${argv[$i]}") ;; esac
            i=$((i + 1))
        done
        [ ${#pos[@]} -eq 0 ] && want=fail hint=IMGFILE
    fi
    if [ "$what" = upload ] && [ "$want" = 0 ]; then
        fw=${argv[-1]}
        prepare_files "${argv[@]}"
        [ -n "$(image_version "$LINE_CWD/$fw")" ] || { want=fail hint=--no-check; }
    else
        prepare_files "${argv[@]}"
    fi
    if [ "$what" = echo ] && [ -n "$baud_arg" ] && [ "$baud_arg" != "$BOARD_BAUD" ]; then
        want=fail hint=baud
        note_line "board runs at $BOARD_BAUD baud"
    fi
    if [ "$what" = dfu ]; then
        local pos=() a
        for a in "${argv[@]:1}"; do [[ "$a" == -* ]] || pos+=("$a"); done
        if [ ${#pos[@]} -eq 0 ]; then
            want=2 hint=usage
        else
            fw=${pos[0]}
            fwver=$(image_version "$LINE_CWD/$fw")
            [ ${#pos[@]} -ge 3 ] && [ "${pos[2]}" != "$CUR_BAUD" ] && line_baud=${pos[2]}
        fi
    fi
    if [ "$what" = package ]; then
        ensure_user_key
        [ -f "$W/app/build/zephyr/zephyr.bin" ] || unsigned_fw "$W/app/build/zephyr/zephyr.bin"
    fi
    # a technician finishes the previous update (soak test passed, confirm)
    # before the next one: a device still on trial keeps slot 1 for its
    # revert and rightly refuses a new upload
    if [ -n "${SIM_PID:-}" ] && [ "$want" = 0 ] &&
        { [ "$what" = upload ] || { [ "$what" = dfu ] && [ -n "$fw" ]; }; } &&
        [ "$(slot_field 0 flags)" = active ]; then
        mgr image confirm >/dev/null || fail_line "could not confirm the trial image first"
        note_line "v$(running_version) was on trial: confirmed first"
    fi
    if [ -n "$line_baud" ]; then
        # the user's device runs at the rate the line gives
        board_restart "$line_baud"
        CUR_BAUD=$line_baud
        note_line "board at $line_baud baud for this line"
        sub=$(substitute "$cmd")
    fi
    local req_before=0
    if [ -n "${SIM_PID:-}" ]; then
        boot_before=$(sim_status boot_count 2>/dev/null || echo 0)
        req_before=$(sim_status uart.requests 2>/dev/null || echo 0)
    fi

    # run it verbatim
    if [ "$what" = export ]; then
        eval "$sub"
        rc=$?
        out=""
    else
        out=$(cd "$LINE_CWD" && timeout "$LINE_TIMEOUT" bash -c "$sub" </dev/null 2>&1)
        rc=$?
    fi
    printf '%s\n' "---- $where: $sub (exit $rc)" "$out" | sed 's/^/    /' >>"$E2E_TMP/transcript.txt"

    # exit status
    if [ $rc -eq 124 ]; then
        fail_line "hung (killed after $LINE_TIMEOUT s)"
    elif [ $rc -ge 128 ]; then
        fail_line "crashed (exit $rc)"
    elif [ "$want" = 0 ] && [ $rc -ne 0 ]; then
        fail_line "exit $rc: $(printf '%s' "$out" | grep -iE 'error|fail|✗' | head -n 2 | tr '\n' ' ')"
    elif [ "$want" = 2 ] && [ $rc -ne 2 ]; then
        fail_line "expected a usage error (exit 2), got exit $rc"
    elif [ "$want" = fail ] && [ $rc -eq 0 ]; then
        fail_line "succeeded silently; expected a refusal naming $hint"
    fi
    if [ "$want" != 0 ] && [ $rc -ne 0 ] && [ $rc -lt 124 ]; then
        if printf '%s' "$out" | grep -qi -- "$hint"; then
            note_line "refused as it should: $(printf '%s' "$out" | grep -i -m1 -- "$hint" | cut -c1-200)"
        else
            fail_line "refused without a hint naming '$hint': $(printf '%s' "$out" | head -n 2 | tr '\n' ' ')"
        fi
    fi

    # output and state
    if [ "$want" = 0 ] && [ $rc -eq 0 ]; then
        case "$what" in
        version)
            grep -qE '^mcumgr [0-9]' <<<"$out" || fail_line "no version printed: $out" ;;
        echo)
            local text
            text=$(sed -n 's/.* echo "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' <<<"$sub")
            [ "$out" = "$text" ] || fail_line "echo printed '$out', expected '$text'"
            if [ -n "$expect" ] && [ "$expect" != "$text" ]; then
                local js
                js=$(cd "$LINE_CWD" && bash -c "${sub/mcumgr /mcumgr --json }" 2>&1)
                if [ "$js" = "{\"r\":\"$text\"}" ]; then
                    diff_line "doc shows $expect; ours prints the text as the Go CLI does ($out), --json prints $js"
                else
                    fail_line "doc shows $expect; --json printed '$js'"
                fi
            fi ;;
        list)
            grep -q '^Images:' <<<"$out" && grep -q '^ image=0 slot=0' <<<"$out" &&
                grep -qE '^    version: [0-9]' <<<"$out" || fail_line "not the image list shape"
            [ -n "$expect" ] && check_list_vs_doc "$out" "$expect" ;;
        upload)
            grep -qx Done <<<"$out" || fail_line "no 'Done'"
            if [[ "$expect" == *KiB/s* ]]; then
                grep -qE '^[0-9.]+ (B|KiB) / [0-9.]+ KiB \[[=>-]+\] +[0-9.]+% [0-9.]+ KiB/s' <<<"$out" ||
                    fail_line "no progress line like the document's"
            fi
            [[ " $sub " == *" -v "* ]] && { grep -q 'chunk size' <<<"$out" || fail_line "-v printed no upload details"; }
            if [[ "$sub" =~ mtu=([0-9]+) ]]; then
                # Go meaning: requests of at most mtu*3/4-13 bytes
                local max_req=$(( BASH_REMATCH[1] * 3 / 4 - 13 )) size reqs
                size=$(stat -c %s "$LINE_CWD/$fw")
                reqs=$(( $(sim_status uart.requests) - req_before ))
                [ $(( reqs * max_req )) -ge "$size" ] ||
                    fail_line "mtu=${BASH_REMATCH[1]} not honoured: $size bytes in $reqs requests (at most $max_req bytes each)"
                note_line "$reqs requests of at most $max_req bytes"
            fi
            local h d
            h=$(slot_field 1 hash) d=$(image_digest "$LINE_CWD/$fw")
            [ "$h" = "$d" ] || fail_line "slot 1 hash $h is not the uploaded image's $d"
            note_line "slot 1 = v$(image_version "$LINE_CWD/$fw")" ;;
        test)
            [ "$(slot_field 1 flags)" = pending ] || fail_line "slot 1 not pending after test"
            [ -n "$expect" ] && check_list_vs_doc "$out" "$expect" ;;
        confirm)
            if [[ "$sub" =~ confirm\ ([0-9a-f]{64}) ]]; then
                CONFIRMED_VERSION=$(slot_field 1 version)
                case "$(slot_field 1 flags)" in *permanent*) ;; *) fail_line "slot 1 not marked permanent" ;; esac
                note_line "slot 1 v$CONFIRMED_VERSION pending permanent"
            else
                [ "$(slot_field 0 flags)" = "active confirmed" ] || fail_line "slot 0 not active confirmed"
            fi
            [ -n "$expect" ] && check_list_vs_doc "$out" "$expect" ;;
        erase)
            mgr image list | grep -q '<No image installed>' || fail_line "slot 1 not empty after erase" ;;
        reset)
            wait_reboot "$boot_before" || fail_line "the board did not boot again"
            note_line "runs v$(running_version)"
            if [ -n "${CONFIRMED_VERSION:-}" ]; then
                [ "$(running_version)" = "$CONFIRMED_VERSION" ] &&
                    [ "$(slot_field 0 flags)" = "active confirmed" ] ||
                    fail_line "v$CONFIRMED_VERSION confirmed by hash does not run confirmed"
                CONFIRMED_VERSION=
            fi ;;
        stat)
            grep -q '^stat group:' <<<"$out" || fail_line "no statistics groups" ;;
        shell)
            grep -q '(READY)' <<<"$out" || fail_line "no device list" ;;
        keygen)
            grep -q 'PRIVATE KEY' "$LINE_CWD/${argv[3]}" 2>/dev/null || fail_line "no private key written" ;;
        verify)
            grep -q 'Image was correctly validated' <<<"$out" || fail_line "not validated: $out" ;;
        dfu)
            [ "$(running_version)" = "$fwver" ] || fail_line "runs v$(running_version), not v$fwver"
            note_line "v$fwver runs ($(slot_field 0 flags))" ;;
        quick)
            grep -q '^PASS: all' <<<"$out" || fail_line "no PASS summary" ;;
        package)
            local v=${argv[-1]} pkg
            pkg=$LINE_CWD/dist/release-$v
            (cd "$pkg" 2>/dev/null && sha256sum --quiet -c SHA256SUMS) || fail_line "SHA256SUMS of $pkg"
            [ "$(image_version "$pkg/firmware-$v.signed.bin")" = "$v" ] ||
                fail_line "no signed v$v in the package"
            imgtool verify -k "$W/app/bootloader/mcuboot-rsa-2048.pem" "$pkg/firmware-$v.signed.bin" >/dev/null ||
                fail_line "package image does not verify with the release key"
            ls "$pkg"/*.zip >/dev/null 2>&1 || fail_line "no DFU zip"
            note_line "dist/release-$v verified" ;;
        esac
    fi

    # a board at another rate for one line goes back to its own
    if [ "$CUR_BAUD" != "$BOARD_BAUD" ] && [ -n "${SIM_PID:-}" ]; then
        board_restart "$BOARD_BAUD"
        CUR_BAUD=$BOARD_BAUD
        note_line "board back at $BOARD_BAUD baud (a power cycle: a trial image reverts), runs v$(running_version)"
    fi
    [ "$RESULT" = FAIL ] && FAILS+=("$where: $cmd -> $NOTE")
    [ "$RESULT" = DIFF ] && DIFFS+=("$where: $cmd -> $NOTE")
    ROWS+=("$where"$'\t'"$rc"$'\t'"$RESULT"$'\t'"$cmd"$'\t'"$NOTE")
    e2e_log "$RESULT $where: $cmd${NOTE:+  [$NOTE]}"
}

# ---------------------------------------------------------------- main

: >"$E2E_TMP/transcript.txt"
for doc in "$SHARED_DIR"/seeds/*.md; do
    DOC_NAME=$(basename "$doc" .md)
    [ "$DOC_NAME" = README ] && continue   # about the documents, not one of them
    W=$E2E_TMP/ws-$DOC_NAME
    mkdir -p "$W/app/bootloader" "$W/build/zephyr" "$W/app/build/zephyr"
    cp -r "$SRC_DIR/scripts" "$W/scripts"
    BUILT=1.0.0 CUR_BAUD=$BOARD_BAUD CONFIRMED_VERSION= BOARD_KEYS=()
    SIM_DIR= SIM_PID=
    unset DEVICE
    e2e_log "=== $DOC_NAME"
    n=0
    while IFS=$'\t' read -r -u 3 kind lineno cmd expect; do
        expect=${expect//$'\x1e'/$'\n'}
        where="$DOC_NAME:$lineno"
        n=$((n + 1))
        if [ "$kind" = skip ]; then
            RESULT=SKIP NOTE=""
            emulate_skip "$cmd"
            ROWS+=("$where"$'\t'"-"$'\t'"SKIP"$'\t'"$cmd"$'\t'"not ours${NOTE:+; $NOTE}")
            continue
        fi
        run_line "$where" "$cmd" "$expect"
    done 3< <($DOC_LINES tsv "$doc")
    [ "$n" -gt 0 ] || e2e_fail "no command lines found in $doc"
    sim_stop
done

# every state change of the lines above is in the test's audit trail, intact
audit_out=$(mcumgr audit verify 2>&1)
audit_rc=$?
audit_n=$(mcumgr audit export --json 2>/dev/null | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
if [ $audit_rc -ne 0 ] || [ "${audit_n:-0}" -lt 10 ]; then
    FAILS+=("audit trail: verify exit $audit_rc, ${audit_n:-0} records: $audit_out")
    ROWS+=("(audit trail)"$'\t'"$audit_rc"$'\t'"FAIL"$'\t'"mcumgr audit verify"$'\t'"${audit_n:-0} records: $audit_out")
else
    ROWS+=("(audit trail)"$'\t'"0"$'\t'"PASS"$'\t'"mcumgr audit verify"$'\t'"$audit_n records, chain intact")
fi

# ---------------------------------------------------------------- report

if [ "${SEEDS_TRANSCRIPT:-0}" = 1 ] || [ ${#FAILS[@]} -gt 0 ]; then
    echo "==================== transcript"
    cat "$E2E_TMP/transcript.txt"
fi
echo
echo "==================== every command line of the user's documents"
printf '%-34s %4s  %-4s  %s\n' "LINE" "EXIT" "" "COMMAND"
for r in "${ROWS[@]}"; do
    IFS=$'\t' read -r where rc res cmd note <<<"$r"
    printf '%-34s %4s  %-4s  %s\n' "$where" "$rc" "$res" "$cmd"
    [ -n "$note" ] && printf '%-34s %4s  %-4s    %s\n' "" "" "" "$note"
done
echo
if [ ${#DIFFS[@]} -gt 0 ]; then
    echo "The documents differ from what the tools do (the document is wrong; not failures):"
    printf '  %s\n' "${DIFFS[@]}"
fi
if [ ${#FAILS[@]} -gt 0 ]; then
    echo "FAILED lines (${#FAILS[@]}):"
    printf '  %s\n' "${FAILS[@]}"
    exit 1
fi
echo "all command lines of the documents behave as documented"
