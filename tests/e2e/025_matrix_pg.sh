# 025_matrix_pg.sh: every scenario on the throwaway PostgreSQL, checked
# against what PostgreSQL documents, read from the tool's JSON.
. "$(dirname "$0")/lib.sh"

out=$TMP/m.json
run_rb "$TMP/m.txt" run --pg "$RACEBENCH_PG" -S none,for-update-parent,advisory,atomic,serializable \
	-t 20 --format json --out "$out"
check "matrix run exits 0" [ "$rb_rc" = 0 ]
jq_true "every scenario ran" "$out" \
	'[.cells[].scenario] | unique == ["coupon-oversell","double-tap","double-transfer","duplicate-settlement","negative-balance"]'

for sc in double-tap duplicate-settlement negative-balance coupon-oversell double-transfer; do
	# READ COMMITTED: a fresh snapshot per statement; the read-decide-write
	# of `none` races in every scenario.
	jq_true "$sc rc none: anomalies in most of 20 trials" "$out" \
		"[$(cellf pg "$sc" none rc) | .anomalous_trials >= 15] == [true]"
	# A row lock on the parent (or an advisory lock on its key) taken first
	# serialises the operations; at rc each later statement sees the winner.
	for st in for-update-parent advisory; do
		jq_true "$sc rc $st: safe" "$out" \
			"[$(cellf pg "$sc" "$st" rc) | .anomalous_trials == 0 and .verdict == \"safe\"] == [true]"
	done
done
# One conditional statement (or upsert) leaves no window at any level;
# at rr/ser PostgreSQL may refuse it (40001), never let it through.
jq_true "atomic: no anomaly at any level, any scenario" "$out" \
	'[.cells[] | select(.strategy == "atomic") | .anomalous_trials == 0] | (length == 20 and all)'
# SERIALIZABLE with retries: SSI aborts every dangerous interleaving.
jq_true "serializable: never an anomaly" "$out" \
	'[.cells[] | select(.strategy == "serializable" and .verdict != "n/a") | .anomalous_trials == 0] | (length == 5 and all)'
jq_true "serializable runs at SERIALIZABLE and retries" "$out" \
	'[.cells[] | select(.strategy == "serializable" and .verdict != "n/a") | .effective_isolation == "ser" and .retries > 0] | all'
jq_true "serializable's other levels are n/a with a reason" "$out" \
	'[.cells[] | select(.strategy == "serializable" and .isolation != "ser") | .verdict == "n/a" and (.na_reason | test("SERIALIZABLE"))] | all'
# Figures are consistent with each other.
jq_true "ops = committed + declined + failed in every cell" "$out" \
	'[.cells[] | select(.verdict != "n/a") | .ops == .committed + .declined + .failed] | all'
jq_true "anomalous cells have anomalies, clean cells none" "$out" \
	'[.cells[] | select(.verdict != "n/a") | ((.anomalous_trials > 0) == (([.anomalies[]] | add) > 0))] | all'

# n/a cells say why.
run_rb "$TMP/na.txt" run --pg "$RACEBENCH_PG" -s negative-balance -S unique -t 1 --format json --out "$TMP/na.json"
jq_true "a strategy that does not fit is n/a with its reason" "$TMP/na.json" \
	'[.cells[] | .verdict == "n/a" and (.na_reason | length > 10)] | (length == 4 and all)'
