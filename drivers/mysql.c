/* mysql.c: the MySQL/MariaDB driver over libmysqlclient (MariaDB Connector/C). */
#include "driver.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>

#include "../base/url.h"
#include "../base/util.h"

extern const struct driver driver_mysql;

#define URL_FORM "mysql://user[:password]@host[:port]/database[?socket=/path]"

#define MY_COLBUF	 256 /* first fetch of a column; longer values are refetched */
#define MY_LOCK_NAME_MAX 64  /* GET_LOCK names longer than this fail on MySQL 5.7+ */

/*
 * Server error numbers that decide a class. MySQL-only ones are not in
 * MariaDB's mysqld_error.h, so all are spelled out here, named as there.
 */
enum {
	MDB_ER_CHECKREAD = 1020, /* "Record has changed since last read" */
	MDB_ER_UNKNOWN_COM = 1047, /* Galera: "WSREP has not yet prepared node" */
	MDB_ER_SERVER_SHUTDOWN = 1053,
	MDB_ER_DUP_ENTRY = 1062,
	MDB_ER_UNKNOWN_SYSTEM_VARIABLE = 1193,
	MDB_ER_LOCK_WAIT_TIMEOUT = 1205,
	MDB_ER_LOCK_DEADLOCK = 1213,
	MDB_ER_DUP_ENTRY_WITH_KEY_NAME = 1586,
	MDB_ER_CONNECTION_KILLED = 1927,	  /* MariaDB */
	MDB_ER_USER_LOCK_DEADLOCK = 3058,	  /* MySQL: GET_LOCK deadlock */
	MDB_ER_LOCK_NOWAIT = 3572,		  /* MySQL 8: NOWAIT */
	MDB_ER_CHECK_CONSTRAINT_VIOLATED = 3819,  /* MySQL 8 */
	MDB_ER_CONSTRAINT_FAILED = 4025,	  /* MariaDB */
	MDB_ER_CLIENT_INTERACTION_TIMEOUT = 4031, /* MySQL 8 */
};

struct mdb_stmt {
	const struct db_stmt *key;
	MYSQL_STMT *h;
	int nparams; /* the statement's placeholders, read once at prepare */
	/*
	 * Integer parameters stay bound (the library reads the values from
	 * ints at each execute), as sysbench binds once per statement: a
	 * bind costs the client a pass over the parameters, and the next
	 * execute sends their types again for the server to read. bound:
	 * the last bind was integers only, in ints.
	 */
	int bound;
	MYSQL_BIND *b;
	long long *ints;
	unsigned long *lens;
};

struct mdb_conn {
	struct db_conn base; /* must be first */
	MYSQL *m;
	int broken;	 /* a connection error happened: never reuse */
	int session_iso; /* the session's isolation level as we set it; -1 unknown */
	int has_si;	 /* the server has innodb_snapshot_isolation (rr+si) */
	int session_si;	 /* the session's innodb_snapshot_isolation: 0, 1; -1 unknown */
	char schema[64]; /* part of our GET_LOCK names */
	int nodes;	 /* endpoints in the URL list: more than one is a Galera cluster */
	int sync_wait;	 /* the session's wsrep_sync_wait as we set it */

	struct mdb_stmt *stmts; /* prepared on first use, keyed by address */
	int nstmts, capstmts;

	/* The last query's result, copied out of the library. */
	long long affected;
	int nrows, ncols;
	size_t *offs; /* nrows x ncols offsets into data; SIZE_MAX is NULL */
	size_t capoffs;
	char *data;
	size_t len, cap;

	/* Fetch buffers, one MY_COLBUF slot per column, and one for long values. */
	MYSQL_BIND *rbind;
	unsigned long *rlen;
	my_bool *rnull;
	char *rbuf;
	unsigned capcols;
	char *big;
	size_t capbig;
};

static struct mdb_conn *mdbc(struct db_conn *c)
{
	return (struct mdb_conn *)c;
}

/* ---- URLs ---- */

/* MySQL's only query parameter; a socket path may have an '@' of its own. */
static const char *socket_param(const char *auth)
{
	const char *q = strstr(auth, "?socket=");

	return q ? q : strstr(auth, "&socket=");
}

/* The URL with its password replaced by "***". */
static void mysql_url_shown(const char *url, char *out, size_t n)
{
	const char *auth = strstr(url, "://");

	url_redact(url, auth ? socket_param(auth + 3) : NULL, out, n);
}

/*
 * Several URLs, comma-separated, are the nodes of one multi-primary
 * cluster (Galera): client i connects to node i mod n, as a load balancer
 * spreads requests. A comma inside one URL is written %2C.
 */
static int url_nodes(const char *dsn)
{
	int n = 1;

	for (const char *p = dsn ? dsn : ""; *p; p++)
		n += *p == ',';
	return n;
}

/* Node i (from 0) of the list into out; "" when the list is shorter. */
static void url_node(const char *dsn, int i, char *out, size_t n)
{
	const char *p = dsn ? dsn : "", *end;

	for (; i > 0 && p; i--) {
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	if (!p) {
		str_copy(out, "", n);
		return;
	}
	end = strchr(p, ',');
	str_printf(out, n, "%.*s", (int)(end ? (size_t)(end - p) : strlen(p)), p);
}

static int url_bad(const char *url, struct rb_err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Fills e: "malformed MySQL URL 'URL': WHY (expected FORM)"; returns -1. */
static int url_bad(const char *url, struct rb_err *e, const char *fmt, ...)
{
	char shown[160], why[160];
	va_list ap;

	mysql_url_shown(url, shown, sizeof(shown));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "malformed MySQL URL '%s': %s (expected %s)",
			  shown, why, URL_FORM);
}

/* Decodes one part; on failure fills e with what, naming the text when shown. */
static int url_part(const char *url, const char *s, size_t n, char *out, size_t cap,
		    const char *what, int shown, struct rb_err *e)
{
	int rc = url_decode(s, n, out, cap);

	if (rc == -1)
		return shown ? url_bad(url, e, "bad %%-escape in the %s '%.*s'", what, (int)n, s)
			     : url_bad(url, e, "bad %%-escape in the %s", what);
	if (rc == -2)
		return url_bad(url, e, "the %s is longer than %zu bytes", what, cap - 1);
	return 0;
}

static int url_port_of(const char *url, const char *s, size_t n, unsigned *port, struct rb_err *e)
{
	int v;

	if (url_port(s, n, &v) < 0)
		return url_bad(url, e, "port '%.*s' is not a number from 1 to 65535", (int)n, s);
	*port = (unsigned)v;
	return 0;
}

static int url_query(const char *url, const char *q, struct mysql_url *out, struct rb_err *e)
{
	while (*q) {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);

		if (len == 0) {
			q++;
			continue;
		}
		if (!eq)
			return url_bad(url, e,
				       "parameter '%.*s' has no value (valid: socket=/path)",
				       (int)len, q);
		if ((size_t)(eq - q) == 6 && !strncmp(q, "socket", 6)) {
			size_t vlen = len - 7;

			if (vlen == 0)
				return url_bad(url, e, "socket= needs the path of a Unix socket");
			if (url_part(url, eq + 1, vlen, out->socket, sizeof(out->socket),
				     "socket path", 1, e) < 0)
				return -1;
		} else {
			return url_bad(url, e, "unknown parameter '%.*s' (valid: socket)",
				       (int)(eq - q), q);
		}
		q += len;
	}
	return 0;
}

