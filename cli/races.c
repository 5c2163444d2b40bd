/*
 * races.c: which races a command has: the built-ins, and the race files
 * it names, read before anything starts (a mistake in one is exit 2 with
 * FILE:LINE:COL). A word with a '/' or ending in .race is a file; any
 * other word is a built-in's name.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../base/util.h"
#include "../scenarios/schedule.h"
#include "opts.h"

/* "double-tap, duplicate-settlement, ..." of o's races, for messages. */
static void names_of(const struct options *o, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 0; i < o->nsc && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", o->sc[i]->name);
}

/* The race a word names (loading a file on first mention): its index in o->sc, or -1 (e). */
static int race_index(struct options *o, const char *word, const char *opt, struct rb_err *e)
{
	char valid[512];
	const struct scenario *sc;

	if (!scenario_is_file(word)) {
		for (int i = 0; i < o->nsc; i++)
			if (o->sc[i]->builtin && !strcmp(o->sc[i]->name, word))
				return i;
		names_of(o, valid, sizeof(valid));
		return rb_err_input(e, "%s: unknown scenario '%s' (valid: %s, or a race file: "
				       "./NAME.race)",
				    opt, word, valid);
	}
	for (int i = 0; i < o->nsc; i++)
		if (!o->sc[i]->builtin && !strcmp(o->sc[i]->file, word))
			return i;
	if (o->nsc == MAX_SCENARIOS)
		return rb_err_input(e, "%s: at most %d races", opt, MAX_SCENARIOS);
	sc = scenario_load(word, e);
	if (!sc)
		return -1;
	for (int i = 0; i < o->nsc; i++)
		if (!strcmp(o->sc[i]->name, sc->name)) {
			rb_err_input(e, "%s: races %s and %s are both named %s", opt, o->sc[i]->file,
				     word, sc->name);
			scenario_free(sc);
			return -1;
		}
	o->sc[o->nsc] = sc;
	o->sc[o->nsc + 1] = NULL;
	return o->nsc++;
}

/* --scenario's comma list (or "all") into the plan's bit set. */
static int select_races(struct options *o, struct rb_err *e)
{
	char buf[1024], *save = NULL;
	int builtins = o->nsc;

	if (!o->scenario_arg) {
		o->plan.scenarios = (1u << builtins) - 1;
		return 0;
	}
	if (strlen(o->scenario_arg) >= sizeof(buf))
		return rb_err_input(e, "--scenario: list too long");
	strcpy(buf, o->scenario_arg);
	o->plan.scenarios = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int i;

		if (!strcmp(t, "all")) {
			o->plan.scenarios |= (1u << builtins) - 1;
			continue;
		}
		i = race_index(o, t, "--scenario", e);
		if (i < 0)
			return -1;
		o->plan.scenarios |= 1u << i;
	}
	if (!o->plan.scenarios) {
		char valid[512];

		names_of(o, valid, sizeof(valid));
		return rb_err_input(e, "--scenario: empty list (valid: %s, all)", valid);
	}
	return 0;
}

/* Every --set names a knob of some race the command runs. */
static int knobs_known(struct options *o, struct rb_err *e)
{
	const struct sc_params *p = &o->plan.cfg.sc;

	for (int k = 0; k < p->nset; k++) {
		char valid[512] = "";
		long long v;
		int found = 0;

		for (int i = 0; i < o->nsc; i++) {
			if (!(o->plan.scenarios >> i & 1) && i != o->ex_scenario)
				continue;
			found |= o->sc[i]->xKnob(o->sc[i], p->set[k].name, p, &v) == 0;
		}
		if (found)
			continue;
		for (int i = 0; i < o->nsc; i++) {
			const struct scenario *sc = o->sc[i];

			if (!(o->plan.scenarios >> i & 1) && i != o->ex_scenario)
				continue;
			for (int j = 0; j < sc->nknobs; j++)
				if (!strstr(valid, sc->knobs[j]))
					str_printf(valid + strlen(valid), sizeof(valid) - strlen(valid),
						   "%s%s", *valid ? ", " : "", sc->knobs[j]);
		}
		return rb_err_input(e, "--set: unknown knob '%s' (the races run have: %s)",
				    p->set[k].name, *valid ? valid : "none");
	}
	for (int i = 0; i < o->nsc; i++) {
		if (!(o->plan.scenarios >> i & 1) && i != o->ex_scenario)
			continue;
		if (o->sc[i]->xKnobsCheck && o->sc[i]->xKnobsCheck(o->sc[i], p, e) < 0)
			return -1;
	}
	return 0;
}

/* Every race run has a spelling of each statement for every database run. */
static int races_spelt(const struct options *o, struct rb_err *e)
{
	for (int i = 0; i < o->nsc; i++) {
		const struct scenario *sc = o->sc[i];

		if ((!(o->plan.scenarios >> i & 1) && i != o->ex_scenario) || !sc->xSpelt)
			continue;
		for (int k = 0; drivers[k]; k++)
			if (o->plan.dbs >> k & 1 && sc->xSpelt(sc, drivers[k]->dialect, e) < 0)
				return -1;
	}
	return 0;
}

