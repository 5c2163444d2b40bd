/* explain.h: explain mode: a scheduled, narrated reproduction of one race. */
#ifndef RB_EXPLAIN_H
#define RB_EXPLAIN_H

#include <stdatomic.h>
#include <stddef.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "../base/strategy.h"
#include "explain_result.h"
#include "../scenarios/schedule.h"

struct explain_cfg {
	const struct driver *drv;
	struct db_opts dbo; /* dsn and time-outs; schema and wrap are set here */
	const char *schema; /* created fresh for the run, dropped after */
	const struct scenario *sc;
	enum strategy strat;
	enum rb_iso iso;
	const struct ex_schedule *sched;
	struct lock_opts lock; /* url NULL: no lock service */
	const struct lock_service *locks;
	const atomic_int *stop;	    /* set by a signal: give up, clean up */
	const struct sc_params *set; /* --set's knobs (NULL: none) */
	/*
	 * A step for a session whose statement waits for a lock waits for it
	 * to end first (isolationtester's rule, racebench isolation's), where
	 * explain itself skips the step.
	 */
	int wait_blocked;
};

/*
 * What explain plays with: sessions clients, one key, no think time, and
 * each knob's explain value (one coupon left, money for one purchase)
 * unless user (--set) gives one.
 */
void explain_knobs(struct sc_params *p, int sessions, const struct sc_params *user);

/*
 * Plays cfg's schedule once on a fresh schema and fills out. Returns 0, or
 * -1 with e saying what failed underneath (a server, a stuck session).
 */
int explain_run(const struct explain_cfg *cfg, struct explain_result *out, struct rb_err *e);

#endif
