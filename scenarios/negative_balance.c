/*
 * negative_balance.c: seed 003, an in-app purchase that drove a balance
 * below zero.
 *
 * The purchase reads the wallet's balance, and when it covers the price
 * deducts it with a relative UPDATE (balance = balance - price, as in the
 * incident) and records the purchase. Two taps that both read enough money
 * both deduct: the balance goes negative (negative_balance) and more was
 * bought than the money allowed (overspend). A write that replaced the
 * balance instead of decrementing it would lose money (lost_updates: the
 * balance plus what was spent no longer equals the initial balance).
 *
 * check-after is the fix the incident shipped (re-read the balance before
 * COMMIT, roll back when negative); constraint is the one its author wished
 * for (the column cannot hold a negative value).
 */
#include "scenario.h"

#include <stdio.h>

#include "tally.h"

static const struct db_stmt create_wallet = {
	"create wallet",
	{ "CREATE TABLE wallet (id bigint PRIMARY KEY, balance bigint NOT NULL,"
	  " version bigint NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0)" }
};
static const struct db_stmt create_purchase = {
	"create purchase",
	{ "CREATE TABLE purchase (id bigserial PRIMARY KEY, wallet_id bigint NOT NULL,"
	  " price bigint NOT NULL, token bigint NOT NULL)",
	  "CREATE TABLE purchase (id bigint AUTO_INCREMENT PRIMARY KEY, wallet_id bigint NOT NULL,"
	  " price bigint NOT NULL, token bigint NOT NULL) ENGINE=InnoDB" }
};
static const struct db_stmt add_check = {
	"add check",
	{ "ALTER TABLE wallet ADD CONSTRAINT wallet_balance_nonneg CHECK (balance >= 0)" }
};
static const struct db_stmt drop_check = {
	"drop check", { "ALTER TABLE wallet DROP CONSTRAINT wallet_balance_nonneg" }
};
static const struct db_stmt seed_wallet = { "seed wallet",
					    { "INSERT INTO wallet (id, balance) VALUES (?, 0)" } };

/* On MySQL, TRUNCATE: see double_tap.c (delete-marked rows stay locked). */
static const struct db_stmt clear = { "clear",
				      { "DELETE FROM purchase", "TRUNCATE TABLE purchase" } };
static const struct db_stmt refill = {
	"refill", { "UPDATE wallet SET balance = ?, version = 0, fence = 0" }
};

static const struct db_stmt read_balance = {
	"read balance", { "SELECT balance, version FROM wallet WHERE id = ?" }
};
static const struct db_stmt read_balance_for_update = {
	"read balance for update", { "SELECT balance, version FROM wallet WHERE id = ? FOR UPDATE" }
};
static const struct db_stmt deduct = { "deduct",
				       { "UPDATE wallet SET balance = balance - ? WHERE id = ?" } };
static const struct db_stmt deduct_versioned = {
	"deduct versioned",
	{ "UPDATE wallet SET balance = balance - ?, version = version + 1"
	  " WHERE id = ? AND version = ?" }
};
static const struct db_stmt deduct_if_enough = {
	"deduct if enough",
	{ "UPDATE wallet SET balance = balance - ? WHERE id = ? AND balance >= ?" }
};
static const struct db_stmt record = {
	"record purchase", { "INSERT INTO purchase (wallet_id, price, token) VALUES (?, ?, ?)" }
};
static const struct db_stmt recheck = { "recheck balance",
					{ "SELECT balance FROM wallet WHERE id = ?" } };
static const struct db_stmt peek = { "peek", { "SELECT balance FROM wallet WHERE id = ?" } };
static const struct db_stmt fence = {
	"fence", { "UPDATE wallet SET fence = ? WHERE id = ? AND fence < ?" }
};
static const struct db_stmt tally = {
	"tally",
	{ "SELECT w.id, w.balance, COUNT(p.id), COALESCE(SUM(p.price), 0) FROM wallet w"
	  " LEFT JOIN purchase p ON p.wallet_id = w.id GROUP BY w.id, w.balance ORDER BY w.id" }
};

static const char *fits(enum strategy s, enum dialect d)
{
	(void)d;
	if (s == ST_UNIQUE)
		return "nothing here is created twice: a unique constraint has nothing to refuse";
	return NULL;
}

static int setup(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &create_wallet, e) < 0 || sc_run(c, &create_purchase, e) < 0)
		return -1;
	return sc_each_key(c, &seed_wallet, p->keys, e);
}

static int reset(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	struct db_param b = P_INT(p->balance);

	if (sc_run(c, &clear, e) < 0)
		return -1;
	return db_query(c, &refill, &b, 1, e);
}

