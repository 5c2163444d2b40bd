/*
 * endpoints.c: where the databases are, and the signals, for every command
 * that talks to a server (run, load, explain).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "cli.h"

/* An environment variable that is set and not empty (empty counts as unset). */
static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * Refuses a --schema that is the server's own, or the user's database,
 * before anything starts (dsn NULL: a throwaway).
 */
static int schema_ok(const struct options *o, const struct driver *d, const char *dsn,
		     struct rb_err *e)
{
	if (db_schema_allowed(d, dsn, o->plan.schema, o->plan.force_schema, e) == 0)
		return 0;
	return rb_err_input(e, "%s: %.480s", d->name, e->msg);
}

/* Appends a server's name to need ("pg mysql"). */
static void need_add(char *need, size_t n, const char *server)
{
	str_printf(need + strlen(need), n - strlen(need), "%s%s", *need ? " " : "", server);
}

int endpoints_open(struct endpoints *ep, const struct options *o, unsigned dbs, int want_lock,
		   struct rb_err *e)
{
	char need[128] = "";

	memset(ep, 0, sizeof(*ep));
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct driver *d = drivers[i];

		if (!(dbs >> i & 1))
			continue;
		ep->dsn[i] = o->dsn[i] ? o->dsn[i] : env_nonempty(d->env);
		/* An option was checked as it was parsed; a variable is checked here. */
		if (ep->dsn[i] && !o->dsn[i] && d->xCheckDsn && d->xCheckDsn(ep->dsn[i], e) < 0)
			return rb_err_input(e, "%s: %.480s", d->env, e->msg);
		if (schema_ok(o, d, ep->dsn[i], e) < 0)
			return -1;
		if (!ep->dsn[i]) {
			ep->throwaway[i] = 1;
			need_add(need, sizeof(need), d->server);
		}
	}
	if (want_lock && lock_service) {
		ep->lock_url = o->lock_url ? o->lock_url : env_nonempty(lock_service->env);
		if (ep->lock_url && !o->lock_url && lock_service->xCheckUrl &&
		    lock_service->xCheckUrl(ep->lock_url, e) < 0)
			return rb_err_input(e, "%s: %.480s", lock_service->env, e->msg);
		if (!ep->lock_url) {
			ep->lock_throwaway = 1;
			need_add(need, sizeof(need), lock_service->server);
		}
	}
	if (!*need)
		return 0;
	if (!o->plan.quiet)
		fprintf(stderr, "racebench: starting throwaway servers (%s) ...\n", need);
	if (servers_start(&ep->srv, need, e) < 0)
		return -1;
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++)
		if (ep->throwaway[i])
			ep->dsn[i] = servers_dsn(&ep->srv, drivers[i]->server);
	if (ep->lock_throwaway)
		ep->lock_url = servers_dsn(&ep->srv, lock_service->server);
	return 0;
}

void endpoints_close(struct endpoints *ep, int keep)
{
	if (keep && ep->srv.started) {
		fprintf(stderr,
			"racebench: servers kept running in %s; to use them:\n"
			"  eval \"$(%s --dir %s env)\"\nstop them with: %s --dir %s stop\n",
			ep->srv.dir, ep->srv.script, ep->srv.dir, ep->srv.script, ep->srv.dir);
		return;
	}
	servers_stop(&ep->srv);
}

void guard_start(struct run_guard *g, const struct options *o)
{
	atomic_init(&g->stop, 0);
	memset(&g->wd, 0, sizeof(g->wd));
	watchdog_start(&g->wd, &g->stop, (unsigned)o->plan.statement_timeout_ms);
}

int guard_stop(struct run_guard *g)
{
	int sig;

	watchdog_stop(&g->wd);
	sig = atomic_load(&g->stop);
	return sig ? 128 + sig : 0;
}
