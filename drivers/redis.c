/* redis.c: the Redis lock service over hiredis (SET NX PX, token-checked release). */
#define _POSIX_C_SOURCE 200809L
#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis.h>

#include "../base/url.h"
#include "../base/util.h"

extern const struct lock_service lock_service_redis;

#define URL_FORMS "redis://[[user]:password@]host[:port][/db] or unix:///path/to/socket[?db=N]"
/* sockaddr_un's sun_path holds 108 bytes with the terminator. */
#define UNIX_PATH_MAX 107

/*
 * Compare the token, then delete, in one step on the server: a holder whose
 * lease expired must not delete the lock its successor now holds.
 */
static const char release_lua[] = "if redis.call('get', KEYS[1]) == ARGV[1] then "
				  "return redis.call('del', KEYS[1]) else return 0 end";

/* Polling for a taken lock: 100 us doubling up to 4 ms, jittered. */
#define BACKOFF_FIRST_US 100
#define BACKOFF_CAP_US	 4000

/* ---- URL --------------------------------------------------------------- */

/* The URL as messages may show it: the password replaced by ***, cut at 96. */
static void url_shown(const char *url, char *out, size_t n)
{
	url_redact(url, NULL, out, n);
	if (n > 96 && strlen(out) > 96)
		strcpy(out + 93, "...");
}

static int url_bad(struct rb_err *e, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int url_bad(struct rb_err *e, const char *url, const char *fmt, ...)
{
	char shown[128], why[128];
	va_list ap;

	url_shown(url, shown, sizeof(shown));
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "bad Redis URL '%s': %s (expected %s)", shown,
			  why, URL_FORMS);
}

