/* json.c: the JSON report (jansson), the source of truth for every other tool. */
#define _POSIX_C_SOURCE 200809L
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/util.h"
#include "../core/explain_result.h"
#include "../core/isolation.h"
#include "timeline.h"

#define VERSION_STRING RACEBENCH_VERSION

static json_t *lat_json(const struct lat_summary *l)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f}", "count", (json_int_t)l->count,
			 "p50", (json_int_t)l->p50, "p90", (json_int_t)l->p90, "p99",
			 (json_int_t)l->p99, "p99_9", (json_int_t)l->p999, "max",
			 (json_int_t)l->max, "mean", l->mean);
}

/* The gate's findings, present only when the run was gated. */
static void broken_json(json_t *j, const char (*broken)[BROKEN_LEN], int nbroken)
{
	json_t *a = json_array();

	for (int i = 0; i < nbroken && i < MAX_BROKEN; i++)
		json_array_append_new(a, json_string(broken[i]));
	json_object_set_new(j, "broken", a);
	json_object_set_new(j, "broken_count", json_integer(nbroken));
}

static json_t *cell_json(const struct cell_result *c, int gated, int sweep)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "db", c->db, "scenario",
			      c->scenario, "strategy", c->strategy, "isolation",
			      rb_iso_name(c->iso), "effective_isolation", rb_iso_name(c->eff_iso),
			      "verdict", verdict_name(c->verdict));
	json_t *kinds, *errors, *failures, *examples;

	/* A sweep's cells differ by their point; a run at one point says it once, in params. */
	if (sweep && c->verdict != V_NA) {
		json_object_set_new(j, "clients", json_integer(c->clients));
		json_object_set_new(j, "keys", json_integer(c->keys));
	}

	if (c->verdict == V_NA) {
		json_object_set_new(j, "na_reason", json_string(c->na_reason));
		if (gated)
			broken_json(j, c->broken, c->nbroken);
		return j;
	}
	if (c->verdict == V_ABORTED)
		json_object_set_new(j, "abort_reason", json_string(c->abort_msg));
	if (c->faults[0])
		json_object_set_new(j, "faults", json_string(c->faults));
	kinds = json_object();
	for (int k = 0; k < c->nkinds; k++)
		json_object_set_new(kinds, c->kinds[k], json_integer(c->anomalies[k]));
	errors = json_object();
	examples = json_object();
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		json_object_set_new(errors, rb_class_name((enum rb_class)k),
				    json_integer(c->errors[k]));
		if (c->examples[k][0])
			json_object_set_new(examples, rb_class_name((enum rb_class)k),
					    json_string(c->examples[k]));
	}
	failures = json_object();
	for (int k = 1; k < FR__COUNT; k++)
		json_object_set_new(failures, fail_reason_name(k), json_integer(c->failures[k]));
	json_object_set_new(j, "trials", json_integer(c->trials));
	json_object_set_new(j, "anomalous_trials", json_integer(c->anomalous_trials));
	json_object_set_new(j, "reproduction_rate", json_real(cell_rate(c)));
	json_object_set_new(j, "anomalies", kinds);
	json_object_set_new(j, "ops", json_integer(c->ops));
	json_object_set_new(j, "committed", json_integer(c->done));
	json_object_set_new(j, "declined", json_integer(c->declined));
	json_object_set_new(j, "failed", json_integer(c->failed));
	json_object_set_new(j, "failures", failures);
	json_object_set_new(j, "retries", json_integer(c->retries));
	json_object_set_new(j, "errors", errors);
	json_object_set_new(j, "error_examples", examples);
	json_object_set_new(j, "latency_us", lat_json(&c->lat));
	if (c->has_lock) {
		json_t *lock = json_object();

		json_object_set_new(lock, "acquire_wait_us", lat_json(&c->lock_wait));
		json_object_set_new(lock, "acquire_timeouts", json_integer(c->lock_timeouts));
		json_object_set_new(lock, "leases_expired", json_integer(c->lease_expired));
		/* Only Redlock cells count it: elsewhere it would be a 0 nobody measured. */
		if (c->counts_holders)
			json_object_set_new(lock, "two_holders", json_integer(c->two_holders));
		json_object_set_new(j, "lock", lock);
	}
	if (c->has_lag)
		json_object_set_new(j, "lag_us", lat_json(&c->lag));
	json_object_set_new(j, "seconds", json_real(c->seconds));
	json_object_set_new(j, "throughput", json_real(c->throughput));
	if (gated)
		broken_json(j, c->broken, c->nbroken);
	return j;
}

