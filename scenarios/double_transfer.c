/*
 * double_transfer.c: seed 001, a money transfer sent twice, or sent and
 * refunded.
 *
 * Transfer workers read the transfer's status; when it is PENDING they
 * send the money (a ledger entry), then mark it SUCCESS. A refund path
 * runs beside them, as in the incident: one conditional UPDATE ... WHERE
 * status = 'PENDING' that acts (a refund ledger entry) only when it
 * changed a row. Two workers that both read PENDING pay twice
 * (double_payment); a worker that read PENDING before the refund claimed
 * the row still pays and then overwrites the status (paid_and_refunded).
 *
 * One client in four (client % 4 == 1) runs the refund path; the others
 * are transfer workers. Strategies change the workers' reads and writes;
 * the refund's conditional update is the same under every strategy.
 */
#include "scenario.h"

#include <string.h>

#include "tally.h"

static const struct db_stmt create_transfer = {
	"create transfer",
	{ "CREATE TABLE transfer (id bigint PRIMARY KEY, status varchar(16) NOT NULL,"
	  " refund_amount bigint, version bigint NOT NULL DEFAULT 0,"
	  " fence bigint NOT NULL DEFAULT 0)" }
};
static const struct db_stmt create_ledger = {
	"create transfer_ledger",
	{ "CREATE TABLE transfer_ledger (id bigserial PRIMARY KEY, transfer_id bigint NOT NULL,"
	  " kind varchar(8) NOT NULL, amount bigint NOT NULL, token bigint NOT NULL)",
	  "CREATE TABLE transfer_ledger (id bigint AUTO_INCREMENT PRIMARY KEY,"
	  " transfer_id bigint NOT NULL, kind varchar(8) NOT NULL, amount bigint NOT NULL,"
	  " token bigint NOT NULL) ENGINE=InnoDB" }
};
static const struct db_stmt create_index = {
	"create index", { "CREATE INDEX transfer_ledger_transfer ON transfer_ledger (transfer_id)" }
};
/* unique: one money movement per transfer, whichever path makes it. */
static const struct db_stmt add_unique = {
	"add unique",
	{ "CREATE UNIQUE INDEX transfer_ledger_once ON transfer_ledger (transfer_id)" }
};
static const struct db_stmt drop_unique = {
	"drop unique",
	{ "DROP INDEX transfer_ledger_once", "DROP INDEX transfer_ledger_once ON transfer_ledger" }
};
static const struct db_stmt seed_transfer = {
	"seed transfer", { "INSERT INTO transfer (id, status) VALUES (?, 'PENDING')" }
};

/* On MySQL, TRUNCATE: see double_tap.c (delete-marked rows stay locked). */
static const struct db_stmt clear = {
	"clear", { "DELETE FROM transfer_ledger", "TRUNCATE TABLE transfer_ledger" }
};
static const struct db_stmt rearm = {
	"rearm",
	{ "UPDATE transfer SET status = 'PENDING', refund_amount = NULL, version = 0, fence = 0" }
};

static const struct db_stmt read_status = {
	"read status", { "SELECT status, version FROM transfer WHERE id = ?" }
};
static const struct db_stmt read_status_for_update = {
	"read status for update", { "SELECT status, version FROM transfer WHERE id = ? FOR UPDATE" }
};
static const struct db_stmt pay = {
	"pay",
	{ "INSERT INTO transfer_ledger (transfer_id, kind, amount, token) VALUES (?, 'paid', ?, ?)" }
};
static const struct db_stmt mark_success = {
	"mark success",
	{ "UPDATE transfer SET status = 'SUCCESS', version = version + 1 WHERE id = ?" }
};
static const struct db_stmt mark_success_versioned = {
	"mark success versioned",
	{ "UPDATE transfer SET status = 'SUCCESS', version = version + 1"
	  " WHERE id = ? AND version = ?" }
};
static const struct db_stmt claim = {
	"claim",
	{ "UPDATE transfer SET status = 'SUCCESS', version = version + 1"
	  " WHERE id = ? AND status = 'PENDING'" }
};
/* The incident's refund: act only if this UPDATE changed the row. */
static const struct db_stmt refund_claim = {
	"refund",
	{ "UPDATE transfer SET status = 'REFUNDED', refund_amount = ?, version = version + 1"
	  " WHERE id = ? AND status = 'PENDING'" }
};
static const struct db_stmt refund = {
	"refund ledger",
	{ "INSERT INTO transfer_ledger (transfer_id, kind, amount, token) VALUES (?, 'refund', ?, ?)" }
};
static const struct db_stmt peek = { "peek", { "SELECT status FROM transfer WHERE id = ?" } };
static const struct db_stmt fence = {
	"fence", { "UPDATE transfer SET fence = ? WHERE id = ? AND fence < ?" }
};
static const struct db_stmt tally = {
	"tally",
	{ "SELECT t.id, SUM(CASE WHEN l.kind = 'paid' THEN 1 ELSE 0 END),"
	  " SUM(CASE WHEN l.kind = 'refund' THEN 1 ELSE 0 END)"
	  " FROM transfer t LEFT JOIN transfer_ledger l ON l.transfer_id = t.id"
	  " GROUP BY t.id ORDER BY t.id" }
};

static const char *fits(enum strategy s, enum dialect d)
{
	(void)d;
	switch (s) {
	case ST_CHECK_AFTER:
		return "seed 003's fix re-reads a balance or a stock; a transfer has neither";
	case ST_CONSTRAINT:
		return "no CHECK on one row can see a second ledger entry; that is what `unique` does";
	default: return NULL;
	}
}