/* A decimal number in [lo, hi] spelling all of s[0..len). -1 otherwise. */
static int parse_num(const char *s, size_t len, long lo, long hi, int *out)
{
	long v;

	if (url_number(s, len, lo, hi, &v) < 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* "[user]:password" or "user" (s[0..len)) into out. */
static int parse_userinfo(const char *url, const char *s, size_t len, struct redis_url *out,
			  struct rb_err *e)
{
	const char *colon = memchr(s, ':', len);
	size_t ulen = colon ? (size_t)(colon - s) : len;

	if (url_decode(s, ulen, out->user, sizeof(out->user)) < 0)
		return url_bad(e, url,
			       "the user name has a bad %%-escape or is longer than %zu bytes",
			       sizeof(out->user) - 1);
	if (colon && url_decode(colon + 1, len - ulen - 1, out->pass, sizeof(out->pass)) < 0)
		return url_bad(e, url,
			       "the password has a bad %%-escape or is longer than %zu bytes",
			       sizeof(out->pass) - 1);
	if (colon && !out->pass[0])
		return url_bad(e, url, "the password after ':' is empty");
	return 0;
}

static int parse_tcp(const char *url, const char *s, struct redis_url *out, struct rb_err *e)
{
	const char *at = url_userinfo_end(s, NULL), *h, *end, *port = NULL;
	size_t hlen;

	if (at) {
		if (parse_userinfo(url, s, (size_t)(at - s), out, e) < 0)
			return -1;
		s = at + 1;
	}
	if (*s == '[') {
		h = s + 1;
		end = strchr(h, ']');
		if (!end)
			return url_bad(e, url, "'[' opens an IPv6 address that no ']' closes");
		hlen = (size_t)(end - h);
		end++;
		if (*end && *end != ':' && *end != '/')
			return url_bad(e, url, "unexpected '%c' after the IPv6 address", *end);
	} else {
		h = s;
		end = h + strcspn(h, ":/?#");
		hlen = (size_t)(end - h);
	}
	if (hlen == 0)
		return url_bad(e, url, "no host");
	if (hlen >= sizeof(out->host))
		return url_bad(e, url, "the host is longer than %zu bytes", sizeof(out->host) - 1);
	for (size_t i = 0; i < hlen; i++)
		if ((unsigned char)h[i] <= ' ' || h[i] == '@' || h[i] == '[')
			return url_bad(e, url,
				       "the host '%.*s' has a character a host name cannot have",
				       (int)hlen, h);
	memcpy(out->host, h, hlen);
	out->host[hlen] = '\0';
	if (*end == ':') {
		size_t plen;

		port = end + 1;
		plen = strcspn(port, "/?#");
		if (parse_num(port, plen, 1, 65535, &out->port) < 0)
			return url_bad(e, url, "the port '%.*s' is not a number from 1 to 65535",
				       (int)plen, port);
		end = port + plen;
	}
	if (*end == '?' || *end == '#')
		return url_bad(e, url,
			       "query parameters are not supported; put the database "
			       "number in the path (/N)");
	if (*end == '/' && end[1]) {
		const char *db = end + 1;
		size_t dlen = strcspn(db, "?#");

		if (parse_num(db, dlen, 0, INT_MAX, &out->db) < 0)
			return url_bad(e, url, "the database '%.*s' is not a number from 0",
				       (int)dlen, db);
		if (db[dlen])
			return url_bad(e, url,
				       "query parameters are not supported; put the "
				       "database number in the path (/N)");
	}
	return 0;
}

static int parse_unix(const char *url, const char *s, struct redis_url *out, struct rb_err *e)
{
	const char *path = s, *q;
	size_t plen;

	if (*s != '/') {
		const char *at = strstr(s, "@/");

		if (!at)
			return url_bad(e, url, "no absolute socket path (unix:///path/to/socket)");
		/* The last "@/": a password may itself contain one only %-encoded. */
		for (const char *p = at; (p = strstr(p + 1, "@/")) != NULL;)
			at = p;
		if (parse_userinfo(url, s, (size_t)(at - s), out, e) < 0)
			return -1;
		path = at + 1;
	}
	q = strchr(path, '?');
	plen = q ? (size_t)(q - path) : strlen(path);
	if (plen < 2)
		return url_bad(e, url, "no socket path after unix://");
	if (plen > UNIX_PATH_MAX)
		return url_bad(e, url, "the socket path is longer than %d bytes", UNIX_PATH_MAX);
	memcpy(out->host, path, plen);
	out->host[plen] = '\0';
	if (q) {
		size_t dlen;

		if (strncmp(q, "?db=", 4) != 0)
			return url_bad(e, url, "the only query parameter is ?db=N");
		dlen = strlen(q + 4);
		if (parse_num(q + 4, dlen, 0, INT_MAX, &out->db) < 0)
			return url_bad(e, url, "the database '%s' is not a number from 0", q + 4);
	}
	out->port = 0;
	return 0;
}

int redis_url_parse(const char *url, struct redis_url *out, struct rb_err *e)
{
	memset(out, 0, sizeof(*out));
	out->port = 6379;
	if (!url || !*url)
		return url_bad(e, "", "it is empty");
	if (!strncasecmp(url, "redis://", 8))
		return parse_tcp(url, url + 8, out, e);
	if (!strncasecmp(url, "unix://", 7))
		return parse_unix(url, url + 7, out, e);
	if (!strncasecmp(url, "rediss://", 9))
		return url_bad(e, url,
			       "TLS (rediss://) is not supported: this build's hiredis "
			       "has no TLS");
	return url_bad(e, url, "unknown scheme");
}

/* ---- URL lists (Redlock's nodes) ----------------------------------------- */

int redis_urls_count(const char *list)
{
	int n = 1;

	if (!list || !*list)
		return 0;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	return n;
}

int redis_urls_item(const char *list, int i, char *out, size_t n)
{
	const char *p = list, *end;
	size_t len;

	if (!list || i < 0 || i >= redis_urls_count(list))
		return -1;
	while (i-- > 0)
		p = strchr(p, ',') + 1;
	end = strchr(p, ',');
	len = end ? (size_t)(end - p) : strlen(p);
	if (len >= n)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	return (int)len;
}

int redlock_quorum(int n)
{
	return n / 2 + 1;
}

long long redlock_validity_ms(int ttl_ms, uint64_t elapsed_us)
{
	long long ttl_us = (long long)ttl_ms * 1000, drift_us = (long long)ttl_ms * 10 + 2000;

	/* Rounded down: a lease is never taken for longer than it is. */
	return (ttl_us - (long long)elapsed_us - drift_us) / 1000 -
		((ttl_us - (long long)elapsed_us - drift_us) % 1000 < 0);
}

int redlock_node_timeout_ms(int ttl_ms, int command_ms)
{
	int t = ttl_ms / 100;

	t = t < 10 ? 10 : t > 100 ? 100 : t;
	return command_ms > 0 && command_ms < t ? command_ms : t;
}

/* ---- connections ------------------------------------------------------- */

/* One Redis node: its URL, its connection and what was set up on it. */
struct rnode {
	struct conn_watch watch; /* the context's socket, while there is one */
	struct redis_url url;
	redisContext *ctx; /* NULL after a failure: reconnect before use */
	char sha[48];	   /* the release script's SHA1 on ctx, "" before SCRIPT LOAD */
	int timeout_ms;	   /* the command time-out ctx has now */
};

/*
 * A client's connection to the lock service: one context a node. The
 * single-node strategies use node[0] only; Redlock uses them all.
 */
struct lock_conn {
	struct rnode node[REDLOCK_MAX_NODES];
	int n;
	char prefix[96];
	int connect_timeout_ms, command_timeout_ms;
	struct rng rng; /* backoff jitter, this connection's own */
};

static struct timeval ms_tv(int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	return tv;
}

/* "127.0.0.1:6379" or the socket path: where, in messages. */
static void where(const struct rnode *nd, char *out, size_t n)
{
	if (nd->url.port)
		str_printf(out, n, strchr(nd->url.host, ':') ? "[%s]:%d" : "%s:%d", nd->url.host,
			   nd->url.port);
	else
		str_copy(out, nd->url.host, n);
}

/* Forgets a context that failed: it is never used again. */
static void drop_ctx(struct rnode *nd)
{
	conn_unwatch(&nd->watch);
	if (nd->ctx)
		redisFree(nd->ctx);
	nd->ctx = NULL;
	nd->sha[0] = '\0';
}

/*
 * Fills e from the context's failure (a NULL reply, or c->err set),
 * classed "connection", and drops the context.
 */
static int ctx_fail(struct rnode *nd, const char *what, struct rb_err *e)
{
	char at[160];
	const char *why = "no reply";

	where(nd, at, sizeof(at));
	if (nd->ctx && nd->ctx->err) {
		why = nd->ctx->errstr;
		/* hiredis reports SO_RCVTIMEO as EAGAIN's text. */
		if (nd->ctx->err == REDIS_ERR_IO && strstr(why, "temporarily unavailable"))
			why = "no reply in time (command time-out)";
	}
	rb_err_set(e, RB_CLS_CONNECTION, NULL, 0, "Redis %s: %s: %s", at, what, why);
	conn_cut_error(&nd->watch, e);
	drop_ctx(nd);
	return -1;
}

/* Fills e from an error reply (class "other") and frees it. */
static int reply_fail(struct rnode *nd, redisReply *r, const char *what, struct rb_err *e)
{
	char at[160];

	where(nd, at, sizeof(at));
	if (r && r->type == REDIS_REPLY_ERROR)
		rb_err_set(e, RB_CLS_OTHER, NULL, 0, "Redis %s: %s: %s", at, what, r->str);
	else
		rb_err_set(e, RB_CLS_OTHER, NULL, 0, "Redis %s: %s: unexpected reply type %d", at,
			   what, r ? r->type : -1);
	freeReplyObject(r);
	return -1;
}

/*
 * Sends one command. Returns the reply (an error reply included), or NULL
 * with e filled and the context dropped when the connection failed.
 */
static redisReply *cmd(struct rnode *nd, struct rb_err *e, const char *what, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	va_start(ap, fmt);
	conn_busy(&nd->watch);
	r = redisvCommand(nd->ctx, fmt, ap);
	conn_idle(&nd->watch);
	va_end(ap);
	if (!r || nd->ctx->err) {
		freeReplyObject(r);
		ctx_fail(nd, what, e);
		return NULL;
	}
	return r;
}

/* Opens nd->ctx: connect, time-outs, AUTH, SELECT. */
static int open_ctx(struct rnode *nd, int connect_ms, int command_ms, struct rb_err *e)
{
	struct timeval tv = ms_tv(connect_ms > 0 ? connect_ms : 10000);
	const char *pass = nd->url.pass[0] ? nd->url.pass : getenv("REDISCLI_AUTH");
	redisReply *r;

	nd->sha[0] = '\0';
	nd->timeout_ms = 0;
	if (nd->url.user[0] && !(pass && *pass))
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "Redis user '%s' has no password: "
				  "put it in the URL (redis://%s:PASSWORD@...) or in REDISCLI_AUTH",
				  nd->url.user, nd->url.user);
	if (nd->url.port)
		nd->ctx = redisConnectWithTimeout(nd->url.host, nd->url.port, tv);
	else
		nd->ctx = redisConnectUnixWithTimeout(nd->url.host, tv);
	if (!nd->ctx || nd->ctx->err)
		return ctx_fail(nd, "connecting", e);
	conn_watch(&nd->watch, nd->ctx->fd);
	if (command_ms > 0) {
		if (redisSetTimeout(nd->ctx, ms_tv(command_ms)) != REDIS_OK)
			return ctx_fail(nd, "setting the command time-out", e);
		nd->timeout_ms = command_ms;
	}
	if (pass && *pass) {
		if (nd->url.user[0])
			r = cmd(nd, e, "AUTH", "AUTH %s %s", nd->url.user, pass);
		else
			r = cmd(nd, e, "AUTH", "AUTH %s", pass);
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			reply_fail(nd, r, "AUTH", e);
			drop_ctx(nd);
			return -1;
		}
		freeReplyObject(r);
	}
	if (nd->url.db != 0) {
		r = cmd(nd, e, "SELECT", "SELECT %d", nd->url.db);
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ERROR) {
			reply_fail(nd, r, "SELECT", e);
			drop_ctx(nd);
			return -1;
		}
		freeReplyObject(r);
	}
	return 0;
}