int mysql_url_parse(const char *url, struct mysql_url *out, struct rb_err *e)
{
	const char *p, *at, *hp, *auth_end, *colon;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (!strncasecmp(url, "mysql://", 8))
		p = url + 8;
	else if (!strncasecmp(url, "mariadb://", 10))
		p = url + 10;
	else
		return url_bad(url, e, "it does not start with mysql://");
	if (strchr(p, '#'))
		return url_bad(url, e, "'#' must be written %%23");

	at = url_userinfo_end(p, socket_param(p));
	hp = p;
	if (at) {
		const char *pc = memchr(p, ':', (size_t)(at - p));
		const char *uend = pc ? pc : at;

		if (uend == p)
			return url_bad(url, e, "the user name before '@' is empty");
		if (url_part(url, p, (size_t)(uend - p), out->user, sizeof(out->user), "user name",
			     1, e) < 0)
			return -1;
		if (pc) {
			if (url_part(url, pc + 1, (size_t)(at - pc - 1), out->password,
				     sizeof(out->password), "password", 0, e) < 0)
				return -1;
			out->has_password = 1;
		}
		hp = at + 1;
	}

	auth_end = hp + strcspn(hp, "/?");
	if (*hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(auth_end - hp));

		if (!rb)
			return url_bad(url, e, "'[' without ']' around an IPv6 address");
		hlen = (size_t)(rb - hp - 1);
		if (hlen == 0)
			return url_bad(url, e, "empty IPv6 address in '[]'");
		if (url_part(url, hp + 1, hlen, out->host, sizeof(out->host), "host", 1, e) < 0)
			return -1;
		colon = rb + 1 < auth_end ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return url_bad(url, e, "'%.*s' after the IPv6 address is not ':port'",
				       (int)(auth_end - colon), colon);
	} else {
		colon = memchr(hp, ':', (size_t)(auth_end - hp));
		hlen = (size_t)((colon ? colon : auth_end) - hp);
		if (url_part(url, hp, hlen, out->host, sizeof(out->host), "host", 1, e) < 0)
			return -1;
	}
	if (colon && url_port_of(url, colon + 1, (size_t)(auth_end - colon - 1), &out->port, e) < 0)
		return -1;

	p = auth_end;
	if (*p == '/') {
		size_t dlen = strcspn(p + 1, "?");

		if (url_part(url, p + 1, dlen, out->db, sizeof(out->db), "database name", 1, e) < 0)
			return -1;
		if (strchr(out->db, '/'))
			return url_bad(url, e, "database name '%s' has a '/'", out->db);
		p += 1 + dlen;
	}
	if (*p == '?')
		return url_query(url, p + 1, out, e);
	return 0;
}

/* ---- errors ---- */

/*
 * Classes by error number, never by SQLSTATE: MySQL gives a deadlock
 * 40001 (like a serialization failure) and a lock-wait timeout HY000.
 */
static enum rb_class classify(unsigned no)
{
	switch (no) {
	case MDB_ER_LOCK_DEADLOCK:
	case MDB_ER_USER_LOCK_DEADLOCK: return RB_CLS_DEADLOCK;
	/*
	 * With innodb_snapshot_isolation=ON (rr+si), MariaDB documents that a
	 * locking read or a write of a record whose newest version is not
	 * visible in the transaction's read view fails with ER_CHECKREAD and
	 * rolls the whole transaction back: snapshot isolation's "first
	 * updater wins", PostgreSQL's 40001 at REPEATABLE READ. Retrying the
	 * transaction is the answer, as after a serialization failure.
	 */
	case MDB_ER_CHECKREAD: return RB_CLS_SERIALIZATION;
	case MDB_ER_LOCK_WAIT_TIMEOUT:
	case MDB_ER_LOCK_NOWAIT: return RB_CLS_LOCK_TIMEOUT;
	case MDB_ER_DUP_ENTRY:
	case MDB_ER_DUP_ENTRY_WITH_KEY_NAME: return RB_CLS_UNIQUE;
	case MDB_ER_CONSTRAINT_FAILED:
	case MDB_ER_CHECK_CONSTRAINT_VIOLATED: return RB_CLS_CHECK;
	/*
	 * A Galera node outside the primary component (cut off, or still
	 * joining) refuses every statement with 1047 until it rejoins: for
	 * its clients the database is gone, as after a lost connection.
	 */
	case MDB_ER_UNKNOWN_COM:
	case MDB_ER_SERVER_SHUTDOWN:
	case MDB_ER_CONNECTION_KILLED:
	case MDB_ER_CLIENT_INTERACTION_TIMEOUT:
	/* The client library's own: the socket, the network, the protocol. */
	case CR_SOCKET_CREATE_ERROR:
	case CR_CONNECTION_ERROR:
	case CR_CONN_HOST_ERROR:
	case CR_IPSOCK_ERROR:
	case CR_UNKNOWN_HOST:
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_HANDSHAKE_ERR:
	case CR_SERVER_LOST:
	case CR_SSL_CONNECTION_ERROR:
	case CR_MALFORMED_PACKET:
	case CR_SERVER_LOST_EXTENDED:
	case CR_ERR_NET_READ:
	case CR_ERR_NET_WRITE: return RB_CLS_CONNECTION;
	default: return RB_CLS_OTHER;
	}
}

static int fail_with(struct mdb_conn *c, unsigned no, const char *state, const char *msg,
		     struct rb_err *e)
{
	enum rb_class cls = no ? classify(no) : RB_CLS_OTHER;

	if (cls == RB_CLS_CONNECTION)
		c->broken = 1;
	return rb_err_set(e, cls, state, (int)no, "%s", msg && *msg ? msg : "unknown MySQL error");
}

/* Fills e from the connection's last error; returns -1. */
static int fail_conn(struct mdb_conn *c, struct rb_err *e)
{
	return fail_with(c, mysql_errno(c->m), mysql_sqlstate(c->m), mysql_error(c->m), e);
}

/* Fills e from a statement's last error; returns -1. */
static int fail_stmt(struct mdb_conn *c, MYSQL_STMT *h, struct rb_err *e)
{
	return fail_with(c, mysql_stmt_errno(h), mysql_stmt_sqlstate(h), mysql_stmt_error(h), e);
}

/* ---- results ---- */

static void drop_result(struct mdb_conn *c)
{
	c->affected = 0;
	c->nrows = c->ncols = 0;
	c->len = 0;
}

/* Appends n bytes and a NUL to the result data; returns their offset. */
static size_t put_text(struct mdb_conn *c, const char *s, size_t n)
{
	size_t at = c->len;

	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;

		while (cap < c->len + n + 1)
			cap *= 2;
		c->data = xrealloc(c->data, cap);
		c->cap = cap;
	}
	memcpy(c->data + at, s, n);
	c->data[at + n] = '\0';
	c->len += n + 1;
	return at;
}

