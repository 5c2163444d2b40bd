#!/usr/bin/env bash
# servers.sh: throwaway PostgreSQL, MariaDB and Redis servers for racebench.
#
# usage: scripts/servers.sh [--dir DIR] start [pg] [mysql] [redis]
#        scripts/servers.sh [--dir DIR] stop | status | env
#
# Each server lives in DIR (default $RACEBENCH_SERVERS_DIR, else
# ${TMPDIR:-/tmp}/racebench-servers-UID), listens on 127.0.0.1 and a Unix
# socket in DIR, on a free port the script picks away from the usual
# defaults, and is stopped by the pid it wrote, never by name. `start` with
# no product starts all three; it prints the connection strings, which are
# also kept in DIR/pg.dsn, DIR/mysql.dsn and DIR/redis.url. `env` prints them
# as shell exports (eval "$(scripts/servers.sh env)"); racebench reads
# RACEBENCH_PG, RACEBENCH_MYSQL and RACEBENCH_REDIS. `stop` stops what runs
# and removes DIR.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
dir=${RACEBENCH_SERVERS_DIR:-${TMPDIR:-/tmp}/racebench-servers-$(id -u)}

die() { echo "servers.sh: $*" >&2; exit 1; }
usage() { sed -n '2,16s/^# \{0,1\}//p' "$0"; }

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
				echo "redis://127.0.0.1:$port" >"$dir/redis.url"
				echo "servers.sh: Redis on port $port (pid $(live_pid "$d/redis.pid"))" >&2
				return 0
			fi
		fi
	done
	tail -n 20 "$d/redis.log" >&2 || true
	die "Redis did not start"
}

print_env() {
	[ ! -s "$dir/pg.dsn" ] || echo "export RACEBENCH_PG='$(cat "$dir/pg.dsn")'"
	[ ! -s "$dir/mysql.dsn" ] || echo "export RACEBENCH_MYSQL='$(cat "$dir/mysql.dsn")'"
	[ ! -s "$dir/redis.url" ] || echo "export RACEBENCH_REDIS='$(cat "$dir/redis.url")'"
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
		*) echo "servers.sh: unknown server '$what' (valid: pg, mysql, redis)" >&2; exit 2 ;;
		esac
	done
	print_env
	;;
stop)
	[ -d "$dir" ] || exit 0
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
	exit $rc
	;;
env) print_env ;;
*) echo "servers.sh: unknown command '$cmd' (valid: start, stop, status, env)" >&2; exit 2 ;;
esac
