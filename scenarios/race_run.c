/*
 * race_run.c: the interpreter of race files. A client's variables are
 * slots allocated once (race_vm_new); a step reads and writes them, binds
 * them to prepared statements, and copies what a statement returned into
 * them. Statements are prepared once per connection, names are slots
 * resolved when the file was read, and a slot's text buffer is reused:
 * load mode pays for the race, not for the interpreter
 * (docs/performance.md measures it).
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "race.h"

enum { VT_NULL, VT_INT, VT_STR };

/* ---- values ---- */

static void set_null(struct rval *v)
{
	v->type = VT_NULL;
	v->len = 0;
}

static void set_int(struct rval *v, long long i)
{
	v->type = VT_INT;
	v->i = i;
}

/* Whether s is a whole decimal number (then *out). */
static int whole_number(const char *s, size_t n, long long *out)
{
	long long v = 0;
	size_t i = 0;
	int neg = 0;

	if (n == 0 || n > 19)
		return 0;
	if (s[0] == '-') {
		neg = 1;
		i = 1;
		if (n == 1)
			return 0;
	}
	if (s[i] == '0' && n > i + 1)
		return 0; /* "007" stays text */
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 1;
}

/* A text value (a literal, a concatenation), kept as text. */
static int set_str(struct rval *v, const char *s, size_t n, struct rb_err *e)
{
	if (n > RACE_VALUE_MAX)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "a value longer than %d bytes; use more --keys", RACE_VALUE_MAX);
	if (n + 1 > v->cap) {
		v->cap = n + 1 > 64 ? 2 * (n + 1) : 64;
		v->s = xrealloc(v->s, v->cap);
	}
	memcpy(v->s, s, n);
	v->s[n] = '\0';
	v->len = n;
	v->type = VT_STR;
	return 0;
}

/*
 * A value from the database: a whole number is a number (so `quantity - 1`
 * works on what a SELECT returned), anything else text.
 */
static int set_text(struct rval *v, const char *s, size_t n, struct rb_err *e)
{
	long long num;

	if (whole_number(s, n, &num)) {
		set_int(v, num);
		return 0;
	}
	return set_str(v, s, n, e);
}

/* The value as text into buf (numbers written out); "" for null. */
static const char *as_text(const struct rval *v, char *buf, size_t n, size_t *len)
{
	if (v->type == VT_STR) {
		*len = v->len;
		return v->s;
	}
	if (v->type == VT_NULL) {
		*len = 0;
		return "";
	}
	*len = (size_t)snprintf(buf, n, "%lld", v->i);
	return buf;
}

/* The value as a number: null is 0; a text that is no number is an error. */
static int as_int(const struct rval *v, long long *out, struct rb_err *e)
{
	if (v->type == VT_INT) {
		*out = v->i;
		return 0;
	}
	if (v->type == VT_NULL) {
		*out = 0;
		return 0;
	}
	return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "'%.40s' is not a number", v->s);
}

/* ---- expressions ---- */

static int eval(struct race_vm *vm, const struct rexpr *x, struct rval *out, struct rb_err *e);

/* Both sides as numbers. */
static int eval2(struct race_vm *vm, const struct rexpr *x, long long *a, long long *b,
		 struct rb_err *e)
{
	struct rval va = { 0 }, vb = { 0 };
	int rc = -1;

	if (eval(vm, x->a, &va, e) == 0 && eval(vm, x->b, &vb, e) == 0 && as_int(&va, a, e) == 0 &&
	    as_int(&vb, b, e) == 0)
		rc = 0;
	free(va.s);
	free(vb.s);
	return rc;
}

/* Compares two values: as numbers when both are numbers, else as text; null only equals null. */
static int compare(const struct rval *a, const struct rval *b, int *cmp)
{
	char ba[24], bb[24];
	size_t la, lb;
	const char *ta, *tb;

	if (a->type == VT_NULL || b->type == VT_NULL) {
		*cmp = (a->type == VT_NULL) == (b->type == VT_NULL) ? 0 : 1;
		return a->type == b->type ? 0 : 1; /* 1: only == and != make sense */
	}
	if (a->type == VT_INT && b->type == VT_INT) {
		*cmp = a->i < b->i ? -1 : a->i > b->i;
		return 0;
	}
	ta = as_text(a, ba, sizeof(ba), &la);
	tb = as_text(b, bb, sizeof(bb), &lb);
	*cmp = strcmp(ta, tb);
	return 0;
}

