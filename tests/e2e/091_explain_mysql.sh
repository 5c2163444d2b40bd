# 091_explain_mysql.sh: racebench explain on the throwaway MariaDB: the same
# assertions as 090 (every race reproduces every time at READ COMMITTED,
# for-update-parent blocks and holds, the output repeats byte for byte).
EXPLAIN_DB=mysql . "$(dirname "$0")/090_explain_pg.sh"

# InnoDB's gap locks: two locking reads of a missing row both succeed, then
# their inserts deadlock; one is rolled back and the tap is not duplicated.
"$RB" explain double-tap --mysql "$RACEBENCH_MYSQL" -S for-update -i rr --format json >"$TMP/g.json"
jq_true "mysql double-tap for-update rr: A waits, B's insert is the deadlock victim (1213)" "$TMP/g.json" \
	'.verdict == "safe" and ([.events[] | select(.kind == "waiting" and .session == "A")] | length) == 1
	 and ([.events[] | select(.error.class == "deadlock" and .error.code == "1213")] | length) == 1'
# GET_LOCK is taken before BEGIN and shows as a wait in the process list.
"$RB" explain coupon-oversell --mysql "$RACEBENCH_MYSQL" -S advisory --format json >"$TMP/a.json"
jq_true "mysql advisory: B waits at GET_LOCK until A's RELEASE_LOCK" "$TMP/a.json" \
	'.verdict == "safe" and ([.events[] | select(.kind == "waiting" and .lock == "advisory")] | length) == 1
	 and (.events[[.events[] | select(.kind == "completed")][0].released_by].sql | startswith("RELEASE_LOCK"))'
