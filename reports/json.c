/* json.c: the JSON report (jansson), the source of truth for every other tool. */
#define _GNU_SOURCE /* strptime, timegm */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"

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

static json_t *cell_json(const struct cell_result *c, int gated)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "db", c->db, "scenario",
			      c->scenario, "strategy", c->strategy, "isolation",
			      rb_iso_name(c->iso), "effective_isolation", rb_iso_name(c->eff_iso),
			      "verdict", verdict_name(c->verdict));
	json_t *kinds, *errors, *failures, *examples;

	if (c->verdict == V_NA) {
		json_object_set_new(j, "na_reason", json_string(c->na_reason));
		if (gated)
			broken_json(j, c->broken, c->nbroken);
		return j;
	}
	if (c->verdict == V_ABORTED)
		json_object_set_new(j, "abort_reason", json_string(c->abort_msg));
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

static json_t *server_json(const struct run_server *s)
{
	json_t *settings = json_object();

	for (int i = 0; i < s->info.nsettings; i++)
		json_object_set_new(settings, s->info.settings[i].name,
				    json_string(s->info.settings[i].value));
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:o}", "db", s->db, "product", s->info.product,
			 "version", s->info.version, "throwaway", s->throwaway, "dsn", s->dsn,
			 "settings", settings);
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
		json_array_append_new(cells, cell_json(&r->cells[i], r->gated));
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
	json_object_set_new(root, "params",
			    json_pack("{s:i, s:i, s:i, s:i, s:f, s:f, s:I, s:I, s:I, s:I, s:I}",
				      "clients", r->clients, "trials", r->trials, "keys", r->keys,
				      "retries", r->retries, "think_ms", r->think_ms, "tail_ms",
				      r->tail_ms, "seed", (json_int_t)r->seed, "quantity",
				      (json_int_t)r->quantity, "balance", (json_int_t)r->balance,
				      "price", (json_int_t)r->price, "amount",
				      (json_int_t)r->amount));
	if (r->mode && !strcmp(r->mode, "load")) {
		json_t *load =
			json_pack("{s:f, s:I, s:f, s:s, s:f}", "duration_s", r->duration_s, "ops",
				  (json_int_t)r->ops_target, "rate", r->rate, "arrival",
				  r->arrival ? r->arrival : "closed", "warmup_s", r->warmup_s);

		json_object_update(json_object_get(root, "params"), load);
		json_decref(load);
	}
	json_object_set_new(root, "servers", servers);
	json_object_set_new(root, "cells", cells);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(root);
	return rc < 0 || ferror(f) ? -1 : 0;
}

/*
 * Reading a report back (racebench check, --baseline). Every field the
 * writer puts there is required, so that what is read writes out the same;
 * fields the writer does not know are ignored. Each failure names the JSON
 * path of the bad field ("cells[3].latency_us.p99: expected an integer").
 */
struct jr {
	struct run_result *r;
	struct rb_err *e;
};

static int jr_bad(struct jr *j, const char *where, const char *key, const char *what)
{
	if (!*where && !key)
		return rb_err_set(j->e, RB_CLS_OTHER, NULL, 0, "%s", what);
	return rb_err_set(j->e, RB_CLS_OTHER, NULL, 0, "%s%s%s: %s", where,
			  *where && key ? "." : "", key ? key : "", what);
}

/* The member key of obj, of type t (JSON_REAL means any number). */
static json_t *jr_get(struct jr *j, json_t *obj, const char *where, const char *key, json_type t,
		      int required)
{
	static const char *const tname[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number",    [JSON_TRUE] = "true or false",
	};
	json_t *v = json_object_get(obj, key);
	int ok;

	if (!v) {
		if (required)
			jr_bad(j, where, key, "missing");
		return NULL;
	}
	switch (t) {
	case JSON_REAL: ok = json_is_number(v); break;
	case JSON_TRUE: ok = json_is_boolean(v); break;
	default: ok = json_typeof(v) == t; break;
	}
	if (!ok) {
		char msg[64];

		snprintf(msg, sizeof(msg), "expected %s", tname[t]);
		jr_bad(j, where, key, msg);
		return NULL;
	}
	return v;
}

