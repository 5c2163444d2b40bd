# 080_load_pg.sh: load mode on the throwaway PostgreSQL: figures present
# and sane, the invariant checked over all keys at the end. No timing is
# asserted beyond what a schedule guarantees.
. "$(dirname "$0")/lib.sh"

out=$TMP/load.json
run_rb "$TMP/load.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S none,atomic -i rc \
	--duration 1 --warmup 0.2 --quantity 1000000000 --format json --out "$out"
check "closed-loop load exits 0" [ "$rb_rc" = 0 ]
jq_true "the report says load mode, closed loop" "$out" '.mode == "load" and .params.arrival == "closed"'
jq_true "every cell has throughput and ordered percentiles" "$out" \
	'[.cells[] | .ops > 0 and .throughput > 0 and .latency_us.p50 <= .latency_us.p90 and .latency_us.p90 <= .latency_us.p99 and .latency_us.p99 <= .latency_us.p99_9 and .latency_us.p99_9 <= .latency_us.max and .latency_us.count == .ops] | (length == 2 and all)'
jq_true "ops add up" "$out" '[.cells[] | .ops == .committed + .declined + .failed] | all'
# The invariant is checked at the end: a fix that is fast but wrong shows as wrong.
jq_true "none under load loses updates (read-modify-write at rc)" "$out" \
	"[$(cellf pg coupon-oversell none rc) | .anomalies.lost_updates > 0 and .verdict == \"anomaly\"] == [true]"
jq_true "atomic under load keeps the invariant" "$out" \
	"[$(cellf pg coupon-oversell atomic rc) | .anomalous_trials == 0 and .verdict == \"safe\"] == [true]"

run_rb "$TMP/ops.txt" load --pg "$RACEBENCH_PG" -s negative-balance -S atomic -i rc --ops 200 \
	--warmup 0 --balance 1000000000 --keys 8 --format json --out "$TMP/ops.json"
jq_true "--ops N measures exactly N operations" "$TMP/ops.json" '.cells[0].ops == 200 and .params.ops == 200'
jq_true "money is conserved over 8 keys" "$TMP/ops.json" '.cells[0].anomalies.lost_updates == 0'

run_rb "$TMP/open.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc --rate 200 \
	--duration 1 --warmup 0.2 --quantity 1000000000 --format json --out "$TMP/open.json"
check "open-loop load exits 0" [ "$rb_rc" = 0 ]
jq_true "open loop reports its rate and schedule lag" "$TMP/open.json" \
	'.params.rate == 200 and .params.arrival == "fixed" and (.cells[0].lag_us.p99 >= 0) and (.cells[0].lag_us.max >= .cells[0].lag_us.p50)'
# A lag is a start minus its schedule, never negative: an unsigned
# difference taken the wrong way round would read as 1.8e16 us.
jq_true "open loop: no lag or latency beyond the run's own length" "$TMP/open.json" \
	'.cells[0] | .lag_us.max < 60000000 and .latency_us.max < 60000000 and .lag_us.mean < 60000000'
# 200/s for 1 s is 200 scheduled starts; a loaded machine may run fewer, never many more.
jq_true "open loop runs at most its schedule" "$TMP/open.json" '.cells[0].ops > 0 and .cells[0].ops <= 210'

# The table shows what a load run is for: operations a second.
run_rb "$TMP/tab.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc,ser \
	--duration 0.5 --warmup 0 --quantity 1000000000
check "the load table has ops/s beside the percentiles" grep -q 'ops/s .*p50 .*p99' "$TMP/tab.txt"
check "... a number in every row" awk '/^pg /{ if ($(NF-3) !~ /^[0-9]+$/ && $(NF-4) !~ /^[0-9]+$/) bad=1 } END { exit bad }' "$TMP/tab.txt"

# A sweep: every cell at every point, keys outer, clients inner.
run_rb "$TMP/sw.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S none,atomic -i rc \
	-c 4,1 --keys 1,8 --duration 0.4 --warmup 0 --quantity 1000000000 \
	--format json,csv,table --out "$TMP/sw.json" --out "$TMP/sw.csv" --out "$TMP/sw.table"
check "a sweep over clients and keys exits 0" [ "$rb_rc" = 0 ]
jq_true "params.sweep lists the points, ascending" "$TMP/sw.json" \
	'.params.sweep == {"clients": [1, 4], "keys": [1, 8]}'
