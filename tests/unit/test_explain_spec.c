/* test_explain_spec.c: explain's schedule language, spec files, and the pure text helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/explain.h"
#include "../../core/sql_text.h"
#include "../../base/util.h"

#define assert_contains(hay, needle) \
	do { \
		if (!strstr((hay), (needle))) \
			fail_msg("'%s' does not contain '%s'", (hay), (needle)); \
	} while (0)

static void sessions_good(void **state)
{
	struct ex_schedule s = { .nsessions = 0 };
	struct rb_err re;

	(void)state;
	assert_int_equal(ex_parse_sessions(&s, "A=0 B=1", &re), 0);
	assert_int_equal(s.nsessions, 2);
	assert_string_equal(s.sess[0].name, "A");
	assert_int_equal(s.sess[0].client, 0);
	assert_string_equal(s.sess[1].name, "B");
	assert_int_equal(s.sess[1].client, 1);
	/* Any order, longer names, tabs: the client decides the role. */
	assert_int_equal(ex_parse_sessions(&s, "  refund=1\tworker=0  second_w=2 ", &re), 0);
	assert_int_equal(s.nsessions, 3);
	assert_string_equal(s.sess[0].name, "refund");
	assert_int_equal(s.sess[0].client, 1);
	assert_int_equal(s.sess[2].client, 2);
}

static void sessions_bad(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "", "no sessions" },
		{ "A", "'A' is not a session (NAME=CLIENT" },
		{ "=0", "'=0' is not a session" },
		{ "A=x", "'A=x': the client must be a number from 0 to 3" },
		{ "A=", "'A=': the client must be a number" },
		{ "A=4", "'A=4': the client must be a number from 0 to 3" },
		{ "A=-1", "'A=-1': the client must be" },
		{ "A=0 A=1", "'A=1': session A named twice" },
		{ "A=0 B=0", "'B=0': client 0 is already a session" },
		{ "A=0 B=2", "no session is client 1: with 2 sessions the clients are 0 to 1" },
		{ "toolong123=0", "'toolong123=0' is not a session" },
		{ "A-b=0", "'A-b=0' is not a session" },
	};
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ex_schedule s;

		memset(&s, 0, sizeof(s));
		err[0] = '\0';
		assert_int_equal(ex_parse_sessions(&s, cases[i].text, &re), -1);
		assert_contains(err, cases[i].msg);
	}
}

static void steps_good_and_bad(void **state)
{
	struct ex_schedule s;
	struct rb_err re;
	char *err = re.msg, text[128];

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(ex_parse_sessions(&s, "A=0 B=1", &re), 0);
	assert_int_equal(ex_parse_steps(&s, "A:think B:think A:end", &re), 0);
	assert_int_equal(ex_parse_steps(&s, "B:step B:tail", &re), 0);
	assert_int_equal(s.nitems, 5);
	assert_int_equal(s.items[0].session, 0);
	assert_int_equal(s.items[0].point, EX_THINK);
	assert_int_equal(s.items[3].session, 1);
	assert_int_equal(s.items[3].point, EX_STEP);
	assert_int_equal(s.items[4].point, EX_TAIL);
	ex_steps_text(&s, text, sizeof(text));
	assert_string_equal(text, "A:think B:think A:end B:step B:tail");

	assert_int_equal(ex_parse_steps(&s, "C:think", &re), -1);
	assert_string_equal(err, "'C:think': no session C (sessions: A, B)");
	assert_int_equal(ex_parse_steps(&s, "A:ju!mp", &re), -1);
	assert_string_equal(err, "'A:ju!mp': unknown point 'ju!mp' (valid: think, tail, end, step, "
				 "or a statement's name)");
	/* a statement's name is a point too: run the session through that statement */
	s.nitems = 0;
	assert_int_equal(ex_parse_steps(&s, "A:read_status B:commit", &re), 0);
	assert_int_equal(s.items[0].point, EX_STMT);
	assert_string_equal(s.items[0].stmt, "read_status");
	assert_string_equal(s.items[1].stmt, "commit");
	ex_steps_text(&s, text, sizeof(text));
	assert_string_equal(text, "A:read_status B:commit");
	assert_int_equal(ex_parse_steps(&s, "A", &re), -1);
	assert_contains(err, "'A' is not a step (SESSION:POINT");
	assert_int_equal(ex_parse_steps(&s, "A:", &re), -1);
	assert_contains(err, "unknown point ''");
}

