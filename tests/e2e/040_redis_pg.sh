# 040_redis_pg.sh: the Redis lock strategies on the throwaway PostgreSQL and Redis, read from JSON.
. "$(dirname "$0")/lib.sh"

out=$TMP/redis.json
run_rb "$TMP/redis.txt" run --pg "$RACEBENCH_PG" --redis "$RACEBENCH_REDIS" -s double-tap \
	-S redis-narrow,redis-wide,redis-late,redis-expiry,redis-expiry-fenced -i rc,rr \
	-t 20 -c 8 --format json --out "$out"
check "run exits 0" [ "$rb_rc" = 0 ]
jq_true "JSON written, with 10 cells" "$out" "(.cells | length) == 10"
jq_true "the report names the Redis server, its version and its URL" "$out" \
	'[.servers[] | select(.db == "redis")] | length == 1 and .[0].product == "Redis"
	 and (.[0].version | startswith("7")) and .[0].throwaway == false
	 and .[0].dsn == env.RACEBENCH_REDIS and (.[0].settings | has("maxmemory-policy"))'
jq_true "the database is still servers[0]" "$out" '.servers[0].db == "pg"'

narrow_rc=$(cellf pg double-tap redis-narrow rc)
wide_rc=$(cellf pg double-tap redis-wide rc)
wide_rr=$(cellf pg double-tap redis-wide rr)
late_rc=$(cellf pg double-tap redis-late rc)
late_rr=$(cellf pg double-tap redis-late rr)
exp_rc=$(cellf pg double-tap redis-expiry rc)
fenced=".cells[] | select(.strategy == \"redis-expiry-fenced\")"

# Seeds 002 and 004: unlocked before COMMIT, the next tap gets the lock while
# the first tap's row is still uncommitted, finds nothing and inserts again.
jq_true "rc redis-narrow: duplicates in most of 20 trials" "$out" \
	"[$narrow_rc | .anomalous_trials >= 15 and .anomalies.duplicates > 0] | all"
# Seed 000: the REPEATABLE READ snapshot was taken by the first read, before
# the lock; waiting for the lock does not make the first tap's row visible.
jq_true "rr redis-late: duplicates in most of 20 trials" "$out" \
	"[$late_rr | .anomalous_trials >= 15 and .anomalies.duplicates > 0] | all"
# The same late lock at READ COMMITTED: every statement reads afresh.
jq_true "rc redis-late: never an anomaly" "$out" "[$late_rc | .anomalous_trials == 0] | all"
# Seed 004's facade fix: locked before BEGIN, unlocked after COMMIT.
jq_true "rc and rr redis-wide: never an anomaly, every tap committed" "$out" \
	"[($wide_rc), ($wide_rr) | .anomalous_trials == 0 and .committed == .ops] | all"
jq_true "rc redis-wide: clients waited for the lock, none timed out, no lease expired" "$out" \
	"[$wide_rc | .lock.acquire_wait_us.max >= 1000 and .lock.acquire_timeouts == 0
	  and .lock.leases_expired == 0] | all"
# A 1 ms lease under 2 ms of work: the lock lapses while held.
jq_true "rc redis-expiry: duplicates in most of 20 trials" "$out" \
	"[$exp_rc | .anomalous_trials >= 15] | all"
jq_true "rc redis-expiry: leases expired while held" "$out" "[$exp_rc | .lock.leases_expired > 0] | all"
# The same lapsing lock, but the first write refuses an older fencing token.
jq_true "redis-expiry-fenced: never an anomaly (rc, rr)" "$out" \
	"[$fenced | .anomalous_trials == 0] | length == 2 and all"
jq_true "lock figures in every cell" "$out" \
	'[.cells[] | .lock | (.acquire_wait_us.count > 0) and (.acquire_wait_us.p50 <= .acquire_wait_us.max)
	  and (.acquire_timeouts | type == "number") and (.leases_expired | type == "number")] | all'
if command -v redis-cli >/dev/null; then
	check "no racebench keys left in Redis" \
		test -z "$(redis-cli -u "$RACEBENCH_REDIS" --scan --pattern 'racebench:*' 2>&1)"
fi

# A lock wait shorter than the holder's work: time-outs, counted as such.
run_rb "$TMP/w.json" run --pg "$RACEBENCH_PG" --redis "$RACEBENCH_REDIS" -S redis-wide -i rc \
	-t 5 --lock-wait 1 --format json