static int jr_ll(struct jr *j, json_t *obj, const char *where, const char *key, long long *out)
{
	json_t *v = jr_get(j, obj, where, key, JSON_INTEGER, 1);

	if (!v)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int jr_int(struct jr *j, json_t *obj, const char *where, const char *key, int *out)
{
	long long v;

	if (jr_ll(j, obj, where, key, &v) < 0)
		return -1;
	if (v < -2147483647LL || v > 2147483647LL)
		return jr_bad(j, where, key, "out of range");
	*out = (int)v;
	return 0;
}

static int jr_u64(struct jr *j, json_t *obj, const char *where, const char *key, uint64_t *out)
{
	long long v;

	if (jr_ll(j, obj, where, key, &v) < 0)
		return -1;
	if (v < 0)
		return jr_bad(j, where, key, "negative");
	*out = (uint64_t)v;
	return 0;
}

static int jr_num(struct jr *j, json_t *obj, const char *where, const char *key, double *out)
{
	json_t *v = jr_get(j, obj, where, key, JSON_REAL, 1);

	if (!v)
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int jr_bool(struct jr *j, json_t *obj, const char *where, const char *key, int *out)
{
	json_t *v = jr_get(j, obj, where, key, JSON_TRUE, 1);

	if (!v)
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* A string owned by the result; NULL (and e set) when missing or not a string. */
static const char *jr_str(struct jr *j, json_t *obj, const char *where, const char *key)
{
	json_t *v = jr_get(j, obj, where, key, JSON_STRING, 1);

	return v ? result_strdup(j->r, json_string_value(v)) : NULL;
}

/* A string copied into buf[n]; too long is malformed (it would not round-trip). */
static int jr_buf(struct jr *j, json_t *obj, const char *where, const char *key, char *buf,
		  size_t n)
{
	json_t *v = jr_get(j, obj, where, key, JSON_STRING, 1);

	if (!v)
		return -1;
	if (json_string_length(v) >= n) {
		char msg[64];

		snprintf(msg, sizeof(msg), "longer than %zu characters", n - 1);
		return jr_bad(j, where, key, msg);
	}
	str_copy(buf, json_string_value(v), n);
	return 0;
}

static int jr_lat(struct jr *j, json_t *obj, const char *where, const char *key,
		  struct lat_summary *l)
{
	json_t *v = jr_get(j, obj, where, key, JSON_OBJECT, 1);
	char at[64];

	if (!v)
		return -1;
	snprintf(at, sizeof(at), "%s.%s", where, key);
	if (jr_u64(j, v, at, "count", &l->count) < 0 || jr_u64(j, v, at, "p50", &l->p50) < 0 ||
	    jr_u64(j, v, at, "p90", &l->p90) < 0 || jr_u64(j, v, at, "p99", &l->p99) < 0 ||
	    jr_u64(j, v, at, "p99_9", &l->p999) < 0 || jr_u64(j, v, at, "max", &l->max) < 0 ||
	    jr_num(j, v, at, "mean", &l->mean) < 0)
		return -1;
	return 0;
}

/* The gate's findings: "broken" and "broken_count", when the report was gated. */
static int jr_broken(struct jr *j, json_t *obj, const char *where, char (*broken)[BROKEN_LEN],
		     int *nbroken)
{
	json_t *a = jr_get(j, obj, where, "broken", JSON_ARRAY, 1), *v;
	size_t i;

	if (!a || jr_int(j, obj, where, "broken_count", nbroken) < 0)
		return -1;
	if (*nbroken < (int)json_array_size(a) || (int)json_array_size(a) > MAX_BROKEN)
		return jr_bad(j, where, "broken_count", "does not match the list \"broken\"");
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) >= BROKEN_LEN)
			return jr_bad(j, where, "broken", "expected strings (shorter than 200)");
		str_copy(broken[i], json_string_value(v), BROKEN_LEN);
	}
	return 0;
}

