/*
 * fixture.h: fixed result models for tests of pure code (reports, the gate):
 * every figure is written here, nothing is measured. The functions are
 * static inline so any test can include this file and use what it needs.
 *
 * fixture_race(): a gated race run on two databases and two scenarios:
 * anomalies, errors, retries, a forced isolation level, n/a cells with a
 * reason, an aborted cell, Redis lock figures, broken expectations, and an
 * error message full of characters every format must escape.
 * fixture_load(): an open-loop load run whose cells carry schedule lag.
 * Release either with result_release().
 */
#ifndef RB_TEST_FIXTURE_H
#define RB_TEST_FIXTURE_H

#include <string.h>

#include "../../core/result.h"
#include "../../base/util.h"

static const char *const fx_dt_kinds[] = { "duplicates", "lost_updates" };
static const char *const fx_co_kinds[] = { "oversold", "lost_updates" };

/* Adds a cell with its identity; a ran cell gets its scenario's anomaly kinds. */
static inline struct cell_result *fx_cell(struct run_result *r, const char *db,
					  const char *scenario, const char *strategy,
					  enum rb_iso iso, enum verdict v)
{
	struct cell_result *c = result_add_cell(r);
	const char *const *kinds = strcmp(scenario, "double-tap") ? fx_co_kinds : fx_dt_kinds;

	c->db = db;
	c->scenario = scenario;
	c->strategy = strategy;
	c->iso = c->eff_iso = iso;
	c->verdict = v;
	if (v != V_NA) {
		c->nkinds = 2;
		c->kinds[0] = kinds[0];
		c->kinds[1] = kinds[1];
	}
	return c;
}

static inline void fx_lat(struct lat_summary *l, uint64_t count, uint64_t p50, uint64_t p90,
			  uint64_t p99, uint64_t p999, uint64_t max, double mean)
{
	l->count = count;
	l->p50 = p50;
	l->p90 = p90;
	l->p99 = p99;
	l->p999 = p999;
	l->max = max;
	l->mean = mean;
}

/* trials, anomalous trials, operations (all attempted, done unless failed). */
static inline void fx_counts(struct cell_result *c, long long trials, long long anomalous,
			     long long ops, long long failed)
{
	c->trials = trials;
	c->anomalous_trials = anomalous;
	c->ops = ops;
	c->failed = failed;
	c->done = ops - failed;
	c->seconds = (double)trials * 0.04 + 0.012;
	c->throughput = (double)ops / (c->seconds * 0.9);
}

static inline void fx_server(struct run_result *r, const char *db, const char *product,
			     const char *version, int throwaway, const char *dsn,
			     const char *setting, const char *value)
{
	struct run_server *s = &r->servers[r->nservers++];

	s->db = db;
	str_copy(s->info.product, product, sizeof(s->info.product));
	str_copy(s->info.version, version, sizeof(s->info.version));
	s->info.nsettings = 1;
	str_copy(s->info.settings[0].name, setting, sizeof(s->info.settings[0].name));
	str_copy(s->info.settings[0].value, value, sizeof(s->info.settings[0].value));
	s->throwaway = throwaway;
	str_copy(s->dsn, dsn, sizeof(s->dsn));
}

static inline void fx_params(struct run_result *r, const char *mode)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->started_at = 1714564800; /* 2024-05-01T12:00:00Z */
	r->wall_seconds = 42.25;
	r->seed = 12345;
	r->clients = 8;
	r->trials = 20;
	r->keys = 1;
	r->retries = 10;
	r->think_ms = 1;
	r->tail_ms = 1;
	knob_set_add(&r->knobs, "quantity", 4);
	knob_set_add(&r->knobs, "balance", 100);
	knob_set_add(&r->knobs, "price", 30);
	knob_set_add(&r->knobs, "amount", 100);
	fx_server(r, "pg", "PostgreSQL", "15.8 (Debian 15.8-0+deb12u1)", 1,
		  "host=/tmp/rb.x/pg port=54329 user=postgres", "deadlock_timeout", "100ms");
	fx_server(r, "mysql", "MariaDB", "10.11.6-MariaDB-0+deb12u1", 0,
		  "mysql://racebench:***@127.0.0.1:33069/racebench", "innodb_lock_wait_timeout",
		  "50");
}

