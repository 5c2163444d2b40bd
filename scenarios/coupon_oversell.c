/*
 * coupon_oversell.c: seed 004, a first-come coupon issued beyond its
 * quantity.
 *
 * The issue reads the coupon's remaining quantity, and when some is left
 * writes back the quantity it read minus one (what an ORM's
 * coupon.decreaseQuantity() does) and records the issue. Users who read
 * the same quantity all write the same value: more coupons are issued
 * than existed (oversold), and issues plus what is left no longer equals
 * the quantity on offer (lost_updates).
 */
#include "scenario.h"

#include "tally.h"

static const struct db_stmt create_coupon = {
	"create coupon",
	{ "CREATE TABLE coupon (id bigint PRIMARY KEY, quantity bigint NOT NULL,"
	  " version bigint NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0)" }
};
static const struct db_stmt create_issue = {
	"create coupon_issue",
	{ "CREATE TABLE coupon_issue (id bigserial PRIMARY KEY, coupon_id bigint NOT NULL,"
	  " user_token bigint NOT NULL)",
	  "CREATE TABLE coupon_issue (id bigint AUTO_INCREMENT PRIMARY KEY, coupon_id bigint NOT NULL,"
	  " user_token bigint NOT NULL) ENGINE=InnoDB" }
};
static const struct db_stmt create_index = {
	"create index", { "CREATE INDEX coupon_issue_coupon ON coupon_issue (coupon_id)" }
};
static const struct db_stmt add_check = {
	"add check",
	{ "ALTER TABLE coupon ADD CONSTRAINT coupon_quantity_nonneg CHECK (quantity >= 0)" }
};
static const struct db_stmt drop_check = {
	"drop check", { "ALTER TABLE coupon DROP CONSTRAINT coupon_quantity_nonneg" }
};
static const struct db_stmt seed_coupon = { "seed coupon",
					    { "INSERT INTO coupon (id, quantity) VALUES (?, 0)" } };

/* On MySQL, TRUNCATE: see double_tap.c (delete-marked rows stay locked). */
static const struct db_stmt clear = {
	"clear", { "DELETE FROM coupon_issue", "TRUNCATE TABLE coupon_issue" }
};
static const struct db_stmt restock = {
	"restock", { "UPDATE coupon SET quantity = ?, version = 0, fence = 0" }
};

static const struct db_stmt read_quantity = {
	"read quantity", { "SELECT quantity, version FROM coupon WHERE id = ?" }
};
static const struct db_stmt read_quantity_for_update = {
	"read quantity for update",
	{ "SELECT quantity, version FROM coupon WHERE id = ? FOR UPDATE" }
};
static const struct db_stmt write_quantity = { "write quantity",
					       { "UPDATE coupon SET quantity = ? WHERE id = ?" } };
static const struct db_stmt write_versioned = {
	"write versioned",
	{ "UPDATE coupon SET quantity = ?, version = version + 1 WHERE id = ? AND version = ?" }
};
static const struct db_stmt take_one = {
	"take one", { "UPDATE coupon SET quantity = quantity - 1 WHERE id = ? AND quantity > 0" }
};
static const struct db_stmt record = {
	"record issue", { "INSERT INTO coupon_issue (coupon_id, user_token) VALUES (?, ?)" }
};
static const struct db_stmt recheck = {
	"recheck",
	{ "SELECT c.quantity, (SELECT COUNT(*) FROM coupon_issue i WHERE i.coupon_id = c.id)"
	  " FROM coupon c WHERE c.id = ?" }
};
static const struct db_stmt peek = { "peek", { "SELECT quantity FROM coupon WHERE id = ?" } };
static const struct db_stmt fence = {
	"fence", { "UPDATE coupon SET fence = ? WHERE id = ? AND fence < ?" }
};
static const struct db_stmt tally = {
	"tally",
	{ "SELECT c.id, c.quantity, (SELECT COUNT(*) FROM coupon_issue i WHERE i.coupon_id = c.id)"
	  " FROM coupon c ORDER BY c.id" }
};

static const char *fits(enum strategy s, enum dialect d)
{
	(void)d;
	if (s == ST_UNIQUE)
		return "a unique constraint cannot count coupons (one coupon per user is another rule)";
	return NULL;
}

static int setup(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &create_coupon, e) < 0 || sc_run(c, &create_issue, e) < 0 ||
	    sc_run(c, &create_index, e) < 0)
		return -1;
	return sc_each_key(c, &seed_coupon, p->keys, e);
}

