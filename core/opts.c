/* opts.c: command-line parsing. */
#define _POSIX_C_SOURCE 200809L
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report.h"
#include "explain.h"
#include "../base/strategy.h"
#include "../base/util.h"

static int bad(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return 2;
}

/* An integer in [lo, hi]; the message names the option and the range. */
static int parse_ll(const char *opt, const char *s, long long lo, long long hi, long long *out,
		    char *err, size_t n)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return bad(err, n, "%s: '%s' is not a whole number from %lld to %lld", opt, s, lo,
			   hi);
	*out = v;
	return 0;
}

static int parse_int(const char *opt, const char *s, int lo, int hi, int *out, char *err, size_t n)
{
	long long v;

	if (parse_ll(opt, s, lo, hi, &v, err, n))
		return 2;
	*out = (int)v;
	return 0;
}

/* A decimal number of unit in [0, hi], returned in microseconds (scale
 * microseconds per unit). */
static int parse_dec(const char *opt, const char *s, double hi, const char *unit, double scale,
		     uint64_t *us, char *err, size_t n)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0) || v > hi)
		return bad(err, n, "%s: '%s' is not a number of %s from 0 to %g", opt, s, unit, hi);
	*us = (uint64_t)(v * scale + 0.5);
	return 0;
}

static int parse_ms(const char *opt, const char *s, double hi, uint64_t *us, char *err, size_t n)
{
	return parse_dec(opt, s, hi, "milliseconds", 1000.0, us, err, n);
}

typedef int (*name_fn)(const char *name);

/*
 * A comma list of names or "all" into a bit set. valid lists the names for
 * the message.
 */
static int parse_set(const char *opt, const char *s, name_fn find, unsigned all, const char *what,
		     const char *valid, unsigned *out, char *err, size_t n)
{
	char buf[512], *save = NULL, *tok;
	unsigned set = 0;

	if (strlen(s) >= sizeof(buf))
		return bad(err, n, "%s: list too long", opt);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		if (!strcmp(tok, "all")) {
			set |= all;
			continue;
		}
		i = find(tok);
		if (i < 0)
			return bad(err, n, "%s: unknown %s '%s' (valid: %s, all)", opt, what, tok,
				   valid);
		set |= 1u << i;
	}
	if (!set)
		return bad(err, n, "%s: empty list (valid: %s, all)", opt, valid);
	*out = set;
	return 0;
}

static int find_driver(const char *s)
{
	for (int i = 0; drivers[i]; i++)
		if (!strcmp(drivers[i]->name, s))
			return i;
	return -1;
}

static int find_scenario(const char *s)
{
	for (int i = 0; scenarios[i]; i++)
		if (!strcmp(scenarios[i]->name, s))
			return i;
	return -1;
}

static int count_formats(void)
{
	int n = 0;
	while (report_formats[n].name)
		n++;
	return n;
}

/* "a, b, c" for messages. */
static void join_names(char *buf, size_t n, const char *(*name)(int), int count)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", name(i));
}

static const char *driver_name_at(int i)
{
	return drivers[i]->name;
}
static const char *scenario_name_at(int i)
{
	return scenarios[i]->name;
}
static const char *strategy_name_at(int i)
{
	return strategy_name((enum strategy)i);
}
static const char *iso_name_at(int i)
{
	return rb_iso_name((enum rb_iso)i);
}
static const char *format_name_at(int i)
{
	return report_formats[i].name;
}

