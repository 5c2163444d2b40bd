/* level.c: names of the isolation levels. */
#include "level.h"

#include <strings.h>

static const char *const iso_names[RB_ISO__COUNT] = { "ru", "rc", "rr", "ser", "rr+si" };
static const char *const iso_sql[RB_ISO__COUNT] = { "READ UNCOMMITTED", "READ COMMITTED",
						    "REPEATABLE READ", "SERIALIZABLE",
						    "REPEATABLE READ with snapshot isolation" };

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
