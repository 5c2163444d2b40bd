/*
 * race.c: the one scenario implementation: a race file run through the
 * scenario interface. Which operation each strategy runs is worked out
 * once, when the file is read (race_finish): its own operation, or the
 * race's with the statements it spells anew and the steps it adds before
 * and after them. The generic strategies (none, serializable, advisory and
 * every redis-*) need nothing from the file but the parent row redis-late
 * reads and redis-expiry-fenced writes its token to.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "race.h"

static const struct race *race_of(const struct scenario *sc)
{
	return sc->data;
}

/* ---- each strategy's operation ---- */

static void badd(struct race *r, struct rblock *b, struct rstep *s)
{
	if (b->n == b->cap) {
		struct rstep **grown;

		b->cap = b->cap ? 2 * b->cap : 8;
		grown = race_alloc(r, (size_t)b->cap * sizeof(*grown));
		if (b->n)
			memcpy(grown, b->s, (size_t)b->n * sizeof(*grown));
		b->s = grown;
	}
	b->s[b->n++] = s;
}

static void bappend(struct race *r, struct rblock *to, const struct rblock *from)
{
	for (int i = 0; i < from->n; i++)
		badd(r, to, from->s[i]);
}

/* The statement named name spelt as strategy m spells it, else as it is. */
static struct rsql *respelt(struct race *r, const struct rmods *m, struct rsql *base)
{
	for (int k = 0; k < m->nrepl; k++) {
		struct rsql *s;

		if (strcmp(m->repl[k]->name, base->name))
			continue;
		s = race_alloc(r, sizeof(*s));
		*s = *m->repl[k];
		if (!s->ninto) {
			s->ninto = base->ninto;
			memcpy(s->into, base->into, sizeof(s->into));
		}
		return s;
	}
	return base;
}

/* b with m's changes: statements spelt anew, steps before and after them. */
static struct rblock apply(struct race *r, const struct rmods *m, const struct rblock *b)
{
	struct rblock out = { 0 };

	for (int i = 0; i < b->n; i++) {
		struct rstep *s = b->s[i];
		const char *name = s->kind == RS_SQL ? s->sql->name : NULL;

		for (int k = 0; name && k < m->nbefore; k++)
			if (!strcmp(m->before_name[k], name))
				bappend(r, &out, &m->before[k]);
		if (s->kind == RS_SQL || s->kind == RS_IF || s->kind == RS_FOR_KEY ||
		    s->kind == RS_FOR_ROWS) {
			struct rstep *c = race_alloc(r, sizeof(*c));

			*c = *s;
			if (s->sql)
				c->sql = respelt(r, m, s->sql);
			c->then = apply(r, m, &s->then);
			c->els = apply(r, m, &s->els);
			s = c;
		}
		badd(r, &out, s);
		for (int k = 0; name && k < m->nafter; k++)
			if (!strcmp(m->after_name[k], name))
				bappend(r, &out, &m->after[k]);
	}
	return out;
}

/*
 * The definition strategy st runs: its own, or for a topology's fix that
 * the file does not define, the one it is built on (sync-wait runs the
 * file's for-update-parent with causal reads).
 */
static enum strategy source_of(const struct race *r, enum strategy st)
{
	const char *as = strategy_info(st)->as;
	int src = as && !r->mods[st].defined && !r->mods[st].na ? strategy_parse(as) : -1;

	return src >= 0 ? (enum strategy)src : st;
}

static void resolve(struct race *r, enum strategy st)
{
	const struct rmods *m = &r->mods[source_of(r, st)];
	struct rblock *out = &r->resolved[st];
	struct rblock body = m->own_op ? m->op : apply(r, m, &r->op);

	*out = (struct rblock){ 0 };
	bappend(r, out, &m->at_start);
	bappend(r, out, &body);
	bappend(r, out, &m->at_end);
}

/* ---- the interface ---- */

static int in_schema(const struct race *r, enum strategy s)
{
	for (int i = 0; i < r->nschemas; i++)
		if (r->schemas[i].strategies >> s & 1)
			return 1;
	return 0;
}

