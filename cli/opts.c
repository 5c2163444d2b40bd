/*
 * opts.c: command-line parsing, driven by one table.
 *
 * git's parse-options is the model: each row of opt_table says an
 * option's long and short name, its value's name, the commands that take
 * it, the section of the usage text it appears in with its help, and the
 * function that parses its value into struct options. getopt's option
 * array, the check of which command takes what and the usage text are all
 * made from that table (and from the registries, for the databases'
 * options), so an option is written down once. What depends on several
 * options (load mode's --duration or --ops, explain's one of each) is
 * checked after the loop, per command.
 */
#define _POSIX_C_SOURCE 200809L
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../base/strategy.h"
#include "../base/util.h"
#include "../core/fault.h"
#include "../scenarios/schedule.h"
#include "../reports/report.h"

#define R  (1u << CMD_RUN)
#define L  (1u << CMD_LOAD)
#define C  (1u << CMD_CHECK)
#define E  (1u << CMD_EXPLAIN)
#define I  (1u << CMD_ISOLATION)
#define RL (R | L)

/* Sections of the usage text, in order. */
enum group {
	G_WHAT,
	G_HARD,
	G_LOAD,
	G_KNOBS,
	G_SERVERS,
	G_OUTPUT,
	G_GATE,
	G_EXPLAIN,
	G_ISOLATION,
	G__COUNT
};

static const char *const group_head[G__COUNT] = {
	"What to run (each takes a comma list or 'all'; default all):",
	"How hard (race mode):",
	"Load mode (racebench load, or run --mode load):",
	"Race knobs:",
	"Servers (default: throwaway local servers, started and stopped by the run):",
	"Output:",
	"Regression gate (run and check; docs/gate.md):",
	("explain (docs/explain.md): sessions play a fixed interleaving, blocked\n"
	 "statements are shown waiting, the timeline ends with the invariant check:"),
	("isolation (docs/isolation.md): the anomaly catalogue, each test a fixed\n"
	 "schedule, at every level on every database (also -d, -i, servers, output, --expect):"),
};

struct opt_def;
typedef int (*opt_fn)(struct options *o, const struct opt_def *d, const char *arg,
		      struct rb_err *e);

struct opt_def {
	const char *lng; /* long name, without the dashes */
	char shrt;	 /* short name, or 0 */
	const char *arg; /* the value's name in the usage text; NULL: a flag */
	unsigned cmds;	 /* bit per command that takes it */
	enum group group;
	const char *help; /* lines after the first are indented under it */
	opt_fn parse;
	size_t off;	  /* the field it fills (for the generic parsers) */
	long long lo, hi; /* its range (for numbers) */
	int endpoint;	  /* a database's option: drivers[] index + 1; -1 the lock service */
};

#define OFF(f)		  offsetof(struct options, f)
#define FIELD(o, d, type) ((type *)((char *)(o) + (d)->off))

static int bad(struct rb_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct rb_err *e, const char *fmt, ...)
{
	char msg[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rb_err_input(e, "%s", msg);
}

/* ---- value parsers --------------------------------------------------------- */

static int ll_value(const char *opt, const char *s, long long lo, long long hi, long long *out,
		    struct rb_err *e)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return bad(e, "%s: '%s' is not a whole number from %lld to %lld", opt, s, lo, hi);
	*out = v;
	return 0;
}

/* A decimal number of unit in [0, hi], in microseconds (scale per unit). */
static int dec_value(const char *opt, const char *s, double hi, const char *unit, double scale,
		     uint64_t *us, struct rb_err *e)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= 0) || v > hi)
		return bad(e, "%s: '%s' is not a number of %s from 0 to %g", opt, s, unit, hi);
	*us = (uint64_t)(v * scale + 0.5);
	return 0;
}

static int p_int(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char opt[40];
	long long v;

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	if (ll_value(opt, arg, d->lo, d->hi, &v, e) < 0)
		return -1;
	*FIELD(o, d, int) = (int)v;
	return 0;
}

/*
 * --clients and --keys: one number, or in load mode a comma list (a
 * sweep: every cell at every point), kept in ascending order. The field
 * gets the largest, which sizes what depends on it (the lock wait).
 */
static int p_points(struct options *o, const struct opt_def *d, const char *arg,
		    struct rb_err *e)
{
	int keys = !strcmp(d->lng, "keys");
	int *n = keys ? &o->plan.nkeys : &o->plan.nclients;
	int *list = keys ? o->plan.sweep_keys : o->plan.sweep_clients;
	char buf[256], opt[16], *save = NULL;

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	if (strlen(arg) >= sizeof(buf))
		return bad(e, "%s: list too long (at most %d values)", opt, SWEEP_MAX);
	str_copy(buf, arg, sizeof(buf));
	*n = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		long long v;
		int i;

		if (ll_value(opt, t, d->lo, d->hi, &v, e) < 0)
			return -1;
		if (*n == SWEEP_MAX)
			return bad(e, "%s: at most %d values in a sweep", opt, SWEEP_MAX);
		for (i = *n; i > 0 && list[i - 1] > v; i--)
			list[i] = list[i - 1];
		if (i > 0 && list[i - 1] == v)
			return bad(e, "%s: %lld given twice", opt, v);
		list[i] = (int)v;
		(*n)++;
	}
	if (!*n)
		return bad(e, "%s: '%s' is not a whole number from %lld to %lld", opt, arg, d->lo,
			   d->hi);
	*FIELD(o, d, int) = list[*n - 1];
	return 0;
}

static int p_ll(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char opt[40];

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	return ll_value(opt, arg, d->lo, d->hi, FIELD(o, d, long long), e);
}

static int p_ms(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char opt[40];

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	return dec_value(opt, arg, (double)d->hi, "milliseconds", 1000.0, FIELD(o, d, uint64_t), e);
}

static int p_seconds(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char opt[40];

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	return dec_value(opt, arg, (double)d->hi, "seconds", 1e6, FIELD(o, d, uint64_t), e);
}

/* A flag: the field gets d->lo. */
static int p_set(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)arg;
	(void)e;
	*FIELD(o, d, int) = (int)d->lo;
	return 0;
}

static int p_count(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)arg;
	(void)e;
	(*FIELD(o, d, int))++;
	return 0;
}

typedef int (*name_fn)(const char *name);
typedef const char *(*name_at_fn)(int i);

/* "a, b, c" for messages. */
static void join_names(char *buf, size_t n, name_at_fn name, int count)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", name(i));
}

/* A comma list of names or "all" into a bit set. */
static int parse_set(const char *opt, const char *s, name_fn find, name_at_fn name, int count,
		     const char *what, unsigned *out, struct rb_err *e)
{
	char buf[512], valid[400], *save = NULL, *tok;
	unsigned set = 0;

	join_names(valid, sizeof(valid), name, count);
	if (strlen(s) >= sizeof(buf))
		return bad(e, "%s: list too long", opt);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		if (!strcmp(tok, "all")) {
			set |= (1u << count) - 1;
			continue;
		}
		i = find(tok);
		if (i < 0)
			return bad(e, "%s: unknown %s '%s' (valid: %s, all)", opt, what, tok,
				   valid);
		set |= 1u << i;
	}
	if (!set)
		return bad(e, "%s: empty list (valid: %s, all)", opt, valid);
	*out = set;
	return 0;
}

