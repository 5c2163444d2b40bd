/* knobs.h: the knobs a run or a play used, by name, as reports show them. */
#ifndef RB_KNOBS_H
#define RB_KNOBS_H

#include <string.h>

#include "../scenarios/scenario.h"

struct knob_set {
	int n;
	struct {
		char name[32];
		long long value;
	} k[SC_MAX_SET];
};

/* Adds name = value unless name is there already (the first race's value stands). */
static inline void knob_set_add(struct knob_set *s, const char *name, long long value)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->k[i].name, name))
			return;
	if (s->n == SC_MAX_SET)
		return;
	strncpy(s->k[s->n].name, name, sizeof(s->k[0].name) - 1);
	s->k[s->n].name[sizeof(s->k[0].name) - 1] = '\0';
	s->k[s->n++].value = value;
}

/* The knobs of sc as p resolves them. */
static inline void knob_set_of(struct knob_set *s, const struct scenario *sc,
			       const struct sc_params *p)
{
	for (int i = 0; i < sc->nknobs; i++) {
		long long v;

		if (sc->xKnob(sc, sc->knobs[i], p, &v) == 0)
			knob_set_add(s, sc->knobs[i], v);
	}
}

#endif
