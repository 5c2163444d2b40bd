/*
 * test_race.c: the race-file language with no database running: the
 * parser's answers to mistakes (FILE:LINE:COL), the interpreter's
 * arithmetic, text, null and loops (run in a check block on the fake
 * driver, whose statements answer what a test says), how strategies
 * resolve into operations, spellings per database, knobs and their
 * ranges, and the shipped races. What a database does with the SQL is
 * tested end to end, on real servers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../drivers/fake.h"
#include "../../scenarios/race.h"
#include "../../scenarios/scenario.h"

static struct race *parse(const char *text, struct rb_err *e)
{
	struct race *r = race_parse(text, strlen(text), "t.race", e);

	if (r)
		race_finish(r);
	return r;
}

static struct race *parse_ok(const char *text)
{
	struct rb_err e;
	struct race *r = parse(text, &e);

	if (!r)
		print_error("%s\n", e.msg);
	assert_non_null(r);
	return r;
}

/* The anomalies a race's check block counts, on the fake driver. */
static int check_counts(struct race *r, int keys, const long long *committed, long long *out,
			struct rb_err *e)
{
	const struct scenario *sc = race_scenario(r);
	struct db_opts dbo = { .dsn = "fake" };
	struct sc_params p = { .clients = 4, .keys = keys };
	struct db_conn *c = NULL;
	int rc;

	memset(out, 0, SC_MAX_KINDS * sizeof(*out));
	assert_int_equal(driver_fake.xConnect(&dbo, &c, e), 0);
	rc = sc->xCheck(sc, c, &p, committed, NULL, 0, out, e);
	driver_fake.xClose(c);
	return rc;
}

/* A statement's SQL for dialect d, without the spaces around it in the file. */
static const char *sql_of(const struct rsql *s, enum dialect d)
{
	static char buf[128];
	const char *p = s->piece[d][0].st.sql[0];
	size_t n;

	while (*p == ' ' || *p == '\n')
		p++;
	snprintf(buf, sizeof(buf), "%s", p);
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\n'))
		buf[--n] = '\0';
	return buf;
}

static int kind(const struct race *r, const char *name)
{
	for (int k = 0; k < r->nkinds; k++)
		if (!strcmp(r->kinds[k], name))
			return k;
	fail_msg("no anomaly kind %s", name);
	return -1;
}

#define HEAD                                                                                     \
	"race t\n"                                                                               \
	"operation { op { SELECT 1 } }\n"

/* ---- expressions ---- */

/* What `count x EXPR` counts in a check block, EXPR evaluated by the interpreter. */
static long long count_of(const char *expr)
{
	char text[512];
	struct race *r;
	long long a[SC_MAX_KINDS];
	struct rb_err e;

	snprintf(text, sizeof(text), HEAD "check { count x %s }\n", expr);
	r = parse_ok(text);
	fake_reset();
	if (check_counts(r, 1, NULL, a, &e) < 0)
		fail_msg("%s: %s", expr, e.msg);
	race_free(r);
	return a[0];
}

static void test_arithmetic_and_text(void **state)
{
	/* each is a comparison that counts 1 when the operator did its job */
	static const char *const holds[] = {
		"7 / 2 == 3",
		"-7 / 2 == -3", /* truncates, as C and SQL do */
		"7 % 3 == 1",
		"2 + 3 * 4 == 14",
		"(2 + 3) * 4 == 20",
		"10 - 3 - 2 == 5", /* left to right */
		"\"a\" || 1 || \"b\" == \"a1b\"",
		"1 || 2 == \"12\"",
		"null == null",
		"null != 0",
		"null + 1 == 1",
		"null || \"x\" == \"x\"",
		"max(3, 9) - min(3, 9) == 6",
		"abs(-5) == 5",
		"1 < 2 and not (2 < 1) or 0",
		"\"PENDING\" == \"PENDING\" and \"a\" != \"b\"",
		"1 <= 1 and 2 >= 1 and 2 > 1",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(holds) / sizeof(holds[0]); i++)
		if (count_of(holds[i]) != 1)
			fail_msg("'%s' counted %lld, want 1", holds[i], count_of(holds[i]));
	assert_int_equal(count_of("0 - 4"), 0); /* a negative count adds nothing */
	assert_int_equal(count_of("7"), 7);
	/* a number against text compares their texts */
	assert_int_equal(count_of("\"3\" == 3"), 1);
	assert_int_equal(count_of("\"10\" < 9"), 1);
}