static int find_driver(const char *s)
{
	const struct driver *d = driver_find(s);

	for (int i = 0; d && drivers[i]; i++)
		if (drivers[i] == d)
			return i;
	return -1;
}

static const char *driver_name_at(int i)
{
	return drivers[i]->name;
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

static int count_formats(void)
{
	int n = 0;

	while (report_formats[n].name)
		n++;
	return n;
}

static int p_dbs(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	o->db_given = 1;
	return parse_set("--db", arg, find_driver, driver_name_at, driver_count(), "database",
			 &o->plan.dbs, e);
}

static int p_scenarios(struct options *o, const struct opt_def *d, const char *arg,
		       struct rb_err *e)
{
	(void)d;
	if (!*arg)
		return bad(e, "--scenario: empty list");
	o->scenario_arg = arg; /* names and files: resolved by opts_races */
	return 0;
}

static int p_strategies(struct options *o, const struct opt_def *d, const char *arg,
			struct rb_err *e)
{
	(void)d;
	o->strategies_given = 1;
	return parse_set("--strategy", arg, strategy_parse, strategy_name_at, ST__COUNT, "strategy",
			 &o->plan.strategies, e);
}

static int p_isolations(struct options *o, const struct opt_def *d, const char *arg,
			struct rb_err *e)
{
	(void)d;
	o->iso_given = 1;
	return parse_set("--isolation", arg, rb_iso_parse, iso_name_at, RB_ISO__COUNT,
			 "isolation level", &o->plan.isolations, e);
}

/* Sets knob name (of the races that have one so named) to v. */
static int set_knob(struct options *o, const char *name, long long v, struct rb_err *e)
{
	struct sc_params *p = &o->plan.cfg.sc;

	for (int i = 0; i < p->nset; i++)
		if (!strcmp(p->set[i].name, name)) {
			p->set[i].value = v;
			return 0;
		}
	if (p->nset == SC_MAX_SET)
		return bad(e, "--set: at most %d knobs", SC_MAX_SET);
	str_copy(p->set[p->nset].name, name, sizeof(p->set[0].name));
	p->set[p->nset++].value = v;
	return 0;
}

/* --set NAME=VALUE: a knob of the races run (checked by opts_races). */
static int p_set_knob(struct options *o, const struct opt_def *d, const char *arg,
		      struct rb_err *e)
{
	const char *eq = strchr(arg, '=');
	char name[32], opt[48];
	long long v;

	(void)d;
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return bad(e, "--set: '%s' is not NAME=VALUE (a knob of the race, e.g. quantity=5)",
			   arg);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	snprintf(opt, sizeof(opt), "--set %s", name);
	if (ll_value(opt, eq + 1, -1000000000000000LL, 1000000000000000LL, &v, e) < 0)
		return -1;
	return set_knob(o, name, v, e);
}

/* --quantity N and the like: --set's names for the built-ins' knobs, with their ranges. */
static int p_knob(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char opt[40];
	long long v;

	snprintf(opt, sizeof(opt), "--%s", d->lng);
	if (ll_value(opt, arg, d->lo, d->hi, &v, e) < 0)
		return -1;
	return set_knob(o, d->lng, v, e);
}

static int p_seed(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	long long v;

	(void)d;
	if (ll_value("--seed", arg, 0, LLONG_MAX, &v, e) < 0)
		return -1;
	o->plan.cfg.seed = (uint64_t)v;
	return 0;
}

static int p_format(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char buf[256], valid[256], *save = NULL, *tok;
	unsigned set = 0;

	(void)d;
	if (o->cmd == CMD_EXPLAIN) {
		static const char *const names[] = { "text", "json", "html" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(arg, names[i])) {
				o->ex_format = (enum ex_format)i;
				return 0;
			}
		return bad(e, "--format: unknown format '%s' for explain (valid: text, json, html)",
			   arg);
	}
	join_names(valid, sizeof(valid), format_name_at, count_formats());
	if (strlen(arg) >= sizeof(buf))
		return bad(e, "--format: list too long");
	strcpy(buf, arg);
	o->nformats = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int f = report_format_find(tok);

		if (f < 0)
			return bad(e, "--format: unknown format '%s' (valid: %s)", tok, valid);
		if (!(set & (1u << f)) && o->nformats < MAX_FORMATS) {
			set |= 1u << f;
			o->formats[o->nformats++] = f;
		}
	}
	if (!o->nformats)
		return bad(e, "--format: empty list (valid: %s)", valid);
	return 0;
}

static int p_out(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (o->nouts == MAX_OUTS)
		return bad(e, "--out: at most %d files (one per format)", MAX_OUTS);
	if (!*arg)
		return bad(e, "--out: empty file name");
	o->outs[o->nouts++] = arg;
	return 0;
}

/* A database's connection string: checked now, so a typo costs nothing. */
static int p_endpoint(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	struct rb_err why;

	if (d->endpoint < 0) {
		/* Not echoed: a URL may carry a password. */
		if (lock_service->xCheckUrl && lock_service->xCheckUrl(arg, &why) < 0)
			return bad(e, "--%s: %s", d->lng, why.msg);
		o->lock_url = arg;
		return 0;
	}
	o->dsn_given = 1;
	if (*arg && drivers[d->endpoint - 1]->xCheckDsn &&
	    drivers[d->endpoint - 1]->xCheckDsn(arg, &why) < 0)
		return bad(e, "--%s: %s", d->lng, why.msg);
	o->dsn[d->endpoint - 1] = arg;
	return 0;
}

/* --pg-replica DSN: a standby of the database's primary (--pg). */
static int p_replica(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	const struct driver *drv = drivers[d->endpoint - 1];
	struct rb_err why;

	if (!*arg)
		return bad(e, "--%s: empty connection string", d->lng);
	if (drv->xCheckDsn && drv->xCheckDsn(arg, &why) < 0)
		return bad(e, "--%s: %s", d->lng, why.msg);
	o->replica[d->endpoint - 1] = arg;
	return 0;
}

/* The topologies the registries know, for messages: "galera, pg-replica, redlock". */
static void topology_names(char *out, size_t n)
{
	out[0] = '\0';
	for (int i = 0; drivers[i]; i++)
		if (drivers[i]->topology)
			str_printf(out + strlen(out), n - strlen(out), "%s%s", *out ? ", " : "",
				   drivers[i]->topology->name);
	if (lock_service && lock_service->topology)
		str_printf(out + strlen(out), n - strlen(out), "%s%s", *out ? ", " : "",
			   lock_service->topology->name);
}

static int p_topology(struct options *o, const struct opt_def *d, const char *arg,
		      struct rb_err *e)
{
	char names[160];

