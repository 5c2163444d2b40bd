/* gate.c: the regression gate: parses expectations, checks a run, compares a baseline. */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include "gate.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/strategy.h"
#include "../base/util.h"
#include "isolation.h"

enum ftype {
	FT_VERDICT,
	FT_TEXT, /* how: matched as a glob */
	FT_COUNT,
	FT_RATE,
	FT_LATENCY,
	FT_THROUGHPUT
};

enum fid {
	F_VERDICT,
	F_ANOMALIES,
	F_KIND,
	F_ANOMALOUS_TRIALS,
	F_RATE,
	F_TRIALS,
	F_OPS,
	F_COMMITTED,
	F_DECLINED,
	F_FAILED,
	F_FAILURE,
	F_RETRIES,
	F_ERRORS,
	F_ERROR,
	F_P50,
	F_P90,
	F_P99,
	F_P999,
	F_MAX,
	F_MEAN,
	F_THROUGHPUT,
	F_LOCK_TIMEOUTS,
	F_LEASES_EXPIRED,
	F_OUTCOME, /* isolation: the verdict in the catalogue's words */
	F_HOW,	   /* isolation: what happened: blocked+40001, none */
};

/* Plain field names; anomalies.KIND, errors.CLASS, failures.REASON are parsed apart. */
static const struct field {
	const char *name;
	enum fid id;
	enum ftype type;
} fields[] = {
	{ "verdict", F_VERDICT, FT_VERDICT },
	{ "anomalies", F_ANOMALIES, FT_COUNT },
	{ "anomalous_trials", F_ANOMALOUS_TRIALS, FT_COUNT },
	{ "reproduction_rate", F_RATE, FT_RATE },
	{ "rate", F_RATE, FT_RATE },
	{ "trials", F_TRIALS, FT_COUNT },
	{ "ops", F_OPS, FT_COUNT },
	{ "committed", F_COMMITTED, FT_COUNT },
	{ "declined", F_DECLINED, FT_COUNT },
	{ "failed", F_FAILED, FT_COUNT },
	{ "failures", F_FAILED, FT_COUNT },
	{ "retries", F_RETRIES, FT_COUNT },
	{ "errors", F_ERRORS, FT_COUNT },
	{ "deadlocks", F_ERROR, FT_COUNT }, /* errors.deadlock */
	{ "p50", F_P50, FT_LATENCY },
	{ "p90", F_P90, FT_LATENCY },
	{ "p99", F_P99, FT_LATENCY },
	{ "p999", F_P999, FT_LATENCY },
	{ "p99.9", F_P999, FT_LATENCY },
	{ "max", F_MAX, FT_LATENCY },
	{ "mean", F_MEAN, FT_LATENCY },
	{ "throughput", F_THROUGHPUT, FT_THROUGHPUT },
	{ "lock_timeouts", F_LOCK_TIMEOUTS, FT_COUNT },
	{ "leases_expired", F_LEASES_EXPIRED, FT_COUNT },
	{ "outcome", F_OUTCOME, FT_VERDICT },
	{ "how", F_HOW, FT_TEXT },
};

#define VALID_FIELDS \
	"verdict, anomalies, anomalies.KIND, anomalous_trials, " \
	"reproduction_rate, trials, ops, committed, declined, failed, failures.REASON, " \
	"retries, errors, errors.CLASS, deadlocks, p50, p90, p99, p999, max, mean, " \
	"throughput, lock_timeouts, leases_expired"
#define VALID_VERDICTS "safe, anomaly, errors, aborted, n/a"
#define VALID_OUTCOMES "prevented, anomaly, inconclusive, n/a"
#define ISO_LINE_SHAPE \
	"a line is DB ISOLATION TEST CONDITION[, CONDITION...], " \
	"e.g. 'pg rr p4 outcome == prevented'"
#define LINE_SHAPE \
	"a line is DB ISOLATION SCENARIO STRATEGY CONDITION[, CONDITION...], " \
	"e.g. 'pg rc * atomic verdict == safe'"

static const char *const op_names[] = { "==", "!=", "<", "<=", ">", ">=", "in" };

static enum ftype field_type(enum fid id)
{
	if (id == F_KIND || id == F_FAILURE || id == F_ERROR)
		return FT_COUNT;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].id == id)
			return fields[i].type;
	return FT_COUNT;
}

static int verdict_find(const char *s)
{
	for (int v = V_NA; v <= V_ABORTED; v++)
		if (!strcmp(s, verdict_name((enum verdict)v)))
			return v;
	return -1;
}

/* An isolation outcome as the verdict it is: prevented is safe, inconclusive aborted. */
static int outcome_find(const char *s)
{
	static const struct {
		const char *w;
		enum verdict v;
	} o[] = { { "prevented", V_SAFE },
		  { "anomaly", V_ANOMALY },
		  { "inconclusive", V_ABORTED },
		  { "n/a", V_NA } };

	for (size_t i = 0; i < ARRAY_SIZE(o); i++)
		if (!strcmp(s, o[i].w))
			return o[i].v;
	return -1;
}

/* "a, b, c" of count names, for messages. */
static void join(char *buf, size_t n, const char *(*name)(int), int from, int count)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = from; i < count && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i > from ? ", " : "", name(i));
}

static const char *class_at(int i)
{
	return rb_class_name((enum rb_class)i);
}
static const char *reason_at(int i)
{
	return fail_reason_name(i);
}

