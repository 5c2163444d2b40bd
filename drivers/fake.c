/* fake.c: the fault-injecting fake driver and lock service of the unit tests (fake.h). */
#define _POSIX_C_SOURCE 200809L
#include "fake.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

#define FAKE_RULES 32
#define FAKE_NAMES 64
#define FAKE_ROWS  8
#define FAKE_COLS  4

struct rule {
	char name[32];
	int from, to;
	int fail; /* 1: fail with cls (broken too); 0: answer */
	enum rb_class cls;
	int broken;
	char rows[256];
	long long affected;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[FAKE_RULES];
static int nrules;
static struct {
	char name[32];
	int calls;
} counts[FAKE_NAMES];
static int ncounts, total;
/* fake_level: the levels the fake's "server" lacks, and why */
static const char *level_na[RB_ISO__COUNT];

struct fake_conn {
	struct db_conn base; /* must be first */
	int broken;
	long long affected;
	int nrows, ncols;
	char cell[FAKE_ROWS][FAKE_COLS][32];
	int isnull[FAKE_ROWS][FAKE_COLS];
};

struct lock_conn {
	int unused;
};

void fake_reset(void)
{
	pthread_mutex_lock(&mu);
	nrules = ncounts = total = 0;
	memset(level_na, 0, sizeof(level_na));
	pthread_mutex_unlock(&mu);
}

static void add_rule(const struct rule *r)
{
	pthread_mutex_lock(&mu);
	if (nrules < FAKE_RULES)
		rules[nrules++] = *r;
	pthread_mutex_unlock(&mu);
}

void fake_answer(const char *name, int from, int to, const char *rows, long long affected)
{
	struct rule r = { .from = from, .to = to, .affected = affected };

	str_copy(r.name, name, sizeof(r.name));
	str_copy(r.rows, rows ? rows : "", sizeof(r.rows));
	add_rule(&r);
}

void fake_fail(const char *name, int from, int to, enum rb_class cls, int broken)
{
	struct rule r = { .from = from, .to = to, .fail = 1, .cls = cls, .broken = broken };

	str_copy(r.name, name, sizeof(r.name));
	add_rule(&r);
}

void fake_level(enum rb_iso iso, const char *why)
{
	pthread_mutex_lock(&mu);
	if ((unsigned)iso < RB_ISO__COUNT)
		level_na[iso] = why;
	pthread_mutex_unlock(&mu);
}

int fake_calls(const char *name)
{
	int n = 0;

	pthread_mutex_lock(&mu);
	if (!name)
		n = total;
	for (int i = 0; name && i < ncounts; i++)
		if (!strcmp(counts[i].name, name))
			n = counts[i].calls;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Counts a call of name and finds the rule for it (copied into *out); 1 when one applies. */
static int call(const char *name, struct rule *out)
{
	int k = -1, n, hit = 0;

	pthread_mutex_lock(&mu);
	total++;
	for (int i = 0; i < ncounts; i++)
		if (!strcmp(counts[i].name, name))
			k = i;
	if (k < 0 && ncounts < FAKE_NAMES) {
		k = ncounts++;
		str_copy(counts[k].name, name, sizeof(counts[k].name));
		counts[k].calls = 0;
	}
	n = k >= 0 ? ++counts[k].calls : 0;
	for (int i = 0; i < nrules && !hit; i++) {
		const struct rule *r = &rules[i];

		if (strcmp(r->name, name) || n < r->from || (r->to && n > r->to))
			continue;
		*out = *r;
		hit = 1;
	}
	pthread_mutex_unlock(&mu);
	return hit;
}

static struct fake_conn *fc(struct db_conn *c)
{
	return (struct fake_conn *)c;
}

/* Runs the rules of a call on c: an error, or the answer it gives. */
static int run(struct db_conn *dc, const char *name, struct rb_err *e)
{
	struct fake_conn *c = fc(dc);
	struct rule r;

	c->nrows = c->ncols = 0;
	c->affected = 0;
	if (c->broken)
		return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "fake: the connection is gone");
	if (!call(name, &r))
		return 0;
	if (r.fail) {
		c->broken |= r.broken;
		return rb_err_set(e, r.cls, NULL, 0, "fake: %s failed as told (%s)", name,
				  rb_class_name(r.cls));
	}
	c->affected = r.affected;
	for (const char *p = r.rows; *p && c->nrows < FAKE_ROWS;) {
		size_t len = strcspn(p, ";");
		int col = 0;

		for (const char *q = p; q < p + len && col < FAKE_COLS;) {
			size_t cl = strcspn(q, "|;");

			if (cl > (size_t)(p + len - q))
				cl = (size_t)(p + len - q);
			snprintf(c->cell[c->nrows][col], sizeof(c->cell[0][0]), "%.*s", (int)cl, q);
			c->isnull[c->nrows][col] = !strcmp(c->cell[c->nrows][col], "NULL");
			col++;
			q += cl + (q[cl] == '|');
		}
		if (col > c->ncols)
			c->ncols = col;
		c->nrows++;
		p += len + (p[len] == ';');
	}
	return 0;
}

static int f_connect(const struct db_opts *o, struct db_conn **out, struct rb_err *e)
{
	struct fake_conn *c;
	struct rule r;

	(void)o;
	*out = NULL;
	if (call("CONNECT", &r) && r.fail)
		return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "fake: connect refused as told");
	c = xcalloc(1, sizeof(*c));
	c->base.drv = &driver_fake;
	*out = &c->base;
	return 0;
}

