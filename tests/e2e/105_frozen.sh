# 105_frozen.sh: a server that stops answering (SIGSTOP on it and its
# children) must not hold racebench: a signal ends the run within a few
# seconds with a partial report and 130/143, in race mode, load mode and
# explain, on PostgreSQL, MariaDB and Redis; without a signal, the statement
# time-out ends it (exit 3). The servers are this test's own.
. "$(dirname "$0")/lib.sh"

srv=$TMP/srv
mkdir -p "$srv" && chmod 755 "$TMP" "$srv"
if ! eval "$(scripts/servers.sh --dir "$srv" start pg mysql redis 2>/dev/null)"; then
	not_ok "frozen: throwaway servers of this test start"
	exit 0
fi
trap 'freeze CONT pg; freeze CONT mysql; freeze CONT redis; scripts/servers.sh --dir "$srv" stop >/dev/null 2>&1; rm -rf "$TMP"' EXIT

# freeze STOP|CONT pg|mysql|redis: the server's process and its children.
freeze() {
	local pidfile
	case $2 in
	pg) pidfile=$srv/pg/data/postmaster.pid ;;
	mysql) pidfile=$srv/mysql/mariadbd.pid ;;
	redis) pidfile=$srv/redis/redis.pid ;;
	esac
	[ -s "$pidfile" ] || return 0
	local pid
	pid=$(head -n1 "$pidfile" | tr -dc 0-9)
	kill "-$1" "$pid" $(pgrep -P "$pid") 2>/dev/null || true
}

# frozen DESC SERVER SIGNAL WANT_RC ARGS...: starts racebench, freezes the
# server after $delay s (default 1.5), sends SIGNAL (or none) 0.5 s later;
# ok when it exits WANT_RC within the limit.
frozen() {
	local desc=$1 server=$2 sig=$3 want=$4 limit=6 t0 t1 rc
	shift 4
	[ "$sig" = none ] && limit=30
	rm -f "$TMP/f.json"
	timeout -s KILL 120 "$RB" "$@" >"$TMP/f.out" 2>"$TMP/f.err" &
	local bg=$!
	sleep "${delay:-1.5}"
	freeze STOP "$server"
	sleep 0.5
	t0=$(date +%s%N)
	[ "$sig" = none ] || kill "-$sig" "$bg"
	wait "$bg"
	rc=$?
	t1=$(date +%s%N)
	freeze CONT "$server"
	local ms=$(((t1 - t0) / 1000000))
	if [ "$rc" = "$want" ] && [ "$ms" -le $((limit * 1000)) ]; then
		ok "$desc: exit $rc in $ms ms"
	else
		not_ok "$desc: exit $rc (want $want) in $ms ms (limit ${limit}s): $(tail -c 300 "$TMP/f.err")"
	fi
}

pg=$RACEBENCH_PG my=$RACEBENCH_MYSQL rd=$RACEBENCH_REDIS
race=(run -s coupon-oversell -S none,atomic -i rc -t 100000 -f json -o "$TMP/f.json")

frozen "pg frozen, SIGINT" pg INT 130 "${race[@]}" --pg "$pg"
jq_true "pg frozen, SIGINT: the partial report says it was interrupted" "$TMP/f.json" \
	'.aborted == true and (.abort_reason | test("interrupted by SIGINT"))'
frozen "pg frozen, SIGTERM" pg TERM 143 "${race[@]}" --pg "$pg"
frozen "mysql frozen, SIGINT" mysql INT 130 "${race[@]}" --mysql "$my"
jq_true "mysql frozen: a partial report" "$TMP/f.json" '.aborted == true'
frozen "redis frozen under redis-wide, SIGINT" redis INT 130 run -s coupon-oversell -S redis-wide \
	-i rc -t 100000 --pg "$pg" --redis "$rd" -f json -o "$TMP/f.json"
frozen "load mode, pg frozen, SIGINT" pg INT 130 load -s coupon-oversell -S atomic -i rc \
	--duration 600 --warmup 0 --pg "$pg" -f json -o "$TMP/f.json"
# explain plays in a fraction of a second: frozen from the start (a connect
# waits at most --connect-timeout, a statement is cut)
delay=0 frozen "explain, pg frozen, SIGINT" pg INT 130 explain coupon-oversell \
	--strategy for-update --pg "$pg" --connect-timeout 2
frozen "pg frozen, no signal: --statement-timeout ends it" pg none 3 "${race[@]}" --pg "$pg" \
	--statement-timeout 1000 --connect-timeout 2
check "... saying the connection was cut for want of an answer" \
	grep -q "no answer from the server in time" "$TMP/f.err"
# The MySQL driver leaves Connector/C's own read time-out (600 s and more)
# off while the watchdog bounds calls: the watchdog alone must end this.
frozen "mysql frozen, no signal: --statement-timeout ends it" mysql none 3 "${race[@]}" \
	--mysql "$my" --statement-timeout 1000 --connect-timeout 2
check "... saying the connection was cut for want of an answer" \
	grep -q "no answer from the server in time" "$TMP/f.err"

# Thawed, the servers are usable again and a later run cleans what was left.
run_rb "$TMP/after.txt" run --pg "$pg" -s coupon-oversell -S none -i rc -t 2
check "after the thaw a run works and takes over the schema left behind (exit 0)" [ "$rb_rc" = 0 ]