void gate_know(struct gate *g, const char *scenario, const char *const *kinds, int nkinds)
{
	int seen = 0;

	for (int i = 0; i < g->nknown; i++)
		seen |= !strcmp(g->known[i], scenario);
	if (!seen && g->nknown < GATE_KNOWN)
		str_copy(g->known[g->nknown++], scenario, sizeof(g->known[0]));
	for (int k = 0; k < nkinds; k++) {
		seen = 0;
		for (int i = 0; i < g->nkinds; i++)
			seen |= !strcmp(g->kinds[i], kinds[k]);
		if (!seen && g->nkinds < GATE_KINDS)
			str_copy(g->kinds[g->nkinds++], kinds[k], sizeof(g->kinds[0]));
	}
}

/* Without races of the run's own, the built-ins are what lines may name. */
static void know_builtins(struct gate *g)
{
	const struct scenario *const *b = scenario_builtins();

	if (g->nknown)
		return;
	for (int i = 0; b[i]; i++)
		gate_know(g, b[i]->name, b[i]->kinds, sc_nkinds(b[i]));
}

/* Parsing state for one line; every error goes through perr(). */
struct pline {
	const struct gate *g;
	const char *file;
	int line;
	char *err;
	size_t errlen;
};

static int perr(struct pline *pl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct pline *pl, const char *fmt, ...)
{
	va_list ap;
	int o = snprintf(pl->err, pl->errlen, "%s:%d: ", pl->file, pl->line);

	if (o < 0 || (size_t)o >= pl->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(pl->err + o, pl->errlen - (size_t)o, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Whether name matches pat: a glob, or a comma list of globs. With fold,
 * whatever the case: race and test names (P4 is p4, as Hermitage writes it).
 */
static int pat_match(const char *pat, const char *name, int fold)
{
	char buf[GATE_PAT], *save = NULL;

	str_copy(buf, pat, sizeof(buf));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (fnmatch(t, name, fold ? FNM_CASEFOLD : 0) == 0)
			return 1;
	return 0;
}

/* Each alternative of pat must match a name this build knows: a typo is an error now. */
static int pat_check(struct pline *pl, const char *pat, const char *what,
		     const char *const *names, int count, int fold)
{
	char buf[GATE_PAT], valid[512], *save = NULL;

	if (strlen(pat) >= GATE_PAT)
		return perr(pl, "%s pattern '%.20s...' is longer than %d characters", what, pat,
			    GATE_PAT - 1);
	if (pat[0] == ',' || pat[strlen(pat) - 1] == ',' || strstr(pat, ",,"))
		return perr(pl, "%s pattern '%s' has an empty item", what, pat);
	valid[0] = '\0';
	for (int i = 0, o = 0; i < count && o < (int)sizeof(valid); i++)
		o += snprintf(valid + o, sizeof(valid) - (size_t)o, "%s%s", i ? ", " : "", names[i]);
	str_copy(buf, pat, sizeof(buf));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int hit = 0;

		for (int i = 0; i < count && !hit; i++)
			hit = fnmatch(t, names[i], fold ? FNM_CASEFOLD : 0) == 0;
		if (hit)
			continue;
		if (strpbrk(t, "*?["))
			return perr(pl, "%s pattern '%s' matches no %s (valid: %s)", what, t, what,
				    valid);
		return perr(pl, "unknown %s '%s' (valid: %s, or a glob such as *)", what, t, valid);
	}
	return 0;
}

/* A token of the condition part of a line. */
enum tok {
	T_END,
	T_WORD,
	T_OP,
	T_COMMA
};

struct lex {
	const char *p;
	enum tok t;
	char w[64];
};

static int is_opch(int c)
{
	return c == '<' || c == '>' || c == '=' || c == '!';
}

static int lex(struct pline *pl, struct lex *x)
{
	const char *s;
	size_t n;

	while (isspace((unsigned char)*x->p))
		x->p++;
	s = x->p;
	if (!*s) {
		x->t = T_END;
		x->w[0] = '\0';
		return 0;
	}
	if (*s == ',') {
		x->t = T_COMMA;
		x->p++;
		strcpy(x->w, ",");
		return 0;
	}
	if (is_opch(*s)) {
		while (is_opch(*x->p))
			x->p++;
		x->t = T_OP;
	} else {
		while (*x->p && !isspace((unsigned char)*x->p) && *x->p != ',' && !is_opch(*x->p))
			x->p++;
		x->t = T_WORD;
	}
	n = (size_t)(x->p - s);
	if (n >= sizeof(x->w))
		return perr(pl, "'%.20s...' is too long", s);
	memcpy(x->w, s, n);
	x->w[n] = '\0';
	return 0;
}

/* Whether an operator comes next (without moving x). */
static int op_follows(const struct lex *x)
{
	const char *p = x->p;

	while (isspace((unsigned char)*p))
		p++;
	return is_opch(*p) || (!strncmp(p, "in", 2) && (isspace((unsigned char)p[2]) || !p[2]));
}

/* The field named w into k (field, sub, kind); the message lists the choices. */
static int field_parse(struct pline *pl, const char *w, struct gate_cond *k)
{
	char valid[512];
	const char *dot = strchr(w, '.');

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(w, fields[i].name)) {
			if ((fields[i].id == F_OUTCOME || fields[i].id == F_HOW) && !pl->g->isolation)
				return perr(pl,
					    "'%s' is a field of racebench isolation's cells (here: "
					    "verdict, anomalies, ...)",
					    w);
			k->field = fields[i].id;
			k->sub = k->field == F_ERROR ? RB_CLS_DEADLOCK : 0;
			return 0;
		}
	if (dot && !strncmp(w, "anomalies.", 10)) {
		int n = pl->g->nkinds;
		size_t o = 0;

		for (int i = 0; i < n; i++)
			if (!strcmp(dot + 1, pl->g->kinds[i])) {
				k->field = F_KIND;
				str_copy(k->kind, dot + 1, sizeof(k->kind));
				return 0;
			}
		valid[0] = '\0';
		for (int i = 0; i < n && o < sizeof(valid); i++)
			o += (size_t)snprintf(valid + o, sizeof(valid) - o, "%s%s", i ? ", " : "",
					      pl->g->kinds[i]);
		return perr(pl, "unknown anomaly kind '%s' in '%s' (valid: %s)", dot + 1, w, valid);
	}
	if (dot && !strncmp(w, "errors.", 7)) {
		for (int c = 1; c < RB_CLS__COUNT; c++)
			if (!strcmp(dot + 1, class_at(c))) {
				k->field = F_ERROR;
				k->sub = c;
				return 0;
			}
		join(valid, sizeof(valid), class_at, 1, RB_CLS__COUNT);
		return perr(pl, "unknown error class '%s' in '%s' (valid: %s)", dot + 1, w, valid);
	}
	if (dot && !strncmp(w, "failures.", 9)) {
		for (int c = 1; c < FR__COUNT; c++)
			if (!strcmp(dot + 1, reason_at(c))) {
				k->field = F_FAILURE;
				k->sub = c;
				return 0;
			}
		join(valid, sizeof(valid), reason_at, 1, FR__COUNT);
		return perr(pl, "unknown failure reason '%s' in '%s' (valid: %s)", dot + 1, w,
			    valid);
	}
	return perr(pl, "unknown field '%s' (valid: %s)", w, VALID_FIELDS);
}

/* A leading decimal number of w; *rest is what follows it. */
static int num_prefix(const char *w, double *v, const char **rest)
{
	char *end;

	if (!(isdigit((unsigned char)w[0]) || (w[0] == '.' && isdigit((unsigned char)w[1])) ||
	      ((w[0] == '-' || w[0] == '+') && (isdigit((unsigned char)w[1]) || w[1] == '.'))))
		return -1;
	errno = 0;
	*v = strtod(w, &end);
	if (errno || end == w)
		return -1;
	*rest = end;
	return 0;
}

/* The value of a figure condition, in the figure's own unit. */
static int value_parse(struct pline *pl, const char *field, const char *op, enum ftype type,
		       const char *w, double *out)
{
	const char *rest;
	double v;

	if (num_prefix(w, &v, &rest) < 0 || v < 0)
		goto bad;
	switch (type) {
	case FT_COUNT:
		if (*rest || v != (double)(long long)v)
			goto bad;
		break;
	case FT_RATE:
		if (!strcmp(rest, "%"))
			v /= 100.0;
		else if (*rest)
			goto bad;
		if (v > 1)
			goto bad;
		break;
	case FT_LATENCY:
		if (!strcmp(rest, "us"))
			;
		else if (!strcmp(rest, "ms"))
			v *= 1e3;
		else if (!strcmp(rest, "s"))
			v *= 1e6;
		else if (!*rest)
			return perr(pl, "'%s %s %s': a latency needs a unit (us, ms, s), e.g. 50ms",
				    field, op, w);
		else
			goto bad;
		break;
	case FT_THROUGHPUT:
		if (*rest && strcmp(rest, "ops/s") && strcmp(rest, "/s"))
			goto bad;
		break;
	case FT_VERDICT:
	case FT_TEXT: goto bad;
	}
	*out = v;
	return 0;
bad:
	switch (type) {
	case FT_COUNT:
		return perr(pl, "'%s': '%s' is not a whole number (e.g. %s == 0)", field, w, field);
	case FT_RATE:
		return perr(pl,
			    "'%s': '%s' is not a fraction from 0 to 1 or a percentage "
			    "(e.g. 5%% or 0.05)",
			    field, w);
	case FT_LATENCY:
		return perr(pl,
			    "'%s': '%s' is not a duration (a number and us, ms or s, e.g. 50ms)",
			    field, w);
	case FT_THROUGHPUT:
		return perr(pl,
			    "'%s': '%s' is not a rate in operations per second "
			    "(e.g. 1000 or 1000ops/s)",
			    field, w);
	default: return perr(pl, "'%s': '%s' is not a value", field, w);
	}
}

static int op_parse(struct pline *pl, const struct lex *x, const char *field, enum ftype type,
		    enum gate_op *op)
{
	const char *valid = type == FT_VERDICT ? "==, !=, in"
			    : type == FT_TEXT  ? "==, !="
					       : "==, !=, <, <=, >, >=";

	if (x->t == T_END)
		return perr(pl, "'%s' needs an operator and a value (valid operators: %s)", field,
			    valid);
	if (x->t == T_WORD && !strcmp(x->w, "in")) {
		if (type != FT_VERDICT)
			return perr(pl, "'%s in': 'in' is for verdicts only (valid operators: %s)",
				    field, valid);
		*op = GATE_IN;
		return 0;
	}
	if (x->t == T_OP)
		for (int i = GATE_EQ; i <= GATE_GE; i++)
			if (!strcmp(x->w, op_names[i])) {
				if ((type == FT_VERDICT || type == FT_TEXT) && i > GATE_NE)
					return perr(pl,
						    "'%s %s': %s is not ordered "
						    "(valid operators: %s)",
						    field, x->w,
						    type == FT_TEXT ? "a text" : "a verdict", valid);
				*op = (enum gate_op)i;
				return 0;
			}
	if (!strcmp(x->w, "="))
		return perr(pl, "'%s =': '=' is not an operator; did you mean '=='?", field);
	return perr(pl, "'%s %s': '%s' is not an operator (valid: %s)", field, x->w, x->w, valid);
}

/* One condition: FIELD OP VALUE, or verdict in V[,V...]. Leaves x after it. */
static int cond_parse(struct pline *pl, struct lex *x, struct gate_cond *k, int after_in)
{
	char field[64];
	enum ftype type;

	if (x->t != T_WORD)
		return perr(pl,
			    x->t == T_END ? "a condition is missing after ','"
					  : "expected a field, got '%s' (valid: " VALID_FIELDS ")",
			    x->w);
	str_copy(field, x->w, sizeof(field));
	if (after_in && verdict_find(field) < 0 && !strchr(field, '.')) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fields) && strcmp(field, fields[i].name); i++)
			;
		if (i == ARRAY_SIZE(fields))
			return perr(pl,
				    "'%s' is neither a verdict (valid: " VALID_VERDICTS
				    ") nor a field (valid: " VALID_FIELDS ")",
				    field);
	}
	if (field_parse(pl, field, k) < 0)
		return -1;
	type = field_type((enum fid)k->field);
	if (lex(pl, x) < 0 || op_parse(pl, x, field, type, &k->op) < 0 || lex(pl, x) < 0)
		return -1;
	if (x->t != T_WORD)
		return perr(pl, "'%s %s' needs a value", field, op_names[k->op]);
	str_copy(k->bound, x->w, sizeof(k->bound));
	if (type == FT_TEXT) {
		/* how: kept as written in bound, matched as a glob */
	} else if (type == FT_VERDICT) {
		int outcome = k->field == F_OUTCOME;
		int v = outcome ? outcome_find(x->w) : verdict_find(x->w);

		if (v < 0)
			return perr(pl, "'%s': unknown %s '%s' (valid: %s)", field,
				    outcome ? "outcome" : "verdict", x->w,
				    outcome ? VALID_OUTCOMES : VALID_VERDICTS);
		k->verdicts = 1u << v;
		while (k->op == GATE_IN) {
			struct lex save = *x;

			if (lex(pl, x) < 0)
				return -1;
			/* "errors" is a verdict and a field: an operator after it
			 * makes it the next condition. */
			if (x->t == T_COMMA && lex(pl, x) == 0 && x->t == T_WORD &&
			    (v = outcome ? outcome_find(x->w) : verdict_find(x->w)) >= 0 &&
			    !op_follows(x)) {
				k->verdicts |= 1u << v;
				if (strlen(k->bound) + strlen(x->w) + 2 > sizeof(k->bound))
					return perr(pl, "'%s in': list too long", field);
				strcat(k->bound, ",");
				strcat(k->bound, x->w);
				continue;
			}
			*x = save;
			break;
		}
	} else if (value_parse(pl, field, op_names[k->op], type, x->w, &k->value) < 0) {
		return -1;
	}
	str_printf(k->text, sizeof(k->text), "%s %s %s", field, op_names[k->op], k->bound);
	return lex(pl, x);
}

