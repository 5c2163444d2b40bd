/* test_gate.c: expectations files, gate evaluation, baselines, and the JSON round trip. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../core/gate.h"
#include "../../core/result_read.h"
#include "../../cli/opts.h"
#include "../../reports/report.h"

/* Parses text as the expectations file "exp.txt"; returns gate_parse's result. */
static int parse_text(struct gate *g, const char *text, struct rb_err *e)
{
	return gate_parse(g, "exp.txt", text, strlen(text), e);
}

/*
 * A run as racebench would have measured it on PostgreSQL: the double tap
 * at rc under four strategies (one n/a), and two cells at ser.
 */
static void model(struct run_result *r)
{
	struct cell_result *c;

	memset(r, 0, sizeof(*r));
	r->mode = "race";
	r->started_at = 1700000000;
	r->wall_seconds = 1.25;
	r->seed = 42;
	r->clients = 8;
	r->trials = 10;
	r->keys = 1;
	r->retries = 10;
	r->think_ms = 1;
	r->tail_ms = 1;
	knob_set_add(&r->knobs, "quantity", 4);
	knob_set_add(&r->knobs, "balance", 100);
	knob_set_add(&r->knobs, "price", 30);
	knob_set_add(&r->knobs, "amount", 100);
	r->nservers = 1;
	r->servers[0].db = "pg";
	strcpy(r->servers[0].info.product, "PostgreSQL");
	strcpy(r->servers[0].info.version, "15.18");
	r->servers[0].info.nsettings = 2;
	strcpy(r->servers[0].info.settings[0].name, "fsync");
	strcpy(r->servers[0].info.settings[0].value, "off");
	strcpy(r->servers[0].info.settings[1].name, "deadlock_timeout");
	strcpy(r->servers[0].info.settings[1].value, "50ms");
	r->servers[0].throwaway = 1;
	strcpy(r->servers[0].dsn, "host=/tmp/x port=5");

	/* 0: none at rc: the race. */
	c = result_add_cell(r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "none";
	c->iso = c->eff_iso = RB_ISO_RC;
	c->verdict = V_ANOMALY;
	c->nkinds = 2;
	c->kinds[0] = "duplicates", c->kinds[1] = "lost_updates";
	c->anomalies[0] = 70, c->anomalies[1] = 3;
	c->trials = 10, c->anomalous_trials = 9;
	c->ops = c->done = 80;
	c->lat = (struct lat_summary){ 80, 2779, 3095, 7670, 7670, 7670, 3136.9875 };
	c->seconds = 0.0385;
	c->throughput = 2268.4;
	/* 1: for-update-parent at rc: safe, slower. */
	c = result_add_cell(r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "for-update-parent";
	c->iso = c->eff_iso = RB_ISO_RC;
	c->verdict = V_SAFE;
	c->nkinds = 2;
	c->kinds[0] = "duplicates", c->kinds[1] = "lost_updates";
	c->trials = 10;
	c->ops = c->done = 80;
	c->lat = (struct lat_summary){ 80, 11583, 19583, 22494, 22494, 22494, 11721.425 };
	c->seconds = 0.2115;
	c->throughput = 383.2;
	/* 2: check-after does not fit the double tap. */
	c = result_add_cell(r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "check-after";
	c->iso = c->eff_iso = RB_ISO_RC;
	c->verdict = V_NA;
	c->na_reason = "a watch list has none to re-read";
	/* 3: atomic at ser: serialization failures reached users. */
	c = result_add_cell(r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "atomic";
	c->iso = c->eff_iso = RB_ISO_SER;
	c->verdict = V_ERRORS;
	c->nkinds = 2;
	c->kinds[0] = "duplicates", c->kinds[1] = "lost_updates";
	c->trials = 10;
	c->ops = 80, c->done = 78, c->failed = 2, c->retries = 12;
	c->errors[RB_CLS_SERIALIZATION] = 14;
	c->failures[RB_CLS_SERIALIZATION] = 2;
	strcpy(c->examples[RB_CLS_SERIALIZATION], "could not serialize access");
	c->lat = (struct lat_summary){ 78, 1613, 1900, 2131, 2131, 2131, 1700.5 };
	c->seconds = 0.02;
	c->throughput = 4315.0;
	/* 4: redis-wide at ser: a lock cell. */
	c = result_add_cell(r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "redis-wide";
	c->iso = c->eff_iso = RB_ISO_SER;
	c->verdict = V_SAFE;
	c->nkinds = 2;
	c->kinds[0] = "duplicates", c->kinds[1] = "lost_updates";
	c->trials = 10;
	c->ops = c->done = 80;
	c->has_lock = 1;
	c->lock_wait = (struct lat_summary){ 80, 100, 200, 300, 300, 300, 150.25 };
	c->lock_timeouts = 1;
	c->lat = (struct lat_summary){ 80, 5000, 6000, 9000, 9000, 9000, 5500.5 };
	c->seconds = 0.1;
	c->throughput = 800;
}

static void good_files(void **state)
{
	struct gate g;
	struct rb_err re;

	(void)state;
	gate_init(&g);
	assert_int_equal(
		parse_text(
			&g,
			"# the team's contract\n"
			"\n"
			"pg  rc  *  for-update-parent   verdict == safe   # trailing comment\n"
			"  *  *  *  atomic   anomalies == 0, p99 < 50ms\n"
			"pg rc double-tap none,for-update* verdict in safe,errors, rate <= 5%\r\n"
			"* r? * redis-* p999<1.5s,throughput>=1000ops/s,mean<=800us\n"
			"* * * none anomalies.duplicates > 0, errors.deadlock == 0, deadlocks == 0, "
			"failures.version-conflict == 0, reproduction_rate >= 0.5\n",
			&re),
		0);
	assert_int_equal(g.nexp, 5);
	assert_int_equal(g.exp[0].line, 3);
	assert_string_equal(g.exp[0].pat[3], "for-update-parent");
	assert_int_equal(g.exp[0].ncond, 1);
	assert_string_equal(g.exp[0].cond[0].text, "verdict == safe");
	assert_int_equal(g.exp[0].cond[0].verdicts, 1u << V_SAFE);
	assert_int_equal(g.exp[1].line, 4);
	assert_int_equal(g.exp[1].ncond, 2);
	assert_true(g.exp[1].cond[1].value == 50000.0);
	assert_string_equal(g.exp[1].cond[1].text, "p99 < 50ms");
	assert_string_equal(g.exp[2].pat[3], "none,for-update*");
	assert_int_equal(g.exp[2].cond[0].op, GATE_IN);
	assert_int_equal(g.exp[2].cond[0].verdicts, (1u << V_SAFE) | (1u << V_ERRORS));
	assert_string_equal(g.exp[2].cond[0].text, "verdict in safe,errors");
	assert_true(g.exp[2].cond[1].value == 0.05);
	assert_true(g.exp[3].cond[0].value == 1500000.0);
	assert_int_equal(g.exp[3].cond[1].op, GATE_GE);
	assert_true(g.exp[3].cond[1].value == 1000.0);
	assert_true(g.exp[3].cond[2].value == 800.0);
	assert_int_equal(g.exp[4].ncond, 5);
	assert_string_equal(g.exp[4].cond[0].kind, "duplicates");
	assert_int_equal(g.exp[4].cond[1].sub, RB_CLS_DEADLOCK);
	assert_int_equal(g.exp[4].cond[2].sub, RB_CLS_DEADLOCK);
	assert_int_equal(g.exp[4].cond[3].sub, FR_CONFLICT);
	gate_release(&g);
}

struct bad {
	const char *line;
	const char *msg; /* the message must contain this */
};

/* Each is line 3 of a file, after a comment and a good line. */
static const struct bad bads[] = {
	{ "verdict == safe", "a line is DB ISOLATION SCENARIO STRATEGY" },
	{ "pg rc *", "(got 3 words)" },
	{ "pg rc * none", "no condition after the pattern" },
	{ "pq rc * none verdict == safe", "unknown database 'pq' (valid: pg" },
	{ "pg RC * none verdict == safe", "unknown isolation level 'RC' (valid: ru, rc, rr, ser" },
	{ "pg rc double_tap none verdict == safe", "unknown scenario 'double_tap'" },
	{ "pg rc * nnoe verdict == safe", "unknown strategy 'nnoe' (valid: none, for-update" },
	{ "pg rc * redsi-* verdict == safe", "strategy pattern 'redsi-*' matches no strategy" },
	{ "pg, rc * none verdict == safe", "database pattern 'pg,' has an empty item" },
	{ "pg rc * none p98 < 5ms", "unknown field 'p98' (valid: verdict, anomalies" },
	{ "pg rc * none p99 < 50", "'p99 < 50': a latency needs a unit (us, ms, s)" },
	{ "pg rc * none p99 < 50 ms", "'p99 < 50': a latency needs a unit" },
	{ "pg rc * none p99 < 50ms ms",
	  "expected ',' or the end of the line after 'p99 < 50ms', got 'ms'" },
	{ "pg rc * none p99 < 5min", "'p99': '5min' is not a duration" },
	{ "pg rc * none p99 < -5ms", "'p99': '-5ms' is not a duration" },
	{ "pg rc * none verdict = safe", "'=' is not an operator; did you mean '=='?" },
	{ "pg rc * none verdict < safe", "a verdict is not ordered (valid operators: ==, !=, in)" },
	{ "pg rc * none verdict == fine", "unknown verdict 'fine' (valid: safe, anomaly, errors" },
	{ "pg rc * none verdict in safe, eror", "'eror' is neither a verdict" },
	{ "pg rc * none anomalies in 0", "'in' is for verdicts only" },
	{ "pg rc * none anomalies => 0", "'=>' is not an operator (valid: ==, !=, <, <=, >, >=)" },
	{ "pg rc * none anomalies", "'anomalies' needs an operator and a value" },
	{ "pg rc * none anomalies ==", "'anomalies ==' needs a value" },
	{ "pg rc * none anomalies == 0.5", "'anomalies': '0.5' is not a whole number" },
	{ "pg rc * none anomalies == none", "'anomalies': 'none' is not a whole number" },
	{ "pg rc * none anomalies.dupes == 0",
	  "unknown anomaly kind 'dupes' in 'anomalies.dupes' (valid: duplicates" },
	{ "pg rc * none errors.deadlocks == 0",
	  "unknown error class 'deadlocks' in 'errors.deadlocks' (valid: deadlock, serialization" },
	{ "pg rc * none failures.timeout == 0", "unknown failure reason 'timeout'" },
	{ "pg rc * none rate < 200%",
	  "'rate': '200%' is not a fraction from 0 to 1 or a percentage" },
	{ "pg rc * none throughput > fast",
	  "'throughput': 'fast' is not a rate in operations per second" },
	{ "pg rc * none anomalies == 0,", "a condition is missing after ','" },
	{ "pg rc * none anomalies == 0 p99 < 5ms",
	  "expected ',' or the end of the line after 'anomalies == 0', got 'p99'" },
	{ "pg rc * none , anomalies == 0", "expected a field, got ','" },
};

static void bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char text[512];
		struct rb_err re;
		char *err = re.msg;
		struct gate g;
		int rc;

		gate_init(&g);
		snprintf(text, sizeof(text), "# header\npg rc * none verdict == anomaly\n%s\n",
			 bads[i].line);
		rc = parse_text(&g, text, &re);
		if (rc != -1 || strncmp(err, "exp.txt:3: ", 11) || !strstr(err, bads[i].msg)) {
			print_error("'%s': rc %d, message '%s', want 'exp.txt:3: ...%s'\n",
				    bads[i].line, rc, err, bads[i].msg);
			fail();
		}
		gate_release(&g);
	}
}

/*
 * Every byte is parsed or refused: a bare CR or a NUL byte must not end a
 * line early and hide what follows (an expectation, a condition).
 */
static void stray_bytes(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		const char *msg;
	} cases[] = {
#define T(s) s, sizeof(s) - 1
		{ T("pg rc * atomic verdict == safe\rpg rc * none verdict == safe\n"),
		  "exp.txt:1: a carriage return at column 31" },
		{ T("pg rc * none verdict == anomaly\npg rc * atomic verdict == safe\0, anomalies > "
		    "100\n"),
		  "exp.txt:2: a NUL byte at column 31" },
		{ T("# a comment\0 with a NUL\npg rc * none verdict == anomaly\n"),
		  "exp.txt:1: a NUL byte" },
		{ T("pg rc * none verdict == anomaly,\r anomalies > 0\n"),
		  "exp.txt:1: a carriage return at column 33" },
		{ T("pg rc * none verdict == anomaly\f\n"), "exp.txt:1: control character 0x0c" },
		{ T("pg rc * none\x1b[31m verdict == anomaly\n"), "control character 0x1b" },
		{ T("pg\vrc * none verdict == anomaly\n"), "control character 0x0b" },
#undef T
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate g;
		struct rb_err re = { .msg = "" };
		char *err = re.msg;
		int rc;

		gate_init(&g);
		rc = gate_parse(&g, "exp.txt", cases[i].text, cases[i].len, &re);
		if (rc != -1 || !strstr(err, cases[i].msg)) {
			print_error("case %zu: rc %d, message '%s', want '%s'\n", i, rc, err,
				    cases[i].msg);
			fail();
		}
		gate_release(&g);
	}
}

/* CRLF line ends, with or without a final newline, are plain text. */
static void crlf_files(void **state)
{
	static const char text[] = "# windows\r\npg rc * none verdict == anomaly\r\n"
				   "pg rc * atomic verdict == safe\r";
	struct gate g;
	struct rb_err re;

	(void)state;
	gate_init(&g);
	assert_int_equal(gate_parse(&g, "exp.txt", text, sizeof(text) - 1, &re), 0);
	assert_int_equal(g.nexp, 2);
	assert_string_equal(g.exp[1].cond[0].text, "verdict == safe");
	gate_release(&g);
}

static void empty_and_missing_files(void **state)
{
	struct gate g;
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	gate_init(&g);
	assert_int_equal(parse_text(&g, "# only a comment\n\n   \n", &re), -1);
	assert_non_null(strstr(err, "exp.txt: no expectations in the file"));
	gate_release(&g);
	gate_init(&g);
	assert_int_equal(gate_load(&g, "/nonexistent/exp.txt", &re), -1);
	assert_non_null(strstr(err, "cannot read expectations file '/nonexistent/exp.txt'"));
	gate_release(&g);
}

/* Evaluates text against the model; returns the number broken, r kept for checks. */
static int eval_text(const char *text, struct gate *g, struct run_result *r)
{
	struct rb_err re;
	char *err = re.msg;

	gate_init(g);
	model(r);
	if (parse_text(g, text, &re) < 0) {
		print_error("parse: %s\n", err);
		fail();
	}
	return gate_eval(g, r);
}

/* Whether some finding of the gate contains s (in where or what). */
static int found(const struct gate *g, const char *s)
{
	for (int i = 0; i < g->nfind; i++) {
		char line[300];

		snprintf(line, sizeof(line), "%s: %s", g->find[i].where, g->find[i].what);
		if (strstr(line, s))
			return 1;
	}
	return 0;
}

static void evaluation_holds(void **state)
{
	struct run_result r;
	struct gate g;

	(void)state;
	/* Every figure on the side of its bound that the model's numbers are. */
	assert_int_equal(
		eval_text(
			"pg rc * for-update-parent verdict == safe, anomalies == 0, p99 < 50ms, p50 <= 11583us\n"
			"pg rc * none verdict == anomaly, anomalies == 73, anomalies.duplicates >= 70, "
			"anomalies.lost_updates == 3, anomalous_trials == 9, rate == 90%, rate > 0.5\n"
			"pg ser * atomic verdict in safe,errors, errors == 14, errors.serialization == 14, "
			"failed == 2, failures == 2, failures.serialization == 2, retries == 12, "
			"deadlocks == 0, committed == 78, ops == 80, declined == 0, trials == 10\n"
			"* * * * throughput > 100, throughput > 100ops/s, max < 1s, p90 < 20ms, "
			"p999 <= 22494us, mean < 12ms\n"
			"* ser * redis-* lock_timeouts == 1, leases_expired == 0\n"
			"* * * check-after verdict == n/a\n"
			"* * * none verdict != safe\n",
			&g, &r),
		0);
	assert_int_equal(r.gated, 1);
	assert_int_equal(r.gate_failed, 0);
	for (int i = 0; i < r.ncells; i++)
		assert_int_equal(r.cells[i].nbroken, 0);
	/* The n/a cell was skipped by the figures of line 4, not counted as checked. */
	assert_int_equal(g.exp[3].matched, 5);
	assert_int_equal(g.exp[3].matched_na, 1);
	assert_int_equal(g.exp[3].cond[0].checked, 4);
	gate_release(&g);
	result_release(&r);
}

static void evaluation_breaks(void **state)
{
	struct run_result r;
	struct gate g;
	int n;

	(void)state;
	n = eval_text(
		"pg rc * none verdict == safe\n"		 /* 1 */
		"* * * for-update* p99 < 20ms, anomalies == 0\n" /* 2: p99 22.5ms */
		"pg rr * * verdict == safe\n"			 /* 3: no rr cell */
		"* * * check-after verdict == safe\n"		 /* 4: only n/a */
		"* * * for-update-parent lock_timeouts == 0\n"	 /* 5: no lock figures */
		"pg ser * atomic verdict in safe,anomaly, errors.serialization < 14\n" /* 6 */
		"* * * check-after verdict != n/a\n"				       /* 7 */
		"pg rc * none rate < 50%, throughput < 1000ops/s, p50 > 1s, anomalies.duplicates == 0\n",
		&g, &r);
	assert_int_equal(n, g.nfind);
	assert_true(found(&g, "exp.txt:1: verdict anomaly, expected safe"));
	assert_true(found(&g, "exp.txt:2: p99 22.5ms > 20ms"));
	assert_true(found(&g, "exp.txt:3: matched no cell: pg rr * *"));
	assert_true(found(&g, "exp.txt:4: matched only n/a cells (1)"));
	assert_true(found(
		&g, "exp.txt:5: 'lock_timeouts == 0' applies to none of the 1 matched cells"));
	assert_true(found(&g, "exp.txt:6: verdict errors, expected one of safe,anomaly"));
	assert_true(found(&g, "exp.txt:6: errors.serialization 14 == 14"));
	assert_true(found(&g, "exp.txt:7: verdict n/a, expected not n/a"));
	assert_true(found(&g, "exp.txt:8: rate 90% > 50%"));
	assert_true(found(&g, "exp.txt:8: throughput 2268 ops/s > 1000ops/s"));
	assert_true(found(&g, "exp.txt:8: p50 2.78ms < 1s"));
	assert_true(found(&g, "exp.txt:8: anomalies.duplicates 70 != 0"));
	assert_int_equal(n, 12);
	assert_int_equal(r.gate_failed, 1);
	/* Findings land on their cells; those about no cell on the run. */
	assert_int_equal(r.cells[0].nbroken, 5); /* more than MAX_BROKEN kept */
	assert_string_equal(r.cells[0].broken[0], "exp.txt:1: verdict anomaly, expected safe");
	assert_int_equal(r.cells[1].nbroken, 1);
	assert_string_equal(r.cells[1].broken[0], "exp.txt:2: p99 22.5ms > 20ms");
	assert_int_equal(r.cells[2].nbroken, 1);
	assert_int_equal(r.cells[3].nbroken, 2);
	assert_int_equal(r.nbroken, 3);
	assert_string_equal(r.broken[0], "exp.txt:3: matched no cell: pg rr * *");
	/* Evaluating again starts afresh. */
	assert_int_equal(gate_eval(&g, &r), n);
	assert_int_equal(r.cells[0].nbroken, 5);
	gate_release(&g);
	result_release(&r);
}

static void summary_text(void **state)
{
	struct run_result r;
	struct gate g;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	eval_text("pg rc * none verdict == safe\n", &g, &r);
	f = open_memstream(&buf, &len);
	gate_summary(f, &g, &r, 0);
	fclose(f);
	assert_non_null(strstr(buf, "gate: FAILED: 1 broken (exp.txt: 1 expectation)\n"));
	assert_non_null(strstr(
		buf, "  exp.txt:1: pg rc double-tap none: verdict anomaly, expected safe\n"));
	free(buf);
	gate_release(&g);
	result_release(&r);

	eval_text("pg rc * none verdict == anomaly\n", &g, &r);
	f = open_memstream(&buf, &len);
	gate_summary(f, &g, &r, 0);
	gate_summary(f, &g, &r, 1); /* quiet: nothing when all held */
	fclose(f);
	assert_string_equal(buf, "gate: ok (exp.txt: 1 expectation)\n");
	free(buf);
	gate_release(&g);
	result_release(&r);
}

static void baseline(void **state)
{
	struct gate_tolerance tol = GATE_TOLERANCE_DEFAULT;
	struct run_result r, b;
	struct gate g;

	(void)state;
	/* A run compared with itself holds at any non-negative tolerance. */
	model(&r);
	model(&b);
	gate_init(&g);
	gate_set_baseline(&g, "b.json", &b, &tol);
	assert_int_equal(gate_eval(&g, &r), 0);
	assert_int_equal(g.base_compared, 4); /* the n/a cell is not compared */

	/* Within tolerance: p99 +50% and +5ms allowed, throughput -30%. */
	r.cells[1].lat.p99 = 22494 * 3 / 2; /* +50%: not more */
	r.cells[1].throughput = 383.2 * 0.71;
	r.cells[0].lat.p99 = 7670 + 4900; /* +64% but under the 5ms floor */
	assert_int_equal(gate_eval(&g, &r), 0);

	/* Past it. */
	r.cells[1].lat.p99 = 40000;
	r.cells[1].throughput = 200;
	r.cells[0].lat.p99 = 7670 + 5100;
	r.cells[3].verdict = V_ANOMALY; /* errors -> anomaly: worse */
	r.cells[4].verdict = V_ERRORS;	/* safe -> errors: worse */
	assert_int_equal(gate_eval(&g, &r), 5);
	assert_true(found(&g, "baseline b.json: p99 40.0ms > 22.5ms +50%"));
	assert_true(found(&g, "baseline b.json: throughput 200 ops/s < 383 ops/s -30%"));
	assert_true(found(&g, "baseline b.json: p99 12.8ms > 7.67ms +50%"));
	assert_true(found(&g, "baseline b.json: verdict anomaly, was errors"));
	assert_true(found(&g, "baseline b.json: verdict errors, was safe"));
	assert_string_equal(r.cells[1].broken[0], "baseline b.json: p99 40.0ms > 22.5ms +50%");

	/* Better is never a regression. */
	result_release(&r);
	model(&r);
	r.cells[0].verdict = V_SAFE;
	r.cells[1].lat.p99 = 10;
	r.cells[1].throughput = 1e6;
	assert_int_equal(gate_eval(&g, &r), 0);

	/* A tolerance of your own; a negative one asks for an improvement. */
	result_release(&r);
	model(&r);
	r.cells[1].lat.p99 = 22494 + 2000; /* +9% */
	assert_int_equal(gate_parse_tolerance("latency=5%,floor=1ms", &tol, NULL), 0);
	gate_set_baseline(&g, "b.json", &b, &tol);
	assert_int_equal(gate_eval(&g, &r), 1);
	result_release(&r);
	model(&r);
	assert_int_equal(gate_parse_tolerance("-10%", &tol, NULL), 0);
	gate_set_baseline(&g, "b.json", &b, &tol);
	assert_int_equal(gate_eval(&g, &r), 4); /* every throughput falls short of +10% */

	/* A baseline that shares no cell with the run. */
	for (int i = 0; i < b.ncells; i++)
		b.cells[i].iso = RB_ISO_RR;
	assert_int_equal(gate_eval(&g, &r), 1);
	assert_true(found(&g, "baseline b.json: no cell of this run is in the baseline"));
	assert_int_equal(r.nbroken, 1);
	gate_release(&g);
	result_release(&r);
	result_release(&b);
}

static void tolerances(void **state)
{
	static const struct {
		const char *s;
		const char *msg; /* NULL: valid */
		double lat, tput;
		uint64_t floor_us;
	} cases[] = {
		{ "20%", NULL, 0.2, 0.2, 5000 },
		{ "latency=30%,throughput=10%,floor=2ms", NULL, 0.3, 0.1, 2000 },
		{ "p99=0%", NULL, 0.0, 0.3, 5000 },
		{ "floor=1.5s", NULL, 0.5, 0.3, 1500000 },
		{ "-50%", NULL, -0.5, -0.5, 5000 },
		{ "20", "--tolerance: '20' is not a percentage", 0, 0, 0 },
		{ "", "--tolerance: '' is not", 0, 0, 0 },
		{ "-100%", "--tolerance: '-100%' is not", 0, 0, 0 },
		{ "latency=fast", "--tolerance: latency: 'fast' is not a percentage", 0, 0, 0 },
		{ "floor=5", "--tolerance: floor: '5' is not a duration", 0, 0, 0 },
		{ "jitter=5%",
		  "--tolerance: unknown item 'jitter' (valid: latency, throughput, floor)", 0, 0,
		  0 },
		{ "latency=5%,throughput", "--tolerance: 'throughput' is not NAME=VALUE", 0, 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_tolerance t = GATE_TOLERANCE_DEFAULT;
		struct rb_err re = { .msg = "" };
		char *err = re.msg;
		int rc = gate_parse_tolerance(cases[i].s, &t, &re);

		if (cases[i].msg ? rc != -1 || !strstr(err, cases[i].msg)
				 : rc != 0 || t.latency != cases[i].lat ||
				    t.throughput != cases[i].tput ||
				    t.floor_us != cases[i].floor_us) {
			print_error("'%s': rc %d, err '%s'\n", cases[i].s, rc, err);
			fail();
		}
	}
}

/* report_json into a malloc'd string. */
static char *render(const struct run_result *r)
{
	struct report_opts ro = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(report_json(f, r, &ro), 0);
	fclose(f);
	return buf;
}

static int read_back(const char *text, struct run_result *r, struct rb_err *e)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc = result_read_json(f, r, e);

	fclose(f);
	return rc;
}

static void round_trip_one(struct run_result *r)
{
	struct run_result back;
	struct rb_err e;
	char *one = render(r), *two;

	if (read_back(one, &back, &e) < 0) {
		print_error("read: %s\n", e.msg);
		fail();
	}
	two = render(&back);
	assert_string_equal(one, two);
	assert_int_equal(back.ncells, r->ncells);
	assert_int_equal(back.gated, r->gated);
	free(one);
	free(two);
	result_release(&back);
}

static void json_round_trip(void **state)
{
	struct run_result r, back;
	struct rb_err e;
	struct gate g;
	char *text;

	(void)state;
	/* Ungated, then with an aborted cell, then gated with findings. */
	model(&r);
	round_trip_one(&r);
	r.cells[4].verdict = V_ABORTED;
	strcpy(r.cells[4].abort_msg, "server closed the connection");
	r.aborted = 1;
	strcpy(r.abort_msg, "pg double-tap redis-wide ser: server closed the connection");
	round_trip_one(&r);
	result_release(&r);

	eval_text(
		"pg rc * none verdict == safe, anomalies == 0, p99 < 1ms, rate < 1%, retries > 1\n"
		"pg rr * * verdict == safe\n"
		"* * * check-after verdict != n/a\n",
		&g, &r);
	assert_int_equal(r.cells[0].nbroken, 5);
	round_trip_one(&r);

	/* The values themselves came back, strings owned by the copy. */
	text = render(&r);
	assert_int_equal(read_back(text, &back, &e), 0);
	free(text);
	assert_string_equal(back.mode, "race");
	assert_int_equal(back.started_at, 1700000000);
	assert_int_equal(back.seed, 42);
	assert_string_equal(back.servers[0].db, "pg");
	assert_string_equal(back.servers[0].info.settings[1].value, "50ms");
	assert_string_equal(back.cells[0].strategy, "none");
	assert_int_equal(back.cells[0].verdict, V_ANOMALY);
	assert_string_equal(back.cells[0].kinds[1], "lost_updates");
	assert_int_equal(back.cells[0].anomalies[0], 70);
	assert_int_equal(back.cells[0].lat.p99, 7670);
	assert_int_equal(back.cells[0].nbroken, 5);
	assert_string_equal(back.cells[2].na_reason, "a watch list has none to re-read");
	assert_int_equal(back.cells[3].iso, RB_ISO_SER);
	assert_int_equal(back.cells[3].errors[RB_CLS_SERIALIZATION], 14);
	assert_string_equal(back.cells[3].examples[RB_CLS_SERIALIZATION],
			    "could not serialize access");
	assert_int_equal(back.cells[4].has_lock, 1);
	assert_int_equal(back.cells[4].lock_timeouts, 1);
	assert_int_equal(back.gate_failed, 1);
	assert_int_equal(back.nbroken, 1);
	/* A read-back report can be gated again, as racebench check does. */
	assert_int_equal(gate_eval(&g, &back), gate_eval(&g, &r));
	result_release(&back);
	gate_release(&g);
	result_release(&r);
}

/* A good report with one edit: `from` replaced by `to`. */
static char *edited(const char *good, const char *from, const char *to)
{
	const char *at = strstr(good, from);
	size_t n = strlen(good) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	snprintf(s, n, "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	return s;
}

/*
 * The fifth level: an rr+si cell (and an n/a one) goes through JSON and
 * back, and expectations name it, apart from rr.
 */
static void level_rr_si(void **state)
{
	struct run_result r, back;
	struct cell_result *c;
	struct gate g;
	struct rb_err e;
	char *text;

	(void)state;
	model(&r);
	c = result_add_cell(&r);
	c->db = "mysql", c->scenario = "double-tap", c->strategy = "none";
	c->iso = c->eff_iso = RB_ISO_RR_SI;
	c->verdict = V_ERRORS;
	c->nkinds = 2;
	c->kinds[0] = "duplicates", c->kinds[1] = "lost_updates";
	c->trials = 10;
	c->ops = 40, c->done = 10, c->failed = 30;
	c->errors[RB_CLS_SERIALIZATION] = 30;
	c->failures[RB_CLS_SERIALIZATION] = 30;
	strcpy(c->examples[RB_CLS_SERIALIZATION], "1020: Record has changed since last read");
	c = result_add_cell(&r);
	c->db = "pg", c->scenario = "double-tap", c->strategy = "none";
	c->iso = c->eff_iso = RB_ISO_RR_SI;
	c->verdict = V_NA;
	c->na_reason = "rr is that here";
	round_trip_one(&r);
	text = render(&r);
	assert_non_null(strstr(text, "\"isolation\": \"rr+si\""));
	assert_int_equal(read_back(text, &back, &e), 0);
	free(text);
	assert_int_equal(back.cells[back.ncells - 2].iso, RB_ISO_RR_SI);
	assert_int_equal(back.cells[back.ncells - 2].eff_iso, RB_ISO_RR_SI);
	assert_int_equal(back.cells[back.ncells - 1].verdict, V_NA);
	result_release(&back);

	gate_init(&g);
	assert_int_equal(parse_text(&g,
				    "mysql rr+si * none anomalies == 0, errors.serialization > 0\n"
				    "* rr+si * none verdict in errors, n/a\n",
				    &e),
			 0);
	assert_int_equal(gate_eval(&g, &r), 0);
	gate_release(&g);
	gate_init(&g);
	assert_int_equal(parse_text(&g, "mysql rr+si * none verdict == safe\n", &e), 0);
	assert_int_equal(gate_eval(&g, &r), 1);
	gate_release(&g);
	/* rr is not rr+si */
	gate_init(&g);
	assert_int_equal(parse_text(&g, "mysql rr * none verdict == safe\n", &e), 0);
	assert_int_equal(gate_eval(&g, &r), 1); /* it matches no cell */
	gate_release(&g);
	result_release(&r);
}

static void json_malformed(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "\"schema_version\": 2", "\"schema_version\": 3",
		  "schema_version 3: this racebench reads versions 1 and 2" },
		{ "\"schema_version\": 2", "\"schema\": 2",
		  "not a racebench report (no schema_version)" },
		{ "\"schema_version\": 2", "\"schema_version\": \"2\"",
		  "schema_version: expected an integer" },
		{ "\"quantity\": 4", "\"quantity\": \"4\"",
		  "params.knobs.quantity: expected an integer" },
		{ "\"knobs\": {", "\"knobz\": {", "params.knobs: missing" },
		{ "\"name\": \"racebench\"", "\"name\": \"other\"",
		  "tool.name: not \"racebench\"" },
		{ "\"verdict\": \"anomaly\"", "\"verdict\": \"maybe\"",
		  "cells[0].verdict: not one of safe" },
		{ "\"isolation\": \"rc\"", "\"isolation\": \"snapshot\"",
		  "cells[0].isolation: not one of ru, rc" },
		{ "\"p99\": 7670", "\"p99x\": 7670", "cells[0].latency_us.p99: missing" },
		{ "\"p99\": 7670", "\"p99\": -1", "cells[0].latency_us.p99: negative" },
		{ "\"ops\": 80", "\"ops\": 8.5", "cells[0].ops: expected an integer" },
		{ "\"deadlock\": 0", "\"deadlock\": null",
		  "cells[0].failures.deadlock: expected an integer" },
		{ "\"started_at\": \"2023-11-14T22:13:20Z\"", "\"started_at\": \"yesterday\"",
		  "started_at: not a time" },
		{ "\"clients\": 8", "\"clients\": true", "params.clients: expected an integer" },
		{ "\"cells\": [", "\"cellz\": [", "cells: missing" },
		{ "\"product\": \"PostgreSQL\"", "\"product\": 15",
		  "servers[0].product: expected a string" },
		{ "\"mode\": \"race\",", "\"mode\": \"race\", \"mode\": \"load\",",
		  "not valid JSON: line" },
	};
	struct run_result r, back;
	struct rb_err e;
	char *good;

	(void)state;
	model(&r);
	good = render(&r);
	assert_int_equal(read_back(good, &back, &e), 0);
	result_release(&back);
	/* a version 1 report: the built-ins' four knobs as fields of params */
	{
		char *v1 = edited(good, "\"schema_version\": 2", "\"schema_version\": 1"), *v1b;

		v1b = edited(v1,
			     "\"knobs\": {\n      \"quantity\": 4,\n      \"balance\": 100,\n"
			     "      \"price\": 30,\n      \"amount\": 100\n    }",
			     "\"quantity\": 7, \"balance\": 100, \"price\": 30, \"amount\": 100");
		assert_int_equal(read_back(v1b, &back, &e), 0);
		assert_int_equal(back.knobs.n, 4);
		assert_string_equal(back.knobs.k[0].name, "quantity");
		assert_int_equal(back.knobs.k[0].value, 7);
		result_release(&back);
		free(v1);
		free(v1b);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = edited(good, cases[i].from, cases[i].to);
		int rc = read_back(bad, &back, &e);

		if (rc != -1 || !strstr(e.msg, cases[i].msg)) {
			print_error("'%s' -> '%s': rc %d, message '%s', want '%s'\n", cases[i].from,
				    cases[i].to, rc, e.msg, cases[i].msg);
			fail();
		}
		result_release(&back);
		free(bad);
	}
	assert_int_equal(read_back("", &back, &e), -1);
	assert_non_null(strstr(e.msg, "not valid JSON"));
	result_release(&back);
	assert_int_equal(read_back("[1, 2]", &back, &e), -1);
	assert_non_null(strstr(e.msg, "not a racebench report"));
	result_release(&back);
	free(good);
	result_release(&r);
}

/* --expect, --baseline, --tolerance and the check command on the command line. */
static int parse_args(const char *line, struct options *o, struct rb_err *e)
{
	static char buf[512];
	char *argv[32];
	int argc = 0;

	strcpy(buf, line);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < 31;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	return opts_parse(argc, argv, o, e);
}

static void options(void **state)
{
	static const struct bad bad_opts[] = {
		{ "racebench check", "check: which result?" },
		{ "racebench check r.json", "check: nothing to check against" },
		{ "racebench check r.json s.json --expect e.txt", "unexpected argument 's.json'" },
		{ "racebench check r.json --expect e.txt --clients 3",
		  "--clients is an option of run, not of check" },
		{ "racebench check r.json --expect e.txt -t 3",
		  "--trials is an option of run, not of check" },
		{ "racebench run --tolerance 20%", "--tolerance: only applies with --baseline" },
		{ "racebench run --baseline a.json --baseline b.json", "--baseline: given twice" },
		{ "racebench run --baseline b.json --tolerance lots",
		  "--tolerance: 'lots' is not" },
		{ "racebench run --expect", "--expect needs a value" },
		{ "racebench check r.json --expect e.txt --format table,json",
		  "--format: 2 formats need 2 --out files" },
	};
	struct options o;
	struct rb_err re;
	char *err = re.msg;

	(void)state;
	assert_int_equal(parse_args("racebench run -S none --expect a.txt --expect b.txt "
				    "--baseline b.json --tolerance latency=10%",
				    &o, &re),
			 0);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.nexpects, 2);
	assert_string_equal(o.expects[1], "b.txt");
	assert_string_equal(o.baseline, "b.json");
	assert_true(o.tol.latency == 0.10 && o.tol.throughput == 0.3 && o.tol.floor_us == 5000);
	assert_int_equal(parse_args("racebench check r.json --expect e.txt", &o, &re), 0);
	assert_int_equal(o.cmd, CMD_CHECK);
	assert_string_equal(o.check_file, "r.json");
	assert_int_equal(o.nformats, 0); /* no report unless asked: the summary is the answer */
	assert_int_equal(parse_args("racebench check --baseline b.json r.json --format json "
				    "--out - -q",
				    &o, &re),
			 0);
	assert_string_equal(o.check_file, "r.json");
	assert_int_equal(o.nformats, 1);
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		int rc = parse_args(bad_opts[i].line, &o, &re);

		if (rc != -1 || !strstr(err, bad_opts[i].msg)) {
			print_error("'%s': rc %d, message '%s', want '%s'\n", bad_opts[i].line, rc,
				    err, bad_opts[i].msg);
			fail();
		}
	}
}

/*
 * The example a team would copy must parse. It names mysql; on a build
 * without that driver the rest of the file is still checked.
 */
static void example_file(void **state)
{
	struct gate g;
	struct rb_err re;
	char *err = re.msg, path[512], *text = NULL, *s;
	size_t cap = 0;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/examples/expect-team.txt", RACEBENCH_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&text, &cap, '\0', f) > 0);
	fclose(f);
	assert_non_null(strstr(text, "pg,mysql"));
	if (!driver_find("mysql"))
		while ((s = strstr(text, "pg,mysql")))
			memcpy(s, "pg      ", 8);
	gate_init(&g);
	if (parse_text(&g, text, &re) < 0) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(g.nexp, 4);
	gate_release(&g);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_files),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(stray_bytes),
		cmocka_unit_test(crlf_files),
		cmocka_unit_test(empty_and_missing_files),
		cmocka_unit_test(evaluation_holds),
		cmocka_unit_test(evaluation_breaks),
		cmocka_unit_test(summary_text),
		cmocka_unit_test(baseline),
		cmocka_unit_test(tolerances),
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(level_rr_si),
		cmocka_unit_test(json_malformed),
		cmocka_unit_test(options),
		cmocka_unit_test(example_file),
	};

	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