/* A counter per name in names, each required: "errors" and "failures". */
static int jr_counts(struct jr *j, json_t *obj, const char *where, const char *key,
		     const char *(*name)(int), int from, int to, long long *out)
{
	json_t *v = jr_get(j, obj, where, key, JSON_OBJECT, 1);
	char at[64];

	if (!v)
		return -1;
	snprintf(at, sizeof(at), "%s.%s", where, key);
	for (int k = from; k < to; k++)
		if (jr_ll(j, v, at, name(k), &out[k]) < 0)
			return -1;
	return 0;
}

static const char *class_name_at(int k)
{
	return rb_class_name((enum rb_class)k);
}

static int jr_cell(struct jr *j, json_t *o, const char *at, struct cell_result *c)
{
	const char *iso, *eff, *verdict;
	json_t *kinds, *ex, *lock, *v;
	const char *key;
	int l;

	if (!(c->db = jr_str(j, o, at, "db")) || !(c->scenario = jr_str(j, o, at, "scenario")) ||
	    !(c->strategy = jr_str(j, o, at, "strategy")) ||
	    !(iso = jr_str(j, o, at, "isolation")) ||
	    !(eff = jr_str(j, o, at, "effective_isolation")) ||
	    !(verdict = jr_str(j, o, at, "verdict")))
		return -1;
	if ((l = rb_iso_parse(iso)) < 0 || strcmp(iso, rb_iso_name((enum rb_iso)l)))
		return jr_bad(j, at, "isolation", "not one of ru, rc, rr, ser");
	c->iso = (enum rb_iso)l;
	if ((l = rb_iso_parse(eff)) < 0 || strcmp(eff, rb_iso_name((enum rb_iso)l)))
		return jr_bad(j, at, "effective_isolation", "not one of ru, rc, rr, ser");
	c->eff_iso = (enum rb_iso)l;
	for (l = V_NA; l <= V_ABORTED && strcmp(verdict, verdict_name((enum verdict)l)); l++)
		;
	if (l > V_ABORTED)
		return jr_bad(j, at, "verdict", "not one of safe, anomaly, errors, aborted, n/a");
	c->verdict = (enum verdict)l;
	if (c->verdict == V_NA) {
		if (jr_get(j, o, at, "na_reason", JSON_STRING, 0))
			c->na_reason = jr_str(j, o, at, "na_reason");
		else if (j->e->msg[0])
			return -1;
		goto gate;
	}
	if (c->verdict == V_ABORTED &&
	    jr_buf(j, o, at, "abort_reason", c->abort_msg, sizeof(c->abort_msg)) < 0)
		return -1;
	if (jr_ll(j, o, at, "trials", &c->trials) < 0 ||
	    jr_ll(j, o, at, "anomalous_trials", &c->anomalous_trials) < 0 ||
	    !(kinds = jr_get(j, o, at, "anomalies", JSON_OBJECT, 1)))
		return -1;
	if (json_object_size(kinds) > SC_MAX_KINDS)
		return jr_bad(j, at, "anomalies", "more kinds than racebench keeps");
	json_object_foreach(kinds, key, v)
	{
		if (!json_is_integer(v))
			return jr_bad(j, at, "anomalies", "expected integer counts");
		c->kinds[c->nkinds] = result_strdup(j->r, key);
		c->anomalies[c->nkinds++] = json_integer_value(v);
	}
	if (jr_ll(j, o, at, "ops", &c->ops) < 0 || jr_ll(j, o, at, "committed", &c->done) < 0 ||
	    jr_ll(j, o, at, "declined", &c->declined) < 0 ||
	    jr_ll(j, o, at, "failed", &c->failed) < 0 ||
	    jr_counts(j, o, at, "failures", fail_reason_name, 1, FR__COUNT, c->failures) < 0 ||
	    jr_ll(j, o, at, "retries", &c->retries) < 0 ||
	    jr_counts(j, o, at, "errors", class_name_at, 1, RB_CLS__COUNT, c->errors) < 0 ||
	    !(ex = jr_get(j, o, at, "error_examples", JSON_OBJECT, 1)))
		return -1;
	for (int k = 1; k < RB_CLS__COUNT; k++) {
		char where[64];

		snprintf(where, sizeof(where), "%s.error_examples", at);
		if (json_object_get(ex, rb_class_name((enum rb_class)k)) &&
		    jr_buf(j, ex, where, rb_class_name((enum rb_class)k), c->examples[k],
			   EXAMPLE_LEN) < 0)
			return -1;
	}
	if (jr_lat(j, o, at, "latency_us", &c->lat) < 0)
		return -1;
	lock = jr_get(j, o, at, "lock", JSON_OBJECT, 0);
	if (!lock && j->e->msg[0])
		return -1;
	if (lock) {
		char where[64];

		snprintf(where, sizeof(where), "%s.lock", at);
		c->has_lock = 1;
		if (jr_lat(j, lock, where, "acquire_wait_us", &c->lock_wait) < 0 ||
		    jr_ll(j, lock, where, "acquire_timeouts", &c->lock_timeouts) < 0 ||
		    jr_ll(j, lock, where, "leases_expired", &c->lease_expired) < 0)
			return -1;
	}
	if (json_object_get(o, "lag_us")) {
		c->has_lag = 1;
		if (jr_lat(j, o, at, "lag_us", &c->lag) < 0)
			return -1;
	}
	if (jr_num(j, o, at, "seconds", &c->seconds) < 0 ||
	    jr_num(j, o, at, "throughput", &c->throughput) < 0)
		return -1;
gate:
	if (j->r->gated)
		return jr_broken(j, o, at, c->broken, &c->nbroken);
	return 0;
}

