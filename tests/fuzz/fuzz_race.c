/* fuzz_race.c: libFuzzer target: the race-file parser (and what it builds). */
#include <stdint.h>
#include <stdlib.h>

#include "../../scenarios/race.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rb_err e;
	struct race *r = race_parse((const char *)data, size, "fuzz.race", &e);

	if (r) {
		race_finish(r);
		for (int s = 0; s < ST__COUNT; s++)
			r->sc.xFits(&r->sc, (enum strategy)s, DIALECT_PG);
		race_free(r);
	}
	return 0;
}
