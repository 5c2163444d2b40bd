/* pg.c: the PostgreSQL driver over libpq. */
#include "driver.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "../base/util.h"

extern const struct driver driver_pg;

#define PG_MAX_STMTS 256

struct pg_conn {
	struct db_conn base; /* must be first */
	PGconn *pg;
	PGresult *res; /* the last query's result, kept for xValue */
	int broken;    /* a connection error happened: never reuse */
	long long affected;
	int nstmts;
	const struct db_stmt *stmts[PG_MAX_STMTS];
	/*
	 * pg-replica: a session on the standby, where plain reads go while
	 * route is set (a client's; the admin's only checks and waits), and
	 * the session's synchronous_commit as the strategy set it.
	 */
	struct pg_conn *replica;
	int route;
	int remote_apply;
};

static struct pg_conn *pgc(struct db_conn *c)
{
	return (struct pg_conn *)c;
}

/*
 * Maps a SQLSTATE to a class (PostgreSQL Appendix A). Connection
 * exceptions (class 08) and administrator shutdowns (57P0x) are
 * "connection"; so is any error after which libpq says the connection is
 * bad, and any error without a SQLSTATE: every error the server sends
 * carries one (protocol 3), so one without is libpq's own ("server closed
 * the connection unexpectedly", "could not send data to server"), and
 * libpq may not have marked the connection bad yet when a write to a
 * killed backend fails. One failure, one class.
 */
static enum rb_class classify(const char *state, PGconn *pg)
{
	if (PQstatus(pg) == CONNECTION_BAD || !state || !*state)
		return RB_CLS_CONNECTION;
	if (!strcmp(state, "40P01"))
		return RB_CLS_DEADLOCK;
	if (!strcmp(state, "40001"))
		return RB_CLS_SERIALIZATION;
	if (!strcmp(state, "55P03"))
		return RB_CLS_LOCK_TIMEOUT;
	if (!strcmp(state, "23505"))
		return RB_CLS_UNIQUE;
	if (!strcmp(state, "23514"))
		return RB_CLS_CHECK;
	if (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4))
		return RB_CLS_CONNECTION;
	return RB_CLS_OTHER;
}

/* Fills e from a failed result (res may be NULL) and clears res. */
static int fail(PGconn *pg, PGresult *res, struct rb_err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* The primary message only: the detail names backend pids and
	 * transaction ids, which differ from run to run. */
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	if (!msg || !*msg)
		msg = PQerrorMessage(pg);
	rb_err_set(e, classify(state, pg), state, 0, "%s", msg);
	PQclear(res);
	return -1;
}

static int ok_result(PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static void drop_result(struct pg_conn *c)
{
	PQclear(c->res);
	c->res = NULL;
	c->affected = 0;
}

static int pg_exec(struct db_conn *dc, const char *sql, struct rb_err *e)
{
	struct pg_conn *c = pgc(dc);
	PGresult *res;

	drop_result(c);
	conn_busy(&dc->watch);
	res = PQexec(c->pg, sql);
	conn_idle(&dc->watch);
	if (!ok_result(res)) {
		fail(c->pg, res, e);
		conn_cut_error(&dc->watch, e);
		c->broken |= e->cls == RB_CLS_CONNECTION;
		return -1;
	}
	PQclear(res);
	return 0;
}

/* ---- connection strings: checked and shown by libpq's own parse ---- */

/* The value of keyword in a parse, or NULL when the string leaves it out. */
static const char *opt_val(const PQconninfoOption *opts, const char *keyword)
{
	for (const PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, keyword))
			return o->val;
	return NULL;
}

/*
 * libpq's message about a string it cannot parse, with every quoted token
 * taken out: it quotes the offending part ("invalid percent-encoded
 * token: \"sec%zzret\""), and that part may be a password or a piece of
 * one. Only a quoted '=' (the separator it looked for) stays.
 */
static void unquote_message(const char *msg, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = msg; *p && *p != '\n' && o + 4 < n; p++) {
		const char *close = *p == '"' ? strchr(p + 1, '"') : NULL;

		if (!close) {
			out[o++] = *p;
			continue;
		}
		if (close == p + 2 && p[1] == '=') {
			memcpy(out + o, "\"=\"", 3);
			o += 3;
		} else {
			memcpy(out + o, "...", 3);
			o += 3;
		}
		p = close;
	}
	out[o] = '\0';
}

