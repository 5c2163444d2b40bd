# 130_topologies_script.sh: scripts/servers.sh's throwaway topologies (a
# 3-node Galera cluster, a PostgreSQL primary with a streaming standby, three
# independent Redis masters) and its node control (kill, restart, pause,
# resume, isolate, heal), on servers of this test's own in $TMP. At the end
# `stop` must leave no process it started (by the pids recorded here) and no
# nft table. Takes about a minute, most of it Galera's state transfers and
# its 5 s failure detection.
# sanitizers: skip, it tests scripts/servers.sh, not racebench
. "$(dirname "$0")/lib.sh"

servers=$(cd "$(dirname "$0")/../.." && pwd)/scripts/servers.sh
dir=$TMP/topo
chmod 755 "$TMP"	# mysql and postgres must reach their data directories
trap 'bash "$servers" --dir "$dir" stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT
srv() { bash "$servers" --dir "$dir" "$@" 2>>"$TMP/servers.log"; }

# Every pid a node of ours has had; checked at the end.
pids=()
record_pids() {
	local f
	for f in "$dir"/galera/node*/pid "$dir"/pg-replica/*/pid "$dir"/redis-nodes/node*/pid \
		"$TMP"/fsync/redis-nodes/node*/pid; do
		[ -s "$f" ] && pids+=("$(cat "$f")")
	done
}
alive() {	# pid: true while it runs (a zombie counts as gone)
	[ -r "/proc/$1/stat" ] && [ "$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" != Z ]
}
# until SECONDS CMD...: true as soon as CMD succeeds, false after SECONDS.
until_ok() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
# fails_with PATTERN CMD...: true when CMD fails with PATTERN in its output.
fails_with() {
	local pat=$1 out
	shift
	out=$("$@" 2>&1) && return 1
	grep -q -- "$pat" <<<"$out"
}

# --- Galera
gq() {	# node SQL
	local url
	url=$(cut -d, -f"$1" <<<"$RACEBENCH_GALERA")
	mariadb --no-defaults --socket="${url##*socket=}" -uracebench -N -B -e "$2"
}
gvar() { gq "$1" "SELECT variable_value FROM information_schema.global_status WHERE variable_name = '$2'"; }
size_is() { [ "$(gvar "$1" wsrep_cluster_size)" = "$2" ]; }
synced3() { size_is 1 3 && size_is 3 3 && [ "$(gvar 3 wsrep_ready)" = ON ]; }
all_ready3() {
	local n
	for n in 1 2 3; do
		size_is "$n" 3 && [ "$(gvar "$n" wsrep_ready)" = ON ] || return 1
	done
}

t0=$(date +%s%N)
if env_out=$(srv start galera) && eval "$env_out"; then
	ok "galera: started in $(ms_since "$t0") ms"
	record_pids
	check "galera: env exports three URLs" [ "$(tr , '\n' <<<"${RACEBENCH_GALERA:-}" | grep -c '^mysql://racebench@localhost:')" = 3 ]
	check "galera: every node in a cluster of 3, ready" all_ready3
	gq 1 "CREATE DATABASE rb_topo; CREATE TABLE rb_topo.t (id INT PRIMARY KEY, v TEXT);
		INSERT INTO rb_topo.t VALUES (1, 'from node 1')"
	# Galera applies write sets asynchronously on the other nodes: a read that
	# must see them waits with wsrep_sync_wait.
	check "galera: a row written on node 1 is read on node 3" \
		[ "$(gq 3 "SET SESSION wsrep_sync_wait = 1; SELECT v FROM rb_topo.t WHERE id = 1")" = "from node 1" ]

	srv node galera 3 kill
	check "galera: node 3 killed, node 1 sees a cluster of 2" until_ok 20 size_is 1 2
	gq 1 "INSERT INTO rb_topo.t VALUES (2, 'while node 3 was down')"
	t0=$(date +%s%N)
	if srv node galera 3 restart; then
		ok "galera: node 3 restarted and synced in $(ms_since "$t0") ms ($(grep 'Galera node 3 rejoined' "$TMP/servers.log" | tail -n1 | sed 's/.*by \([A-Z]*\).*/\1/'))"
	else
		not_ok "galera: node 3 restart"
	fi
	record_pids
	check "galera: node 3 back, cluster of 3" until_ok 20 synced3
	check "galera: node 3 has the row written while it was down" \
		[ "$(gq 3 "SET SESSION wsrep_sync_wait = 1; SELECT v FROM rb_topo.t WHERE id = 2")" = "while node 3 was down" ]

	t0=$(date +%s%N)
	check "galera: node 3 isolated" srv node galera 3 isolate
	echo "# partition by $(cut -d' ' -f1 "$dir/galera/node3/isolated" 2>/dev/null)"
	check "galera: nodes 1 and 2 go on as a cluster of 2" until_ok 30 size_is 1 2
	ok "galera: the partition took $(ms_since "$t0") ms to be seen"
	check "galera: node 3 is non-Primary" until_ok 10 eval '[ "$(gvar 3 wsrep_cluster_status)" = non-Primary ]'
	check "galera: node 3 refuses a write (1047 WSREP has not yet prepared node)" \
		fails_with 1047 gq 3 "INSERT INTO rb_topo.t VALUES (3, 'minority')"
	check "galera: status shows node 3 isolated" eval 'srv status | grep -q "Galera node 3: running.*isolated"'
	t0=$(date +%s%N)
	check "galera: node 3 healed" srv node galera 3 heal
	check "galera: healed, cluster of 3 again" until_ok 40 synced3
	ok "galera: healing took $(ms_since "$t0") ms"