static const char *r_fits(const struct scenario *sc, enum strategy s, enum dialect d)
{
	const struct race *r = race_of(sc);
	const struct rmods *m = &r->mods[s];

	if (m->na)
		return m->na;
	if (source_of(r, s) != s)
		return r_fits(sc, source_of(r, s), d);
	switch (s) {
	case ST_NONE:
	case ST_SERIALIZABLE:
	case ST_ADVISORY:
	case ST_REDIS_NARROW:
	case ST_REDIS_WIDE:
	case ST_REDIS_EXPIRY:
	case ST_SYNC_WAIT:
	case ST_REDLOCK: return NULL;
	case ST_REDIS_LATE:
		return r->parent[0] ? NULL
				    : "redis-late reads the key's parent row before it locks, and "
				      "the race file names none (parent TABLE)";
	case ST_WRITE_PARENT:
		return r->parent[0] && r->fence[0]
			       ? NULL
			       : "write-parent bumps the key's parent row's fence column, and the "
				 "race file names none (parent TABLE fence COLUMN)";
	case ST_REDIS_EXPIRY_FENCED:
		return r->parent[0] && r->fence[0]
			       ? NULL
			       : "the fencing token is written to the key's parent row, and the "
				 "race file names no fence column (parent TABLE fence COLUMN)";
	case ST_UNIQUE:
	case ST_CONSTRAINT:
		return m->defined || in_schema(r, s) ? NULL : "the race file does not define it";
	default: return m->defined ? NULL : "the race file does not define it";
	}
}

static int run_block(const struct race *r, struct db_conn *c, const struct sc_params *p,
		     const struct rblock *b, const long long *committed, void **states,
		     int nstates, long long *anomalies, struct rb_err *e)
{
	struct race_vm *vm = race_vm_new(r, p);
	enum op_status st = OP_DONE;
	int rc;

	vm->committed = committed;
	if (states)
		race_vm_take_notes(vm, (struct race_vm *const *)states, nstates, e);
	rc = race_exec(vm, c, b, &st, e);
	if (anomalies)
		memcpy(anomalies, vm->anomalies, sizeof(vm->anomalies));
	race_vm_free(vm);
	return rc < 0 ? -1 : 0;
}

static int r_setup(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		   struct rb_err *e)
{
	return run_block(race_of(sc), c, p, &race_of(sc)->setup, NULL, NULL, 0, NULL, e);
}

static int r_reset(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		   struct rb_err *e)
{
	return run_block(race_of(sc), c, p, &race_of(sc)->reset, NULL, NULL, 0, NULL, e);
}

static int r_schema(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		    int prev, enum strategy next, struct rb_err *e)
{
	const struct race *r = race_of(sc);
	struct race_vm *vm = NULL;
	int rc = 0;

	for (int i = 0; i < r->nschemas && rc == 0; i++) {
		const struct rschema *s = &r->schemas[i];
		int had = prev >= 0 && (s->strategies >> prev & 1u), want = s->strategies >> next & 1u;
		struct rblock one;
		struct rstep step = { .kind = RS_SQL };
		struct rstep *steps[1] = { &step };
		enum op_status st;

		if (had == want)
			continue;
		if (!vm)
			vm = race_vm_new(r, p);
		step.sql = want ? s->add : s->drop;
		one = (struct rblock){ .n = 1, .cap = 1, .s = steps };
		rc = race_exec(vm, c, &one, &st, e) < 0 ? -1 : 0;
	}
	race_vm_free(vm);
	return rc;
}

static void *r_client_new(const struct scenario *sc, const struct sc_params *p)
{
	return race_vm_new(race_of(sc), p);
}

static void r_client_free(void *state)
{
	race_vm_free(state);
}

/* The per-operation names: the hot key, the client, the operation's token. */
static struct race_vm *op_vm(struct op_ctx *o)
{
	struct race_vm *vm = o->state;

	vm->v[RV_KEY].type = 1;
	vm->v[RV_KEY].i = o->key;
	vm->v[RV_CLIENT].type = 1;
	vm->v[RV_CLIENT].i = o->client;
	vm->v[RV_TOKEN].type = 1;
	vm->v[RV_TOKEN].i = o->token;
	vm->o = o;
	return vm;
}

static enum op_status r_op(struct op_ctx *o, struct rb_err *e)
{
	const struct race *r = race_of(o->sc);
	enum op_status st = OP_DONE;
	struct race_vm *vm = op_vm(o);
	int rc;

	memset(vm->noted, 0, sizeof(vm->noted)); /* a new attempt: nothing noted yet */
	rc = race_exec(vm, o->db, &r->resolved[o->strat], &st, e);
	return rc < 0 ? OP_ERROR : st;
}

static enum op_status r_recheck(struct op_ctx *o, struct rb_err *e)
{
	const struct race *r = race_of(o->sc);
	enum op_status st = OP_DONE;
	int rc;

	if (!r->mods[ST_CHECK_AFTER].has_recheck)
		return OP_DONE;
	rc = race_exec(op_vm(o), o->db, &r->mods[ST_CHECK_AFTER].recheck, &st, e);
	return rc < 0 ? OP_ERROR : st;
}