	(void)d;
	for (int i = 0; drivers[i]; i++)
		if (drivers[i]->topology && !strcmp(arg, drivers[i]->topology->name)) {
			o->topology = drivers[i]->topology->name;
			return 0;
		}
	if (lock_service && lock_service->topology && !strcmp(arg, lock_service->topology->name)) {
		o->topology = lock_service->topology->name;
		return 0;
	}
	topology_names(names, sizeof(names));
	return bad(e, "--topology: unknown topology '%s' (valid: %s)", arg, names);
}

/*
 * --fault: a named play (redlock-restart, race mode) or a list of node
 * actions at given times (load mode on --topology).
 */
static int p_fault(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (o->faults_given || o->fault >= 0)
		return bad(e, "--fault: given twice (one play, or one list: kill:2@3,restart:2@8)");
	o->fault = fault_parse(arg);
	if (o->fault >= 0)
		return 0;
	if (!strchr(arg, ':'))
		return bad(e,
			   "--fault: unknown fault '%.64s' (valid: %s, or ACTION:NODE@SECONDS,... "
			   "in load mode)",
			   arg, FAULT_NAMES);
	o->faults_given = 1;
	return faults_parse(arg, &o->faults, e); /* e: bad input, naming the part */
}

static int p_mode(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (!strcmp(arg, "load"))
		o->cmd = CMD_LOAD;
	else if (!strcmp(arg, "race"))
		o->cmd = CMD_RUN;
	else
		return bad(e, "--mode: unknown mode '%s' (valid: race, load)", arg);
	return 0;
}

static int p_duration(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	o->duration_given = 1;
	if (p_seconds(o, d, arg, e) < 0)
		return -1;
	if (o->plan.load_cfg.duration_us < 1000)
		return bad(e, "--duration: '%s' is shorter than a millisecond", arg);
	return 0;
}

static int p_rate(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	char *end;

	(void)d;
	errno = 0;
	o->plan.load_cfg.rate = strtod(arg, &end);
	if (!*arg || *end || errno || !(o->plan.load_cfg.rate > 0) || o->plan.load_cfg.rate > 1e7)
		return bad(e,
			   "--rate: '%s' is not a number of operations per second from 0 to "
			   "10000000 (leave it out for a closed loop)",
			   arg);
	return 0;
}

static int p_arrival(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	o->arrival_given = 1;
	if (!strcmp(arg, "fixed"))
		o->plan.load_cfg.poisson = 0;
	else if (!strcmp(arg, "poisson"))
		o->plan.load_cfg.poisson = 1;
	else
		return bad(e, "--arrival: unknown arrival '%s' (valid: fixed, poisson)", arg);
	return 0;
}

static int p_schema(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	size_t len = strlen(arg);

	(void)d;
	o->schema_given = 1;
	o->plan.schema = arg;
	if (len == 0 || len > 48 || !((arg[0] >= 'a' && arg[0] <= 'z') || arg[0] == '_'))
		goto fail;
	for (size_t i = 0; i < len; i++)
		if (!((arg[i] >= 'a' && arg[i] <= 'z') || (arg[i] >= '0' && arg[i] <= '9') ||
		      arg[i] == '_'))
			goto fail;
	return 0;
fail:
	return bad(e,
		   "--schema: '%s' is not a plain lower-case name "
		   "(a-z, 0-9, _; starting with a letter or _; at most 48)",
		   arg);
}

static int p_expect(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (o->nexpects == (int)ARRAY_SIZE(o->expects))
		return bad(e, "--expect: at most %d files", (int)ARRAY_SIZE(o->expects));
	if (!*arg)
		return bad(e, "--expect: empty file name");
	o->expects[o->nexpects++] = arg;
	return 0;
}

static int p_baseline(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (o->baseline)
		return bad(e, "--baseline: given twice (one baseline per run)");
	if (!*arg)
		return bad(e, "--baseline: empty file name");
	o->baseline = arg;
	return 0;
}

static int p_tolerance(struct options *o, const struct opt_def *d, const char *arg,
		       struct rb_err *e)
{
	(void)d;
	o->tolerance_given = 1;
	return gate_parse_tolerance(arg, &o->tol, e);
}

static int p_tests(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	(void)d;
	if (!*arg)
		return bad(e, "--test: empty list");
	o->test_arg = arg; /* names and files: resolved by opts_races */
	return 0;
}

static int p_lock_timeout(struct options *o, const struct opt_def *d, const char *arg,
			  struct rb_err *e)
{
	o->lock_timeout_given = 1;
	return p_int(o, d, arg, e);
}