else
	not_ok "galera: start ($(tail -n 3 "$TMP/servers.log" | tr '\n' ' '))"
fi

# --- pg-replica
t0=$(date +%s%N)
if env_out=$(srv start pg-replica) && eval "$env_out"; then
	ok "pg-replica: started in $(ms_since "$t0") ms"
	record_pids
	pq() { psql "$RACEBENCH_PG_PRIMARY" -X -q -t -A -v ON_ERROR_STOP=1 -c "$@"; }
	rq() { psql "$RACEBENCH_PG_REPLICA" -X -q -t -A -v ON_ERROR_STOP=1 -c "$@"; }
	check "pg-replica: the standby streams, as the synchronous standby" \
		[ "$(pq "SELECT state || ' ' || sync_state FROM pg_stat_replication")" = "streaming sync" ]
	check "pg-replica: synchronous_commit is local by default" [ "$(pq "SHOW synchronous_commit")" = local ]
	check "pg-replica: the replica is in recovery" [ "$(rq "SELECT pg_is_in_recovery()")" = t ]
	pq "CREATE TABLE rb_topo (id int PRIMARY KEY)"
	psql "$RACEBENCH_PG_PRIMARY" -X -q -v ON_ERROR_STOP=1 \
		-c "SET synchronous_commit = remote_apply" -c "INSERT INTO rb_topo VALUES (1)"
	check "pg-replica: a remote_apply commit is visible on the replica at once" \
		[ "$(rq "SELECT count(*) FROM rb_topo WHERE id = 1")" = 1 ]
	check "pg-replica: the replica refuses writes" \
		fails_with "read-only transaction" rq "INSERT INTO rb_topo VALUES (2)"
	srv node pg-replica 2 kill
	pq "INSERT INTO rb_topo VALUES (3)"	# local: does not wait for the dead standby
	check "pg-replica: standby restarted after a kill" srv node pg-replica 2 restart
	record_pids
	check "pg-replica: it streams again and has the row written while it was down" \
		until_ok 10 eval '[ "$(rq "SELECT count(*) FROM rb_topo WHERE id = 3")" = 1 ]'
else
	not_ok "pg-replica: start ($(tail -n 3 "$TMP/servers.log" | tr '\n' ' '))"
fi