static int parse_schema(const char *s, char *err, size_t n)
{
	size_t len = strlen(s);

	if (len == 0 || len > 48 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		goto fail;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			goto fail;
	return 0;
fail:
	return bad(err, n,
		   "--schema: '%s' is not a plain lower-case name "
		   "(a-z, 0-9, _; starting with a letter or _; at most 48)",
		   s);
}

enum {
	O_THINK = 256,
	O_TAIL,
	O_KEYS,
	O_QUANTITY,
	O_BALANCE,
	O_PRICE,
	O_AMOUNT,
	O_RETRIES,
	O_PG,
	O_KEEP_SERVERS,
	O_SCHEMA,
	O_FORCE_SCHEMA,
	O_KEEP_SCHEMA,
	O_LOCK_TIMEOUT,
	O_CONNECT_TIMEOUT,
	O_NO_COLOR,
	O_COLOR,
	O_PROGRESS,
	O_NO_PROGRESS,
	O_MYSQL,
	O_REDIS,
	O_LOCK_WAIT,
	O_LEASE,
	O_MODE,
	O_DURATION,
	O_OPS,
	O_RATE,
	O_ARRIVAL,
	O_WARMUP,
	O_EXPECT,
	O_BASELINE,
	O_TOLERANCE,
	O_SEQUENTIAL,
	O_RUN_EXPLAIN,
	O_SCHEDULE,
	O_LIST_SCHEDULES,
	O_SPEC,
	O_STATEMENT_TIMEOUT,
};

static const struct option long_opts[] = {
	{ "db", required_argument, NULL, 'd' },
	{ "scenario", required_argument, NULL, 's' },
	{ "strategy", required_argument, NULL, 'S' },
	{ "isolation", required_argument, NULL, 'i' },
	{ "clients", required_argument, NULL, 'c' },
	{ "trials", required_argument, NULL, 't' },
	{ "think", required_argument, NULL, O_THINK },
	{ "tail", required_argument, NULL, O_TAIL },
	{ "keys", required_argument, NULL, O_KEYS },
	{ "quantity", required_argument, NULL, O_QUANTITY },
	{ "balance", required_argument, NULL, O_BALANCE },
	{ "price", required_argument, NULL, O_PRICE },
	{ "amount", required_argument, NULL, O_AMOUNT },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "seed", required_argument, NULL, 'r' },
	{ "format", required_argument, NULL, 'f' },
	{ "out", required_argument, NULL, 'o' },
	{ "pg", required_argument, NULL, O_PG },
	{ "mysql", required_argument, NULL, O_MYSQL },
	{ "redis", required_argument, NULL, O_REDIS },
	{ "lock-wait", required_argument, NULL, O_LOCK_WAIT },
	{ "lease", required_argument, NULL, O_LEASE },
	{ "mode", required_argument, NULL, O_MODE },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "ops", required_argument, NULL, O_OPS },
	{ "rate", required_argument, NULL, O_RATE },
	{ "arrival", required_argument, NULL, O_ARRIVAL },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "keep-servers", no_argument, NULL, O_KEEP_SERVERS },
	{ "schema", required_argument, NULL, O_SCHEMA },
	{ "force-schema", no_argument, NULL, O_FORCE_SCHEMA },
	{ "keep-schema", no_argument, NULL, O_KEEP_SCHEMA },
	{ "sequential", no_argument, NULL, O_SEQUENTIAL },
	{ "explain", no_argument, NULL, O_RUN_EXPLAIN },
	{ "lock-timeout", required_argument, NULL, O_LOCK_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, O_CONNECT_TIMEOUT },
	{ "statement-timeout", required_argument, NULL, O_STATEMENT_TIMEOUT },
	{ "no-color", no_argument, NULL, O_NO_COLOR },
	{ "color", no_argument, NULL, O_COLOR },
	{ "progress", no_argument, NULL, O_PROGRESS },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "expect", required_argument, NULL, O_EXPECT },
	{ "baseline", required_argument, NULL, O_BASELINE },
	{ "tolerance", required_argument, NULL, O_TOLERANCE },
	{ "schedule", required_argument, NULL, O_SCHEDULE },
	{ "list-schedules", no_argument, NULL, O_LIST_SCHEDULES },
	{ "spec", required_argument, NULL, O_SPEC },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->dbs = (1u << driver_count()) - 1;
	o->scenarios = (1u << scenario_count()) - 1;
	o->strategies = (1u << ST__COUNT) - 1;
	o->isolations = (1u << RB_ISO__COUNT) - 1;
	o->cfg.clients = 4;
	o->cfg.trials = 10;
	o->cfg.retries = 10;
	o->cfg.tail_us = 1000;
	o->cfg.sc.think_us = 1000;
	o->cfg.sc.keys = 1;
	o->cfg.sc.balance = 100;
	o->cfg.sc.price = 30;
	o->cfg.sc.amount = 100;
	o->cfg.lock_wait_ms = 0; /* resolved after parsing: it scales with --clients */
	o->cfg.lock_ttl_ms = 30000;
	o->cfg.lease_ms = 1;
	o->load.warmup_us = 1000000;
	o->schema = "racebench";
	o->lock_timeout_ms = 5000;
	o->connect_timeout_s = 10;
	o->statement_timeout_ms = 60000;
	o->color = -1;
	o->progress = -1;
	o->tol = (struct gate_tolerance)GATE_TOLERANCE_DEFAULT;
	o->ex_scenario = -1;
}