static void spec_file(void **state)
{
	static const char text[] = "# the refund race, by hand\r\n"
				   "scenario double-transfer   # the double-transfer incident\n"
				   "summary the refund wins, then the worker pays\n"
				   "\n"
				   "sessions worker=0 refund=1 late=2\n"
				   "steps worker:think refund:end\n"
				   "   steps worker:end   # then the second worker\n"
				   "steps late:end";
	struct ex_schedule s;
	struct rb_err re;

	(void)state;
	assert_int_equal(ex_spec_parse(&s, text, "dir/refund.spec", &re), 0);
	assert_string_equal(s.name, "refund");
	assert_string_equal(s.scenario, "double-transfer");
	assert_string_equal(s.summary, "the refund wins, then the worker pays");
	assert_int_equal(s.nsessions, 3);
	assert_int_equal(s.nitems, 4);
	assert_int_equal(s.items[1].session, 1);
	assert_int_equal(s.items[1].point, EX_END);
	assert_int_equal(s.items[3].session, 2);

	/* The scenario may come from the command line; a summary is made up. */
	assert_int_equal(ex_spec_parse(&s, "sessions A=0\nsteps A:end\n", "x", &re), 0);
	assert_string_equal(s.scenario, "");
	assert_string_equal(s.summary, "the schedule in x");
}

static void spec_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "sessions A=0 B=1\nsteps A:think\nstep B:think\n",
		  "f.spec:3: unknown line 'step' (valid: scenario, summary, sessions, steps; "
		  "# starts a comment)" },
		{ "# c\nsteps A:end\nsessions A=0\n",
		  "f.spec:2: 'steps' before the 'sessions' line" },
		{ "sessions A=0 B=1\n\nsteps A:think B:ju.mp\n",
		  "f.spec:3: 'B:ju.mp': unknown point 'ju.mp'" },
		{ "sessions A=0 B=2\nsteps A:end\n", "f.spec:1: no session is client 1" },
		{ "sessions A=0\nsessions B=0\n", "f.spec:2: a second 'sessions' line" },
		{ "scenario a b\n", "f.spec:1: 'scenario' takes one name" },
		{ "scenario\n", "f.spec:1: 'scenario' takes one name" },
		{ "scenario x\nscenario y\n", "f.spec:2: a second 'scenario' line" },
		{ "# nothing\n\n", "f.spec: no 'sessions' line" },
		{ "sessions A=0\n", "f.spec: no steps" },
		{ "", "f.spec: no 'sessions' line" },
	};
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ex_schedule s;

		err[0] = '\0';
		assert_int_equal(ex_spec_parse(&s, cases[i].text, "f.spec", &re), -1);
		assert_contains(err, cases[i].msg);
	}
}

static void spec_file_missing(void **state)
{
	struct ex_schedule s;
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	assert_int_equal(ex_spec_load(&s, "/nonexistent/x.spec", &re), -1);
	assert_contains(err, "--spec: cannot read schedule '/nonexistent/x.spec'");
}

/* Every scenario's own schedules parse, and the default comes first. */
static void scenario_schedules_parse(void **state)
{
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	for (int i = 0; scenario_builtins()[i]; i++) {
		const struct scenario *sc = scenario_builtins()[i];
		const struct sc_schedule *d = ex_schedule_find(sc, NULL);

		assert_non_null(d);
		assert_string_equal(d->name, "race");
		assert_ptr_equal(ex_schedule_find(sc, "serial"), ex_schedule_find(sc, "serial"));
		assert_non_null(ex_schedule_find(sc, "serial"));
		assert_null(ex_schedule_find(sc, "nope"));
		for (int k = 0; sc->schedules[k].name; k++) {
			struct ex_schedule s;

			if (ex_schedule_load(&s, sc, &sc->schedules[k], &re) != 0)
				fail_msg("%s", err);
			assert_true(s.nitems > 0);
			assert_string_equal(s.scenario, sc->name);
		}
	}
	assert_non_null(ex_schedule_find(scenario_find("double-transfer"), "refund-race"));
	assert_non_null(ex_schedule_find(scenario_find("double-transfer"), "both"));
}

