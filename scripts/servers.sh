#!/usr/bin/env bash
# servers.sh: throwaway PostgreSQL, MariaDB and Redis servers for racebench.
#
# usage: scripts/servers.sh [--dir DIR] start [pg] [mysql] [redis]
#                                     [galera] [pg-replica] [redis-nodes]
#        scripts/servers.sh [--dir DIR] stop | status | env
#        scripts/servers.sh [--dir DIR] node TOPOLOGY INDEX ACTION
#
# Each server lives in DIR (default $RACEBENCH_SERVERS_DIR, else
# ${TMPDIR:-/tmp}/racebench-servers-UID), listens on 127.0.0.1 and a Unix
# socket in DIR, on a free port the script picks away from the usual
# defaults, and is stopped by the pid it wrote, never by name. `start` with
# no product starts pg, mysql and redis; it prints the connection strings,
# which are also kept in DIR/pg.dsn, DIR/mysql.dsn and DIR/redis.dsn. `env`
# prints them as shell exports (eval "$(scripts/servers.sh env)"); racebench
# reads RACEBENCH_PG, RACEBENCH_MYSQL and RACEBENCH_REDIS. `stop` stops what
# runs and removes DIR.
#
# Topologies, started only when named: `galera` (3 MariaDB Galera nodes,
# DIR/galera.dsn, RACEBENCH_GALERA: three URLs, comma-separated),
# `pg-replica` (a primary and a streaming hot standby, DIR/pg-primary.dsn and
# DIR/pg-replica.dsn, RACEBENCH_PG_PRIMARY and RACEBENCH_PG_REPLICA; the
# standby's recovery_min_apply_delay is $RACEBENCH_REPLICA_DELAY_MS, default
# 0) and `redis-nodes` ($RACEBENCH_REDIS_NODES independent masters, default
# 3, with AOF and appendfsync always when RACEBENCH_REDIS_FSYNC=always;
# DIR/redis-nodes.url, RACEBENCH_REDIS_NODES: the URLs, comma-separated).
# `node` acts on one node of a topology (INDEX from 1; pg-replica: 1 is the
# primary, 2 the standby): kill (SIGKILL), pause (SIGSTOP), resume (SIGCONT),
# restart (start it again from DIR/.../cmdline, stopping it first if it
# runs), isolate (drop its traffic on lo with nft: Galera gcomm/IST/SST, the
# primary's port for pg-replica, the node's port for redis-nodes; Galera
# falls back to gmcast.isolate without nft) and heal. `stop` heals first.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
dir=${RACEBENCH_SERVERS_DIR:-${TMPDIR:-/tmp}/racebench-servers-$(id -u)}

die() { echo "servers.sh: $*" >&2; exit 1; }
usage() { sed -n '2,32s/^# \{0,1\}//p' "$0"; }

# A port nobody listens on, from base upwards.
free_port() {
	local p=$1
	while [ "$p" -lt $(($1 + 200)) ]; do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
		p=$((p + 1))
	done
	die "no free port from $1"
}

# pid from a pid file, if that process is alive (a zombie counts as gone).
live_pid() {
	local f=$1 pid state
	[ -s "$f" ] || return 1
	pid=$(head -n1 "$f" | tr -dc 0-9)
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
	[ "$state" != Z ] || return 1
	echo "$pid"
}

stop_pid() {	# pidfile signal name
	local pid i
	pid=$(live_pid "$1") || return 0
	# A server someone froze (SIGSTOP, it and its children) cannot act on a
	# signal until it runs again.
	kill -CONT "$pid" $(pgrep -P "$pid" 2>/dev/null) 2>/dev/null || true
	kill "-$2" "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		live_pid "$1" >/dev/null || { echo "servers.sh: stopped $3 (pid $pid)" >&2; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	echo "servers.sh: killed $3 (pid $pid)" >&2
}