# --- redis-nodes
t0=$(date +%s%N)
if env_out=$(RACEBENCH_REDIS_NODES=3 srv start redis-nodes) && eval "$env_out"; then
	ok "redis-nodes: started in $(ms_since "$t0") ms"
	record_pids
	IFS=, read -r -a urls <<<"$RACEBENCH_REDIS_NODES"
	check "redis-nodes: env exports 3 URLs" [ ${#urls[@]} = 3 ]
	pongs=0
	for u in "${urls[@]}"; do [ "$(timeout 5 redis-cli -u "$u" PING)" != PONG ] || pongs=$((pongs + 1)); done
	check "redis-nodes: 3 PINGs, 3 PONGs" [ "$pongs" = 3 ]
	redis-cli -u "${urls[1]}" SET rb_topo 1 >/dev/null
	srv node redis-nodes 2 kill
	check "redis-nodes: node 2 killed, PING fails" eval '! timeout 5 redis-cli -u "${urls[1]}" PING >/dev/null 2>&1'
	check "redis-nodes: node 2 restarted" srv node redis-nodes 2 restart
	record_pids
	check "redis-nodes: node 2 answers, and came back empty (no persistence)" \
		eval '[ "$(redis-cli -u "${urls[1]}" PING)" = PONG ] && [ -z "$(redis-cli -u "${urls[1]}" GET rb_topo)" ]'
	srv node redis-nodes 1 pause
	check "redis-nodes: node 1 paused, PING times out" eval '! timeout 1 redis-cli -u "${urls[0]}" PING >/dev/null 2>&1'
	srv node redis-nodes 1 resume
	check "redis-nodes: node 1 resumed, PONG" [ "$(timeout 5 redis-cli -u "${urls[0]}" PING)" = PONG ]
	# Left isolated on purpose: `stop` must remove the rule.
	if command -v nft >/dev/null && [ "${RACEBENCH_PARTITION:-auto}" != gmcast ] &&
		srv node redis-nodes 3 isolate; then
		check "redis-nodes: node 3 isolated, PING times out" eval '! timeout 1 redis-cli -u "${urls[2]}" PING >/dev/null 2>&1'
	else
		ok "redis-nodes: node 3 isolate # SKIP needs nft"
	fi
else
	not_ok "redis-nodes: start ($(tail -n 3 "$TMP/servers.log" | tr '\n' ' '))"
fi

# A second set, with AOF and appendfsync always: a restart keeps the data.
if env_out=$(RACEBENCH_REDIS_NODES=1 RACEBENCH_REDIS_FSYNC=always \
	bash "$servers" --dir "$TMP/fsync" start redis-nodes 2>>"$TMP/servers.log"); then
	record_pids
	u=${env_out#*=\'}
	u=${u%\'}
	check "redis-nodes fsync: appendfsync always" \
		[ "$(redis-cli -u "$u" CONFIG GET appendfsync | tail -n1)" = always ]
	redis-cli -u "$u" SET rb_topo kept >/dev/null
	bash "$servers" --dir "$TMP/fsync" node redis-nodes 1 kill 2>>"$TMP/servers.log"
	bash "$servers" --dir "$TMP/fsync" node redis-nodes 1 restart 2>>"$TMP/servers.log"
	record_pids
	check "redis-nodes fsync: a killed node comes back with its data" [ "$(redis-cli -u "$u" GET rb_topo)" = kept ]
	check "redis-nodes fsync: stop" bash "$servers" --dir "$TMP/fsync" stop 2>>"$TMP/servers.log"
else
	not_ok "redis-nodes fsync: start"
fi

check "node: an index out of range is refused" eval '! srv node galera 4 kill'

# --- stop: nothing of ours is left.
check "status: every node of the three topologies listed" \
	[ "$(srv status | grep -cE '^(Galera node|PostgreSQL primary|PostgreSQL standby|Redis node)')" = 8 ]
prefix="racebench_$(printf '%s' "$dir" | cksum | cut -d' ' -f1)_"
t0=$(date +%s%N)
check "stop" srv stop
ok "stop took $(ms_since "$t0") ms"
left=()
for p in "${pids[@]}"; do
	until_ok 5 eval "! alive $p" || left+=("$p")
done
check "stop: none of the ${#pids[@]} pids recorded is alive${left[*]:+ (left: ${left[*]})}" [ ${#left[@]} = 0 ]
check "stop: DIR removed" [ ! -e "$dir" ]
if command -v nft >/dev/null; then
	no_table() { ! nft list tables 2>/dev/null | grep -q "$prefix"; }
	check "stop: no nft table of ours left" no_table
fi