/*
 * Options whose values libpq only checks when it connects (exit 3 then):
 * checked here, so a typo is a usage error (exit 2). Values from libpq's
 * documentation (33.1.2); a NULL list means a number.
 */
static const struct {
	const char *keyword;
	const char *valid; /* comma list, or NULL: a port or a number */
} pg_enums[] = {
	{ "sslmode", "disable, allow, prefer, require, verify-ca, verify-full" },
	{ "gssencmode", "disable, prefer, require" },
	{ "channel_binding", "disable, prefer, require" },
	{ "target_session_attrs", "any, read-write, read-only, primary, standby, prefer-standby" },
	{ "port", NULL },
	{ "connect_timeout", NULL },
	{ "keepalives", NULL },
	{ "keepalives_idle", NULL },
	{ "keepalives_interval", NULL },
	{ "keepalives_count", NULL },
};

/* Whether v is an item of list ("a, b, c"). */
static int in_list(const char *v, const char *list)
{
	size_t n = strlen(v);

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, v, n))
			return 1;
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/* Each item of a comma list (ports: one per host) is a number in [lo, hi]. */
static int numbers_ok(const char *v, long lo, long hi)
{
	for (const char *p = v;;) {
		size_t len = strcspn(p, ",");
		long x = 0;

		if (len == 0 || len > 9)
			return 0;
		for (size_t i = 0; i < len; i++) {
			if (p[i] < '0' || p[i] > '9')
				return 0;
			x = x * 10 + (p[i] - '0');
		}
		if (x < lo || x > hi)
			return 0;
		if (!p[len])
			return 1;
		p += len + 1;
	}
}

static int pg_check_dsn(const char *dsn, struct rb_err *e)
{
	char *msg = NULL, why[256];
	PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
	const char *pw, *host, *db;
	int secret;

	if (!opts) {
		/*
		 * libpq quotes the token it stumbled on; that token is shown only
		 * when the string cannot hold a password (no password keyword,
		 * no user information in a URI).
		 */
		if (!strstr(dsn, "password") && !(strstr(dsn, "://") && strchr(dsn, '@')) && msg) {
			str_copy(why, msg, sizeof(why));
			why[strcspn(why, "\n")] = '\0';
		} else {
			unquote_message(msg ? msg : "malformed", why, sizeof(why));
		}
		PQfreemem(msg);
		return rb_err_input(
			e, "not a libpq connection string or postgres:// URI (%s)%s", why,
			strstr(why, "...") ? "; quote a value with spaces, as password='a b', "
					     "and in a URI percent-encode '@', '/', ':' "
					     "and '%' in a password"
					   : "");
	}
	pw = opt_val(opts, "password");
	secret = pw && *pw;
	host = opt_val(opts, "host");
	db = opt_val(opts, "dbname");
	/*
	 * "postgres://u:Ab@Cd@h/d" parses as password Ab and host Cd@h, and
	 * "postgres://u:Ab/Cd@h/d" as host u, port Ab and database Cd@h/d: a
	 * password with a raw '@' or '/' spills into the other parts, where
	 * the reports would show it. No host or database of a URI has an '@'.
	 */
	if ((host && strchr(host, '@')) || (db && strchr(db, '@') && strstr(dsn, "://"))) {
		PQconninfoFree(opts);
		return rb_err_input(e,
				    "the URI has an '@' after its user information: a password "
				    "with '@' or '/' must be percent-encoded (%%40, %%2F), or "
				    "given in PGPASSWORD");
	}
	for (size_t i = 0; i < ARRAY_SIZE(pg_enums); i++) {
		const char *v = opt_val(opts, pg_enums[i].keyword);
		int port = !strcmp(pg_enums[i].keyword, "port");

		if (!v || (!*v && !port))
			continue;
		if (pg_enums[i].valid ? in_list(v, pg_enums[i].valid)
				      : numbers_ok(v, port ? 1 : 0, port ? 65535 : 2147483647L))
			continue;
		/* The value may be a piece of a password that spilled over: not shown then. */
		if (secret)
			snprintf(why, sizeof(why), " (not shown: the string carries a password)");
		else
			snprintf(why, sizeof(why), " '%.60s'", v);
		if (pg_enums[i].valid)
			rb_err_input(e, "%s%s is not one of %s", pg_enums[i].keyword, why,
				     pg_enums[i].valid);
		else
			rb_err_input(e, "%s%s is not a whole number%s", pg_enums[i].keyword, why,
				     port ? " from 1 to 65535" : "");
		PQconninfoFree(opts);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
}

/* Appends keyword=value, the value quoted when libpq needs it to be. */
static size_t put_option(char *out, size_t o, size_t n, const char *kw, const char *v)
{
	int quote = !*v || strpbrk(v, " \t'\\") != NULL;

	o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%s%s=%s", o ? " " : "", kw,
			      quote ? "'" : "");
	for (; *v && o + 3 < n; v++) {
		if (quote && (*v == '\'' || *v == '\\'))
			out[o++] = '\\';
		out[o++] = *v;
	}
	if (o < n)
		o += (size_t)snprintf(out + o, n - o, "%s", quote ? "'" : "");
	return o;
}

