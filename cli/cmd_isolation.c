/* cmd_isolation.c: racebench isolation: the anomaly catalogue, measured on each database. */
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../core/isolation.h"
#include "cli.h"

int cmd_isolation(struct options *o)
{
	struct run_result r = { 0 };
	struct endpoints ep;
	struct gate_in gi;
	struct run_guard g;
	struct iso_plan plan;
	struct rb_err e;
	int rc, broken = 0, lost = 0, stopped;

	if (outs_check(o, &e) < 0 || gate_in_open(o, &gi, NULL, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		return exit_for(&e);
	}
	guard_start(&g, o);
	if (endpoints_open(&ep, o, o->plan.dbs, 0, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		endpoints_close(&ep, 0);
		gate_in_close(&gi);
		guard_stop(&g);
		return exit_for(&e);
	}
	plan = (struct iso_plan){
		.drivers = drivers,
		.dbs = o->plan.dbs,
		.dsn = ep.dsn,
		.isos = o->plan.isolations,
		.tests = o->tests,
		.tests_mask = o->tests_mask,
		.schema = o->plan.schema,
		.connect_timeout_s = o->plan.connect_timeout_s,
		.lock_timeout_ms = o->plan.lock_timeout_ms,
		.statement_timeout_ms = o->plan.statement_timeout_ms,
		.stop = &g.stop,
		.quiet = o->plan.quiet,
	};
	rc = isolation_run(&plan, &r, &e);
	for (int i = 0; i < r.nservers; i++)
		for (int d = 0; drivers[d]; d++)
			if (!strcmp(drivers[d]->name, r.servers[i].db))
				r.servers[i].throwaway = ep.throwaway[d];
	endpoints_close(&ep, o->keep_servers);
	if (rc < 0) {
		r.aborted = 1;
		fprintf(stderr, "racebench: %s\n", e.msg);
		if (gi.on)
			fprintf(stderr, "racebench: gate not evaluated: the run did not finish\n");
	} else if (gi.on) {
		broken = gate_eval(&gi.g, &r);
	}
	if (r.ncells > 0 || !r.aborted)
		lost = reports_write(o, &r) < 0;
	else
		outs_remove_stale(o);
	if (r.gated)
		gate_summary(stderr, &gi.g, &r, o->plan.quiet);
	result_release(&r);
	gate_in_close(&gi);
	stopped = guard_stop(&g);
	if (stopped)
		return stopped;
	return rc < 0 ? exit_for(&e) : lost ? EXIT_INFRA : broken ? EXIT_GATE : 0;
}