static int eval(struct race_vm *vm, const struct rexpr *x, struct rval *out, struct rb_err *e)
{
	long long a = 0, b = 0;

	switch (x->op) {
	case RX_NUM: set_int(out, x->num); return 0;
	case RX_STR: return set_str(out, x->str, strlen(x->str), e);
	case RX_NULL: set_null(out); return 0;
	case RX_VAR: {
		const struct rval *v = &vm->v[x->var];

		if (v->type == VT_STR)
			return set_str(out, v->s, v->len, e);
		*out = (struct rval){ .type = v->type, .i = v->i, .s = out->s, .cap = out->cap };
		return 0;
	}
	case RX_NEG:
	case RX_ABS:
	case RX_NOT: {
		struct rval v = { 0 };
		int rc = eval(vm, x->a, &v, e);

		if (rc == 0 && x->op == RX_NOT)
			set_int(out, v.type == VT_NULL || (v.type == VT_INT && v.i == 0));
		else if (rc == 0 && (rc = as_int(&v, &a, e)) == 0)
			set_int(out, x->op == RX_NEG ? -a : a < 0 ? -a : a);
		free(v.s);
		return rc;
	}
	case RX_AND:
	case RX_OR: {
		struct rval v = { 0 };
		int truth, rc = eval(vm, x->a, &v, e);

		truth = v.type == VT_STR || (v.type == VT_INT && v.i != 0);
		free(v.s);
		if (rc < 0)
			return -1;
		if (x->op == RX_AND ? !truth : truth) {
			set_int(out, truth);
			return 0;
		}
		v = (struct rval){ 0 };
		rc = eval(vm, x->b, &v, e);
		set_int(out, v.type == VT_STR || (v.type == VT_INT && v.i != 0));
		free(v.s);
		return rc;
	}
	case RX_CAT: {
		struct rval va = { 0 }, vb = { 0 };
		char ba[24], bb[24], *buf;
		size_t la, lb;
		const char *ta, *tb;
		int rc = -1;

		if (eval(vm, x->a, &va, e) == 0 && eval(vm, x->b, &vb, e) == 0) {
			ta = as_text(&va, ba, sizeof(ba), &la);
			tb = as_text(&vb, bb, sizeof(bb), &lb);
			buf = xmalloc(la + lb + 1);
			memcpy(buf, ta, la);
			memcpy(buf + la, tb, lb);
			rc = set_str(out, buf, la + lb, e);
			free(buf);
		}
		free(va.s);
		free(vb.s);
		return rc;
	}
	case RX_EQ:
	case RX_NE:
	case RX_LT:
	case RX_LE:
	case RX_GT:
	case RX_GE: {
		struct rval va = { 0 }, vb = { 0 };
		int cmp = 0, only_eq, rc = -1;

		if (eval(vm, x->a, &va, e) == 0 && eval(vm, x->b, &vb, e) == 0) {
			only_eq = compare(&va, &vb, &cmp);
			if (only_eq && x->op != RX_EQ && x->op != RX_NE)
				rc = rb_err_set(e, RB_CLS_OTHER, NULL, 0,
						"null compared with <, <=, > or >=");
			else {
				int v = x->op == RX_EQ ? cmp == 0 : x->op == RX_NE ? cmp != 0
					: x->op == RX_LT ? cmp < 0 : x->op == RX_LE ? cmp <= 0
					: x->op == RX_GT ? cmp > 0 : cmp >= 0;

				set_int(out, v);
				rc = 0;
			}
		}
		free(va.s);
		free(vb.s);
		return rc;
	}
	case RX_MAX:
	case RX_MIN:
		if (eval2(vm, x, &a, &b, e) < 0)
			return -1;
		set_int(out, x->op == RX_MAX ? (a > b ? a : b) : (a < b ? a : b));
		return 0;
	default:
		if (eval2(vm, x, &a, &b, e) < 0)
			return -1;
		if ((x->op == RX_DIV || x->op == RX_MOD) && b == 0)
			return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "division by zero");
		set_int(out, x->op == RX_ADD   ? a + b
			     : x->op == RX_SUB ? a - b
			     : x->op == RX_MUL ? a * b
			     : x->op == RX_DIV ? a / b
					       : a % b);
		return 0;
	}
}