/*
 * A cell of racebench isolation: the test's outcome and how, the
 * statement that waited or failed first, each session's reads with their
 * values, and the whole play (schedule, events, check, story).
 */
static json_t *iso_cell_json(const struct run_result *r, const struct cell_result *c, int gated)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "db", c->db, "isolation",
			      rb_iso_name(c->iso), "test", c->scenario, "outcome",
			      isolation_outcome(c->verdict), "verdict", verdict_name(c->verdict));
	const struct explain_result *p = c->play >= 0 && c->play < r->nexplains
						 ? &r->explains[c->play]
						 : NULL;

	if (c->verdict == V_NA) {
		json_object_set_new(j, "na_reason", json_string(c->na_reason));
	} else {
		json_t *kinds = json_object(), *reads = json_array();

		json_object_set_new(j, "how", json_string(c->how));
		json_object_set_new(j, "detail", json_string(c->detail));
		if (c->verdict == V_ABORTED)
			json_object_set_new(j, "abort_reason", json_string(c->abort_msg));
		for (int k = 0; k < c->nkinds; k++)
			json_object_set_new(kinds, c->kinds[k], json_integer(c->anomalies[k]));
		json_object_set_new(j, "anomalies", kinds);
		for (int i = 0; p && i < p->nevents; i++) {
			const struct ex_event *e = &p->ev[i];

			if ((e->kind != EXE_STMT && e->kind != EXE_DONE) || e->failed || !e->text ||
			    strncasecmp(e->text, "SELECT", 6))
				continue;
			json_array_append_new(reads,
					      json_pack("{s:s, s:i, s:s, s:s}", "session",
							p->sched.sess[e->session].name, "step",
							e->step, "sql", e->text, "result",
							e->result ? e->result : ""));
		}
		json_object_set_new(j, "reads", reads);
		json_object_set_new(j, "seconds", json_real(c->seconds));
		if (p)
			json_object_set_new(j, "play", timeline_json_object(p));
	}
	if (gated)
		broken_json(j, c->broken, c->nbroken);
	return j;
}

static json_t *server_json(const struct run_server *s)
{
	json_t *settings = json_object();

	for (int i = 0; i < s->info.nsettings; i++)
		json_object_set_new(settings, s->info.settings[i].name,
				    json_string(s->info.settings[i].value));
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:s, s:o}", "db", s->db, "product",
			      s->info.product, "version", s->info.version, "throwaway", s->throwaway,
			      "dsn", s->dsn, "settings", settings);

	/* Only on a topology: a one-server report reads as before. */
	if (*s->topology)
		json_object_set_new(o, "topology", json_string(s->topology));
	if (*s->replica)
		json_object_set_new(o, "replica", json_string(s->replica));
	return o;
}