static int p_string(struct options *o, const struct opt_def *d, const char *arg, struct rb_err *e)
{
	if (!*arg)
		return bad(e, "--%s: empty %s", d->lng, d->arg ? "value" : "name");
	*FIELD(o, d, const char *) = arg;
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

/* A row: an option whose parser needs no field of its own ... */
#define OPT(l, s, a, c, g, fn, h) \
	{ \
		.lng = (l), .shrt = (s), .arg = (a), .cmds = (c), .group = (g), .parse = (fn), \
		.help = (h) \
	}
/* ... one whose value goes to a field, in [low, high] ... */
#define OPT_VAL(l, s, a, c, g, fn, f, low, high, h) \
	{ \
		.lng = (l), .shrt = (s), .arg = (a), .cmds = (c), .group = (g), .parse = (fn), \
		.off = OFF(f), .lo = (low), .hi = (high), .help = (h) \
	}
/* ... and a flag, which sets a field to v. */
#define OPT_FLAG(l, s, c, g, fn, f, v, h) \
	{ \
		.lng = (l), .shrt = (s), .cmds = (c), .group = (g), .parse = (fn), .off = OFF(f), \
		.lo = (v), .help = (h) \
	}

static const struct opt_def opt_table[] = {
	OPT("db", 'd', "LIST", RL | E | I, G_WHAT, p_dbs,
	    "databases: %DRIVERS% (default: all, or those given by\n%ENDPOINTS%)"),
	OPT("scenario", 's', "LIST", RL, G_WHAT, p_scenarios,
	    "races: built-in names and race files (./checkout.race)"),
	OPT("strategy", 'S', "LIST", RL | E, G_WHAT, p_strategies,
	    "strategies (see racebench list); default: all (a\n"
	    "topology's own fixes only on their topology)"),
	OPT("isolation", 'i', "LIST", RL | E | I, G_WHAT, p_isolations,
	    "isolation levels: ru, rc, rr, ser, and rr+si (rr that\n"
	    "refuses to write a row changed since its snapshot;\n"
	    "only some databases have it: racebench list);\n"
	    "default: all but rr+si (isolation: all)"),
	OPT_VAL("clients", 'c', "N", RL, G_HARD, p_points, plan.cfg.clients, 1, 256,
		"concurrent clients, one connection each (default 4);\n"
		"load: a list is a sweep (1,2,4,8: every cell at each)"),
	OPT_VAL("trials", 't', "N", RL, G_HARD, p_int, plan.cfg.trials, 1, 100000,
		"reproduction attempts per cell (default 10)"),
	OPT_VAL("think", 0, "MS", RL, G_HARD, p_ms, plan.cfg.sc.think_us, 0, 10000,
		"application work between the read and the write (default 1)"),
	OPT_VAL("tail", 0, "MS", RL, G_HARD, p_ms, plan.cfg.tail_us, 0, 10000,
		"work after the write, before COMMIT (default 1)"),
	OPT_VAL("keys", 0, "N", RL, G_HARD, p_points, plan.cfg.sc.keys, 1, 100000,
		"hot rows the clients spread over; 1 = all on one (default 1);\n"
		"load: a list is a sweep (1,16,256)"),
	OPT_VAL("retries", 0, "N", RL, G_HARD, p_int, plan.cfg.retries, 0, 1000,
		"retries for the strategies that retry (default 10)"),
	OPT("seed", 'r', "N", RL, G_HARD, p_seed,
	    "seed for backoff jitter and tokens (default: from the clock)"),
	OPT_VAL("duration", 0, "S", RL, G_LOAD, p_duration, plan.load_cfg.duration_us, 0, 86400,
		"measured seconds per cell, after the warm-up (default 10)"),
	OPT_VAL("ops", 0, "N", RL, G_LOAD, p_ll, plan.load_cfg.ops, 1, 1000000000000LL,
		"or: stop after N measured operations per cell"),
	OPT("rate", 0, "R", RL, G_LOAD, p_rate,
	    "open loop: R operations per second in all, latency measured\n"
	    "from each operation's scheduled start (default: closed loop)"),
	OPT("arrival", 0, "A", RL, G_LOAD, p_arrival,
	    "fixed or poisson gaps between scheduled starts (default fixed)"),
	OPT_VAL("warmup", 0, "S", RL, G_LOAD, p_seconds, plan.load_cfg.warmup_us, 0, 3600,
		"seconds run but not counted (default 1)"),
	OPT("mode", 0, "M", RL, G_LOAD, p_mode, "race or load: run --mode load is racebench load"),
	OPT("set", 0, "NAME=N", RL | E, G_KNOBS, p_set_knob,
	    "a knob of the races run (racebench list shows each race's);\nrepeatable"),
	OPT_VAL("quantity", 0, "N", RL | E, G_KNOBS, p_knob, plan.cfg.sc, 0, 1000000000,
		"--set quantity=N: coupons on offer per key (default clients/2)"),
	OPT_VAL("balance", 0, "N", RL | E, G_KNOBS, p_knob, plan.cfg.sc, 0, 1000000000000LL,
		"--set balance=N: money per wallet (default 100)"),
	OPT_VAL("price", 0, "N", RL | E, G_KNOBS, p_knob, plan.cfg.sc, 1, 1000000000000LL,
		"--set price=N: price of one purchase (default 30)"),
	OPT_VAL("amount", 0, "N", RL | E, G_KNOBS, p_knob, plan.cfg.sc, 1, 1000000000000LL,
		"--set amount=N: money per settlement item or transfer (default 100)"),
	OPT_VAL("lock-wait", 0, "MS", RL, G_SERVERS, p_int, plan.cfg.lock_wait_ms, 1, 600000,
		"how long a client waits for a %LOCK% lock (default 25 per\nclient, at least 250)"),
	OPT_VAL("lease", 0, "MS", RL, G_SERVERS, p_int, plan.cfg.lease_ms, 1, 600000,
		"redis-expiry's lease, shorter than the work (default 1)"),
	OPT("topology", 0, "NAME", RL, G_SERVERS, p_topology,
	    "start a throwaway topology instead of one server:\n"
	    "%TOPOLOGIES% (racebench list; docs/topologies.md)"),
	OPT_VAL("replica-delay", 0, "MS", RL, G_SERVERS, p_int, replica_delay_ms, 0, 60000,
		"--topology pg-replica: the standby applies each commit MS\n"
		"late (replication lag as wide as production's; default 0)"),
	OPT("fault", 0, "SPEC", RL, G_SERVERS, p_fault,
	    "faults on real nodes of a topology (docs/topologies.md):\n"
	    "load --topology T: ACTION:NODE@SECONDS, comma-separated\n"
	    "(kill, pause, resume, restart, isolate, heal; kill:2@3,\n"
	    "restart:2@8), every node put back before the check;\n"
	    "run -S redlock: redlock-restart (a node of the holder's\n"
	    "bare majority restarts while it holds the lock)"),
	OPT_VAL("nodes-dir", 0, "DIR", R, G_SERVERS, p_string, nodes_dir, 0, 0,
		"redlock-restart on nodes you started with `scripts/servers.sh\n"
		"--dir DIR start redis-nodes` (default $RACEBENCH_SERVERS_DIR;\n"
		"--redis must name exactly those); --topology redlock needs none"),
	OPT_FLAG("keep-servers", 0, RL | E | I, G_SERVERS, p_set, keep_servers, 1,
		 "leave the throwaway servers running, and say where"),
	OPT("schema", 0, "NAME", RL | E | I, G_SERVERS, p_schema,
	    "the tool's own schema (default racebench); never a server's\n"
	    "own (%RESERVED%, ...) nor the\ndatabase your DSN names (docs/safety.md)"),
	OPT_FLAG(
		"force-schema", 0, RL, G_SERVERS, p_count, plan.force_schema, 0,
		"drop a schema of that name racebench did not create\n(twice for a shared one: %SHARED%)"),
	OPT_FLAG("keep-schema", 0, RL, G_SERVERS, p_set, plan.keep_schema, 1,
		 "do not drop the tool's schema at the end"),
	OPT_VAL("lock-timeout", 0, "MS", RL | E | I, G_SERVERS, p_lock_timeout, plan.lock_timeout_ms,
		0, 3600000,
		"give up a lock wait after MS (default 5000, isolation 1000;\n0 = server's)"),
	OPT_VAL("connect-timeout", 0, "S", RL | E | I, G_SERVERS, p_int, plan.connect_timeout_s, 1,
		3600, "(default 10)"),
	OPT_VAL("statement-timeout", 0, "MS", RL | E | I, G_SERVERS, p_int, plan.statement_timeout_ms,
		0, 86400000,
		"a statement that long is given up (default 60000;\n"
		"0 = none); a frozen server's connections are cut then"),
	OPT_FLAG("explain", 0, RL, G_SERVERS, p_set, run_explain, 1,
		 "add each scenario's step-by-step race (none and\n"
		 "for-update-parent at rc) to the HTML report"),
	OPT_FLAG("sequential", 0, RL, G_SERVERS, p_set, plan.sequential, 1,
		 "run the databases one after the other (race mode runs\n"
		 "them side by side, one thread each; load mode never does)"),
	OPT("format", 'f', "LIST", RL | C | E | I, G_OUTPUT, p_format, "%FORMATS% (default table)"),
	OPT("out", 'o', "FILE", RL | C | E | I, G_OUTPUT, p_out,
	    "where each format goes, in order ('-' = stdout)"),
	OPT_FLAG("color", 0, RL | C | E | I, G_OUTPUT, p_set, color, 1,
		 "colour in the table (default: on a terminal, unless NO_COLOR)"),
	OPT_FLAG("no-color", 0, RL | C | E | I, G_OUTPUT, p_set, color, 0, NULL),
	OPT_FLAG("progress", 0, RL, G_OUTPUT, p_set, progress, 1,
		 "progress line on stderr (default: on a terminal)"),
	OPT_FLAG("no-progress", 0, RL, G_OUTPUT, p_set, progress, 0, NULL),
	OPT_FLAG("quiet", 'q', RL | C | E | I, G_OUTPUT, p_set, plan.quiet, 1,
		 "no progress or server messages"),
	OPT("expect", 0, "FILE", RL | C | I, G_GATE, p_expect,
	    "expectations, one per line: DB ISO SCENARIO STRATEGY CONDITIONS\n"
	    "e.g. 'pg rc * for-update-parent verdict == safe' (isolation:\n"
	    "DB ISO TEST CONDITIONS, 'pg rr p4 outcome == prevented'); repeatable"),
	OPT("baseline", 0, "B.json", RL | C, G_GATE, p_baseline,
	    "a saved JSON report: a worse verdict, p99 or throughput\n"
	    "than the same cell there is a broken expectation"),
	OPT("tolerance", 0, "T", RL | C, G_GATE, p_tolerance,
	    "how far from the baseline is still fine: 20% (p99 and\n"
	    "throughput) or latency=50%,throughput=30%,floor=5ms (default)"),
	OPT_VAL("schedule", 0, "NAME", E, G_EXPLAIN, p_string, ex_schedule, 0, 0,
		"one of the scenario's schedules (default: its first);\n"
		"explain plays one --strategy (default none), --isolation\n"
		"(default rc) and --db (default the first), to --format\n"
		"text (default), json or html"),
	OPT_FLAG("list-schedules", 0, E, G_EXPLAIN, p_set, ex_list, 1,
		 "the schedules of SCENARIO (or of every scenario)"),
	OPT_VAL("spec", 0, "FILE", E, G_EXPLAIN, p_string, ex_spec, 0, 0,
		"a schedule of your own (scenario, sessions, steps lines)"),
	OPT("test", 'T', "LIST", I, G_ISOLATION, p_tests,
	    "the catalogue's tests (g0, g1a, ..., read-only: racebench\n"
	    "list) and test files of your own (default: all)"),
};

/* The table, and one row per database and for the lock service, made once. */
#define MAX_OPTS (ARRAY_SIZE(opt_table) + 2 * MAX_ENDPOINTS + 1)
static struct opt_def all_opts[MAX_OPTS];
static char endpoint_help[MAX_ENDPOINTS + 1][320];
static char replica_help[MAX_ENDPOINTS][200];
static int nall;

/* The rows of the databases' options and the lock service's, from the registries. */
static void add_endpoints(void)
{
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct driver *d = drivers[i];

		snprintf(endpoint_help[i], sizeof(endpoint_help[i]),
			 "%s\n(also %s; %s for the password)", d->option_help, d->env,
			 d->password_env);
		all_opts[nall++] = (struct opt_def){ .lng = d->option,
						     .arg = d->option_arg,
						     .cmds = RL | E | I,
						     .group = G_SERVERS,
						     .help = endpoint_help[i],
						     .parse = p_endpoint,
						     .endpoint = i + 1 };
		if (!d->replica_option)
			continue;
		snprintf(replica_help[i], sizeof(replica_help[i]),
			 "a hot standby of --%s: plain reads go there, writes to\n"
			 "--%s (the %s topology)", d->option, d->option, d->topology->name);
		all_opts[nall++] = (struct opt_def){ .lng = d->replica_option,
						     .arg = d->option_arg,
						     .cmds = RL,
						     .group = G_SERVERS,
						     .help = replica_help[i],
						     .parse = p_replica,
						     .endpoint = i + 1 };
	}
	if (lock_service) {
		snprintf(endpoint_help[MAX_ENDPOINTS], sizeof(endpoint_help[0]),
			 "%s\n(also %s; %s for the password)", lock_service->option_help,
			 lock_service->env, lock_service->password_env);
		all_opts[nall++] = (struct opt_def){ .lng = lock_service->option,
						     .arg = lock_service->option_arg,
						     .cmds = RL | E,
						     .group = G_SERVERS,
						     .help = endpoint_help[MAX_ENDPOINTS],
						     .parse = p_endpoint,
						     .endpoint = -1 };
	}
}

