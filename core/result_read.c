/*
 * result_read.c: a saved JSON report read back into the result model
 * (racebench check, --baseline). The writer is reports/json.c; this reads
 * what it writes, and nothing here renders.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include "result_read.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/util.h"

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

/* params.sweep.{clients,keys}: ascending whole numbers, at most 16 each. */
static int jr_points(struct jr *j, json_t *sw, const char *key, int *out, int *n)
{
	json_t *a = json_object_get(sw, key), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) < 1 || json_array_size(a) > 16)
		return jr_bad(j, "params.sweep", key, "not a list of 1 to 16 numbers");
	json_array_foreach(a, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 1000000 ||
		    (i && json_integer_value(v) <= out[i - 1]))
			return jr_bad(j, "params.sweep", key, "not ascending whole numbers");
		out[i] = (int)json_integer_value(v);
	}
	*n = (int)json_array_size(a);
	return 0;
}

static int jr_sweep(struct jr *j, json_t *params, struct run_result *r)
{
	json_t *sw = json_object_get(params, "sweep");

	if (!json_is_object(sw))
		return jr_bad(j, "params", "sweep", "not an object");
	return jr_points(j, sw, "clients", r->sweep_clients, &r->nsweep_clients) < 0 ||
			       jr_points(j, sw, "keys", r->sweep_keys, &r->nsweep_keys) < 0
		       ? -1
		       : 0;
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

/* A cell's anomalies object: kind -> count, at most SC_MAX_KINDS. */
static int jr_kinds(struct jr *j, json_t *kinds, const char *at, struct cell_result *c)
{
	const char *key;
	json_t *v;

	if (json_object_size(kinds) > SC_MAX_KINDS)
		return jr_bad(j, at, "anomalies", "more kinds than racebench keeps");
	json_object_foreach(kinds, key, v)
	{
		if (!json_is_integer(v))
			return jr_bad(j, at, "anomalies", "expected integer counts");
		c->kinds[c->nkinds] = result_strdup(j->r, key);
		c->anomalies[c->nkinds++] = json_integer_value(v);
	}
	return 0;
}

static int jr_cell(struct jr *j, json_t *o, const char *at, struct cell_result *c)
{
	const char *iso, *eff, *verdict;
	json_t *kinds, *ex, *lock;
	int l;

	if (!(c->db = jr_str(j, o, at, "db")) || !(c->scenario = jr_str(j, o, at, "scenario")) ||
	    !(c->strategy = jr_str(j, o, at, "strategy")) ||
	    !(iso = jr_str(j, o, at, "isolation")) ||
	    !(eff = jr_str(j, o, at, "effective_isolation")) ||
	    !(verdict = jr_str(j, o, at, "verdict")))
		return -1;
	if ((l = rb_iso_parse(iso)) < 0 || strcmp(iso, rb_iso_name((enum rb_iso)l)))
		return jr_bad(j, at, "isolation", "not one of ru, rc, rr, ser, rr+si");
	c->iso = (enum rb_iso)l;
	if ((l = rb_iso_parse(eff)) < 0 || strcmp(eff, rb_iso_name((enum rb_iso)l)))
		return jr_bad(j, at, "effective_isolation", "not one of ru, rc, rr, ser, rr+si");
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
	/* Optional: a sweep's point (else the run's, filled in by the caller's params). */
	if (json_object_get(o, "clients") && jr_int(j, o, at, "clients", &c->clients) < 0)
		return -1;
	if (json_object_get(o, "keys") && jr_int(j, o, at, "keys", &c->keys) < 0)
		return -1;
	/* Optional: a load run with --fault. */
	if (json_object_get(o, "faults") &&
	    jr_buf(j, o, at, "faults", c->faults, sizeof(c->faults)) < 0)
		return -1;
	if (jr_ll(j, o, at, "trials", &c->trials) < 0 ||
	    jr_ll(j, o, at, "anomalous_trials", &c->anomalous_trials) < 0 ||
	    !(kinds = jr_get(j, o, at, "anomalies", JSON_OBJECT, 1)))
		return -1;
	if (jr_kinds(j, kinds, at, c) < 0)
		return -1;
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
		/* Redlock cells only (reports before it have none). */
		if (json_object_get(lock, "two_holders")) {
			c->counts_holders = 1;
			if (jr_ll(j, lock, where, "two_holders", &c->two_holders) < 0)
				return -1;
		}
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

/* A cell of racebench isolation: the test, its outcome, how, detail (the play is not read). */
static int jr_iso_cell(struct jr *j, json_t *o, const char *at, struct cell_result *c)
{
	const char *iso, *verdict;
	json_t *kinds;
	int l;

	if (!(c->db = jr_str(j, o, at, "db")) || !(c->scenario = jr_str(j, o, at, "test")) ||
	    !(iso = jr_str(j, o, at, "isolation")) || !(verdict = jr_str(j, o, at, "verdict")))
		return -1;
	c->strategy = "none";
	if ((l = rb_iso_parse(iso)) < 0 || strcmp(iso, rb_iso_name((enum rb_iso)l)))
		return jr_bad(j, at, "isolation", "not a level racebench knows");
	c->iso = c->eff_iso = (enum rb_iso)l;
	for (l = V_NA; l <= V_ABORTED && strcmp(verdict, verdict_name((enum verdict)l)); l++)
		;
	if (l > V_ABORTED || l == V_ERRORS)
		return jr_bad(j, at, "verdict", "not one of safe, anomaly, aborted, n/a");
	c->verdict = (enum verdict)l;
	if (c->verdict == V_NA) {
		if (jr_get(j, o, at, "na_reason", JSON_STRING, 0))
			c->na_reason = jr_str(j, o, at, "na_reason");
		else if (j->e->msg[0])
			return -1;
		goto gate;
	}
	if (jr_buf(j, o, at, "how", c->how, sizeof(c->how)) < 0 ||
	    jr_buf(j, o, at, "detail", c->detail, sizeof(c->detail)) < 0 ||
	    (c->verdict == V_ABORTED &&
	     jr_buf(j, o, at, "abort_reason", c->abort_msg, sizeof(c->abort_msg)) < 0) ||
	    !(kinds = jr_get(j, o, at, "anomalies", JSON_OBJECT, 1)) ||
	    jr_num(j, o, at, "seconds", &c->seconds) < 0)
		return -1;
	if (jr_kinds(j, kinds, at, c) < 0)
		return -1;
	c->trials = 1;
	c->anomalous_trials = c->verdict == V_ANOMALY;
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
	/* Optional: written only for a run on a topology. */
	v = json_object_get(o, "topology");
	if (v && (!json_is_string(v) || json_string_length(v) >= sizeof(s->topology)))
		return jr_bad(j, at, "topology", "not a topology's name");
	if (v)
		str_copy(s->topology, json_string_value(v), sizeof(s->topology));
	v = json_object_get(o, "replica");
	if (v && (!json_is_string(v) || json_string_length(v) >= sizeof(s->replica)))
		return jr_bad(j, at, "replica", "not a connection string that fits");
	if (v)
		str_copy(s->replica, json_string_value(v), sizeof(s->replica));
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

/*
 * The knobs: an object of name: value (version 2), or version 1's four
 * fields of the built-in races.
 */
static int jr_knobs(struct jr *j, json_t *params, long long sv, struct run_result *r)
{
	static const char *const v1[] = { "quantity", "balance", "price", "amount" };
	json_t *knobs, *v;
	const char *name;

	if (sv == 1) {
		for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
			long long x;

			if (jr_ll(j, params, "params", v1[i], &x) < 0)
				return -1;
			knob_set_add(&r->knobs, v1[i], x);
		}
		return 0;
	}
	if (!(knobs = jr_get(j, params, "params", "knobs", JSON_OBJECT, 1)))
		return -1;
	json_object_foreach(knobs, name, v)
	{
		if (!json_is_integer(v))
			return jr_bad(j, "params.knobs", name, "expected an integer");
		if (strlen(name) >= sizeof(r->knobs.k[0].name))
			return jr_bad(j, "params.knobs", name, "a name longer than 31 characters");
		knob_set_add(&r->knobs, name, json_integer_value(v));
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
	/* Version 1 is version 2 with the built-in races' four knobs as fields. */
	if (sv != RESULT_SCHEMA_VERSION && sv != 1)
		return rb_err_set(j->e, RB_CLS_OTHER, NULL, 0,
				  "schema_version %lld: this racebench reads versions 1 and %d", sv,
				  RESULT_SCHEMA_VERSION);
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
	    jr_u64(j, params, "params", "seed", &r->seed) < 0 || jr_knobs(j, params, sv, r) < 0)
		return -1;
	if (!strcmp(r->mode, "load") &&
	    (jr_num(j, params, "params", "duration_s", &r->duration_s) < 0 ||
	     jr_ll(j, params, "params", "ops", &r->ops_target) < 0 ||
	     jr_num(j, params, "params", "rate", &r->rate) < 0 ||
	     !(r->arrival = jr_str(j, params, "params", "arrival")) ||
	     jr_num(j, params, "params", "warmup_s", &r->warmup_s) < 0))
		return -1;
	/* Optional: a load sweep's points. */
	if (json_object_get(params, "sweep") && jr_sweep(j, params, r) < 0)
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
		if ((!strcmp(r->mode, "isolation") ? jr_iso_cell : jr_cell)(j, v, at,
									      result_add_cell(r)) < 0)
			return -1;
		/* a run at one point writes it once, in params */
		if (!r->cells[r->ncells - 1].clients)
			r->cells[r->ncells - 1].clients = r->clients;
		if (!r->cells[r->ncells - 1].keys)
			r->cells[r->ncells - 1].keys = r->keys;
	}
	return 0;
}

int result_read_json(FILE *f, struct run_result *r, struct rb_err *e)
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
