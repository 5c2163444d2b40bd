# 030_ownership_pg.sh: racebench touches only its own schema.
. "$(dirname "$0")/lib.sh"

psql_rb -c "DROP TABLE IF EXISTS public.interest_asset; DROP SCHEMA IF EXISTS racebench CASCADE;
	CREATE TABLE public.interest_asset (id int, assets text);
	INSERT INTO public.interest_asset VALUES (1, 'users data')"
run_rb "$TMP/o.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2
check "run next to a user's table exits 0" [ "$rb_rc" = 0 ]
check "the user's table is untouched" [ "$(psql_rb -c 'SELECT assets FROM public.interest_asset')" = "users data" ]
check "the tool's schema is dropped at the end" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'racebench'")" = 0 ]

run_rb "$TMP/k.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --keep-schema --schema rb_kept
check "--keep-schema keeps it, with its owner marker" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'rb_kept' AND tablename = 'racebench_owner'")" = 1 ]
run_rb "$TMP/k2.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --schema rb_kept
check "a schema racebench created is reused and dropped" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'rb_kept'")" = 0 ]

psql_rb -c "CREATE SCHEMA racebench; CREATE TABLE racebench.mine (x int); INSERT INTO racebench.mine VALUES (42)"
run_rb "$TMP/r.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2
check "a schema racebench did not create is refused (exit 2)" [ "$rb_rc" = 2 ]
check "the refusal says why and what to do" grep -q 'was not created by racebench.*--force-schema' "$TMP/r.txt.err"
check "the user's schema is intact" [ "$(psql_rb -c 'SELECT x FROM racebench.mine')" = 42 ]
run_rb "$TMP/f.txt" run --pg "$RACEBENCH_PG" -s double-tap -S none -i rc -t 2 --force-schema
check "--force-schema takes a schema racebench did not create (exit 0)" [ "$rb_rc" = 0 ]
check "... and drops it at the end, as its own" \
	[ "$(psql_rb -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'racebench'")" = 0 ]
psql_rb -c "DROP TABLE public.interest_asset"