/* Evaluates into the variable slot v (its buffer reused). */
static int eval_into(struct race_vm *vm, const struct rexpr *x, struct rval *v, struct rb_err *e)
{
	struct rval tmp = { 0 };
	int rc;

	/* x may read v itself ("let list = list || ..."): evaluate aside, then move. */
	if (x->op == RX_NUM) {
		set_int(v, x->num);
		return 0;
	}
	rc = eval(vm, x, &tmp, e);
	if (rc == 0 && tmp.type == VT_STR) {
		rc = set_str(v, tmp.s, tmp.len, e);
	} else if (rc == 0) {
		v->type = tmp.type;
		v->i = tmp.i;
	}
	free(tmp.s);
	return rc;
}

static int truth(struct race_vm *vm, const struct rexpr *x, int *t, struct rb_err *e)
{
	struct rval v = { 0 };
	int rc = eval(vm, x, &v, e);

	*t = v.type == VT_STR || (v.type == VT_INT && v.i != 0);
	free(v.s);
	return rc;
}

/* ---- statements ---- */

static void bind(struct race_vm *vm, const struct rpiece *pc)
{
	for (int k = 0; k < pc->nparams; k++) {
		const struct rval *v = &vm->v[pc->params[k]];

		if (v->type == VT_NULL)
			vm->params[k] = P_NULL;
		else if (v->type == VT_INT)
			vm->params[k] = P_INT(v->i);
		else
			vm->params[k] = P_TEXT(v->s);
	}
}

/* Copies row `row` of c's result into the statement's into variables. */
static int take_row(struct race_vm *vm, struct db_conn *c, const struct rsql *s, int row,
		    struct rb_err *e)
{
	for (int k = 0; k < s->ninto; k++) {
		const char *val = row < db_rows(c) ? db_value(c, row, k) : NULL;

		if (!val)
			set_null(&vm->v[s->into[k]]);
		else if (set_text(&vm->v[s->into[k]], val, strlen(val), e) < 0)
			return -1;
	}
	return 0;
}

/*
 * into set NAME: the whole result as text, "(1,10),(2,20)": rows in the
 * order the server gave them, columns joined by ',', SQL NULL as null, ""
 * for no rows; what an isolation test compares a read with.
 */
static int take_set(struct race_vm *vm, struct db_conn *c, struct rval *out, struct rb_err *e)
{
	int rows = db_rows(c), cols = db_columns(c);
	size_t n = 0, cap = 64;
	char *buf = xmalloc(cap);
	int rc;

	(void)vm;
	buf[0] = '\0';
	for (int r = 0; r < rows; r++) {
		for (int k = 0; k < cols; k++) {
			const char *v = db_value(c, r, k);
			size_t need = (v ? strlen(v) : 4) + 4;

			if (n + need >= cap) {
				cap = 2 * (n + need);
				buf = xrealloc(buf, cap);
			}
			n += (size_t)snprintf(buf + n, cap - n, "%s%s%s", k ? "," : r ? ",(" : "(",
					      v ? v : "null", k == cols - 1 ? ")" : "");
		}
	}
	rc = set_str(out, buf, n, e);
	free(buf);
	return rc;
}

static int run_sql(struct race_vm *vm, struct db_conn *c, const struct rsql *s, struct rb_err *e)
{
	enum dialect d = db_dialect(c);

	/* race_spelt refused the run before it started; this is a bug's net */
	if (!s->npieces[d])
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "statement %s has no spelling for %s",
				  s->name, dialect_name(d));
	for (int k = 0; k < s->npieces[d]; k++) {
		const struct rpiece *pc = &s->piece[d][k];

		bind(vm, pc);
		if (db_query(c, &pc->st, vm->params, pc->nparams, e) < 0)
			return -1;
	}
	set_int(&vm->v[RV_ROWS], db_rows(c));
	set_int(&vm->v[RV_AFFECTED], db_affected(c));
	if (s->into_set)
		return take_set(vm, c, &vm->v[s->into_set - 1], e);
	return take_row(vm, c, s, 0, e);
}