static enum op_status op(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	long long price = o->p->price, balance, version;
	struct db_param key = P_INT(o->key);
	struct db_param rec[3] = { key, P_INT(price), P_INT(o->token) };
	int locking = o->strat == ST_FOR_UPDATE || o->strat == ST_FOR_UPDATE_PARENT;

	if (o->strat == ST_ATOMIC) {
		struct db_param a[3] = { P_INT(price), key, P_INT(price) };

		if (db_query(c, &deduct_if_enough, a, 3, e) < 0)
			return OP_ERROR;
		if (db_affected(c) == 0)
			return OP_DECLINED;
		return db_query(c, &record, rec, 3, e) < 0 ? OP_ERROR : OP_DONE;
	}
	/* The wallet is both the row read and the parent: one locking read. */
	if (db_query(c, locking ? &read_balance_for_update : &read_balance, &key, 1, e) < 0)
		return OP_ERROR;
	balance = db_int(c, 0, 0, 0);
	version = db_int(c, 0, 1, 0);
	if (balance < price)
		return OP_DECLINED;
	sc_think(o);
	if (o->strat == ST_OPTIMISTIC) {
		struct db_param a[3] = { P_INT(price), key, P_INT(version) };

		if (db_query(c, &deduct_versioned, a, 3, e) < 0)
			return OP_ERROR;
		if (db_affected(c) == 0)
			return OP_CONFLICT;
	} else {
		struct db_param a[2] = { P_INT(price), key };

		if (db_query(c, &deduct, a, 2, e) < 0)
			return OP_ERROR;
	}
	return db_query(c, &record, rec, 3, e) < 0 ? OP_ERROR : OP_DONE;
}

/* The incident's shipped fix: before COMMIT, is the balance still >= 0? */
static enum op_status recheck_op(struct op_ctx *o, struct rb_err *e)
{
	struct db_param key = P_INT(o->key);

	if (db_query(o->db, &recheck, &key, 1, e) < 0)
		return OP_ERROR;
	return db_int(o->db, 0, 0, 0) < 0 ? OP_BROKEN : OP_DONE;
}

void nb_tally(long long initial, long long price, long long balance, long long purchases,
	      long long spent, long long *negative, long long *overspend, long long *lost)
{
	long long allowed = price > 0 ? initial / price : 0;
	long long diff = initial - spent - balance;

	*negative = balance < 0;
	*overspend = purchases > allowed ? purchases - allowed : 0;
	if (diff < 0)
		diff = -diff;
	*lost = price > 0 ? (diff + price - 1) / price : diff;
}

static int check(struct db_conn *c, const struct sc_params *p, const long long *committed,
		 long long *anomalies, struct rb_err *e)
{
	(void)committed;
	if (sc_run(c, &tally, e) < 0)
		return -1;
	for (int i = 0; i < db_rows(c); i++) {
		long long neg, over, lost;

		nb_tally(p->balance, p->price, db_int(c, i, 1, 0), db_int(c, i, 2, 0),
			 db_int(c, i, 3, 0), &neg, &over, &lost);
		anomalies[0] += neg;
		anomalies[1] += over;
		anomalies[2] += lost;
	}
	return 0;
}

/*
 * explain: two purchases from a wallet that holds money for one (explain
 * seeds 50 and a price of 30). race: both read the balance before either
 * deducts (the incident); uncommitted: B reads while A's deduction is not
 * committed yet.
 */
static const struct sc_schedule schedules[] = {
	{ "race", "both purchases read the balance before either deducts", "A=0 B=1",
	  "A:think B:think A:end B:end" },
	{ "uncommitted", "B reads the balance while A's deduction is not yet committed", "A=0 B=1",
	  "A:tail B:think A:end B:end" },
	{ "serial", "one purchase after the other", "A=0 B=1", "A:end B:end" },
	{ NULL, NULL, NULL, NULL },
};

const struct scenario scenario_negative_balance = {
	.name = "negative-balance",
	.incident = "seed 003: a double-tapped purchase left a negative balance",
	.summary = "read balance; if >= price: UPDATE balance = balance - price; INSERT purchase",
	.kinds = { "negative_balance", "overspend", "lost_updates", NULL },
	.notes = UPDATE_IN_PLACE_NOTES
	" constraint: the relative decrement would go below zero, the CHECK refuses it "
	"(check-violation) and the purchase fails for its user: no anomaly, errors. "
	"check-after: the re-read sees the negative balance the own decrement made "
	"(a transaction sees its own writes) and rolls back.",
	.xFits = fits,
	.xSetup = setup,
	.xReset = reset,
	.schema_for = 1u << ST_CONSTRAINT,
	.schema_add = &add_check,
	.schema_drop = &drop_check,
	.xOp = op,
	.xRecheck = recheck_op,
	.xCheck = check,
	.peek = &peek,
	.fence = &fence,
	.schedules = schedules,
};
