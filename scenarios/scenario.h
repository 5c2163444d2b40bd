/* scenario.h: a race from one incident: schema, operation, invariant checker. */
#ifndef RB_SCENARIO_H
#define RB_SCENARIO_H

#include <stdint.h>

#include "../base/err.h"
#include "../base/strategy.h"
#include "../drivers/driver.h"

#define SC_MAX_KINDS 4

/* Knobs every scenario may read; set from the command line. */
struct sc_params {
	int clients;
	int keys;	    /* hot rows the clients spread over (client % keys) */
	long long quantity; /* coupon-oversell: coupons on offer per key */
	long long balance;  /* negative-balance: money per wallet */
	long long price;    /* negative-balance: price of one purchase */
	long long amount;   /* duplicate-settlement, double-transfer: money per op */
	uint64_t think_us;  /* application work between the read and the write */
};

/* One attempt of the operation, inside the transaction the harness began. */
struct op_ctx {
	struct db_conn *db;
	const struct sc_params *p;
	enum strategy strat;
	enum rb_iso iso; /* the level the transaction runs at */
	int client;
	int key;	 /* 0 .. keys-1 */
	long long token; /* unique for each operation in a run */
	/* explain mode: pause points instead of sleeps (see run_cfg). */
	void (*pause)(const struct op_ctx *o, const char *point, void *arg);
	void *pause_arg;
};

/* What an operation attempt tells the harness. */
enum op_status {
	OP_ERROR = -1, /* a database error, described in the rb_err */
	OP_DONE = 0,   /* did its work; the harness commits */
	OP_DECLINED,   /* correctly refused (sold out, no money, paid); commits */
	OP_CONFLICT,   /* optimistic version miss: roll back, maybe retry */
	OP_BROKEN,     /* check-after found the invariant broken: roll back */
	/* Set by the harness's guards, never by a scenario: */
	OP_FENCED,  /* the fencing token was older than the row's */
	OP_NO_LOCK, /* the lock service did not grant the lock in time */
};

/*
 * A canonical interleaving for `racebench explain` (docs/explain.md), in
 * the schedule language: sessions are pool clients ("A=0 B=1": session A
 * is client 0, whose role the operation decides), and each step runs one
 * session to a point of its operation ("A:think B:think A:end B:end").
 */
struct sc_schedule {
	const char *name;
	const char *summary; /* one line */
	const char *sessions;
	const char *steps;
};

struct scenario {
	const char *name;
	const char *incident;		 /* seed file and one line of story */
	const char *summary;		 /* the operation, one line */
	const char *kinds[SC_MAX_KINDS]; /* anomaly kinds, NULL-terminated */
	const char *notes;		 /* surprising cells explained (for `list`), or NULL */

	/* NULL when s fits this scenario on dialect d, else why it is n/a. */
	const char *(*xFits)(enum strategy s, enum dialect d);

	/* Creates the tables (in the tool's schema; they may already exist). */
	int (*xSetup)(struct db_conn *c, const struct sc_params *p, struct rb_err *e);
	/* Puts the seed state back: called before every trial. */
	int (*xReset)(struct db_conn *c, const struct sc_params *p, struct rb_err *e);
	/*
	 * A schema object only some strategies run with (a unique index, a
	 * CHECK constraint): schema_add creates it when a cell of a strategy
	 * in schema_for starts, schema_drop removes it when a cell of another
	 * does (see sc_schema_switch). schema_for 0: none.
	 */
	unsigned schema_for; /* bit (1u << strategy) */
	const struct db_stmt *schema_add;
	const struct db_stmt *schema_drop;
	/* One attempt: read, think, write. */
	enum op_status (*xOp)(struct op_ctx *o, struct rb_err *e);
	/* check-after: re-reads the invariant before COMMIT (may be NULL). */
	enum op_status (*xRecheck)(struct op_ctx *o, struct rb_err *e);
	/*
	 * Counts anomalies by kind after a trial. committed[k] is the number
	 * of operations on key k that committed with OP_DONE.
	 */
	int (*xCheck)(struct db_conn *c, const struct sc_params *p, const long long *committed,
		      long long *anomalies, struct rb_err *e);

