/* common.c: what every driver shares: isolation names, helpers, registry. */
#include "driver.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const iso_names[RB_ISO__COUNT] = { "ru", "rc", "rr", "ser" };
static const char *const iso_sql[RB_ISO__COUNT] = { "READ UNCOMMITTED", "READ COMMITTED",
						    "REPEATABLE READ", "SERIALIZABLE" };

const char *rb_iso_name(enum rb_iso iso)
{
	return (unsigned)iso < RB_ISO__COUNT ? iso_names[iso] : "?";
}

const char *rb_iso_sql(enum rb_iso iso)
{
	return (unsigned)iso < RB_ISO__COUNT ? iso_sql[iso] : "?";
}

int rb_iso_parse(const char *s)
{
	for (int i = 0; i < RB_ISO__COUNT; i++)
		if (!strcasecmp(s, iso_names[i]) || !strcasecmp(s, iso_sql[i]))
			return i;
	return -1;
}

long long db_int(struct db_conn *c, int row, int col, long long dflt)
{
	const char *v;

	if (row >= db_rows(c))
		return dflt;
	v = db_value(c, row, col);
	return v ? strtoll(v, NULL, 10) : dflt;
}

static int schema_state(struct db_conn *c, const char *schema, const struct schema_sql *q,
			int *exists, int *ours, struct rb_err *e)
{
	struct db_param p[2] = { P_TEXT(schema), P_TEXT(schema) };

	if (db_query(c, &q->state, p, 2, e) < 0)
		return -1;
	*exists = db_int(c, 0, 0, 0) > 0;
	*ours = db_int(c, 0, 1, 0) > 0;
	return 0;
}

/*
 * Drops and recreates the schema when its marker says racebench made it;
 * refuses one of that name without the marker unless forced.
 */
int db_schema_create(struct db_conn *c, const char *schema, int force, const struct schema_sql *q,
		     struct rb_err *e)
{
	char sql[1024];
	int exists, ours;

	if (schema_state(c, schema, q, &exists, &ours, e) < 0)
		return -1;
	if (exists && !ours && !force)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "%s \"%s\" exists and was not created by racebench; "
				  "use --schema NAME for another one, or --force-schema to drop it",
				  q->kind, schema);
	if (exists) {
		snprintf(sql, sizeof(sql), q->drop_fmt, schema);
		if (db_exec(c, sql, e) < 0)
			return -1;
	}
	snprintf(sql, sizeof(sql), q->make_fmt, schema, schema, schema, schema);
	return db_exec(c, sql, e);
}

/* Drops the schema only when it is there and carries racebench's marker. */
int db_schema_drop(struct db_conn *c, const char *schema, const struct schema_sql *q,
		   struct rb_err *e)
{
	char sql[256];
	int exists, ours;

	if (schema_state(c, schema, q, &exists, &ours, e) < 0)
		return -1;
	if (!exists || !ours)
		return 0;
	snprintf(sql, sizeof(sql), q->drop_fmt, schema);
	return db_exec(c, sql, e);
}

const char *db_stmt_sql(const struct db_stmt *st, enum dialect d)
{
	return st->sql[d] ? st->sql[d] : st->sql[DIALECT_PG];
}

extern const struct driver driver_pg;
extern const struct driver driver_mysql;

const struct driver *const drivers[] = {
	&driver_pg,
	&driver_mysql,
	NULL,
};

int driver_count(void)
{
	int n = 0;

	while (drivers[n])
		n++;
	return n;
}

const struct driver *driver_find(const char *name)
{
	for (int i = 0; drivers[i]; i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

extern const struct lock_service lock_service_redis;

const struct lock_service *const lock_service = &lock_service_redis;
