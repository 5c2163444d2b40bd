# 015_bad_input.sh: a table of bad invocations. Each must exit 2 at once,
# print one message naming the bad value (and the valid choices), touch no
# database and leave no file behind.
. "$(dirname "$0")/lib.sh"

printf 'pg rc * none verdict === safe\n' >"$TMP/bad-op.txt"
printf '# fine\npg rc * nosuch verdict == safe\n' >"$TMP/bad-strategy.txt"
printf 'pg rc * none p99 < 10\n' >"$TMP/bad-unit.txt"
printf 'pg rc * none\n' >"$TMP/no-cond.txt"
printf 'pg rc * none frobs > 1\n' >"$TMP/bad-field.txt"
printf '{"schema_version": 99}\n' >"$TMP/v99.json"
printf 'not json' >"$TMP/notjson.json"
printf 'scenario double-tap\n' >"$TMP/spec.txt"
printf 'pg rc * atomic verdict == safe\rpg rc * none verdict == safe\n' >"$TMP/cr.txt"
printf 'pg rc * none verdict == anomaly\0, anomalies > 100\n' >"$TMP/nul.txt"
mkdir -p "$TMP/outdir"
# race files, each with one mistake (docs/race-files.md, "Mistakes")
race_ok='race r
setup { t { CREATE TABLE t (id bigint) } }
operation {
    pick { SELECT 1 }
}
check { n { SELECT COUNT(*) FROM t } into c
    count x c }
'
printf '%s' "$race_ok" >"$TMP/ok.race"
printf '%s' "$race_ok" >"$TMP/ok2.race"
printf '%s' "$race_ok" | sed 's/SELECT 1 }/SELECT :qty }/' >"$TMP/unknown-name.race"
printf '%s' "$race_ok" | sed 's/pick { SELECT 1 }/pick pg { SELECT 1 }/' >"$TMP/pg-only.race"
printf '%s\nstrategy atomic { pick { SELECT 2 } }\nstrategy atomic { pick { SELECT 3 } }\n' \
	"$race_ok" >"$TMP/twice.race"
printf '%s' "$race_ok" | sed '/^check/,$d' >"$TMP/no-check.race"
printf 'race r\noperation {\n    pick { SELECT 1 }\n' >"$TMP/unterminated.race"
printf 'race r\n\x01\x02\x7fELF\x00\x00' >"$TMP/junk.race"
printf 'race r\n# fine\n  x\0y' >"$TMP/nul.race"
: >"$TMP/empty.race"
printf '%s\nstrategy for-updat { pick { SELECT 2 } }\n' "$race_ok" >"$TMP/bad-strategy.race"
printf '%s\nstrategy atomic { before nosuch { x { SELECT 2 } } }\n' "$race_ok" >"$TMP/bad-before.race"
printf '%s' "$race_ok" | sed 's/SELECT 1 }/SELECT ? }/' >"$TMP/question.race"
printf '%s\nknob n = 5 min 1 max 3\n' "$race_ok" >"$TMP/knob-range.race"

# check reads the report first: its races are names an expectation may use
GOLDEN_JSON=$(cd "$(dirname "$0")/../fuzz/corpus/json" && pwd)/golden.json

