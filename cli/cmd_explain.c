/*
 * cmd_explain.c: racebench explain: one scenario's schedule played step by
 * step on one database (core/explain.c), rendered as a timeline. Exit 0
 * whatever it showed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../base/util.h"
#include "../core/explain.h"
#include "../reports/timeline.h"
#include "cli.h"

/* The schedules of sc, or of every race when sc is NULL. */
static void list_schedules(const struct options *o, const struct scenario *sc)
{
	for (int i = 0; i < o->nsc; i++) {
		const struct scenario *s = o->sc[i];

		if (sc && s != sc)
			continue;
		printf("%s%s\n", sc || i == 0 ? "" : "\n", s->name);
		for (int k = 0; s->schedules && s->schedules[k].name; k++) {
			const struct sc_schedule *d = &s->schedules[k];

			printf("  %-12s %s%s\n  %-12s sessions %s; steps %s\n", d->name, d->summary,
			       k ? "" : " (default)", "", d->sessions, d->steps);
		}
	}
}

/* Characters per session lane: the terminal's width shared, or 60 piped. */
static int lane_width(int to_tty, int sessions)
{
	struct winsize ws;
	int w;

	if (!to_tty || ioctl(1, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return TIMELINE_LANE_PIPED;
	w = (ws.ws_col - 3 * (sessions - 1)) / sessions;
	return w < 24 ? 24 : w;
}

/*
 * The schedule to play: a spec file's (whose scenario, if it names one,
 * must agree with SCENARIO), or one of the scenario's own.
 */
static int pick_schedule(const struct options *o, const struct scenario **sc,
			 struct ex_schedule *sched, struct rb_err *e)
{
	const struct scenario *named = NULL;

	if (!o->ex_spec)
		return ex_schedule_load(sched, *sc, ex_schedule_find(*sc, o->ex_schedule), e);
	if (ex_spec_load(sched, o->ex_spec, e) < 0)
		return -1;
	if (!sched->scenario[0] && !*sc)
		return rb_err_input(
			e, "--spec: the file has no 'scenario' line and no SCENARIO was given");
	if (!sched->scenario[0])
		return ex_schedule_check(sched, *sc, o->ex_spec, e);
	for (int i = 0; i < o->nsc && !named; i++)
		if (!strcmp(o->sc[i]->name, sched->scenario))
			named = o->sc[i];
	if (!named || (*sc && named != *sc))
		return rb_err_input(e, "%s: scenario '%s' %s", o->ex_spec, sched->scenario,
				    named ? "differs from the one on the command line"
					  : "is not a scenario (see racebench list)");
	*sc = named;
	return ex_schedule_check(sched, named, o->ex_spec, e);
}

/* The timeline in explain's --format, to its --out; -1 (said) when writing failed. */
static int write_timeline(const struct options *o, const struct explain_result *r, int sessions)
{
	const char *path = o->nouts ? o->outs[0] : "-";
	int to_stdout = !strcmp(path, "-"), rc;
	FILE *f = to_stdout ? stdout : fopen(path, "w");

	if (!f) {
		fprintf(stderr, "racebench: cannot write '%s'\n", path);
		return -1;
	}
	if (o->ex_format == EXF_JSON) {
		rc = timeline_json(f, r);
	} else if (o->ex_format == EXF_HTML) {
		rc = timeline_html(f, r);
	} else {
		int tty = to_stdout && isatty(1);
		struct timeline_opts to = {
			.lane = lane_width(tty, sessions),
			.color = to_stdout && (o->color >= 0 ? o->color : tty && use_color(o)),
		};

		rc = timeline_text(f, r, &to);
	}
	if (to_stdout ? fflush(f) != 0 : fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		fprintf(stderr, "racebench: writing '%s' failed\n", path);
	return rc;
}

int cmd_explain(struct options *o)
{
	const struct scenario *sc = o->ex_scenario >= 0 ? o->sc[o->ex_scenario] : NULL;
	int db = opts_explain_db(o);
	const struct driver *d = drivers[db];
	enum strategy s = (enum strategy)opts_explain_strategy(o);
	struct explain_cfg ec = { 0 };
	struct explain_result r;
	struct ex_schedule sched;
	struct endpoints ep;
	struct run_guard g;
	char shown[512], prefix[80];
	const char *why;
	struct rb_err e;
	int rc, stopped;

	if (o->ex_list) {
		list_schedules(o, sc);
		return 0;
	}
	if (pick_schedule(o, &sc, &sched, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		return exit_for(&e);
	}
	why = sc->xFits(sc, s, d->dialect);
	if (!why && strategy_uses_redis(s) && !lock_service)
		why = "it needs a lock service, which this build does not have";
	if (why) {
		fprintf(stderr, "racebench: explain: %s does not fit %s on %s: %s\n",
			strategy_name(s), sc->name, d->name, why);
		return EXIT_USAGE;
	}
	/* A level the database never has; one its server lacks, explain_run finds. */
	why = d->xLevelFits ? d->xLevelFits(NULL, (enum rb_iso)opts_explain_iso(o)) : NULL;
	if (why) {
		fprintf(stderr, "racebench: explain: %s has no level %s: %s\n", d->name,
			rb_iso_name((enum rb_iso)opts_explain_iso(o)), why);
		return EXIT_USAGE;
	}
	if (outs_check(o, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		return exit_for(&e);
	}
	guard_start(&g, o);
	if (endpoints_open(&ep, o, 1u << db, strategy_uses_redis(s), &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		endpoints_close(&ep, 0);
		guard_stop(&g);
		return exit_for(&e);
	}
	snprintf(prefix, sizeof(prefix), "racebench:%s", o->plan.schema);
	ec.drv = d;
	ec.dbo.dsn = ep.dsn[db];
	ec.dbo.connect_timeout_s = o->plan.connect_timeout_s;
	ec.dbo.lock_timeout_ms = o->plan.lock_timeout_ms;
	ec.dbo.statement_timeout_ms = o->plan.statement_timeout_ms;
	ec.schema = o->plan.schema;
	ec.sc = sc;
	ec.strat = s;
	ec.iso = (enum rb_iso)opts_explain_iso(o);
	ec.sched = &sched;
	ec.lock.url = ep.lock_url;
	ec.lock.prefix = prefix;
	ec.lock.connect_timeout_ms = o->plan.connect_timeout_s * 1000;
	ec.lock.command_timeout_ms = 10000;
	ec.locks = ep.lock_url ? lock_service : NULL;
	ec.stop = &g.stop;
	rc = explain_run(&ec, &r, &e);
	endpoints_close(&ep, o->keep_servers);
	stopped = guard_stop(&g);
	if (rc < 0) {
		d->xRedact(ec.dbo.dsn, shown, sizeof(shown));
		fprintf(stderr, "racebench: explain on %s (%s): %s\n", d->name, shown, e.msg);
		explain_release(&r);
		return stopped ? stopped : exit_for(&e);
	}
	rc = write_timeline(o, &r, sched.nsessions);
	explain_release(&r);
	return rc < 0 ? EXIT_INFRA : 0;
}