static int r_check(const struct scenario *sc, struct db_conn *c, const struct sc_params *p,
		   const long long *committed, void **states, int nstates, long long *anomalies,
		   struct rb_err *e)
{
	return run_block(race_of(sc), c, p, &race_of(sc)->check, committed, states, nstates,
			 anomalies, e);
}

static int r_has_statement(const struct scenario *sc, const char *name)
{
	return race_has_statement(race_of(sc), name);
}

static void r_committed(struct op_ctx *o)
{
	race_vm_commit(o->state);
}

static int r_peek(struct op_ctx *o, struct rb_err *e)
{
	struct db_param key = P_INT(o->key);

	return db_query(o->db, &race_of(o->sc)->peek, &key, 1, e);
}

static int r_fence(struct op_ctx *o, long long token, struct rb_err *e)
{
	struct db_param f[3] = { P_INT(token), P_INT(o->key), P_INT(token) };

	if (db_query(o->db, &race_of(o->sc)->fence_st, f, 3, e) < 0)
		return -1;
	return db_affected(o->db) > 0;
}

static int r_touch(struct op_ctx *o, struct rb_err *e)
{
	struct db_param key = P_INT(o->key);

	return db_query(o->db, &race_of(o->sc)->touch_st, &key, 1, e);
}

static int r_knob(const struct scenario *sc, const char *name, const struct sc_params *p,
		  long long *out)
{
	return race_knob(race_of(sc), name, p, out);
}

static int r_knobs_check(const struct scenario *sc, const struct sc_params *p, struct rb_err *e)
{
	return race_knobs_check(race_of(sc), p, e);
}

static int r_spelt(const struct scenario *sc, enum dialect d, struct rb_err *e)
{
	return race_spelt(race_of(sc), d, e);
}

void race_finish(struct race *r)
{
	struct scenario *sc = &r->sc;
	char *sql;
	size_t n;

	for (int s = 0; s < ST__COUNT; s++)
		resolve(r, (enum strategy)s);
	if (r->parent[0]) {
		n = strlen(r->parent) + 64;
		sql = race_alloc(r, n);
		snprintf(sql, n, "SELECT id FROM %s WHERE id = ?", r->parent);
		r->peek.name = "peek";
		for (int d = 0; d < DIALECT__COUNT; d++)
			r->peek.sql[d] = sql;
	}
	if (r->parent[0] && r->fence[0]) {
		n = strlen(r->parent) + 2 * strlen(r->fence) + 64;
		sql = race_alloc(r, n);
		snprintf(sql, n, "UPDATE %s SET %s = ? WHERE id = ? AND %s < ?", r->parent, r->fence,
			 r->fence);
		r->fence_st.name = "fence";
		for (int d = 0; d < DIALECT__COUNT; d++)
			r->fence_st.sql[d] = sql;
		n = strlen(r->parent) + 2 * strlen(r->fence) + 64;
		sql = race_alloc(r, n);
		snprintf(sql, n, "UPDATE %s SET %s = %s + 1 WHERE id = ?", r->parent, r->fence,
			 r->fence);
		r->touch_st.name = "write_parent";
		for (int d = 0; d < DIALECT__COUNT; d++)
			r->touch_st.sql[d] = sql;
	}
	sc->name = r->name;
	sc->file = r->file;
	sc->incident = r->incident ? r->incident : "";
	sc->summary = r->summary ? r->summary : "";
	sc->notes = r->notes;
	for (int k = 0; k < r->nkinds; k++)
		sc->kinds[k] = r->kinds[k];
	sc->schedules = r->schedules;
	for (int k = 0; k < r->nknobs && k < SC_MAX_SET; k++) {
		sc->knobs[sc->nknobs] = r->knobs[k].name;
		sc->knob_help[sc->nknobs++] = r->knobs[k].help;
	}
	sc->xFits = r_fits;
	sc->xSetup = r_setup;
	sc->xReset = r_reset;
	sc->xSchema = r_schema;
	sc->xClientNew = r_client_new;
	sc->xClientFree = r_client_free;
	sc->xOp = r_op;
	sc->xRecheck = r_recheck;
	sc->xCheck = r_check;
	sc->xCommitted = r_committed;
	sc->xHasStatement = r_has_statement;
	sc->xPeek = r_peek;
	sc->xFence = r_fence;
	sc->xTouch = r_touch;
	sc->xKnob = r_knob;
	sc->xKnobsCheck = r_knobs_check;
	sc->xSpelt = r_spelt;
	sc->data = r;
}

const struct scenario *race_scenario(const struct race *r)
{
	return &r->sc;
}
