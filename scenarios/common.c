/* common.c: what every scenario shares, and the scenario registry. */
#include "scenario.h"

#include <string.h>

#include "../base/util.h"

void sc_think(const struct op_ctx *o)
{
	if (o->pause)
		o->pause(o, "think", o->pause_arg);
	else
		sleep_us(o->p->think_us);
}

int sc_schema_switch(const struct scenario *sc, struct db_conn *c, int prev, enum strategy next,
		     struct rb_err *e)
{
	int had = prev >= 0 && (sc->schema_for >> prev & 1u);
	int want = sc->schema_for >> next & 1u;

	if (had == want)
		return 0;
	return sc_run(c, want ? sc->schema_add : sc->schema_drop, e);
}

int sc_find_one(struct op_ctx *o, const struct sc_find *f, long long *version, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param key = P_INT(o->key);
	int rows;

	if (o->strat == ST_FOR_UPDATE_PARENT && db_query(c, f->lock_parent, &key, 1, e) < 0)
		return -1;
	if (o->strat == ST_OPTIMISTIC) {
		if (db_query(c, f->read_version, &key, 1, e) < 0)
			return -1;
		*version = db_int(c, 0, 0, 0);
	}
	if (db_query(c, o->strat == ST_FOR_UPDATE ? f->find_for_update : f->find, &key, 1, e) < 0)
		return -1;
	rows = db_rows(c);
	if (rows > 1)
		/* What the incident's repository call (a find returning one entity) threw. */
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "query did not return a unique result: %d", rows);
	return rows;
}

enum op_status sc_find_done(struct op_ctx *o, const struct sc_find *f, long long version,
			    struct rb_err *e)
{
	struct db_param a[2] = { P_INT(o->key), P_INT(version) };

	if (o->strat != ST_OPTIMISTIC)
		return OP_DONE;
	if (db_query(o->db, f->bump_version, a, 2, e) < 0)
		return OP_ERROR;
	return db_affected(o->db) == 0 ? OP_CONFLICT : OP_DONE;
}

int sc_run(struct db_conn *c, const struct db_stmt *st, struct rb_err *e)
{
	return db_query(c, st, NULL, 0, e);
}

int sc_each_key(struct db_conn *c, const struct db_stmt *st, int keys, struct rb_err *e)
{
	for (int k = 0; k < keys; k++) {
		struct db_param p = P_INT(k);

		if (db_query(c, st, &p, 1, e) < 0)
			return -1;
	}
	return 0;
}

int sc_insert_id(struct db_conn *c, const struct db_stmt *st, const struct db_param *p, int n,
		 long long *id, struct rb_err *e)
{
	static const struct db_stmt last_id = { "last insert id", { "SELECT LAST_INSERT_ID()" } };

	if (db_query(c, st, p, n, e) < 0)
		return -1;
	if (db_dialect(c) == DIALECT_MYSQL && db_query(c, &last_id, NULL, 0, e) < 0)
		return -1;
	*id = db_int(c, 0, 0, 0);
	return 0;
}

int sc_nkinds(const struct scenario *s)
{
	int n = 0;

	while (n < SC_MAX_KINDS && s->kinds[n])
		n++;
	return n;
}

extern const struct scenario scenario_double_tap;
extern const struct scenario scenario_duplicate_settlement;
extern const struct scenario scenario_negative_balance;
extern const struct scenario scenario_coupon_oversell;
extern const struct scenario scenario_double_transfer;

/* In the order of DESIGN.md's table; reports keep it. */
const struct scenario *const scenarios[] = {
	&scenario_double_tap,	   &scenario_duplicate_settlement, &scenario_negative_balance,
	&scenario_coupon_oversell, &scenario_double_transfer,	   NULL,
};

int scenario_count(void)
{
	int n = 0;

	while (scenarios[n])
		n++;
	return n;
}

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; scenarios[i]; i++)
		if (!strcmp(scenarios[i]->name, name))
			return scenarios[i];
	return NULL;
}