/* The options `check` takes; the others only make sense for a run. */
static int check_takes(int c)
{
	return c == 'f' || c == 'o' || c == O_EXPECT || c == O_BASELINE || c == O_TOLERANCE ||
		c == O_COLOR || c == O_NO_COLOR || c == 'q' || c == 'h' || c == 'V' || c == ':' ||
		c == '?';
}

/* The options `explain` takes. */
static int explain_takes(int c)
{
	return c == 'd' || c == 'S' || c == 'i' || c == 'f' || c == 'o' || c == O_PG ||
		c == O_MYSQL || c == O_REDIS || c == O_SCHEDULE || c == O_LIST_SCHEDULES ||
		c == O_SPEC || c == O_SCHEMA || c == O_CONNECT_TIMEOUT || c == O_LOCK_TIMEOUT ||
		c == O_STATEMENT_TIMEOUT ||
		c == O_KEEP_SERVERS || c == O_COLOR || c == O_NO_COLOR || c == 'q' || c == 'h' ||
		c == 'V' || c == ':' || c == '?';
}

/* Exactly one bit of set, or a message: explain plays one of each. */
static int one_of(unsigned set, const char *opt, const char *what, char *err, size_t n)
{
	if (set && !(set & (set - 1)))
		return 0;
	return bad(err, n, "%s: explain plays one %s at a time", opt, what);
}

static int bit_index(unsigned set)
{
	int i = 0;

	while (set > 1) {
		set >>= 1;
		i++;
	}
	return i;
}

/*
 * explain after its options: SCENARIO (optional with --list-schedules or
 * --spec), one strategy (none), level (rc) and database (pg), a schedule
 * the scenario has, one output.
 */
static int explain_finish(struct options *o, int argc, char **argv, int db_given, int iso_given,
			  int schema_given, char *err, size_t n)
{
	char valid[512];
	const struct scenario *sc;

	if (optind < argc) {
		o->ex_scenario = find_scenario(argv[optind]);
		if (o->ex_scenario < 0) {
			join_names(valid, sizeof(valid), scenario_name_at, scenario_count());
			return bad(err, n, "explain: unknown scenario '%s' (valid: %s)",
				   argv[optind], valid);
		}
		optind++;
	}
	if (optind < argc)
		return bad(err, n,
			   "unexpected argument '%s' (usage: racebench explain SCENARIO "
			   "[options])",
			   argv[optind]);
	if (o->ex_scenario < 0 && !o->ex_list && !o->ex_spec) {
		join_names(valid, sizeof(valid), scenario_name_at, scenario_count());
		return bad(err, n,
			   "explain: which scenario? (usage: racebench explain SCENARIO; "
			   "valid: %s)",
			   valid);
	}
	if (o->ex_spec && o->ex_schedule)
		return bad(err, n,
			   "--schedule and --spec both given: play a scenario's schedule "
			   "or your own, not both");
	if (o->ex_schedule && o->ex_scenario >= 0) {
		sc = scenarios[o->ex_scenario];
		if (!ex_schedule_find(sc, o->ex_schedule)) {
			ex_schedule_names(sc, valid, sizeof(valid));
			return bad(err, n, "--schedule: unknown schedule '%s' for %s (valid: %s)",
				   o->ex_schedule, sc->name, valid);
		}
	}
	if (o->ex_schedule && o->ex_scenario < 0)
		return bad(err, n,
			   "--schedule: name the scenario too (racebench explain SCENARIO "
			   "--schedule %s)",
			   o->ex_schedule);
	if (!o->strategies_given)
		o->strategies = 1u << ST_NONE;
	if (!iso_given)
		o->isolations = 1u << RB_ISO_RC;
	if (o->dsn_given && !db_given) {
		o->dbs = 0;
		for (int i = 0; drivers[i]; i++)
			if (o->dsn[i])
				o->dbs |= 1u << i;
	} else if (!db_given) {
		o->dbs = 1u << find_driver("pg");
	}
	if (one_of(o->strategies, "--strategy", "strategy", err, n) ||
	    one_of(o->isolations, "--isolation", "isolation level", err, n) ||
	    one_of(o->dbs, o->dsn_given && !db_given ? "--pg/--mysql" : "--db", "database", err, n))
		return 2;
	if (o->nouts > 1)
		return bad(err, n, "--out: explain writes one file");
	if (!schema_given)
		o->schema = "racebench_explain";
	return 0;
}

