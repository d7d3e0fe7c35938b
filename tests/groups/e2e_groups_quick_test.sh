# Issue 5 acceptance 3: the quick test of the user's guide (connection test,
# image list, task statistics, system statistics) runs clean against
# mcusim: on the serial line the guide uses, then on UDP. Every step exits
# 0, prints nothing on stderr, and shows the board's real figures.
source "$(dirname "$0")/lib.sh"
groups_board_start

quick_test() {
    ok echo "hello"
    [ "$OUT" = hello ] || e2e_fail "connection test: $OUT"
    ok image list
    has '^Images:$'
    has '^ image=0 slot=0$'
    has '^    version: 1\.2\.3$'
    has '^    flags: active confirmed$'
    ok taskstat
    has '^ +task pri tid +runtime'
    [ "$(tail -n +2 <<<"$OUT" | wc -l)" -ge 5 ] || e2e_fail "taskstat shows too few tasks: $OUT"
    ok stat show
    for g in board flash smp uart udp; do has "^stat group: $g$"; done
    has '^ +[1-9][0-9]* requests$'
}

LINK=serial quick_test
LINK=udp quick_test
# the guide's own spelling of the serial connection
OUT=$("$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK" stat show 2>&1) ||
    e2e_fail "stat show with the guide's connstring: $OUT"
has '^stat group: smp$'
OUT=$("$MCUMGR" --conntype serial --connstring "dev=$SIM_TTY_LINK" shell exec "device list" 2>&1) ||
    e2e_fail "shell exec with the guide's quoting: $OUT"
has '^- uart@40002000 \(READY\)$'
sim_stop
e2e_log "quick test: ok"
