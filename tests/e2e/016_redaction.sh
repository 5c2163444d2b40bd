# 016_redaction.sh: a password never shows, whatever its spelling, in any
# report format or message. Valid connection strings in every syntax run
# for real (the throwaway PostgreSQL trusts loopback, so the password is
# accepted and ignored; MariaDB and Redis get a user with one); malformed
# ones must be refused (exit 2) without quoting any piece of them.
. "$(dirname "$0")/lib.sh"

secret=Zq7Sec9ret
pg_host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$RACEBENCH_PG")
pg_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$RACEBENCH_PG")
my_sock=${RACEBENCH_MYSQL#*socket=}
my_port=$(sed -n 's|.*:\([0-9]*\)/.*|\1|p' <<<"$RACEBENCH_MYSQL")
redis_port=${RACEBENCH_REDIS##*:}

# leaks FILE...: ok when no file holds the password or a recognisable piece.
leaks() {
	grep -l -e Zq7 -e 9ret -e Sec9 -e 'Zq7%' -e '%40Sec' "$@" 2>/dev/null
}

# run_all DESC ARGS...: one run writing every format to a file, and stderr.
formats=table,json,csv,markdown,junit,html
run_all() {
	local desc=$1 n
	shift
	n=$((n_run = ${n_run:-0} + 1))
	outs=()
	for f in table json csv markdown junit html; do outs+=(-o "$TMP/r$n.$f"); done
	"$RB" run "$@" -s double-tap -S none,redis-wide -i rc -t 1 -c 2 -f "$formats" "${outs[@]}" \
		>"$TMP/r$n.stdout" 2>"$TMP/r$n.err"
	local rc=$? bad
	bad=$(leaks "$TMP"/r$n.*)
	if [ "$rc" = 0 ] && [ -z "$bad" ]; then
		ok "$desc: runs, and no report or message shows the password"
	else
		not_ok "$desc: exit $rc, password in: ${bad:-none} ($(head -c 200 "$TMP/r$n.err"))"
	fi
}

# --- PostgreSQL: every spelling libpq accepts.
pg_cases=(
	"$RACEBENCH_PG password=$secret"
	"$RACEBENCH_PG password = '$secret'"
	"$RACEBENCH_PG password	=	$secret"
	"$RACEBENCH_PG password=Zq7Sec\\ 9ret"
	"$RACEBENCH_PG password='Zq7Sec 9ret'"
	"$RACEBENCH_PG password='Zq7\\'Sec9ret'"
	"password=$secret $RACEBENCH_PG"
	"postgresql://postgres:$secret@127.0.0.1:$pg_port/postgres"
	"postgres://postgres:Zq7%40Sec%2F9ret@127.0.0.1:$pg_port/postgres"
	"postgres:///postgres?host=$pg_host&port=$pg_port&user=postgres&password=$secret"
)
for d in "${pg_cases[@]}"; do
	run_all "pg [$(sed "s/$secret/SECRET/" <<<"$d" | cut -c1-60)]" --pg "$d" --redis "$RACEBENCH_REDIS"
done
# the same through the environment variable
RACEBENCH_PG="$RACEBENCH_PG password = '$secret'" run_all "pg from RACEBENCH_PG" --db pg \
	--redis "$RACEBENCH_REDIS"

# --- MariaDB: a user with a password, in the URL raw and percent-encoded.
mariadb --no-defaults --socket="$my_sock" -uroot -e "
	DROP USER IF EXISTS 'rbpw'@'localhost';
	CREATE USER 'rbpw'@'localhost' IDENTIFIED BY 'Zq7@Sec9ret';
	GRANT ALL ON *.* TO 'rbpw'@'localhost';" 2>/dev/null ||
	not_ok "mysql: could not create a user with a password"
run_all "mysql [percent-encoded]" \
	--mysql "mysql://rbpw:Zq7%40Sec9ret@localhost:$my_port/?socket=$my_sock" --redis "$RACEBENCH_REDIS"
run_all "mysql [raw @ in the password]" \
	--mysql "mysql://rbpw:Zq7@Sec9ret@localhost:$my_port/?socket=$my_sock" --redis "$RACEBENCH_REDIS"
MYSQL_PWD=Zq7@Sec9ret run_all "mysql [MYSQL_PWD]" \
	--mysql "mysql://rbpw@localhost:$my_port/?socket=$my_sock" --redis "$RACEBENCH_REDIS"

# --- Redis: an ACL user with a password (the default user stays as it is).
redis-cli -p "$redis_port" ACL SETUSER rbpw on '>Zq7@Sec9ret' '~*' '&*' +@all >/dev/null ||
	not_ok "redis: could not create an ACL user"
run_all "redis [percent-encoded]" --pg "$RACEBENCH_PG" \
	--redis "redis://rbpw:Zq7%40Sec9ret@127.0.0.1:$redis_port"
REDISCLI_AUTH=Zq7@Sec9ret run_all "redis [REDISCLI_AUTH]" --pg "$RACEBENCH_PG" \
	--redis "redis://rbpw@127.0.0.1:$redis_port"

# --- Refused: malformed strings, named as wrong, never quoted.
bad_cases=(
	"--pg|postgres://u:Zq7%zzSec9ret@h/d"
	"--pg|postgres://u:Zq7Sec9ret@[::1"
	"--pg|postgres://u:Zq7@Sec9ret@h/d"
	"--pg|postgres://u:Zq7/Sec9ret@h/d"
	"--pg|postgres://u:Zq7Sec9ret@h:99999/d"
	"--pg|postgres://u:Zq7Sec9ret@h:0/d"
	"--pg|postgres://u:Zq7Sec9ret@h:-1/d"
	"--pg|postgres://u:Zq7Sec9ret@h/d?sslmode=bogus"
	"--pg|host=h password=Zq7Sec 9ret"
	"--pg|host=h password='Zq7Sec9ret"
	"--pg|password=Zq7Sec9ret bogus=1"
	"--pg|postgres://u:Zq7Sec9ret@h/d?Zq7=1"
	"--mysql|mysql://u:Zq7Sec9ret@h:99999/d"
	"--mysql|mysql://u:Zq7%zzSec9ret@h/d"
	"--mysql|mysql://u:Zq7Sec9ret@[::1/d"
	"--redis|redis://:Zq7Sec9ret@h:0"
	"--redis|redis://:Zq7%zzSec9ret@h"
)
for c in "${bad_cases[@]}"; do
	opt=${c%%|*} dsn=${c#*|}
	"$RB" run "$opt" "$dsn" -s double-tap -S redis-wide -i rc -t 1 -f json -o "$TMP/bad.json" \
		>"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	shown=$(sed "s/Zq7.*9ret/SECRET/" <<<"$dsn")
	if [ "$rc" = 2 ] && [ -z "$(leaks "$TMP/bad.out" "$TMP/bad.err")" ] && [ ! -e "$TMP/bad.json" ]; then
		ok "refused without a piece of the password: $opt $shown"
	else
		not_ok "$opt $shown: exit $rc, said: $(head -c 300 "$TMP/bad.err")"
	fi
	# the same string through the environment: the same refusal
	var=RACEBENCH_${opt#--}
	var=${var^^}
	env "$var=$dsn" "$RB" run --db "${opt#--}" -s double-tap -S none -i rc -t 1 \
		>"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	[ "$opt" = --redis ] && continue
	if [ "$rc" = 2 ] && [ -z "$(leaks "$TMP/bad.out" "$TMP/bad.err")" ]; then
		ok "refused from $var too"
	else
		not_ok "$var=$shown: exit $rc, said: $(head -c 300 "$TMP/bad.err")"
	fi
done

# --- A server that refuses the password: the error names no piece of it.
"$RB" run --pg "postgresql://nosuchuser:$secret@127.0.0.1:1/postgres" -s double-tap -S none -i rc \
	-t 1 --connect-timeout 2 >"$TMP/conn.out" 2>"$TMP/conn.err"
rc=$?
check "pg connection refused: exit 3, no password in the message" \
	sh -c "[ $rc = 3 ] && ! grep -q -e Zq7 -e 9ret '$TMP/conn.err'"
"$RB" run --mysql "mysql://rbpw:wrong$secret@localhost:$my_port/?socket=$my_sock" -s double-tap \
	-S none -i rc -t 1 >"$TMP/conn.out" 2>"$TMP/conn.err"
rc=$?
check "mysql access denied: exit 3, no password in the message" \
	sh -c "[ $rc = 3 ] && ! grep -q -e Zq7 -e 9ret '$TMP/conn.err'"

mariadb --no-defaults --socket="$my_sock" -uroot -e "DROP USER IF EXISTS 'rbpw'@'localhost'" 2>/dev/null
redis-cli -p "$redis_port" ACL DELUSER rbpw >/dev/null