/*
 * The DSN fit to print: a string without a password as it is; one with a
 * password rebuilt from libpq's own parse of it, keyword by keyword, with
 * password=***, so no spelling (spaces around '=', quotes, backslashes, a
 * URI, a query parameter) can let any of it through. A string libpq
 * cannot parse is not shown at all.
 */
static void pg_redact(const char *dsn, char *out, size_t n)
{
	PQconninfoOption *opts = PQconninfoParse(dsn ? dsn : "", NULL);
	size_t o = 0;

	if (n == 0)
		return;
	out[0] = '\0';
	if (!opts) {
		str_copy(out, "(a malformed connection string, not shown)", n);
		return;
	}
	if (!opt_val(opts, "password")) {
		str_copy(out, dsn, n);
		PQconninfoFree(opts);
		return;
	}
	for (PQconninfoOption *p = opts; p->keyword; p++) {
		if (!p->val)
			continue;
		o = put_option(out, o, n, p->keyword,
			       strcmp(p->keyword, "password") ? p->val : "***");
	}
	if (o >= n)
		o = n - 1;
	out[o] = '\0';
	PQconninfoFree(opts);
}

/*
 * A message from libpq about connecting with dsn, with the password taken
 * out wherever it appears (libpq quotes host names and values; a password
 * should never be among them, but nothing is left to "should").
 */
static void scrub_password(const char *dsn, char *msg)
{
	PQconninfoOption *opts = PQconninfoParse(dsn ? dsn : "", NULL);
	const char *pw = opt_val(opts, "password");
	size_t len = pw ? strlen(pw) : 0;

	for (char *hit; len && (hit = strstr(msg, pw));) {
		memset(hit, '*', 3 < len ? 3 : len);
		memmove(hit + (3 < len ? 3 : len), hit + len, strlen(hit + len) + 1);
	}
	PQconninfoFree(opts);
}

/* Notices (DROP ... CASCADE, "does not exist, skipping") are not ours to print. */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int pg_connect(const struct db_opts *o, struct db_conn **out, struct rb_err *e);
static int pg_query_here(struct db_conn *dc, const struct db_stmt *st, const struct db_param *p,
			 int n, struct rb_err *e);
static const char *pg_value(struct db_conn *dc, int row, int col);
static void pg_close(struct db_conn *dc);

/*
 * The standby beside c's primary: a session of its own, in the same
 * schema. It must be a standby in recovery (pg_is_in_recovery), else the
 * "replica" is another primary and nothing would replicate to it. A
 * client's plain reads go there (route), as read/write splitting sends
 * them; the admin's never do.
 */
static int replica_open(struct pg_conn *c, const struct db_opts *o, struct rb_err *e)
{
	static const struct db_stmt standby = { "standby?", { "SELECT pg_is_in_recovery()" } };
	struct db_opts ro = *o;
	struct db_conn *r = NULL;
	const char *v;

	ro.dsn = o->replica_dsn;
	ro.replica_dsn = NULL;
	if (pg_connect(&ro, &r, e) < 0) {
		str_printf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
			   " (the replica)");
		return -1;
	}
	if (pg_query_here(r, &standby, NULL, 0, e) < 0) {
		pg_close(r);
		return -1;
	}
	v = pg_value(r, 0, 0);
	if (!v || *v != 't') {
		pg_close(r);
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "the replica is not a standby in recovery "
				  "(pg_is_in_recovery() is false): give a hot standby of the "
				  "primary");
	}
	c->replica = pgc(r);
	c->route = o->node >= 0;
	return 0;
}