static void fetch_buffers(struct mdb_conn *c, unsigned nc)
{
	if (nc <= c->capcols)
		return;
	c->rbind = xrealloc(c->rbind, nc * sizeof(*c->rbind));
	c->rlen = xrealloc(c->rlen, nc * sizeof(*c->rlen));
	c->rnull = xrealloc(c->rnull, nc * sizeof(*c->rnull));
	c->rbuf = xrealloc(c->rbuf, (size_t)nc * MY_COLBUF);
	c->capcols = nc;
}

/* A value longer than its MY_COLBUF slot: fetch it again, whole. */
static int refetch(struct mdb_conn *c, MYSQL_STMT *h, unsigned col, size_t *slot, struct rb_err *e)
{
	unsigned long want = c->rlen[col], got = 0;
	my_bool isnull = 0;
	MYSQL_BIND b;

	if (c->capbig < (size_t)want + 1) {
		c->capbig = (size_t)want + 1;
		c->big = xrealloc(c->big, c->capbig);
	}
	memset(&b, 0, sizeof(b));
	b.buffer_type = MYSQL_TYPE_STRING;
	b.buffer = c->big;
	b.buffer_length = want + 1;
	b.length = &got;
	b.is_null = &isnull;
	if (mysql_stmt_fetch_column(h, &b, col, 0))
		return fail_stmt(c, h, e);
	*slot = isnull ? SIZE_MAX : put_text(c, c->big, got < want ? got : want);
	return 0;
}

/* Copies every row of h's result set into c, as text. Frees h's result. */
static int fetch_all(struct mdb_conn *c, MYSQL_STMT *h, struct rb_err *e)
{
	unsigned nc = mysql_stmt_field_count(h);
	int rc = 0;

	if (mysql_stmt_store_result(h))
		return fail_stmt(c, h, e);
	fetch_buffers(c, nc);
	memset(c->rbind, 0, nc * sizeof(*c->rbind));
	for (unsigned i = 0; i < nc; i++) {
		c->rbind[i].buffer_type = MYSQL_TYPE_STRING;
		c->rbind[i].buffer = c->rbuf + (size_t)i * MY_COLBUF;
		c->rbind[i].buffer_length = MY_COLBUF;
		c->rbind[i].length = &c->rlen[i];
		c->rbind[i].is_null = &c->rnull[i];
	}
	if (mysql_stmt_bind_result(h, c->rbind)) {
		rc = fail_stmt(c, h, e);
		goto out;
	}
	c->ncols = (int)nc;
	for (;;) {
		int f = mysql_stmt_fetch(h);
		size_t need, *row;

		if (f == MYSQL_NO_DATA)
			break;
		if (f != 0 && f != MYSQL_DATA_TRUNCATED) {
			rc = fail_stmt(c, h, e);
			goto out;
		}
		need = ((size_t)c->nrows + 1) * nc;
		if (need > c->capoffs) {
			c->capoffs = need * 2;
			c->offs = xrealloc(c->offs, c->capoffs * sizeof(*c->offs));
		}
		row = c->offs + (size_t)c->nrows * nc;
		for (unsigned i = 0; i < nc; i++) {
			if (c->rnull[i])
				row[i] = SIZE_MAX;
			else if (c->rlen[i] <= MY_COLBUF)
				row[i] = put_text(c, c->rbuf + (size_t)i * MY_COLBUF, c->rlen[i]);
			else if (refetch(c, h, i, &row[i], e) < 0) {
				rc = -1;
				goto out;
			}
		}
		c->nrows++;
	}
	c->affected = c->nrows;
out:
	mysql_stmt_free_result(h);
	if (rc < 0)
		drop_result(c);
	return rc;
}

/* ---- statements ---- */

/* Makes the first row of res (none when it has none) the result xValue reads. */
static void keep_row(struct mdb_conn *c, MYSQL_RES *res)
{
	unsigned nc = mysql_num_fields(res);
	MYSQL_ROW row = mysql_fetch_row(res);
	unsigned long *len = row ? mysql_fetch_lengths(res) : NULL;

	drop_result(c);
	if (!row || !len)
		return;
	if (nc > c->capoffs) {
		c->capoffs = nc;
		c->offs = xrealloc(c->offs, c->capoffs * sizeof(*c->offs));
	}
	for (unsigned i = 0; i < nc; i++)
		c->offs[i] = row[i] ? put_text(c, row[i], len[i]) : SIZE_MAX;
	c->ncols = (int)nc;
	c->nrows = c->affected = 1;
}

/*
 * Runs sql, one statement or several separated by ';'. With keep, the
 * first row of the last result set is the result (xValue) afterwards,
 * read in the text protocol: SHOW is not preparable on every server.
 */
static int mdb_exec_run(struct db_conn *dc, const char *sql, int keep, struct rb_err *e)
{
	struct mdb_conn *c = mdbc(dc);
	int more;

	drop_result(c);
	if (mysql_real_query(c->m, sql, strlen(sql)))
		return fail_conn(c, e);
	/* Every result of every statement (our batches are multi-statement). */
	do {
		MYSQL_RES *res = mysql_store_result(c->m);

		if (res && keep)
			keep_row(c, res);
		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(c->m))
			return fail_conn(c, e);
		more = mysql_next_result(c->m);
		if (more > 0)
			return fail_conn(c, e);
	} while (more == 0);
	return 0;
}

static int exec_sql(struct db_conn *dc, const char *sql, int keep, struct rb_err *e)
{
	int rc;

	conn_busy(&dc->watch);
	rc = mdb_exec_run(dc, sql, keep, e);
	conn_idle(&dc->watch);
	if (rc < 0)
		conn_cut_error(&dc->watch, e);
	return rc;
}

static int mdb_exec(struct db_conn *dc, const char *sql, struct rb_err *e)
{
	return exec_sql(dc, sql, 0, e);
}

static int prepared(struct mdb_conn *c, const struct db_stmt *st, struct mdb_stmt **out,
		    struct rb_err *e)
{
	const char *sql = db_stmt_sql(st, DIALECT_MYSQL);
	MYSQL_STMT *h;

	for (int i = 0; i < c->nstmts; i++) {
		if (c->stmts[i].key == st) {
			*out = &c->stmts[i];
			return 0;
		}
	}
	h = mysql_stmt_init(c->m);
	if (!h)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "out of memory preparing %s", st->name);
	if (mysql_stmt_prepare(h, sql, strlen(sql))) {
		size_t l;

		fail_stmt(c, h, e);
		l = strlen(e->msg);
		snprintf(e->msg + l, sizeof(e->msg) - l, " (preparing %s)", st->name);
		mysql_stmt_close(h);
		return -1;
	}
	if (c->nstmts == c->capstmts) {
		c->capstmts = c->capstmts ? c->capstmts * 2 : 16;
		c->stmts = xrealloc(c->stmts, (size_t)c->capstmts * sizeof(*c->stmts));
	}
	memset(&c->stmts[c->nstmts], 0, sizeof(c->stmts[c->nstmts]));
	c->stmts[c->nstmts].key = st;
	c->stmts[c->nstmts].h = h;
	c->stmts[c->nstmts].nparams = (int)mysql_stmt_param_count(h);
	*out = &c->stmts[c->nstmts++];
	return 0;
}

/*
 * Binds p to s's placeholders, or only updates the values when they stay
 * bound. The library keeps the MYSQL_BINDs' pointers until the execute, so
 * the lengths and values they point to live in s, not on this stack.
 */