static void test_null_ordered_is_an_error(void **state)
{
	struct race *r = parse_ok(HEAD "check { count x null < 1 }\n");
	long long a[SC_MAX_KINDS];
	struct rb_err e;

	(void)state;
	assert_int_equal(check_counts(r, 1, NULL, a, &e), -1);
	assert_non_null(strstr(e.msg, "null compared with <"));
	race_free(r);
}

static void test_division_by_zero_is_an_error(void **state)
{
	struct race *r = parse_ok(HEAD "check { let z = 0\n count x 1 / z }\n");
	long long a[SC_MAX_KINDS];
	struct rb_err e;

	(void)state;
	assert_int_equal(check_counts(r, 1, NULL, a, &e), -1);
	assert_non_null(strstr(e.msg, "division by zero"));
	race_free(r);
}

/* Values from the database: a whole number is a number, anything else text, NULL null. */
static void test_values_from_the_database(void **state)
{
	struct race *r = parse_ok(HEAD "check {\n"
				       "    read { READ } into n, t, z\n"
				       "    count plus_one n + 1 == 43\n"
				       "    count text t == \"4x\" and z == null\n"
				       "    count rows_seen rows\n"
				       "    none { NONE } into gone\n"
				       "    count no_row gone == null and rows == 0\n"
				       "}\n");
	long long a[SC_MAX_KINDS];
	struct rb_err e;

	(void)state;
	fake_reset();
	fake_answer("read", 1, 0, "42|4x|NULL;1|2|3", 0);
	fake_answer("none", 1, 0, "", 0);
	assert_int_equal(check_counts(r, 1, NULL, a, &e), 0);
	assert_int_equal(a[kind(r, "plus_one")], 1);
	assert_int_equal(a[kind(r, "text")], 1);
	assert_int_equal(a[kind(r, "rows_seen")], 2);
	assert_int_equal(a[kind(r, "no_row")], 1);
	race_free(r);
}

/* into set: the whole result as text; no rows is "", SQL NULL is null. */
static void test_into_set(void **state)
{
	struct race *r = parse_ok(HEAD "check {\n"
				       "    two { TWO } into set a\n"
				       "    none { NONE } into set b\n"
				       "    nul { NUL } into set c\n"
				       "    count sets a == \"(1,10),(2,20)\" and b == \"\" and c == \"(null,3)\"\n"
				       "}\n");
	long long a[SC_MAX_KINDS];
	struct rb_err e;

	(void)state;
	fake_reset();
	fake_answer("two", 1, 0, "1|10;2|20", 0);
	fake_answer("none", 1, 0, "", 0);
	fake_answer("nul", 1, 0, "NULL|3", 0);
	assert_int_equal(check_counts(r, 1, NULL, a, &e), 0);
	assert_int_equal(a[kind(r, "sets")], 1);
	race_free(r);
}

/* note: kept for the check only when the operation committed; the latest commit wins. */
static void test_notes(void **state)
{
	struct race *r = parse_ok("race t\n"
				  "operation { let v = client * 10 + 1\n note seen = v }\n"
				  "check { count committed_seen seen != null\n count value seen }\n");
	const struct scenario *sc = race_scenario(r);
	struct sc_params p = { .clients = 3, .keys = 1 };
	struct race_vm *vm[3];
	long long a[SC_MAX_KINDS];
	enum op_status st;
	struct rb_err e;
	struct db_opts dbo = { .dsn = "fake" };
	struct db_conn *c = NULL;

	(void)state;
	assert_int_equal(driver_fake.xConnect(&dbo, &c, &e), 0);
	for (int i = 0; i < 3; i++) {
		vm[i] = race_vm_new(r, &p);
		vm[i]->v[RV_CLIENT].type = 1;
		vm[i]->v[RV_CLIENT].i = i;
		assert_int_equal(race_exec(vm[i], c, &r->op, &st, &e), 0);
	}
	/* client 2 commits, then client 1; client 0 rolls back (no commit) */
	race_vm_commit(vm[2]);
	race_vm_commit(vm[1]);
	memset(a, 0, sizeof(a));
	assert_int_equal(sc->xCheck(sc, c, &p, NULL, (void **)vm, 3, a, &e), 0);
	assert_int_equal(a[kind(r, "committed_seen")], 1);
	assert_int_equal(a[kind(r, "value")], 11); /* client 1 committed last */
	/* the check took the notes: the next trial starts without them */
	memset(a, 0, sizeof(a));
	assert_int_equal(sc->xCheck(sc, c, &p, NULL, (void **)vm, 3, a, &e), 0);
	assert_int_equal(a[kind(r, "committed_seen")], 0);
	for (int i = 0; i < 3; i++)
		race_vm_free(vm[i]);
	driver_fake.xClose(c);
	race_free(r);
}