static int pg_connect(const struct db_opts *o, struct db_conn **out, struct rb_err *e)
{
	/*
	 * The user's DSN goes in as an expandable dbname; keywords after it
	 * would override it, so our defaults come first and the DSN wins.
	 */
	char timeout[16];
	/* TCP keepalives notice a peer that vanished without closing */
	const char *kw[] = {
		"connect_timeout",     "application_name", "keepalives", "keepalives_idle",
		"keepalives_interval", "keepalives_count", "dbname",	 NULL
	};
	const char *val[] = {
		timeout, "racebench", "1", "10", "5", "3", o->dsn ? o->dsn : "", NULL
	};
	struct pg_conn *c;
	char sql[160];

	*out = NULL;
	snprintf(timeout, sizeof(timeout), "%d",
		 o->connect_timeout_s > 0 ? o->connect_timeout_s : 10);
	c = xcalloc(1, sizeof(*c));
	c->base.drv = &driver_pg;
	c->pg = PQconnectdbParams(kw, val, 1);
	if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
		rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "%s",
			   c->pg ? PQerrorMessage(c->pg) : "out of memory");
		scrub_password(o->dsn, e->msg);
		PQfinish(c->pg);
		free(c);
		return -1;
	}
	PQsetNoticeProcessor(c->pg, quiet_notice, NULL);
	conn_watch(&c->base.watch, PQsocket(c->pg));
	/*
	 * Nothing may hang: a lock wait gives up after --lock-timeout, and any
	 * statement after --statement-timeout (none of racebench's takes more
	 * than a few milliseconds of work; this is for a server gone slow; one
	 * that stopped answering altogether is the watchdog's).
	 */
	if (o->lock_timeout_ms > 0) {
		snprintf(sql, sizeof(sql), "SET lock_timeout = %d", o->lock_timeout_ms);
		if (pg_exec(&c->base, sql, e) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "SET statement_timeout = %d", o->statement_timeout_ms);
	if (pg_exec(&c->base, sql, e) < 0)
		goto fail;
	if (o->schema) {
		snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"", o->schema);
		if (pg_exec(&c->base, sql, e) < 0)
			goto fail;
	}
	if (o->replica_dsn && replica_open(c, o, e) < 0)
		goto fail;
	*out = &c->base;
	return 0;
fail:
	conn_unwatch(&c->base.watch);
	PQfinish(c->pg);
	free(c);
	return -1;
}

static void pg_close(struct db_conn *dc)
{
	struct pg_conn *c = pgc(dc);

	if (!c)
		return;
	if (c->replica)
		pg_close(&c->replica->base);
	conn_unwatch(&c->base.watch);
	PQclear(c->res);
	PQfinish(c->pg);
	free(c);
}

static int pg_broken(struct db_conn *dc)
{
	struct pg_conn *c = pgc(dc);

	return c->broken || PQstatus(c->pg) != CONNECTION_OK ||
	       (c->replica && pg_broken(&c->replica->base));
}

/* Rewrites '?' placeholders as $1, $2, ... (our SQL has no '?' literals). */
static void dollarize(const char *in, char *out, size_t n)
{
	size_t o = 0;
	int k = 0;

	for (; *in && o + 12 < n; in++) {
		if (*in == '?')
			o += (size_t)snprintf(out + o, n - o, "$%d", ++k);
		else
			out[o++] = *in;
	}
	out[o] = '\0';
}

static int find_or_prepare(struct pg_conn *c, const struct db_stmt *st, int nparams, char *name,
			   size_t n, struct rb_err *e)
{
	char sql[4096];
	PGresult *res;
	int i;

	for (i = 0; i < c->nstmts; i++)
		if (c->stmts[i] == st)
			break;
	snprintf(name, n, "rb%d", i);
	if (i < c->nstmts)
		return 0;
	if (c->nstmts == PG_MAX_STMTS)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "too many prepared statements on one connection");
	dollarize(db_stmt_sql(st, DIALECT_PG), sql, sizeof(sql));
	conn_busy(&c->base.watch);
	res = PQprepare(c->pg, name, sql, nparams, NULL);
	conn_idle(&c->base.watch);
	if (!ok_result(res)) {
		fail(c->pg, res, e);
		c->broken |= e->cls == RB_CLS_CONNECTION;
		snprintf(e->msg + strlen(e->msg), sizeof(e->msg) - strlen(e->msg),
			 " (preparing %s)", st->name);
		return -1;
	}
	PQclear(res);
	c->stmts[c->nstmts++] = st;
	return 0;
}

