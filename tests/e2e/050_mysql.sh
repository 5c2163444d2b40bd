# 050_mysql.sh: the MySQL driver on the throwaway MariaDB: the report, the
# double tap as InnoDB plays it, named locks, URLs and passwords, ownership.
. "$(dirname "$0")/lib.sh"

: "${RACEBENCH_MYSQL:?}"
my_sock=${RACEBENCH_MYSQL##*\?socket=}
mysql_rb() { mariadb --no-defaults --socket="$my_sock" -uracebench -N -B "$@"; }
# The throwaway's URL with another database (or user) in it.
url_db() { echo "${RACEBENCH_MYSQL%%/\?socket=*}/$1?socket=$my_sock"; }
url_user() { echo "mysql://$1@localhost/?socket=$my_sock"; }
schemata() { mysql_rb -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$1'"; }

out=$TMP/dt.json
run_rb "$TMP/dt.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap \
	-S none,for-update,for-update-parent,advisory -i all -t 20 -c 8 --format json --out "$out"
check "run exits 0" [ "$rb_rc" = 0 ]
jq_true "JSON written, one cell per strategy and level (-i all: the five)" "$out" "(.cells | length) == 20"
version=$(mysql_rb -e "SELECT VERSION()")
jq_true "the report names MariaDB and its version ($version)" "$out" \
	".servers[0].product == \"MariaDB\" and .servers[0].version == \"$version\""
jq_true "the report shows the settings that change outcomes" "$out" \
	'.servers[0].settings | .tx_isolation == "REPEATABLE-READ" and .innodb_lock_wait_timeout == "5"
	 and .innodb_deadlock_detect == "1" and has("innodb_snapshot_isolation") and .autocommit == "1"'

# READ COMMITTED: every plain read is a fresh consistent read, and there is
# no row to lock: taps that all read "no row" all insert.
none_rc=$(cellf mysql double-tap none rc)
jq_true "rc none: duplicates in most of 20 trials" "$out" "[$none_rc | .anomalous_trials >= 15] | all"
jq_true "rc none: verdict anomaly" "$out" "[$none_rc | .verdict == \"anomaly\"] | all"
# SERIALIZABLE turns the plain read into a shared locking read of the empty
# range (a next-key lock): no second row can appear; the taps' inserts
# deadlock on each other's gap locks instead.
none_ser=$(cellf mysql double-tap none ser)
jq_true "ser none: never a duplicate (the read locks the gap)" "$out" "[$none_ser | .anomalous_trials == 0] | all"
jq_true "ser none: the taps deadlock instead" "$out" "[$none_ser | .errors.deadlock > 0] | all"
# FOR UPDATE on the missing row: no gap lock at rc (duplicates), an
# exclusive gap lock at rr (no duplicate; deadlocks on insert).
fu_rr=$(cellf mysql double-tap for-update rr)
jq_true "rc for-update: the missing row is not locked (duplicates)" "$out" \
	"[$(cellf mysql double-tap for-update rc) | .anomalous_trials >= 15] | all"
jq_true "rr for-update: the gap lock forbids a second row" "$out" "[$fu_rr | .anomalous_trials == 0] | all"
jq_true "rr for-update: and turns the race into deadlocks" "$out" "[$fu_rr | .errors.deadlock > 0] | all"
# The parent row lock is a locking read of the latest version; the
# consistent snapshot starts at the first plain read, after the lock: safe
# at every level (PostgreSQL's rr snapshot is older than the lock).
for iso in ru rc rr ser; do
	fup=$(cellf mysql double-tap for-update-parent $iso)
	jq_true "$iso for-update-parent: no anomaly, every tap committed" "$out" \
		"[$fup | .anomalous_trials == 0 and .committed == .ops and .failed == 0] | all"
done
# GET_LOCK before BEGIN, RELEASE_LOCK after COMMIT.
for iso in rc rr; do
	jq_true "$iso advisory (GET_LOCK): no anomaly, every tap committed" "$out" \
		"[$(cellf mysql double-tap advisory $iso) | .anomalous_trials == 0 and .committed == .ops] | all"
done

# A named lock someone else holds: GET_LOCK gives up after the lock timeout.
mysql_rb -e "SELECT GET_LOCK('racebench:rb_lt:0', 0), SLEEP(60)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 50); do
	holder_id=$(mysql_rb -e "SELECT IS_USED_LOCK('racebench:rb_lt:0')")
	[ "$holder_id" != NULL ] && [ -n "$holder_id" ] && break
	sleep 0.1
done
run_rb "$TMP/lt.json" run --mysql "$RACEBENCH_MYSQL" --schema rb_lt -s double-tap -S advisory \
	-i rc -t 1 -c 2 --lock-timeout 1000 --format json --out -
jq_true "a held GET_LOCK times out as lock-timeout for every tap" "$TMP/lt.json" \
	"[$(cellf mysql double-tap advisory rc) | .errors[\"lock-timeout\"] == 2 and .failed == 2 and .verdict == \"errors\"] | all"
[ -z "$holder_id" ] || [ "$holder_id" = NULL ] || mysql_rb -e "KILL $holder_id" 2>/dev/null
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# URLs: a malformed one is named, its password never shown.
run_rb "$TMP/bad" run --mysql "mysql://bob:s3cret@localhost:notaport/x" -s double-tap -S none -i rc -t 1
check "a malformed URL fails" [ "$rb_rc" != 0 ]
check "a malformed URL is named, with what is wrong" \
	grep -q "malformed MySQL URL 'mysql://bob:\*\*\*@localhost:notaport/x': port 'notaport'" "$TMP/bad.err"
check "its password is not shown" sh -c "! grep -q s3cret '$TMP/bad.err'"

# MYSQL_PWD: the password for a URL without one.
mysql_rb -e "DROP USER IF EXISTS 'rb_pw'@'localhost'; CREATE USER 'rb_pw'@'localhost' IDENTIFIED BY 'pw-50'"
MYSQL_PWD=wrong-50 run_rb "$TMP/pw1" run --mysql "$(url_user rb_pw)" -s double-tap -S none -i rc -t 1
check "a wrong MYSQL_PWD is refused by the server (exit 3)" \
	sh -c "[ $rb_rc = 3 ] && grep -q \"Access denied for user 'rb_pw'@'localhost' (using password: YES)\" '$TMP/pw1.err'"
check "and not shown" sh -c "! grep -q wrong-50 '$TMP/pw1.err'"
MYSQL_PWD=pw-50 run_rb "$TMP/pw2" run --mysql "$(url_user rb_pw)" -s double-tap -S none -i rc -t 1
# rb_pw may log in but create nothing: getting as far as CREATE DATABASE proves the login.
check "MYSQL_PWD logs in" sh -c "! grep -q 'using password' '$TMP/pw2.err' && grep -q 'rb_pw' '$TMP/pw2.err'"
MYSQL_PWD=pw-50 run_rb "$TMP/pw3" run --mysql "mysql://rb_pw:wrong-50@localhost/?socket=$my_sock" \
	-s double-tap -S none -i rc -t 1
check "a password in the URL wins over MYSQL_PWD" grep -q "(using password: YES)" "$TMP/pw3.err"
check "and is not shown" sh -c "! grep -q wrong-50 '$TMP/pw3.err'"
mysql_rb -e "DROP USER 'rb_pw'@'localhost'"

# Ownership: a user's database with a table of the scenario's name.
mysql_rb -e "DROP DATABASE IF EXISTS rb_user; DROP DATABASE IF EXISTS racebench;
	CREATE DATABASE rb_user; CREATE TABLE rb_user.interest_asset (id int, assets text);
	INSERT INTO rb_user.interest_asset VALUES (1, 'users data')"
run_rb "$TMP/o.txt" run --mysql "$(url_db rb_user)" -s double-tap -S none -i rc -t 2
check "run from a user's database exits 0" [ "$rb_rc" = 0 ]
check "the user's table is untouched" \
	[ "$(mysql_rb -e 'SELECT assets FROM rb_user.interest_asset')" = "users data" ]
check "the tool's database is dropped at the end" [ "$(schemata racebench)" = 0 ]

run_rb "$TMP/k.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2 --keep-schema --schema rb_kept
check "--keep-schema keeps it, with its owner marker" [ "$(mysql_rb -e "SELECT COUNT(*) FROM
	information_schema.TABLES WHERE TABLE_SCHEMA = 'rb_kept' AND TABLE_NAME = 'racebench_owner'")" = 1 ]
run_rb "$TMP/k2.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2 --schema rb_kept
check "a database racebench created is reused and dropped" [ "$(schemata rb_kept)" = 0 ]

mysql_rb -e "CREATE DATABASE racebench; CREATE TABLE racebench.mine (x int); INSERT INTO racebench.mine VALUES (42)"
run_rb "$TMP/r.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2
check "a database racebench did not create is refused (exit 2)" [ "$rb_rc" = 2 ]
check "the refusal says why and what to do" grep -q 'was not created by racebench.*--force-schema' "$TMP/r.txt.err"
check "the user's database is intact" [ "$(mysql_rb -e 'SELECT x FROM racebench.mine')" = 42 ]
mysql_rb -e "DROP DATABASE racebench"

# A user's database that happens to hold a racebench_owner table (a restored
# dump) is not racebench's: the mark is on the database and on the table.
mysql_rb -e "CREATE DATABASE rb_look; CREATE TABLE rb_look.racebench_owner (x int) COMMENT='racebench:rb_look:0123';
	CREATE TABLE rb_look.orders (id int); INSERT INTO rb_look.orders VALUES (7)"
run_rb "$TMP/l.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2 --schema rb_look
check "a database with a look-alike marker table is refused (exit 2)" [ "$rb_rc" = 2 ]
check "... and intact" [ "$(mysql_rb -e 'SELECT id FROM rb_look.orders')" = 7 ]
mysql_rb -e "DROP DATABASE rb_look"
run_rb "$TMP/k.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2 --keep-schema --schema rb_kept3
check "the mark is on the database and on the marker table, and they agree" [ "$(mysql_rb -e "
	SELECT s.SCHEMA_COMMENT = t.TABLE_COMMENT AND s.SCHEMA_COMMENT LIKE 'racebench:rb_kept3:%'
	FROM information_schema.SCHEMATA s JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
	WHERE s.SCHEMA_NAME = 'rb_kept3' AND t.TABLE_NAME = 'racebench_owner'")" = 1 ]
run_rb "$TMP/k.txt" run --mysql "$RACEBENCH_MYSQL" -s double-tap -S none -i rc -t 2 --schema rb_kept3
run_rb "$TMP/u.txt" run --mysql "$(url_db rb_user)" -s double-tap -S none -i rc -t 2 --schema rb_user --force-schema
check "the database the URL names is refused, --force-schema or not (exit 2)" [ "$rb_rc" = 2 ]
check "... and intact" [ "$(mysql_rb -e 'SELECT assets FROM rb_user.interest_asset')" = "users data" ]
mysql_rb -e "DROP DATABASE rb_user"
