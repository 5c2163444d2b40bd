# 170_redlock.sh: Redlock over three throwaway Redis masters (scripts/servers.sh
# redis-nodes, started here in $TMP), and --fault redlock-restart: a node of
# the holder's bare majority restarts while the lock is held. Without
# persistence the restarted node forgets the key and a second client is
# granted the same lock (two holders, and the race's anomaly); with
# RACEBENCH_REDIS_FSYNC=always (AOF, appendfsync always) it remembers.
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
servers=$root/scripts/servers.sh
nodes=$TMP/nodes fsync=$TMP/nodes-fsync pgdir=$TMP/pg
chmod 755 "$TMP" # the postgres user must reach its data directory
stop_all() {
	for d in "$nodes" "$fsync" "$pgdir"; do
		[ ! -d "$d" ] || bash "$servers" --dir "$d" stop >/dev/null 2>&1
	done
}
trap 'stop_all; rm -rf "$TMP"' EXIT

start() {	# dir what [env...]: starts, prints nothing; false on failure
	local d=$1 what=$2
	shift 2
	env "$@" bash "$servers" --dir "$d" start "$what" >"$d.out" 2>&1
}

if [ -z "${RACEBENCH_PG:-}" ]; then
	start "$pgdir" pg || { not_ok "throwaway PostgreSQL started: $(tail -n 3 "$pgdir.out")"; exit 0; }
	RACEBENCH_PG=$(cat "$pgdir/pg.dsn")
fi
check "3 Redis nodes without persistence started" start "$nodes" redis-nodes RACEBENCH_REDIS_NODES=3
check "3 Redis nodes with appendfsync always started" \
	start "$fsync" redis-nodes RACEBENCH_REDIS_NODES=3 RACEBENCH_REDIS_FSYNC=always
urls=$(cat "$nodes/redis-nodes.url" 2>/dev/null)
urls_fsync=$(cat "$fsync/redis-nodes.url" 2>/dev/null)
[ -n "$urls" ] && [ -n "$urls_fsync" ] || exit 0

redlock=$(cellf pg coupon-oversell redlock rc)
none=$(cellf pg coupon-oversell none rc)

# All nodes live: Redlock is a lock; the race without one still breaks.
run_rb "$TMP/live.json" run -d pg --pg "$RACEBENCH_PG" --redis "$urls" -s coupon-oversell \
	-S redlock,none -i rc -t 10 -f json -q
check "live nodes: run exits 0" [ "$rb_rc" = 0 ]
jq_true "live nodes: redlock never an anomaly, no two holders" "$TMP/live.json" \
	"[$redlock | .anomalous_trials == 0 and .trials == 10 and .lock.two_holders == 0
	  and .lock.acquire_timeouts == 0] | length == 1 and all"
jq_true "live nodes: none has anomalies" "$TMP/live.json" \
	"[$none | .anomalous_trials >= 5] | length == 1 and all"