static int pg_query_here(struct db_conn *dc, const struct db_stmt *st, const struct db_param *p,
			 int n, struct rb_err *e)
{
	struct pg_conn *c = pgc(dc);
	char name[16], num[16][24];
	const char *vals[16];
	const char *tuples;

	drop_result(c);
	if (n > 16)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "too many parameters");
	if (find_or_prepare(c, st, n, name, sizeof(name), e) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (p[i].null) {
			vals[i] = NULL;
		} else if (p[i].s) {
			vals[i] = p[i].s;
		} else {
			snprintf(num[i], sizeof(num[i]), "%lld", p[i].i);
			vals[i] = num[i];
		}
	}
	conn_busy(&dc->watch);
	c->res = PQexecPrepared(c->pg, name, n, vals, NULL, NULL, 0);
	conn_idle(&dc->watch);
	if (!ok_result(c->res)) {
		PGresult *res = c->res;

		c->res = NULL;
		fail(c->pg, res, e);
		conn_cut_error(&dc->watch, e);
		c->broken |= e->cls == RB_CLS_CONNECTION;
		return -1;
	}
	tuples = PQcmdTuples(c->res);
	c->affected = *tuples ? strtoll(tuples, NULL, 10) : 0;
	return 0;
}

/*
 * A statement of the race: on a client of pg-replica, a plain read goes to
 * the standby (outside the primary's transaction, in its own snapshot),
 * as a read-scaling application's router sends it; its result is then
 * this connection's. Everything else runs on the primary.
 */
static int pg_query(struct db_conn *dc, const struct db_stmt *st, const struct db_param *p, int n,
		    struct rb_err *e)
{
	struct pg_conn *c = pgc(dc), *r = c->replica;
	int rc;

	if (!r || !c->route || !sql_plain_read(db_stmt_sql(st, DIALECT_PG)))
		return pg_query_here(dc, st, p, n, e);
	drop_result(c);
	rc = pg_query_here(&r->base, st, p, n, e);
	c->res = r->res;
	c->affected = r->affected;
	r->res = NULL;
	return rc;
}

static long long pg_affected(struct db_conn *dc)
{
	return pgc(dc)->affected;
}

static int pg_rows(struct db_conn *dc)
{
	struct pg_conn *c = pgc(dc);

	return c->res ? PQntuples(c->res) : 0;
}

static int pg_columns(struct db_conn *dc)
{
	struct pg_conn *c = pgc(dc);

	return c->res ? PQnfields(c->res) : 0;
}

static const char *pg_value(struct db_conn *dc, int row, int col)
{
	struct pg_conn *c = pgc(dc);

	if (!c->res || row >= PQntuples(c->res) || col >= PQnfields(c->res) ||
	    PQgetisnull(c->res, row, col))
		return NULL;
	return PQgetvalue(c->res, row, col);
}

/*
 * rr+si is InnoDB's innodb_snapshot_isolation: PostgreSQL has no such
 * setting because its REPEATABLE READ already behaves so. The answer does
 * not depend on the server, so c may be NULL.
 */
static const char *pg_level_fits(struct db_conn *c, enum rb_iso iso)
{
	(void)c;
	if (iso == RB_ISO_RR_SI)
		return "PostgreSQL's REPEATABLE READ already fails a write or locking read of a "
		       "row changed since its snapshot (40001, docs 13.2.2): that is rr; rr+si is "
		       "an InnoDB setting";
	return NULL;
}

/*
 * BEGIN and COMMIT go through the extended protocol as prepared statements
 * too, as pgbench -M prepared sends them: the server parses them once per
 * connection instead of once per transaction.
 */
