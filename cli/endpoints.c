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

/* Whether --topology names t (a driver's or the lock service's). */
static int topology_asked(const struct options *o, const struct topology_info *t)
{
	return o->topology && t && !strcmp(o->topology, t->name);
}

/*
 * The topology a database's endpoints make: several nodes in its DSN, or
 * a replica beside it (NULL: one server).
 */
static void topologies_of(struct endpoints *ep)
{
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct driver *d = drivers[i];

		if (ep->dsn[i] && d->topology &&
		    (ep->replica[i] || (d->xNodes && d->xNodes(ep->dsn[i]) > 1)))
			ep->topology[i] = d->topology->name;
	}
	if (ep->lock_url && lock_service->topology && lock_service->xNodes &&
	    lock_service->xNodes(ep->lock_url) > 1)
		ep->lock_topology = lock_service->topology->name;
}

int endpoints_open(struct endpoints *ep, const struct options *o, unsigned dbs, int want_lock,
		   struct rb_err *e)
{
	char need[128] = "";
	int topo[MAX_ENDPOINTS] = { 0 }, lock_topo = 0;

	memset(ep, 0, sizeof(*ep));
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct driver *d = drivers[i];

		if (!(dbs >> i & 1))
			continue;
		ep->dsn[i] = o->dsn[i] ? o->dsn[i] : env_nonempty(d->env);
		/* An option was checked as it was parsed; a variable is checked here. */
		if (ep->dsn[i] && !o->dsn[i] && d->xCheckDsn && d->xCheckDsn(ep->dsn[i], e) < 0)
			return rb_err_input(e, "%s: %.480s", d->env, e->msg);
		ep->replica[i] = o->replica[i];
		if (schema_ok(o, d, ep->dsn[i], e) < 0)
			return -1;
		if (topology_asked(o, d->topology)) {
			/* checked while parsing: no DSN of one's own beside it */
			ep->dsn[i] = NULL;
			topo[i] = 1;
			ep->throwaway[i] = 1;
			need_add(need, sizeof(need), d->topology->server);
		} else if (!ep->dsn[i]) {
			ep->throwaway[i] = 1;
			need_add(need, sizeof(need), d->server);
		}
	}
	if (want_lock && lock_service) {
		ep->lock_url = o->lock_url ? o->lock_url : env_nonempty(lock_service->env);
		if (ep->lock_url && !o->lock_url && lock_service->xCheckUrl &&
		    lock_service->xCheckUrl(ep->lock_url, e) < 0)
			return rb_err_input(e, "%s: %.480s", lock_service->env, e->msg);
		if (topology_asked(o, lock_service->topology)) {
			ep->lock_url = NULL;
			lock_topo = 1;
			ep->lock_throwaway = 1;
			need_add(need, sizeof(need), lock_service->topology->server);
		} else if (!ep->lock_url) {
			ep->lock_throwaway = 1;
			need_add(need, sizeof(need), lock_service->server);
		}
	}
	if (!*need) {
		topologies_of(ep);
		return 0;
	}
	if (!o->plan.quiet)
		fprintf(stderr, "racebench: starting throwaway servers (%s) ...\n", need);
	{
		char delay[64] = "";
		const char *env[2] = { NULL, NULL };

		for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++)
			if (topo[i] && drivers[i]->topology->delay_env && o->replica_delay_ms >= 0)
				snprintf(delay, sizeof(delay), "%s=%d",
					 drivers[i]->topology->delay_env, o->replica_delay_ms);
		env[0] = *delay ? delay : NULL;
		if (servers_start_env(&ep->srv, need, env, e) < 0)
			return -1;
	}
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct topology_info *t = drivers[i]->topology;

		if (!ep->throwaway[i])
			continue;
		if (!topo[i]) {
			ep->dsn[i] = servers_dsn(&ep->srv, drivers[i]->server);
			continue;
		}
		servers_read(&ep->srv, t->dsn_file, ep->topo_dsn[i], sizeof(ep->topo_dsn[i]));
		ep->dsn[i] = ep->topo_dsn[i];
		if (t->replica_file) {
			servers_read(&ep->srv, t->replica_file, ep->topo_replica[i],
				     sizeof(ep->topo_replica[i]));
			ep->replica[i] = ep->topo_replica[i];
		}
	}
	if (lock_topo) {
		servers_read(&ep->srv, lock_service->topology->dsn_file, ep->lock_topo_url,
			     sizeof(ep->lock_topo_url));
		ep->lock_url = ep->lock_topo_url;
	} else if (ep->lock_throwaway) {
		ep->lock_url = servers_dsn(&ep->srv, lock_service->server);
	}
	topologies_of(ep);
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
