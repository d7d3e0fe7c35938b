# Shared by the scripts that feed bad input to a tool. Source it after
# setting T (a scratch folder) and fails=0:
#
#   expect RC PATTERN -- command...
#
# runs the command and counts a failure (printing the command, its exit
# code and the start of its output) unless it exits with RC and its stdout
# or stderr matches the extended regex PATTERN (case-insensitive).
expect() {
    local want_rc=$1 pattern=$2
    shift 3
    "$@" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" -ne "$want_rc" ] || ! grep -qiE -- "$pattern" "$T/out" "$T/err"; then
        echo "FAIL: $* -> exit $rc (want $want_rc, message /$pattern/)"
        sed 's/^/    /' "$T/out" "$T/err" | head -5
        fails=$((fails + 1))
    fi
}

# Ends the script: exit 1 naming the count when any case failed, else
# prints the summary line and exits 0.
expect_done() {
    if [ "$fails" -ne 0 ]; then
        echo "$fails case(s) failed"
        exit 1
    fi
    echo "$1"
    exit 0
}
