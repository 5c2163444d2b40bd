/*
 * double_tap.c: seed 002, a watch-list row created twice by a double tap.
 *
 * The API finds the account's interest_asset row; when there is none it
 * INSERTs one, otherwise it UPDATEs the comma list with the old value plus
 * the new asset, computed in the application. Two taps that both find
 * nothing insert two rows (duplicates); two taps that both read the same
 * list each write their own extension of it, and one asset vanishes (lost
 * updates). The checker counts both, separately.
 *
 * Keys with an even index start a trial with no watch list (the first tap:
 * duplicates); keys with an odd index start with one item in it (a later
 * tap: lost updates). --keys 1 therefore shows the incident's duplicates;
 * --keys 2 or more shows both.
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "tally.h"

static const struct db_stmt create_account = {
	"create account",
	{ "CREATE TABLE account (id bigint PRIMARY KEY, name varchar(40) NOT NULL,"
	  " version bigint NOT NULL DEFAULT 0, fence bigint NOT NULL DEFAULT 0)" }
};
static const struct db_stmt create_asset = {
	"create interest_asset",
	{ "CREATE TABLE interest_asset (id bigserial PRIMARY KEY,"
	  " account_id bigint NOT NULL, assets text NOT NULL)",
	  "CREATE TABLE interest_asset (id bigint AUTO_INCREMENT PRIMARY KEY,"
	  " account_id bigint NOT NULL, assets text NOT NULL) ENGINE=InnoDB" }
};
/* findByAccountId has an index to use, as any real one would. */
static const struct db_stmt create_index = {
	"create index", { "CREATE INDEX interest_asset_account ON interest_asset (account_id)" }
};
static const struct db_stmt add_unique = {
	"add unique", { "CREATE UNIQUE INDEX interest_asset_one ON interest_asset (account_id)" }
};
static const struct db_stmt drop_unique = { "drop unique",
					    { "DROP INDEX interest_asset_one",
					      "DROP INDEX interest_asset_one ON interest_asset" } };
static const struct db_stmt seed_account = { "seed account",
					     { "INSERT INTO account (id, name) VALUES (?, ?)" } };

/*
 * InnoDB keeps DELETEd rows as delete-marked index entries until purge
 * runs, and locking reads and duplicate checks lock those too: the next
 * trial would race on "an account whose row was just deleted". TRUNCATE
 * gives it what the incident had, an account that never had a row.
 */
static const struct db_stmt clear_assets = {
	"clear", { "DELETE FROM interest_asset", "TRUNCATE TABLE interest_asset" }
};
static const struct db_stmt seed_list = {
	"seed list", { "INSERT INTO interest_asset (account_id, assets) VALUES (?, '0')" }
};
static const struct db_stmt reset_accounts = {
	"reset", { "UPDATE account SET version = 0, fence = 0 WHERE version <> 0 OR fence <> 0" }
};

static const struct db_stmt find = {
	"find", { "SELECT id, assets FROM interest_asset WHERE account_id = ? ORDER BY id" }
};
static const struct db_stmt find_for_update = {
	"find for update",
	{ "SELECT id, assets FROM interest_asset WHERE account_id = ? ORDER BY id FOR UPDATE" }
};
static const struct db_stmt lock_parent = { "lock account",
					    { "SELECT id FROM account WHERE id = ? FOR UPDATE" } };
static const struct db_stmt read_version = { "read version",
					     { "SELECT version FROM account WHERE id = ?" } };
static const struct db_stmt bump_version = {
	"bump version", { "UPDATE account SET version = version + 1 WHERE id = ? AND version = ?" }
};
static const struct db_stmt insert_row = {
	"insert", { "INSERT INTO interest_asset (account_id, assets) VALUES (?, ?)" }
};
static const struct db_stmt update_row = {
	"update", { "UPDATE interest_asset SET assets = ? WHERE id = ?" }
};
static const struct db_stmt upsert = {
	"upsert",
	{ "INSERT INTO interest_asset (account_id, assets) VALUES (?, ?)"
	  " ON CONFLICT (account_id) DO UPDATE"
	  " SET assets = CONCAT(interest_asset.assets, ',', EXCLUDED.assets)",
	  "INSERT INTO interest_asset (account_id, assets) VALUES (?, ?)"
	  " ON DUPLICATE KEY UPDATE assets = CONCAT(assets, ',', VALUES(assets))" }
};
static const struct db_stmt peek = { "peek", { "SELECT name FROM account WHERE id = ?" } };
static const struct db_stmt fence = {
	"fence", { "UPDATE account SET fence = ? WHERE id = ? AND fence < ?" }
};
static const struct db_stmt tally = {
	"tally", { "SELECT account_id, assets FROM interest_asset ORDER BY account_id, id" }
};

static const struct sc_find finder = { &lock_parent, &read_version, &find, &find_for_update,
				       &bump_version };

static const char *fits(enum strategy s, enum dialect d)
{
	(void)d;
	switch (s) {
	case ST_CHECK_AFTER:
		return "seed 003's fix re-reads a balance or a stock; a watch list has none to re-read";
	case ST_CONSTRAINT: return "no CHECK can forbid a second row; that is what `unique` does";
	default: return NULL;
	}
}