static int pg_begin(struct db_conn *dc, enum rb_iso iso, struct rb_err *e)
{
	/* PostgreSQL runs READ UNCOMMITTED as READ COMMITTED (docs 13.2). */
	static const struct db_stmt begin[RB_ISO__COUNT] = {
		[RB_ISO_RU] = { "begin", { "BEGIN ISOLATION LEVEL READ UNCOMMITTED" } },
		[RB_ISO_RC] = { "begin", { "BEGIN ISOLATION LEVEL READ COMMITTED" } },
		[RB_ISO_RR] = { "begin", { "BEGIN ISOLATION LEVEL REPEATABLE READ" } },
		[RB_ISO_SER] = { "begin", { "BEGIN ISOLATION LEVEL SERIALIZABLE" } },
	};

	if ((unsigned)iso >= RB_ISO__COUNT)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "unknown isolation level %d", (int)iso);
	if (!begin[iso].name)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "PostgreSQL has no level %s: %s",
				  rb_iso_name(iso), pg_level_fits(dc, iso));
	return pg_query_here(dc, &begin[iso], NULL, 0, e);
}

static int pg_commit(struct db_conn *dc, struct rb_err *e)
{
	static const struct db_stmt commit = { "commit", { "COMMIT" } };
	struct pg_conn *c = pgc(dc);

	if (pg_query_here(dc, &commit, NULL, 0, e) < 0)
		return -1;
	/* COMMIT of an aborted transaction "succeeds" as ROLLBACK. */
	if (!strcmp(PQcmdStatus(c->res), "ROLLBACK"))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "COMMIT rolled back an aborted transaction");
	return 0;
}

static int pg_rollback(struct db_conn *dc, struct rb_err *e)
{
	return pg_exec(dc, "ROLLBACK", e);
}

static const struct schema_sql pg_schema = {
	"schema",
	{ "schema state",
	  { "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = ?),"
	    " (SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ?),"
	    " (SELECT obj_description(c.oid, 'pg_class') FROM pg_class c"
	    "  JOIN pg_namespace n ON n.oid = c.relnamespace"
	    "  WHERE n.nspname = ? AND c.relname = 'racebench_owner')" } },
	"DROP SCHEMA \"%S\" CASCADE",
	"SET client_min_messages = warning;"
	"CREATE SCHEMA \"%S\";"
	"COMMENT ON SCHEMA \"%S\" IS '%T';"
	"CREATE TABLE \"%S\".racebench_owner (created_at timestamptz NOT NULL DEFAULT now(),"
	" note text NOT NULL DEFAULT 'created by racebench; dropped at the end of a run');"
	"COMMENT ON TABLE \"%S\".racebench_owner IS '%T';"
	"INSERT INTO \"%S\".racebench_owner DEFAULT VALUES;"
	"SET search_path TO \"%S\"",
};

static int pg_schema_create(struct db_conn *dc, const char *schema, int force, struct rb_err *e)
{
	return db_schema_create(dc, schema, force, &pg_schema, e);
}

static int pg_schema_drop(struct db_conn *dc, const char *schema, struct rb_err *e)
{
	return db_schema_drop(dc, schema, &pg_schema, e);
}

/* Advisory locks are database-wide: the class id keeps ours apart. */
#define PG_ADVISORY_CLASS 0x72616365 /* "race" */

static int pg_advisory_lock(struct db_conn *dc, long long key, struct rb_err *e)
{
	static const struct db_stmt q = { "advisory lock",
					  { "SELECT pg_advisory_xact_lock(?::int, ?::int)" } };
	struct db_param p[2] = { P_INT(PG_ADVISORY_CLASS), P_INT((int)key) };

	return pg_query_here(dc, &q, p, 2, e);
}

static int pg_server_info(struct db_conn *dc, struct server_info *out, struct rb_err *e)
{
	static const struct db_stmt q = { "server info",
					  { "SELECT current_setting('server_version'),"
					    " current_setting('deadlock_timeout'),"
					    " current_setting('lock_timeout'),"
					    " current_setting('max_connections'),"
					    " current_setting('fsync')" } };
	static const char *const names[] = { "deadlock_timeout", "lock_timeout", "max_connections",
					     "fsync" };

	memset(out, 0, sizeof(*out));
	str_copy(out->product, "PostgreSQL", sizeof(out->product));
	if (pg_query_here(dc, &q, NULL, 0, e) < 0)
		return -1;
	str_copy(out->version, db_value(dc, 0, 0), sizeof(out->version));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		str_copy(out->settings[i].name, names[i], sizeof(out->settings[i].name));
		str_copy(out->settings[i].value, db_value(dc, 0, (int)i + 1),
			 sizeof(out->settings[i].value));
	}
	out->nsettings = (int)ARRAY_SIZE(names);
	if (pgc(dc)->replica) {
		/* The replication lag asked for: how late the standby applies a commit. */
		static const struct db_stmt delay = {
			"standby delay", { "SELECT current_setting('recovery_min_apply_delay')" }
		};
		struct db_conn *r = &pgc(dc)->replica->base;

		if (pg_query_here(r, &delay, NULL, 0, e) < 0)
			return -1;
		str_copy(out->settings[out->nsettings].name, "standby recovery_min_apply_delay",
			 sizeof(out->settings[0].name));
		str_copy(out->settings[out->nsettings].value, db_value(r, 0, 0),
			 sizeof(out->settings[0].value));
		out->nsettings++;
	}
	return 0;
}