as_pg() {	# run as the postgres user when we are root
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_pg() {
	local d=$dir/pg port try
	[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 not found in $PGBIN (run scripts/deps.sh)"
	if live_pid "$d/data/postmaster.pid" >/dev/null; then return 0; fi
	rm -rf "$d" && mkdir -p "$d/sock"
	[ "$(id -u)" -ne 0 ] || chown -R postgres "$d"
	as_pg "$PGBIN/initdb" -D "$d/data" -A trust -U postgres -E UTF8 --no-sync \
		--no-instructions >"$d/initdb.log" 2>&1 || { cat "$d/initdb.log" >&2; die "initdb failed"; }
	for try in 1 2 3; do
		port=$(free_port $((54320 + RANDOM % 100)))
		if as_pg "$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 -s start -o \
			"-c listen_addresses=127.0.0.1 -p $port -k $d/sock -c fsync=off \
			 -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
			 -c deadlock_timeout=50ms -c shared_buffers=128MB -c max_locks_per_transaction=128 \
			 -c log_min_messages=fatal -c log_min_error_statement=panic" >/dev/null 2>&1; then
			echo "host=$d/sock port=$port user=postgres dbname=postgres" >"$d.dsn.tmp"
			mv "$d.dsn.tmp" "$dir/pg.dsn"
			echo "servers.sh: PostgreSQL on port $port (pid $(live_pid "$d/data/postmaster.pid"))" >&2
			return 0
		fi
	done
	tail -n 20 "$d/server.log" >&2 || true
	die "PostgreSQL did not start"
}

start_mysql() {
	local d=$dir/mysql port try pid i user
	command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || die "mariadbd not found (run scripts/deps.sh)"
	if live_pid "$d/mariadbd.pid" >/dev/null; then return 0; fi
	rm -rf "$d" && mkdir -p "$d"
	user=$(id -un)
	mariadb-install-db --no-defaults --datadir="$d/data" --user="$user" \
		--auth-root-authentication-method=socket --skip-test-db \
		>"$d/install.log" 2>&1 || { cat "$d/install.log" >&2; die "mariadb-install-db failed"; }
	for try in 1 2 3; do
		port=$(free_port $((33060 + RANDOM % 100)))
		/usr/sbin/mariadbd --no-defaults --datadir="$d/data" --socket="$d/sock" \
			--port="$port" --bind-address=127.0.0.1 --user="$user" \
			--pid-file="$d/mariadbd.pid" --log-error="$d/error.log" \
			--skip-log-bin --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
			--innodb-doublewrite=0 --innodb-buffer-pool-size=128M --max-connections=300 \
			--innodb-lock-wait-timeout=5 --performance-schema=OFF </dev/null >/dev/null 2>&1 &
		for i in $(seq 1 150); do
			[ -S "$d/sock" ] && live_pid "$d/mariadbd.pid" >/dev/null && break
			kill -0 $! 2>/dev/null || break
			sleep 0.1
		done
		if [ -S "$d/sock" ]; then
			mariadb --no-defaults --socket="$d/sock" -uroot <<-SQL
				CREATE USER 'racebench'@'localhost';
				CREATE USER 'racebench'@'127.0.0.1';
				GRANT ALL ON *.* TO 'racebench'@'localhost';
				GRANT ALL ON *.* TO 'racebench'@'127.0.0.1';
			SQL
			echo "mysql://racebench@localhost:$port/?socket=$d/sock" >"$dir/mysql.dsn"
			pid=$(live_pid "$d/mariadbd.pid")
			echo "servers.sh: MariaDB on port $port (pid $pid)" >&2
			return 0
		fi
	done
	tail -n 20 "$d/error.log" >&2 || true
	die "MariaDB did not start"
}

start_redis() {
	local d=$dir/redis port try
	command -v redis-server >/dev/null || die "redis-server not found (run scripts/deps.sh)"
	if live_pid "$d/redis.pid" >/dev/null; then return 0; fi
	rm -rf "$d" && mkdir -p "$d"
	for try in 1 2 3; do
		port=$(free_port $((63790 + RANDOM % 100)))
		if redis-server --bind 127.0.0.1 --port "$port" --unixsocket "$d/sock" \
			--save '' --appendonly no --daemonize yes --pidfile "$d/redis.pid" \
			--dir "$d" --logfile "$d/redis.log" >/dev/null 2>&1; then
			for i in $(seq 1 50); do
				[ -S "$d/sock" ] && break
				sleep 0.1
			done
			if [ -S "$d/sock" ]; then
				echo "redis://127.0.0.1:$port" >"$dir/redis.dsn"
				echo "servers.sh: Redis on port $port (pid $(live_pid "$d/redis.pid"))" >&2
				return 0
			fi
		fi
	done
	tail -n 20 "$d/redis.log" >&2 || true
	die "Redis did not start"
}

# --- Topologies: galera, pg-replica, redis-nodes -------------------------
#
# Every node has a directory with its command line (cmdline, one argument a
# line, so `node ... restart` can run it again), its pid as this script
# recorded it (pid: mariadbd deletes its own pid file early in a shutdown,
# and a killed server leaves a stale one) and its log. Their ports are picked
# below 32768, out of Linux's ephemeral range, so no client connection can
# take one between the pick and the start.

# count distinct ports free on 127.0.0.1 (and on each extra loopback address
# given), from base upwards.
pick_ports() {	# count base [addr...]
	local n=$1 p=$2 a taken out=()
	shift 2
	while [ ${#out[@]} -lt "$n" ]; do
		p=$(free_port "$p")
		taken=
		for a in "$@"; do
			if (exec 3<>"/dev/tcp/$a/$p") 2>/dev/null; then taken=1; fi
		done
		[ -n "$taken" ] || out+=("$p")
		p=$((p + 1))
	done
	echo "${out[@]}"
}

node_pid() { live_pid "$1/pid"; }	# node-dir

# The direct children of a pid (PostgreSQL's backends; an SST script).
children() {	# pid
	local f s
	for f in /proc/[0-9]*/stat; do
		read -r s 2>/dev/null <"$f" || continue
		s=${s##*) }
		s=${s#* }
		[ "${s%% *}" = "$1" ] || continue
		f=${f#/proc/}
		echo "${f%/stat}"
	done
}

gone() {	# pid...: true when none of them is alive (a zombie counts as gone)
	local p
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		[ "$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | cut -d' ' -f1)" = Z ] || return 1
	done
}

# Stops a node by its recorded pid: the signal, then SIGCONT to it and its
# children in case it was paused; SIGKILL after 30 s.
stop_node() {	# node-dir signal name
	local pid kids i
	pid=$(node_pid "$1") || return 0
	kids=$(children "$pid")
	kill "-$2" "$pid" 2>/dev/null || true
	kill -CONT "$pid" $kids 2>/dev/null || true
	for i in $(seq 1 300); do
		gone "$pid" && { echo "servers.sh: stopped $3 (pid $pid)" >&2; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" $kids 2>/dev/null || true
	for i in $(seq 1 50); do gone "$pid" && break; sleep 0.1; done
	echo "servers.sh: killed $3 (pid $pid)" >&2
}

write_cmdline() {	# node-dir arg...: one argument a line
	local d=$1
	shift
	printf '%s\n' "$@" >"$d/cmdline"
}

# --- Galera: three MariaDB nodes on loopback.
#
# Clients reach node N on 127.0.0.1:PORT and its socket; its cluster traffic
# (gcomm, IST, the rsync SST) uses 127.0.0.1N (127.0.0.11 to .13), still
# loopback. Galera binds its outgoing gcomm connections to the listen
# address, so that address tells node 3's connections from the others' and
# `isolate` can drop exactly them (most connections are opened by the joiner,
# from an ephemeral port, so ports alone cannot). mariadbd runs as mysql, not
# root: run as root, the rsync SST's daemon drops to nobody, cannot write the
# joiner's data directory and the join fails ("rsync returned code 23").

galera_user() { if [ "$(id -u)" -eq 0 ]; then echo mysql; else id -un; fi; }
galera_q() {	# node-dir SQL
	mariadb --no-defaults --socket="$1/sock" -u"$(id -un)" -N -B -e "$2"
}
# "SIZE,STATE,READY" (wsrep_cluster_size, wsrep_local_state_comment, wsrep_ready)
galera_state() {	# node-dir
	galera_q "$1" "SELECT GROUP_CONCAT(variable_value ORDER BY variable_name)
		FROM information_schema.global_status WHERE variable_name IN
		('wsrep_cluster_size', 'wsrep_local_state_comment', 'wsrep_ready')" 2>/dev/null
}

# Waits until a node is Synced, ready and in a cluster of at least size.
galera_wait() {	# node-dir name size seconds
	local d=$1 i st
	for i in $(seq 1 $(($4 * 10))); do
		node_pid "$d" >/dev/null || { tail -n 20 "$d/error.log" >&2 || true; die "$2 exited"; }
		if [ -S "$d/sock" ] && st=$(galera_state "$d"); then
			case $st in
			*,Synced,ON) [ "${st%%,*}" -lt "$3" ] || { echo "${st%%,*}" >"$d/size"; return 0; } ;;
			esac
		fi
		sleep 0.1
	done
	tail -n 20 "$d/error.log" >&2 || true
	die "$2 not synced in a cluster of $3 after $4 s (last state: ${st:-none})"
}

# How the node's last start got its state: SST (a full copy), IST (the
# missing write sets) or none.
galera_transfer() {	# node-dir
	local n log
	n=$(grep -n 'Starting MariaDB' "$1/error.log" | tail -n1 | cut -d: -f1)
	log=$(tail -n +"${n:-1}" "$1/error.log")
	case $log in
	*"SST completed on joiner"*) echo SST ;;
	*"IST completed on joiner"*|*"IST received"*) echo IST ;;
	*) echo "no state transfer" ;;
	esac
}

galera_launch() {	# node-dir [extra argument...]: mariadbd from its cmdline, in the background
	local d=$1 args
	shift
	mapfile -t args <"$d/cmdline"
	rm -f "$d/pid" "$d/sock"
	TMPDIR=$d/tmp "${args[@]}" "$@" </dev/null >>"$d/stdout.log" 2>&1 &
	echo $! >"$d/pid"
}

# After a crash grastate.dat says seqno -1 and the node would ask for a full
# state transfer (SST); recover the position from InnoDB first, as the
# packages' galera_recovery does, so it can rejoin by IST.
galera_recover() {	# node-dir: prints --wsrep-start-position=... when it recovered one
	local d=$1 args pos
	grep -q '^seqno: *-1' "$d/data/grastate.dat" 2>/dev/null || return 0
	mapfile -t args <"$d/cmdline"
	TMPDIR=$d/tmp "${args[@]}" --wsrep-recover --log-error="$d/recover.log" </dev/null >/dev/null 2>&1 || return 0
	pos=$(sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$d/recover.log" | tail -n1)
	[ -z "$pos" ] || [ "${pos##*:}" = -1 ] || echo "--wsrep-start-position=$pos"
}

start_galera() {
	local g=$dir/galera i d user name list ports addrs=() gcomm=() t0
	command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || die "mariadbd not found (run scripts/deps.sh)"
	[ -r /usr/lib/galera/libgalera_smm.so ] || die "Galera not found: /usr/lib/galera/libgalera_smm.so (apt-get install galera-4)"
	command -v rsync >/dev/null || die "rsync not found: Galera's rsync state transfer needs it (apt-get install rsync)"
	if node_pid "$g/node1" >/dev/null; then return 0; fi
	rm -rf "$g" "$dir/galera.dsn" && mkdir -p "$g"
	t0=$(date +%s%N)
	user=$(galera_user)
	name=racebench-$$-$RANDOM
	for i in 1 2 3; do addrs+=("127.0.0.1$i"); done
	# Four ports a node: client, gcomm, IST, SST.
	list=$(pick_ports 12 $((24000 + RANDOM % 1000)) "${addrs[@]}")
	read -r -a ports <<<"$list"
	for i in 1 2 3; do gcomm+=("${addrs[i - 1]}:${ports[4 * i - 3]}"); done
	for i in 1 2 3; do
		d=$g/node$i
		# Its own temporary directory: the node runs as mysql, which may not
		# write to the caller's TMPDIR (mariadbd and the SST scripts use it).
		mkdir -p "$d/data" "$d/tmp"
		echo "${ports[4 * i - 4]}" >"$d/port"
		write_cmdline "$d" /usr/sbin/mariadbd --no-defaults --datadir="$d/data" --tmpdir="$d/tmp" \
			--socket="$d/sock" --port="${ports[4 * i - 4]}" --bind-address=127.0.0.1 \
			--user="$user" --pid-file="$d/mariadbd.pid" --log-error="$d/error.log" \
			--skip-log-bin --skip-name-resolve --innodb-flush-log-at-trx-commit=0 \
			--innodb-doublewrite=0 --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
			--max-connections=300 --innodb-lock-wait-timeout=5 --performance-schema=OFF \
			--binlog-format=ROW --innodb-autoinc-lock-mode=2 --wsrep-on=ON \
			--wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-name="$name" \
			--wsrep-cluster-address="gcomm://$(IFS=,; echo "${gcomm[*]}")" \
			--wsrep-node-name="node$i" --wsrep-node-address="${gcomm[i - 1]}" \
			--wsrep-sst-method=rsync --wsrep-sst-receive-address="${addrs[i - 1]}:${ports[4 * i - 1]}" \
			--wsrep-provider-options="base_host=${addrs[i - 1]}; base_port=${ports[4 * i - 3]}; gmcast.listen_addr=tcp://${gcomm[i - 1]}; ist.recv_addr=${addrs[i - 1]}:${ports[4 * i - 2]}; gcache.size=32M"
	done
	printf '%s\n' "${addrs[@]}" >"$g/addrs"
	printf '%s\n' "${ports[@]}" >"$g/ports"
	[ "$user" = "$(id -un)" ] || chown -R "$user" "$g"
	# Only the first node is initialised; the others join from an empty
	# directory and receive a state transfer, one at a time.
	TMPDIR=$g/node1/tmp mariadb-install-db --no-defaults --datadir="$g/node1/data" --user="$user" \
		--auth-root-authentication-method=socket --skip-test-db --innodb-log-file-size=16M \
		>"$g/node1/install.log" 2>&1 || { cat "$g/node1/install.log" >&2; die "mariadb-install-db failed"; }
	galera_launch "$g/node1" --wsrep-new-cluster
	galera_wait "$g/node1" "Galera node 1" 1 60
	echo "servers.sh: Galera node 1 bootstrapped at $((($(date +%s%N) - t0) / 1000000)) ms" >&2
	galera_q "$g/node1" "CREATE USER 'racebench'@'localhost';
		CREATE USER 'racebench'@'127.0.0.1';
		GRANT ALL ON *.* TO 'racebench'@'localhost';
		GRANT ALL ON *.* TO 'racebench'@'127.0.0.1';"
	for i in 2 3; do
		galera_launch "$g/node$i"
		galera_wait "$g/node$i" "Galera node $i" "$i" 120
		echo "servers.sh: Galera node $i joined by $(galera_transfer "$g/node$i") at" \
			"$((($(date +%s%N) - t0) / 1000000)) ms" >&2
	done
	for i in 1 2 3; do galera_wait "$g/node$i" "Galera node $i" 3 30; done
	for i in 1 2 3; do
		echo "mysql://racebench@localhost:$(cat "$g/node$i/port")/?socket=$g/node$i/sock"
	done | paste -sd, >"$dir/galera.dsn.tmp"
	mv "$dir/galera.dsn.tmp" "$dir/galera.dsn"
	echo "servers.sh: Galera cluster of 3 on ports $(cat "$g"/node*/port | paste -sd,)" \
		"(pids $(cat "$g"/node*/pid | paste -sd,)) in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}

stop_galera() {
	local i
	for i in 3 2 1; do
		[ ! -d "$dir/galera/node$i" ] || stop_node "$dir/galera/node$i" TERM "Galera node $i"
	done
}

# --- pg-replica: a primary and a streaming hot standby (application_name
# rb_standby, replication slot rb_standby). synchronous_standby_names names
# it, and synchronous_commit is local by default: a session opts in with
# SET synchronous_commit = remote_apply (or on / remote_write).

pg_q() {	# node-dir SQL
	"$PGBIN/psql" -X -q -t -A -h "$1/sock" -p "$(cat "$1/port")" -U postgres \
		-d postgres -c "$2" 2>/dev/null
}
pg_launch() {	# node-dir: pg_ctl start from its cmdline (waits for it)
	local d=$1 args pid f
	mapfile -t args <"$d/cmdline"
	rm -f "$d/pid"
	# A killed postmaster stays a zombie for a while, and PostgreSQL takes
	# the pid in its lock files for a live postmaster: remove a dead one's.
	for f in "$d/data/postmaster.pid" "$d"/sock/.s.PGSQL.*.lock; do
		[ -e "$f" ] && ! live_pid "$f" >/dev/null || continue
		rm -f "$f" "${f%.lock}"
	done
	as_pg "${args[@]}" >/dev/null 2>&1 || return 1
	pid=$(live_pid "$d/data/postmaster.pid") || return 1
	echo "$pid" >"$d/pid"
}
pg_wait_streaming() {	# primary-dir seconds
	local i
	for i in $(seq 1 $(($2 * 10))); do
		[ "$(pg_q "$1" "SELECT state || ',' || sync_state FROM pg_stat_replication
			WHERE application_name = 'rb_standby'")" = streaming,sync ] && return 0
		sleep 0.1
	done
	return 1
}

start_pg_replica() {
	local t=$dir/pg-replica p s delay ports pport sport speed opts t0
	p=$t/primary s=$t/standby
	[ -x "$PGBIN/postgres" ] || die "PostgreSQL 15 not found in $PGBIN (run scripts/deps.sh)"
	delay=${RACEBENCH_REPLICA_DELAY_MS:-0}
	[[ $delay =~ ^[0-9]+$ ]] || die "RACEBENCH_REPLICA_DELAY_MS must be a number of milliseconds (got '$delay')"
	if node_pid "$p" >/dev/null; then return 0; fi
	rm -rf "$t" "$dir/pg-primary.dsn" "$dir/pg-replica.dsn" && mkdir -p "$p/sock" "$s/sock"
	t0=$(date +%s%N)
	[ "$(id -u)" -ne 0 ] || chown -R postgres "$t"
	as_pg "$PGBIN/initdb" -D "$p/data" -A trust -U postgres -E UTF8 --no-sync \
		--no-instructions >"$p/initdb.log" 2>&1 || { cat "$p/initdb.log" >&2; die "initdb failed"; }
	ports=$(pick_ports 2 $((25000 + RANDOM % 1000)))
	read -r pport sport <<<"$ports"
	echo "$pport" >"$p/port"
	echo "$sport" >"$s/port"
	speed="-c fsync=off -c full_page_writes=off -c max_connections=300 -c deadlock_timeout=50ms
		-c shared_buffers=128MB -c max_locks_per_transaction=128 -c log_min_messages=fatal
		-c log_min_error_statement=panic"
	opts="-c listen_addresses=127.0.0.1 -p $pport -k $p/sock $speed
		-c synchronous_commit=local -c synchronous_standby_names=rb_standby
		-c wal_level=replica -c max_wal_senders=10 -c max_replication_slots=10"
	# pg_ctl hands -o to a shell: one line, whitespace collapsed, quotes kept.
	write_cmdline "$p" "$PGBIN/pg_ctl" -D "$p/data" -l "$p/server.log" -w -t 60 -s start \
		-o "$(echo $opts)"
	pg_launch "$p" || { tail -n 20 "$p/server.log" >&2 || true; die "PostgreSQL primary did not start"; }
	# -R writes standby.signal (and a primary_conninfo the command line below
	# overrides, to name the standby); -C -S: a slot keeps the WAL a killed
	# standby needs to catch up.
	as_pg "$PGBIN/pg_basebackup" -h "$p/sock" -p "$pport" -U postgres -D "$s/data" -R \
		-X stream -c fast -C -S rb_standby -N >"$s/basebackup.log" 2>&1 ||
		{ cat "$s/basebackup.log" >&2; die "pg_basebackup failed"; }
	opts="-c listen_addresses=127.0.0.1 -p $sport -k $s/sock $speed
		-c hot_standby=on -c hot_standby_feedback=on -c max_standby_streaming_delay=5s
		-c wal_retrieve_retry_interval=1s -c recovery_min_apply_delay=${delay}ms
		-c primary_slot_name=rb_standby
		-c \"primary_conninfo=host=127.0.0.1 port=$pport user=postgres application_name=rb_standby\""
	write_cmdline "$s" "$PGBIN/pg_ctl" -D "$s/data" -l "$s/server.log" -w -t 60 -s start \
		-o "$(echo $opts)"
	pg_launch "$s" || { tail -n 20 "$s/server.log" >&2 || true; die "PostgreSQL standby did not start"; }
	pg_wait_streaming "$p" 30 || { tail -n 20 "$s/server.log" >&2 || true; die "the standby is not streaming"; }
	echo "host=$p/sock port=$pport user=postgres dbname=postgres" >"$dir/pg-primary.dsn"
	echo "host=$s/sock port=$sport user=postgres dbname=postgres" >"$dir/pg-replica.dsn"
	echo "servers.sh: PostgreSQL primary on port $pport (pid $(cat "$p/pid")), standby on port" \
		"$sport (pid $(cat "$s/pid")), streaming, in $((($(date +%s%N) - t0) / 1000000)) ms" >&2
}

stop_pg_replica() {
	[ ! -d "$dir/pg-replica/standby" ] || stop_node "$dir/pg-replica/standby" INT "PostgreSQL standby"
	[ ! -d "$dir/pg-replica/primary" ] || stop_node "$dir/pg-replica/primary" INT "PostgreSQL primary"
}

# --- redis-nodes: independent masters (for Redlock).

redis_count() {	# RACEBENCH_REDIS_NODES is a count, or the URL list `env` exported
	local v=${RACEBENCH_REDIS_NODES:-3}
	if [[ $v =~ ^[0-9]+$ ]]; then
		[ "$v" -ge 1 ] || die "RACEBENCH_REDIS_NODES must be at least 1"
		echo "$v"
	else
		v=${v//[^,]/}
		echo $((${#v} + 1))
	fi
}

redis_launch() {	# node-dir: redis-server from its cmdline (it daemonizes)
	local d=$1 args i
	mapfile -t args <"$d/cmdline"
	rm -f "$d/pid" "$d/redis.pid" "$d/sock"
	"${args[@]}" >/dev/null 2>&1 || return 1
	for i in $(seq 1 50); do
		[ -S "$d/sock" ] && live_pid "$d/redis.pid" >/dev/null && break
		sleep 0.1
	done
	[ -S "$d/sock" ] || return 1
	live_pid "$d/redis.pid" >"$d/pid"
}

start_redis_nodes() {
	local t=$dir/redis-nodes n i d list ports persist
	command -v redis-server >/dev/null || die "redis-server not found (run scripts/deps.sh)"
	n=$(redis_count)
	if node_pid "$t/node1" >/dev/null; then return 0; fi
	rm -rf "$t" "$dir/redis-nodes.url" && mkdir -p "$t"
	case ${RACEBENCH_REDIS_FSYNC:-no} in
	always) persist=(--save '' --appendonly yes --appendfsync always) ;;
	no|'') persist=(--save '' --appendonly no) ;;
	*) die "RACEBENCH_REDIS_FSYNC must be 'always' or unset (got '$RACEBENCH_REDIS_FSYNC')" ;;
	esac
	list=$(pick_ports "$n" $((26000 + RANDOM % 1000)))
	read -r -a ports <<<"$list"
	for i in $(seq 1 "$n"); do
		d=$t/node$i
		mkdir -p "$d"
		echo "${ports[i - 1]}" >"$d/port"
		write_cmdline "$d" redis-server --bind 127.0.0.1 --port "${ports[i - 1]}" \
			--unixsocket "$d/sock" "${persist[@]}" --daemonize yes --pidfile "$d/redis.pid" \
			--dir "$d" --logfile "$d/redis.log"
		redis_launch "$d" || { tail -n 20 "$d/redis.log" >&2 || true; die "Redis node $i did not start"; }
	done
	for i in $(seq 1 "$n"); do echo "redis://127.0.0.1:${ports[i - 1]}"; done | paste -sd, >"$dir/redis-nodes.url"
	echo "servers.sh: $n Redis nodes on ports $(IFS=,; echo "${ports[*]}")" \
		"(pids $(cat "$t"/node*/pid | paste -sd,))" >&2
}

stop_redis_nodes() {
	local i
	for i in $(ls -d "$dir"/redis-nodes/node* 2>/dev/null | sed 's/.*node//' | sort -rn); do
		stop_node "$dir/redis-nodes/node$i" TERM "Redis node $i"
	done
}

# --- node control

node_dir() {	# topology index
	case $1 in
	galera) [[ $2 =~ ^[123]$ ]] && echo "$dir/galera/node$2" ;;
	pg-replica) case $2 in 1) echo "$dir/pg-replica/primary" ;; 2) echo "$dir/pg-replica/standby" ;; *) false ;; esac ;;
	redis-nodes) [[ $2 =~ ^[1-9][0-9]*$ ]] && echo "$dir/redis-nodes/node$2" ;;
	*) false ;;
	esac
}
dir_name() {	# node-dir
	case $1 in
	*/galera/*) echo "Galera node ${1##*node}" ;;
	*/primary) echo "PostgreSQL primary" ;;
	*/standby) echo "PostgreSQL standby" ;;
	*) echo "Redis node ${1##*node}" ;;
	esac
}
node_name() {	# topology index
	case $1 in
	galera) echo "Galera node $2" ;;
	pg-replica) if [ "$2" = 1 ]; then echo "PostgreSQL primary"; else echo "PostgreSQL standby"; fi ;;
	redis-nodes) echo "Redis node $2" ;;
	esac
}