/*
 * After a condition: "at clients=N", "at keys=N" or both ("at clients=32
 * keys=16"): the condition holds at that point of a load sweep only.
 */
static int at_parse(struct pline *pl, struct lex *x, struct gate_cond *k)
{
	if (x->t != T_WORD || strcmp(x->w, "at"))
		return 0;
	if (lex(pl, x) < 0)
		return -1;
	do {
		char dim[16];
		const char *rest = "";
		double v;
		int *slot;

		if (x->t != T_WORD || (strcmp(x->w, "clients") && strcmp(x->w, "keys")))
			return perr(pl, "'%s at': expected clients=N or keys=N, got '%s'", k->text,
				    x->w);
		str_copy(dim, x->w, sizeof(dim));
		slot = !strcmp(dim, "clients") ? &k->at_clients : &k->at_keys;
		if (*slot)
			return perr(pl, "'%s at': %s given twice", k->text, dim);
		if (lex(pl, x) < 0)
			return -1;
		if (x->t != T_OP || strcmp(x->w, "="))
			return perr(pl, "'%s at %s': expected '=', got '%s'", k->text, dim, x->w);
		if (lex(pl, x) < 0)
			return -1;
		if (x->t != T_WORD || num_prefix(x->w, &v, &rest) < 0 || *rest || v < 1 ||
		    v > 1000000 || v != (double)(int)v)
			return perr(pl, "'%s at %s=': '%s' is not a whole number from 1 to 1000000",
				    k->text, dim, x->w);
		*slot = (int)v;
		str_printf(k->text + strlen(k->text), sizeof(k->text) - strlen(k->text),
			   " at %s=%d", dim, *slot);
		if (lex(pl, x) < 0)
			return -1;
	} while (x->t == T_WORD && (!strcmp(x->w, "clients") || !strcmp(x->w, "keys")));
	return 0;
}

