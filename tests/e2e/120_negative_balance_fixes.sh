# 120_negative_balance_fixes.sh: the fixes the negative-balance incident shipped (check-after) and wished
# for (constraint), on both databases.
. "$(dirname "$0")/lib.sh"

out=$TMP/s3.json
run_rb "$TMP/s3.txt" run --pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL" \
	-s negative-balance,coupon-oversell -S none,check-after,constraint -t 20 --format json --out "$out"
check "run exits 0" [ "$rb_rc" = 0 ]
for db in pg mysql; do
	jq_true "$db rc none: the balance goes negative (relative decrement, as in the incident)" "$out" \
		"[$(cellf $db negative-balance none rc) | .anomalous_trials >= 15 and .anomalies.negative_balance > 0 and .anomalies.overspend > 0] == [true]"
	jq_true "$db constraint: never a negative balance, at any level" "$out" \
		"[.cells[] | select(.db == \"$db\" and .scenario == \"negative-balance\" and .strategy == \"constraint\") | .anomalies.negative_balance == 0] | (length == 4 and all)"
	jq_true "$db rc constraint: the refusal is a check-violation that reached the user" "$out" \
		"[$(cellf $db negative-balance constraint rc) | .errors[\"check-violation\"] > 0 and .failures[\"check-violation\"] > 0 and .verdict == \"errors\"] == [true]"
	jq_true "$db rc check-after: no negative balance; rollbacks counted with their own reason" "$out" \
		"[$(cellf $db negative-balance check-after rc) | .anomalies.negative_balance == 0 and .failures[\"check-after\"] > 0] == [true]"
	jq_true "$db: both fixes run on coupon-oversell at all four levels" "$out" \
		"[.cells[] | select(.db == \"$db\" and .scenario == \"coupon-oversell\" and (.strategy == \"check-after\" or .strategy == \"constraint\")) | .verdict != \"n/a\"] | (length == 8 and all)"
done
run_rb "$TMP/na.txt" run --pg "$RACEBENCH_PG" -s double-tap,duplicate-settlement,double-transfer \
	-S check-after,constraint -t 1 --format json --out "$TMP/na.json"
jq_true "elsewhere check-after and constraint are n/a with a reason" "$TMP/na.json" \
	'[.cells[] | .verdict == "n/a" and (.na_reason | length > 10)] | (length == 24 and all)'
run_rb "$TMP/list.txt" list
check "list names both strategies" grep -q 'check-after' "$TMP/list.txt"
