#!/usr/bin/env bash
# compare_sysbench.sh: racebench's load mode against sysbench on MariaDB, on
# the same transaction, clients, keys and server, back to back in
# alternation; reports each run's TPS and the ratio racebench / sysbench.
#
# usage: bench/compare_sysbench.sh [--rounds N] [--duration S] [--clients C]
#                                  [--keys K] [--markdown]
#
# The transaction is bench/sysbench_coupon.lua's (coupon-oversell `atomic` at
# READ COMMITTED, no think or tail time). sysbench 1.0 has no warm-up
# option: the first round warms the server for both. Uses a throwaway MariaDB started by
# scripts/servers.sh (its socket URL is what both tools connect through).
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
	-h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "compare_sysbench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
command -v sysbench >/dev/null || { echo "compare_sysbench.sh: sysbench missing (scripts/deps.sh --bench)" >&2; exit 2; }
[ -x ./racebench ] || make -s racebench

tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
eval "$(scripts/servers.sh --dir "$tmp/srv" start mysql 2>/dev/null)"
sock=$tmp/srv/mysql/sock

# Each run prints "TPS CPU_US_PER_TXN": the client's own CPU time (user +
# system, from bash's `time`) per transaction is the harness overhead.
TIMEFORMAT='%U %S'
rb_run() {
	{ time ./racebench load --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S atomic -i rc \
		-c "$clients" --keys "$keys" --quantity 1000000000 --think 0 --tail 0 \
		--duration "$duration" --warmup 1 --keep-schema --schema rb_bench -q \
		--format json --out "$tmp/rb.json"; } 2>"$tmp/cpu"
	awk -v tps="$(jq -r '.cells[0].throughput' "$tmp/rb.json")" -v d="$duration" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / (tps * (d + 1)) }' "$tmp/cpu"
}

sb_run() {
	local out
	out=$( { time sysbench bench/sysbench_coupon.lua --db-driver=mysql --mysql-socket="$sock" \
		--mysql-user=racebench --mysql-db=rb_bench --threads="$clients" \
		--time="$duration" --keys="$keys" run 2>/dev/null; } 2>"$tmp/cpu")
	awk -v tps="$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' <<<"$out")" \
		-v n="$(sed -n 's/^ *transactions: *\([0-9]*\) .*/\1/p' <<<"$out")" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / n }' "$tmp/cpu"
}

rb_run >/dev/null	# creates the tables sysbench uses
printf '%-6s %12s %12s %8s %14s %14s\n' round racebench sysbench ratio "rb cpu us/tx" "sb cpu us/tx"
sum_rb=0 sum_sb=0 cpu_rb=0 cpu_sb=0
for r in $(seq 1 "$rounds"); do
	read -r a ca <<<"$(rb_run)"
	read -r b cb <<<"$(sb_run)"
	ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
	printf '%-6s %12.1f %12.1f %8s %14s %14s\n' "$r" "$a" "$b" "$ratio" "$ca" "$cb"
	sum_rb=$(awk -v s="$sum_rb" -v a="$a" 'BEGIN { print s + a }')
	sum_sb=$(awk -v s="$sum_sb" -v b="$b" 'BEGIN { print s + b }')
	cpu_rb=$(awk -v s="$cpu_rb" -v a="$ca" 'BEGIN { print s + a }')
	cpu_sb=$(awk -v s="$cpu_sb" -v b="$cb" 'BEGIN { print s + b }')
done
mean=$(awk -v a="$sum_rb" -v b="$sum_sb" 'BEGIN { printf "%.3f", a / b }')
echo "mean ratio racebench/sysbench: $mean ($rounds rounds of ${duration}s, $clients clients, $keys keys)"
echo "client CPU per transaction: racebench $(awk -v s="$cpu_rb" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') us, sysbench $(awk -v s="$cpu_sb" -v n="$rounds" 'BEGIN { printf "%.1f", s / n }') us"
if [ "$markdown" = 1 ]; then
	echo
	echo "| clients | keys | rounds × s | racebench TPS (sum) | sysbench TPS (sum) | ratio |"
	echo "|---|---|---|---|---|---|"
	echo "| $clients | $keys | $rounds × $duration | $sum_rb | $sum_sb | $mean |"
fi
