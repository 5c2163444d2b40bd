#!/usr/bin/env bash
# memory.sh: racebench's resident memory under load: samples VmRSS of the
# racebench process every --every seconds during a load run and reports the
# samples and the peak (VmHWM).
#
# usage: bench/memory.sh [--clients C] [--duration S] [--every S] [--db pg|mysql]
#                        [-- extra racebench options]
#
# Uses a throwaway server started by scripts/servers.sh. The workload is
# coupon-oversell `atomic` at READ COMMITTED over 64 keys, closed loop.
set -euo pipefail
cd "$(dirname "$0")/.."

clients=64 duration=600 every=30 db=pg
while [ $# -gt 0 ]; do
	case $1 in
	--clients) clients=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--every) every=$2; shift 2 ;;
	--db) db=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "memory.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[ -x ./racebench ] || make -s racebench

tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'scripts/servers.sh --dir "$tmp/srv" stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
eval "$(scripts/servers.sh --dir "$tmp/srv" start "$db" 2>/dev/null)"
url=$([ "$db" = pg ] && echo "$RACEBENCH_PG" || echo "$RACEBENCH_MYSQL")

./racebench load "--$db" "$url" -s coupon-oversell -S atomic -i rc -c "$clients" --keys 64 \
	--quantity 1000000000 --duration "$duration" --warmup 1 -q \
	--format json --out "$tmp/mem.json" "$@" &
pid=$!
printf '%8s %10s\n' seconds rss_kib
start=$(date +%s)
peak=0
while kill -0 "$pid" 2>/dev/null; do
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
	[ -z "$hwm" ] || peak=$hwm
	[ -z "$rss" ] || printf '%8d %10d\n' $(( $(date +%s) - start )) "$rss"
	sleep "$every"
done
wait "$pid"
echo "peak RSS (VmHWM): $peak KiB ($(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }') MiB), $clients clients, $db"
jq -r '.cells[0] | "ops \(.ops), \(.throughput | floor) ops/s, p99 \(.latency_us.p99) us, anomalies \(.anomalies)"' "$tmp/mem.json"
