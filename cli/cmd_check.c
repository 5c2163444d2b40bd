/* cmd_check.c: racebench check: the gate over a saved run, no database needed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_check(struct options *o)
{
	struct gate_in gi;
	struct run_result r;
	struct rb_err e;
	int broken, lost, to_stdout = o->nformats > 0 && o->nouts == 0;

	if (outs_check(o, &e) < 0 || report_load(o->check_file, &r, NULL, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		return exit_for(&e);
	}
	if (gate_in_open(o, &gi, &r, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		result_release(&r);
		return exit_for(&e);
	}
	for (int i = 0; i < o->nouts; i++)
		to_stdout |= !strcmp(o->outs[i], "-");
	/*
	 * A partial report is checked as its run was: not at all (a cell that
	 * never ran cannot break an expectation), and exit 3, so a gate in CI
	 * never passes on a run that did not finish.
	 */
	broken = r.aborted ? 0 : gate_eval(&gi.g, &r);
	lost = reports_write(o, &r) < 0;
	if (r.aborted)
		fprintf(stderr,
			"racebench: %s is a partial report (the run was aborted: %s); "
			"gate not evaluated: the run did not finish\n",
			o->check_file, r.abort_msg);
	else
		/* The summary is check's answer: on stdout, unless a report is there. */
		gate_summary(to_stdout ? stderr : stdout, &gi.g, &r, o->plan.quiet);
	result_release(&r);
	gate_in_close(&gi);
	return lost || r.aborted ? EXIT_INFRA : broken ? EXIT_GATE : 0;
}