# SIGKILL to a node and its children (a crashed machine takes its PostgreSQL
# backends with it), then wait until they are gone.
node_kill() {	# node-dir name
	local pid kids i
	pid=$(node_pid "$1") || { echo "servers.sh: $2 is not running" >&2; return 0; }
	kids=$(children "$pid")
	kill -KILL "$pid" $kids 2>/dev/null || true
	for i in $(seq 1 100); do gone "$pid" $kids && break; sleep 0.1; done
	echo "servers.sh: killed $2 (pid $pid)" >&2
}

# SIGSTOP/SIGCONT to a node and its children (PostgreSQL's backends would go
# on serving their clients with only the postmaster stopped).
node_signal() {	# node-dir name STOP|CONT
	local pid
	pid=$(node_pid "$1") || die "$2 is not running"
	kill "-$3" "$pid" $(children "$pid") 2>/dev/null || true
	echo "servers.sh: $2 (pid $pid) $([ "$3" = STOP ] && echo paused || echo resumed)" >&2
}

# Nodes alive, not paused and not isolated, other than this one.
galera_others_up() {	# index
	local i n=0 pid
	for i in 1 2 3; do
		[ "$i" != "$1" ] || continue
		pid=$(node_pid "$dir/galera/node$i") || continue
		[ "$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)" != T ] || continue
		[ -e "$dir/galera/node$i/isolated" ] || n=$((n + 1))
	done
	echo "$n"
}