/*
 * A usable context with the command time-out command_ms: the current one,
 * or a fresh one (connecting within connect_ms) when it failed.
 */
static int ready_in(struct rnode *nd, int connect_ms, int command_ms, struct rb_err *e)
{
	if (nd->ctx && !nd->ctx->err) {
		if (command_ms > 0 && nd->timeout_ms != command_ms) {
			if (redisSetTimeout(nd->ctx, ms_tv(command_ms)) != REDIS_OK)
				return ctx_fail(nd, "setting the command time-out", e);
			nd->timeout_ms = command_ms;
		}
		return 0;
	}
	drop_ctx(nd);
	return open_ctx(nd, connect_ms, command_ms, e);
}

/* ready_in with the connection's own time-outs. */
static int ready(struct lock_conn *c, struct rnode *nd, struct rb_err *e)
{
	return ready_in(nd, c->connect_timeout_ms, c->command_timeout_ms, e);
}

static void seed_rng(struct rng *r)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = now_ns() ^ (uint64_t)(uintptr_t)r;
	rng_seed(r, s);
}

static void redis_close(struct lock_conn *c);

/* Connects to every node the URL (list) names: each must answer now. */
static int redis_connect(const struct lock_opts *o, struct lock_conn **out, struct rb_err *e)
{
	struct lock_conn *c;
	int n = redis_urls_count(o->url);

	*out = NULL;
	if (n < 1 || n > REDLOCK_MAX_NODES)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "Redis: %d URLs (1 to %d)", n,
				  REDLOCK_MAX_NODES);
	c = xcalloc(1, sizeof(*c));
	for (int i = 0; i < REDLOCK_MAX_NODES; i++)
		c->node[i].watch.fd = -1;
	if (snprintf(c->prefix, sizeof(c->prefix), "%s", o->prefix ? o->prefix : "racebench") >=
	    (int)sizeof(c->prefix)) {
		rb_err_set(e, RB_CLS_OTHER, NULL, 0,
			   "Redis key prefix '%s' is longer than %zu bytes", o->prefix,
			   sizeof(c->prefix) - 1);
		goto fail;
	}
	c->connect_timeout_ms = o->connect_timeout_ms;
	c->command_timeout_ms = o->command_timeout_ms;
	seed_rng(&c->rng);
	for (int i = 0; i < n; i++) {
		char one[1024];

		if (redis_urls_item(o->url, i, one, sizeof(one)) < 0) {
			rb_err_set(e, RB_CLS_OTHER, NULL, 0, "Redis URL %d of %d is too long",
				   i + 1, n);
			goto fail;
		}
		if (redis_url_parse(one, &c->node[i].url, e) < 0)
			goto fail;
		c->n = i + 1;
		if (open_ctx(&c->node[i], c->connect_timeout_ms, c->command_timeout_ms, e) < 0)
			goto fail;
	}
	*out = c;
	return 0;
