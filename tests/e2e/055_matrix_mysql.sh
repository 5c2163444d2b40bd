# 055_matrix_mysql.sh: every scenario on the throwaway MariaDB, checked
# against what InnoDB documents, read from the tool's JSON.
. "$(dirname "$0")/lib.sh"

out=$TMP/my.json
run_rb "$TMP/my.txt" run --mysql "$RACEBENCH_MYSQL" -S none,for-update-parent,atomic,serializable \
	-t 20 --format json --out "$out"
check "MariaDB matrix exits 0" [ "$rb_rc" = 0 ]
jq_true "the report names MariaDB" "$out" '.servers[0].product == "MariaDB"'
for sc in double-tap duplicate-settlement negative-balance coupon-oversell double-transfer; do
	jq_true "$sc rc none: anomalies in most of 20 trials" "$out" \
		"[$(cellf mysql "$sc" none rc) | .anomalous_trials >= 15] == [true]"
done
# A locking read of the latest parent row, and a consistent snapshot that
# starts at the first plain read (after the lock): safe at every level.
jq_true "for-update-parent: safe at every level, every scenario" "$out" \
	'[.cells[] | select(.strategy == "for-update-parent") | .anomalous_trials == 0] | (length == 20 and all)'
# InnoDB's REPEATABLE READ lets the read-modify-write through (PostgreSQL
# aborts it with 40001): the UPDATE writes over a newer committed value.
jq_true "coupon-oversell rr none: lost updates in most of 20 trials" "$out" \
	"[$(cellf mysql coupon-oversell none rr) | .anomalous_trials >= 15 and .anomalies.lost_updates > 0] == [true]"
jq_true "atomic: no anomaly at any level, any scenario" "$out" \
	'[.cells[] | select(.strategy == "atomic") | .anomalous_trials == 0] | (length == 20 and all)'
jq_true "serializable (deadlock retries): never an anomaly" "$out" \
	'[.cells[] | select(.strategy == "serializable" and .verdict != "n/a") | .anomalous_trials == 0 and .effective_isolation == "ser"] | (length == 5 and all)'
jq_true "InnoDB SERIALIZABLE fails by deadlock, not by serialization error" "$out" \
	'[.cells[] | select(.strategy == "serializable" and .verdict != "n/a") | .errors.deadlock > 0] | any'

# Both databases at once, side by side (what `make demo` runs).
run_rb "$TMP/both.txt" run --pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL" -s coupon-oversell \
	-S none,atomic -i rc -t 3 --format json --out "$TMP/both.json"
jq_true "--pg and --mysql together run both" "$TMP/both.json" \
	'([.cells[].db] | unique) == ["mysql","pg"] and ([.servers[].product] | sort) == ["MariaDB","PostgreSQL"]'