static int reset(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	struct db_param q = P_INT(p->quantity);

	if (sc_run(c, &clear, e) < 0)
		return -1;
	return db_query(c, &restock, &q, 1, e);
}

static enum op_status op(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param key = P_INT(o->key);
	struct db_param rec[2] = { key, P_INT(o->token) };
	int locking = o->strat == ST_FOR_UPDATE || o->strat == ST_FOR_UPDATE_PARENT;
	long long quantity, version;

	if (o->strat == ST_ATOMIC) {
		if (db_query(c, &take_one, &key, 1, e) < 0)
			return OP_ERROR;
		if (db_affected(c) == 0)
			return OP_DECLINED;
		return db_query(c, &record, rec, 2, e) < 0 ? OP_ERROR : OP_DONE;
	}
	/* The coupon is both the row read and the parent: one locking read. */
	if (db_query(c, locking ? &read_quantity_for_update : &read_quantity, &key, 1, e) < 0)
		return OP_ERROR;
	quantity = db_int(c, 0, 0, 0);
	version = db_int(c, 0, 1, 0);
	if (quantity <= 0)
		return OP_DECLINED;
	sc_think(o);
	if (o->strat == ST_OPTIMISTIC) {
		struct db_param a[3] = { P_INT(quantity - 1), key, P_INT(version) };

		if (db_query(c, &write_versioned, a, 3, e) < 0)
			return OP_ERROR;
		if (db_affected(c) == 0)
			return OP_CONFLICT;
	} else {
		struct db_param a[2] = { P_INT(quantity - 1), key };

		if (db_query(c, &write_quantity, a, 2, e) < 0)
			return OP_ERROR;
	}
	return db_query(c, &record, rec, 2, e) < 0 ? OP_ERROR : OP_DONE;
}

/* check-after: before COMMIT, are there more issues than coupons, or a
 * negative quantity? */
static enum op_status recheck_op(struct op_ctx *o, struct rb_err *e)
{
	struct db_param key = P_INT(o->key);

	if (db_query(o->db, &recheck, &key, 1, e) < 0)
		return OP_ERROR;
	if (db_int(o->db, 0, 0, 0) < 0 || db_int(o->db, 0, 1, 0) > o->p->quantity)
		return OP_BROKEN;
	return OP_DONE;
}

void co_tally(long long q, long long quantity, long long issues, long long *oversold,
	      long long *lost)
{
	long long diff = issues + quantity - q;

	*oversold = issues > q ? issues - q : 0;
	*lost = diff < 0 ? -diff : diff;
}

static int check(struct db_conn *c, const struct sc_params *p, const long long *committed,
		 long long *anomalies, struct rb_err *e)
{
	(void)committed;
	if (sc_run(c, &tally, e) < 0)
		return -1;
	for (int i = 0; i < db_rows(c); i++) {
		long long over, lost;

		co_tally(p->quantity, db_int(c, i, 1, 0), db_int(c, i, 2, 0), &over, &lost);
		anomalies[0] += over;
		anomalies[1] += lost;
	}
	return 0;
}

/*
 * explain: two users and one coupon left (explain seeds a quantity of 1).
 * race: both read the quantity before either writes it (the incident);
 * uncommitted: B reads while A's write is not committed yet.
 */
static const struct sc_schedule schedules[] = {
	{ "race", "both users read the quantity before either writes it", "A=0 B=1",
	  "A:think B:think A:end B:end" },
	{ "uncommitted", "B reads the quantity while A's write is not yet committed", "A=0 B=1",
	  "A:tail B:think A:end B:end" },
	{ "serial", "one user after the other", "A=0 B=1", "A:end B:end" },
	{ NULL, NULL, NULL, NULL },
};

const struct scenario scenario_coupon_oversell = {
	.name = "coupon-oversell",
	.incident = "seed 004: a first-come coupon issued beyond its quantity",
	.summary = "read quantity; if > 0: UPDATE quantity = read - 1; INSERT issue",
	.kinds = { "oversold", "lost_updates", NULL },
	.notes = UPDATE_IN_PLACE_NOTES
	" constraint: an absolute write (read - 1) never makes the quantity negative, "
	"so the CHECK never fires and coupons are still oversold. check-after at rc "
	"counts the committed issues and rolls back the extra ones, but the quantity "
	"was still overwritten (lost updates); on MySQL at rr the re-check reads the "
	"transaction's snapshot, misses the others' issues, and lets the oversell through.",
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