static void test_loops(void **state)
{
	struct race *r = parse_ok(HEAD "check {\n"
				       "    for row tally { TALLY } into id, v {\n"
				       "        count big v > 4\n"
				       "        count ids id\n"
				       "    }\n"
				       "    for key {\n"
				       "        count ok_ops committed\n"
				       "        if key % 2 == 1 { count branch 1 } else if key == 0 { count branch 10 } "
				       "else { count branch 100 }\n"
				       "    }\n"
				       "}\n");
	long long a[SC_MAX_KINDS], committed[3] = { 1, 2, 3 };
	struct rb_err e;

	(void)state;
	fake_reset();
	fake_answer("tally", 1, 0, "1|5;2|0;3|7", 0);
	assert_int_equal(check_counts(r, 3, committed, a, &e), 0);
	assert_int_equal(a[kind(r, "big")], 2);
	assert_int_equal(a[kind(r, "ids")], 6);
	assert_int_equal(a[kind(r, "ok_ops")], 6);
	assert_int_equal(a[kind(r, "branch")], 111); /* key 1 odd, key 0, key 2 else */
	race_free(r);
}

/* ---- mistakes: each names FILE:LINE:COL and what was wrong ---- */

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "t.race:1:1: an empty file" },
		{ "# only a comment\n", "t.race:1:1: an empty file" },
		{ "race t\nx\001", "t.race:2:2: a control character (byte 0x01)" },
		{ "race t\n\n  a\0b", "t.race:3:4: a NUL byte" },
		{ "operation { a { A } }", "t.race:1:1: expected 'race NAME' first" },
		{ "race t\nrace u\n", "t.race:2:1: a second 'race' line" },
		{ HEAD, "no invariant" },
		{ HEAD "check { count x nope }\n", "t.race:3:17: unknown name 'nope'" },
		{ "race t\noperation { op { SELECT :qty } }\ncheck { count x 1 }\n",
		  "t.race:2:25: unknown name 'qty'" },
		{ "race t\noperation { op { SELECT ? } }\ncheck { count x 1 }\n",
		  "t.race:2:25: statement op: a '?' in SQL" },
		{ "race t\noperation {\n op { SELECT 1 }\n", "t.race:2:11: the operation block opened here is not closed" },
		{ "race t\noperation { op { SELECT 1 }\n", "is not closed" },
		{ "race t\noperation { op { SELECT '1 }\n", "no '}' closes" },
		{ HEAD "check { count x 1 }\nstrategy atomic { op { A } }\nstrategy atomic { op { B } }\n",
		  "t.race:5:10: strategy atomic defined twice" },
		{ HEAD "check { count x 1 }\nstrategy for-updat { op { A } }\n",
		  "t.race:4:10: unknown strategy 'for-updat'" },
		{ HEAD "check { count x 1 }\nstrategy atomic { before nope { x { X } } }\n",
		  "'before/after nope', but the operation has no statement of that name" },
		{ "race t\noperation { op { SELECT 1 }\n count x 1 }\ncheck { count x 1 }\n",
		  "t.race:3:2: 'count' belongs in the check block" },
		{ HEAD "knob n = 1\nknob n = 2\ncheck { count x 1 }\n", "knob n declared twice" },
		{ HEAD "knob n = 1 min 0 min 1\ncheck { count x 1 }\n", "knob n: a second 'min'" },
		{ HEAD "check { let key = 1\n count x 1 }\n", "'key' is racebench's own name" },
		{ HEAD "check { for row t { T } { count x 1 } }\n", "'into' and the names" },
		{ HEAD "check { count x 1 }\nfrobnicate\n", "t.race:4:1: expected a declaration" },
		{ HEAD "check { op { A } pg { B } pg { C }\n count x 1 }\n", "statement op: pg spelt twice" },
		{ HEAD "check { note n = 1\n count x 1 }\n", "t.race:3:9: 'note' belongs in the operation" },
		{ HEAD "check { count x 1 }\nschedule s { sessions A=0\n steps A:nope }\n",
		  "t.race:4:1: schedule s: step A:nope names no statement" },
		{ HEAD "check { count x 1 }\nschedule s { sessions A=0 B=2\n steps A:op }\n",
		  "t.race:4:1: schedule s: no session is client 1" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rb_err e;
		size_t len = strlen(cases[i].text);
		struct race *r;

		/* the NUL case holds a NUL: measure it by hand */
		if (strstr(cases[i].want, "NUL byte"))
			len = sizeof("race t\n\n  a\0b") - 1;
		r = race_parse(cases[i].text, len, "t.race", &e);
		if (r) {
			race_free(r);
			fail_msg("case %zu parsed; want '%s'", i, cases[i].want);
		}
		if (!strstr(e.msg, cases[i].want))
			fail_msg("case %zu: '%s', want '%s'", i, e.msg, cases[i].want);
		assert_true(e.input);
	}
}

