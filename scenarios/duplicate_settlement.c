/*
 * duplicate_settlement.c: seed 000, marketplace payouts settled twice.
 *
 * Every purchase of a product looks for the product's pending seller
 * settlement; when there is none it INSERTs one, then it INSERTs an item
 * settlement and adds the item's amount to the seller settlement's total
 * (read at the find, written back by the application). Purchases that all
 * find nothing create several pending settlements for one product
 * (duplicates); purchases that read the same total each write their own
 * sum, and an item's amount vanishes from the total (lost updates).
 *
 * As in double-tap, products with an even key start a trial with no
 * pending settlement (duplicates) and odd ones with one settlement holding
 * one item (lost updates on the total): --keys 2 or more shows both.
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>

#include "../base/util.h"
#include "tally.h"

static const struct db_stmt create_product = {
	"create product",
	{ "CREATE TABLE product (id bigint PRIMARY KEY, name varchar(40) NOT NULL,"
	  " version bigint NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0)" }
};
/* MySQL has no partial index: a generated column is NULL unless pending,
 * and NULLs never collide in a unique index (REFERENCES.md). */
static const struct db_stmt create_settlement = {
	"create seller_settlement",
	{ "CREATE TABLE seller_settlement (id bigserial PRIMARY KEY,"
	  " product_id bigint NOT NULL, status varchar(16) NOT NULL, total bigint NOT NULL)",
	  "CREATE TABLE seller_settlement (id bigint AUTO_INCREMENT PRIMARY KEY,"
	  " product_id bigint NOT NULL, status varchar(16) NOT NULL, total bigint NOT NULL,"
	  " pending_product bigint AS (IF(status = 'pending', product_id, NULL)) STORED)"
	  " ENGINE=InnoDB" }
};
static const struct db_stmt create_items = {
	"create item_settlement",
	{ "CREATE TABLE item_settlement (id bigserial PRIMARY KEY,"
	  " settlement_id bigint NOT NULL, product_id bigint NOT NULL, amount bigint NOT NULL)",
	  "CREATE TABLE item_settlement (id bigint AUTO_INCREMENT PRIMARY KEY,"
	  " settlement_id bigint NOT NULL, product_id bigint NOT NULL, amount bigint NOT NULL)"
	  " ENGINE=InnoDB" }
};
static const struct db_stmt create_index = {
	"create index",
	{ "CREATE INDEX seller_settlement_product ON seller_settlement (product_id)" }
};
static const struct db_stmt add_unique = {
	"add unique",
	{ "CREATE UNIQUE INDEX seller_settlement_one_pending ON seller_settlement (product_id)"
	  " WHERE status = 'pending'",
	  "CREATE UNIQUE INDEX seller_settlement_one_pending ON seller_settlement (pending_product)" }
};
static const struct db_stmt drop_unique = {
	"drop unique",
	{ "DROP INDEX seller_settlement_one_pending",
	  "DROP INDEX seller_settlement_one_pending ON seller_settlement" }
};
static const struct db_stmt seed_product = { "seed product",
					     { "INSERT INTO product (id, name) VALUES (?, ?)" } };

/* On MySQL, TRUNCATE: see double_tap.c (delete-marked rows stay locked). */
static const struct db_stmt clear_items = {
	"clear items", { "DELETE FROM item_settlement", "TRUNCATE TABLE item_settlement" }
};
static const struct db_stmt clear_settlements = {
	"clear settlements", { "DELETE FROM seller_settlement", "TRUNCATE TABLE seller_settlement" }
};
static const struct db_stmt reset_products = {
	"reset products",
	{ "UPDATE product SET version = 0, fence = 0 WHERE version <> 0 OR fence <> 0" }
};
static const struct db_stmt seed_settlement = {
	"seed settlement",
	{ "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', ?)"
	  " RETURNING id",
	  "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', ?)" }
};