node_restart() {	# topology index
	local t=$1 k=$2 d name others pos
	d=$(node_dir "$t" "$k")
	name=$(node_name "$t" "$k")
	case $t in
	galera)
		stop_node "$d" TERM "$name"
		others=$(galera_others_up "$k")
		pos=$(galera_recover "$d")
		if [ "$others" = 0 ]; then
			# Nobody to join: bootstrap a new primary component from this node.
			sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$d/data/grastate.dat" 2>/dev/null || true
			galera_launch "$d" --wsrep-new-cluster $pos
		else
			galera_launch "$d" $pos
		fi
		galera_wait "$d" "$name" $((others + 1)) 120
		echo "servers.sh: $name rejoined (pid $(cat "$d/pid")) by $(galera_transfer "$d"), cluster size $(cat "$d/size")" >&2
		;;
	pg-replica)
		stop_node "$d" INT "$name"
		pg_launch "$d" || { tail -n 20 "$d/server.log" >&2 || true; die "$name did not start"; }
		if node_pid "$dir/pg-replica/primary" >/dev/null && node_pid "$dir/pg-replica/standby" >/dev/null &&
			[ ! -e "$dir/pg-replica/primary/isolated" ] && [ ! -e "$dir/pg-replica/standby/isolated" ]; then
			pg_wait_streaming "$dir/pg-replica/primary" 30 || die "the standby is not streaming after the restart"
		fi
		echo "servers.sh: $name restarted (pid $(cat "$d/pid"))" >&2
		;;
	redis-nodes)
		stop_node "$d" TERM "$name"
		redis_launch "$d" || { tail -n 20 "$d/redis.log" >&2 || true; die "$name did not start"; }
		echo "servers.sh: $name restarted (pid $(cat "$d/pid"))" >&2
		;;
	esac
}

