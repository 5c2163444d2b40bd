/* cmd_run.c: racebench run and load: the matrix, its reports and its gate. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/util.h"
#include "../core/fault.h"
#include "../core/matrix.h"
#include "cli.h"

/* Whether any selected strategy needs the lock service. */
static int wants_lock(const struct options *o)
{
	for (int s = 0; s < ST__COUNT; s++)
		if ((o->plan.strategies >> s & 1) && strategy_uses_redis((enum strategy)s))
			return 1;
	return 0;
}

/*
 * The lock service's server, for the report (srv), and a clean slate under
 * the run's key prefix: a run that was killed may have left locks behind.
 * At the end (final), only the clean-up. Returns 0, or -1 with the run's
 * abort message set.
 */
static int lock_server(struct matrix *st, struct run_server *srv, int final)
{
	const struct lock_opts *lo = &st->o->cfg.lock;
	struct lock_conn *c = NULL;
	struct rb_err e;
	char shown[256];

	rb_err_clear(&e);
	if (lock_service->xConnect(lo, &c, &e) < 0 ||
	    (!final && lock_service->xServerInfo(c, &srv->info, &e) < 0) ||
	    lock_service->xClear(c, &e) < 0) {
		lock_service->xClose(c);
		lock_service->xRedact(lo->url, shown, sizeof(shown));
		str_printf(st->r->abort_msg, sizeof(st->r->abort_msg), "%s (%s): %s",
			   lock_service->name, shown, e.msg);
		return -1;
	}
	lock_service->xClose(c);
	if (!final) {
		srv->db = lock_service->name;
		lock_service->xRedact(lo->url, srv->dsn, sizeof(srv->dsn));
	}
	return 0;
}

/* What the report says about how the run was made. */
static void result_params(struct run_result *r, const struct options *o)
{
	const struct matrix_plan *p = &o->plan;

	r->mode = p->load ? "load" : "race";
	if (p->load) {
		r->duration_s = (double)p->load_cfg.duration_us / 1e6;
		r->ops_target = p->load_cfg.ops;
		r->rate = p->load_cfg.rate;
		r->arrival = p->load_cfg.rate > 0 ? (p->load_cfg.poisson ? "poisson" : "fixed")
						  : "closed";
		r->warmup_s = (double)p->load_cfg.warmup_us / 1e6;
	}
	r->started_at = time(NULL);
	r->seed = p->cfg.seed;
	r->clients = p->cfg.clients;
	r->trials = p->cfg.trials;
	r->keys = p->cfg.sc.keys;
	r->retries = p->cfg.retries;
	if (p->nclients > 1 || p->nkeys > 1) {
		r->nsweep_clients = p->nclients;
		memcpy(r->sweep_clients, p->sweep_clients, sizeof(r->sweep_clients));
		r->nsweep_keys = p->nkeys;
		memcpy(r->sweep_keys, p->sweep_keys, sizeof(r->sweep_keys));
	}
	r->think_ms = (double)p->cfg.sc.think_us / 1000.0;
	r->tail_ms = (double)p->cfg.tail_us / 1000.0;
	for (int i = 0; i < o->nsc; i++)
		if (p->scenarios >> i & 1)
			knob_set_of(&r->knobs, o->sc[i], &p->cfg.sc);
}

/* The lock service's part of the run's configuration. */
static void lock_cfg(struct options *o, const struct endpoints *ep, char *prefix, size_t n)
{
	struct run_cfg *cfg = &o->plan.cfg;

	cfg->lock.url = ep->lock_url;
	cfg->locks = lock_service;
	snprintf(prefix, n, "racebench:%s", o->plan.schema);
	cfg->lock.prefix = prefix;
	cfg->lock.connect_timeout_ms = o->plan.connect_timeout_s * 1000;
	cfg->lock.command_timeout_ms = 10000;
}

/*
 * The topologies the endpoints make, into the plan. A topology's own
 * fixes join the default selection only where the run is on it; named
 * with --strategy elsewhere, they are n/a cells with the reason.
 */