static void build_table(void)
{
	int added = 0;

	if (nall)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++) {
		if (opt_table[i].group == G_SERVERS && !added) {
			add_endpoints();
			added = 1;
		}
		all_opts[nall++] = opt_table[i];
	}
}

/* Rows that are not in getopt's table: --help and --version. */
enum {
	O_HELP = 'h',
	O_VERSION = 'V'
};

static const struct opt_def *def_of(int val)
{
	if (val >= 1000 && val - 1000 < nall)
		return &all_opts[val - 1000];
	for (int i = 0; i < nall; i++)
		if (all_opts[i].shrt && all_opts[i].shrt == val)
			return &all_opts[i];
	return NULL;
}

/* getopt's arrays, from the table: long options report 1000 + their row. */
static void getopt_arrays(struct option *lo, char *so, size_t son)
{
	size_t s = 0;
	int k = 0;

	so[s++] = ':';
	for (int i = 0; i < nall; i++) {
		lo[k++] = (struct option){ all_opts[i].lng,
					   all_opts[i].arg ? required_argument : no_argument, NULL,
					   1000 + i };
		if (all_opts[i].shrt && s + 3 < son) {
			so[s++] = all_opts[i].shrt;
			if (all_opts[i].arg)
				so[s++] = ':';
		}
	}
	lo[k++] = (struct option){ "help", no_argument, NULL, O_HELP };
	lo[k++] = (struct option){ "version", no_argument, NULL, O_VERSION };
	lo[k] = (struct option){ NULL, 0, NULL, 0 };
	memcpy(so + s, "hV", 3);
}

/* ---- the usage text ----------------------------------------------------------- */

/* Appends the names of a NULL-terminated list of globs of every driver. */
static void expand(const char *help, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = help; *p && o + 1 < n;) {
		char list[256] = "";

		if (!strncmp(p, "%DRIVERS%", 9)) {
			join_names(list, sizeof(list), driver_name_at, driver_count());
			p += 9;
		} else if (!strncmp(p, "%ENDPOINTS%", 11)) {
			for (int i = 0; drivers[i]; i++)
				str_printf(list + strlen(list), sizeof(list) - strlen(list),
					   "%s--%s", i ? ", " : "", drivers[i]->option);
			p += 11;
		} else if (!strncmp(p, "%FORMATS%", 9)) {
			join_names(list, sizeof(list), format_name_at, count_formats());
			p += 9;
		} else if (!strncmp(p, "%TOPOLOGIES%", 12)) {
			topology_names(list, sizeof(list));
			p += 12;
		} else if (!strncmp(p, "%LOCK%", 6)) {
			str_copy(list, lock_service ? lock_service->product : "lock service",
				 sizeof(list));
			p += 6;
		} else if (!strncmp(p, "%RESERVED%", 10) || !strncmp(p, "%SHARED%", 8)) {
			int shared = p[1] == 'S';

			for (int i = 0; drivers[i]; i++) {
				const char *const *g =
					shared ? drivers[i]->shared : drivers[i]->reserved;

				for (int k = 0; g && g[k] && k < 2; k++)
					str_printf(list + strlen(list), sizeof(list) - strlen(list),
						   "%s%s", *list ? ", " : "", g[k]);
			}
			p += shared ? 8 : 10;
		} else {
			out[o++] = *p++;
			continue;
		}
		o += (size_t)snprintf(out + o, n - o, "%s", list);
		if (o >= n)
			o = n - 1;
	}
	out[o] = '\0';
}