int opts_explain_strategy(const struct options *o)
{
	return bit_index(o->strategies);
}

int opts_explain_iso(const struct options *o)
{
	return bit_index(o->isolations);
}

int opts_explain_db(const struct options *o)
{
	return bit_index(o->dbs);
}

static const char *opt_name(int c, char *buf, size_t n)
{
	for (int i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == c) {
			snprintf(buf, n, "--%s", long_opts[i].name);
			return buf;
		}
	snprintf(buf, n, "-%c", c);
	return buf;
}

int opts_parse(int argc, char **argv, struct options *o, char *err, size_t n)
{
	char valid[512];
	long long ll;
	int c, rc = 0, db_given = 0, duration_given = 0, arrival_given = 0, schema_given = 0,
	       iso_given = 0;

	defaults(o);
	err[0] = '\0';
	if (argc < 2)
		return bad(err, n,
			   "no command (valid: run, load, list, check, explain, help, version)");
	if (!strcmp(argv[1], "run"))
		o->cmd = CMD_RUN;
	else if (!strcmp(argv[1], "load"))
		o->cmd = CMD_LOAD;
	else if (!strcmp(argv[1], "check"))
		o->cmd = CMD_CHECK;
	else if (!strcmp(argv[1], "explain"))
		o->cmd = CMD_EXPLAIN;
	else if (!strcmp(argv[1], "list"))
		o->cmd = CMD_LIST;
	else if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		o->cmd = CMD_HELP;
	else if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version") ||
		 !strcmp(argv[1], "-V"))
		o->cmd = CMD_VERSION;
	else if (argv[1][0] == '-')
		return bad(err, n,
			   "'%s' before a command (usage: racebench run [options]; "
			   "valid commands: run, load, list, check, explain, help, version)",
			   argv[1]);
	else
		return bad(err, n,
			   "unknown command '%s' (valid: run, load, list, check, explain, help, "
			   "version)",
			   argv[1]);
	if (o->cmd == CMD_HELP || o->cmd == CMD_VERSION)
		return 0;

	/* argv[1] (the command) stands in for the program name; optind = 0
	 * makes glibc forget any earlier parse. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while (rc == 0 &&
	       (c = getopt_long(argc, argv, ":d:s:S:i:c:t:r:f:o:qhV", long_opts, NULL)) != -1) {
		if (o->cmd == CMD_CHECK && !check_takes(c)) {
			rc = bad(err, n,
				 "%s is an option of run, not of check (check takes --expect, "
				 "--baseline, --tolerance, --format, --out, --color, --no-color, "
				 "--quiet)",
				 opt_name(c, valid, sizeof(valid)));
			break;
		}
		if (o->cmd == CMD_EXPLAIN && !explain_takes(c)) {
			rc = bad(err, n, "%s is not an option of explain (see racebench --help)",
				 opt_name(c, valid, sizeof(valid)));
			break;
		}
		switch (c) {
		case 'd':
			join_names(valid, sizeof(valid), driver_name_at, driver_count());
			rc = parse_set("--db", optarg, find_driver, (1u << driver_count()) - 1,
				       "database", valid, &o->dbs, err, n);
			db_given = 1;
			break;
		case 's':
			join_names(valid, sizeof(valid), scenario_name_at, scenario_count());
			rc = parse_set("--scenario", optarg, find_scenario,
				       (1u << scenario_count()) - 1, "scenario", valid,
				       &o->scenarios, err, n);
			break;
		case 'S':
			join_names(valid, sizeof(valid), strategy_name_at, ST__COUNT);
			rc = parse_set("--strategy", optarg, strategy_parse, (1u << ST__COUNT) - 1,
				       "strategy", valid, &o->strategies, err, n);
			o->strategies_given = 1;
			break;
		case 'i':
			join_names(valid, sizeof(valid), iso_name_at, RB_ISO__COUNT);
			rc = parse_set("--isolation", optarg, rb_iso_parse,
				       (1u << RB_ISO__COUNT) - 1, "isolation level", valid,
				       &o->isolations, err, n);
			iso_given = 1;
			break;
		case 'c':
			rc = parse_int("--clients", optarg, 1, 256, &o->cfg.clients, err, n);
			break;
		case 't':
			rc = parse_int("--trials", optarg, 1, 100000, &o->cfg.trials, err, n);
			break;
		case O_THINK:
			rc = parse_ms("--think", optarg, 10000, &o->cfg.sc.think_us, err, n);
			break;
		case O_TAIL: rc = parse_ms("--tail", optarg, 10000, &o->cfg.tail_us, err, n); break;
		case O_KEYS:
			rc = parse_int("--keys", optarg, 1, 100000, &o->cfg.sc.keys, err, n);
			break;
		case O_QUANTITY:
			rc = parse_ll("--quantity", optarg, 0, 1000000000, &o->cfg.sc.quantity, err,
				      n);
			o->quantity_given = 1;
			break;
		case O_BALANCE:
			rc = parse_ll("--balance", optarg, 0, 1000000000000LL, &o->cfg.sc.balance,
				      err, n);
			break;
		case O_PRICE:
			rc = parse_ll("--price", optarg, 1, 1000000000000LL, &o->cfg.sc.price, err,
				      n);
			break;
		case O_AMOUNT:
			rc = parse_ll("--amount", optarg, 1, 1000000000000LL, &o->cfg.sc.amount,
				      err, n);
			break;
		case O_RETRIES:
			rc = parse_int("--retries", optarg, 0, 1000, &o->cfg.retries, err, n);
			break;
		case 'r':
			rc = parse_ll("--seed", optarg, 0, LLONG_MAX, &ll, err, n);
			o->cfg.seed = (uint64_t)ll;
			break;
		case 'f': {
			unsigned set = 0;

			if (o->cmd == CMD_EXPLAIN) {
				if (!strcmp(optarg, "text"))
					o->ex_format = EXF_TEXT;
				else if (!strcmp(optarg, "json"))
					o->ex_format = EXF_JSON;
				else if (!strcmp(optarg, "html"))
					o->ex_format = EXF_HTML;
				else
					rc = bad(err, n,
						 "--format: unknown format '%s' for explain "
						 "(valid: text, json, html)",
						 optarg);
				break;
			}
			char buf[256], *save = NULL, *tok;

			join_names(valid, sizeof(valid), format_name_at, count_formats());
			if (strlen(optarg) >= sizeof(buf)) {
				rc = bad(err, n, "--format: list too long");
				break;
			}
			strcpy(buf, optarg);
			o->nformats = 0;
			for (tok = strtok_r(buf, ",", &save); tok && !rc;
			     tok = strtok_r(NULL, ",", &save)) {
				int f = report_format_find(tok);

				if (f < 0)
					rc = bad(err, n,
						 "--format: unknown format '%s' (valid: %s)", tok,
						 valid);
				else if (!(set & (1u << f)) && o->nformats < MAX_FORMATS) {
					set |= 1u << f;
					o->formats[o->nformats++] = f;
				}
			}
			if (!rc && !o->nformats)
				rc = bad(err, n, "--format: empty list (valid: %s)", valid);
			break;
		}
		case 'o':
			if (o->nouts == MAX_OUTS)
				rc = bad(err, n, "--out: at most %d files (one per format)",
					 MAX_OUTS);
			else if (!*optarg)
				rc = bad(err, n, "--out: empty file name");
			else
				o->outs[o->nouts++] = optarg;
			break;
		case O_PG:
		case O_MYSQL: {
			const char *name = c == O_PG ? "pg" : "mysql";
			int i = find_driver(name);

			struct rb_err e;

			if (i < 0) {
				rc = bad(err, n, "--%s: this build has no %s driver", name, name);
			} else if (*optarg && drivers[i]->xCheckDsn &&
				   drivers[i]->xCheckDsn(optarg, &e) < 0) {
				rc = bad(err, n, "--%s: %s", name, e.msg);
			} else {
				o->dsn[i] = optarg;
			}
			o->dsn_given = 1;
			break;
		}
		case O_REDIS:
			/* Not echoed: a URL may carry a password. */
			if (strncmp(optarg, "redis://", 8) && strncmp(optarg, "unix://", 7))
				rc = bad(err, n,
					 "--redis: not a redis://[:password@]host[:port][/db] "
					 "or unix:///path URL");
			o->redis_url = optarg;
			break;
		case O_LOCK_WAIT:
			rc = parse_int("--lock-wait", optarg, 1, 600000, &o->cfg.lock_wait_ms, err,
				       n);
			break;
		case O_MODE:
			if (!strcmp(optarg, "load"))
				o->cmd = CMD_LOAD;
			else if (!strcmp(optarg, "race"))
				o->cmd = CMD_RUN;
			else
				rc = bad(err, n, "--mode: unknown mode '%s' (valid: race, load)",
					 optarg);
			break;
		case O_DURATION:
			rc = parse_dec("--duration", optarg, 86400, "seconds", 1e6,
				       &o->load.duration_us, err, n);
			if (!rc && o->load.duration_us < 1000)
				rc = bad(err, n, "--duration: '%s' is shorter than a millisecond",
					 optarg);
			duration_given = 1;
			break;
		case O_OPS:
			rc = parse_ll("--ops", optarg, 1, 1000000000000LL, &o->load.ops, err, n);
			break;
		case O_RATE: {
			char *end;

			errno = 0;
			o->load.rate = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(o->load.rate > 0) || o->load.rate > 1e7)
				rc = bad(
					err, n,
					"--rate: '%s' is not a number of operations per "
					"second from 0 to 10000000 (leave it out for a closed loop)",
					optarg);
			break;
		}
		case O_ARRIVAL:
			if (!strcmp(optarg, "fixed"))
				o->load.poisson = 0;
			else if (!strcmp(optarg, "poisson"))
				o->load.poisson = 1;
			else
				rc = bad(err, n,
					 "--arrival: unknown arrival '%s' (valid: fixed, poisson)",
					 optarg);
			arrival_given = 1;
			break;
		case O_WARMUP:
			rc = parse_dec("--warmup", optarg, 3600, "seconds", 1e6, &o->load.warmup_us,
				       err, n);
			break;
		case O_LEASE:
			rc = parse_int("--lease", optarg, 1, 600000, &o->cfg.lease_ms, err, n);
			break;
		case O_KEEP_SERVERS: o->keep_servers = 1; break;
		case O_SCHEMA:
			rc = parse_schema(optarg, err, n);
			o->schema = optarg;
			schema_given = 1;
			break;
		case O_FORCE_SCHEMA: o->force_schema++; break;
		case O_KEEP_SCHEMA: o->keep_schema = 1; break;
		case O_SEQUENTIAL: o->sequential = 1; break;
		case O_RUN_EXPLAIN: o->run_explain = 1; break;
		case O_LOCK_TIMEOUT:
			rc = parse_int("--lock-timeout", optarg, 0, 3600000, &o->lock_timeout_ms,
				       err, n);
			break;
		case O_STATEMENT_TIMEOUT:
			rc = parse_int("--statement-timeout", optarg, 0, 86400000,
				       &o->statement_timeout_ms, err, n);
			break;
		case O_CONNECT_TIMEOUT:
			rc = parse_int("--connect-timeout", optarg, 1, 3600, &o->connect_timeout_s,
				       err, n);
			break;
		case O_NO_COLOR: o->color = 0; break;
		case O_COLOR: o->color = 1; break;
		case O_PROGRESS: o->progress = 1; break;
		case O_NO_PROGRESS: o->progress = 0; break;
		case O_EXPECT:
			if (o->nexpects == (int)ARRAY_SIZE(o->expects))
				rc = bad(err, n, "--expect: at most %d files",
					 (int)ARRAY_SIZE(o->expects));
			else if (!*optarg)
				rc = bad(err, n, "--expect: empty file name");
			else
				o->expects[o->nexpects++] = optarg;
			break;
		case O_BASELINE:
			if (o->baseline)
				rc = bad(err, n, "--baseline: given twice (one baseline per run)");
			else if (!*optarg)
				rc = bad(err, n, "--baseline: empty file name");
			o->baseline = optarg;
			break;
		case O_TOLERANCE:
			if (gate_parse_tolerance(optarg, &o->tol, err, n) < 0)
				rc = 2;
			o->tolerance_given = 1;
			break;
		case O_SCHEDULE: o->ex_schedule = optarg; break;
		case O_LIST_SCHEDULES: o->ex_list = 1; break;
		case O_SPEC:
			if (!*optarg)
				rc = bad(err, n, "--spec: empty file name");
			o->ex_spec = optarg;
			break;
		case 'q': o->quiet = 1; break;
		case 'h': o->cmd = CMD_HELP; return 0;
		case 'V': o->cmd = CMD_VERSION; return 0;
		case ':': rc = bad(err, n, "%s needs a value", argv[optind - 1]); break;
		default:
			if (optopt)
				rc = bad(err, n, "unknown option '-%c' (see racebench --help)",
					 optopt);
			else
				rc = bad(err, n, "unknown option '%s' (see racebench --help)",
					 argv[optind - 1]);
			break;
		}
	}
	if (rc)
		return rc;
	if (o->cmd == CMD_EXPLAIN)
		return explain_finish(o, argc, argv, db_given, iso_given, schema_given, err, n);
	if (o->cmd == CMD_CHECK && optind == argc)
		return bad(err, n,
			   "check: which result? (usage: racebench check RESULT.json "
			   "--expect FILE [--baseline B.json])");
	if (o->cmd == CMD_CHECK)
		o->check_file = argv[optind++];
	if (optind < argc)
		return bad(err, n, "unexpected argument '%s' (see racebench --help)", argv[optind]);
	if (o->tolerance_given && !o->baseline)
		return bad(err, n, "--tolerance: only applies with --baseline B.json");
	if (o->cmd == CMD_CHECK && !o->nexpects && !o->baseline)
		return bad(err, n,
			   "check: nothing to check against (give --expect FILE, "
			   "--baseline B.json, or both)");
	if (o->cmd != CMD_RUN && o->cmd != CMD_LOAD && o->cmd != CMD_CHECK)
		return 0;
	if (o->cmd == CMD_RUN &&
	    (duration_given || o->load.ops || o->load.rate > 0 || arrival_given))
		return bad(err, n,
			   "--duration, --ops, --rate and --arrival are for load mode "
			   "(racebench load, or run --mode load)");
	if (o->cmd == CMD_LOAD) {
		if (duration_given && o->load.ops)
			return bad(
				err, n,
				"--duration and --ops both given: a load run stops at one of them");
		if (!duration_given && !o->load.ops)
			o->load.duration_us = 10000000;
		if (arrival_given && !(o->load.rate > 0))
			return bad(err, n,
				   "--arrival needs --rate (an open loop); without --rate "
				   "the load is a closed loop");
	}
	if (!o->nformats && o->cmd != CMD_CHECK)
		o->formats[o->nformats++] = report_format_find("table");
	if (o->nouts == 0 && o->nformats > 1)
		return bad(err, n,
			   "--format: %d formats need %d --out files, in order "
			   "('-' for standard output)",
			   o->nformats, o->nformats);
	if (o->nouts && o->nouts != o->nformats)
		return bad(err, n,
			   "--out: %d files for %d formats (one --out per format, in order; "
			   "'-' for standard output)",
			   o->nouts, o->nformats);
	for (int i = 0, dash = 0; i < o->nouts; i++)
		if (!strcmp(o->outs[i], "-") && dash++)
			return bad(err, n, "--out: standard output ('-') given twice");
	if (o->dsn_given && !db_given) {
		/* --pg alone means "my PostgreSQL", not "and a throwaway MariaDB". */
		o->dbs = 0;
		for (int i = 0; drivers[i]; i++)
			if (o->dsn[i])
				o->dbs |= 1u << i;
	}
	/*
	 * A Redis lock is held for one operation (a few ms) at a time, so a
	 * waiter queues behind at most the other clients: 25 ms each leaves a
	 * wide margin, and a cross-system deadlock (an InnoDB lock waited for
	 * by the Redis lock holder, held by a Redis lock waiter: redis-late at
	 * SERIALIZABLE) ends in a quarter of a second, not five.
	 */
	if (!o->cfg.lock_wait_ms)
		o->cfg.lock_wait_ms = o->cfg.clients * 25 > 250 ? o->cfg.clients * 25 : 250;
	if (!o->quantity_given)
		o->cfg.sc.quantity = o->cfg.clients / 2 > 0 ? o->cfg.clients / 2 : 1;
	return 0;
}