static int setup(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &create_transfer, e) < 0 || sc_run(c, &create_ledger, e) < 0 ||
	    sc_run(c, &create_index, e) < 0)
		return -1;
	return sc_each_key(c, &seed_transfer, p->keys, e);
}

static int reset(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	(void)p;
	if (sc_run(c, &clear, e) < 0)
		return -1;
	return sc_run(c, &rearm, e);
}

static enum op_status refund_path(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param a[2] = { P_INT(o->p->amount), P_INT(o->key) };
	struct db_param l[3] = { P_INT(o->key), P_INT(o->p->amount), P_INT(o->token) };

	if (db_query(c, &refund_claim, a, 2, e) < 0)
		return OP_ERROR;
	if (db_affected(c) != 1)
		return OP_DECLINED;
	return db_query(c, &refund, l, 3, e) < 0 ? OP_ERROR : OP_DONE;
}

static enum op_status op(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param key = P_INT(o->key);
	struct db_param l[3] = { key, P_INT(o->p->amount), P_INT(o->token) };
	int locking = o->strat == ST_FOR_UPDATE || o->strat == ST_FOR_UPDATE_PARENT;
	const char *status;
	long long version;

	if (o->client % 4 == 1)
		return refund_path(o, e);
	if (o->strat == ST_ATOMIC) {
		/* Claim the transfer first; send only if this statement claimed it. */
		if (db_query(c, &claim, &key, 1, e) < 0)
			return OP_ERROR;
		if (db_affected(c) != 1)
			return OP_DECLINED;
		sc_think(o);
		return db_query(c, &pay, l, 3, e) < 0 ? OP_ERROR : OP_DONE;
	}
	/* The transfer is both the row read and the parent: one locking read. */
	if (db_query(c, locking ? &read_status_for_update : &read_status, &key, 1, e) < 0)
		return OP_ERROR;
	status = db_value(c, 0, 0);
	version = db_int(c, 0, 1, 0);
	if (!status || strcmp(status, "PENDING") != 0)
		return OP_DECLINED;
	sc_think(o);
	if (db_query(c, &pay, l, 3, e) < 0)
		return OP_ERROR;
	if (o->strat == ST_OPTIMISTIC) {
		struct db_param a[2] = { key, P_INT(version) };

		if (db_query(c, &mark_success_versioned, a, 2, e) < 0)
			return OP_ERROR;
		if (db_affected(c) == 0)
			return OP_CONFLICT;
		return OP_DONE;
	}
	return db_query(c, &mark_success, &key, 1, e) < 0 ? OP_ERROR : OP_DONE;
}

void tr_tally(long long paid, long long refunds, long long *double_paid, long long *both)
{
	*double_paid = paid > 1 ? paid - 1 : 0;
	*both = paid > 0 && refunds > 0;
}

static int check(struct db_conn *c, const struct sc_params *p, const long long *committed,
		 long long *anomalies, struct rb_err *e)
{
	(void)p;
	(void)committed;
	if (sc_run(c, &tally, e) < 0)
		return -1;
	for (int i = 0; i < db_rows(c); i++) {
		long long dbl, both;

		tr_tally(db_int(c, i, 1, 0), db_int(c, i, 2, 0), &dbl, &both);
		anomalies[0] += dbl;
		anomalies[1] += both;
	}
	return 0;
}

/*
 * explain: one PENDING transfer, two workers (clients 0 and 2: A and C)
 * and the refund path (client 1: B). race: both workers read PENDING
 * before either pays; refund-race: the incident's worker and refund; both:
 * the refund commits between the workers' reads and their payments, and
 * both anomalies happen at once. Under a locking strategy both puts two
 * sessions in the queue for one row, and PostgreSQL does not promise which
 * of them goes first once the row is free; race and refund-race never
 * queue more than one.
 */
static const struct sc_schedule schedules[] = {
	{ "race", "both workers read PENDING before either pays; the refund comes last",
	  "A=0 B=1 C=2", "A:think C:think A:end C:end B:end" },
	{ "refund-race", "worker A reads PENDING, the refund claims and commits, A pays",
	  "A=0 B=1 C=2", "A:think B:end A:end C:end" },
	{ "both", "both workers read PENDING, the refund commits, then both pay", "A=0 B=1 C=2",
	  "A:think C:think B:end A:end C:end" },
	{ "serial", "worker A, then the refund, then worker C", "A=0 B=1 C=2",
	  "A:end B:end C:end" },
	{ NULL, NULL, NULL, NULL },
};

const struct scenario scenario_double_transfer = {
	.name = "double-transfer",
	.incident = "seed 001: a transfer paid twice, or paid and refunded",
	.summary = "read status; if PENDING: INSERT ledger, UPDATE status; refund: UPDATE ... "
		   "WHERE status = 'PENDING', act if 1 row",
	.kinds = { "double_payment", "paid_and_refunded", NULL },
	.notes = UPDATE_IN_PLACE_NOTES
	" The refund's conditional UPDATE is safe on its own; what breaks is the worker "
	"that read PENDING before the refund and writes SUCCESS over REFUNDED.",
	.xFits = fits,
	.xSetup = setup,
	.xReset = reset,
	.schema_for = 1u << ST_UNIQUE,
	.schema_add = &add_unique,
	.schema_drop = &drop_unique,
	.xOp = op,
	.xRecheck = NULL,
	.xCheck = check,
	.peek = &peek,
	.fence = &fence,
	.schedules = schedules,
};