static void usage_row(FILE *f, const struct opt_def *d, const struct opt_def *pair)
{
	char head[80], help[512];
	const char *p;
	int len;

	if (d->shrt)
		len = snprintf(head, sizeof(head), "  -%c, --%s", d->shrt, d->lng);
	else
		len = snprintf(head, sizeof(head), "      --%s", d->lng);
	if (pair)
		len += snprintf(head + len, sizeof(head) - (size_t)len, ", --%s", pair->lng);
	if (d->arg)
		snprintf(head + len, sizeof(head) - (size_t)len, " %s", d->arg);
	expand(d->help ? d->help : "", help, sizeof(help));
	fprintf(f, "%-24s ", head);
	if (strlen(head) > 24)
		fputc(' ', f);
	for (p = help; *p;) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%.*s\n", (int)n, p);
		p += n;
		if (*p == '\n' && *++p)
			fprintf(f, "%25s", "");
	}
}

void opts_usage(FILE *f)
{
	build_table();
	fputs("usage: racebench run [options]      run the matrix (race mode) and report it\n"
	      "       racebench load [options]     the same cells under sustained traffic (load "
	      "mode)\n"
	      "       racebench check RESULT.json --expect FILE [--baseline B.json] [output "
	      "options]\n"
	      "                                    gate a saved JSON report, no database needed\n"
	      "       racebench explain RACE [options]\n"
	      "                                    one race, step by step, the same every time\n"
	      "       racebench isolation [options]\n"
	      "                                    the isolation anomaly catalogue, every level\n"
	      "       racebench list [RACE...]     races, tests, strategies, levels, drivers\n"
	      "       racebench help | --help      this text\n"
	      "       racebench version | --version\n"
	      "\n"
	      "racebench reproduces the race conditions behind real incidents on real\n"
	      "databases, under every locking strategy and isolation level, and reports\n"
	      "anomalies, errors, retries and latency for each cell.\n"
	      "\n"
	      "A RACE is a built-in's name (double-tap, ...: racebench list) or a race file\n"
	      "of your own, a word with a '/' or ending in .race: -s ./checkout.race\n"
	      "(docs/race-files.md; a race file runs its SQL: run only files you trust).\n",
	      f);
	for (int g = 0; g < G__COUNT; g++) {
		fprintf(f, "\n%s\n", group_head[g]);
		for (int i = 0; i < nall; i++) {
			const struct opt_def *d = &all_opts[i], *pair = NULL;

			if (d->group != (enum group)g || !d->help)
				continue;
			/* --color and --no-color share a line */
			if (i + 1 < nall && !all_opts[i + 1].help &&
			    !strncmp(all_opts[i + 1].lng, "no-", 3))
				pair = &all_opts[i + 1];
			usage_row(f, d, pair);
		}
	}
	fputs("\nExit codes: 0 ok, 1 gate failed (an expectation broke), 2 bad usage or input\n"
	      "(also a malformed expectations file or report), 3 infrastructure error (the\n"
	      "report is partial), 130/143 interrupted by SIGINT/SIGTERM (partial report too;\n"
	      "the tool's schema is dropped and throwaway servers stopped either way).\n",
	      f);
	fputs("Passwords:", f);
	for (int i = 0; drivers[i]; i++)
		fprintf(f, " %s,", drivers[i]->password_env);
	if (lock_service)
		fprintf(f, " %s", lock_service->password_env);
	fputs(", never the command line.\n", f);
}

/* ---- after the loop: what depends on several options --------------------------- */

static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->plan.dbs = (1u << driver_count()) - 1;
	o->plan.scenarios = 0; /* opts_races: the built-ins, unless --scenario says */
	/* every strategy; a topology's own fixes leave it where the run is not on
	 * that topology (cmd_run's topology_plan, once the endpoints are known) */
	o->plan.strategies = (1u << ST__COUNT) - 1;
	o->plan.isolations = RB_ISO_DEFAULTS; /* the four; -i all adds rr+si */
	o->plan.cfg.clients = 4;
	o->plan.cfg.trials = 10;
	o->plan.cfg.retries = 10;
	o->plan.cfg.tail_us = 1000;
	o->plan.cfg.sc.think_us = 1000;
	o->plan.cfg.sc.keys = 1;
	o->plan.cfg.lock_wait_ms = 0; /* resolved after parsing: it scales with --clients */
	o->plan.cfg.lock_ttl_ms = 30000;
	o->plan.cfg.lease_ms = 1;
	o->plan.load_cfg.warmup_us = 1000000;
	o->plan.schema = "racebench";
	o->plan.lock_timeout_ms = 5000;
	o->plan.connect_timeout_s = 10;
	o->plan.statement_timeout_ms = 60000;
	o->color = -1;
	o->progress = -1;
	o->fault = -1;
	o->tol = (struct gate_tolerance)GATE_TOLERANCE_DEFAULT;
	o->ex_scenario = -1;
	o->replica_delay_ms = -1;
}

/* --pg alone means "my PostgreSQL", not "and a throwaway of every other". */
static void dbs_from_endpoints(struct options *o)
{
	if (!o->dsn_given || o->db_given)
		return;
	o->plan.dbs = 0;
	for (int i = 0; drivers[i]; i++)
		if (o->dsn[i])
			o->plan.dbs |= 1u << i;
}

/* Exactly one bit of set, or a message: explain plays one of each. */
static int one_of(unsigned set, const char *opt, const char *what, struct rb_err *e)
{
	if (set && !(set & (set - 1)))
		return 0;
	return bad(e, "%s: explain plays one %s at a time", opt, what);
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
 * --spec), one strategy (none), level (rc) and database (the first), a
 * schedule the scenario has, one output.
 */