/* One non-blank line, comments stripped, into ex. */
static int line_parse(struct pline *pl, char *s, struct gate_expect *ex)
{
	static const char *const what[4] = { "database", "isolation level", "scenario",
					     "strategy" };
	static const char *const iso_what[4] = { "database", "isolation level", "test",
						 "strategy" };
	int npat = pl->g->isolation ? 3 : 4;
	const char *shape = pl->g->isolation ? ISO_LINE_SHAPE : LINE_SHAPE;
	const char *const *wh = pl->g->isolation ? iso_what : what;
	const char *dbs[16], *isos[RB_ISO__COUNT], *scs[GATE_KNOWN], *sts[ST__COUNT];
	const char *const *names[4] = { dbs, isos, scs, sts };
	int counts[4] = { 0, RB_ISO__COUNT, pl->g->nknown, ST__COUNT };
	struct lex x;
	int after_in = 0;

	for (int i = 0; drivers[i] && counts[0] < (int)ARRAY_SIZE(dbs); i++)
		dbs[counts[0]++] = drivers[i]->name;
	for (int i = 0; i < RB_ISO__COUNT; i++)
		isos[i] = rb_iso_name((enum rb_iso)i);
	for (int i = 0; i < pl->g->nknown; i++)
		scs[i] = pl->g->known[i];
	for (int i = 0; i < ST__COUNT; i++)
		sts[i] = strategy_name((enum strategy)i);

	for (int i = 0; i < npat; i++) {
		size_t n;

		while (isspace((unsigned char)*s))
			s++;
		n = strcspn(s, " \t");
		if (n == 0 || (i < npat - 1 && !s[n]))
			return perr(pl, "%s (got %d word%s)", shape, i + (n > 0),
				    i + (n > 0) == 1 ? "" : "s");
		if (n >= GATE_PAT)
			return perr(pl, "%s pattern '%.20s...' is longer than %d characters",
				    wh[i], s, GATE_PAT - 1);
		memcpy(ex->pat[i], s, n);
		ex->pat[i][n] = '\0';
		if (strpbrk(ex->pat[i], "<>=!"))
			return perr(pl, "'%s' where the %s pattern should be (%s)", ex->pat[i],
				    wh[i], shape);
		s += n;
	}
	if (npat == 3)
		strcpy(ex->pat[3], "*"); /* an isolation test runs as it is written */
	for (int i = 0; i < npat; i++)
		if (pat_check(pl, ex->pat[i], wh[i], names[i], counts[i], i == 2) < 0)
			return -1;
	x.p = s;
	if (lex(pl, &x) < 0)
		return -1;
	if (x.t == T_END)
		return perr(pl, "no condition after the pattern (%s)", shape);
	for (;;) {
		struct gate_cond *k;

		if (ex->ncond == GATE_CONDS)
			return perr(pl, "more than %d conditions on one line (split it)",
				    GATE_CONDS);
		k = &ex->cond[ex->ncond++];
		if (cond_parse(pl, &x, k, after_in) < 0 || at_parse(pl, &x, k) < 0)
			return -1;
		after_in = k->op == GATE_IN;
		if (x.t == T_END)
			return 0;
		if (x.t != T_COMMA)
			return perr(pl, "expected ',' or the end of the line after '%s', got '%s'",
				    k->text, x.w);
		if (lex(pl, &x) < 0)
			return -1;
	}
}