static inline void fixture_race(struct run_result *r)
{
	struct cell_result *c;

	fx_params(r, "race");
	r->gated = 1;
	r->gate_failed = 1;

	c = fx_cell(r, "pg", "double-tap", "none", RB_ISO_RC, V_ANOMALY);
	fx_counts(c, 20, 19, 160, 0);
	c->anomalies[0] = 25;
	c->anomalies[1] = 3;
	fx_lat(&c->lat, 160, 850, 1900, 4200, 5100, 5100, 1234.5);

	c = fx_cell(r, "pg", "double-tap", "none", RB_ISO_RR, V_ANOMALY);
	fx_counts(c, 20, 20, 160, 12);
	c->anomalies[0] = 30;
	c->errors[RB_CLS_SERIALIZATION] = 12;
	c->failures[RB_CLS_SERIALIZATION] = 12;
	str_copy(c->examples[RB_CLS_SERIALIZATION],
		 "could not serialize access due to concurrent update", EXAMPLE_LEN);
	fx_lat(&c->lat, 160, 910, 2200, 4900, 6000, 6000, 1410.25);

	c = fx_cell(r, "pg", "double-tap", "for-update-parent", RB_ISO_RC, V_SAFE);
	fx_counts(c, 20, 0, 160, 0);
	fx_lat(&c->lat, 160, 2100, 6400, 9800, 11000, 11000, 3050);

	c = fx_cell(r, "pg", "double-tap", "for-update-parent", RB_ISO_RR, V_SAFE);
	fx_counts(c, 20, 0, 160, 0);
	fx_lat(&c->lat, 160, 2300, 9100, 15400, 17800, 17800, 3900);
	c->nbroken = 1;
	str_copy(c->broken[0], "expect/ci.rbx:3: p99 15.4ms > 10ms", sizeof(c->broken[0]));

	c = fx_cell(r, "pg", "double-tap", "optimistic", RB_ISO_RC, V_ERRORS);
	fx_counts(c, 20, 0, 160, 2);
	c->retries = 41;
	c->failures[FR_CONFLICT] = 2;
	fx_lat(&c->lat, 160, 1300, 4100, 12500, 14000, 14000, 2210);

	c = fx_cell(r, "pg", "double-tap", "redis-wide", RB_ISO_RC, V_SAFE);
	fx_counts(c, 20, 0, 160, 0);
	fx_lat(&c->lat, 160, 1900, 7300, 11200, 12100, 12100, 2880);
	c->has_lock = 1;
	fx_lat(&c->lock_wait, 160, 1200, 5400, 9100, 9800, 9800, 2100);

	c = fx_cell(r, "pg", "double-tap", "redis-expiry", RB_ISO_RC, V_ANOMALY);
	fx_counts(c, 20, 6, 160, 3);
	c->anomalies[0] = 6;
	c->failures[FR_LOCK_ACQUIRE] = 3;
	fx_lat(&c->lat, 160, 1500, 3300, 5200, 5600, 5600, 1720);
	c->has_lock = 1;
	fx_lat(&c->lock_wait, 160, 40, 900, 1400, 1500, 1500, 230.5);
	c->lock_timeouts = 3;
	c->lease_expired = 37;

	c = fx_cell(r, "pg", "double-tap", "constraint", RB_ISO_RC, V_NA);
	c->na_reason = "no CHECK constraint can say \"one row per account\"";
	c = fx_cell(r, "pg", "double-tap", "constraint", RB_ISO_RR, V_NA);
	c->na_reason = "no CHECK constraint can say \"one row per account\"";

	c = fx_cell(r, "pg", "coupon-oversell", "none", RB_ISO_RC, V_ANOMALY);
	fx_counts(c, 20, 20, 160, 0);
	c->declined = 40;
	c->done = 120;
	c->anomalies[0] = 40;
	c->anomalies[1] = 38;
	fx_lat(&c->lat, 160, 700, 1500, 2600, 2900, 2900, 880);

	c = fx_cell(r, "pg", "coupon-oversell", "atomic", RB_ISO_RC, V_SAFE);
	fx_counts(c, 20, 0, 160, 0);
	c->declined = 80;
	c->done = 80;
	fx_lat(&c->lat, 160, 310, 620, 1100, 1300, 1300, 402);

	c = fx_cell(r, "pg", "coupon-oversell", "serializable", RB_ISO_RC, V_SAFE);
	c->eff_iso = RB_ISO_SER;
	fx_counts(c, 20, 0, 160, 0);
	c->declined = 80;
	c->done = 80;
	c->retries = 25;
	c->errors[RB_CLS_SERIALIZATION] = 25;
	str_copy(c->examples[RB_CLS_SERIALIZATION],
		 "could not serialize access due to read/write dependencies among transactions",
		 EXAMPLE_LEN);
	fx_lat(&c->lat, 160, 900, 3900, 8800, 9400, 9400, 1650);

	c = fx_cell(r, "mysql", "double-tap", "none", RB_ISO_RC, V_ANOMALY);
	fx_counts(c, 20, 18, 160, 4);
	c->anomalies[0] = 22;
	c->errors[RB_CLS_DEADLOCK] = 3;
	c->failures[RB_CLS_DEADLOCK] = 3;
	str_copy(c->examples[RB_CLS_DEADLOCK],
		 "Deadlock found when trying to get lock; try restarting transaction", EXAMPLE_LEN);
	c->errors[RB_CLS_OTHER] = 1;
	c->failures[RB_CLS_OTHER] = 1;
	/* Markup, quotes, Markdown and CSV syntax, a control byte, a byte that is not UTF-8. */
	str_copy(c->examples[RB_CLS_OTHER],
		 "near '<script>alert(\"x\")</script>' & `tick` | *star* _u_, \x01 bad\xff"
		 "byte",
		 EXAMPLE_LEN);
	fx_lat(&c->lat, 160, 1100, 2500, 5300, 6100, 6100, 1490);

	c = fx_cell(r, "mysql", "double-tap", "for-update", RB_ISO_RR, V_ABORTED);
	fx_counts(c, 7, 0, 56, 0);
	fx_lat(&c->lat, 56, 1600, 3000, 4100, 4100, 4100, 1800);
	str_copy(c->abort_msg,
		 "checking the invariant: Lost connection to server during query (2013)",
		 sizeof(c->abort_msg));

	c = fx_cell(r, "mysql", "coupon-oversell", "for-update", RB_ISO_RC, V_ANOMALY);
	fx_counts(c, 20, 3, 160, 0);
	c->declined = 77;
	c->done = 83;
	c->anomalies[0] = 3;
	fx_lat(&c->lat, 160, 1700, 3400, 6600, 7000, 7000, 1950);
	c->nbroken = 2;
	str_copy(
		c->broken[0],
		"expect/ci.rbx:4: mysql coupon-oversell for-update rc: verdict anomaly, expected safe",
		sizeof(c->broken[0]));
	str_copy(c->broken[1], "expect/ci.rbx:5: oversold 3 > 0", sizeof(c->broken[1]));

	c = fx_cell(r, "mysql", "coupon-oversell", "for-update-parent", RB_ISO_RC, V_SAFE);
	fx_counts(c, 20, 0, 160, 0);
	c->declined = 80;
	c->done = 80;
	fx_lat(&c->lat, 160, 1800, 3600, 7100, 7600, 7600, 2020);
}