/* for row: every row of the statement's result, copied first (the steps may query). */
static int run_rows(struct race_vm *vm, struct db_conn *c, const struct rstep *st,
		    enum op_status *out, struct rb_err *e)
{
	const struct rsql *s = st->sql;
	int nrows, rc = 0;
	char **cells;

	if (run_sql(vm, c, s, e) < 0)
		return -1;
	nrows = db_rows(c);
	cells = xcalloc((size_t)nrows * (size_t)s->ninto + 1, sizeof(*cells));
	for (int r = 0; r < nrows; r++)
		for (int k = 0; k < s->ninto; k++) {
			const char *v = db_value(c, r, k);

			cells[r * s->ninto + k] = v ? xstrdup(v) : NULL;
		}
	for (int r = 0; r < nrows && rc == 0; r++) {
		for (int k = 0; k < s->ninto && rc == 0; k++) {
			const char *v = cells[r * s->ninto + k];

			if (!v)
				set_null(&vm->v[s->into[k]]);
			else
				rc = set_text(&vm->v[s->into[k]], v, strlen(v), e);
		}
		if (rc == 0)
			rc = race_exec(vm, c, &st->then, out, e);
	}
	for (int i = 0; i < nrows * s->ninto; i++)
		free(cells[i]);
	free(cells);
	return rc;
}

int race_exec(struct race_vm *vm, struct db_conn *c, const struct rblock *b, enum op_status *st,
	      struct rb_err *e)
{
	for (int i = 0; i < b->n; i++) {
		const struct rstep *s = b->s[i];
		int rc = 0, t;

		switch (s->kind) {
		case RS_SQL: rc = run_sql(vm, c, s->sql, e); break;
		case RS_LET: rc = eval_into(vm, s->expr, &vm->v[s->var], e); break;
		case RS_IF:
			rc = truth(vm, s->expr, &t, e);
			if (rc == 0)
				rc = race_exec(vm, c, t ? &s->then : &s->els, st, e);
			break;
		case RS_FOR_KEY: {
			long long keys = vm->v[RV_KEYS].i;

			for (long long k = 0; k < keys && rc == 0; k++) {
				set_int(&vm->v[RV_KEY], k);
				set_int(&vm->v[RV_COMMITTED], vm->committed ? vm->committed[k] : 0);
				rc = race_exec(vm, c, &s->then, st, e);
			}
			break;
		}
		case RS_FOR_ROWS: rc = run_rows(vm, c, s, st, e); break;
		case RS_THINK:
			if (vm->o)
				sc_think(vm->o);
			break;
		case RS_OUTCOME: *st = s->outcome; return 1;
		case RS_FAIL: {
			struct rval v = { 0 };
			char buf[24];
			size_t len;

			rc = eval(vm, s->expr, &v, e);
			if (rc == 0)
				rc = rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s",
						as_text(&v, buf, sizeof(buf), &len));
			free(v.s);
			return -1;
		}
		case RS_NOTE:
			rc = eval_into(vm, s->expr, &vm->v[s->var], e);
			vm->noted[s->var] = 1;
			break;
		case RS_COUNT: {
			struct rval v = { 0 };
			long long n = 0;

			rc = eval(vm, s->expr, &v, e);
			if (rc == 0)
				rc = as_int(&v, &n, e);
			free(v.s);
			if (rc == 0 && n > 0)
				vm->anomalies[s->var] += n;
			break;
		}
		}
		if (rc != 0) {
			if (rc < 0 && e->msg[0] && s->kind != RS_SQL && !strstr(e->msg, "line "))
				snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
					 " (%s, line %d)", vm->r->file, s->line);
			return rc;
		}
	}
	return 0;
}

/* ---- notes: what a session saw, kept when it commits ---- */

/* The order operations committed in, across clients: a later commit's note wins. */
static atomic_ullong commit_seq;

static void copy_val(struct rval *to, const struct rval *from)
{
	struct rb_err ignored;

	if (from->type == VT_STR)
		set_str(to, from->s, from->len, &ignored);
	else if (from->type == VT_INT)
		set_int(to, from->i);
	else
		set_null(to);
}

void race_vm_commit(struct race_vm *vm)
{
	unsigned long long seq = atomic_fetch_add(&commit_seq, 1) + 1;

	for (int i = 0; i < vm->r->nnoted; i++) {
		int v = vm->r->noted[i];

		if (!vm->noted[v])
			continue;
		copy_val(&vm->kept[v], &vm->v[v]);
		vm->kept_seq[v] = seq;
	}
	memset(vm->noted, 0, sizeof(vm->noted));
}