static void f_close(struct db_conn *c)
{
	free(c);
}

static int f_broken(struct db_conn *c)
{
	return fc(c)->broken;
}

static int f_check(const char *dsn, struct rb_err *e)
{
	(void)dsn;
	(void)e;
	return 0;
}

static void f_redact(const char *dsn, char *out, size_t n)
{
	str_copy(out, dsn ? dsn : "", n);
}

static int f_schema(struct db_conn *c, const char *schema, int force, struct rb_err *e)
{
	(void)c;
	(void)schema;
	(void)force;
	(void)e;
	return 0;
}

static int f_schema_drop(struct db_conn *c, const char *schema, struct rb_err *e)
{
	return f_schema(c, schema, 0, e);
}

static int f_exec(struct db_conn *c, const char *sql, struct rb_err *e)
{
	(void)sql;
	return run(c, "EXEC", e);
}

/* Like a driver whose answer depends on the server: known only with a connection. */
static const char *f_level_fits(struct db_conn *c, enum rb_iso iso)
{
	const char *why;

	if (!c || (unsigned)iso >= RB_ISO__COUNT)
		return NULL;
	pthread_mutex_lock(&mu);
	why = level_na[iso];
	pthread_mutex_unlock(&mu);
	return why;
}

static int f_begin(struct db_conn *c, enum rb_iso iso, struct rb_err *e)
{
	if (f_level_fits(c, iso))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "BEGIN at a level the fake lacks");
	return run(c, "BEGIN", e);
}

static int f_commit(struct db_conn *c, struct rb_err *e)
{
	return run(c, "COMMIT", e);
}

static int f_rollback(struct db_conn *c, struct rb_err *e)
{
	return run(c, "ROLLBACK", e);
}

static int f_query(struct db_conn *c, const struct db_stmt *st, const struct db_param *p, int n,
		   struct rb_err *e)
{
	(void)p;
	(void)n;
	return run(c, st->name, e);
}

static long long f_affected(struct db_conn *c)
{
	return fc(c)->affected;
}

static int f_rows(struct db_conn *c)
{
	return fc(c)->nrows;
}

static int f_columns(struct db_conn *c)
{
	return fc(c)->ncols;
}

static const char *f_value(struct db_conn *dc, int row, int col)
{
	struct fake_conn *c = fc(dc);

	if (row < 0 || col < 0 || row >= c->nrows || col >= c->ncols || c->isnull[row][col])
		return NULL;
	return c->cell[row][col];
}