/* explain's SCENARIO and --schedule. */
static int explain_race(struct options *o, struct rb_err *e)
{
	char valid[512];
	const struct scenario *sc;

	if (o->ex_word) {
		o->ex_scenario = race_index(o, o->ex_word, "explain", e);
		if (o->ex_scenario < 0)
			return -1;
	}
	if (o->ex_scenario < 0 && !o->ex_list && !o->ex_spec) {
		names_of(o, valid, sizeof(valid));
		return rb_err_input(e, "explain: which scenario? (usage: racebench explain "
				       "SCENARIO; valid: %s, or a race file)",
				    valid);
	}
	if (!o->ex_schedule || o->ex_scenario < 0)
		return 0;
	sc = o->sc[o->ex_scenario];
	if (ex_schedule_find(sc, o->ex_schedule))
		return 0;
	ex_schedule_names(sc, valid, sizeof(valid));
	return rb_err_input(e, "--schedule: unknown schedule '%s' for %s (valid: %s)",
			    o->ex_schedule, sc->name, valid);
}

/* isolation's tests: the catalogue's, and --test's names and files. */
static int isolation_tests(struct options *o, struct rb_err *e)
{
	const struct scenario *const *t = scenario_isolation_tests();
	char buf[1024], valid[512] = "", *save = NULL;
	size_t k = 0;

	o->ntests = 0;
	for (int i = 0; t[i] && o->ntests < MAX_SCENARIOS; i++) {
		o->tests[o->ntests++] = t[i];
		k += (size_t)snprintf(valid + k, k < sizeof(valid) ? sizeof(valid) - k : 0, "%s%s",
				      i ? ", " : "", t[i]->name);
	}
	o->tests[o->ntests] = NULL;
	if (!o->test_arg) {
		o->tests_mask = (1ull << o->ntests) - 1;
		return 0;
	}
	if (strlen(o->test_arg) >= sizeof(buf))
		return rb_err_input(e, "--test: list too long");
	strcpy(buf, o->test_arg);
	o->tests_mask = 0;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		const struct scenario *sc = NULL;
		int found = -1;

		if (!strcmp(w, "all")) {
			for (int i = 0; t[i]; i++)
				o->tests_mask |= 1ull << i;
			continue;
		}
		for (int i = 0; i < o->ntests && found < 0; i++)
			if (scenario_is_file(w) ? !o->tests[i]->builtin &&
							  !strcmp(o->tests[i]->file, w)
						: o->tests[i]->builtin &&
							  !strcasecmp(o->tests[i]->name, w))
				found = i;
		if (found < 0 && !scenario_is_file(w))
			return rb_err_input(e, "--test: unknown test '%s' (valid: %s, or a test "
					       "file: ./NAME.race)",
					    w, valid);
		if (found < 0) {
			if (o->ntests == MAX_SCENARIOS)
				return rb_err_input(e, "--test: at most %d tests", MAX_SCENARIOS);
			sc = scenario_load(w, e);
			if (!sc)
				return -1;
			o->tests[o->ntests] = sc;
			o->tests[o->ntests + 1] = NULL;
			found = o->ntests++;
			if (!ex_schedule_find(sc, NULL))
				return rb_err_input(e,
						    "--test: %s has no schedule: a test plays its "
						    "first 'schedule' block at every level",
						    w);
		}
		o->tests_mask |= 1ull << found;
	}
	for (int i = 0; i < o->ntests; i++) {
		if (!(o->tests_mask >> i & 1) || !o->tests[i]->xSpelt)
			continue;
		for (int d = 0; drivers[d]; d++)
			if (o->plan.dbs >> d & 1 &&
			    o->tests[i]->xSpelt(o->tests[i], drivers[d]->dialect, e) < 0)
				return -1;
	}
	return 0;
}

int opts_races(struct options *o, struct rb_err *e)
{
	const struct scenario *const *b = scenario_builtins();

	o->nsc = 0;
	for (int i = 0; b[i] && o->nsc < MAX_SCENARIOS; i++)
		o->sc[o->nsc++] = b[i];
	o->sc[o->nsc] = NULL;
	o->plan.scenario_list = o->sc;
	if (o->cmd == CMD_ISOLATION || o->cmd == CMD_LIST || o->cmd == CMD_CHECK)
		if (isolation_tests(o, e) < 0)
			return -1;
	if (o->cmd == CMD_LIST) {
		o->plan.scenarios = 0;
		for (int i = 0; i < o->nwords; i++) {
			int k = race_index(o, o->words[i], "list", e);

			if (k < 0)
				return -1;
			o->plan.scenarios |= 1u << k;
		}
		/* a default outside its own range is a mistake in the file */
		return o->nwords ? knobs_known(o, e) : 0;
	}
	if (o->cmd == CMD_EXPLAIN) {
		o->plan.scenarios = 0;
		if (explain_race(o, e) < 0)
			return -1;
		if (o->ex_scenario >= 0)
			o->plan.scenarios = 1u << o->ex_scenario;
		return o->ex_scenario >= 0 && (knobs_known(o, e) < 0 || races_spelt(o, e) < 0) ? -1
											: 0;
	}
	if (o->cmd != CMD_RUN && o->cmd != CMD_LOAD)
		return 0;
	if (select_races(o, e) < 0 || knobs_known(o, e) < 0)
		return -1;
	return races_spelt(o, e);
}

void opts_release(struct options *o)
{
	for (int i = 0; i < o->nsc; i++)
		scenario_free(o->sc[i]);
	o->nsc = 0;
	for (int i = 0; i < o->ntests; i++)
		scenario_free(o->tests[i]);
	o->ntests = 0;
}
