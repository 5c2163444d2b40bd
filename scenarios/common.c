/* common.c: what every scenario shares. */
#include "scenario.h"

#include "../base/util.h"

void sc_think(const struct op_ctx *o)
{
	if (o->pause)
		o->pause(o, "think", o->pause_arg);
	else
		sleep_us(o->p->think_us);
}

int sc_nkinds(const struct scenario *s)
{
	int n = 0;

	while (n < SC_MAX_KINDS && s->kinds[n])
		n++;
	return n;
}