static int f_lock(struct db_conn *c, long long key, struct rb_err *e)
{
	(void)key;
	return run(c, "LOCK", e);
}

static int f_server_info(struct db_conn *c, struct server_info *out, struct rb_err *e)
{
	(void)c;
	(void)e;
	memset(out, 0, sizeof(*out));
	str_copy(out->product, "Fake", sizeof(out->product));
	str_copy(out->version, "1", sizeof(out->version));
	return 0;
}

static void f_begin_text(enum rb_iso iso, char *out, size_t n)
{
	snprintf(out, n, "BEGIN %s", rb_iso_sql(iso));
}

static void f_advisory_text(long long key, int unlock, char *out, size_t n)
{
	snprintf(out, n, "%s %lld", unlock ? "UNLOCK" : "LOCK", key);
}

const struct driver driver_fake = {
	.name = "fake",
	.summary = "a fake database for the harness's unit tests",
	.dialect = DIALECT_PG,
	.option = "fake",
	.option_arg = "ANY",
	.option_help = "nothing",
	.env = "RACEBENCH_FAKE",
	.password_env = "NONE",
	.server = "fake",
	.product = "Fake",
	.xCheckDsn = f_check,
	.xRedact = f_redact,
	.xConnect = f_connect,
	.xClose = f_close,
	.xBroken = f_broken,
	.xSchemaCreate = f_schema,
	.xSchemaDrop = f_schema_drop,
	.xLevelFits = f_level_fits,
	.xExec = f_exec,
	.xBegin = f_begin,
	.xCommit = f_commit,
	.xRollback = f_rollback,
	.xQuery = f_query,
	.xAffected = f_affected,
	.xRows = f_rows,
	.xColumns = f_columns,
	.xValue = f_value,
	.advisory_in_txn = 1,
	.xAdvisoryLock = f_lock,
	.xServerInfo = f_server_info,
	.xBeginText = f_begin_text,
	.xAdvisoryText = f_advisory_text,
};

/* ---- the lock service ---- */

static struct lock_conn fake_lock_conn;

static int fl_connect(const struct lock_opts *o, struct lock_conn **out, struct rb_err *e)
{
	(void)o;
	(void)e;
	*out = &fake_lock_conn;
	return 0;
}

static void fl_close(struct lock_conn *c)
{
	(void)c;
}

static int fl_acquire(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms, int fence,
		      struct lock_grant *g, struct rb_err *e)
{
	static atomic_llong fences;
	struct rule r;

	(void)c;
	(void)ttl_ms;
	(void)wait_ms;
	memset(g, 0, sizeof(*g));
	str_copy(g->key, name, sizeof(g->key));
	if (call("ACQUIRE", &r) && r.fail) {
		if (r.cls == RB_CLS_NONE)
			return 0;
		return rb_err_set(e, r.cls, NULL, 0, "fake: acquire failed as told");
	}
	if (fence)
		g->fence = atomic_fetch_add(&fences, 1) + 1;
	return 1;
}

static int fl_release(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e)
{
	struct rule r;

	(void)c;
	(void)g;
	if (call("RELEASE", &r) && r.fail)
		return r.cls == RB_CLS_NONE ? 0 : rb_err_set(e, r.cls, NULL, 0, "fake: release");
	return 1;
}

static int fl_clear(struct lock_conn *c, struct rb_err *e)
{
	(void)c;
	(void)e;
	return 0;
}

static int fl_server_info(struct lock_conn *c, struct server_info *out, struct rb_err *e)
{
	(void)c;
	(void)e;
	memset(out, 0, sizeof(*out));
	str_copy(out->product, "FakeLocks", sizeof(out->product));
	return 0;
}

const struct lock_service lock_service_fake = {
	.name = "fakelock",
	.summary = "a fake lock service for the harness's unit tests",
	.product = "FakeLocks",
	.xConnect = fl_connect,
	.xClose = fl_close,
	.xAcquire = fl_acquire,
	.xRelease = fl_release,
	.xClear = fl_clear,
	.xServerInfo = fl_server_info,
	.xRedact = f_redact,
};