	/* A plain read of the key's parent row (redis-late's first read): key. */
	const struct db_stmt *peek;
	/* The fencing-token write on the parent row: token, key, token. */
	const struct db_stmt *fence;
	/* explain's schedules, the default first; ends with a NULL name. */
	const struct sc_schedule *schedules;
};

/*
 * Surprising cells, explained from the databases' documented behaviour
 * (measured; see docs/findings.md). Shared by scenarios of the same shape.
 */
#define FIND_OR_CREATE_NOTES \
	"for-update locks only rows that exist: with no row yet both sessions insert " \
	"(PostgreSQL, and InnoDB at ru/rc); at rr/ser InnoDB's next-key locks on the empty " \
	"range make the two inserts deadlock instead. for-update-parent, advisory and " \
	"redis-late are safe at rc but not at rr on PostgreSQL: its REPEATABLE READ " \
	"snapshot is taken at the first statement - the lock itself, before it waits - " \
	"so after the wait the find still sees no row; InnoDB starts its snapshot at the " \
	"first plain read, after the lock, and stays safe. unique stops duplicates but " \
	"not lost updates on the update path. At rr/ser PostgreSQL refuses the losing " \
	"writer (40001) where InnoDB deadlocks (ser) or, at rr, lets it overwrite."
#define UPDATE_IN_PLACE_NOTES \
	"At rr and ser PostgreSQL aborts the second writer of a row changed since its " \
	"snapshot (40001, first updater wins), so strategies that do not retry show " \
	"errors, not anomalies; InnoDB's REPEATABLE READ lets the stale write through " \
	"(unless innodb_snapshot_isolation=ON), and its SERIALIZABLE turns reads into " \
	"shared locks that deadlock."

/* Sleeps for the operation's think time. */
void sc_think(const struct op_ctx *o);
int sc_nkinds(const struct scenario *s);
/*
 * Moves the schema from what strategy prev ran with (-1: as xSetup made it)
 * to what next needs. Called after a reset, so the seed state satisfies a
 * constraint being added.
 */
int sc_schema_switch(const struct scenario *sc, struct db_conn *c, int prev, enum strategy next,
		     struct rb_err *e);
/*
 * The find of a find-or-create operation (double-tap, duplicate-settlement)
 * and its statements: under for-update-parent the parent row is locked
 * first, under optimistic the parent's version is read, under for-update
 * the find is a locking read.
 */
struct sc_find {
	const struct db_stmt *lock_parent;  /* key */
	const struct db_stmt *read_version; /* key -> version */
	const struct db_stmt *find;	    /* key -> the row, if any */
	const struct db_stmt *find_for_update;
	const struct db_stmt *bump_version; /* key, version: 0 rows = a conflict */
};
/*
 * Runs the find for o's strategy. Returns the rows found, 0 or 1 (the row
 * is the connection's current result), or -1 with e set: a database error,
 * or two rows, the incident's own "query did not return a unique result".
 * *version gets the parent's version under optimistic.
 */
int sc_find_one(struct op_ctx *o, const struct sc_find *f, long long *version, struct rb_err *e);
/* The end of a find-or-create: under optimistic, the version check (OP_CONFLICT on a miss). */
enum op_status sc_find_done(struct op_ctx *o, const struct sc_find *f, long long version,
			    struct rb_err *e);
/* Runs st without parameters. */
int sc_run(struct db_conn *c, const struct db_stmt *st, struct rb_err *e);
/* Runs st once for each key 0 .. keys-1, the key as its only parameter. */
int sc_each_key(struct db_conn *c, const struct db_stmt *st, int keys, struct rb_err *e);
/*
 * Runs an INSERT and gives the new row's id: st's PostgreSQL text ends in
 * RETURNING id; on MySQL the id comes from LAST_INSERT_ID().
 */
int sc_insert_id(struct db_conn *c, const struct db_stmt *st, const struct db_param *p, int n,
		 long long *id, struct rb_err *e);

/* Registry: NULL-terminated; lookup returns NULL when unknown. */
extern const struct scenario *const scenarios[];
const struct scenario *scenario_find(const char *name);
int scenario_count(void);

#endif
