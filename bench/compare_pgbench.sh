#!/usr/bin/env bash
# compare_pgbench.sh: racebench's load mode against pgbench -M prepared, on
# the same transaction, clients, keys and server, back to back in
# alternation; reports each run's TPS and the ratio racebench / pgbench.
#
# usage: bench/compare_pgbench.sh [--rounds N] [--duration S] [--clients C]
#                                 [--keys K] [--markdown]
#
# The transaction is coupon-oversell's `atomic` operation at READ COMMITTED
# with no think or tail time:
#   BEGIN ISOLATION LEVEL READ COMMITTED;
#   UPDATE coupon SET quantity = quantity - 1 WHERE id = k AND quantity > 0;
#   INSERT INTO coupon_issue (coupon_id, user_token) VALUES (k, t);
#   COMMIT;
# with k uniform over --keys coupons. racebench creates the tables (and keeps
# them); pgbench runs the same statements in the same schema.
# Uses $RACEBENCH_PG when set, else starts a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 duration=10 clients=4 keys=100 markdown=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--keys) keys=$2; shift 2 ;;
	--markdown) markdown=1; shift ;;
	-h|--help) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "compare_pgbench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
command -v pgbench >/dev/null || { echo "compare_pgbench.sh: pgbench missing (scripts/deps.sh --bench)" >&2; exit 2; }
[ -x ./racebench ] || make -s racebench

tmp=$(mktemp -d)
cleanup() {
	[ -z "${own_servers:-}" ] || scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ -z "${RACEBENCH_PG:-}" ]; then
	own_servers=1
	chmod 755 "$tmp"
	eval "$(scripts/servers.sh --dir "$tmp/srv" start pg 2>/dev/null)"
fi

cat >"$tmp/txn.sql" <<SQL
\\set k random(0, $((keys - 1)))
\\set t random(1, 1000000000)
BEGIN ISOLATION LEVEL READ COMMITTED;
UPDATE coupon SET quantity = quantity - 1 WHERE id = :k AND quantity > 0;
INSERT INTO coupon_issue (coupon_id, user_token) VALUES (:k, :t);
COMMIT;
SQL

# Each run prints "TPS CPU_US_PER_TXN": the client's own CPU time (user +
# system, from bash's `time`) per transaction is the harness overhead.
TIMEFORMAT='%U %S'
rb_run() {
	{ time ./racebench load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc \
		-c "$clients" --keys "$keys" --quantity 1000000000 --think 0 --tail 0 \
		--duration "$duration" --warmup 1 --keep-schema --schema rb_bench -q \
		--format json --out "$tmp/rb.json"; } 2>"$tmp/cpu"
	# all operations it ran: the measured ones plus about a second of warm-up
	awk -v tps="$(jq -r '.cells[0].throughput' "$tmp/rb.json")" -v d="$duration" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / (tps * (d + 1)) }' "$tmp/cpu"
}

pgb_run() {
	local out
	out=$( { time PGOPTIONS="-c search_path=rb_bench" pgbench -n -M prepared -c "$clients" \
		-j "$clients" -T "$duration" -f "$tmp/txn.sql" "$RACEBENCH_PG" 2>/dev/null; } 2>"$tmp/cpu")
	awk -v tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")" \
		-v n="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / n }' "$tmp/cpu"
}

rb_run >/dev/null	# creates the schema pgbench uses (and warms the server)
printf '%-6s %12s %12s %8s %14s %14s\n' round racebench pgbench ratio "rb cpu us/tx" "pgb cpu us/tx"
sum_rb=0 sum_pg=0 cpu_rb=0 cpu_pg=0
for r in $(seq 1 "$rounds"); do
	read -r a ca <<<"$(rb_run)"
	read -r b cb <<<"$(pgb_run)"
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	printf '%-6s %12.1f %12.1f %8s %14s %14s\n' "$r" "$a" "$b" "$ratio" "$ca" "$cb"
	sum_rb=$(awk -v s="$sum_rb" -v a="$a" 'BEGIN { print s + a }')
	sum_pg=$(awk -v s="$sum_pg" -v b="$b" 'BEGIN { print s + b }')
	cpu_rb=$(awk -v s="$cpu_rb" -v a="$ca" 'BEGIN { print s + a }')
	cpu_pg=$(awk -v s="$cpu_pg" -v b="$cb" 'BEGIN { print s + b }')
done
mean=$(awk -v a="$sum_rb" -v b="$sum_pg" 'BEGIN { printf "%.3f", a / b }')
echo "mean ratio racebench/pgbench: $mean ($rounds rounds of ${duration}s, $clients clients, $keys keys)"
echo "client CPU per transaction: racebench $(awk -v s="$cpu_rb" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') us, pgbench $(awk -v s="$cpu_pg" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') us"
PGOPTIONS="-c client_min_messages=warning" psql "$RACEBENCH_PG" -X -q -c "DROP SCHEMA IF EXISTS rb_bench CASCADE" >/dev/null 2>&1 || true
if [ "$markdown" = 1 ]; then
	echo
	echo "| clients | keys | rounds × s | racebench TPS (sum) | pgbench TPS (sum) | ratio |"
	echo "|---|---|---|---|---|---|"
	echo "| $clients | $keys | $rounds × $duration | $sum_rb | $sum_pg | $mean |"
fi