fail:
	redis_close(c);
	return -1;
}

static void redis_close(struct lock_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++)
		drop_ctx(&c->node[i]);
	free(c);
}

/* ---- locks ------------------------------------------------------------- */

static int redis_release(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e);

/* 16 random bytes as 32 hex digits (out holds at least 33). */
static int new_token(char *out, struct rb_err *e)
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(b)) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		got = 0;
		while (fd >= 0 && got < sizeof(b)) {
			ssize_t n = read(fd, b + got, sizeof(b) - got);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		if (fd >= 0)
			close(fd);
		if (got < sizeof(b))
			return rb_err_set(
				e, RB_CLS_OTHER, NULL, 0,
				"no random bytes for a lock token (getrandom, /dev/urandom)");
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static int make_key(const struct lock_conn *c, const char *kind, const char *name, char *out,
		    size_t n, struct rb_err *e)
{
	if (snprintf(out, n, "%s:%s:%s", c->prefix, kind, name) >= (int)n)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0,
				  "Redis key for lock '%s' is longer than %zu bytes", name, n - 1);
	return 0;
}

/* The next fencing token for name: INCR on its counter (node 1). */
static int next_fence(struct lock_conn *c, const char *name, long long *out, struct rb_err *e)
{
	struct rnode *nd = &c->node[0];
	char key[160];
	redisReply *r;

	if (make_key(c, "fence", name, key, sizeof(key), e) < 0)
		return -1;
	r = cmd(nd, e, "INCR (fencing token)", "INCR %s", key);
	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_INTEGER)
		return reply_fail(nd, r, "INCR (fencing token)", e);
	*out = r->integer;
	freeReplyObject(r);
	return 0;
}

/* SET key token NX PX ttl on nd: 1 set, 0 taken, -1 error (e). */
static int set_nx(struct rnode *nd, const struct lock_grant *g, int ttl_ms, struct rb_err *e)
{
	redisReply *r = cmd(nd, e, "SET NX (acquire)", "SET %s %s NX PX %d", g->key, g->token,
			    ttl_ms > 0 ? ttl_ms : 1);
	int granted;

	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_NIL)
		return reply_fail(nd, r, "SET NX (acquire)", e);
	granted = r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	return granted;
}

