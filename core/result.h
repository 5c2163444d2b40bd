/* result.h: the one result model every report renders. */
#ifndef RB_RESULT_H
#define RB_RESULT_H

#include <stdint.h>
#include <time.h>

#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "../base/err.h"
#include "../base/hist.h"
#include "../base/strategy.h"
#include "knobs.h"

/*
 * Why an operation failed for its user: an error class, or one of the
 * reasons a strategy gives up on its own.
 */
enum fail_reason {
	FR_CONFLICT = RB_CLS__COUNT, /* optimistic: version misses beyond --retries */
	FR_CHECK_AFTER,		     /* check-after found the invariant broken */
	FR_FENCED,		     /* the fencing token was older than the row's */
	FR_LOCK_ACQUIRE,	     /* a Redis lock not acquired in time */
	FR__COUNT
};
const char *fail_reason_name(int reason);

enum verdict {
	V_NA,	   /* the strategy does not fit the scenario */
	V_SAFE,	   /* no anomaly, no failure reached a user */
	V_ANOMALY, /* an invariant broke in at least one trial */
	V_ERRORS,  /* no anomaly, but users saw failures */
	V_ABORTED, /* the cell could not run to the end (infrastructure) */
};
const char *verdict_name(enum verdict v);

struct lat_summary {
	uint64_t count;
	uint64_t p50, p90, p99, p999, max; /* microseconds */
	double mean;
};
void lat_summarize(const struct hist *h, struct lat_summary *out);

#define EXAMPLE_LEN 160

struct cell_result {
	const char *db;
	const char *scenario;
	const char *strategy;
	enum rb_iso iso;     /* the cell's level */
	enum rb_iso eff_iso; /* the level transactions ran at */
	enum verdict verdict;
	const char *na_reason;

	int nkinds;
	const char *kinds[SC_MAX_KINDS];
	long long anomalies[SC_MAX_KINDS];
	long long trials, anomalous_trials;

	long long ops; /* operations attempted (not attempts) */
	long long done, declined, failed, retries;
	long long errors[RB_CLS__COUNT];	   /* every error, retried or not */
	long long failures[FR__COUNT];		   /* failures that reached a user */
	char examples[RB_CLS__COUNT][EXAMPLE_LEN]; /* one message per class */

	struct lat_summary lat;
	int has_lock; /* a Redis strategy: the lock figures apply */
	struct lat_summary lock_wait;
	long long lock_timeouts, lease_expired;
	/*
	 * Redlock: grants made while another client of the run still held
	 * the same lock (both past their grant, neither released yet).
	 */
	long long two_holders;
	int counts_holders; /* two_holders was counted (a Redlock cell) */

	int has_lag;		/* open-loop load: schedule lag applies */
	struct lat_summary lag; /* how late operations started vs. schedule */

	/* The regression gate's findings (--expect / --baseline), if gated. */
#define MAX_BROKEN 4
#define BROKEN_LEN 200
	int nbroken; /* expectations this cell broke (may exceed MAX_BROKEN) */
	char broken[MAX_BROKEN][BROKEN_LEN]; /* "FILE:LINE: p99 12.3ms > 10ms" */

	double seconds;	   /* wall time of the cell */
	double throughput; /* operations per second while clients ran */
	char abort_msg[256];
	char faults[400]; /* load with --fault: what was done to which node, when */
	int clients, keys; /* the point it was measured at (a sweep has several) */
	struct hist_lite lat_hist; /* the latencies, for the .hgrm report (not in the JSON) */

	/*
	 * Mode "isolation" (racebench isolation): the test's play. The verdict
	 * says anomaly or safe (prevented); how says what happened ("blocked",
	 * then each error code: "blocked+40001"; "none"); detail the first
	 * statement that waited or failed.
	 */
	char how[96];
	char detail[256];
	int play; /* index in the run's explains; -1: none (n/a, or read back) */
};

/* The version of the result's JSON form (docs/report-schema.md). */
#define RESULT_SCHEMA_VERSION 2

/* What a run measured, with what, where. */
struct run_server {
	const char *db; /* driver name */
	struct server_info info;
	int throwaway;
	char dsn[256]; /* redacted */
	char topology[32]; /* "galera", "pg-replica"; "" on one server */
	char replica[256]; /* the replica's DSN, redacted; "" when none */
};

struct explain_result;

struct run_result {
	const char *mode; /* "race", "load" or "isolation" */
	time_t started_at;
	double wall_seconds;
	uint64_t seed;
	int clients, trials, keys, retries;
	double think_ms, tail_ms;
	struct knob_set knobs; /* of the races run, as resolved (the first race's value stands) */
	/* load mode only */
	double duration_s;    /* 0 when the run is --ops */
	long long ops_target; /* 0 when the run is --duration */
	double rate;	      /* target ops/s for open loop; 0 = closed loop */
	const char *arrival;  /* "closed", "fixed", "poisson" */
	double warmup_s;
	/* load mode's sweep: the points measured (n 0: none; cells carry theirs) */
	int nsweep_clients, sweep_clients[16];
	int nsweep_keys, sweep_keys[16];
	int nservers;
	struct run_server servers[4];
	int ncells, cap;
	struct cell_result *cells;
	/* run --explain: step-by-step timelines to show beside the matrix (HTML) */
	int nexplains;
	struct explain_result *explains;
	int gated;			     /* an expectations file or baseline was applied */
	int gate_failed;		     /* ... and some expectation broke */
	int nbroken;			     /* broken expectations not about one cell */
	char broken[MAX_BROKEN][BROKEN_LEN]; /* "FILE:LINE: matched no cell" */
	int aborted;			     /* infrastructure failure: the report is partial */
	char abort_msg[256];
	/* Strings the result owns (a report read back); result_release frees them. */
	int nowned, owned_cap;
	char **owned;
};

struct cell_result *result_add_cell(struct run_result *r);
/* Frees the cells and the owned strings; r can be reused. */
void result_release(struct run_result *r);
/* A copy of s that lives as long as r (for names read from a report). */
const char *result_strdup(struct run_result *r, const char *s);
/* Adds a gate finding to a list of MAX_BROKEN ("may exceed": *n counts all). */
void result_add_broken(char broken[][BROKEN_LEN], int *n, const char *msg);
/* Sets the verdict from the counts (not for n/a or aborted cells). */
void cell_judge(struct cell_result *c);
double cell_rate(const struct cell_result *c); /* anomalous trials / trials */

#endif