static int bind_params(struct mdb_conn *c, struct mdb_stmt *s, const struct db_param *p, int n,
		       struct rb_err *e)
{
	int ints_only = 1;

	if (!s->b) {
		s->b = xcalloc((size_t)n, sizeof(*s->b));
		s->ints = xcalloc((size_t)n, sizeof(*s->ints));
		s->lens = xcalloc((size_t)n, sizeof(*s->lens));
	}
	for (int i = 0; i < n; i++)
		ints_only &= !p[i].null && !p[i].s;
	if (ints_only && s->bound) {
		for (int i = 0; i < n; i++)
			s->ints[i] = p[i].i;
		return 0;
	}
	memset(s->b, 0, (size_t)n * sizeof(*s->b));
	for (int i = 0; i < n; i++) {
		if (p[i].null) {
			s->b[i].buffer_type = MYSQL_TYPE_NULL;
		} else if (p[i].s) {
			/* Text is bound for this execute only: p's strings are not ours. */
			s->lens[i] = (unsigned long)strlen(p[i].s);
			s->b[i].buffer_type = MYSQL_TYPE_STRING;
			s->b[i].buffer = (void *)p[i].s;
			s->b[i].buffer_length = s->lens[i];
			s->b[i].length = &s->lens[i];
		} else {
			s->ints[i] = p[i].i;
			s->b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			s->b[i].buffer = &s->ints[i];
		}
	}
	s->bound = 0;
	if (mysql_stmt_bind_param(s->h, s->b))
		return fail_stmt(c, s->h, e);
	s->bound = ints_only;
	return 0;
}

static int mdb_query_run(struct db_conn *dc, const struct db_stmt *st, const struct db_param *p,
			 int n, struct rb_err *e)
{
	struct mdb_conn *c = mdbc(dc);
	struct mdb_stmt *s = NULL;
	my_ulonglong aff;

	drop_result(c);
	if (prepared(c, st, &s, e) < 0)
		return -1;
	if (s->nparams != n)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s: %d parameters given, it takes %d",
				  st->name, n, s->nparams);
	if (n > 0 && bind_params(c, s, p, n, e) < 0)
		return -1;
	if (mysql_stmt_execute(s->h))
		return fail_stmt(c, s->h, e);
	if (mysql_stmt_field_count(s->h) > 0)
		return fetch_all(c, s->h, e);
	aff = mysql_stmt_affected_rows(s->h);
	c->affected = aff == (my_ulonglong)-1 ? 0 : (long long)aff;
	return 0;
}

static int mdb_query(struct db_conn *dc, const struct db_stmt *st, const struct db_param *p, int n,
		     struct rb_err *e)
{
	int rc;

	conn_busy(&dc->watch);
	rc = mdb_query_run(dc, st, p, n, e);
	conn_idle(&dc->watch);
	if (rc < 0)
		conn_cut_error(&dc->watch, e);
	return rc;
}

static long long mdb_affected(struct db_conn *dc)
{
	return mdbc(dc)->affected;
}

static int mdb_rows(struct db_conn *dc)
{
	return mdbc(dc)->nrows;
}

static int mdb_columns(struct db_conn *dc)
{
	return mdbc(dc)->ncols;
}

static const char *mdb_value(struct db_conn *dc, int row, int col)
{
	struct mdb_conn *c = mdbc(dc);
	size_t off;

	if (row < 0 || col < 0 || row >= c->nrows || col >= c->ncols)
		return NULL;
	off = c->offs[(size_t)row * (size_t)c->ncols + (size_t)col];
	return off == SIZE_MAX ? NULL : c->data + off;
}

/* ---- connections ---- */

static int mdb_global_init(struct rb_err *e)
{
	if (mysql_library_init(0, NULL, NULL))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "mysql_library_init failed");
	return 0;
}

static void mdb_global_end(void)
{
	mysql_library_end();
}

static void mdb_thread_init(void)
{
	mysql_thread_init();
}

static void mdb_thread_end(void)
{
	mysql_thread_end();
}

static void mdb_close(struct db_conn *dc)
{
	struct mdb_conn *c = mdbc(dc);

	if (!c)
		return;
	conn_unwatch(&c->base.watch);
	for (int i = 0; i < c->nstmts; i++) {
		mysql_stmt_close(c->stmts[i].h);
		free(c->stmts[i].b);
		free(c->stmts[i].ints);
		free(c->stmts[i].lens);
	}
	mysql_close(c->m);
	free(c->stmts);
	free(c->offs);
	free(c->data);
	free(c->rbind);
	free(c->rlen);
	free(c->rnull);
	free(c->rbuf);
	free(c->big);
	free(c);
}

/*
 * A connection to one node of several: they must be one Galera cluster,
 * or the check (on node 1) would not see what the clients wrote on the
 * others. Galera applies another node's write sets asynchronously, after
 * certification (virtually synchronous replication): the admin session,
 * which resets and checks, reads with wsrep_sync_wait = 1, so each read
 * first waits until this node has applied every write set committed
 * anywhere before it (a causal read).
 */
static int galera_session(struct mdb_conn *c, int node, int admin, struct rb_err *e)
{
	const char *v;

	if (exec_sql(&c->base, "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'", 1, e) < 0)
		return -1;
	v = mdb_value(&c->base, 0, 1);
	/* the reason first: the run's message also carries every node's URL */
	if (!v || strcasecmp(v, "ON"))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "wsrep_on is %s on node %d: several URLs must be the nodes of "
				  "one Galera cluster (give one URL for a single server)",
				  v ? v : "absent", node + 1);
	drop_result(c);
	if (!admin)
		return 0;
	c->sync_wait = 1;
	return exec_sql(&c->base, "SET SESSION wsrep_sync_wait = 1", 0, e);
}

