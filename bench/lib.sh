# lib.sh: what the compare_*.sh benchmarks share (sourced): their options,
# and the rounds run back to back in alternation with the summary.
# The sourcing script defines rb_run, tool_run, settle and server_ticks, the runs printing
# "TPS CPU_US_PER_TXN", and sets $tool to the other tool's name.

# bench_options NAME "$@": --rounds, --duration, --clients, --keys, --markdown,
# --together and --pin (openloop_pgbench.sh's).
bench_options() {
	local name=$1
	shift
	rounds=3 duration=10 clients=4 keys=100 markdown=0 together=0 pin=0
	while [ $# -gt 0 ]; do
		case $1 in
		--together) together=1; shift ;;
		--pin) pin=1; shift ;;
		--rounds) rounds=$2; shift 2 ;;
		--duration) duration=$2; shift 2 ;;
		--clients) clients=$2; shift 2 ;;
		--keys) keys=$2; shift 2 ;;
		--markdown) markdown=1; shift ;;
		-h|--help) sed -n '2,/^set -/s/^# \{0,1\}//p' "$0" | sed '$d'; exit 0 ;;
		*) echo "$name: unknown option '$1' (see --help)" >&2; exit 2 ;;
		esac
	done
}

# The client's own CPU (user + system) of a command, from bash's `time`.
TIMEFORMAT='%U %S'

# bench_rounds: rb_run and tool_run alternately, $rounds times; a line per
# round, the mean ratio of TPS and the client and server CPU per
# transaction of each. Before every run of either tool, settle (the
# sourcing script's) puts the tables back as racebench's reset leaves them
# (the issues emptied, the stock restored) and lets the server clean up
# after it, so that neither tool runs on the table the other one grew, or
# pays in its measured seconds for the clean-up of the other's rows.
# The server's CPU comes from server_ticks (clock ticks the server has used
# so far), taken around each run: for racebench it includes its set-up and
# its warm-up second, and is divided like the client's (TPS x (d + 1)).
bench_rounds() {
	local r a b ca cb sa sb t0 t1 t2 ratio sum_rb=0 sum_tool=0 cpu_rb=0 cpu_tool=0 srv_rb=0 srv_tool=0
	local hz
	hz=$(getconf CLK_TCK)
	printf '%-6s %12s %12s %8s %10s %10s %10s %10s\n' round racebench "$tool" ratio \
		"rb cli us" "${tool:0:3} cli us" "rb srv us" "${tool:0:3} srv us"
	for r in $(seq 1 "$rounds"); do
		settle
		t0=$(server_ticks)
		read -r a ca <<<"$(rb_run)"
		t1=$(server_ticks)
		settle
		t2=$(server_ticks)
		read -r b cb <<<"$(tool_run)"
		t1=$((t1 - t0)) t2=$(($(server_ticks) - t2))
		sa=$(awk -v t="$t1" -v hz="$hz" -v tps="$a" -v d="$duration" 'BEGIN { printf "%.1f", t * 1e6 / hz / (tps * (d + 1)) }')
		sb=$(awk -v t="$t2" -v hz="$hz" -v tps="$b" -v d="$duration" 'BEGIN { printf "%.1f", t * 1e6 / hz / (tps * d) }')
		ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
		printf '%-6s %12.1f %12.1f %8s %10s %10s %10s %10s\n' "$r" "$a" "$b" "$ratio" "$ca" "$cb" "$sa" "$sb"
		sum_rb=$(awk -v s="$sum_rb" -v a="$a" 'BEGIN { print s + a }')
		sum_tool=$(awk -v s="$sum_tool" -v b="$b" 'BEGIN { print s + b }')
		cpu_rb=$(awk -v s="$cpu_rb" -v a="$ca" 'BEGIN { print s + a }')
		cpu_tool=$(awk -v s="$cpu_tool" -v b="$cb" 'BEGIN { print s + b }')
		srv_rb=$(awk -v s="$srv_rb" -v a="$sa" 'BEGIN { print s + a }')
		srv_tool=$(awk -v s="$srv_tool" -v b="$sb" 'BEGIN { print s + b }')
	done
	mean=$(awk -v a="$sum_rb" -v b="$sum_tool" 'BEGIN { printf "%.3f", a / b }')
	echo "mean ratio racebench/$tool: $mean ($rounds rounds of ${duration}s, $clients clients, $keys keys)"
	echo "CPU per transaction, client: racebench $(awk -v s="$cpu_rb" -v n="$rounds" \
		'BEGIN { printf "%.1f", s / n }') us, $tool $(awk -v s="$cpu_tool" -v n="$rounds" \
		'BEGIN { printf "%.1f", s / n }') us; server: racebench's $(awk -v s="$srv_rb" -v n="$rounds" \
		'BEGIN { printf "%.1f", s / n }') us, $tool's $(awk -v s="$srv_tool" -v n="$rounds" \
		'BEGIN { printf "%.1f", s / n }') us"
	if [ "$markdown" = 1 ]; then
		echo
		echo "| clients | keys | rounds × s | racebench TPS (sum) | $tool TPS (sum) | ratio |"
		echo "|---|---|---|---|---|---|"
		echo "| $clients | $keys | $rounds × $duration | $sum_rb | $sum_tool | $mean |"
	fi
}

