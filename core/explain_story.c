/* explain_story.c: what an explain run's events say, in sentences. */
#define _POSIX_C_SOURCE 200809L
#include "explain_result.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/util.h"

static void add(struct explain_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add(struct explain_result *r, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (r->nstory == (int)ARRAY_SIZE(r->story))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	r->story[r->nstory++] = xstrdup(buf);
}

static int starts(const char *s, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(s, w, n) && (s[n] == ' ' || s[n] == '\0');
}

/* A statement that opens a transaction (PostgreSQL's or MySQL's words). */
static int begins(const char *sql)
{
	return starts(sql, "BEGIN") || starts(sql, "START");
}

/* The word after the first top-level occurrence of " KEY " in s, into out. */
static int word_after(const char *s, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key), i = 0;

	for (const char *p = s; *p; p++) {
		if (*p == ' ' && !strncasecmp(p + 1, key, kl) && p[kl + 1] == ' ') {
			p += kl + 2;
			while (p[i] && p[i] != ' ' && p[i] != '(' && i + 1 < n) {
				out[i] = p[i];
				i++;
			}
			out[i] = '\0';
			return i > 0;
		}
	}
	return 0;
}

void explain_stmt_label(const char *sql, char *out, size_t n)
{
	char t[64];

	if (starts(sql, "SELECT") && word_after(sql, "FROM", t, sizeof(t))) {
		snprintf(out, n, "SELECT ... FROM %s%s", t,
			 strstr(sql, "FOR UPDATE") ? " FOR UPDATE" : "");
	} else if (starts(sql, "INSERT") && word_after(sql, "INTO", t, sizeof(t))) {
		snprintf(out, n, "INSERT INTO %s%s", t,
			 strstr(sql, "ON CONFLICT")		   ? " ... ON CONFLICT"
				 : strstr(sql, "ON DUPLICATE KEY") ? " ... ON DUPLICATE KEY"
								   : "");
	} else if (starts(sql, "UPDATE")) {
		sscanf(sql + 7, "%63s", t);
		snprintf(out, n, "UPDATE %s", t);
	} else if (starts(sql, "DELETE") && word_after(sql, "FROM", t, sizeof(t))) {
		snprintf(out, n, "DELETE FROM %s", t);
	} else if (!strncmp(sql, "Redis ", 6) && strstr(sql, " (")) {
		snprintf(out, n, "%.*s", (int)(strstr(sql, " (") - sql), sql);
	} else if (strlen(sql) > 48) {
		snprintf(out, n, "%.45s...", sql);
	} else {
		snprintf(out, n, "%s", sql);
	}
}

static const char *nm(const struct explain_result *r, int s)
{
	return s >= 0 && s < r->sched.nsessions ? r->sched.sess[s].name : "?";
}

/* "A3 (INSERT INTO interest_asset)" */
static void ref(const struct explain_result *r, const struct ex_event *e, char *out, size_t n)
{
	char label[96];

	char step[48];

	explain_stmt_label(e->text, label, sizeof(label));
	snprintf(out, n, "%s (%s)", ex_label(step, sizeof(step), nm(r, e->session), e->step),
		 label);
}

static void failure(const struct ex_event *e, char *out, size_t n)
{
	snprintf(out, n, "%s%s%s%s", rb_class_name(e->cls), e->code[0] ? " (" : "", e->code,
		 e->code[0] ? ")" : "");
}

/* The event index of the step's completion after index from, or -1. */
static int completion_of(const struct explain_result *r, int from)
{
	const struct ex_event *w = &r->ev[from];

	for (int i = from + 1; i < r->nevents; i++)
		if (r->ev[i].kind == EXE_DONE && r->ev[i].session == w->session &&
		    r->ev[i].step == w->step)
			return i;
	return -1;
}

/* Whether session s paused to retry after event from (before its next BEGIN). */
static int retried_after(const struct explain_result *r, int from, int s)
{
	for (int i = from + 1; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];

		if (e->session != s)
			continue;
		if (e->kind == EXE_PAUSE && !strcmp(e->text, "retry"))
			return 1;
		if ((e->kind == EXE_STMT || e->kind == EXE_WAIT) && begins(e->text))
			return 0;
	}
	return 0;
}

