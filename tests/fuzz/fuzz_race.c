/* fuzz_race.c: libFuzzer target: the race-file parser, and what it builds: strategies
 * resolved, spellings per database, knobs evaluated against their ranges. */
#include <stdint.h>
#include <stdlib.h>

#include "../../scenarios/race.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_err e;
	struct race *r = race_parse((const char *)data, size, "fuzz.race", &e);

	if (r) {
		struct sc_params p = { .clients = 4, .keys = 2 };
		long long v;

		race_finish(r);
		for (int s = 0; s < ST__COUNT; s++)
			r->sc.xFits(&r->sc, (enum strategy)s, DIALECT_PG);
		race_spelt(r, DIALECT_PG, &e);
		race_spelt(r, DIALECT_MYSQL, &e);
		/* the knobs' defaults and ranges are expressions too */
		race_knobs_check(r, &p, &e);
		p.explain = 1;
		for (int k = 0; k < r->nknobs; k++)
			race_knob(r, r->knobs[k].name, &p, &v);
		race_free(r);
	}
	return 0;
}