/* ---- strategies ---- */

static void test_strategy_resolution(void **state)
{
	struct race *r = parse_ok("race t\n"
				  "operation {\n"
				  "    a { A }\n"
				  "    b { B }\n"
				  "}\n"
				  "strategy for-update {\n"
				  "    a { A2 }\n"
				  "    before b { x { X } }\n"
				  "    after b { y { Y } }\n"
				  "    at start { s { S } }\n"
				  "    at end { e { E } }\n"
				  "}\n"
				  "strategy atomic { operation { one { ONE } } }\n"
				  "strategy optimistic n/a \"nothing to version\"\n"
				  "check { count x 1 }\n");
	const struct scenario *sc = race_scenario(r);
	const struct rblock *b = &r->resolved[ST_FOR_UPDATE];
	static const char *const names[] = { "s", "a", "x", "b", "y", "e" };

	(void)state;
	assert_int_equal(b->n, 6);
	for (int i = 0; i < 6; i++)
		assert_string_equal(b->s[i]->sql->name, names[i]);
	assert_string_equal(sql_of(b->s[1]->sql, DIALECT_PG), "A2");
	/* the base operation is untouched */
	assert_string_equal(sql_of(r->resolved[ST_NONE].s[0]->sql, DIALECT_PG), "A");
	assert_int_equal(r->resolved[ST_ATOMIC].n, 1);
	assert_null(sc->xFits(sc, ST_FOR_UPDATE, DIALECT_PG));
	assert_null(sc->xFits(sc, ST_SERIALIZABLE, DIALECT_PG));
	assert_null(sc->xFits(sc, ST_REDIS_WIDE, DIALECT_MYSQL));
	assert_string_equal(sc->xFits(sc, ST_OPTIMISTIC, DIALECT_PG), "nothing to version");
	assert_non_null(strstr(sc->xFits(sc, ST_SKIP_LOCKED, DIALECT_PG), "does not define"));
	assert_non_null(strstr(sc->xFits(sc, ST_REDIS_LATE, DIALECT_PG), "parent TABLE"));
	assert_non_null(strstr(sc->xFits(sc, ST_REDIS_EXPIRY_FENCED, DIALECT_PG), "fence"));
	race_free(r);
}

/* ---- spellings per database ---- */

static void test_spellings(void **state)
{
	struct race *r = parse_ok("race t\n"
				  "operation {\n"
				  "    shared { SHARED } pg { PG }\n"
				  "    both { SHARED2 } mysql { MY }\n"
				  "    only pg { PGONLY }\n"
				  "}\n"
				  "check { count x 1 }\n");
	const struct rblock *op = &r->op;
	struct rb_err e;

	(void)state;
	/* a dialect's own spelling replaces the shared one there only */
	assert_string_equal(sql_of(op->s[0]->sql, DIALECT_PG), "PG");
	assert_string_equal(sql_of(op->s[0]->sql, DIALECT_MYSQL), "SHARED");
	assert_string_equal(sql_of(op->s[1]->sql, DIALECT_PG), "SHARED2");
	assert_string_equal(sql_of(op->s[1]->sql, DIALECT_MYSQL), "MY");
	/* a statement spelt for pg only: fine on pg, refused for mysql, where it is */
	assert_int_equal(race_spelt(r, DIALECT_PG, &e), 0);
	assert_int_equal(race_spelt(r, DIALECT_MYSQL, &e), -1);
	assert_true(e.input);
	assert_non_null(strstr(e.msg, "t.race:5:10: statement only has no spelling for mysql"));
	race_free(r);
}