# args (one string, split on '|') and the message that must appear on stderr
cases=(
"|no command"
"frobnicate|unknown command 'frobnicate' (valid: run, load"
"--clients|3|'--clients' before a command"
"run|--clients|0|--clients: '0' is not a whole number from 1 to 256"
"run|--clients|300|--clients: '300' is not a whole number from 1 to 256"
"run|--clients|many|--clients: 'many' is not a whole number"
"run|--trials|0|--trials: '0' is not a whole number from 1 to 100000"
"run|--trials|1e3|--trials: '1e3' is not a whole number"
"run|--think|-1|--think: '-1' is not a number of milliseconds from 0 to 10000"
"run|--tail|10001|--tail: '10001' is not a number of milliseconds"
"run|--keys|0|--keys: '0' is not a whole number from 1 to 100000"
"run|--quantity|-5|--quantity: '-5' is not a whole number from 0"
"run|--balance|x|--balance: 'x' is not a whole number"
"run|--price|0|--price: '0' is not a whole number from 1"
"run|--amount|0|--amount: '0' is not a whole number from 1"
"run|--retries|-1|--retries: '-1' is not a whole number from 0 to 1000"
"run|--seed|-3|--seed: '-3' is not a whole number from 0"
"run|--lock-timeout|soon|--lock-timeout: 'soon' is not a whole number"
"run|--connect-timeout|0|--connect-timeout: '0' is not a whole number from 1 to 3600"
"run|--lock-wait|0|--lock-wait: '0' is not a whole number from 1"
"run|--lease|0|--lease: '0' is not a whole number from 1"
"run|--db|oracle|--db: unknown database 'oracle' (valid: pg, mysql, all)"
"run|--scenario|double_tap|--scenario: unknown scenario 'double_tap' (valid: double-tap, duplicate-settlement"
"run|--strategy|lock|--strategy: unknown strategy 'lock' (valid: none, for-update, for-update-parent"
"run|--strategy|,|--strategy: empty list"
"run|--isolation|snapshot|--isolation: unknown isolation level 'snapshot' (valid: ru, rc, rr, ser, rr+si, all)"
"run|--format|xml|--format: unknown format 'xml' (valid: table, json, csv, markdown, junit, html, hgrm)"
"run|--format|table,json|--format: 2 formats need 2 --out files"
"run|--out|a.json|--out|b.json|--out: 2 files for 1 formats"
"run|--format|json,csv|--out|-|--out|-|--out: standard output ('-') given twice"
"run|--schema|Race-Bench|--schema: 'Race-Bench' is not a plain lower-case name"
"run|--pg|foo=bar|--pg: not a libpq connection string or postgres:// URI (invalid connection option \"foo\")"
"run|--mysql|http://x|--mysql: malformed MySQL URL 'http://x': it does not start with mysql://"
"run|--mysql|mysql://u:pw@h:99999/d|port '99999' is not a number from 1 to 65535"
"run|--redis|http://x|--redis: not a redis://[:password@]host[:port][/db] or unix:///path URL"
"run|--bogus|unknown option '--bogus' (see racebench --help)"
"run|-z|unknown option '-z'"
"run|--clients|--clients needs a value"
"run|extra|unexpected argument 'extra'"
"run|--duration|5|--duration, --ops, --rate and --arrival are for load mode"
"run|--mode|bench|--mode: unknown mode 'bench' (valid: race, load)"
"load|--duration|0|--duration: '0' is shorter than a millisecond"
"load|--ops|5|--duration|2|--duration and --ops both given"
"load|--rate|fast|--rate: 'fast' is not a number of operations per second"
"load|--arrival|poisson|--arrival needs --rate"
"load|--rate|10|--arrival|burst|--arrival: unknown arrival 'burst' (valid: fixed, poisson)"
"run|--expect|$TMP/none.txt|$TMP/none.txt"
"run|--expect|$TMP/bad-op.txt|bad-op.txt:1:"
"run|--expect|$TMP/bad-strategy.txt|bad-strategy.txt:2: "
"run|--expect|$TMP/bad-unit.txt|bad-unit.txt:1:"
"run|--expect|$TMP/no-cond.txt|no-cond.txt:1:"
"run|--expect|$TMP/bad-field.txt|bad-field.txt:1:"
"run|--tolerance|20%|--tolerance: only applies with --baseline"
"check|--expect|$TMP/two.txt|check"
"check|$TMP/nosuch.json|--expect|$TMP/bad-op.txt|nosuch.json"
"check|$GOLDEN_JSON|--expect|$TMP/bad-op.txt|bad-op.txt:1:"
"check|$TMP/v99.json|--baseline|$TMP/v99.json|schema_version 99"
"check|$TMP/notjson.json|--baseline|$TMP/notjson.json|notjson.json"
"check|$TMP/v99.json|--clients|3|--clients is an option of run, not of check"
"run|--expect|$TMP/cr.txt|cr.txt:1: a carriage return at column 31"
"run|--expect|$TMP/nul.txt|nul.txt:1: a NUL byte at column 32"
"run|--expect|/dev/zero|expectations file '/dev/zero' is larger than 1 MiB"
"run|--db|pg|--schema|information_schema|--force-schema|'information_schema' belongs to PostgreSQL itself"
"run|--db|pg|--schema|pg_catalog|'pg_catalog' belongs to PostgreSQL itself"
"run|--db|pg|--schema|pg_temp_3|--force-schema|'pg_temp_3' belongs to PostgreSQL itself"
"run|--db|pg|--schema|public|--force-schema|give --force-schema twice"
"run|--db|mysql|--schema|mysql|--force-schema|'mysql' belongs to MySQL/MariaDB itself"
"run|--db|mysql|--schema|sys|'sys' belongs to MySQL/MariaDB itself"
"run|--db|mysql|--schema|performance_schema|--force-schema|'performance_schema' belongs to MySQL"
"run|--mysql|mysql://u@h/shop|--schema|shop|--force-schema|'shop' is the database your mysql connection string names"
"run|--pg|host=h dbname=app|--schema|app|'app' is the database your pg connection string names"
"explain|double-tap|--schema|information_schema|belongs to PostgreSQL itself"
"run|--pg|postgres://h:99999/d|port '99999' is not a whole number from 1 to 65535"
"run|--pg|postgres://h:0/d|port '0' is not a whole number from 1 to 65535"
"run|--pg|host=h sslmode=bogus|sslmode 'bogus' is not one of disable, allow"
"run|--pg|host=h target_session_attrs=primry|target_session_attrs 'primry' is not one of"
"run|--statement-timeout|-1|--statement-timeout: '-1' is not a whole number"
"run|-f|json|-o|$TMP/outdir|--out: '$TMP/outdir' is a directory"
"run|-f|json,csv|-o|$TMP/r.out|-o|$TMP/./r.out|are the same file: json and csv would overwrite"
"check|$TMP/v99.json|--expect|$TMP/spec.txt|-f|json|-o|$TMP/outdir|is a directory"
"run|-s|$TMP/unknown-name.race|unknown-name.race:4:19: unknown name 'qty'"
"run|-s|$TMP/pg-only.race|pg-only.race:4:10: statement pick has no spelling for mysql"
"run|--db|mysql|-s|$TMP/pg-only.race|pg-only.race:4:10: statement pick has no spelling for mysql"
"explain|$TMP/pg-only.race|--db|mysql|statement pick has no spelling for mysql"
"run|-s|$TMP/twice.race|twice.race:10:10: strategy atomic defined twice"
"run|-s|$TMP/no-check.race|no-check.race:6:1: no invariant"
"list|$TMP/unterminated.race|unterminated.race:2:11: the operation block opened here is not closed"
"run|-s|$TMP/junk.race|junk.race:2:1: a control character (byte 0x01): not a text file"
"load|-s|$TMP/nul.race|nul.race:3:4: a NUL byte"
"run|-s|$TMP/empty.race|empty.race:1:1: an empty file"
"run|-s|$TMP/bad-strategy.race|bad-strategy.race:9:10: unknown strategy 'for-updat'"
"list|$TMP/bad-before.race|'before/after nosuch', but the operation has no statement of that name"
"run|-s|$TMP/question.race|question.race:4:19: statement pick: a '?' in SQL"
"list|$TMP/knob-range.race|knob-range.race:9:1: knob n of r is 5; it must be from 1 to 3"
"run|-s|$TMP/ok.race|--set|bogus=1|--set: unknown knob 'bogus' (the races run have: none)"
"run|-s|double-tap,$TMP/ok.race|--set|quantity=3|--set: unknown knob 'quantity'"
"run|-s|$TMP/nosuch.race|cannot read race file '$TMP/nosuch.race'"
"run|-s|$TMP/outdir/|race file '$TMP/outdir/'"
"run|-s|$TMP/ok.race,$TMP/ok2.race|are both named r"
"run|-s|negative-balance|--set|price=0|knob price of negative-balance is 0; it must be from 1"
"run|-s|nosuch-race|--scenario: unknown"
)

for c in "${cases[@]}"; do
	IFS='|' read -r -a parts <<<"$c"
	want=${parts[${#parts[@]}-1]}
	unset 'parts[${#parts[@]}-1]'
	args=("${parts[@]}")
	[ "${#args[@]}" -eq 1 ] && [ -z "${args[0]}" ] && args=()
	( cd "$TMP" && RACEBENCH_PG=host=/nonexistent RACEBENCH_MYSQL= timeout 10 "$RB" "${args[@]}" \
		>"$TMP/out" 2>"$TMP/err" )
	rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$TMP/err" && [ "$(grep -c '^racebench: ' "$TMP/err")" -ge 1 ]; then
		ok "exit 2: racebench ${args[*]}"
	else
		not_ok "racebench ${args[*]}: exit $rc, stderr '$(head -c 300 "$TMP/err")', want exit 2 and '$want'"
	fi
done
check "no report or file was left behind" [ -z "$(cd "$TMP" && ls a.json b.json 2>/dev/null)" ]
check "the table has at least 40 bad invocations" [ "${#cases[@]}" -ge 40 ]
