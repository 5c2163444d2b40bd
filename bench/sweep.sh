#!/usr/bin/env bash
# sweep.sh: the cost of correctness, measured: every built-in race under the
# strategies a team chooses between, at READ COMMITTED, as clients grow on
# one hot key and on many keys, on both databases (throwaway servers unless
# RACEBENCH_PG / RACEBENCH_MYSQL are set).
#
#   bench/sweep.sh [--clients LIST] [--keys LIST] [--duration S] [--out DIR]
#
# Writes DIR/sweep-DB.json and DIR/sweep-DB.html (default docs/sweeps/) and
# prints each strategy's points: throughput, p99 and verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
clients=1,4,16,64
keys=1,256
duration=1
out=docs/sweeps
while [ $# -gt 0 ]; do
	case $1 in
	--clients) clients=$2; shift 2 ;;
	--keys) keys=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "sweep.sh: unknown option '$1' (valid: --clients, --keys, --duration, --out)" >&2; exit 2 ;;
	esac
done
[ -x ./racebench ] || make -s racebench
mkdir -p "$out"
strategies=none,for-update-parent,optimistic,atomic,advisory,redis-wide
for db in pg mysql; do
	# Stock and money that never run out: every operation does the work
	# (sold-out coupons and empty wallets would make most of them a
	# cheap declined read, and the curves would measure that).
	./racebench load -d "$db" -S "$strategies" -i rc -c "$clients" --keys "$keys" \
		--quantity 1000000000 --balance 1000000000000 \
		--duration "$duration" --warmup 0.3 --no-progress -f json,html \
		-o "$out/sweep-$db.json" -o "$out/sweep-$db.html"
	jq -r --arg db "$db" '
	  .series[] | "\($db) \(.scenario) \(.strategy) \(.isolation): " +
	    ([.points[] | "c\(.clients)/k\(.keys) \(.throughput | floor) ops/s p99 \(.p99_us)us \(.verdict)"] | join("; "))
	' "$out/sweep-$db.json"
done
