/* common.c: what every scenario shares, and the scenario registry. */
#include "scenario.h"

#include <string.h>

#include "../core/util.h"

void sc_think(const struct op_ctx *o)
{
	sleep_us(o->p->think_us);
}

int sc_nkinds(const struct scenario *s)
{
	int n = 0;

	while (n < SC_MAX_KINDS && s->kinds[n])
		n++;
	return n;
}

extern const struct scenario scenario_double_tap;

const struct scenario *const scenarios[] = {
	&scenario_double_tap,
	NULL,
};

const struct scenario *scenario_find(const char *name)
{
	for (int i = 0; scenarios[i]; i++)
		if (!strcmp(scenarios[i]->name, name))
			return scenarios[i];
	return NULL;
}