static int mdb_connect(const struct db_opts *o, struct db_conn **out, struct rb_err *e)
{
	struct mysql_url u;
	struct mdb_conn *c;
	unsigned ct, rwt, proto = MYSQL_PROTOCOL_DEFAULT, lock_s = 0;
	my_bool off = 0;
	const char *pw, *db, *v;
	char sql[320];

	int nodes = url_nodes(o->dsn);
	char node[1024];

	*out = NULL;
	url_node(o->dsn, o->node > 0 ? o->node % nodes : 0, node, sizeof(node));
	if (*node) {
		if (mysql_url_parse(node, &u, e) < 0)
			return -1;
	} else {
		memset(&u, 0, sizeof(u));
	}
	if (o->lock_timeout_ms > 0)
		lock_s = (unsigned)(o->lock_timeout_ms + 999) / 1000;
	c = xcalloc(1, sizeof(*c));
	c->session_iso = -1;
	c->session_si = -1;
	c->nodes = nodes;
	c->base.drv = &driver_mysql;
	c->m = mysql_init(NULL);
	if (!c->m) {
		free(c);
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "mysql_init: out of memory");
	}
	ct = o->connect_timeout_s > 0 ? (unsigned)o->connect_timeout_s : 10;
	mysql_options(c->m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	/*
	 * A read must end even when the server stops answering. While the
	 * watchdog cuts calls past --statement-timeout (conn_watch_bounded),
	 * that is its job, and the library's own read time-out stays off:
	 * Connector/C reads with MSG_DONTWAIT and waits for the reply in
	 * poll(2), and with a time-out set every such wait arms and cancels a
	 * kernel timer, four per transaction: some microseconds of the
	 * client's CPU each transaction (measured in docs/performance.md).
	 * Without a watchdog bound, the library's time-out is the backstop;
	 * reads wait for lock waits (innodb_lock_wait_timeout, GET_LOCK), and
	 * a time-out below them would turn a lock wait into a lost
	 * connection: generous, but never forever.
	 */
	if (!conn_watch_bounded()) {
		rwt = 600 + 2 * (lock_s ? lock_s : 50);
		mysql_options(c->m, MYSQL_OPT_READ_TIMEOUT, &rwt);
		mysql_options(c->m, MYSQL_OPT_WRITE_TIMEOUT, &rwt);
	}
	/* A silent reconnect would lose the transaction and its locks. */
	mysql_options(c->m, MYSQL_OPT_RECONNECT, &off);
	mysql_options(c->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options4(c->m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", "racebench");
	/* The URL says where: a port means TCP even to "localhost". */
	if (*u.socket)
		proto = MYSQL_PROTOCOL_SOCKET;
	else if (u.port)
		proto = MYSQL_PROTOCOL_TCP;
	if (proto != MYSQL_PROTOCOL_DEFAULT)
		mysql_options(c->m, MYSQL_OPT_PROTOCOL, &proto);
	pw = u.has_password ? u.password : getenv("MYSQL_PWD");
	db = o->schema ? o->schema : *u.db ? u.db : NULL;
	/*
	 * CLIENT_FOUND_ROWS: an UPDATE's row count is the rows it matched, as
	 * in PostgreSQL and in Connector/J's default, not the rows it changed.
	 */
	if (!mysql_real_connect(c->m, *u.host ? u.host : NULL, *u.user ? u.user : NULL, pw, db,
				u.port, *u.socket ? u.socket : NULL,
				CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS)) {
		rb_err_set(e, RB_CLS_CONNECTION, mysql_sqlstate(c->m), (int)mysql_errno(c->m), "%s",
			   mysql_error(c->m));
		mdb_close(&c->base);
		return -1;
	}
	conn_watch(&c->base.watch, (int)mysql_get_socket(c->m));
	/* Tables are InnoDB whatever the server's default; autocommit outside BEGIN. */
	snprintf(sql, sizeof(sql), "SET SESSION autocommit = 1, default_storage_engine = InnoDB");
	if (lock_s)
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
			 ", innodb_lock_wait_timeout = %u", lock_s);
	/* MariaDB's statement time-out (MySQL's max_execution_time covers SELECT only). */
	if (o->statement_timeout_ms > 0 && strstr(mysql_get_server_info(c->m), "MariaDB"))
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
			 ", max_statement_time = %.3f", o->statement_timeout_ms / 1000.0);
	/*
	 * And, in the same round trip, the session's innodb_snapshot_isolation
	 * (MariaDB 10.6.18, 10.11.8 and later; ON by default from 11.6): SHOW
	 * gives no row where the server has no such variable, where
	 * SELECT @@... would fail.
	 */
	str_printf(sql + strlen(sql), sizeof(sql) - strlen(sql),
		   "; SHOW SESSION VARIABLES LIKE 'innodb_snapshot_isolation'");
	if (exec_sql(&c->base, sql, 1, e) < 0) {
		mdb_close(&c->base);
		return -1;
	}
	v = mdb_value(&c->base, 0, 1);
	c->has_si = v != NULL;
	if (v)
		c->session_si = !strcasecmp(v, "ON") || !strcmp(v, "1");
	drop_result(c);
	if (nodes > 1 && galera_session(c, o->node > 0 ? o->node % nodes : 0, o->node < 0, e) < 0) {
		mdb_close(&c->base);
		return -1;
	}
	str_copy(c->schema, o->schema ? o->schema : "", sizeof(c->schema));
	*out = &c->base;
	return 0;
}

static int mdb_broken(struct db_conn *dc)
{
	return mdbc(dc)->broken;
}

/* ---- transactions ---- */

/* Whether c's server is MariaDB (else MySQL). */
static int is_mariadb(struct mdb_conn *c)
{
	const char *v = mysql_get_server_info(c->m);

	return v && strstr(v, "MariaDB");
}

/*
 * rr+si is REPEATABLE READ in a session with innodb_snapshot_isolation ON,
 * which only MariaDB has (10.6.18, 10.11.8 and later). Whether a server
 * has it was read at connect; without a connection it is unknown.
 */
static const char *mdb_level_fits(struct db_conn *dc, enum rb_iso iso)
{
	struct mdb_conn *c = mdbc(dc);

	if (iso != RB_ISO_RR_SI || !c || c->has_si)
		return NULL;
	if (is_mariadb(c))
		return "rr+si sets innodb_snapshot_isolation, which this MariaDB does not have: "
		       "MariaDB has it from 10.6.18 and 10.11.8 (and in the series after them)";
	return "rr+si sets innodb_snapshot_isolation, which MySQL does not have (MariaDB has "
	       "it from 10.6.18 and 10.11.8): MySQL's REPEATABLE READ always lets a write "
	       "through over a row changed since the snapshot";
}

static int mdb_begin(struct db_conn *dc, enum rb_iso iso, struct rb_err *e)
{
	/*
	 * The session's level, set only when it changes (SET SESSION applies
	 * to every later transaction, on MariaDB 10.11 and MySQL 8 alike), so
	 * a transaction costs one START TRANSACTION round trip and no extra
	 * parsing. The harness never begins inside an open transaction (it
	 * always commits or rolls back, and mdb_commit rolls back a failed
	 * COMMIT), so START TRANSACTION never commits one implicitly.
	 */
	static const char *const set[RB_ISO__COUNT] = {
		[RB_ISO_RU] = "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED",
		[RB_ISO_RC] = "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
		[RB_ISO_RR] = "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
		[RB_ISO_SER] = "SET SESSION TRANSACTION ISOLATION LEVEL SERIALIZABLE",
	};
	static const struct db_stmt start = { "start transaction", { "START TRANSACTION" } };
	struct mdb_conn *c = mdbc(dc);
	int si = iso == RB_ISO_RR_SI, level = si ? RB_ISO_RR : (int)iso;
	char sql[160] = "";

	if ((unsigned)iso >= RB_ISO__COUNT)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "unknown isolation level %d", (int)iso);
	if (si && !c->has_si)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "%s", mdb_level_fits(dc, iso));
	/*
	 * innodb_snapshot_isolation is ON for rr+si and OFF at every other
	 * level, so that rr stays InnoDB's classic REPEATABLE READ on a server
	 * whose default is ON (MariaDB 11.6 and later). Like the level, it is
	 * a session setting, sent only when it changes: both in one round
	 * trip when both change.
	 */
	if (c->has_si && c->session_si != si)
		str_printf(sql, sizeof(sql), "SET SESSION innodb_snapshot_isolation = %s",
			   si ? "ON" : "OFF");
	if (c->session_iso != level)
		str_printf(sql + strlen(sql), sizeof(sql) - strlen(sql), "%s%s", *sql ? "; " : "",
			   set[level]);
	if (*sql) {
		/* Unknown until it has worked: a failure halfway sends both again. */
		c->session_iso = -1;
		if (c->has_si)
			c->session_si = -1;
		if (mdb_exec(dc, sql, e) < 0)
			return -1;
		c->session_iso = level;
		if (c->has_si)
			c->session_si = si;
	}
	/* prepared, as sysbench sends it: no parsing per transaction */
	return mdb_query(dc, &start, NULL, 0, e);
}

