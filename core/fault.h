/* fault.h: faults played on a throwaway topology's real nodes during a run (--fault). */
#ifndef RB_FAULT_H
#define RB_FAULT_H

#include "../base/err.h"
#include "../drivers/driver.h"
#include "harness.h"

enum fault_kind {
	/*
	 * Redlock's lost lock: before each trial the nodes after a bare
	 * majority are killed, so the first client is granted the lock by
	 * exactly a majority; while it holds it, the fewest of those nodes
	 * that let a new majority form are crashed and restarted (empty
	 * without persistence) and the killed ones restarted, so another
	 * client can be granted the same lock. With 3 nodes: node 3 down,
	 * A granted by {1, 2}, node 2 crashed and restarted, node 3 back,
	 * B granted by {2, 3}.
	 */
	FAULT_REDLOCK_RESTART,
	FAULT__COUNT
};

/* The names --fault takes ("redlock-restart"), and back (-1 when unknown). */
const char *fault_name(enum fault_kind k);
int fault_parse(const char *name);
#define FAULT_NAMES "redlock-restart"

struct fault;

/*
 * A fault on the nodes of topology t that scripts/servers.sh started in
 * dir, whose URLs (DIR/t->dsn_file) must be exactly url, the lock
 * service's: racebench kills and restarts only nodes it can tell are a
 * throwaway topology's. Returns 0, or -1 with e (bad input) saying why.
 */
int fault_open(struct fault **out, enum fault_kind k, const struct topology_info *t,
	       const char *dir, const char *url, int nodes, struct rb_err *e);
/* Accepts NULL. Leaves every node running. */
void fault_close(struct fault *f);
/* The harness's hook (run_cfg.fault), with arg the fault. */
int fault_hook(void *arg, enum fault_point pt, struct rb_err *e);

#endif