int race_vm_take_notes(struct race_vm *check, struct race_vm *const *clients, int n,
		       struct rb_err *e)
{
	(void)e;
	for (int i = 0; i < check->r->nnoted; i++) {
		int v = check->r->noted[i], best = -1;

		for (int c = 0; c < n; c++)
			if (clients[c] && clients[c]->kept_seq[v] &&
			    (best < 0 || clients[c]->kept_seq[v] > clients[best]->kept_seq[v]))
				best = c;
		if (best >= 0)
			copy_val(&check->v[v], &clients[best]->kept[v]);
		else
			set_null(&check->v[v]);
		for (int c = 0; c < n; c++)
			if (clients[c])
				clients[c]->kept_seq[v] = 0;
	}
	return 0;
}

/* ---- variables ---- */

int race_knob(const struct race *r, const char *name, const struct sc_params *p, long long *out)
{
	struct race_vm *vm;
	int found = -1;

	for (int k = 0; k < r->nknobs; k++) {
		if (strcmp(r->knobs[k].name, name))
			continue;
		vm = race_vm_new(r, p);
		*out = vm->v[r->knobs[k].var].i;
		race_vm_free(vm);
		found = 0;
	}
	return found;
}

int race_knobs_check(const struct race *r, const struct sc_params *p, struct rb_err *e)
{
	struct race_vm *vm = race_vm_new(r, p);
	int rc = 0;

	for (int k = 0; k < r->nknobs && rc == 0; k++) {
		const struct rknob *kb = &r->knobs[k];
		long long v = vm->v[kb->var].i, lo = LLONG_MIN, hi = LLONG_MAX;
		struct rval a = { 0 }, b = { 0 };

		if (kb->min && (eval_into(vm, kb->min, &a, e) < 0 || as_int(&a, &lo, e) < 0))
			rc = -1;
		if (rc == 0 && kb->max && (eval_into(vm, kb->max, &b, e) < 0 || as_int(&b, &hi, e) < 0))
			rc = -1;
		free(a.s);
		free(b.s);
		if (rc < 0) {
			char why[sizeof(e->msg)];

			str_copy(why, e->msg, sizeof(why));
			rc = rb_err_input(e, "%s:%d:%d: knob %s: its range: %s", r->file, kb->line,
					  kb->col, kb->name, why);
		} else if (v < lo || v > hi) {
			char range[64];

			if (kb->min && kb->max)
				snprintf(range, sizeof(range), "from %lld to %lld", lo, hi);
			else if (kb->min)
				snprintf(range, sizeof(range), "at least %lld", lo);
			else
				snprintf(range, sizeof(range), "at most %lld", hi);
			rc = rb_err_input(e, "%s:%d:%d: knob %s of %s is %lld; it must be %s (--set %s=N)",
					  r->file, kb->line, kb->col, kb->name, r->name, v, range,
					  kb->name);
		}
	}
	race_vm_free(vm);
	return rc;
}

struct race_vm *race_vm_new(const struct race *r, const struct sc_params *p)
{
	struct race_vm *vm = xcalloc(1, sizeof(*vm));
	struct rb_err ignored;

	vm->r = r;
	set_int(&vm->v[RV_CLIENTS], p->clients);
	set_int(&vm->v[RV_KEYS], p->keys);
	/* knobs: --set, else explain's value when explaining, else the default */
	for (int k = 0; k < r->nknobs; k++) {
		const struct rknob *kb = &r->knobs[k];
		struct rval *v = &vm->v[kb->var];
		int set = 0;

		for (int i = 0; i < p->nset; i++)
			if (!strcmp(p->set[i].name, kb->name)) {
				set_int(v, p->set[i].value);
				set = 1;
			}
		if (!set && eval_into(vm, p->explain && kb->explain ? kb->explain : kb->dflt, v,
				      &ignored) < 0)
			set_int(v, 0);
	}
	return vm;
}

void race_vm_free(struct race_vm *vm)
{
	if (!vm)
		return;
	for (int i = 0; i < RACE_MAX_VARS; i++) {
		free(vm->v[i].s);
		free(vm->kept[i].s);
	}
	free(vm);
}