static int jr_server(struct jr *j, json_t *o, const char *at, struct run_server *s)
{
	json_t *set, *v;
	const char *key;

	if (!(s->db = jr_str(j, o, at, "db")) ||
	    jr_buf(j, o, at, "product", s->info.product, sizeof(s->info.product)) < 0 ||
	    jr_buf(j, o, at, "version", s->info.version, sizeof(s->info.version)) < 0 ||
	    jr_bool(j, o, at, "throwaway", &s->throwaway) < 0 ||
	    jr_buf(j, o, at, "dsn", s->dsn, sizeof(s->dsn)) < 0 ||
	    !(set = jr_get(j, o, at, "settings", JSON_OBJECT, 1)))
		return -1;
	if (json_object_size(set) > SERVER_SETTINGS)
		return jr_bad(j, at, "settings", "more settings than racebench keeps");
	json_object_foreach(set, key, v)
	{
		int i = s->info.nsettings++;
		char where[64];

		snprintf(where, sizeof(where), "%s.settings", at);
		if (strlen(key) >= sizeof(s->info.settings[i].name))
			return jr_bad(j, where, key, "setting name too long");
		str_copy(s->info.settings[i].name, key, sizeof(s->info.settings[i].name));
		if (jr_buf(j, set, where, key, s->info.settings[i].value,
			   sizeof(s->info.settings[i].value)) < 0)
			return -1;
	}
	return 0;
}