void gate_init(struct gate *g)
{
	static const struct gate_tolerance dflt = GATE_TOLERANCE_DEFAULT;

	memset(g, 0, sizeof(*g));
	g->tol = dflt;
}

void gate_release(struct gate *g)
{
	for (int i = 0; i < g->nfiles; i++)
		free(g->files[i]);
	free(g->exp);
	free(g->find);
	memset(g, 0, sizeof(*g));
}

/*
 * The bytes of one line, checked: every byte is either text the parser
 * reads, or refused here. A bare carriage return or a NUL byte would
 * otherwise end what string functions see of the line, and whatever came
 * after it (a second expectation, a second condition) would silently not
 * be checked. CRLF line ends are fine.
 */
static int line_bytes(struct pline *pl, char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		s[--n] = '\0';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0')
			return perr(pl, "a NUL byte at column %zu: not a text file", i + 1);
		if (c == '\r')
			return perr(pl,
				    "a carriage return at column %zu in the middle of the line "
				    "(only CRLF at a line's end is accepted)",
				    i + 1);
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(pl, "control character 0x%02x at column %zu", c, i + 1);
	}
	return 0;
}

int gate_parse(struct gate *g, const char *name, const char *text, size_t len, struct rb_err *e)
{
	char *err = e->msg;
	size_t errlen = sizeof(e->msg);
	struct pline pl = { .g = g, .line = 0, .err = err, .errlen = errlen };
	char *buf = xmalloc(len + 1);
	int rc = 0, before = g->nexp;

	if (g->nfiles == (int)ARRAY_SIZE(g->files)) {
		free(buf);
		return rb_err_input(e, "%s: at most %d expectations files", name,
				    (int)ARRAY_SIZE(g->files));
	}
	know_builtins(g);
	g->files[g->nfiles] = xstrdup(name);
	pl.file = g->files[g->nfiles++];
	memcpy(buf, text, len);
	buf[len] = '\0';
	for (size_t at = 0; rc == 0 && at < len;) {
		char *s = buf + at, *nl = memchr(s, '\n', len - at);
		size_t n = nl ? (size_t)(nl - s) : len - at;
		struct gate_expect *ex;

		at += n + 1;
		s[n] = '\0';
		pl.line++;
		rc = line_bytes(&pl, s, n);
		if (rc < 0)
			break;
		s[strcspn(s, "#")] = '\0';
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			continue;
		if (g->nexp == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 16;
			g->exp = xrealloc(g->exp, (size_t)g->cap * sizeof(*g->exp));
		}
		ex = &g->exp[g->nexp];
		memset(ex, 0, sizeof(*ex));
		ex->file = pl.file;
		ex->line = pl.line;
		rc = line_parse(&pl, s, ex);
		if (rc == 0)
			g->nexp++;
	}
	free(buf);
	if (rc == 0 && g->nexp == before)
		return rb_err_input(e, "%s: no expectations in the file (%s)", name, LINE_SHAPE);
	if (rc < 0) {
		e->cls = RB_CLS_OTHER;
		e->input = 1;
	}
	return rc;
}

