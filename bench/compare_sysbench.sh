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

. bench/lib.sh
bench_options compare_sysbench.sh "$@"
tool=sysbench
command -v sysbench >/dev/null || { echo "compare_sysbench.sh: sysbench missing (scripts/deps.sh --bench)" >&2; exit 2; }
command -v mariadb >/dev/null || { echo "compare_sysbench.sh: the mariadb client is missing (scripts/deps.sh)" >&2; exit 2; }
[ -x ./racebench ] || make -s racebench

tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
eval "$(scripts/servers.sh --dir "$tmp/srv" start mysql 2>/dev/null)"
sock=$tmp/srv/mysql/sock

rb_run() { rb_load mysql "$RACEBENCH_MYSQL"; }

server_ticks() { server_ticks_of "$(cat "$tmp/srv/mysql/mariadbd.pid")"; }

settle() { mysql_settle "$sock"; }

tool_run() {
	local out
	out=$( { time sysbench bench/sysbench_coupon.lua --db-driver=mysql --mysql-socket="$sock" \
		--mysql-user=racebench --mysql-db=rb_bench --threads="$clients" \
		--time="$duration" --keys="$keys" run 2>/dev/null; } 2>"$tmp/cpu")
	awk -v tps="$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' <<<"$out")" \
		-v n="$(sed -n 's/^ *transactions: *\([0-9]*\) .*/\1/p' <<<"$out")" \
		'{ printf "%s %.1f\n", tps, ($1 + $2) * 1e6 / n }' "$tmp/cpu"
}

rb_run >/dev/null	# creates the tables sysbench uses
bench_rounds