static int mdb_commit(struct db_conn *dc, struct rb_err *e)
{
	static const struct db_stmt commit = { "commit", { "COMMIT" } };
	struct mdb_conn *c = mdbc(dc);
	struct rb_err ignored;

	if (mdb_query(dc, &commit, NULL, 0, e) == 0)
		return 0;
	/* Never leave it open: the next START TRANSACTION would commit it. */
	if (!c->broken)
		mdb_exec(dc, "ROLLBACK", &ignored);
	return -1;
}

/*
 * After a lock-wait timeout (1205) or a duplicate key (1062) InnoDB has
 * rolled back only the statement, and the transaction is still open with
 * its earlier writes and locks; after a deadlock (1213) or a snapshot
 * isolation refusal (1020) it is gone. A ROLLBACK is right, and needed, in
 * every case.
 */
static int mdb_rollback(struct db_conn *dc, struct rb_err *e)
{
	return mdb_exec(dc, "ROLLBACK", e);
}

/* ---- the tool's database ---- */

/*
 * MariaDB (10.5 and later) keeps a comment on a database; the mark sits
 * there and on the marker table. MySQL has no database comment: there the
 * mark is the marker table's comment alone, which still names the schema
 * (a table copied into another database is not taken for ours), but not a
 * copy of the whole database; docs/mysql.md says so.
 */
static const struct schema_sql mdb_schema = {
	"database",
	{ "schema state",
	  { "SELECT (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?),"
	    " (SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?),"
	    " (SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
	    "  AND TABLE_NAME = 'racebench_owner')" } },
	"DROP DATABASE `%S`",
	"CREATE DATABASE `%S` COMMENT '%T';"
	"CREATE TABLE `%S`.racebench_owner (created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
	" note VARCHAR(80) NOT NULL DEFAULT 'created by racebench; dropped at the end of a run')"
	" ENGINE=InnoDB COMMENT='%T';"
	"INSERT INTO `%S`.racebench_owner () VALUES ();"
	"USE `%S`",
};
static const struct schema_sql mysql_schema = {
	"database",
	{ "schema state",
	  { "SELECT (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?),"
	    " (SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
	    "  AND TABLE_NAME = 'racebench_owner'),"
	    " (SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
	    "  AND TABLE_NAME = 'racebench_owner')" } },
	"DROP DATABASE `%S`",
	"CREATE DATABASE `%S`;"
	"CREATE TABLE `%S`.racebench_owner (created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
	" note VARCHAR(80) NOT NULL DEFAULT 'created by racebench; dropped at the end of a run')"
	" ENGINE=InnoDB COMMENT='%T';"
	"INSERT INTO `%S`.racebench_owner () VALUES ();"
	"USE `%S`",
};

static const struct schema_sql *schema_sql_of(struct mdb_conn *c)
{
	return is_mariadb(c) ? &mdb_schema : &mysql_schema;
}

static int mdb_schema_create(struct db_conn *dc, const char *schema, int force, struct rb_err *e)
{
	if (db_schema_create(dc, schema, force, schema_sql_of(mdbc(dc)), e) < 0)
		return -1;
	str_copy(mdbc(dc)->schema, schema, sizeof(mdbc(dc)->schema));
	return 0;
}

static int mdb_schema_drop(struct db_conn *dc, const char *schema, struct rb_err *e)
{
	return db_schema_drop(dc, schema, schema_sql_of(mdbc(dc)), e);
}

/* ---- named locks ---- */

/* GET_LOCK names are server-wide: the schema keeps two runs apart. */
static void lock_name(const struct mdb_conn *c, long long key, char *out, size_t n)
{
	snprintf(out, n, "racebench:%s:%lld", c->schema, key);
	if (strlen(out) > MY_LOCK_NAME_MAX)
		snprintf(out, n, "rb:%s:%lld", c->schema, key);
}

/*
 * GET_LOCK is session-scoped and survives COMMIT, so it is taken before
 * BEGIN and released after the transaction (advisory_in_txn = 0). It
 * waits as long as a row lock would.
 */
static int mdb_advisory_lock(struct db_conn *dc, long long key, struct rb_err *e)
{
	static const struct db_stmt q = { "advisory lock",
					  { "SELECT GET_LOCK(?, @@innodb_lock_wait_timeout)" } };
	char name[128];
	struct db_param p = P_TEXT(name);
	const char *v;

	lock_name(mdbc(dc), key, name, sizeof(name));
	if (mdb_query(dc, &q, &p, 1, e) < 0)
		return -1;
	v = mdb_value(dc, 0, 0);
	if (!v)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "GET_LOCK('%s') returned NULL", name);
	if (strcmp(v, "1"))
		return rb_err_set(e, RB_CLS_LOCK_TIMEOUT, NULL, 0,
				  "GET_LOCK('%s') timed out (innodb_lock_wait_timeout)", name);
	return 0;
}

static int mdb_advisory_unlock(struct db_conn *dc, long long key, struct rb_err *e)
{
	static const struct db_stmt q = { "advisory unlock", { "SELECT RELEASE_LOCK(?)" } };
	char name[128];
	struct db_param p = P_TEXT(name);
	const char *v;

	lock_name(mdbc(dc), key, name, sizeof(name));
	if (mdb_query(dc, &q, &p, 1, e) < 0)
		return -1;
	v = mdb_value(dc, 0, 0);
	if (!v || strcmp(v, "1"))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "RELEASE_LOCK('%s') gave %s", name,
				  v ? v : "NULL (no such lock)");
	return 0;
}

/* ---- server info ---- */

static void add_setting(struct server_info *out, const char *name, const char *value)
{
	if (out->nsettings == SERVER_SETTINGS)
		return;
	str_copy(out->settings[out->nsettings].name, name, sizeof(out->settings[0].name));
	str_copy(out->settings[out->nsettings].value, value ? value : "NULL",
		 sizeof(out->settings[0].value));
	out->nsettings++;
}

/*
 * The first of names that the server knows, added as a setting. Returns 0
 * (also when it knows none), -1 on any other error.
 */
static int add_variable(struct db_conn *dc, struct server_info *out,
			const struct db_stmt *const *qs, const char *const *names, int n,
			struct rb_err *e)
{
	for (int i = 0; i < n; i++) {
		if (mdb_query(dc, qs[i], NULL, 0, e) == 0) {
			add_setting(out, names[i], mdb_value(dc, 0, 0));
			return 0;
		}
		if (e->native != MDB_ER_UNKNOWN_SYSTEM_VARIABLE)
			return -1;
	}
	rb_err_clear(e);
	return 0;
}

