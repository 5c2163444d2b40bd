/* explain_result.c: what an explain play did, freed. */
#include "explain_result.h"

#include <stdlib.h>
#include <string.h>

void explain_release(struct explain_result *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nevents; i++) {
		free(r->ev[i].text);
		free(r->ev[i].result);
		free(r->ev[i].msg);
	}
	free(r->ev);
	for (int i = 0; i < r->nstory; i++)
		free(r->story[i]);
	memset(r, 0, sizeof(*r));
}