static const struct db_stmt find = {
	"find",
	{ "SELECT id, total FROM seller_settlement WHERE product_id = ? AND status = 'pending'"
	  " ORDER BY id" }
};
static const struct db_stmt find_for_update = {
	"find for update",
	{ "SELECT id, total FROM seller_settlement WHERE product_id = ? AND status = 'pending'"
	  " ORDER BY id FOR UPDATE" }
};
static const struct db_stmt lock_parent = { "lock product",
					    { "SELECT id FROM product WHERE id = ? FOR UPDATE" } };
static const struct db_stmt read_version = { "read version",
					     { "SELECT version FROM product WHERE id = ?" } };
static const struct db_stmt bump_version = {
	"bump version", { "UPDATE product SET version = version + 1 WHERE id = ? AND version = ?" }
};
static const struct db_stmt insert_settlement = {
	"insert settlement",
	{ "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', 0)"
	  " RETURNING id",
	  "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', 0)" }
};
static const struct db_stmt insert_item = {
	"insert item",
	{ "INSERT INTO item_settlement (settlement_id, product_id, amount) VALUES (?, ?, ?)" }
};
static const struct db_stmt write_total = {
	"write total", { "UPDATE seller_settlement SET total = ? WHERE id = ?" }
};
/* One statement finds or creates the pending settlement and adds to it. */
static const struct db_stmt upsert = {
	"upsert",
	{ "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', ?)"
	  " ON CONFLICT (product_id) WHERE status = 'pending'"
	  " DO UPDATE SET total = seller_settlement.total + EXCLUDED.total RETURNING id",
	  "INSERT INTO seller_settlement (product_id, status, total) VALUES (?, 'pending', ?)"
	  " ON DUPLICATE KEY UPDATE total = total + VALUES(total), id = LAST_INSERT_ID(id)" }
};
static const struct db_stmt peek = { "peek", { "SELECT name FROM product WHERE id = ?" } };
static const struct db_stmt fence = {
	"fence", { "UPDATE product SET fence = ? WHERE id = ? AND fence < ?" }
};
static const struct db_stmt tally = {
	"tally",
	{ "SELECT s.product_id, s.total, COALESCE(SUM(i.amount), 0) FROM seller_settlement s"
	  " LEFT JOIN item_settlement i ON i.settlement_id = s.id WHERE s.status = 'pending'"
	  " GROUP BY s.product_id, s.id, s.total ORDER BY s.product_id, s.id" }
};

static const struct sc_find finder = { &lock_parent, &read_version, &find, &find_for_update,
				       &bump_version };

static const char *fits(enum strategy s, enum dialect d)
{
	(void)d;
	switch (s) {
	case ST_CHECK_AFTER:
		return "seed 003's fix re-reads a balance or a stock; a settlement has neither";
	case ST_CONSTRAINT:
		return "no CHECK can forbid a second pending row; that is what `unique` does";
	default: return NULL;
	}
}

static int setup(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &create_product, e) < 0 || sc_run(c, &create_settlement, e) < 0 ||
	    sc_run(c, &create_items, e) < 0 || sc_run(c, &create_index, e) < 0)
		return -1;
	for (int k = 0; k < p->keys; k++) {
		char name[40];
		struct db_param a[2] = { P_INT(k), P_TEXT(name) };

		snprintf(name, sizeof(name), "product-%d", k);
		if (db_query(c, &seed_product, a, 2, e) < 0)
			return -1;
	}
	return 0;
}

static int reset(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &clear_items, e) < 0 || sc_run(c, &clear_settlements, e) < 0)
		return -1;
	for (int k = 1; k < p->keys; k += 2) {
		struct db_param a[2] = { P_INT(k), P_INT(p->amount) };
		long long id;

		if (sc_insert_id(c, &seed_settlement, a, 2, &id, e) < 0)
			return -1;
		struct db_param it[3] = { P_INT(id), P_INT(k), P_INT(p->amount) };

		if (db_query(c, &insert_item, it, 3, e) < 0)
			return -1;
	}
	return sc_run(c, &reset_products, e);
}

/*
 * The payout of one purchase: find the pending settlement, think, create
 * it if missing, add the item, write the new total.
 */