static int mdb_server_info(struct db_conn *dc, struct server_info *out, struct rb_err *e)
{
	static const struct db_stmt q = {
		"server info",
		{ "SELECT VERSION(), @@version_comment, @@innodb_lock_wait_timeout,"
		  " @@innodb_deadlock_detect, @@autocommit" }
	};
	/* MySQL 8 and MariaDB >= 11.1 have transaction_isolation; 10.11 only tx_isolation. */
	static const struct db_stmt iso_new = { "isolation", { "SELECT @@transaction_isolation" } };
	static const struct db_stmt iso_old = { "isolation", { "SELECT @@tx_isolation" } };
	/* MariaDB >= 10.6.18 / 10.11.8: rr/ser refuse lost updates with 1020 when ON. */
	static const struct db_stmt snap = { "snapshot isolation",
					     { "SELECT @@innodb_snapshot_isolation" } };
	static const struct db_stmt *const iso_q[] = { &iso_new, &iso_old };
	static const char *const iso_names[] = { "transaction_isolation", "tx_isolation" };
	static const struct db_stmt *const snap_q[] = { &snap };
	static const char *const snap_names[] = { "innodb_snapshot_isolation" };
	char version[64], comment[64], lockw[64], deadlock[64], autocommit[64];
	const char *v;

	memset(out, 0, sizeof(*out));
	if (mdb_query(dc, &q, NULL, 0, e) < 0)
		return -1;
	str_copy(version, (v = mdb_value(dc, 0, 0)) ? v : "", sizeof(version));
	str_copy(comment, (v = mdb_value(dc, 0, 1)) ? v : "", sizeof(comment));
	str_copy(lockw, (v = mdb_value(dc, 0, 2)) ? v : "NULL", sizeof(lockw));
	str_copy(deadlock, (v = mdb_value(dc, 0, 3)) ? v : "NULL", sizeof(deadlock));
	str_copy(autocommit, (v = mdb_value(dc, 0, 4)) ? v : "NULL", sizeof(autocommit));
	str_copy(out->product,
		 strstr(version, "MariaDB") || strstr(comment, "MariaDB") ? "MariaDB" : "MySQL",
		 sizeof(out->product));
	str_copy(out->version, version, sizeof(out->version));
	if (add_variable(dc, out, iso_q, iso_names, 2, e) < 0)
		return -1;
	add_setting(out, "innodb_lock_wait_timeout", lockw);
	add_setting(out, "innodb_deadlock_detect", deadlock);
	if (add_variable(dc, out, snap_q, snap_names, 1, e) < 0)
		return -1;
	add_setting(out, "autocommit", autocommit);
	add_setting(out, "version_comment", comment);
	return 0;
}

/* ---- explain: whose session waits ---- */

static long long mdb_session_id(struct db_conn *dc)
{
	return (long long)mysql_thread_id(mdbc(dc)->m);
}

/*
 * Whether InnoDB's status text lists the transaction of thread id as
 * waiting: each "---TRANSACTION" block names its thread ("MariaDB thread
 * id 16," or "MySQL thread id 16,") and has a "LOCK WAIT" line while one of
 * its statements waits for a row or table lock.
 */
static int status_says_waiting(const char *status, long long id)
{
	char needle[48];
	const char *p = strstr(status, "---TRANSACTION");

	snprintf(needle, sizeof(needle), " thread id %lld,", id);
	while (p) {
		const char *next = strstr(p + 1, "---TRANSACTION");
		const char *end = next ? next : p + strlen(p);
		const char *who = strstr(p, needle), *wait = strstr(p, "\nLOCK WAIT");

		if (who && who < end)
			return wait && wait < end;
		p = next;
	}
	return 0;
}

/* 1 when session's thread state says it waits for a named or metadata lock. */
static int mdl_waiting(struct db_conn *ctl, long long session, struct rb_err *e)
{
	static const struct db_stmt q = {
		"waiting: process list",
		{ "SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ?" }
	};
	struct db_param p = P_INT(session);
	const char *state;

	if (mdb_query(ctl, &q, &p, 1, e) < 0)
		return -1;
	state = mdb_value(ctl, 0, 0);
	return state &&
		(!strcmp(state, "User lock") || strstr(state, "user level lock") ||
		 strstr(state, "metadata lock"));
}

/*
 * Asked on another connection ctl: does session (a thread id) wait for a
 * lock? A row lock shows in InnoDB's status, a named lock (GET_LOCK) or a
 * metadata lock in the process list. Not information_schema.INNODB_TRX:
 * InnoDB refills that table only when nobody has read it for 100 ms, so
 * polled more often than that it never changes. InnoDB's status is exact
 * (the releaser clears the wait); a thread's state is set by the thread
 * itself, so it says "User lock" a moment after the lock was granted: the
 * state counts only when it stays for MDL_SETTLE_MS.
 */
#define MDL_SETTLE_MS 150

static int mdb_waiting(struct db_conn *ctl, long long session, struct rb_err *e)
{
	static const char status[] = "SHOW ENGINE INNODB STATUS";
	struct mdb_conn *c = mdbc(ctl);
	MYSQL_RES *res;
	MYSQL_ROW row;
	int waiting = mdl_waiting(ctl, session, e);

	if (waiting < 0)
		return -1;
	if (waiting) {
		uint64_t until = now_ns() + MDL_SETTLE_MS * 1000000ull;

		while (waiting == 1 && now_ns() < until) {
			sleep_us(2000);
			waiting = mdl_waiting(ctl, session, e);
		}
		return waiting;
	}
	drop_result(c);
	/* Watched like every other call: no library read time-out bounds it. */
	conn_busy(&ctl->watch);
	res = mysql_real_query(c->m, status, sizeof(status) - 1) ? NULL : mysql_store_result(c->m);
	conn_idle(&ctl->watch);
	if (!res) {
		fail_conn(c, e);
		conn_cut_error(&ctl->watch, e);
		return -1;
	}
	row = mysql_num_fields(res) >= 3 ? mysql_fetch_row(res) : NULL;
	waiting = row && row[2] ? status_says_waiting(row[2], session) : 0;
	mysql_free_result(res);
	return waiting;
}

/* The URL fit to print: its password as ***; a URL that does not parse, not at all. */
static void redact_one(const char *dsn, char *out, size_t n)
{
	struct mysql_url u;

	if (dsn && *dsn && mysql_url_parse(dsn, &u, NULL) < 0)
		str_copy(out, "(a malformed URL, not shown)", n);
	else
		mysql_url_shown(dsn ? dsn : "", out, n);
}

/* Each node's URL redacted, the list kept. */
static void mdb_redact(const char *dsn, char *out, size_t n)
{
	int nodes = url_nodes(dsn);
	size_t at = 0;

	str_copy(out, "", n);
	for (int i = 0; i < nodes && at + 1 < n; i++) {
		char node[1024], shown[1024];

		url_node(dsn, i, node, sizeof(node));
		redact_one(node, shown, sizeof(shown));
		str_printf(out + at, n - at, "%s%s", i ? "," : "", shown);
		at = strlen(out);
	}
}

static void mdb_dsn_database(const char *dsn, char *out, size_t n)
{
	struct mysql_url u;
	char node[1024];

	url_node(dsn, 0, node, sizeof(node));
	str_copy(out, *node && mysql_url_parse(node, &u, NULL) == 0 ? u.db : "", n);
}

