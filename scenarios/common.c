/* common.c: what every scenario shares, and the scenario registry. */
#include "scenario.h"

#include <string.h>

#include "../core/util.h"

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
