/*
 * registry.c: the built-in races and users' race files, as scenarios. The
 * built-ins are race files compiled in (builtin.h), read once, on first
 * use, and never freed; a user's file is read when named (scenario_load).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "builtin.h"
#include "race.h"

#define MAX_BUILTINS 32

static const struct scenario *builtins[MAX_BUILTINS + 1], *iso_tests[MAX_BUILTINS + 1];
/* The races themselves: the arrays above point inside them, and a leak
 * checker wants a pointer to each block's start to call it reachable. */
static struct race *builtin_race[2 * MAX_BUILTINS] __attribute__((used));
static pthread_once_t builtins_once = PTHREAD_ONCE_INIT;

/* A built-in that does not read is a bug of this build: say so and stop. */
static void read_table(const struct builtin_race *t, const struct scenario **out, int *nraces)
{
	int n = 0;

	for (int i = 0; t[i].file && n < MAX_BUILTINS; i++) {
		struct rb_err e;
		struct race *r = race_parse(t[i].text, t[i].len, t[i].file, &e);

		if (!r) {
			fprintf(stderr, "racebench: built-in race %s: %s\n", t[i].file, e.msg);
			abort();
		}
		race_finish(r);
		r->sc.builtin = 1;
		builtin_race[(*nraces)++] = r;
		out[n++] = race_scenario(r);
	}
	out[n] = NULL;
}

static void read_builtins(void)
{
	int nraces = 0;

	read_table(builtin_races, builtins, &nraces);
	read_table(builtin_isolation, iso_tests, &nraces);
}

const struct scenario *const *scenario_builtins(void)
{
	pthread_once(&builtins_once, read_builtins);
	return builtins;
}

const struct scenario *const *scenario_isolation_tests(void)
{
	pthread_once(&builtins_once, read_builtins);
	return iso_tests;
}

int scenario_count(void)
{
	const struct scenario *const *b = scenario_builtins();
	int n = 0;

	while (b[n])
		n++;
	return n;
}

const struct scenario *scenario_find(const char *name)
{
	const struct scenario *const *b = scenario_builtins();

	for (int i = 0; b[i]; i++)
		if (!strcmp(b[i]->name, name))
			return b[i];
	return NULL;
}

int scenario_is_file(const char *word)
{
	size_t n = strlen(word);

	return strchr(word, '/') || (n > 5 && !strcmp(word + n - 5, ".race"));
}

const struct scenario *scenario_load(const char *path, struct rb_err *e)
{
	struct race *r = race_load(path, e);

	if (!r)
		return NULL;
	if (scenario_find(r->name)) {
		rb_err_input(e, "%s: race '%s' is built in; name yours differently (race NAME)",
			     path, r->name);
		race_free(r);
		return NULL;
	}
	race_finish(r);
	return race_scenario(r);
}

void scenario_free(const struct scenario *sc)
{
	if (sc && !sc->builtin)
		race_free((struct race *)sc->data);
}
