/* strategy.h: the defences a scenario's operation can run under. */
#ifndef RB_STRATEGY_H
#define RB_STRATEGY_H

#include "err.h"

/* Order is the order of reports and of `racebench list`. */
enum strategy {
	ST_NONE,
	ST_FOR_UPDATE,
	ST_FOR_UPDATE_PARENT,
	ST_SKIP_LOCKED,
	ST_OPTIMISTIC,
	ST_ATOMIC,
	ST_UNIQUE,
	ST_SERIALIZABLE,
	ST_CHECK_AFTER,
	ST_CONSTRAINT,
	ST_ADVISORY,
	ST_REDIS_NARROW,
	ST_REDIS_WIDE,
	ST_REDIS_LATE,
	ST_REDIS_EXPIRY,
	ST_REDIS_EXPIRY_FENCED,
	/* Topologies' own fixes: only on their topology (strategy_info.topology). */
	ST_WRITE_PARENT,
	ST_SYNC_WAIT,
	ST_READ_PRIMARY,
	ST_REMOTE_APPLY,
	ST_REDLOCK,
	ST__COUNT
};

/* Where the harness takes and releases a lock around the operation. */
enum guard {
	GUARD_NONE,
	GUARD_ADVISORY,	    /* database named lock, for the whole transaction */
	GUARD_WRITE_PARENT, /* after BEGIN, an UPDATE of the key's parent row */
	GUARD_REDIS_NARROW, /* after BEGIN, released after the write, before COMMIT */
	GUARD_REDIS_WIDE,   /* before BEGIN, released after COMMIT */
	GUARD_REDIS_LATE,   /* after BEGIN and a first read, released after COMMIT */
	GUARD_REDIS_EXPIRY, /* wide, with a lease shorter than the work */
	GUARD_REDLOCK,	    /* wide, on a majority of independent Redis nodes */
};

/*
 * How a topology's own fix reads and commits (drivers' xMode): as on one
 * server, with causal reads on a multi-primary cluster, reads on the
 * primary instead of a replica, or commits that wait until the replica
 * has applied them.
 */
enum topo_mode {
	TM_DEFAULT,
	TM_CAUSAL_READS,
	TM_READ_PRIMARY,
	TM_REMOTE_APPLY,
};

struct strategy_info {
	const char *name;
	const char *summary;
	const char *from; /* the incidents it comes from (docs/incidents.md) */
	enum guard guard;
	int fenced;		/* the write checks a fencing token */
	int force_serializable; /* runs at SERIALIZABLE whatever the cell's level */
	unsigned retry_on;	/* bit (1u << class) for each class that is retried */
	int retry_on_conflict;	/* an optimistic version miss is retried */
	/*
	 * A topology's own fix ("galera", "pg-replica", "redlock"): it runs
	 * only where the run is on that topology (n/a elsewhere, and left out
	 * of the default selection). NULL: every run.
	 */
	const char *topology;
	enum topo_mode mode;
	/* Runs the operation as the race file defines strategy `as` (NULL: its own). */
	const char *as;
};

const struct strategy_info *strategy_info(enum strategy s);
const char *strategy_name(enum strategy s);
/* -1 when unknown. */
int strategy_parse(const char *s);
int strategy_uses_redis(enum strategy s);

#endif