jq_true "the report lists the three URLs and the node count" "$TMP/live.json" \
	"[.servers[] | select(.db == \"redis\")] | length == 1 and .[0].dsn == \"$urls\"
	 and (.[0].settings.nodes | startswith(\"3\")) and .[0].settings.appendonly == \"no\""
if command -v redis-cli >/dev/null; then
	left=0
	for u in ${urls//,/ }; do
		[ -z "$(redis-cli -u "$u" --scan --pattern 'racebench:*' 2>&1)" ] || left=1
	done
	check "no racebench keys left on any node" [ "$left" = 0 ]
fi

# The fault without persistence: node 2 forgets the holder's key.
t0=$SECONDS
run_rb "$TMP/fault.json" run -d pg --pg "$RACEBENCH_PG" --redis "$urls" -s coupon-oversell \
	-S redlock -i rc -t 6 --think 100 --fault redlock-restart --nodes-dir "$nodes" -f json -q
echo "# fault without persistence: $((SECONDS - t0)) s;" \
	"$(jq -c "$redlock | {anomalous_trials, anomalies, lock: (.lock | del(.acquire_wait_us))}" "$TMP/fault.json" 2>&1)"
check "fault, no persistence: run exits 0" [ "$rb_rc" = 0 ]
jq_true "fault, no persistence: two holders and anomalies in most trials" "$TMP/fault.json" \
	"[$redlock | .anomalous_trials >= 4 and .lock.two_holders >= 4 and .lock.leases_expired > 0]
	 | length == 1 and all"
check "fault, no persistence: every node runs again afterwards" \
	test "$(bash "$servers" --dir "$nodes" status 2>/dev/null | grep -c '^Redis node [123]: running')" = 3

# The same fault with appendfsync always: the restarted node remembers.
t0=$SECONDS
run_rb "$TMP/fsync.json" run -d pg --pg "$RACEBENCH_PG" --redis "$urls_fsync" -s coupon-oversell \
	-S redlock -i rc -t 6 --think 100 --fault redlock-restart --nodes-dir "$fsync" -f json -q
echo "# fault with appendfsync always: $((SECONDS - t0)) s;" \
	"$(jq -c "$redlock | {anomalous_trials, anomalies, lock: (.lock | del(.acquire_wait_us))}" "$TMP/fsync.json" 2>&1)"
check "fault, appendfsync always: run exits 0" [ "$rb_rc" = 0 ]
jq_true "fault, appendfsync always: never two holders, never an anomaly" "$TMP/fsync.json" \
	"[$redlock | .anomalous_trials == 0 and .trials == 6 and .lock.two_holders == 0]
	 | length == 1 and all"
jq_true "fault, appendfsync always: the report says so" "$TMP/fsync.json" \
	'[.servers[] | select(.db == "redis") | .settings.appendfsync == "always"] == [true]'

# Bad input: a bad second URL names itself, never its password.
run_rb "$TMP/bad" run -d pg --pg "$RACEBENCH_PG" -S redlock \
	--redis "${urls%%,*},redis://:topsecret@127.0.0.1:notaport" -t 1
check "a bad second URL: exit 2" [ "$rb_rc" = 2 ]
check "a bad second URL: named, without its password" \
	grep -q "URL 2 of 2: bad Redis URL 'redis://:\*\*\*@127.0.0.1:notaport'" "$TMP/bad.err"
check "a bad second URL: the password is not shown" bash -c "! grep -q topsecret '$TMP/bad' '$TMP/bad.err'"
# The fault touches only the nodes its directory lists.
run_rb "$TMP/other" run -d pg --pg "$RACEBENCH_PG" --redis "$urls" -S redlock -t 1 \
	--fault redlock-restart --nodes-dir "$fsync"
check "--fault with another directory's nodes: exit 2" [ "$rb_rc" = 2 ]
check "--fault with another directory's nodes: says why" grep -q "not the nodes listed" "$TMP/other.err"
run_rb "$TMP/nodir" run -d pg --pg "$RACEBENCH_PG" --redis "$urls" -S redlock -t 1 \
	--fault redlock-restart --nodes-dir "$TMP"
check "--fault with a directory without nodes: exit 2" [ "$rb_rc" = 2 ]

# Everything stopped: every pid the nodes have now is gone afterwards.
pids=$(cat "$nodes"/redis-nodes/node*/pid "$fsync"/redis-nodes/node*/pid 2>/dev/null)
stop_all
alive=0
for p in $pids; do
	if [ -r "/proc/$p/stat" ] && [ "$(sed 's/^.*) //' "/proc/$p/stat" | cut -d' ' -f1)" != Z ]; then
		alive=1
	fi
done
check "all nodes stopped ($(echo $pids | wc -w) pids), their directories removed" \
	bash -c "[ $alive = 0 ] && [ ! -d '$nodes' ] && [ ! -d '$fsync' ] && [ ! -d '$pgdir' ]"
