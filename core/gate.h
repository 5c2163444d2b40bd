/* gate.h: the regression gate: expectations files, a baseline, findings. */
#ifndef RB_GATE_H
#define RB_GATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"

/*
 * An expectations file, one expectation per line (docs/gate.md):
 *
 *	# DB   ISO  SCENARIO  STRATEGY           CONDITIONS
 *	pg     rc   *         for-update-parent  verdict == safe
 *	*      *    *         atomic             anomalies == 0, p99 < 50ms
 *
 * A pattern is a shell glob (fnmatch) or a comma list of globs. A line whose
 * pattern matches no cell is itself broken ("matched no cell"), so a typo
 * cannot pass silently. n/a cells are skipped by every condition except a
 * verdict condition that names n/a.
 */

#define GATE_PAT   64 /* longest pattern column */
#define GATE_CONDS 16 /* most conditions on one line */

enum gate_op {
	GATE_EQ,
	GATE_NE,
	GATE_LT,
	GATE_LE,
	GATE_GT,
	GATE_GE,
	GATE_IN
};

struct gate_cond {
	int field;     /* index in gate.c's field table */
	int sub;       /* errors.CLASS: the class; failures.REASON: the reason */
	char kind[32]; /* anomalies.KIND: the kind */
	enum gate_op op;
	double value;	   /* microseconds, ops/s, a fraction or a count */
	unsigned verdicts; /* verdict conditions: bit v for each enum verdict */
	char text[96];	   /* as written, tidied: "p99 < 50ms" */
	char bound[32];	   /* the value as written: "50ms" */
	int checked;	   /* cells it was evaluated on, by gate_eval */
	/* "... at clients=32 keys=16": only the cells of a sweep's point (0: any) */
	int at_clients, at_keys;
};

struct gate_expect {
	const char *file;
	int line;
	char pat[4][GATE_PAT]; /* db, isolation, scenario, strategy */
	int ncond;
	struct gate_cond cond[GATE_CONDS];
	int matched, matched_na; /* by gate_eval */
};

/* How far a figure may move from the baseline before it is a regression. */
struct gate_tolerance {
	double latency;	   /* p99 may grow by this fraction (0.5 = +50%) ... */
	uint64_t floor_us; /* ... and by at least this much before it counts */
	double throughput; /* throughput may fall by this fraction */
};
#define GATE_TOLERANCE_DEFAULT \
	{ \
		0.5, 5000, 0.3 \
	}

/* One broken expectation. */
struct gate_finding {
	char where[96]; /* "expect.txt:4" or "baseline base.json" */
	int cell;	/* index in the run's cells; -1: about the run */
	char what[160]; /* "p99 12.3ms > 10ms" */
};

#define GATE_KNOWN 64 /* races an expectations file may name */
#define GATE_KINDS 64 /* anomaly kinds it may name */

struct gate {
	/*
	 * Lines about racebench isolation's cells: DB ISOLATION TEST
	 * CONDITIONS (no strategy), with the fields outcome and how.
	 */
	int isolation;
	/* What lines may name: the races run (gate_know), else the built-ins. */
	int nknown, nkinds;
	char known[GATE_KNOWN][48];
	char kinds[GATE_KINDS][32];
	int nfiles;
	char *files[8]; /* owned copies of the file names */
	int nexp, cap;
	struct gate_expect *exp;
	const char *base_name; /* NULL: no baseline */
	const struct run_result *base;
	struct gate_tolerance tol;
	int base_compared; /* cells that had a baseline cell, by gate_eval */
	int nfind, fcap;
	struct gate_finding *find;
};

void gate_init(struct gate *g);
/*
 * Adds a race expectations may name, with its anomaly kinds (before
 * gate_parse). Without any, the built-in races are what may be named.
 */
void gate_know(struct gate *g, const char *scenario, const char *const *kinds, int nkinds);
void gate_release(struct gate *g);

/* The largest expectations file read: far more than any team writes. */
#define GATE_FILE_LIMIT (1u << 20)

/*
 * Adds the expectations in text (len bytes), named name in messages. Returns 0, or -1 with
 * e (bad input) naming name:LINE, what is wrong and, where it helps, the
 * valid choices. Names are checked against what this build
 * knows (drivers, scenarios, strategies, levels, anomaly kinds).
 */
int gate_parse(struct gate *g, const char *name, const char *text, size_t len, struct rb_err *e);
/*
 * gate_parse on the file at path; an unreadable file, or one larger than
 * GATE_FILE_LIMIT, is an error too.
 */
int gate_load(struct gate *g, const char *path, struct rb_err *e);

/* Compares each cell with the cell of the same db, scenario, strategy and
 * level in base (which must outlive g). */
void gate_set_baseline(struct gate *g, const char *name, const struct run_result *base,
		       const struct gate_tolerance *tol);

/*
 * Checks r against the expectations and the baseline: fills each cell's
 * broken[]/nbroken, the run's broken[] (findings about no one cell),
 * gated and gate_failed. Returns the number of broken expectations.
 */
int gate_eval(struct gate *g, struct run_result *r);

/* The findings for people, one per line; "gate: ok ..." when none (unless quiet). */
void gate_summary(FILE *f, const struct gate *g, const struct run_result *r, int quiet);

/*
 * Parses --tolerance: "20%" (latency and throughput) or a comma list of
 * latency=PCT, throughput=PCT, floor=DURATION. Returns 0, or -1 with e set.
 */
int gate_parse_tolerance(const char *s, struct gate_tolerance *t, struct rb_err *e);

#endif