static void topology_plan(struct options *o, const struct endpoints *ep)
{
	struct matrix_plan *p = &o->plan;

	for (int i = 0; drivers[i] && i < 8; i++) {
		p->replica[i] = ep->replica[i];
		p->topology[i] = ep->topology[i];
	}
	p->lock_topology = ep->lock_topology;
	if (o->strategies_given)
		return;
	for (int s = 0; s < ST__COUNT; s++) {
		const char *t = strategy_info((enum strategy)s)->topology;
		int on = 0;

		if (!t)
			continue;
		for (int i = 0; drivers[i] && i < 8; i++)
			on |= (p->dbs >> i & 1) && p->topology[i] && !strcmp(p->topology[i], t);
		on |= p->lock_topology && !strcmp(p->lock_topology, t);
		if (!on)
			p->strategies &= ~(1u << s);
	}
}

/*
 * --fault: the plan acts on the nodes of the topology racebench started.
 * Returns 0, or -1 with e (bad input) when it names a node there is not.
 */
static int faults_setup(struct options *o, struct endpoints *ep, struct rb_err *e)
{
	struct fault_plan *f = &o->faults;

	if (!o->faults_given)
		return 0;
	for (int i = 0; drivers[i] && i < MAX_ENDPOINTS; i++) {
		const struct topology_info *t = drivers[i]->topology;

		if (!t || strcmp(t->name, o->topology) || !ep->dsn[i])
			continue;
		f->topology = t->server;
		f->nodes = t->replica_file ? 2
					   : drivers[i]->xNodes ? drivers[i]->xNodes(ep->dsn[i]) : 1;
	}
	if (lock_service && lock_service->topology && ep->lock_url &&
	    !strcmp(lock_service->topology->name, o->topology)) {
		f->topology = lock_service->topology->server;
		f->nodes = lock_service->xNodes ? lock_service->xNodes(ep->lock_url) : 1;
	}
	if (!f->topology)
		return rb_err_input(e, "--fault: the run has no %s topology to act on", o->topology);
	if (faults_max_node(f) > f->nodes)
		return rb_err_input(e, "--fault: node %d, and the %s topology has nodes 1 to %d",
				    faults_max_node(f), o->topology, f->nodes);
	f->srv = &ep->srv;
	o->plan.load_cfg.fault = faults_tick;
	o->plan.load_cfg.fault_arg = f;
	return 0;
}

/*
 * --fault redlock-restart: the nodes it acts on are the lock service's,
 * and they must be a topology scripts/servers.sh started: racebench's own
 * (--topology redlock), or the user's in --nodes-dir (not a single
 * throwaway Redis). Returns 0 (*out NULL without it), or -1 with e (bad
 * input).
 */
static int fault_setup(struct options *o, const struct endpoints *ep, struct fault **out,
		       struct rb_err *e)
{
	const char *dir = o->nodes_dir ? o->nodes_dir : getenv("RACEBENCH_SERVERS_DIR");
	int ours = ep->lock_throwaway && ep->lock_topology;

	*out = NULL;
	if (o->fault < 0)
		return 0;
	if (ours)
		dir = ep->srv.dir;
	if (!ep->lock_url || (ep->lock_throwaway && !ours))
		return rb_err_input(e,
				    "--fault %s needs the nodes' URLs: --%s URL1,URL2,URL3 (as "
				    "`scripts/servers.sh --dir DIR env` prints them)",
				    fault_name((enum fault_kind)o->fault), lock_service->option);
	if (fault_open(out, (enum fault_kind)o->fault, lock_service->topology, dir, ep->lock_url,
		       lock_service->xNodes ? lock_service->xNodes(ep->lock_url) : 1, e) < 0)
		return -1;
	o->plan.cfg.fault = fault_hook;
	o->plan.cfg.fault_arg = *out;
	return 0;
}

/*
 * After the matrix: the gate, the reports, the summary. Returns the exit
 * code (before a stop's, which wins).
 */
static int finish(struct options *o, struct run_result *r, struct gate_in *gi, int rc,
		  struct rb_err *e)
{
	int broken = 0, lost = 0;

	if (rc < 0) {
		r->aborted = 1;
		fprintf(stderr, "racebench: %s\n", r->abort_msg);
		if (gi->on)
			fprintf(stderr, "racebench: gate not evaluated: the run did not finish\n");
	} else if (gi->on) {
		broken = gate_eval(&gi->g, r);
	}
	if (r->ncells > 0 || !r->aborted)
		lost = reports_write(o, r) < 0;
	else
		outs_remove_stale(o);
	if (r->gated)
		gate_summary(stderr, &gi->g, r, o->plan.quiet);
	return rc < 0 ? exit_for(e) : lost ? EXIT_INFRA : broken ? EXIT_GATE : 0;
}