# --- partitions on loopback: one nft table per isolated node, named after
# DIR so `stop` finds its own tables and nobody else's. The rules match the
# node's own addresses and ports only.

nft_prefix() { echo "racebench_$(printf '%s' "$dir" | cksum | cut -d' ' -f1)_"; }

partition_rules() {	# topology index: nft rules dropping that node's traffic
	local t=$1 k=$2 addrs ports a me them mine theirs i port
	case $t in
	galera)
		mapfile -t addrs <"$dir/galera/addrs"
		mapfile -t ports <"$dir/galera/ports"
		me=${addrs[k - 1]} them='' mine='' theirs=''
		for i in 1 2 3; do
			if [ "$i" = "$k" ]; then
				mine="${ports[4 * i - 3]}, ${ports[4 * i - 2]}, ${ports[4 * i - 1]}"
			else
				them="$them${them:+, }${addrs[i - 1]}"
				theirs="$theirs${theirs:+, }${ports[4 * i - 3]}, ${ports[4 * i - 2]}, ${ports[4 * i - 1]}"
			fi
		done
		# its connections to the others' gcomm/IST/SST ports and theirs to its own
		echo "oifname \"lo\" ip saddr $me ip daddr { $them } tcp dport { $theirs } drop"
		echo "oifname \"lo\" ip saddr { $them } ip daddr $me tcp sport { $theirs } drop"
		echo "oifname \"lo\" ip saddr { $them } ip daddr $me tcp dport { $mine } drop"
		echo "oifname \"lo\" ip saddr $me ip daddr { $them } tcp sport { $mine } drop"
		;;
	pg-replica)	# the standby streams over TCP; clients use the socket
		port=$(cat "$dir/pg-replica/primary/port")
		echo "oifname \"lo\" ip daddr 127.0.0.1 tcp dport $port drop"
		echo "oifname \"lo\" ip saddr 127.0.0.1 tcp sport $port drop"
		;;
	redis-nodes)
		port=$(cat "$dir/redis-nodes/node$k/port")
		echo "oifname \"lo\" ip daddr 127.0.0.1 tcp dport $port drop"
		echo "oifname \"lo\" ip saddr 127.0.0.1 tcp sport $port drop"
		;;
	esac
}