static int explain_finish(struct options *o, int argc, char **argv, struct rb_err *e)
{
	if (optind < argc)
		o->ex_word = argv[optind++]; /* a race or a file: opts_races reads it */
	if (optind < argc)
		return bad(e, "unexpected argument '%s' (usage: racebench explain SCENARIO [options])",
			   argv[optind]);
	if (o->ex_spec && o->ex_schedule)
		return bad(e, "--schedule and --spec both given: play a scenario's schedule or your "
			      "own, not both");
	if (o->ex_schedule && !o->ex_word)
		return bad(e,
			   "--schedule: name the scenario too (racebench explain SCENARIO "
			   "--schedule %s)",
			   o->ex_schedule);
	if (!o->strategies_given)
		o->plan.strategies = 1u << ST_NONE;
	for (int s = 0; s < ST__COUNT; s++)
		if ((o->plan.strategies >> s & 1) && strategy_info((enum strategy)s)->topology)
			return bad(e,
				   "--strategy: %s is a fix for the %s topology, and explain plays "
				   "on one server (racebench run --topology %s)",
				   strategy_name((enum strategy)s),
				   strategy_info((enum strategy)s)->topology,
				   strategy_info((enum strategy)s)->topology);
	if (!o->iso_given)
		o->plan.isolations = 1u << RB_ISO_RC;
	if (!o->dsn_given && !o->db_given)
		o->plan.dbs = 1u; /* the registry's first */
	dbs_from_endpoints(o);
	if (one_of(o->plan.strategies, "--strategy", "strategy", e) < 0 ||
	    one_of(o->plan.isolations, "--isolation", "isolation level", e) < 0 ||
	    one_of(o->plan.dbs, o->dsn_given && !o->db_given ? "--pg/--mysql" : "--db", "database",
		   e) < 0)
		return -1;
	if (o->nouts > 1)
		return bad(e, "--out: explain writes one file");
	if (!o->schema_given)
		o->plan.schema = "racebench_explain";
	return 0;
}

int opts_explain_strategy(const struct options *o)
{
	return bit_index(o->plan.strategies);
}

int opts_explain_iso(const struct options *o)
{
	return bit_index(o->plan.isolations);
}

int opts_explain_db(const struct options *o)
{
	return bit_index(o->plan.dbs);
}

/* Formats and --out files agree: one file per format, stdout at most once. */
static int outs_finish(struct options *o, struct rb_err *e)
{
	if (!o->nformats && o->cmd != CMD_CHECK)
		o->formats[o->nformats++] = report_format_find("table");
	if (o->nouts == 0 && o->nformats > 1)
		return bad(e,
			   "--format: %d formats need %d --out files, in order ('-' for standard "
			   "output)",
			   o->nformats, o->nformats);
	if (o->nouts && o->nouts != o->nformats)
		return bad(e,
			   "--out: %d files for %d formats (one --out per format, in order; '-' "
			   "for standard output)",
			   o->nouts, o->nformats);
	for (int i = 0, dash = 0; i < o->nouts; i++)
		if (!strcmp(o->outs[i], "-") && dash++)
			return bad(e, "--out: standard output ('-') given twice");
	return 0;
}

/* isolation after its options. */
static int isolation_finish(struct options *o, int argc, char **argv, struct rb_err *e)
{
	if (optind < argc)
		return bad(e, "unexpected argument '%s' (usage: racebench isolation [options]; "
			      "tests are chosen with --test)",
			   argv[optind]);
	if (outs_finish(o, e) < 0)
		return -1;
	dbs_from_endpoints(o);
	/*
	 * A wait that no later step releases ends only with the server's
	 * lock-wait time-out (MariaDB 1205 at SERIALIZABLE, where reads lock):
	 * a second keeps the catalogue quick and is still far above any wait a
	 * step releases.
	 */
	if (!o->lock_timeout_given)
		o->plan.lock_timeout_ms = 1000;
	if (!o->schema_given)
		o->plan.schema = "racebench_isolation";
	if (!o->iso_given) /* the catalogue's grid has every level, rr+si included */
		o->plan.isolations = (1u << RB_ISO__COUNT) - 1;
	return 0;
}

/* run, load and check after their options. */
/*
 * --topology and --pg-replica: a replica needs its primary; a throwaway
 * topology replaces that database's throwaway server, so a DSN of one's
 * own for it is a contradiction; alone, it selects that database.
 */
static int topology_finish(struct options *o, struct rb_err *e)
{
	for (int i = 0; drivers[i]; i++) {
		const struct driver *d = drivers[i];
		int mine = o->topology && d->topology && !strcmp(o->topology, d->topology->name);

		if (o->replica[i] && !o->dsn[i])
			return bad(e, "--%s: give its primary too (--%s DSN)", d->replica_option,
				   d->option);
		if (mine && (o->dsn[i] || o->replica[i]))
			return bad(e,
				   "--topology %s starts a throwaway %s; --%s names your own: give "
				   "one or the other",
				   o->topology, o->topology, o->dsn[i] ? d->option : d->replica_option);
		if (mine && !o->db_given && !o->dsn_given)
			o->plan.dbs = 1u << i;
		/* before anything starts: a cluster takes seconds to come up */
		if (mine && o->faults_given && d->topology->nodes &&
		    faults_max_node(&o->faults) > d->topology->nodes)
			return bad(e, "--fault: node %d, and the %s topology has nodes 1 to %d",
				   faults_max_node(&o->faults), o->topology, d->topology->nodes);
		if (mine && o->db_given && !(o->plan.dbs >> i & 1))
			return bad(e, "--topology %s is a topology of %s, which --db leaves out",
				   o->topology, d->name);
	}
	if (o->faults_given && (o->cmd != CMD_LOAD || !o->topology))
		return bad(e,
			   "--fault: faults are for load mode on a throwaway topology racebench "
			   "starts (racebench load --topology NAME --fault ...); it never acts "
			   "on servers of your own");
	if (o->replica_delay_ms >= 0) {
		int ok = 0;

		for (int i = 0; drivers[i]; i++)
			ok |= o->topology && drivers[i]->topology && drivers[i]->topology->delay_env &&
			      !strcmp(o->topology, drivers[i]->topology->name);
		if (!ok)
			return bad(e,
				   "--replica-delay: delays the throwaway standby of --topology "
				   "pg-replica; on a standby of your own, set its apply delay "
				   "yourself");
	}
	if (o->topology && lock_service && lock_service->topology &&
	    !strcmp(o->topology, lock_service->topology->name) && o->lock_url)
		return bad(e,
			   "--topology %s starts throwaway %s nodes; --%s names your own: give one "
			   "or the other",
			   o->topology, lock_service->product, lock_service->option);
	return 0;
}