/*
 * Sleeps before the next try: half the step fixed, half random, so
 * waiters spread out; the step doubles up to the cap. Returns 0 when the
 * deadline has passed (no sleep).
 */
static int backoff(struct lock_conn *c, uint64_t *delay, uint64_t deadline)
{
	uint64_t now = now_ns(), nap, left_us;

	if (now >= deadline)
		return 0;
	nap = *delay / 2 + (uint64_t)((double)(*delay / 2) * rng_unit(&c->rng));
	left_us = (deadline - now) / 1000;
	sleep_us(nap < left_us ? nap : left_us);
	if (*delay < BACKOFF_CAP_US)
		*delay = *delay * 2 < BACKOFF_CAP_US ? *delay * 2 : BACKOFF_CAP_US;
	return 1;
}

/* The single-node lock, on node 1: the Redis of the incidents. */
static int redis_acquire(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms, int fence,
			 struct lock_grant *g, struct rb_err *e)
{
	uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000u;
	uint64_t delay = BACKOFF_FIRST_US;
	struct rnode *nd = &c->node[0];

	memset(g, 0, sizeof(*g));
	if (make_key(c, "lock", name, g->key, sizeof(g->key), e) < 0 || new_token(g->token, e) < 0)
		return -1;
	for (;;) {
		int granted;

		if (ready(c, nd, e) < 0)
			return -1;
		granted = set_nx(nd, g, ttl_ms, e);
		if (granted < 0)
			return -1;
		g->waited_us = (now_ns() - t0) / 1000;
		if (granted)
			break;
		if (!backoff(c, &delay, deadline))
			return 0;
	}
	g->nodes = g->asked = 1u;
	if (fence && next_fence(c, name, &g->fence, e) < 0) {
		struct rb_err ignored;

		/* Do not leave a lock behind that nobody will release. */
		redis_release(c, g, &ignored);
		return -1;
	}
	return 1;
}

static int load_script(struct rnode *nd, struct rb_err *e)
{
	redisReply *r = cmd(nd, e, "SCRIPT LOAD", "SCRIPT LOAD %s", release_lua);

	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_STRING || r->len >= sizeof(nd->sha))
		return reply_fail(nd, r, "SCRIPT LOAD", e);
	memcpy(nd->sha, r->str, r->len);
	nd->sha[r->len] = '\0';
	freeReplyObject(r);
	return 0;
}

/*
 * Compare-and-delete of g on nd, with time-outs connect_ms and command_ms.
 * Release is idempotent (the script deletes only our own token), so a
 * connection that failed under it is replaced and the release tried once
 * more: otherwise the lock would stay taken for its whole lease. Returns
 * 1 released, 0 not ours (gone or someone else's), -1 error.
 */
static int release_on(struct rnode *nd, const struct lock_grant *g, int connect_ms, int command_ms,
		      struct rb_err *e)
{
	int reconnects = 0, reloads = 0;
	redisReply *r;
	long long n;

	for (;;) {
		if (ready_in(nd, connect_ms, command_ms, e) < 0)
			return -1;
		if (!nd->sha[0] && load_script(nd, e) < 0) {
			if (!nd->ctx && reconnects++ == 0)
				continue;
			return -1;
		}
		r = cmd(nd, e, "EVALSHA (release)", "EVALSHA %s 1 %s %s", nd->sha, g->key,
			g->token);
		if (!r) {
			if (reconnects++ == 0)
				continue;
			return -1;
		}
		/* A server restarted or SCRIPT FLUSHed forgets the script. */
		if (r->type == REDIS_REPLY_ERROR && !strncmp(r->str, "NOSCRIPT", 8) &&
		    reloads++ == 0) {
			freeReplyObject(r);
			nd->sha[0] = '\0';
			continue;
		}
		break;
	}
	if (r->type != REDIS_REPLY_INTEGER)
		return reply_fail(nd, r, "EVALSHA (release)", e);
	n = r->integer;
	freeReplyObject(r);
	return n > 0 ? 1 : 0;
}

static int redis_release(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e)
{
	return release_on(&c->node[0], g, c->connect_timeout_ms, c->command_timeout_ms, e);
}

/*
 * Releases g wherever its last try sent SET (bits of g->asked), each node
 * with the short time-out: how many said "released" and how many failed.
 */
static void release_asked(struct lock_conn *c, const struct lock_grant *g, int node_ms,
			  int *released, int *failed, struct rb_err *e)
{
	*released = *failed = 0;
	for (int i = 0; i < c->n; i++) {
		int rc;

		if (!(g->asked >> i & 1u))
			continue;
		rc = release_on(&c->node[i], g, node_ms, node_ms, e);
		*released += rc == 1;
		*failed += rc < 0;
	}
}