node_isolate() {	# topology index
	local t=$1 k=$2 d name table how=${RACEBENCH_PARTITION:-auto} err
	d=$(node_dir "$t" "$k")
	name=$(node_name "$t" "$k")
	[ ! -e "$d/isolated" ] || { echo "servers.sh: $name is already isolated" >&2; return 0; }
	case $how in auto|nft|gmcast) ;; *) die "RACEBENCH_PARTITION must be nft or gmcast (got '$how')" ;; esac
	if [ "$how" != gmcast ]; then
		table=$(nft_prefix)${t//-/_}_$k
		if ! command -v nft >/dev/null; then
			err="nft not found (apt-get install nftables)"
		elif err=$(nft -f - 2>&1 <<-NFT
			table inet $table {
				chain out {
					type filter hook output priority 0; policy accept;
					$(partition_rules "$t" "$k")
				}
			}
			NFT
		); then
			echo "nft $table" >"$d/isolated"
			echo "servers.sh: $name isolated (nft table inet $table)" >&2
			return 0
		fi
		[ "$how" = auto ] && [ "$t" = galera ] || die "cannot isolate $name: $err"
		echo "servers.sh: nft failed ($err); using gmcast.isolate" >&2
	fi
	[ "$t" = galera ] || die "gmcast.isolate is for Galera nodes only"
	galera_q "$d" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'" ||
		die "cannot isolate $name: SET gmcast.isolate failed"
	echo gmcast >"$d/isolated"
	echo "servers.sh: $name isolated (gmcast.isolate=1)" >&2
}