int cmd_run(struct options *o)
{
	struct run_result r = { 0 };
	struct matrix st;
	struct endpoints ep;
	struct gate_in gi;
	struct run_guard g;
	struct run_server lock_srv = { 0 };
	struct fault *fault = NULL;
	char lock_prefix[80];
	int rc, code, stopped;
	uint64_t t0 = now_ns();
	struct rb_err e;

	if (outs_check(o, &e) < 0 || gate_in_open(o, &gi, NULL, &e) < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		return exit_for(&e);
	}
	if (!o->plan.cfg.seed)
		o->plan.cfg.seed =
			((uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid()) & 0xffffffffffffu;
	/* Before any throwaway starts: a fault's nodes are --topology redlock's, or given. */
	if (o->fault >= 0 && !o->lock_url && !o->topology &&
	    !(getenv(lock_service->env) && *getenv(lock_service->env))) {
		rb_err_input(&e,
			     "--fault %s needs the nodes' URLs: --%s URL1,URL2,URL3 (as "
			     "`scripts/servers.sh --dir DIR env` prints them)",
			     fault_name((enum fault_kind)o->fault), lock_service->option);
		fprintf(stderr, "racebench: %s\n", e.msg);
		gate_in_close(&gi);
		return exit_for(&e);
	}
	result_params(&r, o);
	guard_start(&g, o);
	rc = endpoints_open(&ep, o, o->plan.dbs, wants_lock(o), &e);
	if (rc == 0)
		rc = faults_setup(o, &ep, &e);
	if (rc == 0)
		rc = fault_setup(o, &ep, &fault, &e);
	if (rc < 0) {
		fprintf(stderr, "racebench: %s\n", e.msg);
		endpoints_close(&ep, 0);
		gate_in_close(&gi);
		guard_stop(&g);
		return exit_for(&e);
	}
	topology_plan(o, &ep);
	lock_srv.throwaway = ep.lock_throwaway;
	str_copy(lock_srv.topology, ep.lock_topology ? ep.lock_topology : "",
		 sizeof(lock_srv.topology));
	lock_cfg(o, &ep, lock_prefix, sizeof(lock_prefix));
	o->plan.cfg.stop = &g.stop;
	matrix_init(&st, &o->plan, &r,
		    o->plan.quiet	       ? 0
			    : o->progress >= 0 ? o->progress
					       : isatty(2),
		    &g.stop);
	st.total_cells = matrix_count_cells(&o->plan);

	rb_err_clear(&e);
	if (ep.lock_url && (rc = lock_server(&st, &lock_srv, 0)) < 0)
		rb_err_set(&e, RB_CLS_OTHER, NULL, 0, "%s", r.abort_msg);
	if (rc == 0)
		rc = matrix_run(&st, ep.dsn, ep.throwaway, &e);
	if (rc == 0 && o->run_explain)
		matrix_explains(&st, ep.dsn);
	if (lock_srv.db && (size_t)r.nservers < ARRAY_SIZE(r.servers)) {
		r.servers[r.nservers++] = lock_srv;
		/* The run is over: a Redis gone by now costs its keys, not the report. */
		if (rc == 0 && !o->plan.keep_schema && lock_server(&st, &lock_srv, 1) < 0) {
			if (!o->plan.quiet)
				fprintf(stderr,
					"racebench: warning: could not remove the run's %s keys: "
					"%s\n",
					lock_service->product, r.abort_msg);
			r.abort_msg[0] = '\0';
		}
	}
	if (st.progress)
		fprintf(stderr, "\r\033[K");
	endpoints_close(&ep, o->keep_servers);
	fault_close(fault);
	r.wall_seconds = (double)(now_ns() - t0) / 1e9;
	if (rc < 0 && e.input) {
		/* A refusal (the tool's schema taken by someone else): nothing ran. */
		fprintf(stderr, "racebench: %s\n", e.msg);
		code = EXIT_USAGE;
	} else {
		code = finish(o, &r, &gi, rc, &e);
	}
	result_release(&r);
	matrix_release(&st);
	gate_in_close(&gi);
	/* Last: until here a second Ctrl-C must not kill the clean-up. */
	stopped = guard_stop(&g);
	return stopped ? stopped : code;
}