/*
 * Redlock (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).
 * One token for the whole wait; each try asks the nodes in order and
 * stops early once a majority is out of reach (that try has failed
 * anyway). A node that does not answer within the node time-out counts as
 * a "no", and its connection is made anew on the next try.
 */
static int redis_acquire_majority(struct lock_conn *c, const char *name, int ttl_ms, int wait_ms,
				  struct lock_grant *g, struct rb_err *e)
{
	uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(wait_ms > 0 ? wait_ms : 0) * 1000000u;
	uint64_t delay = BACKOFF_FIRST_US;
	int quorum = redlock_quorum(c->n),
	    node_ms = redlock_node_timeout_ms(ttl_ms, c->command_timeout_ms);
	struct rb_err last;

	memset(g, 0, sizeof(*g));
	rb_err_clear(&last);
	if (make_key(c, "lock", name, g->key, sizeof(g->key), e) < 0 || new_token(g->token, e) < 0)
		return -1;
	for (;;) {
		uint64_t t1 = now_ns();
		int oks = 0, errors = 0, released, failed;

		g->nodes = g->asked = 0;
		for (int i = 0; i < c->n && oks + (c->n - i) >= quorum; i++) {
			struct rnode *nd = &c->node[i];
			int rc = -1;

			if (ready_in(nd, node_ms, node_ms, &last) == 0) {
				g->asked |= 1u << i;
				rc = set_nx(nd, g, ttl_ms, &last);
			}
			if (rc == 1) {
				oks++;
				g->nodes |= 1u << i;
			}
			errors += rc < 0;
		}
		g->validity_ms = redlock_validity_ms(ttl_ms, (now_ns() - t1) / 1000);
		g->waited_us = (now_ns() - t0) / 1000;
		if (oks >= quorum && g->validity_ms > 0)
			return 1;
		release_asked(c, g, node_ms, &released, &failed, &last);
		if (!backoff(c, &delay, deadline)) {
			/* Not a wait that ran out: most nodes did not answer at all. */
			if (errors >= quorum) {
				*e = last;
				return -1;
			}
			return 0;
		}
	}
}

static int redis_release_all(struct lock_conn *c, const struct lock_grant *g, struct rb_err *e)
{
	int quorum = redlock_quorum(c->n), released, failed;

	/* The grant does not keep its lease: the longest node time-out. */
	release_asked(c, g, redlock_node_timeout_ms(INT_MAX, c->command_timeout_ms), &released,
		      &failed, e);
	if (released >= quorum)
		return 1;
	/* Nodes that did not answer may still hold it: unknown, not expired. */
	return released + failed >= quorum && failed ? -1 : 0;
}
/* ---- administration ---------------------------------------------------- */

/* The glob matching exactly the keys prefix:kind:* (prefix glob-escaped). */
static void prefix_pattern(const char *prefix, const char *kind, char *out, size_t n)
{
	size_t o = 0;

	for (const char *p = prefix; *p && o + 3 < n; p++) {
		if (strchr("*?[]\\", *p))
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o] = '\0';
	str_printf(out + o, n - o, ":%s:*", kind);
}

/*
 * Deletes, of a SCAN batch, the keys racebench made: a string whose value
 * has the shape racebench writes there (a lock's 32 hex digits of token, a
 * fence's counter), checked and deleted in one step on the server. A key a
 * user keeps under the same prefix, of another shape, stays.
 */
static const char clear_script[] = "local n = 0 "
				   "for _, k in ipairs(KEYS) do "
				   "  if redis.call('TYPE', k).ok == 'string' then "
				   "    local v = redis.call('GET', k) "
				   "    if string.len(v) <= 40 and string.match(v, ARGV[1]) then "
				   "      redis.call('DEL', k) n = n + 1 "
				   "    end "
				   "  end "
				   "end "
				   "return n";

static int del_ours(struct rnode *nd, const redisReply *keys, const char *shape, struct rb_err *e)
{
	const char **argv;
	size_t *lens, k = keys->elements;
	char nkeys[24];
	redisReply *r;

	if (k == 0)
		return 0;
	argv = xcalloc(k + 4, sizeof(*argv));
	lens = xcalloc(k + 4, sizeof(*lens));
	snprintf(nkeys, sizeof(nkeys), "%zu", k);
	argv[0] = "EVAL";
	argv[1] = clear_script;
	argv[2] = nkeys;
	for (size_t i = 0; i < k; i++) {
		argv[i + 3] = keys->element[i]->str;
		lens[i + 3] = keys->element[i]->len;
	}
	argv[k + 3] = shape;
	for (size_t i = 0; i < k + 4; i++)
		if (!lens[i])
			lens[i] = strlen(argv[i]);
	conn_busy(&nd->watch);
	r = redisCommandArgv(nd->ctx, (int)k + 4, argv, lens);
	conn_idle(&nd->watch);
	free(argv);
	free(lens);
	if (!r || nd->ctx->err) {
		freeReplyObject(r);
		return ctx_fail(nd, "EVAL (clean-up)", e);
	}
	if (r->type != REDIS_REPLY_INTEGER)
		return reply_fail(nd, r, "EVAL (clean-up)", e);
	freeReplyObject(r);
	return 0;
}