check "--lock-wait 1: run exits 0" [ "$rb_rc" = 0 ]
jq_true "--lock-wait 1: acquire time-outs reach users as lock-acquire failures" "$TMP/w.json" \
	'[.cells[] | .lock.acquire_timeouts > 0 and .failures["lock-acquire"] == .lock.acquire_timeouts
	  and .anomalous_trials == 0 and .verdict == "errors"] | all'

# A Unix socket and a database number.
sock=${RACEBENCH_SERVERS_DIR:-}/redis/sock
if [ -S "$sock" ]; then
	run_rb "$TMP/u.json" run --pg "$RACEBENCH_PG" --redis "unix://$sock?db=1" -S redis-wide -i rc \
		-t 2 --format json
	check "unix:// URL: run exits 0" [ "$rb_rc" = 0 ]
	jq_true "unix:// URL: the cell ran, the URL is reported" "$TMP/u.json" \
		".cells[0].verdict == \"safe\" and .servers[1].dsn == \"unix://$sock?db=1\""
fi

# No --redis and no RACEBENCH_REDIS: a throwaway Redis of its own.
env -u RACEBENCH_REDIS "$RB" run --pg "$RACEBENCH_PG" -S redis-wide -i rc -t 2 --format json \
	>"$TMP/t.json" 2>"$TMP/t.err"
check "throwaway Redis: run exits 0" [ "$?" = 0 ]
jq_true "throwaway Redis: reported as throwaway" "$TMP/t.json" \
	'.servers[1].db == "redis" and .servers[1].throwaway == true and .cells[0].verdict == "safe"'

# Bad URLs are usage errors (2) and say what is wrong; an unreachable
# server is an infrastructure error (3); neither shows the password.
run_rb "$TMP/b.txt" run --pg "$RACEBENCH_PG" --redis "redis://:hunter2@127.0.0.1:99999" -S redis-wide
check "bad port: exit 2" [ "$rb_rc" = 2 ]
check "bad port: the message names it" grep -q "the port '99999' is not a number from 1 to 65535" "$TMP/b.txt.err"
check "bad port: the password is not shown" sh -c "! grep -q hunter2 '$TMP/b.txt.err'"
run_rb "$TMP/b.txt" run --pg "$RACEBENCH_PG" --redis "redis://h/x" -S redis-wide
check "bad database: exit 2 and a message" \
	sh -c "[ $rb_rc = 2 ] && grep -q \"database 'x' is not a number\" '$TMP/b.txt.err'"
RACEBENCH_REDIS="redis://h:1:2" run_rb "$TMP/b.txt" run --pg "$RACEBENCH_PG" -S redis-wide
check "bad RACEBENCH_REDIS: exit 2, named" \
	sh -c "[ $rb_rc = 2 ] && grep -q '^racebench: RACEBENCH_REDIS: bad Redis URL' '$TMP/b.txt.err'"
run_rb "$TMP/b.txt" run --pg "$RACEBENCH_PG" --redis "redis://:hunter2@127.0.0.1:1" -S redis-wide
check "unreachable Redis: exit 3" [ "$rb_rc" = 3 ]
check "unreachable Redis: says so, without the password" \
	sh -c "grep -q 'redis (redis://:\*\*\*@127.0.0.1:1): .*connecting' '$TMP/b.txt.err' &&
	       ! grep -q hunter2 '$TMP/b.txt.err'"

# The clean-up deletes only the keys racebench made (locks and fencing
# counters of its shape), never another key under the same prefix.
rport=${RACEBENCH_REDIS##*:}
redis-cli -p "$rport" SET racebench:rb_keys:mydata "user data" >/dev/null
redis-cli -p "$rport" SET racebench:rb_keys:lock:notours "hello" >/dev/null
redis-cli -p "$rport" SET racebench:rb_keys:fence:notours "x1" >/dev/null
run_rb "$TMP/keys.txt" run --pg "$RACEBENCH_PG" --redis "$RACEBENCH_REDIS" -s coupon-oversell \
	-S redis-wide,redis-expiry-fenced -i rc -t 2 --schema rb_keys
check "a run with a user's keys under its prefix exits 0" [ "$rb_rc" = 0 ]
check "the user's keys are still there, racebench's are gone" [ "$(redis-cli -p "$rport" --scan \
	--pattern 'racebench:rb_keys:*' | sort | tr '\n' ' ')" = \
	"racebench:rb_keys:fence:notours racebench:rb_keys:lock:notours racebench:rb_keys:mydata " ]
redis-cli -p "$rport" DEL racebench:rb_keys:mydata racebench:rb_keys:lock:notours \
	racebench:rb_keys:fence:notours >/dev/null