static void tell_wait(struct explain_result *r, int wi)
{
	const struct ex_event *w = &r->ev[wi];
	int di = completion_of(r, wi);
	const struct ex_event *d = di >= 0 ? &r->ev[di] : NULL;
	const char *what = w->lock == 2 ? "the Redis lock"
		: w->lock == 1		? "the advisory lock"
					: "a lock";
	char me[160], by[160], how[160], wl[48];

	ref(r, w, me, sizeof(me));
	ex_label(wl, sizeof(wl), nm(r, w->session), w->step);
	if (!d) {
		add(r, "%s was still waiting for %s at %s when the play ended.", nm(r, w->session),
		    what, me);
		return;
	}
	if (d->failed)
		failure(d, how, sizeof(how));
	if (d->waker >= 0 && r->ev[d->waker].session != w->session) {
		const struct ex_event *k = &r->ev[d->waker];

		ref(r, k, by, sizeof(by));
		if (k->kind == EXE_WAIT && d->failed)
			add(r,
			    "%s waited for %s at %s; when %s waited for %s in turn, the server "
			    "found a deadlock and %s failed: %s.",
			    nm(r, w->session), what, me, by, nm(r, w->session), wl, how);
		else if (d->failed)
			add(r,
			    "%s waited for %s held by %s at %s until %s released it; then %s "
			    "failed: %s.",
			    nm(r, w->session), what, nm(r, k->session), me, by, wl, how);
		else if (k->failed)
			add(r,
			    "%s waited for %s held by %s at %s until %s failed and %s's "
			    "transaction was rolled back; then %s went on: %s.",
			    nm(r, w->session), what, nm(r, k->session), me, by, nm(r, k->session),
			    wl, d->result ? d->result : "ok");
		else
			add(r,
			    "%s waited for %s held by %s at %s until %s released it; then %s "
			    "went on: %s.",
			    nm(r, w->session), what, nm(r, k->session), me, by, wl,
			    d->result ? d->result : "ok");
		return;
	}
	if (d->failed)
		add(r, "%s waited for %s at %s until the server gave up on it: %s.",
		    nm(r, w->session), what, me, how);
	else
		add(r, "%s waited for %s at %s; then it went on: %s.", nm(r, w->session), what, me,
		    d->result ? d->result : "ok");
}

/* Why an operation rolls back with no error: what the strategy checks. */
static const char *own_reason(const char *strategy)
{
	if (!strcmp(strategy, "optimistic"))
		return "its versioned write changed no row, since another session had moved the "
		       "version on";
	if (!strcmp(strategy, "check-after"))
		return "its re-check before COMMIT found the invariant broken";
	if (!strcmp(strategy, "redis-expiry-fenced"))
		return "its fencing token was older than the one the row had seen";
	return "the operation gave up";
}

/* A ROLLBACK at event ri that no failed statement of that transaction explains. */
static int unexplained_rollback(const struct explain_result *r, int ri)
{
	int s = r->ev[ri].session;

	for (int i = ri - 1; i >= 0; i--) {
		const struct ex_event *e = &r->ev[i];

		if (e->session != s || (e->kind != EXE_STMT && e->kind != EXE_DONE))
			continue;
		if (e->failed)
			return 0;
		if (begins(e->text))
			return 1;
	}
	return 1;
}

void explain_story(struct explain_result *r)
{
	int waits = 0, fails = 0;
	char buf[1024], how[160], me[160];
	size_t o;

	for (int i = 0; i < r->nstory; i++)
		free(r->story[i]);
	r->nstory = 0;
	for (int i = 0; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];

		if (e->kind == EXE_WAIT) {
			waits++;
			tell_wait(r, i);
		} else if (e->kind == EXE_STMT && e->failed) {
			fails++;
			ref(r, e, me, sizeof(me));
			failure(e, how, sizeof(how));
			add(r, "%s failed with %s: %s%s", me, how, e->msg ? e->msg : "",
			    retried_after(r, i, e->session) ? "; the strategy retries it." : ".");
		} else if (e->kind == EXE_DONE && e->failed) {
			fails++;
			if (retried_after(r, i, e->session))
				add(r, "%s rolled back and retried.", nm(r, e->session));
		} else if (e->kind == EXE_STMT && starts(e->text, "ROLLBACK") &&
			   unexplained_rollback(r, i)) {
			fails++;
			add(r, "%s rolled back without a database error: %s%s", nm(r, e->session),
			    own_reason(r->strategy),
			    retried_after(r, i, e->session) ? "; it retried." : ".");
		}
	}
	o = (size_t)snprintf(buf, sizeof(buf), "In the end");
	for (int s = 0, first = 1; s < r->sched.nsessions; s++) {
		for (int i = 0; i < r->nevents && o < sizeof(buf); i++) {
			const struct ex_event *e = &r->ev[i];

			if (e->kind != EXE_END || e->session != s)
				continue;
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s %s %s",
					      first ? "" : ";", nm(r, s),
					      strncmp(e->text, "end: ", 5) ? e->text : e->text + 5);
			first = 0;
		}
	}
	if (o < sizeof(buf))
		snprintf(buf + o, sizeof(buf) - o, ".");
	add(r, "%s", buf);
	if (r->anomalous) {
		o = (size_t)snprintf(buf, sizeof(buf), "The invariant broke:");
		for (int k = 0, first = 1; k < r->nkinds && o < sizeof(buf); k++) {
			if (!r->anomalies[k])
				continue;
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s %s %lld",
					      first ? "" : ",", r->kinds[k], r->anomalies[k]);
			first = 0;
		}
		if (o < sizeof(buf))
			snprintf(buf + o, sizeof(buf) - o, "%s",
				 waits || fails ? "."
						: ". Nothing made a session wait or fail, so "
						  "each one acted on what it had read.");
		add(r, "%s", buf);
	} else {
		add(r, "The invariant held: no anomaly.");
	}
}