node_heal() {	# node-dir name
	local how table
	[ -e "$1/isolated" ] || return 0
	read -r how table <"$1/isolated"
	case $how in
	nft)
		if ! nft delete table inet "$table" 2>/dev/null &&
			nft list table inet "$table" >/dev/null 2>&1; then
			die "cannot delete nft table inet $table"
		fi ;;
	gmcast)	# the setting does not outlive the process: a restarted node is not isolated
		if node_pid "$1" >/dev/null; then
			galera_q "$1" "SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'" ||
				die "cannot heal $2: SET gmcast.isolate failed"
		fi ;;
	esac
	rm -f "$1/isolated"
	echo "servers.sh: $2 healed" >&2
}

# Every partition of DIR: the recorded ones, then any table left with DIR's prefix.
heal_all() {
	local f d prefix t
	for f in "$dir"/galera/node*/isolated "$dir"/pg-replica/*/isolated "$dir"/redis-nodes/node*/isolated; do
		[ -e "$f" ] || continue
		d=${f%/isolated}
		node_heal "$d" "$(dir_name "$d")" || true
	done
	command -v nft >/dev/null || return 0
	prefix=$(nft_prefix)
	for t in $(nft list tables inet 2>/dev/null | awk -v p="$prefix" 'index($3, p) == 1 { print $3 }'); do
		nft delete table inet "$t" 2>/dev/null && echo "servers.sh: removed nft table inet $t" >&2 || true
	done
}

