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

. bench/lib.sh
bench_options compare_pgbench.sh "$@"
tool=pgbench
command -v pgbench >/dev/null || { echo "compare_pgbench.sh: pgbench missing (scripts/deps.sh --bench)" >&2; exit 2; }
[ -x ./racebench ] || make -s racebench

bench_pg_start
bench_coupon_sql "$tmp/txn.sql"

rb_run() { rb_load pg "$RACEBENCH_PG"; }

# The throwaway server's CPU (0 on a server of $RACEBENCH_PG's: not ours to read).
server_ticks() {
	if [ -n "${own_servers:-}" ]; then
		server_ticks_of "$(head -1 "$tmp/srv/pg/data/postmaster.pid")"
	else
		echo 0
	fi
}

settle() { pg_settle; }

tool_run() {
	local out
	out=$( { time PGOPTIONS="-c search_path=rb_bench" pgbench -n -M prepared -c "$clients" \
		-j "$clients" -T "$duration" -f "$tmp/txn.sql" "$RACEBENCH_PG" 2>/dev/null; } 2>"$tmp/cpu")
	awk -v tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' <<<"$out")" \
		-v n="$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / n }' "$tmp/cpu"
}

rb_run >/dev/null	# creates the schema pgbench uses (and warms the server)
bench_rounds
# the kept schema goes (a throwaway server goes with it anyway)
PGOPTIONS="-c client_min_messages=warning" psql "$RACEBENCH_PG" -X -q \
	-c "DROP SCHEMA IF EXISTS rb_bench CASCADE" >/dev/null 2>&1 || true
