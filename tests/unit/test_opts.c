/* test_opts.c: option parsing: good values land, bad ones name themselves. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../cli/opts.h"
#include "../../reports/report.h"

#define MAXARGS 32

static int parse(const char *line, struct options *o, struct rb_err *e)
{
	static char buf[512];
	char *argv[MAXARGS];
	int argc = 0;

	strcpy(buf, line);
	for (char *save = NULL, *t = strtok_r(buf, " ", &save); t && argc < MAXARGS - 1;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	if (opts_parse(argc, argv, o, e) < 0)
		return -1;
	return opts_races(o, e);
}

/* The value of a built-in race's knob as the options resolve it. */
static long long knob(const struct options *o, const char *race, const char *name)
{
	const struct scenario *sc = scenario_find(race);
	long long v = -1;

	assert_non_null(sc);
	assert_int_equal(sc->xKnob(sc, name, &o->plan.cfg.sc, &v), 0);
	return v;
}

static void defaults_and_values(void **state)
{
	struct options o;
	struct rb_err re;

	(void)state;
	assert_int_equal(parse("racebench run", &o, &re), 0);
	assert_int_equal(o.cmd, CMD_RUN);
	assert_int_equal(o.plan.cfg.clients, 4);
	assert_int_equal(o.plan.cfg.sc.think_us, 1000);
	assert_int_equal(knob(&o, "coupon-oversell", "quantity"), 2);
	assert_int_equal(knob(&o, "negative-balance", "balance"), 100);
	assert_int_equal(o.nformats, 1);
	assert_string_equal(report_formats[o.formats[0]].name, "table");

	assert_int_equal(parse("racebench run --clients 3 --think 0.5 -t 7 -S none,unique "
			       "-i rc,ser --format json --out r.json --keys 4",
			       &o, &re),
			 0);
	assert_int_equal(o.plan.cfg.clients, 3);
	assert_int_equal(o.plan.cfg.trials, 7);
	assert_int_equal(o.plan.cfg.sc.keys, 4);
	assert_int_equal(o.plan.cfg.sc.think_us, 500);
	assert_int_equal(knob(&o, "coupon-oversell", "quantity"), 1);
	assert_int_equal(o.plan.strategies, (1u << ST_NONE) | (1u << ST_UNIQUE));
	assert_int_equal(o.plan.isolations, (1u << RB_ISO_RC) | (1u << RB_ISO_SER));
	assert_string_equal(report_formats[o.formats[0]].name, "json");
	assert_string_equal(o.outs[0], "r.json");
	assert_int_equal(parse("racebench run --quantity 7 --set price=3 --set amount=9", &o, &re),
			 0);
	assert_int_equal(knob(&o, "coupon-oversell", "quantity"), 7);
	assert_int_equal(knob(&o, "negative-balance", "price"), 3);
	assert_int_equal(knob(&o, "double-transfer", "amount"), 9);

	assert_int_equal(parse("racebench run -S all -i all", &o, &re), 0);
	assert_int_equal(o.plan.strategies, (1u << ST__COUNT) - 1);
	assert_int_equal(o.plan.isolations, (1u << RB_ISO__COUNT) - 1);
	assert_int_equal(parse("racebench --help", &o, &re), 0);
	assert_int_equal(o.cmd, CMD_HELP);
	assert_int_equal(parse("racebench run --version", &o, &re), 0);
	assert_int_equal(o.cmd, CMD_VERSION);
}

/*
 * The levels: their names and indices (saved reports and bit sets depend
 * on them), rr+si only when asked for, by name or with all.
 */
static void levels(void **state)
{
	static const char *const names[] = { "ru", "rc", "rr", "ser", "rr+si" };
	struct options o;
	struct rb_err re;

	(void)state;
	assert_int_equal(RB_ISO__COUNT, 5);
	assert_int_equal(RB_ISO_RU, 0);
	assert_int_equal(RB_ISO_RC, 1);
	assert_int_equal(RB_ISO_RR, 2);
	assert_int_equal(RB_ISO_SER, 3);
	assert_int_equal(RB_ISO_RR_SI, 4);
	for (int l = 0; l < RB_ISO__COUNT; l++) {
		assert_string_equal(rb_iso_name((enum rb_iso)l), names[l]);
		assert_int_equal(rb_iso_parse(names[l]), l);
		assert_int_equal(rb_iso_parse(rb_iso_sql((enum rb_iso)l)), l);
	}
	assert_string_equal(rb_iso_sql(RB_ISO_RR), "REPEATABLE READ");
	assert_non_null(strstr(rb_iso_sql(RB_ISO_RR_SI), "REPEATABLE READ"));
	assert_int_equal(rb_iso_parse("RR+SI"), RB_ISO_RR_SI);
	assert_int_equal(rb_iso_parse("rr+"), -1);
	assert_int_equal(rb_iso_parse("si"), -1);
	assert_string_equal(rb_iso_name((enum rb_iso)RB_ISO__COUNT), "?");

	assert_int_equal(parse("racebench run", &o, &re), 0);
	assert_int_equal(o.plan.isolations, RB_ISO_DEFAULTS);
	assert_false(o.plan.isolations & (1u << RB_ISO_RR_SI));
	assert_int_equal(parse("racebench load", &o, &re), 0);
	assert_int_equal(o.plan.isolations, RB_ISO_DEFAULTS);
	assert_int_equal(parse("racebench run -i rr,rr+si", &o, &re), 0);
	assert_int_equal(o.plan.isolations, (1u << RB_ISO_RR) | (1u << RB_ISO_RR_SI));
	assert_int_equal(parse("racebench run -i all", &o, &re), 0);
	assert_true(o.plan.isolations & (1u << RB_ISO_RR_SI));
	assert_int_equal(parse("racebench explain coupon-oversell -i rr+si", &o, &re), 0);
	assert_int_equal(opts_explain_iso(&o), RB_ISO_RR_SI);
}