static json_t *int_array(const int *v, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

/* params.sweep: the points, each list ascending (one value: the dimension was not swept). */
static json_t *sweep_params(const struct run_result *r)
{
	int c1 = r->clients, k1 = r->keys;

	return json_pack("{s:o, s:o}", "clients",
			 r->nsweep_clients > 1 ? int_array(r->sweep_clients, r->nsweep_clients)
					       : int_array(&c1, 1),
			 "keys",
			 r->nsweep_keys > 1 ? int_array(r->sweep_keys, r->nsweep_keys)
					    : int_array(&k1, 1));
}

/*
 * series: each cell (db, scenario, strategy, level) once, with its points
 * in the order measured: the curve a chart draws. The cells array holds
 * the same figures in full, one entry per point.
 */
static json_t *series_json(const struct run_result *r)
{
	json_t *all = json_array();
	char *done = calloc((size_t)r->ncells + 1, 1);

	for (int i = 0; done && i < r->ncells; i++) {
		const struct cell_result *a = &r->cells[i];
		json_t *pts;

		if (done[i] || a->verdict == V_NA)
			continue;
		pts = json_array();
		for (int j = i; j < r->ncells; j++) {
			const struct cell_result *b = &r->cells[j];

			if (done[j] || b->verdict == V_NA || strcmp(a->db, b->db) ||
			    strcmp(a->scenario, b->scenario) || strcmp(a->strategy, b->strategy) ||
			    a->iso != b->iso)
				continue;
			done[j] = 1;
			json_array_append_new(
				pts, json_pack("{s:i, s:i, s:s, s:I, s:f, s:I, s:I, s:I}", "clients",
					       b->clients, "keys", b->keys, "verdict",
					       verdict_name(b->verdict), "ops", (json_int_t)b->ops,
					       "throughput", b->throughput, "p50_us",
					       (json_int_t)b->lat.p50, "p99_us", (json_int_t)b->lat.p99,
					       "failed", (json_int_t)b->failed));
		}
		json_array_append_new(all, json_pack("{s:s, s:s, s:s, s:s, s:o}", "db", a->db,
						     "scenario", a->scenario, "strategy",
						     a->strategy, "isolation", rb_iso_name(a->iso),
						     "points", pts));
	}
	free(done);
	return all;
}

int report_json(FILE *f, const struct run_result *r, const struct report_opts *o)
{
	json_t *root, *servers = json_array(), *cells = json_array();
	char when[32];
	struct tm tm;
	int rc;

	(void)o;
	gmtime_r(&r->started_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < r->nservers; i++)
		json_array_append_new(servers, server_json(&r->servers[i]));
	for (int i = 0; i < r->ncells; i++)
		json_array_append_new(cells, r->mode && !strcmp(r->mode, "isolation")
						     ? iso_cell_json(r, &r->cells[i], r->gated)
						     : cell_json(&r->cells[i], r->gated,
								 report_is_sweep(r)));
	root = json_pack("{s:i, s:{s:s, s:s}, s:s, s:s, s:f, s:b}", "schema_version",
			 JSON_SCHEMA_VERSION, "tool", "name", "racebench", "version",
			 VERSION_STRING, "mode", r->mode, "started_at", when, "wall_seconds",
			 r->wall_seconds, "aborted", r->aborted);
	if (r->aborted)
		json_object_set_new(root, "abort_reason", json_string(r->abort_msg));
	if (r->gated) {
		json_t *gate = json_pack("{s:b, s:b}", "applied", 1, "failed", r->gate_failed);

		broken_json(gate, r->broken, r->nbroken);
		json_object_set_new(root, "gate", gate);
	}
	{
		json_t *knobs = json_object();

		for (int i = 0; i < r->knobs.n; i++)
			json_object_set_new(knobs, r->knobs.k[i].name,
					    json_integer(r->knobs.k[i].value));
		json_object_set_new(root, "params",
				    json_pack("{s:i, s:i, s:i, s:i, s:f, s:f, s:I, s:o}", "clients",
					      r->clients, "trials", r->trials, "keys", r->keys,
					      "retries", r->retries, "think_ms", r->think_ms,
					      "tail_ms", r->tail_ms, "seed", (json_int_t)r->seed,
					      "knobs", knobs));
	}
	if (r->mode && !strcmp(r->mode, "load")) {
		json_t *load =
			json_pack("{s:f, s:I, s:f, s:s, s:f}", "duration_s", r->duration_s, "ops",
				  (json_int_t)r->ops_target, "rate", r->rate, "arrival",
				  r->arrival ? r->arrival : "closed", "warmup_s", r->warmup_s);

		json_object_update(json_object_get(root, "params"), load);
		json_decref(load);
	}
	if (report_is_sweep(r)) {
		json_object_set_new(json_object_get(root, "params"), "sweep", sweep_params(r));
		json_object_set_new(root, "series", series_json(r));
	}
	json_object_set_new(root, "servers", servers);
	json_object_set_new(root, "cells", cells);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(root);
	return rc < 0 || ferror(f) ? -1 : 0;
}