static int jr_run(struct jr *j, json_t *root)
{
	struct run_result *r = j->r;
	json_t *v, *tool, *params, *servers, *cells, *gate;
	const char *when;
	struct tm tm;
	long long sv;
	size_t i;

	if (!json_is_object(root))
		return jr_bad(j, "", NULL, "not a racebench report (expected a JSON object)");
	if (!json_object_get(root, "schema_version"))
		return jr_bad(j, "", NULL, "not a racebench report (no schema_version)");
	if (jr_ll(j, root, "", "schema_version", &sv) < 0)
		return -1;
	if (sv != JSON_SCHEMA_VERSION)
		return rb_err_set(j->e, RB_CLS_OTHER, NULL, 0,
				  "schema_version %lld: this racebench reads version %d", sv,
				  JSON_SCHEMA_VERSION);
	if (!(tool = jr_get(j, root, "", "tool", JSON_OBJECT, 1)) ||
	    !(v = jr_get(j, tool, "tool", "name", JSON_STRING, 1)))
		return -1;
	if (strcmp(json_string_value(v), "racebench"))
		return jr_bad(j, "tool", "name", "not \"racebench\"");
	if (!(r->mode = jr_str(j, root, "", "mode")) ||
	    !(when = jr_str(j, root, "", "started_at")) ||
	    jr_num(j, root, "", "wall_seconds", &r->wall_seconds) < 0 ||
	    jr_bool(j, root, "", "aborted", &r->aborted) < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	{
		const char *end = strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm);

		if (!end || *end)
			return jr_bad(j, "", "started_at", "not a time like 2024-05-01T12:00:00Z");
	}
	r->started_at = timegm(&tm);
	if (r->aborted &&
	    jr_buf(j, root, "", "abort_reason", r->abort_msg, sizeof(r->abort_msg)) < 0)
		return -1;
	gate = jr_get(j, root, "", "gate", JSON_OBJECT, 0);
	if (!gate && j->e->msg[0])
		return -1;
	if (gate) {
		r->gated = 1;
		if (jr_bool(j, gate, "gate", "failed", &r->gate_failed) < 0 ||
		    jr_broken(j, gate, "gate", r->broken, &r->nbroken) < 0)
			return -1;
	}
	if (!(params = jr_get(j, root, "", "params", JSON_OBJECT, 1)) ||
	    jr_int(j, params, "params", "clients", &r->clients) < 0 ||
	    jr_int(j, params, "params", "trials", &r->trials) < 0 ||
	    jr_int(j, params, "params", "keys", &r->keys) < 0 ||
	    jr_int(j, params, "params", "retries", &r->retries) < 0 ||
	    jr_num(j, params, "params", "think_ms", &r->think_ms) < 0 ||
	    jr_num(j, params, "params", "tail_ms", &r->tail_ms) < 0 ||
	    jr_u64(j, params, "params", "seed", &r->seed) < 0 ||
	    jr_ll(j, params, "params", "quantity", &r->quantity) < 0 ||
	    jr_ll(j, params, "params", "balance", &r->balance) < 0 ||
	    jr_ll(j, params, "params", "price", &r->price) < 0 ||
	    jr_ll(j, params, "params", "amount", &r->amount) < 0)
		return -1;
	if (!strcmp(r->mode, "load") &&
	    (jr_num(j, params, "params", "duration_s", &r->duration_s) < 0 ||
	     jr_ll(j, params, "params", "ops", &r->ops_target) < 0 ||
	     jr_num(j, params, "params", "rate", &r->rate) < 0 ||
	     !(r->arrival = jr_str(j, params, "params", "arrival")) ||
	     jr_num(j, params, "params", "warmup_s", &r->warmup_s) < 0))
		return -1;
	if (!(servers = jr_get(j, root, "", "servers", JSON_ARRAY, 1)))
		return -1;
	if (json_array_size(servers) > ARRAY_SIZE(r->servers))
		return jr_bad(j, "", "servers", "more servers than racebench keeps");
	json_array_foreach(servers, i, v)
	{
		char at[32];

		snprintf(at, sizeof(at), "servers[%zu]", i);
		if (!json_is_object(v))
			return jr_bad(j, at, NULL, "expected an object");
		if (jr_server(j, v, at, &r->servers[r->nservers++]) < 0)
			return -1;
	}
	if (!(cells = jr_get(j, root, "", "cells", JSON_ARRAY, 1)))
		return -1;
	json_array_foreach(cells, i, v)
	{
		char at[32];

		snprintf(at, sizeof(at), "cells[%zu]", i);
		if (!json_is_object(v))
			return jr_bad(j, at, NULL, "expected an object");
		if (jr_cell(j, v, at, result_add_cell(r)) < 0)
			return -1;
	}
	return 0;
}

int report_json_read(FILE *f, struct run_result *r, struct rb_err *e)
{
	struct jr j = { .r = r, .e = e };
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(r, 0, sizeof(*r));
	rb_err_clear(e);
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "not valid JSON: line %d: %s",
				  jerr.line, jerr.text);
	rc = jr_run(&j, root);
	json_decref(root);
	return rc;
}
