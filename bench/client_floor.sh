#!/usr/bin/env bash
# client_floor.sh: what a client on MariaDB Connector/C spends at the least
# on compare_sysbench.sh's transaction, against what racebench's client
# spends, and what MYSQL_OPT_READ_TIMEOUT adds (a kernel timer armed and
# cancelled in every wait for a reply).
#
# usage: bench/client_floor.sh [--rounds N] [--clients C] [--keys K]
#
# Per round, alternately: bench/client_floor.c without and with a read
# time-out, then racebench load (coupon-oversell `atomic` at rc), each
# running 40,000 transactions from the same tables (coupon-oversell's reset
# before each); prints the client's CPU (user + system) per
# transaction of each, and their means. racebench's figure carries its
# set-up (connecting, the reset, the final check: about 1 us a
# transaction). Uses a throwaway MariaDB started by scripts/servers.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
bench_options client_floor.sh "$@"
ops=40000
[ -x ./racebench ] || make -s racebench
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
# shellcheck disable=SC2046
cc -O2 -o "$tmp/client_floor" bench/client_floor.c $(pkg-config --cflags --libs libmariadb) -pthread
eval "$(scripts/servers.sh --dir "$tmp/srv" start mysql 2>/dev/null)"
sock=$tmp/srv/mysql/sock

rb() {
	./racebench load --mysql "$RACEBENCH_MYSQL" -s coupon-oversell -S atomic -i rc -c "$clients" \
		--keys "$keys" --quantity 1000000000 --think 0 --tail 0 --ops "$ops" --warmup 0 \
		--keep-schema --schema rb_bench -q >/dev/null
}
floor() { "$tmp/client_floor" "$sock" racebench rb_bench "$ops" "$clients" "$keys" "$1"; }
# cpu CMD...: the command's user + system CPU per transaction, in us
cpu() {
	mysql_settle "$sock"	# every run from the same tables
	{ time "$@"; } 2>"$tmp/cpu"
	awk -v n="$ops" '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$tmp/cpu"
}

rb	# the tables
printf '%-6s %18s %18s %18s\n' round "floor us/tx" "floor+timeout" racebench
s1=0 s2=0 s3=0
for r in $(seq 1 "$rounds"); do
	a=$(cpu floor 0)
	b=$(cpu floor 700)
	c=$(cpu rb)
	printf '%-6s %18s %18s %18s\n' "$r" "$a" "$b" "$c"
	s1=$(awk -v s="$s1" -v x="$a" 'BEGIN { print s + x }')
	s2=$(awk -v s="$s2" -v x="$b" 'BEGIN { print s + x }')
	s3=$(awk -v s="$s3" -v x="$c" 'BEGIN { print s + x }')
done
awk -v a="$s1" -v b="$s2" -v c="$s3" -v n="$rounds" 'BEGIN {
	printf "mean   %18.1f %18.1f %18.1f   (%d transactions a run, client CPU per transaction in us)\n",
		a / n, b / n, c / n, '"$ops"' }'