/* ---- knobs ---- */

static void test_knobs(void **state)
{
	struct race *r = parse_ok(HEAD "knob q = max(1, clients / 2) \"help\" explain 1 min 0 max 10\n"
				       "check { count x q }\n");
	struct sc_params p = { .clients = 8, .keys = 1 };
	long long v;
	struct rb_err e;

	(void)state;
	assert_int_equal(race_knob(r, "q", &p, &v), 0);
	assert_int_equal(v, 4);
	p.clients = 1;
	assert_int_equal(race_knob(r, "q", &p, &v), 0);
	assert_int_equal(v, 1);
	p.explain = 1;
	assert_int_equal(race_knob(r, "q", &p, &v), 0);
	assert_int_equal(v, 1);
	p.explain = 0;
	p.nset = 1;
	snprintf(p.set[0].name, sizeof(p.set[0].name), "q");
	p.set[0].value = 7;
	assert_int_equal(race_knob(r, "q", &p, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(race_knobs_check(r, &p, &e), 0);
	p.set[0].value = 11;
	assert_int_equal(race_knobs_check(r, &p, &e), -1);
	assert_true(e.input);
	assert_non_null(strstr(e.msg, "t.race:3:1: knob q of t is 11; it must be from 0 to 10"));
	assert_int_equal(race_knob(r, "nope", &p, &v), -1);
	race_free(r);
}

/* ---- the shipped races ---- */

static void test_builtins(void **state)
{
	const struct scenario *const *b = scenario_builtins();
	static const char *const names[] = { "double-tap", "duplicate-settlement", "negative-balance",
					     "coupon-oversell", "double-transfer" };

	(void)state;
	assert_int_equal(scenario_count(), 5);
	for (int i = 0; i < 5; i++) {
		struct sc_params p = { .clients = 4, .keys = 1 };
		struct rb_err e;

		assert_string_equal(b[i]->name, names[i]);
		assert_true(b[i]->builtin);
		assert_true(sc_nkinds(b[i]) > 0);
		assert_non_null(b[i]->incident);
		assert_non_null(b[i]->schedules);
		assert_int_equal(b[i]->xKnobsCheck(b[i], &p, &e), 0);
		assert_int_equal(b[i]->xSpelt(b[i], DIALECT_PG, &e), 0);
		assert_int_equal(b[i]->xSpelt(b[i], DIALECT_MYSQL, &e), 0);
	}
}

/* racebench isolation's tests: fifteen, each with one schedule whose steps name its statements. */
static void test_isolation_tests(void **state)
{
	const struct scenario *const *t = scenario_isolation_tests();
	int n = 0;

	(void)state;
	for (; t[n]; n++) {
		struct rb_err e;

		assert_non_null(t[n]->schedules);
		assert_non_null(t[n]->schedules[0].name);
		assert_int_equal(sc_nkinds(t[n]), 1);
		assert_int_equal(t[n]->xSpelt(t[n], DIALECT_PG, &e), 0);
		assert_int_equal(t[n]->xSpelt(t[n], DIALECT_MYSQL, &e), 0);
	}
	assert_int_equal(n, 15);
	assert_string_equal(t[0]->name, "g0");
	assert_string_equal(t[14]->name, "read-only");
}

static void test_examples(void **state)
{
	static const char *const files[] = { "examples/races/idempotency-key.race",
					     "examples/races/seat-reservation.race" };

	(void)state;
	for (int i = 0; i < 2; i++) {
		struct rb_err e;
		struct race *r = race_load(files[i], &e);

		if (!r)
			fail_msg("%s: %s", files[i], e.msg);
		race_finish(r);
		assert_int_equal(race_spelt(r, DIALECT_PG, &e), 0);
		assert_int_equal(race_spelt(r, DIALECT_MYSQL, &e), 0);
		race_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arithmetic_and_text),
		cmocka_unit_test(test_division_by_zero_is_an_error),
		cmocka_unit_test(test_null_ordered_is_an_error),
		cmocka_unit_test(test_values_from_the_database),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_into_set),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_strategy_resolution),
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_knobs),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_isolation_tests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