static int run_finish(struct options *o, int argc, char **argv, struct rb_err *e)
{
	if (o->cmd == CMD_CHECK && optind == argc)
		return bad(e,
			   "check: which result? (usage: racebench check RESULT.json --expect "
			   "FILE [--baseline B.json])");
	if (o->cmd == CMD_CHECK)
		o->check_file = argv[optind++];
	if (optind < argc)
		return bad(e, "unexpected argument '%s' (see racebench --help)", argv[optind]);
	if (o->tolerance_given && !o->baseline)
		return bad(e, "--tolerance: only applies with --baseline B.json");
	if (o->cmd == CMD_CHECK && !o->nexpects && !o->baseline)
		return bad(e,
			   "check: nothing to check against (give --expect FILE, --baseline "
			   "B.json, or both)");
	if (o->cmd != CMD_LOAD && (o->plan.nclients > 1 || o->plan.nkeys > 1))
		return bad(e, "--clients and --keys take one number in race mode; a list (a sweep "
			      "over them) is for load mode (racebench load --clients 1,2,4,8)");
	if (o->cmd == CMD_RUN &&
	    (o->duration_given || o->plan.load_cfg.ops || o->plan.load_cfg.rate > 0 ||
	     o->arrival_given))
		return bad(e,
			   "--duration, --ops, --rate and --arrival are for load mode "
			   "(racebench load, or run --mode load)");
	if (o->cmd == CMD_LOAD) {
		if (o->duration_given && o->plan.load_cfg.ops)
			return bad(e,
				   "--duration and --ops both given: a load run stops at one of "
				   "them");
		if (!o->duration_given && !o->plan.load_cfg.ops)
			o->plan.load_cfg.duration_us = 10000000;
		if (o->arrival_given && !(o->plan.load_cfg.rate > 0))
			return bad(e,
				   "--arrival needs --rate (an open loop); without --rate the "
				   "load is a closed loop");
	}
	if (outs_finish(o, e) < 0)
		return -1;
	o->plan.load = o->cmd == CMD_LOAD;
	o->plan.cfg.sc.clients = o->plan.cfg.clients;
	if (topology_finish(o, e) < 0)
		return -1;
	dbs_from_endpoints(o);
	/*
	 * A Redis lock is held for one operation (a few ms) at a time, so a
	 * waiter queues behind at most the other clients: 25 ms each leaves a
	 * wide margin, and a cross-system deadlock (a row lock waited for by
	 * the lock holder, held by a lock waiter: redis-late at SERIALIZABLE)
	 * ends in a quarter of a second, not five.
	 */
	if (o->fault >= 0 && o->cmd == CMD_LOAD)
		return bad(e, "--fault is for race mode (racebench run): it acts between trials");
	if (o->fault >= 0 && !(o->plan.strategies >> ST_REDLOCK & 1))
		return bad(e, "--fault %s acts on the redlock cells: select them (-S redlock)",
			   fault_name((enum fault_kind)o->fault));
	/*
	 * Under --fault the first holder keeps the lock while nodes restart
	 * (about a second): the others wait that long for it, not 250 ms.
	 */
	if (!o->plan.cfg.lock_wait_ms && o->fault >= 0)
		o->plan.cfg.lock_wait_ms = 10000;
	/* One set of nodes: the databases take their turns at it. */
	if (o->fault >= 0)
		o->plan.sequential = 1;
	if (!o->plan.cfg.lock_wait_ms)
		o->plan.cfg.lock_wait_ms =
			o->plan.cfg.clients * 25 > 250 ? o->plan.cfg.clients * 25 : 250;
	return 0;
}

/* ---- the command and the loop -------------------------------------------------- */

static const char *const command_names[CMD__COUNT] = {
	[CMD_RUN] = "run",	   [CMD_LOAD] = "load",	      [CMD_LIST] = "list",
	[CMD_HELP] = "help",	   [CMD_VERSION] = "version", [CMD_CHECK] = "check",
	[CMD_EXPLAIN] = "explain", [CMD_ISOLATION] = "isolation",
};
#define COMMANDS "run, load, list, check, explain, isolation, help, version"

static int parse_command(const char *s, struct options *o, struct rb_err *e)
{
	for (int c = 1; c < CMD__COUNT; c++)
		if (command_names[c] && !strcmp(s, command_names[c])) {
			o->cmd = (enum command)c;
			return 0;
		}
	if (!strcmp(s, "--help") || !strcmp(s, "-h"))
		o->cmd = CMD_HELP;
	else if (!strcmp(s, "--version") || !strcmp(s, "-V"))
		o->cmd = CMD_VERSION;
	else if (s[0] == '-')
		return bad(e,
			   "'%s' before a command (usage: racebench run [options]; valid commands: "
			   "%s)",
			   s, COMMANDS);
	else
		return bad(e, "unknown command '%s' (valid: %s)", s, COMMANDS);
	return 0;
}

/* Whether the command takes option d, or a message saying which it is for. */
static int command_takes(const struct options *o, const struct opt_def *d, struct rb_err *e)
{
	unsigned bit = o->cmd == CMD_LOAD ? R | L : 1u << o->cmd;
	char list[512] = "";

	if (d->cmds & bit)
		return 0;
	if (o->cmd == CMD_CHECK) {
		for (int i = 0; i < nall; i++)
			if ((all_opts[i].cmds & C) && all_opts[i].help)
				str_printf(list + strlen(list), sizeof(list) - strlen(list),
					   "%s--%s", *list ? ", " : "", all_opts[i].lng);
		return bad(e, "--%s is an option of %s, not of check (check takes %s)", d->lng,
			   d->cmds & R ? "run" : "explain", list);
	}
	return bad(e, "--%s is not an option of %s (see racebench --help)", d->lng,
		   command_names[o->cmd]);
}

int opts_parse(int argc, char **argv, struct options *o, struct rb_err *e)
{
	struct option lo[MAX_OPTS + 3];
	char so[2 * MAX_OPTS + 4];
	int c;

	build_table();
	defaults(o);
	rb_err_clear(e);
	if (argc < 2)
		return bad(e, "no command (valid: %s)", COMMANDS);
	if (parse_command(argv[1], o, e) < 0)
		return -1;
	if (o->cmd == CMD_HELP || o->cmd == CMD_VERSION)
		return 0;
	getopt_arrays(lo, so, sizeof(so));
	/* argv[1] (the command) stands in for the program name; optind = 0
	 * makes glibc forget any earlier parse. */
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct opt_def *d;

		if (c == O_HELP || c == O_VERSION) {
			o->cmd = c == O_HELP ? CMD_HELP : CMD_VERSION;
			return 0;
		}
		if (c == ':')
			return bad(e, "%s needs a value", argv[optind - 1]);
		d = c == '?' ? NULL : def_of(c);
		if (!d) {
			if (optopt && optopt < 1000)
				return bad(e, "unknown option '-%c' (see racebench --help)",
					   optopt);
			return bad(e, "unknown option '%s' (see racebench --help)",
				   argv[optind - 1]);
		}
		if (command_takes(o, d, e) < 0 || d->parse(o, d, optarg ? optarg : "", e) < 0)
			return -1;
	}
	if (o->cmd == CMD_EXPLAIN)
		return explain_finish(o, argc, argv, e);
	if (o->cmd == CMD_ISOLATION)
		return isolation_finish(o, argc, argv, e);
	if (o->cmd == CMD_LIST) {
		while (optind < argc) {
			if (o->nwords == MAX_SCENARIOS)
				return bad(e, "list: at most %d races", MAX_SCENARIOS);
			o->words[o->nwords++] = argv[optind++];
		}
		/* knob defaults that use clients show the run's default */
		o->plan.cfg.sc.clients = o->plan.cfg.clients;
		return 0;
	}
	return run_finish(o, argc, argv, e);
}