struct bad {
	const char *line;
	const char *msg; /* the message must contain this */
};

static const struct bad bads[] = {
	{ "racebench", "no command" },
	{ "racebench frobnicate", "unknown command 'frobnicate' (valid: run, load, list" },
	{ "racebench run --duration 5",
	  "--duration, --ops, --rate and --arrival are for load mode" },
	{ "racebench load --duration 0", "--duration: '0' is shorter than a millisecond" },
	{ "racebench load --ops 5 --duration 2", "--duration and --ops both given" },
	{ "racebench load --rate fast", "--rate: 'fast' is not a number of operations per second" },
	{ "racebench load --rate 10 --arrival burst",
	  "--arrival: unknown arrival 'burst' (valid: fixed, poisson)" },
	{ "racebench run --mode bench", "--mode: unknown mode 'bench' (valid: race, load)" },
	{ "racebench load --warmup x", "--warmup: 'x' is not a number of seconds" },
	{ "racebench --clients 3", "'--clients' before a command" },
	{ "racebench run --clients 0", "--clients: '0' is not a whole number from 1 to 256" },
	{ "racebench run --clients 9999", "--clients: '9999' is not a whole number from 1 to 256" },
	{ "racebench run --clients ten", "--clients: 'ten' is not a whole number" },
	{ "racebench run --clients 4x", "--clients: '4x'" },
	{ "racebench run --trials 0", "--trials: '0' is not a whole number from 1" },
	{ "racebench run --think -1",
	  "--think: '-1' is not a number of milliseconds from 0 to 10000" },
	{ "racebench run --think soon", "--think: 'soon'" },
	{ "racebench run --tail 20000", "--tail: '20000'" },
	{ "racebench run --keys 0", "--keys: '0'" },
	{ "racebench run --retries -2", "--retries: '-2'" },
	{ "racebench run --price 0", "--price: '0'" },
	{ "racebench run --seed x", "--seed: 'x'" },
	{ "racebench run --db oracle", "--db: unknown database 'oracle' (valid: pg" },
	{ "racebench run --scenario double_tap",
	  "--scenario: unknown scenario 'double_tap' (valid: double-tap" },
	{ "racebench run --strategy lock",
	  "--strategy: unknown strategy 'lock' (valid: none, for-update" },
	{ "racebench run --strategy none,,", "" },
	{ "racebench run --strategy ,", "--strategy: empty list" },
	{ "racebench run --isolation snapshot",
	  "--isolation: unknown isolation level 'snapshot' (valid: ru, rc, rr, ser, rr+si, all)" },
	{ "racebench run --format xml",
	  "--format: unknown format 'xml' (valid: table, json, csv, markdown, junit, html, hgrm)" },
	{ "racebench run --format table,json", "--format: 2 formats need 2 --out files" },
	{ "racebench run --out a.json --out b.json", "--out: 2 files for 1 formats" },
	{ "racebench run --schema Race-Bench",
	  "--schema: 'Race-Bench' is not a plain lower-case name" },
	{ "racebench run --lock-timeout 1.5", "--lock-timeout: '1.5'" },
	{ "racebench run --bogus", "unknown option '--bogus'" },
	{ "racebench run --pg foo=bar",
	  "--pg: not a libpq connection string or postgres:// URI (invalid connection option \"foo\")" },
	{ "racebench run --mysql http://x", "--mysql: malformed MySQL URL" },
	{ "racebench run --redis http://x", "--redis: not a redis://" },
	{ "racebench run -z", "unknown option '-z'" },
	{ "racebench run --clients", "--clients needs a value" },
	{ "racebench run extra", "unexpected argument 'extra'" },
	{ "racebench run --set nosuch=1", "--set: unknown knob 'nosuch' (the races run have: " },
	{ "racebench run -s coupon-oversell --set price=1",
	  "--set: unknown knob 'price' (the races run have: quantity)" },
	{ "racebench run --set quantity", "--set: 'quantity' is not NAME=VALUE" },
	{ "racebench run --set quantity=x", "--set quantity: 'x' is not a whole number" },
	{ "racebench run -s ./nonexistent.race", "cannot read race file './nonexistent.race'" },
};

static void bad_invocations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct options o;
		struct rb_err re;
		char *err = re.msg;
		int rc = parse(bads[i].line, &o, &re);

		if (!strcmp(bads[i].line, "racebench run --strategy none,,")) {
			assert_int_equal(rc, 0); /* empty items are skipped */
			continue;
		}
		if (rc != -1 || !strstr(err, bads[i].msg)) {
			print_error("'%s': rc %d, message '%s', want '%s'\n", bads[i].line, rc, err,
				    bads[i].msg);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_and_values),
		cmocka_unit_test(levels),
		cmocka_unit_test(bad_invocations),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