/* dbname from the DSN, else PGDATABASE: what libpq would connect to. */
static void pg_dsn_database(const char *dsn, char *out, size_t n)
{
	PQconninfoOption *opts = PQconninfoParse(dsn ? dsn : "", NULL);
	const char *env = getenv("PGDATABASE");

	str_copy(out, env ? env : "", n);
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "dbname") && o->val && *o->val)
			str_copy(out, o->val, n);
	PQconninfoFree(opts);
}

/* The server's own schemas (pg_catalog, pg_toast, pg_temp_N, ...). */
static const char *const pg_reserved[] = { "pg_*", "information_schema", NULL };
/* Where applications keep their tables unless told otherwise. */
static const char *const pg_shared[] = { "public", NULL };

static long long pg_session_id(struct db_conn *dc)
{
	return PQbackendPID(pgc(dc)->pg);
}

/* isolationtester's question: does this backend wait for a lock another
 * session holds (row, transaction or advisory lock)? */
static int pg_waiting(struct db_conn *ctl, long long session, struct rb_err *e)
{
	static const struct db_stmt q = { "waiting",
					  { "SELECT cardinality(pg_blocking_pids(?::int)) > 0" } };
	struct db_param p = P_INT(session);
	const char *v;

	if (pg_query_here(ctl, &q, &p, 1, e) < 0)
		return -1;
	v = pg_value(ctl, 0, 0);
	return v && v[0] == 't';
}

static void pg_begin_text(enum rb_iso iso, char *out, size_t n)
{
	snprintf(out, n, "BEGIN ISOLATION LEVEL %s", rb_iso_sql(iso));
}

/* The lock is released by COMMIT or ROLLBACK: there is no unlock to show. */
static void pg_advisory_text(long long key, int unlock, char *out, size_t n)
{
	snprintf(out, n,
		 unlock ? "(released at the end of the transaction, key %lld)"
			: "pg_advisory_xact_lock(key %lld)",
		 key);
}

/*
 * Before a trial, on a client of pg-replica: wait until the standby has
 * replayed the primary's WAL as of now (the reset, committed on the
 * admin connection), so every trial starts from the reset state on both.
 * recovery_min_apply_delay holds back the replay of commit records, so
 * this waits that long too. Polls every millisecond, up to the statement
 * time-out (10 s without one).
 */
static int pg_sync(struct db_conn *dc, struct rb_err *e)
{
	static const struct db_stmt lsn = { "primary lsn", { "SELECT pg_current_wal_lsn()::text" } };
	static const struct db_stmt caught = {
		"replayed?", { "SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn" }
	};
	struct pg_conn *c = pgc(dc);
	char at[64];
	const char *v;
	struct db_param p;

	if (!c->replica)
		return 0;
	if (pg_query_here(dc, &lsn, NULL, 0, e) < 0)
		return -1;
	str_copy(at, (v = pg_value(dc, 0, 0)) ? v : "0/0", sizeof(at));
	p = P_TEXT(at);
	for (int i = 0; i < 10000; i++) {
		if (pg_query_here(&c->replica->base, &caught, &p, 1, e) < 0)
			return -1;
		v = pg_value(&c->replica->base, 0, 0);
		if (v && *v == 't')
			return 0;
		sleep_us(1000);
	}
	return rb_err_set(e, RB_CLS_CONNECTION, NULL, 0,
			  "the replica did not replay the primary's WAL up to %s within 10 s", at);
}