/* The server's own databases: its users and grants, its statistics. */
static const char *const mdb_reserved[] = { "mysql", "sys", "performance_schema",
					    "information_schema", NULL };

/* Every node's URL; with several, the message says which is wrong. */
static int mdb_check_dsn(const char *dsn, struct rb_err *e)
{
	int nodes = url_nodes(dsn);
	struct mysql_url u;
	char node[1024];

	if (nodes > 64)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "%d MySQL URLs: at most 64 nodes, comma-separated", nodes);
	for (int i = 0; i < nodes; i++) {
		url_node(dsn, i, node, sizeof(node));
		if (nodes > 1 && !*node)
			return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
					  "node %d of %d MySQL URLs is empty (nodes are "
					  "comma-separated URLs; a comma inside one is %%2C)",
					  i + 1, nodes);
		if (mysql_url_parse(node, &u, e) < 0) {
			if (nodes > 1) {
				char msg[sizeof(e->msg)];

				str_copy(msg, e->msg, sizeof(msg));
				str_printf(e->msg, sizeof(e->msg), "node %d of %d: %s", i + 1,
					   nodes, msg);
			}
			return -1;
		}
	}
	return 0;
}

static int mdb_nodes(const char *dsn)
{
	return url_nodes(dsn);
}

/*
 * Before a trial, after the reset on node 1: a causal read makes this
 * node apply every write set committed before it, so the trial starts
 * from the reset state on every node (Galera applies others' write sets
 * asynchronously). One node: nothing to wait for.
 */
static int mdb_sync(struct db_conn *dc, struct rb_err *e)
{
	struct mdb_conn *c = mdbc(dc);

	if (c->nodes < 2)
		return 0;
	if (c->sync_wait)
		return exec_sql(dc, "SELECT 1", 0, e);
	return exec_sql(dc, "SET SESSION wsrep_sync_wait = 1; SELECT 1; "
			    "SET SESSION wsrep_sync_wait = 0", 0, e);
}

/*
 * The topology's own fix on Galera: causal reads (wsrep_sync_wait = 1:
 * each read first waits until this node has applied every write set the
 * cluster committed before it). Everything else reads as on one node.
 */
static int mdb_mode(struct db_conn *dc, enum topo_mode m, struct rb_err *e)
{
	struct mdb_conn *c = mdbc(dc);
	int want = m == TM_CAUSAL_READS;

	if (c->nodes < 2 || want == c->sync_wait)
		return 0;
	if (exec_sql(dc, want ? "SET SESSION wsrep_sync_wait = 1" : "SET SESSION wsrep_sync_wait = 0",
		     0, e) < 0)
		return -1;
	c->sync_wait = want;
	return 0;
}

static const struct topology_info mdb_galera = {
	.name = "galera",
	.server = "galera",
	.dsn_file = "galera.dsn",
	.replica_file = NULL,
	.nodes = 3,
	.summary = "a 3-node MariaDB Galera cluster (multi-primary); clients spread over the "
		   "nodes (--mysql URL1,URL2,URL3)",
	.notes = "locks stay on their node: for-update, for-update-parent, advisory (GET_LOCK) "
		 "and serializable's shared locks are granted on each client's own node, so the "
		 "races that create a row (double-tap, duplicate-settlement) get duplicates in "
		 "nearly every trial whatever the level. Writes are certified cluster-wide: when "
		 "transactions on two nodes write the same row, the later one fails at COMMIT with "
		 "1213, so the races that update one row (negative-balance, coupon-oversell's "
		 "stock) show errors where one server showed waits, and write-parent (an UPDATE of "
		 "the parent row, retried) is safe everywhere. A unique index never lets a second "
		 "row through; cross-node conflicts come back as 1213, not 1062. A Redis lock spans "
		 "the cluster, but COMMIT returns before the other nodes apply the write set: "
		 "redis-wide lets the next holder on another node read the old rows; sync-wait "
		 "adds causal reads (wsrep_sync_wait = 1) and is safe",
};

/*
 * The driver sets the session's level once (SET SESSION), and its
 * innodb_snapshot_isolation, then starts each transaction.
 */
static void mdb_begin_text(enum rb_iso iso, char *out, size_t n)
{
	if (iso == RB_ISO_RR_SI)
		snprintf(out, n,
			 "START TRANSACTION (REPEATABLE READ, innodb_snapshot_isolation ON)");
	else
		snprintf(out, n, "START TRANSACTION (%s)", rb_iso_sql(iso));
}

static void mdb_advisory_text(long long key, int unlock, char *out, size_t n)
{
	snprintf(out, n, unlock ? "RELEASE_LOCK(key %lld)" : "GET_LOCK(key %lld)", key);
}

const struct driver driver_mysql = {
	.name = "mysql",
	.summary = "MySQL/MariaDB over libmysqlclient (mysql://user@host:port/db?socket=PATH)",
	.dialect = DIALECT_MYSQL,
	.option = "mysql",
	.option_arg = "URL",
	.option_help = "your MySQL/MariaDB: mysql://user@host:port/db",
	.env = "RACEBENCH_MYSQL",
	.password_env = "MYSQL_PWD",
	.server = "mysql",
	.product = "MySQL/MariaDB",
	.error_legend = "1213  InnoDB deadlock; 1205 lock-wait time-out; 1020 record changed "
			"since the read view (innodb_snapshot_isolation)",
	.level_notes = "InnoDB's rr reads a snapshot taken at the first plain read, but "
		       "locking reads and writes see the latest rows (innodb_snapshot_isolation "
		       "OFF); ser turns every plain read into a shared locking read; rr+si is rr "
		       "with innodb_snapshot_isolation ON (MariaDB 10.6.18, 10.11.8 and later), "
		       "where a write to a row changed since the snapshot fails with 1020",
	.reserved = mdb_reserved,
	.shared = NULL,
	.topology = &mdb_galera,
	.xNodes = mdb_nodes,
	.xSync = mdb_sync,
	.xMode = mdb_mode,
	.xDsnDatabase = mdb_dsn_database,
	.xGlobalInit = mdb_global_init,
	.xGlobalEnd = mdb_global_end,
	.xThreadInit = mdb_thread_init,
	.xThreadEnd = mdb_thread_end,
	.xCheckDsn = mdb_check_dsn,
	.xRedact = mdb_redact,
	.xConnect = mdb_connect,
	.xClose = mdb_close,
	.xBroken = mdb_broken,
	.xSchemaCreate = mdb_schema_create,
	.xSchemaDrop = mdb_schema_drop,
	.xLevelFits = mdb_level_fits,
	.xExec = mdb_exec,
	.xBegin = mdb_begin,
	.xCommit = mdb_commit,
	.xRollback = mdb_rollback,
	.xQuery = mdb_query,
	.xAffected = mdb_affected,
	.xRows = mdb_rows,
	.xColumns = mdb_columns,
	.xValue = mdb_value,
	.advisory_in_txn = 0,
	.xAdvisoryLock = mdb_advisory_lock,
	.xAdvisoryUnlock = mdb_advisory_unlock,
	.xServerInfo = mdb_server_info,
	.xSessionId = mdb_session_id,
	.xWaiting = mdb_waiting,
	.xBeginText = mdb_begin_text,
	.xAdvisoryText = mdb_advisory_text,
};