# SIGCONT to every node of DIR and its children: a paused Galera node makes
# the others' shutdown wait for it (14 s instead of 0.5 s for three nodes).
resume_all() {
	local d pid
	for d in "$dir"/galera/node* "$dir"/pg-replica/primary "$dir"/pg-replica/standby "$dir"/redis-nodes/node*; do
		pid=$(node_pid "$d" 2>/dev/null) || continue
		kill -CONT "$pid" $(children "$pid") 2>/dev/null || true
	done
}

node_cmd() {	# topology index action
	local t=${1:-} k=${2:-} act=${3:-} d name
	[ -n "$act" ] || die "usage: servers.sh node galera|pg-replica|redis-nodes INDEX kill|pause|resume|restart|isolate|heal"
	d=$(node_dir "$t" "$k") || die "no node '$k' in topology '$t' (galera 1-3, pg-replica 1-2, redis-nodes 1-N)"
	[ -s "$d/cmdline" ] || die "no $t node $k in $dir (start $t first)"
	name=$(node_name "$t" "$k")
	case $act in
	kill) node_kill "$d" "$name" ;;
	pause) node_signal "$d" "$name" STOP ;;
	resume) node_signal "$d" "$name" CONT ;;
	restart) node_restart "$t" "$k" ;;
	isolate) node_isolate "$t" "$k" ;;
	heal) node_heal "$d" "$name" ;;
	*) die "unknown node action '$act' (valid: kill, pause, resume, restart, isolate, heal)" ;;
	esac
}

topology_status() {	# prints a line per node started in DIR; true if one runs
	local d name rc=1 pid state
	for d in "$dir"/galera/node* "$dir"/pg-replica/primary "$dir"/pg-replica/standby "$dir"/redis-nodes/node*; do
		[ -s "$d/cmdline" ] || continue
		name=$(dir_name "$d")
		if pid=$(node_pid "$d"); then
			state=$(sed 's/^.*) //' "/proc/$pid/stat" | cut -d' ' -f1)
			if [ "$state" = T ]; then state=paused; else state=running; fi
			echo "$name: $state (pid $pid)$([ ! -e "$d/isolated" ] || echo ", isolated")"
			rc=0
		else
			echo "$name: stopped"
		fi
	done
	return $rc
}

print_env() {
	[ ! -s "$dir/pg.dsn" ] || echo "export RACEBENCH_PG='$(cat "$dir/pg.dsn")'"
	[ ! -s "$dir/mysql.dsn" ] || echo "export RACEBENCH_MYSQL='$(cat "$dir/mysql.dsn")'"
	[ ! -s "$dir/redis.dsn" ] || echo "export RACEBENCH_REDIS='$(cat "$dir/redis.dsn")'"
	[ ! -s "$dir/galera.dsn" ] || echo "export RACEBENCH_GALERA='$(cat "$dir/galera.dsn")'"
	[ ! -s "$dir/pg-primary.dsn" ] || echo "export RACEBENCH_PG_PRIMARY='$(cat "$dir/pg-primary.dsn")'"
	[ ! -s "$dir/pg-replica.dsn" ] || echo "export RACEBENCH_PG_REPLICA='$(cat "$dir/pg-replica.dsn")'"
	[ ! -s "$dir/redis-nodes.url" ] || echo "export RACEBENCH_REDIS_NODES='$(cat "$dir/redis-nodes.url")'"
}

while [ $# -gt 0 ]; do
	case $1 in
	--dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir=$2; shift 2 ;;
	--dir=*) dir=${1#--dir=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd=$1; shift

case $cmd in
start)
	[ $# -gt 0 ] || set -- pg mysql redis
	mkdir -p "$dir"
	chmod 755 "$dir"
	for what in "$@"; do
		case $what in
		pg) start_pg ;;
		mysql) start_mysql ;;
		redis) start_redis ;;
		galera) start_galera ;;
		pg-replica) start_pg_replica ;;
		redis-nodes) start_redis_nodes ;;
		*) echo "servers.sh: unknown server '$what' (valid: pg, mysql, redis, galera, pg-replica, redis-nodes)" >&2; exit 2 ;;
		esac
	done
	print_env
	;;
stop)
	[ -d "$dir" ] || exit 0
	heal_all
	resume_all
	stop_galera
	stop_pg_replica
	stop_redis_nodes
	stop_pid "$dir/pg/data/postmaster.pid" INT PostgreSQL
	stop_pid "$dir/mysql/mariadbd.pid" TERM MariaDB
	stop_pid "$dir/redis/redis.pid" TERM Redis
	rm -rf "$dir"
	;;
status)
	rc=1
	for s in "pg/data/postmaster.pid PostgreSQL" "mysql/mariadbd.pid MariaDB" "redis/redis.pid Redis"; do
		set -- $s
		if pid=$(live_pid "$dir/$1"); then
			echo "$2: running (pid $pid)"; rc=0
		else
			echo "$2: stopped"
		fi
	done
	! topology_status || rc=0
	exit $rc
	;;
env) print_env ;;
node) node_cmd "$@" ;;
*) echo "servers.sh: unknown command '$cmd' (valid: start, stop, status, env, node)" >&2; exit 2 ;;
esac