int gate_load(struct gate *g, const char *path, struct rb_err *e)
{
	char *text;
	size_t len;
	int rc;

	if (read_text_file("expectations file", path, GATE_FILE_LIMIT, &text, &len, e) < 0)
		return -1;
	rc = gate_parse(g, path, text, len, e);
	free(text);
	return rc;
}

void gate_set_baseline(struct gate *g, const char *name, const struct run_result *base,
		       const struct gate_tolerance *tol)
{
	g->base_name = name;
	g->base = base;
	if (tol)
		g->tol = *tol;
}

/* The figure k looks at in c; 0 when it does not apply to the cell. */
static int figure(const struct cell_result *c, const struct gate_cond *k, double *v)
{
	const struct lat_summary *l = &c->lat;
	long long sum = 0;

	switch ((enum fid)k->field) {
	case F_VERDICT:
	case F_OUTCOME:
	case F_HOW: return 0;
	case F_ANOMALIES:
		for (int i = 0; i < c->nkinds; i++)
			sum += c->anomalies[i];
		*v = (double)sum;
		return 1;
	case F_KIND:
		for (int i = 0; i < c->nkinds; i++)
			if (!strcmp(c->kinds[i], k->kind)) {
				*v = (double)c->anomalies[i];
				return 1;
			}
		return 0;
	case F_ANOMALOUS_TRIALS: *v = (double)c->anomalous_trials; return 1;
	case F_RATE: *v = cell_rate(c); return c->trials > 0;
	case F_TRIALS: *v = (double)c->trials; return 1;
	case F_OPS: *v = (double)c->ops; return 1;
	case F_COMMITTED: *v = (double)c->done; return 1;
	case F_DECLINED: *v = (double)c->declined; return 1;
	case F_FAILED: *v = (double)c->failed; return 1;
	case F_FAILURE: *v = (double)c->failures[k->sub]; return 1;
	case F_RETRIES: *v = (double)c->retries; return 1;
	case F_ERRORS:
		for (int i = 1; i < RB_CLS__COUNT; i++)
			sum += c->errors[i];
		*v = (double)sum;
		return 1;
	case F_ERROR: *v = (double)c->errors[k->sub]; return 1;
	case F_P50: *v = (double)l->p50; return l->count > 0;
	case F_P90: *v = (double)l->p90; return l->count > 0;
	case F_P99: *v = (double)l->p99; return l->count > 0;
	case F_P999: *v = (double)l->p999; return l->count > 0;
	case F_MAX: *v = (double)l->max; return l->count > 0;
	case F_MEAN: *v = l->mean; return l->count > 0;
	case F_THROUGHPUT: *v = c->throughput; return 1;
	case F_LOCK_TIMEOUTS: *v = (double)c->lock_timeouts; return c->has_lock;
	case F_LEASES_EXPIRED: *v = (double)c->lease_expired; return c->has_lock;
	}
	return 0;
}

static void fmt_tput(char *buf, size_t n, double v)
{
	snprintf(buf, n, v >= 100 ? "%.0f ops/s" : "%.3g ops/s", v);
}

/* The figure for people, in the unit reports use. */
static void fmt_figure(char *buf, size_t n, enum ftype type, double v)
{
	switch (type) {
	case FT_LATENCY: fmt_us(buf, n, (uint64_t)(v + 0.5)); break;
	case FT_RATE: snprintf(buf, n, "%.4g%%", v * 100); break;
	case FT_THROUGHPUT: fmt_tput(buf, n, v); break;
	default: snprintf(buf, n, "%.0f", v); break;
	}
}

static int holds(double v, enum gate_op op, double bound)
{
	switch (op) {
	case GATE_EQ: return v == bound;
	case GATE_NE: return v != bound;
	case GATE_LT: return v < bound;
	case GATE_LE: return v <= bound;
	case GATE_GT: return v > bound;
	case GATE_GE: return v >= bound;
	default: return 0;
	}
}

