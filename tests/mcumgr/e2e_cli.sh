# The command line itself, no board needed: Go syntax (flags anywhere,
# --flag=value, -t5), exit codes (0 ok, 1 failure, 2 usage), connection
# profiles in the Go tool's file format, help and version.
source "$(dirname "$0")/lib.sh"
e2e_require_bin mcumgr

code() { local rc=0; "$@" >"$WORK/out" 2>&1 || rc=$?; echo "$rc"; }

e2e_assert_eq 0 "$(code "$MCUMGR" version)" "version"
grep -qE '^mcumgr [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/out" || fail "version: $(cat "$WORK/out")"
e2e_assert_eq 0 "$(code "$MCUMGR" --help)" "--help"
grep -q '127.0.0.1:1337' "$WORK/out" || fail "help does not name the default target"
e2e_assert_eq 0 "$(code "$MCUMGR" image upload -h)" "image upload -h"
grep -q -- '--chunk-size' "$WORK/out" || fail "upload help lacks --chunk-size"

# usage errors: exit 2 with a hint
e2e_assert_eq 2 "$(code "$MCUMGR" frobnicate)" "unknown command"
grep -q 'unknown command "frobnicate"' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" image frob)" "unknown subcommand"
e2e_assert_eq 2 "$(code "$MCUMGR" --frob echo x)" "unknown flag"
grep -q 'unknown flag: --frob' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" echo x --chunk-size 5)" "flag of another command"
e2e_assert_eq 2 "$(code "$MCUMGR" -t)" "flag without value"
e2e_assert_eq 2 "$(code "$MCUMGR" -t abc echo x)" "bad timeout"
# one message that names the flag's range, not a second generic one
e2e_assert_eq 1 "$(grep -c '^Error:' "$WORK/out")" "bad timeout: one error: $(cat "$WORK/out")"
grep -q '^Error: invalid timeout "abc" (seconds' "$WORK/out" || fail "bad timeout: $(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" -r 1.5 echo x)" "bad tries"
e2e_assert_eq 1 "$(grep -c '^Error:' "$WORK/out")" "bad tries: one error: $(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" image upload -n 128 f.bin)" "-n 128"
grep -q -- '--chunk-size 128' "$WORK/out" || fail "-n 128 hint: $(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" --conntype serial --connstring dev=/dev/null,bogus=1 echo x)" "bad connstring key"
grep -q 'Unrecognized key: bogus' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" --conntype carrier echo x)" "bad conntype"
e2e_assert_eq 2 "$(code "$MCUMGR" image erase one)" "erase slot not a number"

# a reader that stopped reading (`mcumgr ... | head`) ends mcumgr quietly,
# with the status of a tool that SIGPIPE ended (141), as cat or grep do
e2e_assert_eq 141 "$(e2e_reader_gone "$MCUMGR" version)" "version into a closed pipe"
e2e_assert_eq 141 "$(e2e_reader_gone "$MCUMGR" --help)" "help into a closed pipe"

# failures: exit 1 with a specific message
e2e_assert_eq 1 "$(code "$MCUMGR" --conntype serial --connstring dev=/nonexistent/tty echo x)" "missing port"
grep -q 'failed to connect' "$WORK/out" || fail "$(cat "$WORK/out")"
PORT=$(e2e_free_udp_port)
e2e_assert_eq 1 "$(code "$MCUMGR" --connstring "127.0.0.1:$PORT" -t0.3 echo x)" "nobody listening"
grep -q "nothing answers at 127.0.0.1:$PORT" "$WORK/out" || fail "$(cat "$WORK/out")"
head -c 2048 /dev/zero >"$WORK/zero.bin"
e2e_assert_eq 1 "$(code "$MCUMGR" --connstring "127.0.0.1:$PORT" image upload "$WORK/zero.bin")" "not an image"
grep -q 'not a signed MCUboot image' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 1 "$(code "$MCUMGR" --connstring "127.0.0.1:$PORT" --json -t 0.2 echo x)" "json error"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["error"]["kind"]=="REFUSED", d' "$WORK/out" ||
    fail "json error: $(cat "$WORK/out")"

# connection profiles: the Go tool's messages and file
e2e_assert_eq 0 "$(code "$MCUMGR" conn add dev1 type=serial "connstring=dev=/dev/ttyACM0,baud=115200")" "conn add"
grep -qx 'Connection profile dev1 successfully added' "$WORK/out" || fail "$(cat "$WORK/out")"
"$MCUMGR" conn add net type=udp connstring=127.0.0.1:1 >/dev/null
e2e_assert_eq 0 "$(code "$MCUMGR" conn show)" "conn show"
grep -qx "  dev1: type=serial, connstring='dev=/dev/ttyACM0,baud=115200'" "$WORK/out" || fail "$(cat "$WORK/out")"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[0]=={"MyName":"dev1","MyType":"serial","MyConnString":"dev=/dev/ttyACM0,baud=115200"}, d' "$MCUMGR_CONN_FILE" ||
    fail "profile file: $(cat "$MCUMGR_CONN_FILE")"
# -c picks the profile; flags after the command words work the same
e2e_assert_eq 1 "$(code "$MCUMGR" echo x -c net -t 0.2)" "profile used"
grep -q '127.0.0.1:1' "$WORK/out" || fail "profile not used: $(cat "$WORK/out")"
e2e_assert_eq 2 "$(code "$MCUMGR" conn add dev2 colour=blue)" "conn add unknown variable"
grep -q 'Unknown variable colour=blue' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 0 "$(code "$MCUMGR" conn delete dev1)" "conn delete"
grep -qx 'Connection profile dev1 successfully deleted.' "$WORK/out" || fail "$(cat "$WORK/out")"
e2e_assert_eq 1 "$(code "$MCUMGR" conn delete dev1)" "conn delete again"
e2e_assert_eq 1 "$(code "$MCUMGR" -c dev1 echo x)" "deleted profile"
e2e_assert_eq 0 "$(code "$MCUMGR" conn show dev1)" "conn show missing"
grep -qx 'No connection profiles found matching dev1' "$WORK/out" || fail "$(cat "$WORK/out")"
echo "cli: ok"
