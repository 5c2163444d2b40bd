# 010_cli.sh: the command line as a new user meets it: help, version, list,
# bad input (exit 2, a message naming the value), an unreachable server (exit 3).
. "$(dirname "$0")/lib.sh"

run_rb "$TMP/help" --help
check "--help exits 0" [ "$rb_rc" = 0 ]
check "--help shows usage" grep -q '^usage: racebench run' "$TMP/help"
run_rb "$TMP/ver" --version
check "--version prints the version" grep -qE '^racebench [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/ver"
run_rb "$TMP/list" list
check "list exits 0" [ "$rb_rc" = 0 ]
check "list shows double-tap" grep -q '^  double-tap' "$TMP/list"
check "list shows every strategy" grep -q 'redis-expiry-fenced' "$TMP/list"
check "list explains n/a cells" grep -q 'n/a check-after:' "$TMP/list"

run_rb "$TMP/bad" run --strategy lock
check "unknown strategy exits 2" [ "$rb_rc" = 2 ]
check "unknown strategy is named with the valid choices" \
	grep -q "racebench: --strategy: unknown strategy 'lock' (valid: none, for-update" "$TMP/bad.err"
run_rb "$TMP/bad" run --clients 0
check "--clients 0 exits 2 with its range" \
	grep -q "'0' is not a whole number from 1 to 256" "$TMP/bad.err"
run_rb "$TMP/bad" run --frobnicate
check "unknown option exits 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/bad" run --format json --out /nonexistent/dir/r.json
check "unwritable --out exits 2 before running" [ "$rb_rc" = 2 ]
check "unwritable --out names the file" grep -q "/nonexistent/dir/r.json" "$TMP/bad.err"
run_rb "$TMP/bad"
check "no command exits 2" [ "$rb_rc" = 2 ]

# A server nobody runs: exit 3, a clear message, no report file left behind.
run_rb "$TMP/down" run --pg "host=127.0.0.1 port=1 connect_timeout=2" -s double-tap \
	-S none -i rc -t 1 --format json --out "$TMP/down.json"
check "unreachable server exits 3" [ "$rb_rc" = 3 ]
check "unreachable server is reported" grep -q 'racebench: pg (host=127.0.0.1 port=1' "$TMP/down.err"
check "no half-written report" [ ! -e "$TMP/down.json" ]

# Passwords never printed.
run_rb "$TMP/pw" run --pg "postgres://bob:s3cret@127.0.0.1:1/x?connect_timeout=2" -S none -i rc -t 1
check "a password in a URL is redacted" sh -c "! grep -q s3cret '$TMP/pw.err'"
