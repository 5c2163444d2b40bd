/* common.c: what every driver shares: isolation names, helpers, registry. */
#include "driver.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const iso_names[RB_ISO__COUNT] = { "ru", "rc", "rr", "ser" };
static const char *const iso_sql[RB_ISO__COUNT] = {
	"READ UNCOMMITTED", "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"
};

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

const struct driver *driver_find(const char *name)
{
	for (int i = 0; drivers[i]; i++)
		if (!strcmp(drivers[i]->name, name))
			return drivers[i];
	return NULL;
}

extern const struct lock_service lock_service_redis;

const struct lock_service *const lock_service = &lock_service_redis;