jq_true "every cell at every point (2 strategies x 4 points)" "$TMP/sw.json" \
	'[.cells[] | "\(.strategy) \(.clients) \(.keys)"] | unique | length == 8'
jq_true "series: a curve per cell, its four points" "$TMP/sw.json" \
	'(.series | length) == 2 and ([.series[].points | length] == [4, 4])
	 and ([.series[].points[] | .throughput > 0] | all)'
# One client has no one to race with: read-modify-write cannot lose an update.
jq_true "none with 1 client: never an anomaly, at every number of keys" "$TMP/sw.json" \
	'[.cells[] | select(.strategy == "none" and .clients == 1) | .anomalous_trials == 0] | (length == 2 and all)'
check "CSV: one row per point (8 and a head)" [ "$(wc -l <"$TMP/sw.csv")" = 9 ]
check "CSV: the point in the clients and keys columns" grep -q ',1,8,pg,coupon-oversell,none,' "$TMP/sw.csv"
check "table: clients and keys columns" grep -q '^db .*clients  keys' "$TMP/sw.table"
printf 'pg rc coupon-oversell atomic verdict == safe at clients=4 keys=8, throughput > 0 at clients=1\n' >"$TMP/sw.expect"
run_rb "$TMP/swc.txt" check "$TMP/sw.json" --expect "$TMP/sw.expect"
check "the gate bounds a point (at clients=4 keys=8): exit 0" [ "$rb_rc" = 0 ]
printf 'pg rc coupon-oversell atomic p99 < 1s at clients=64\n' >"$TMP/sw2.expect"
run_rb "$TMP/swc2.txt" check "$TMP/sw.json" --expect "$TMP/sw2.expect"
check "a point the sweep lacks: exit 1, the condition applies to no cell" \
	sh -c "[ $rb_rc = 1 ] && cat '$TMP/swc2.txt' '$TMP/swc2.txt.err' | grep -q 'applies to none'"
run_rb "$TMP/swr.txt" run -c 1,2
check "a list in race mode: exit 2" [ "$rb_rc" = 2 ]
run_rb "$TMP/swd.txt" load -c 2,2
check "a point given twice: exit 2" [ "$rb_rc" = 2 ]

run_rb "$TMP/bad.txt" run --duration 1
check "--duration in race mode is refused (exit 2)" [ "$rb_rc" = 2 ]
run_rb "$TMP/bad.txt" load --arrival poisson
check "--arrival without --rate is refused (exit 2)" [ "$rb_rc" = 2 ]
check "... and says why" grep -q 'needs --rate' "$TMP/bad.txt.err"

# A slow open loop ends at its deadline, and a signal ends it at once,
# however far off the next scheduled start is.
t0=$(date +%s%N)
run_rb "$TMP/slow.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc --rate 0.1 \
	--duration 1 --warmup 0 --format json --out "$TMP/slow.json"
ms=$((($(date +%s%N) - t0) / 1000000))
check "--rate 0.1 --duration 1 ends at its deadline (exit 0, ${ms} ms)" \
	sh -c "[ $rb_rc = 0 ] && [ $ms -lt 5000 ]"
jq_true "throughput is operations over the measured second" "$TMP/slow.json" \
	'.cells[0].ops == 1 and .cells[0].throughput == 1'
run_rb "$TMP/one.txt" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc --rate 1 \
	--ops 3 -c 1 --warmup 0 --format json --out "$TMP/one.json"
jq_true "--rate 1 --ops 3: 3 operations at 1 per second, not hundreds" "$TMP/one.json" \
	'.cells[0].ops == 3 and .cells[0].throughput > 0.9 and .cells[0].throughput < 1.1'
for sig in INT TERM; do
	"$RB" load --pg "$RACEBENCH_PG" -s coupon-oversell -S atomic -i rc --rate 0.001 \
		--duration 3600 --warmup 0 --format json --out "$TMP/sig.json" >/dev/null 2>&1 &
	bg=$!
	sleep 1.5
	t0=$(date +%s%N)
	kill -$sig $bg
	wait $bg
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	want=$([ $sig = INT ] && echo 130 || echo 143)
	check "--rate 0.001: SIG$sig during the wait ends the run (exit $rc, ${ms} ms)" \
		sh -c "[ $rc = $want ] && [ $ms -lt 2000 ]"
done