/* SCANs the keys prefix:kind:* and deletes those of racebench's shape. */
static int clear_kind(struct lock_conn *c, struct rnode *nd, const char *kind, const char *shape,
		      struct rb_err *e)
{
	char pattern[2 * sizeof(c->prefix) + 16], cursor[32] = "0";

	prefix_pattern(c->prefix, kind, pattern, sizeof(pattern));
	do {
		redisReply *r = cmd(nd, e, "SCAN", "SCAN %s MATCH %s COUNT 500", cursor, pattern);
		const redisReply *keys;

		if (!r)
			return -1;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[1]->type != REDIS_REPLY_ARRAY ||
		    r->element[0]->len >= sizeof(cursor))
			return reply_fail(nd, r, "SCAN", e);
		keys = r->element[1];
		for (size_t i = 0; i < keys->elements; i++)
			if (keys->element[i]->type != REDIS_REPLY_STRING)
				return reply_fail(nd, r, "SCAN", e);
		memcpy(cursor, r->element[0]->str, r->element[0]->len);
		cursor[r->element[0]->len] = '\0';
		if (del_ours(nd, keys, shape, e) < 0) {
			freeReplyObject(r);
			return -1;
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* The run's locks and fencing counters, and nothing else under the prefix, on every node. */
static int redis_clear(struct lock_conn *c, struct rb_err *e)
{
	for (int i = 0; i < c->n; i++) {
		struct rnode *nd = &c->node[i];

		if (ready(c, nd, e) < 0)
			return -1;
		if (clear_kind(c, nd, "lock",
			       "^%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x%x$",
			       e) < 0)
			return -1;
		if (clear_kind(c, nd, "fence", "^%d+$", e) < 0)
			return -1;
	}
	return 0;
}

/* The value of "name:" in an INFO text, copied into out; 0 when present. */
static int info_field(const char *info, const char *name, char *out, size_t n)
{
	size_t len = strlen(name);

	for (const char *p = info; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, name, len) && p[len] == ':') {
			const char *v = p + len + 1;
			size_t vlen = strcspn(v, "\r\n");

			snprintf(out, n, "%.*s", (int)vlen, v);
			return 0;
		}
	}
	return -1;
}

static void add_setting(struct server_info *out, const char *name, const char *value)
{
	if (out->nsettings >= SERVER_SETTINGS)
		return;
	str_copy(out->settings[out->nsettings].name, name, sizeof(out->settings[0].name));
	str_copy(out->settings[out->nsettings].value, value, sizeof(out->settings[0].value));
	out->nsettings++;
}

/*
 * appendfsync, when the AOF is on (Redlock's safety across a restart
 * depends on it). A server that refuses CONFIG (a managed one may rename
 * it) just does not say.
 */
static int appendfsync(struct rnode *nd, struct server_info *out, struct rb_err *e)
{
	redisReply *r;

	for (int i = 0; i < out->nsettings; i++) {
		if (strcmp(out->settings[i].name, "appendonly") ||
		    strcmp(out->settings[i].value, "yes"))
			continue;
		r = cmd(nd, e, "CONFIG GET appendfsync", "CONFIG GET appendfsync");
		if (!r)
			return -1;
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
		    r->element[1]->type == REDIS_REPLY_STRING)
			add_setting(out, "appendfsync", r->element[1]->str);
		freeReplyObject(r);
		break;
	}
	return 0;
}

/*
 * Product and version from INFO, and the settings a lock depends on: the
 * eviction policy (allkeys-* may evict a held lock), persistence (a
 * restart without it forgets every lock: appendonly and appendfsync) and
 * the replication role (a failover may lose a lock not yet replicated).
 * Node 1's, and how many nodes Redlock has ("nodes", when more than one).
 */
static int redis_server_info(struct lock_conn *c, struct server_info *out, struct rb_err *e)
{
	static const char *const fields[][2] = {
		{ "redis_mode", "redis_mode" },
		{ "role", "role" },
		{ "maxmemory_policy", "maxmemory-policy" },
		{ "aof_enabled", "appendonly" },
	};
	struct rnode *nd = &c->node[0];
	char value[64];
	redisReply *r;

	memset(out, 0, sizeof(*out));
	if (ready(c, nd, e) < 0)
		return -1;
	r = cmd(nd, e, "INFO", "INFO");
	if (!r)
		return -1;
	if (r->type != REDIS_REPLY_STRING)
		return reply_fail(nd, r, "INFO", e);
	str_copy(out->product, "Redis", sizeof(out->product));
	if (info_field(r->str, "server_name", value, sizeof(value)) == 0 &&
	    !strcmp(value, "valkey"))
		str_copy(out->product, "Valkey", sizeof(out->product));
	if (info_field(r->str, out->product[0] == 'V' ? "valkey_version" : "redis_version",
		       out->version, sizeof(out->version)) < 0)
		str_copy(out->version, "unknown", sizeof(out->version));
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (info_field(r->str, fields[i][0], value, sizeof(value)) == 0)
			add_setting(out, fields[i][1],
				    !strcmp(fields[i][0], "aof_enabled")
					    ? (value[0] == '1' ? "yes" : "no")
					    : value);
	freeReplyObject(r);
	if (appendfsync(nd, out, e) < 0)
		return -1;
	if (c->n > 1) {
		snprintf(value, sizeof(value), "%d (the settings above are node 1's)", c->n);
		add_setting(out, "nodes", value);
	}
	return 0;
}