static void sql_helpers(void **state)
{
	char label[96];

	(void)state;
	assert_int_equal(explain_sql_columns("SELECT id, assets FROM t WHERE a = 1"), 2);
	assert_int_equal(explain_sql_columns("SELECT c.quantity, (SELECT COUNT(*) FROM i WHERE "
					     "i.c = c.id) FROM coupon c"),
			 2);
	assert_int_equal(explain_sql_columns("select cardinality(pg_blocking_pids(1)) > 0"), 1);
	assert_int_equal(explain_sql_columns("INSERT INTO t (a, b) VALUES (1, 2)"), 0);
	assert_int_equal(
		explain_sql_columns("INSERT INTO t (a, b) VALUES (1, 'x, y') RETURNING id"), 1);
	assert_int_equal(explain_sql_columns("UPDATE t SET a = 1"), 0);
	assert_int_equal(explain_sql_columns("COMMIT"), 0);

	explain_stmt_label("SELECT id FROM account WHERE id = 0 FOR UPDATE", label, sizeof(label));
	assert_string_equal(label, "SELECT ... FROM account FOR UPDATE");
	explain_stmt_label("INSERT INTO interest_asset (account_id) VALUES (1) ON CONFLICT (x) DO "
			   "NOTHING",
			   label, sizeof(label));
	assert_string_equal(label, "INSERT INTO interest_asset ... ON CONFLICT");
	explain_stmt_label("UPDATE wallet SET balance = balance - 30 WHERE id = 0", label,
			   sizeof(label));
	assert_string_equal(label, "UPDATE wallet");
	explain_stmt_label("Redis lock double-tap:0 (SET NX, lease 30000 ms)", label,
			   sizeof(label));
	assert_string_equal(label, "Redis lock double-tap:0");
	explain_stmt_label("COMMIT", label, sizeof(label));
	assert_string_equal(label, "COMMIT");
}

static void ev(struct explain_result *r, enum ex_kind k, int sess, int step, const char *text,
	       const char *result, int waker)
{
	struct ex_event *e;

	r->ev = xrealloc(r->ev, (size_t)(r->nevents + 1) * sizeof(*r->ev));
	e = &r->ev[r->nevents++];
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->session = sess;
	e->step = step;
	e->text = xstrdup(text);
	e->result = result ? xstrdup(result) : NULL;
	e->waker = waker;
}

/* A lock wait and its release, told from the events alone. */
static void story_of_a_wait(void **state)
{
	struct explain_result r;
	struct rb_err re;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.strategy = "for-update-parent";
	assert_int_equal(ex_parse_sessions(&r.sched, "A=0 B=1", &re), 0);
	r.nkinds = 1;
	r.kinds[0] = "duplicates";
	ev(&r, EXE_STMT, 0, 1, "SELECT id FROM account WHERE id = 0 FOR UPDATE", "1 row: 0", -1);
	ev(&r, EXE_WAIT, 1, 1, "SELECT id FROM account WHERE id = 0 FOR UPDATE", NULL, -1);
	ev(&r, EXE_STMT, 0, 2, "COMMIT", "ok", -1);
	ev(&r, EXE_DONE, 1, 1, "SELECT id FROM account WHERE id = 0 FOR UPDATE", "1 row: 0", 2);
	ev(&r, EXE_END, 0, 0, "end: committed", NULL, -1);
	ev(&r, EXE_STMT, 1, 2, "COMMIT", "ok", -1);
	ev(&r, EXE_END, 1, 0, "end: committed", NULL, -1);
	explain_story(&r);
	assert_int_equal(r.nstory, 3);
	assert_string_equal(
		r.story[0],
		"B waited for a lock held by A at B1 (SELECT ... FROM account "
		"FOR UPDATE) until A2 (COMMIT) released it; then B1 went on: 1 row: 0.");
	assert_string_equal(r.story[1], "In the end A committed; B committed.");
	assert_string_equal(r.story[2], "The invariant held: no anomaly.");

	/* The same events with the check broken: the verdict follows the check. */
	r.anomalies[0] = 1;
	r.anomalous = 1;
	explain_story(&r);
	assert_string_equal(r.story[2], "The invariant broke: duplicates 1.");
	explain_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sessions_good),
		cmocka_unit_test(sessions_bad),
		cmocka_unit_test(steps_good_and_bad),
		cmocka_unit_test(spec_file),
		cmocka_unit_test(spec_errors_name_the_line),
		cmocka_unit_test(spec_file_missing),
		cmocka_unit_test(scenario_schedules_parse),
		cmocka_unit_test(sql_helpers),
		cmocka_unit_test(story_of_a_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
