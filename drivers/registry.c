/*
 * registry.c: the drivers and the lock service this build has. Adding a
 * database is its driver file, one line here, its throwaway server in
 * scripts/servers.sh and its packages in scripts/deps.sh (docs/drivers.md).
 */
#include <string.h>

#include "driver.h"

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