/* One URL fit to print: its password as ***; a URL that does not parse, not at all. */
static void redact_one(const char *url, char *out, size_t n)
{
	struct redis_url u;

	if (redis_url_parse(url ? url : "", &u, NULL) < 0)
		str_copy(out, "(a malformed URL, not shown)", n);
	else
		url_redact(url, NULL, out, n);
}

/* Each URL of the list redacted, commas kept. */
static void redis_redact(const char *url, char *out, size_t n)
{
	int k = redis_urls_count(url);

	if (k <= 1) {
		redact_one(url, out, n);
		return;
	}
	out[0] = '\0';
	for (int i = 0; i < k; i++) {
		char one[1024], shown[1024];

		if (redis_urls_item(url, i, one, sizeof(one)) < 0)
			str_copy(shown, "(a malformed URL, not shown)", sizeof(shown));
		else
			redact_one(one, shown, sizeof(shown));
		str_printf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", shown);
	}
}

static int check_one(const char *url, struct rb_err *e)
{
	struct redis_url u;

	/* Not echoed: a URL may carry a password. */
	if (strncmp(url, "redis://", 8) && strncmp(url, "unix://", 7))
		return rb_err_input(
			e, "not a redis://[:password@]host[:port][/db] or unix:///path URL");
	if (redis_url_parse(url, &u, e) < 0) {
		e->input = 1;
		return -1;
	}
	return 0;
}

/* One URL, or a comma list of them (Redlock's nodes): each is checked. */
static int redis_check_url(const char *url, struct rb_err *e)
{
	int k = redis_urls_count(url);

	if (k <= 1)
		return check_one(url, e);
	if (k > REDLOCK_MAX_NODES)
		return rb_err_input(e, "%d URLs: Redlock takes at most %d nodes", k,
				    REDLOCK_MAX_NODES);
	for (int i = 0; i < k; i++) {
		char one[1024], why[sizeof(e->msg)];

		if (redis_urls_item(url, i, one, sizeof(one)) < 0)
			return rb_err_input(e, "URL %d of %d is longer than %zu bytes", i + 1, k,
					    sizeof(one) - 1);
		if (!*one)
			return rb_err_input(e, "URL %d of %d is empty (a stray comma?)", i + 1, k);
		if (check_one(one, e) < 0) {
			str_copy(why, e->msg, sizeof(why));
			return rb_err_input(e, "URL %d of %d: %.400s", i + 1, k, why);
		}
	}
	return 0;
}

static int redis_nodes(const char *url)
{
	int k = redis_urls_count(url);

	return k > 0 ? k : 1;
}

static const struct topology_info redlock_topology = {
	.name = "redlock",
	.server = "redis-nodes",
	.dsn_file = "redis-nodes.url",
	.replica_file = NULL,
	.summary = "Redlock over independent Redis masters (3 by default; "
		   "RACEBENCH_REDIS_NODES, RACEBENCH_REDIS_FSYNC=always)",
};

const struct lock_service lock_service_redis = {
	.name = "redis",
	.product = "Redis",
	.option = "redis",
	.option_arg = "URL",
	.option_help = "your Redis for the redis-* strategies: redis://host:port;\n"
		       "a comma list of URLs: Redlock's nodes (redlock; the others\n"
		       "use the first)",
	.env = "RACEBENCH_REDIS",
	.password_env = "REDISCLI_AUTH",
	.server = "redis",
	.topology = &redlock_topology,
	.xNodes = redis_nodes,
	.xCheckUrl = redis_check_url,
	.summary =
		"Redis (hiredis): SET NX PX with a random token, Lua compare-and-delete release; "
		"Redlock over several",
	.xConnect = redis_connect,
	.xClose = redis_close,
	.xAcquire = redis_acquire,
	.xRelease = redis_release,
	.xAcquireMajority = redis_acquire_majority,
	.xReleaseAll = redis_release_all,
	.xClear = redis_clear,
	.xServerInfo = redis_server_info,
	.xRedact = redis_redact,
};