/*
 * pg-replica's fixes: read-primary keeps the plain reads on the primary;
 * remote-apply makes each COMMIT wait until the standby has applied it
 * (synchronous_commit = remote_apply; the primary names the standby in
 * synchronous_standby_names, else it is a plain local commit), so a
 * read on the standby after it sees it.
 */
static int pg_mode(struct db_conn *dc, enum topo_mode m, struct rb_err *e)
{
	struct pg_conn *c = pgc(dc);
	int ra = m == TM_REMOTE_APPLY;

	if (!c->replica)
		return 0;
	c->route = m != TM_READ_PRIMARY;
	if (ra == c->remote_apply)
		return 0;
	if (pg_exec(dc, ra ? "SET synchronous_commit = remote_apply"
			   : "SET synchronous_commit TO DEFAULT", e) < 0)
		return -1;
	c->remote_apply = ra;
	return 0;
}

static const struct topology_info pg_replica_topology = {
	.name = "pg-replica",
	.server = "pg-replica",
	.dsn_file = "pg-primary.dsn",
	.replica_file = "pg-replica.dsn",
	/* the standby's recovery_min_apply_delay: replication lag on demand */
	.delay_env = "RACEBENCH_REPLICA_DELAY_MS",
	.nodes = 2, /* node 1 the primary, node 2 the standby */
	.summary = "a PostgreSQL primary and a streaming hot standby; plain reads go to the "
		   "standby, writes to the primary (--pg DSN --pg-replica DSN)",
	.notes = "a plain read goes to the standby: for-update-parent still serialises the "
		 "writers on the primary, but the next holder's find reads a standby that has not "
		 "replayed the last holder's commit, so double-tap and duplicate-settlement (whose "
		 "find is a plain SELECT of another table) duplicate again; the races whose reads "
		 "lock the row they change (coupon-oversell, negative-balance, double-transfer) "
		 "are untouched. read-primary (for-update-parent as on one server) and "
		 "remote-apply (COMMIT waits until the standby applied it) are safe at rc. At rr "
		 "read-primary keeps one server's trap (the snapshot is taken by the lock, before "
		 "it waits); remote-apply is worse at rr and ser: the find on the standby sees the "
		 "last holder's row, which the primary's older snapshot cannot, so the UPDATE "
		 "matches 0 rows and the write is lost; SERIALIZABLE on the primary cannot see "
		 "reads made on the standby",
};

const struct driver driver_pg = {
	.name = "pg",
	.summary = "PostgreSQL over libpq (conninfo or postgres:// URI)",
	.dialect = DIALECT_PG,
	.option = "pg",
	.option_arg = "DSN",
	.option_help = "your PostgreSQL: conninfo or postgres:// URI; PG* variables\n"
		       "fill in what it leaves out",
	.env = "RACEBENCH_PG",
	.password_env = "PGPASSWORD",
	.server = "pg",
	.product = "PostgreSQL",
	.error_legend = "40001 PostgreSQL serialization failure; 40P01 PostgreSQL deadlock",
	.level_notes = "ru runs as rc; rr is snapshot isolation, its snapshot taken at the "
		       "transaction's first statement; ser is serializable snapshot isolation",
	.reserved = pg_reserved,
	.shared = pg_shared,
	.topology = &pg_replica_topology,
	.replica_option = "pg-replica",
	.xSync = pg_sync,
	.xMode = pg_mode,
	.xDsnDatabase = pg_dsn_database,
	.xCheckDsn = pg_check_dsn,
	.xRedact = pg_redact,
	.xConnect = pg_connect,
	.xClose = pg_close,
	.xBroken = pg_broken,
	.xSchemaCreate = pg_schema_create,
	.xSchemaDrop = pg_schema_drop,
	.xLevelFits = pg_level_fits,
	.xExec = pg_exec,
	.xBegin = pg_begin,
	.xCommit = pg_commit,
	.xRollback = pg_rollback,
	.xQuery = pg_query,
	.xAffected = pg_affected,
	.xRows = pg_rows,
	.xColumns = pg_columns,
	.xValue = pg_value,
	.advisory_in_txn = 1,
	.xAdvisoryLock = pg_advisory_lock,
	.xAdvisoryUnlock = NULL,
	.xServerInfo = pg_server_info,
	.xSessionId = pg_session_id,
	.xWaiting = pg_waiting,
	.xBeginText = pg_begin_text,
	.xAdvisoryText = pg_advisory_text,
};