# server_ticks_of PID: CPU clock ticks the process PID and its threads have
# used, with its children's that it has waited for (PostgreSQL's exited
# backends) and those of its children still running.
server_ticks_of() {
	local pid=$1 sum c
	sum=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat")
	for c in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
		sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}

# rb_load DB URL: racebench's side of the comparison (coupon-oversell
# `atomic` at rc, no think or tail), kept schema rb_bench; prints TPS and
# CPU per operation (the warm-up's second counted in).
rb_load() {
	{ time ./racebench load "--$1" "$2" -s coupon-oversell -S atomic -i rc \
		-c "$clients" --keys "$keys" --quantity 1000000000 --think 0 --tail 0 \
		--duration "$duration" --warmup 1 --keep-schema --schema rb_bench -q \
		--format json --out "$tmp/rb.json"; } 2>"$tmp/cpu"
	awk -v tps="$(jq -r '.cells[0].throughput' "$tmp/rb.json")" -v d="$duration" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / (tps * (d + 1)) }' "$tmp/cpu"
}

# pg_settle: coupon-oversell's reset, as racebench runs it at the start of a
# run, then VACUUM, so that the dead rows of the last run are gone before
# the next one (else autovacuum cleans them up during it).
pg_settle() {
	PGOPTIONS="-c search_path=rb_bench -c client_min_messages=warning" psql "$RACEBENCH_PG" -X -q \
		-c "DELETE FROM coupon_issue" \
		-c "UPDATE coupon SET quantity = 1000000000, version = 0, fence = 0" \
		-c "VACUUM ANALYZE coupon, coupon_issue" >/dev/null
}

# mysql_settle SOCKET: the same on MariaDB (TRUNCATE: InnoDB's purge has
# nothing of the last run's rows left to do).
mysql_settle() {
	mariadb --socket="$1" -u racebench rb_bench -e "TRUNCATE TABLE coupon_issue;
		UPDATE coupon SET quantity = 1000000000, version = 0, fence = 0"
}

# bench_pg_start: $tmp (a new temporary directory, removed on exit) and,
# unless RACEBENCH_PG is set, a throwaway PostgreSQL in it (stopped on
# exit); RACEBENCH_PG then names the server to use.
bench_pg_start() {
	tmp=$(mktemp -d)
	trap bench_pg_cleanup EXIT
	if [ -z "${RACEBENCH_PG:-}" ]; then
		own_servers=1
		chmod 755 "$tmp"
		eval "$(scripts/servers.sh --dir "$tmp/srv" start pg 2>/dev/null)"
	fi
}
bench_pg_cleanup() {
	[ -z "${own_servers:-}" ] || scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}

# bench_coupon_sql FILE: coupon-oversell's `atomic` transaction at READ
# COMMITTED as a pgbench script, on a random one of $keys coupons.
bench_coupon_sql() {
	cat >"$1" <<SQL
\\set k random(0, $((keys - 1)))
\\set t random(1, 1000000000)
BEGIN ISOLATION LEVEL READ COMMITTED;
UPDATE coupon SET quantity = quantity - 1 WHERE id = :k AND quantity > 0;
INSERT INTO coupon_issue (coupon_id, user_token) VALUES (:k, :t);
COMMIT;
SQL
}
