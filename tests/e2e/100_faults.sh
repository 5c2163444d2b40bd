# 100_faults.sh: faults during a run: a backend killed, MariaDB restarted,
# Redis stopped, SIGINT/SIGTERM. Nothing may hang; errors are classified as
# connection; clients reconnect; a run that cannot go on exits 3 with a
# partial report; an interrupted run cleans up after itself.
. "$(dirname "$0")/lib.sh"

# run_bg OUT ARGS...: racebench in the background (pid in $bg), killed by a
# watchdog after 90 s so a hang fails the test instead of the suite.
run_bg() {
	local out=$1
	shift
	timeout -s KILL 90 "$RB" "$@" >"$out" 2>"$out.err" &
	bg=$!
}
wait_bg() { wait "$bg"; bg_rc=$?; }

# --- a PostgreSQL backend killed mid-run: clients reconnect, the run ends well.
run_bg "$TMP/kill.txt" run --pg "$RACEBENCH_PG" -s coupon-oversell -S none,for-update-parent \
	-i rc -t 200 --format json --out "$TMP/kill.json" --schema rb_fault_pg
sleep 1.5
psql_rb -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'racebench' AND pid <> pg_backend_pid()" >/dev/null
wait_bg
check "killed backends: the run finishes (exit 0)" [ "$bg_rc" = 0 ]
jq_true "killed backends: classified as connection errors" "$TMP/kill.json" \
	'[.cells[].errors.connection] | add > 0'
jq_true "killed backends: later trials ran on new connections" "$TMP/kill.json" \
	'[.cells[] | .trials == 200] | all'

# --- MariaDB restarted mid-run (a server of this test's own).
srv=$TMP/srv
mkdir -p "$srv" && chmod 755 "$TMP" "$srv"
if eval "$(scripts/servers.sh --dir "$srv" start mysql redis 2>/dev/null)"; then
	my=$RACEBENCH_MYSQL
	run_bg "$TMP/my.txt" run --mysql "$my" -s negative-balance -S none -i rc,rr -t 300 \
		--format json --out "$TMP/my.json"
	sleep 1.5
	pid=$(cat "$srv/mysql/mariadbd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
		args=()
		while IFS= read -r -d '' a; do args+=("$a"); done <"/proc/$pid/cmdline"
		kill -KILL "$pid"
		while [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.1; done
		"${args[@]}" </dev/null >/dev/null 2>&1 &
	else
		# The server died under the run by itself: waiting on /proc/ would never end.
		not_ok "MariaDB was running when the test came to kill it (no pid in $srv/mysql)"
	fi
	wait_bg
	check "MariaDB restarted: no hang, exit 0 or 3 (got $bg_rc)" [ "$bg_rc" = 0 -o "$bg_rc" = 3 ]
	jq_true "MariaDB restarted: a report, with connection errors" "$TMP/my.json" \
		'[.cells[] | select(.verdict != "n/a") | .errors.connection] | add > 0'
	if [ "$bg_rc" = 3 ]; then
		jq_true "MariaDB restarted: exit 3 comes with a partial report" "$TMP/my.json" '.aborted == true'
	fi

	# --- Redis stopped mid-run: lock calls fail as connection errors, no hang.
	run_bg "$TMP/rd.txt" run --pg "$RACEBENCH_PG" --redis "$RACEBENCH_REDIS" -s coupon-oversell \
		-S redis-wide -i rc,rr -t 300 --format json --out "$TMP/rd.json" --schema rb_fault_redis
	sleep 1.5
	kill -TERM "$(cat "$srv/redis/redis.pid")"
	wait_bg
	check "Redis stopped: the run finishes (exit 0)" [ "$bg_rc" = 0 ]
	jq_true "Redis stopped: failures classified as connection" "$TMP/rd.json" \
		'[.cells[].failures.connection] | add > 0'
	scripts/servers.sh --dir "$srv" stop >/dev/null 2>&1
else
	not_ok "a MariaDB and Redis of this test's own started"
fi

# --- SIGTERM and SIGINT: partial report, schema dropped, throwaway servers stopped.
for sig in TERM INT; do
	before=$(pgrep -fc '/racebench\.[A-Za-z0-9]{6}/' || true)
	# no connection settings at all: racebench starts its own servers
	(unset RACEBENCH_PG RACEBENCH_MYSQL RACEBENCH_REDIS
	 exec timeout -s KILL 90 "$RB" load -s coupon-oversell -S none,atomic -i rc --duration 30 \
		--format json --out "$TMP/sig.json") >"$TMP/sig.txt" 2>&1 &
	bg=$!
	sleep 8
	kill -"$sig" "$bg"
	wait_bg
	want=$([ $sig = INT ] && echo 130 || echo 143)
	check "SIG$sig: exit $want (got $bg_rc)" [ "$bg_rc" = "$want" ]
	jq_true "SIG$sig: a partial report" "$TMP/sig.json" '.aborted == true and (.cells | length) >= 1'
	after=$(pgrep -fc '/racebench\.[A-Za-z0-9]{6}/' || true)
	check "SIG$sig: no throwaway server left running" [ "${after:-0}" = "${before:-0}" ]
done
run_bg "$TMP/sig2.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S none -i rc --duration 30 \
	--schema rb_sigterm --format json --out "$TMP/sig2.json"
sleep 3
kill -TERM "$bg"
wait_bg
check "SIGTERM with --pg: the tool's schema is dropped" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'rb_sigterm'")" = 0 ]