static inline void fixture_load(struct run_result *r)
{
	struct cell_result *c;

	fx_params(r, "load");
	r->trials = 1;
	r->keys = 4;
	r->duration_s = 10;
	r->rate = 2000;
	r->arrival = "fixed";
	r->warmup_s = 1;

	c = fx_cell(r, "pg", "coupon-oversell", "atomic", RB_ISO_RC, V_SAFE);
	fx_counts(c, 1, 0, 20000, 0);
	c->seconds = 10.0;
	c->throughput = 1999.6;
	fx_lat(&c->lat, 20000, 420, 880, 2400, 9100, 15000, 515);
	c->has_lag = 1;
	fx_lat(&c->lag, 20000, 15, 60, 930, 7700, 12800, 41.5);

	c = fx_cell(r, "pg", "coupon-oversell", "redis-wide", RB_ISO_RC, V_ERRORS);
	fx_counts(c, 1, 0, 20000, 17);
	c->seconds = 10.0;
	c->throughput = 1712.3;
	c->failures[FR_LOCK_ACQUIRE] = 17;
	fx_lat(&c->lat, 20000, 1900, 8800, 41000, 98000, 151000, 3300);
	c->has_lock = 1;
	fx_lat(&c->lock_wait, 20000, 1100, 7900, 39000, 95000, 150000, 2650);
	c->lock_timeouts = 17;
	c->has_lag = 1;
	fx_lat(&c->lag, 20000, 2100, 64000, 210000, 260000, 275000, 19000);
}

#endif