static void add_finding(struct gate *g, const char *where, int cell, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_finding(struct gate *g, const char *where, int cell, const char *fmt, ...)
{
	struct gate_finding *fd;
	va_list ap;

	if (g->nfind == g->fcap) {
		g->fcap = g->fcap ? g->fcap * 2 : 16;
		g->find = xrealloc(g->find, (size_t)g->fcap * sizeof(*g->find));
	}
	fd = &g->find[g->nfind++];
	str_copy(fd->where, where, sizeof(fd->where));
	fd->cell = cell;
	va_start(ap, fmt);
	vsnprintf(fd->what, sizeof(fd->what), fmt, ap);
	va_end(ap);
}

/* Checks condition k on cell i; a finding when it does not hold. */
static void check_cond(struct gate *g, const char *where, const struct run_result *r, int i,
		       struct gate_cond *k)
{
	const struct cell_result *c = &r->cells[i];
	enum ftype type = field_type((enum fid)k->field);
	char got[48];
	double v;
	int ok;

	/* a point of a sweep: the other points' cells are not this condition's */
	if ((k->at_clients && c->clients != k->at_clients) || (k->at_keys && c->keys != k->at_keys))
		return;

	if (type == FT_TEXT) {
		if (c->verdict == V_NA)
			return;
		k->checked++;
		ok = fnmatch(k->bound, c->how, 0) == 0;
		if (k->op == GATE_NE)
			ok = !ok;
		if (!ok)
			add_finding(g, where, i, "how %s, expected %s%s", c->how[0] ? c->how : "-",
				    k->op == GATE_NE ? "not " : "", k->bound);
		return;
	}
	if (type == FT_VERDICT) {
		unsigned bit = 1u << c->verdict;
		int outcome = k->field == F_OUTCOME;

		if (c->verdict == V_NA && !(k->verdicts & (1u << V_NA)))
			return;
		k->checked++;
		ok = k->op == GATE_NE ? !(k->verdicts & bit) : !!(k->verdicts & bit);
		if (!ok)
			add_finding(g, where, i, "%s %s, expected %s%s",
				    outcome ? "outcome" : "verdict",
				    outcome ? isolation_outcome(c->verdict) : verdict_name(c->verdict),
				    k->op == GATE_NE	       ? "not "
					    : k->op == GATE_IN ? "one of "
							       : "",
				    k->bound);
		return;
	}
	if (c->verdict == V_NA || !figure(c, k, &v))
		return;
	k->checked++;
	if (holds(v, k->op, k->value))
		return;
	fmt_figure(got, sizeof(got), type, v);
	add_finding(g, where, i, "%.*s %s %s %s", (int)strcspn(k->text, " "), k->text, got,
		    k->op == GATE_EQ	       ? "!="
			    : k->op == GATE_NE ? "=="
			    : v > k->value     ? ">"
			    : v < k->value     ? "<"
					       : "==",
		    k->bound);
}

static void check_expect(struct gate *g, const struct run_result *r, struct gate_expect *ex)
{
	char where[96];

	snprintf(where, sizeof(where), "%s:%d", ex->file, ex->line);
	ex->matched = ex->matched_na = 0;
	for (int k = 0; k < ex->ncond; k++)
		ex->cond[k].checked = 0;
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i];

		if (!pat_match(ex->pat[0], c->db, 0) || !pat_match(ex->pat[1], rb_iso_name(c->iso), 0) ||
		    !pat_match(ex->pat[2], c->scenario, 1) || !pat_match(ex->pat[3], c->strategy, 0))
			continue;
		ex->matched++;
		ex->matched_na += c->verdict == V_NA;
		for (int k = 0; k < ex->ncond; k++)
			check_cond(g, where, r, i, &ex->cond[k]);
	}
	if (!ex->matched) {
		add_finding(g, where, -1, "matched no cell: %s %s %s%s%s", ex->pat[0], ex->pat[1],
			    ex->pat[2], g->isolation ? "" : " ", g->isolation ? "" : ex->pat[3]);
		return;
	}
	for (int k = 0; k < ex->ncond; k++) {
		if (ex->cond[k].checked)
			continue;
		if (ex->matched_na == ex->matched) {
			add_finding(g, where, -1,
				    "matched only n/a cells (%d): %s %s %s%s%s: "
				    "nothing checked",
				    ex->matched, ex->pat[0], ex->pat[1], ex->pat[2],
				    g->isolation ? "" : " ", g->isolation ? "" : ex->pat[3]);
			return;
		}
		add_finding(g, where, -1, "'%s' applies to none of the %d matched cells",
			    ex->cond[k].text, ex->matched);
	}
}

/* Worse is higher: safe, errors, anomaly, aborted. */
static int verdict_rank(enum verdict v)
{
	switch (v) {
	case V_SAFE: return 0;
	case V_ERRORS: return 1;
	case V_ANOMALY: return 2;
	case V_ABORTED: return 3;
	default: return -1;
	}
}

static const struct cell_result *base_cell(const struct run_result *b, const struct cell_result *c)
{
	for (int i = 0; i < b->ncells; i++) {
		const struct cell_result *o = &b->cells[i];

		if (o->iso == c->iso && !strcmp(o->db, c->db) &&
		    !strcmp(o->scenario, c->scenario) && !strcmp(o->strategy, c->strategy))
			return o;
	}
	return NULL;
}

static void check_baseline(struct gate *g, const struct run_result *r)
{
	const struct gate_tolerance *t = &g->tol;
	char where[96], now[32], was[32];

	snprintf(where, sizeof(where), "baseline %s", g->base_name);
	g->base_compared = 0;
	for (int i = 0; i < r->ncells; i++) {
		const struct cell_result *c = &r->cells[i], *b = base_cell(g->base, c);

		if (!b || b->verdict == V_NA || c->verdict == V_NA)
			continue;
		g->base_compared++;
		if (verdict_rank(c->verdict) > verdict_rank(b->verdict))
			add_finding(g, where, i, "verdict %s, was %s", verdict_name(c->verdict),
				    verdict_name(b->verdict));
		if (c->lat.count && b->lat.count &&
		    (double)c->lat.p99 > (double)b->lat.p99 * (1 + t->latency) &&
		    c->lat.p99 > b->lat.p99 + t->floor_us) {
			fmt_us(now, sizeof(now), c->lat.p99);
			fmt_us(was, sizeof(was), b->lat.p99);
			add_finding(g, where, i, "p99 %s > %s %+.4g%%", now, was, t->latency * 100);
		}
		if (b->throughput > 0 && c->throughput < b->throughput * (1 - t->throughput)) {
			fmt_tput(now, sizeof(now), c->throughput);
			fmt_tput(was, sizeof(was), b->throughput);
			add_finding(g, where, i, "throughput %s < %s %+.4g%%", now, was,
				    t->throughput ? -t->throughput * 100 : 0.0);
		}
	}
	if (!g->base_compared)
		add_finding(g, where, -1,
			    "no cell of this run is in the baseline "
			    "(cells are matched by db, scenario, strategy and isolation)");
}