static enum op_status op(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param key = P_INT(o->key);
	long long version = 0, id, total;
	int rows;

	if (o->strat == ST_ATOMIC) {
		struct db_param a[2] = { key, P_INT(o->p->amount) };

		if (sc_insert_id(c, &upsert, a, 2, &id, e) < 0)
			return OP_ERROR;
		struct db_param it[3] = { P_INT(id), key, P_INT(o->p->amount) };

		return db_query(c, &insert_item, it, 3, e) < 0 ? OP_ERROR : OP_DONE;
	}
	rows = sc_find_one(o, &finder, &version, e);
	if (rows < 0)
		return OP_ERROR;
	id = rows ? db_int(c, 0, 0, 0) : 0;
	total = rows ? db_int(c, 0, 1, 0) : 0;
	sc_think(o);
	if (!rows && sc_insert_id(c, &insert_settlement, &key, 1, &id, e) < 0)
		return OP_ERROR;
	{
		struct db_param it[3] = { P_INT(id), key, P_INT(o->p->amount) };
		struct db_param tot[2] = { P_INT(total + o->p->amount), P_INT(id) };

		if (db_query(c, &insert_item, it, 3, e) < 0 ||
		    db_query(c, &write_total, tot, 2, e) < 0)
			return OP_ERROR;
	}
	return sc_find_done(o, &finder, version, e);
}

void ds_tally(const struct ds_row *rows, int nrows, long long amount, long long *dup,
	      long long *lost)
{
	*dup = *lost = 0;
	for (int i = 0; i < nrows; i++) {
		long long diff = rows[i].items - rows[i].total;

		if (i > 0 && rows[i].product == rows[i - 1].product)
			(*dup)++;
		if (diff < 0)
			diff = -diff;
		*lost += (diff + amount - 1) / amount;
	}
}

static int check(struct db_conn *c, const struct sc_params *p, const long long *committed,
		 long long *anomalies, struct rb_err *e)
{
	struct ds_row *rows;
	int n;

	(void)committed;
	if (sc_run(c, &tally, e) < 0)
		return -1;
	n = db_rows(c);
	rows = xcalloc((size_t)n, sizeof(*rows));
	for (int i = 0; i < n; i++) {
		rows[i].product = db_int(c, i, 0, -1);
		rows[i].total = db_int(c, i, 1, 0);
		rows[i].items = db_int(c, i, 2, 0);
	}
	ds_tally(rows, n, p->amount, &anomalies[0], &anomalies[1]);
	free(rows);
	return 0;
}

/*
 * explain: two purchases of a product with no pending settlement yet.
 * race: both look for it before either creates it (the incident);
 * uncommitted: B looks while A's settlement is written but not committed.
 */
static const struct sc_schedule schedules[] = {
	{ "race", "both purchases look for the pending settlement before either creates it",
	  "A=0 B=1", "A:think B:think A:end B:end" },
	{ "uncommitted", "B looks while A's settlement is written but not yet committed", "A=0 B=1",
	  "A:tail B:think A:end B:end" },
	{ "serial", "one purchase after the other", "A=0 B=1", "A:end B:end" },
	{ NULL, NULL, NULL, NULL },
};

const struct scenario scenario_duplicate_settlement = {
	.name = "duplicate-settlement",
	.incident = "seed 000: a product's pending seller settlement created several times",
	.summary =
		"find pending settlement; none -> INSERT; INSERT item; total = read total + amount",
	.kinds = { "duplicates", "lost_updates", NULL },
	.notes = FIND_OR_CREATE_NOTES,
	.xFits = fits,
	.xSetup = setup,
	.xReset = reset,
	.schema_for = (1u << ST_UNIQUE) | (1u << ST_ATOMIC),
	.schema_add = &add_unique,
	.schema_drop = &drop_unique,
	.xOp = op,
	.xRecheck = NULL,
	.xCheck = check,
	.peek = &peek,
	.fence = &fence,
	.schedules = schedules,
};
