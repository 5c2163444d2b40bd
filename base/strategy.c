/* strategy.c: the strategy table. */
#include "strategy.h"

#include <string.h>

#define RETRY(c) (1u << (c))

static const struct strategy_info table[ST__COUNT] = {
	[ST_NONE] = { "none", "the operation as written, one transaction at the cell's level",
		      "every incident", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_FOR_UPDATE] = { "for-update",
			    "the first read becomes SELECT ... FOR UPDATE on the row it reads",
			    "duplicate-settlement, double-transfer, coupon-oversell", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_FOR_UPDATE_PARENT] = { "for-update-parent",
				   "lock an always-existing parent row first (SELECT ... FOR UPDATE)",
				   "the correct pessimistic form", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_SKIP_LOCKED] = { "skip-locked",
			     "the first read locks with FOR UPDATE SKIP LOCKED: a queue's claim, "
			     "passing rows others hold",
			     "beyond the incidents", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_OPTIMISTIC] = { "optimistic",
			    "version column; UPDATE ... WHERE version = ?; 0 rows -> retry", "coupon-oversell",
			    GUARD_NONE, 0, 0, 0, 1, NULL, TM_DEFAULT, NULL },
	[ST_ATOMIC] = { "atomic",
			"one conditional statement (UPDATE ... WHERE x > 0, upsert); act on its row count",
			"beyond the incidents", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_UNIQUE] = { "unique",
			"a unique constraint; a duplicate key rolls back and retries onto the update path",
			"double-tap", GUARD_NONE, 0, 0, RETRY(RB_CLS_UNIQUE), 0, NULL, TM_DEFAULT, NULL },
	[ST_SERIALIZABLE] = { "serializable",
			      "force SERIALIZABLE; retry on serialization failure or deadlock",
			      "negative-balance", GUARD_NONE, 0, 1,
			      RETRY(RB_CLS_SERIALIZATION) | RETRY(RB_CLS_DEADLOCK), 0, NULL, TM_DEFAULT, NULL },
	[ST_CHECK_AFTER] = { "check-after",
			     "re-read the invariant before COMMIT; roll back if it broke",
			     "negative-balance (the fix it shipped)", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_CONSTRAINT] = { "constraint",
			    "a CHECK constraint refuses the bad state (check-violation)",
			    "negative-balance (the fix it wished for)", GUARD_NONE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_ADVISORY] = { "advisory",
			  "the database's own named lock on the key, for the whole transaction",
			  "beyond the incidents", GUARD_ADVISORY, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_REDIS_NARROW] = { "redis-narrow",
			      "Redis lock around the find-and-write, released before COMMIT",
			      "double-tap, coupon-oversell", GUARD_REDIS_NARROW, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_REDIS_WIDE] = { "redis-wide", "Redis lock taken before BEGIN, released after COMMIT",
			    "coupon-oversell (the facade fix)", GUARD_REDIS_WIDE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_REDIS_LATE] = { "redis-late",
			    "BEGIN and a first read (snapshot taken), then the Redis lock",
			    "duplicate-settlement (the REPEATABLE READ trap)", GUARD_REDIS_LATE, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_REDIS_EXPIRY] = { "redis-expiry",
			      "wide Redis lock whose lease expires before the transaction ends",
			      "beyond the incidents", GUARD_REDIS_EXPIRY, 0, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	[ST_REDIS_EXPIRY_FENCED] = { "redis-expiry-fenced",
				     "redis-expiry, and the first write checks a fencing token",
				     "beyond the incidents", GUARD_REDIS_EXPIRY, 1, 0, 0, 0, NULL, TM_DEFAULT, NULL },
	/*
	 * Galera certifies a transaction's write set against those committed
	 * on other nodes since it began; row locks (FOR UPDATE, GET_LOCK)
	 * stay on their node and are not part of it. Writing the parent row
	 * puts the key in the write set: the second writer fails
	 * certification (1213 at COMMIT) and is retried.
	 */
	[ST_WRITE_PARENT] = { "write-parent",
			      "UPDATE the key's parent row first (a write, where for-update-parent "
			      "locks); retry on deadlock (Galera's certification failure)",
			      "Galera's advice for multi-primary writes", GUARD_WRITE_PARENT, 0, 0,
			      RETRY(RB_CLS_DEADLOCK), 0, "galera", TM_DEFAULT, NULL },
	/*
	 * A lock that spans the cluster (redis-wide) is not enough on Galera:
	 * COMMIT returns once the write set is certified, and the other
	 * nodes apply it after, so the next holder, on another node, may
	 * read before its node has. Causal reads close that gap.
	 */
	[ST_SYNC_WAIT] = { "sync-wait",
			   "redis-wide with causal reads (wsrep_sync_wait = 1): the next holder, "
			   "on any node, first waits until its node applied what the cluster "
			   "committed",
			   "Galera's advice for stale reads", GUARD_REDIS_WIDE, 0, 0, 0, 0, "galera",
			   TM_CAUSAL_READS, NULL },
	[ST_READ_PRIMARY] = { "read-primary",
			      "for-update-parent with every read on the primary (no read/write "
			      "splitting for this operation)",
			      "read-scaling's first fix", GUARD_NONE, 0, 0, 0, 0, "pg-replica",
			      TM_READ_PRIMARY, "for-update-parent" },
	[ST_REMOTE_APPLY] = { "remote-apply",
			      "for-update-parent, reads on the replica, and each COMMIT waits until "
			      "the replica applied it (synchronous_commit = remote_apply)",
			      "read-scaling's second fix", GUARD_NONE, 0, 0, 0, 0, "pg-replica",
			      TM_REMOTE_APPLY, "for-update-parent" },
	/* Redlock over one node is a plain lock, so it runs on a single Redis too. */
	[ST_REDLOCK] = { "redlock",
			 "Redlock: a wide lock granted by a majority of independent Redis nodes",
			 "beyond the incidents (Redis's distributed lock)", GUARD_REDLOCK, 0, 0, 0, 0,
			 "redlock", TM_DEFAULT, NULL },
};

const struct strategy_info *strategy_info(enum strategy s)
{
	return (unsigned)s < ST__COUNT ? &table[s] : NULL;
}

const char *strategy_name(enum strategy s)
{
	return (unsigned)s < ST__COUNT ? table[s].name : "?";
}

int strategy_parse(const char *s)
{
	for (int i = 0; i < ST__COUNT; i++)
		if (!strcmp(s, table[i].name))
			return i;
	return -1;
}

int strategy_uses_redis(enum strategy s)
{
	return (unsigned)s < ST__COUNT && table[s].guard >= GUARD_REDIS_NARROW;
}
