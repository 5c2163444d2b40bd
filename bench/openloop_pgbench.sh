#!/usr/bin/env bash
# openloop_pgbench.sh: racebench's open-loop latency against pgbench -R on
# the same transaction, at about 70 % of capacity, side by side.
#
#   bench/openloop_pgbench.sh [--rounds N] [--duration S] [--clients C] [--keys K]
#                             [--together] [--pin]
#
# The transaction is compare_pgbench.sh's (coupon-oversell `atomic` at READ
# COMMITTED, no think or tail time). Capacity is measured first (racebench,
# closed loop); both tools then run an open loop at 70 % of it, with Poisson
# arrivals (pgbench -R schedules its transactions as a Poisson process), and
# both time each transaction from its scheduled start: racebench by design,
# pgbench because "when throttling is active, the transaction latency is
# calculated with respect to the scheduled start time" (pgbench docs, -R).
# pgbench's p50 and p99 come from its per-transaction log (--log), whose
# latency column is measured the same way; the warm-up second of each is
# left out. Prints a line per round and tool: mean, p50, p99, mean lag.
#
# With --together, each round runs both tools at the same time, each at half
# the rate (70 % of capacity together), so that both see the same server at
# the same moments; pgbench starts once racebench has set its tables up,
# and its log is read over the seconds racebench measures.
#
# With --pin, the throwaway server runs on CPU 0 and both tools on CPU 1
# (taskset), so that the clients never queue for a core behind the server
# they measure, and capacity is the server's on one core.
# Uses $RACEBENCH_PG when set, else starts a throwaway PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_options openloop_pgbench.sh "$@"
command -v pgbench >/dev/null || PATH=$PATH:/usr/lib/postgresql/15/bin
command -v pgbench >/dev/null || { echo "openloop_pgbench.sh: pgbench missing (scripts/deps.sh --bench)" >&2; exit 2; }
[ -x ./racebench ] || make -s racebench

bench_pg_start
bench_coupon_sql "$tmp/txn.sql"

on=()	# the tools' CPU
if [ "$pin" = 1 ]; then
	[ "$(nproc)" -ge 2 ] || { echo "openloop_pgbench.sh: --pin needs two CPUs" >&2; exit 2; }
	[ -n "${own_servers:-}" ] ||
		{ echo "openloop_pgbench.sh: --pin moves the throwaway server only (unset RACEBENCH_PG)" >&2; exit 2; }
	# the postmaster and every process it has; backends started later inherit it
	pm=$(head -1 "$tmp/srv/pg/data/postmaster.pid")
	for p in "$pm" $(cat "/proc/$pm/task/$pm/children"); do taskset -a -p -c 0 "$p" >/dev/null; done
	on=(taskset -c 1)
	# pg_settle vacuums between runs: autovacuum, waking up during one on
	# the server's only core, would only add bursts to what is measured
	psql "$RACEBENCH_PG" -X -q -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null
fi

rb() {	# extra racebench options... ($warmup and $measured seconds)
	"${on[@]}" ./racebench load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc -c "$clients" \
		--keys "$keys" --quantity 1000000000 --think 0 --tail 0 --duration "${measured:-$duration}" \
		--warmup "${warmup:-1}" --keep-schema --schema rb_bench -q --format json --out "$tmp/rb.json" "$@"
}

rb >/dev/null # the schema pgbench uses, and a warm server
capacity=$(jq -r '.cells[0].throughput | floor' "$tmp/rb.json")
rate=$((capacity * 7 / 10))
echo "capacity (racebench, closed loop, $clients clients, $keys keys): $capacity ops/s; open loop at $rate ops/s"
printf '%-6s %-10s %10s %10s %10s %10s %8s\n' round tool "mean ms" "p50 ms" "p99 ms" "lag ms" ops
[ "$together" = 0 ] || rate=$((rate / 2))

# rb_line ROUND: racebench's figures from its report
rb_line() {
	jq -r --arg r "$1" '.cells[0] | [$r, "racebench", .latency_us.mean / 1000, .latency_us.p50 / 1000,
		.latency_us.p99 / 1000, .lag_us.mean / 1000, .ops] |
		"\(.[0]) \(.[1]) \(.[2]) \(.[3]) \(.[4]) \(.[5]) \(.[6])"' "$tmp/rb.json" |
		awk '{ printf "%-6s %-10s %10.3f %10.3f %10.3f %10.3f %8d\n", $1, $2, $3, $4, $5, $6, $7 }'
}

# pgb_line ROUND FROM TO: pgbench's transactions that ended FROM to TO
# seconds after its first one ended
pgb_line() {
	# log: client_id transaction_no time(us, from the scheduled start) script_no epoch us lag(us)
	cat "$tmp"/pgb.[0-9]* | sort -k5,5n -k6,6n | awk -v from="$2" -v to="$3" '
		NR == 1 { t0 = $5 + $6 / 1e6 }
		{ t = ($5 + $6 / 1e6) - t0 }
		t >= from && t < to { print $3, $7 }' | sort -n | awk -v r="$1" '
		{ lat[NR] = $1; sum += $1; lag += $2 }
		END {
			printf "%-6s %-10s %10.3f %10.3f %10.3f %10.3f %8d\n", r, "pgbench", sum / NR / 1000,
				lat[int(NR * 0.5 + 0.5)] / 1000, lat[int(NR * 0.99 + 0.5)] / 1000, lag / NR / 1000, NR
		}'
}

pgb() {	# seconds
	PGOPTIONS="-c search_path=rb_bench" "${on[@]}" pgbench -n -M prepared -c "$clients" -j "$clients" \
		-R "$rate" -T "$1" -f "$tmp/txn.sql" --log --log-prefix="$tmp/pgb" \
		"$RACEBENCH_PG" >/dev/null 2>&1
}

for r in $(seq 1 "$rounds"); do
	rm -f "$tmp"/pgb*
	pg_settle	# both tools start from the same tables (bench/lib.sh)
	if [ "$together" = 1 ]; then
		# racebench: set-up (well under a second), 2 s of warm-up, then
		# $duration - 2 measured; pgbench runs $duration seconds from
		# 1 s in, and its seconds 1.5 to $duration - 0.7 are about the
		# ones racebench measures.
		(sleep 1; pgb "$duration") &
		warmup=2 measured=$((duration - 2)) rb --rate "$rate" --arrival poisson
		wait
		rb_line "$r"
		pgb_line "$r" 1.5 "$(awk -v d="$duration" 'BEGIN { print d - 0.7 }')"
	else
		rb --rate "$rate" --arrival poisson
		rb_line "$r"
		pg_settle
		pgb $((duration + 1))
		pgb_line "$r" 1 1e9
	fi
done