static int setup(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	char name[40];

	if (sc_run(c, &create_account, e) < 0 || sc_run(c, &create_asset, e) < 0 ||
	    sc_run(c, &create_index, e) < 0)
		return -1;
	for (int k = 0; k < p->keys; k++) {
		struct db_param a[2] = { P_INT(k), P_TEXT(name) };

		snprintf(name, sizeof(name), "account-%d", k);
		if (db_query(c, &seed_account, a, 2, e) < 0)
			return -1;
	}
	return 0;
}

static int reset(struct db_conn *c, const struct sc_params *p, struct rb_err *e)
{
	if (sc_run(c, &clear_assets, e) < 0)
		return -1;
	for (int k = 1; k < p->keys; k += 2) {
		struct db_param a = P_INT(k);

		if (db_query(c, &seed_list, &a, 1, e) < 0)
			return -1;
	}
	return sc_run(c, &reset_accounts, e);
}

/*
 * The incident's addIfAbsent: find, think, then INSERT or UPDATE. The
 * strategy changes only the reads (a locking read, a parent lock, a version
 * check) or replaces the whole thing with one upsert.
 */
static enum op_status op(struct op_ctx *o, struct rb_err *e)
{
	struct db_conn *c = o->db;
	struct db_param key = P_INT(o->key);
	char tok[24], list[8192];
	long long version = 0, row_id;
	int rows;

	snprintf(tok, sizeof(tok), "%lld", o->token);
	if (o->strat == ST_ATOMIC) {
		struct db_param a[2] = { key, P_TEXT(tok) };

		return db_query(c, &upsert, a, 2, e) < 0 ? OP_ERROR : OP_DONE;
	}
	rows = sc_find_one(o, &finder, &version, e);
	if (rows < 0)
		return OP_ERROR;
	row_id = rows ? db_int(c, 0, 0, 0) : 0;
	if (rows) {
		const char *old = db_value(c, 0, 1);

		if (snprintf(list, sizeof(list), "%s,%s", old ? old : "", tok) >=
		    (int)sizeof(list)) {
			rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				   "watch list longer than %zu bytes; use more --keys",
				   sizeof(list));
			return OP_ERROR;
		}
	}
	sc_think(o);
	if (rows) {
		struct db_param a[2] = { P_TEXT(list), P_INT(row_id) };

		if (db_query(c, &update_row, a, 2, e) < 0)
			return OP_ERROR;
	} else {
		struct db_param a[2] = { key, P_TEXT(tok) };

		if (db_query(c, &insert_row, a, 2, e) < 0)
			return OP_ERROR;
	}
	return sc_find_done(o, &finder, version, e);
}

int dt_count_items(const char *list)
{
	int n;

	if (!list || !*list)
		return 0;
	for (n = 1; *list; list++)
		n += *list == ',';
	return n;
}

void dt_tally(const struct dt_row *rows, int nrows, int keys, const long long *committed,
	      long long *dup, long long *lost)
{
	int i = 0;

	*dup = *lost = 0;
	for (int k = 0; k < keys; k++) {
		long long nrow = 0, items = 0;

		/* rows are ordered by account; skip keys outside 0..keys-1 */
		while (i < nrows && rows[i].account < k)
			i++;
		for (; i < nrows && rows[i].account == k; i++) {
			nrow++;
			items += dt_count_items(rows[i].assets);
		}
		if (nrow > 1)
			*dup += nrow - 1;
		/* odd keys start with one item (see reset) */
		if (committed[k] + (k % 2) > items)
			*lost += committed[k] + (k % 2) - items;
	}
}

static int check(struct db_conn *c, const struct sc_params *p, const long long *committed,
		 long long *anomalies, struct rb_err *e)
{
	struct dt_row *rows;
	int n;

	if (sc_run(c, &tally, e) < 0)
		return -1;
	n = db_rows(c);
	rows = xcalloc((size_t)n, sizeof(*rows));
	for (int i = 0; i < n; i++) {
		rows[i].account = db_int(c, i, 0, -1);
		rows[i].assets = db_value(c, i, 1);
	}
	dt_tally(rows, n, p->keys, committed, &anomalies[0], &anomalies[1]);
	free(rows);
	return 0;
}

/*
 * explain: two taps on one account that has no watch list yet. race: both
 * look before either writes (the incident); uncommitted: B looks while A's
 * new row is written but not committed (what redis-narrow lets through).
 */
static const struct sc_schedule schedules[] = {
	{ "race", "both taps look for the watch list before either writes", "A=0 B=1",
	  "A:think B:think A:end B:end" },
	{ "uncommitted", "B looks while A's new row is written but not yet committed", "A=0 B=1",
	  "A:tail B:think A:end B:end" },
	{ "serial", "one tap after the other", "A=0 B=1", "A:end B:end" },
	{ NULL, NULL, NULL, NULL },
};

const struct scenario scenario_double_tap = {
	.name = "double-tap",
	.incident = "seed 002: a watch-list row created twice by a double tap",
	.summary = "find the account's row; none -> INSERT, else UPDATE list = old + \",k\"",
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
