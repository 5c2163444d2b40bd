/*
 * fault_plan.h: Jepsen-style faults, on loopback, on the nodes of a throwaway
 * topology racebench itself started (never a server of the user's): kill,
 * pause, resume, restart, isolate and heal one node at a time during a
 * load cell, through scripts/servers.sh. After the cell every node is put
 * back (restarted, resumed, healed) before the invariant is checked, so
 * the check reads what survived and the next cell starts whole.
 */
#ifndef RB_FAULT_PLAN_H
#define RB_FAULT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "servers.h"

#define FAULTS_MAX 8

enum fault_action {
	FA_KILL,
	FA_PAUSE,
	FA_RESUME,
	FA_RESTART,
	FA_ISOLATE,
	FA_HEAL,
	FA__COUNT
};

struct fault_step {
	enum fault_action act;
	int node;	/* from 1 */
	uint64_t at_ms; /* after the cell's start (its warm-up included) */
};

struct fault_plan {
	int n;
	struct fault_step step[FAULTS_MAX];
	/* Where, set when the run starts: the servers and the topology's name there. */
	struct servers *srv;
	const char *topology;
	int nodes;
	/* During a cell. */
	int next;
	unsigned down, paused, isolated; /* bit per node (from bit 1) */
	unsigned touched;		 /* every node an action named */
	char log[400];
	size_t loglen;
};

/*
 * Parses "ACTION:NODE@SECONDS[,...]" (kill:2@5,restart:2@10) into p, in
 * time order. Returns 0, or -1 with e (bad input) naming the bad part and
 * the valid choices.
 */
int faults_parse(const char *arg, struct fault_plan *p, struct rb_err *e);
const char *fault_action_name(enum fault_action a);
/* The greatest node the plan names (for checking against the topology). */
int faults_max_node(const struct fault_plan *p);
/*
 * The load's callback (load_cfg.fault): at elapsed_s seconds into the
 * cell, the steps due; when over, every node put back and what was done
 * written to log.
 */
void faults_tick(void *plan, double elapsed_s, int over, char *log, size_t n);

#endif
