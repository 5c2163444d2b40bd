# 020_double_tap_pg.sh: the double tap on the throwaway PostgreSQL, read from JSON.
. "$(dirname "$0")/lib.sh"

out=$TMP/dt.json
run_rb "$TMP/dt.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none,for-update-parent,atomic \
	-i rc -t 20 -c 8 --format json --out "$out"
check "run exits 0" [ "$rb_rc" = 0 ]
jq_true "JSON written, with cells" "$out" "(.cells | length) == 3"
jq_true "the report names PostgreSQL and its version" "$out" \
	'.servers[0].product == "PostgreSQL" and (.servers[0].version | startswith("15"))'

none=$(cellf pg double-tap none rc)
fup=$(cellf pg double-tap for-update-parent rc)
atomic=$(cellf pg double-tap atomic rc)
# READ COMMITTED gives each statement a fresh snapshot: taps that all read
# "no row" before anyone commits all insert.
jq_true "rc none: duplicates in most of 20 trials" "$out" "[$none | .anomalous_trials >= 15] | all"
jq_true "rc none: duplicates counted" "$out" "[$none | .anomalies.duplicates > 0] | all"
jq_true "rc none: verdict anomaly" "$out" "[$none | .verdict == \"anomaly\"] | all"
# Locking the account row first serialises the taps: never a second row.
jq_true "rc for-update-parent: no anomaly in any trial" "$out" \
	"[$fup | .anomalous_trials == 0 and .anomalies.duplicates == 0 and .anomalies.lost_updates == 0] | all"
jq_true "rc for-update-parent: every tap committed" "$out" "[$fup | .committed == .ops] | all"
jq_true "rc atomic (upsert): no anomaly" "$out" "[$atomic | .anomalous_trials == 0] | all"
jq_true "latency figures present and ordered" "$out" \
	"[.cells[] | .latency_us | .p50 > 0 and .p50 <= .p99 and .p99 <= .max] | all"

# The table is the same run for people.
run_rb "$TMP/t.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 3 --no-color
check "table has a row per cell" grep -qE '^pg +double-tap +none +rc +3 ' "$TMP/t.txt"
check "table is plain when piped" sh -c "! grep -q \$'\\033' '$TMP/t.txt'"