int gate_eval(struct gate *g, struct run_result *r)
{
	g->nfind = 0;
	r->gated = 1;
	r->nbroken = 0;
	for (int i = 0; i < r->ncells; i++)
		r->cells[i].nbroken = 0;
	for (int e = 0; e < g->nexp; e++)
		check_expect(g, r, &g->exp[e]);
	if (g->base)
		check_baseline(g, r);
	for (int f = 0; f < g->nfind; f++) {
		const struct gate_finding *fd = &g->find[f];
		char msg[BROKEN_LEN];

		str_printf(msg, sizeof(msg), "%s: %s", fd->where, fd->what);
		if (fd->cell >= 0)
			result_add_broken(r->cells[fd->cell].broken, &r->cells[fd->cell].nbroken,
					  msg);
		else
			result_add_broken(r->broken, &r->nbroken, msg);
	}
	r->gate_failed = g->nfind > 0;
	return g->nfind;
}

/* "pg rc double-tap none" ("pg rr p4" in isolation): a cell as a line names it. */
static void cell_name(char *buf, size_t n, const struct run_result *r,
		      const struct cell_result *c)
{
	if (r->mode && !strcmp(r->mode, "isolation"))
		snprintf(buf, n, "%s %s %s", c->db, rb_iso_name(c->iso), c->scenario);
	else
		snprintf(buf, n, "%s %s %s %s", c->db, rb_iso_name(c->iso), c->scenario,
			 c->strategy);
}

void gate_summary(FILE *f, const struct gate *g, const struct run_result *r, int quiet)
{
	char what[512] = "";
	size_t o = 0;

	for (int i = 0; i < g->nfiles; i++) {
		int n = 0;

		for (int e = 0; e < g->nexp; e++)
			n += g->exp[e].file == g->files[i];
		o += (size_t)snprintf(what + o, sizeof(what) - o, "%s%s: %d expectation%s",
				      o ? "; " : "", g->files[i], n, n == 1 ? "" : "s");
		if (o >= sizeof(what))
			o = sizeof(what) - 1;
	}
	if (g->base)
		snprintf(what + o, sizeof(what) - o,
			 "%sbaseline %s: %d cell%s compared, "
			 "p99 %+.4g%% (floor %.4gms), throughput %+.4g%%",
			 o ? "; " : "", g->base_name, g->base_compared,
			 g->base_compared == 1 ? "" : "s", g->tol.latency * 100,
			 (double)g->tol.floor_us / 1000,
			 g->tol.throughput ? -g->tol.throughput * 100 : 0.0);
	if (!g->nfind) {
		if (!quiet)
			fprintf(f, "gate: ok (%s)\n", what);
		return;
	}
	fprintf(f, "gate: FAILED: %d broken (%s)\n", g->nfind, what);
	for (int i = 0; i < g->nfind; i++) {
		const struct gate_finding *fd = &g->find[i];
		char cell[256] = "";

		if (fd->cell >= 0)
			cell_name(cell, sizeof(cell), r, &r->cells[fd->cell]);
		fprintf(f, "  %s: %s%s%s\n", fd->where, cell, *cell ? ": " : "", fd->what);
	}
}

/* "20%" into a fraction in [-0.99, 10]. */
static int pct_parse(const char *s, double *out)
{
	const char *rest;
	double v;

	if (num_prefix(s, &v, &rest) < 0 || strcmp(rest, "%") || v < -99 || v > 1000)
		return -1;
	*out = v / 100;
	return 0;
}

int gate_parse_tolerance(const char *s, struct gate_tolerance *t, struct rb_err *e)
{
	static const char shape[] =
		"a percentage from -99% to 1000% such as 20%, or "
		"latency=PCT,throughput=PCT,floor=DURATION such as latency=50%,floor=5ms";
	char buf[128], *save = NULL;
	double v;

	if (strlen(s) >= sizeof(buf) || !*s)
		goto bad;
	if (!strchr(s, '=')) {
		if (pct_parse(s, &v) < 0)
			goto bad;
		t->latency = t->throughput = v;
		return 0;
	}
	strcpy(buf, s);
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			goto bad_item;
		*eq = '\0';
		if (!strcmp(tok, "latency") || !strcmp(tok, "p99")) {
			if (pct_parse(eq + 1, &t->latency) < 0)
				goto bad_value;
		} else if (!strcmp(tok, "throughput")) {
			if (pct_parse(eq + 1, &t->throughput) < 0)
				goto bad_value;
		} else if (!strcmp(tok, "floor")) {
			const char *rest;

			if (num_prefix(eq + 1, &v, &rest) < 0 || v < 0)
				goto bad_value;
			if (!strcmp(rest, "ms"))
				v *= 1e3;
			else if (!strcmp(rest, "s"))
				v *= 1e6;
			else if (strcmp(rest, "us"))
				goto bad_value;
			t->floor_us = (uint64_t)(v + 0.5);
		} else {
			rb_err_input(e,
				     "--tolerance: unknown item '%s' (valid: latency, "
				     "throughput, floor)",
				     tok);
			return -1;
		}
		continue;
	bad_value:
		rb_err_input(e, "--tolerance: %s: '%s' is not %s", tok, eq + 1,
			     !strcmp(tok, "floor") ? "a duration such as 5ms"
						   : "a percentage from -99% to 1000% such as 20%");
		return -1;
	bad_item:
		rb_err_input(e, "--tolerance: '%s' is not NAME=VALUE (%s)", tok, shape);
		return -1;
	}
	return 0;
bad:
	rb_err_input(e, "--tolerance: '%s' is not %s", s, shape);
	return -1;
}
