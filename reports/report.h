/* report.h: renderers of the result model, one file per format. */
#ifndef RB_REPORT_H
#define RB_REPORT_H

#include <stdio.h>

#include "../core/result.h"

struct report_opts {
	int color; /* ANSI colour in the table */
};

/* Each returns 0, or -1 when writing failed. */
int report_table(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_json(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_csv(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_markdown(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_junit(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_html(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_hgrm(FILE *f, const struct run_result *r, const struct report_opts *o);

struct report_format {
	const char *name; /* what --format takes */
	const char *ext;  /* file extension, without the dot */
	int (*render)(FILE *f, const struct run_result *r, const struct report_opts *o);
};
/* Registry, terminated by an entry whose name is NULL. */
extern const struct report_format report_formats[];
/* Index in report_formats, or -1. */
int report_format_find(const char *name);

/* Shared helpers. */
#define JSON_SCHEMA_VERSION RESULT_SCHEMA_VERSION

/*
 * Writes s for XML or HTML: & < > " ' become entities; control characters
 * other than tab and newline, and bytes that are not UTF-8, become U+FFFD,
 * so the output is well-formed whatever a server put in a message. With
 * attr, tab and newline are written as character references too, so an
 * attribute value keeps them. NULL writes nothing.
 */
void xml_escape(FILE *f, const char *s, int attr);
/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates), or 0 when p does not start one.
 */
int utf8_len(const unsigned char *p);

/* counts[v] = number of cells with verdict v; counts has V_ABORTED + 1 slots. */
void report_count_verdicts(const struct run_result *r, int *counts);
/* Whether any ran cell has lock figures / schedule lag (n/a cells never do). */
int report_any_lock(const struct run_result *r);
int report_any_lag(const struct run_result *r);
/* The first cell of each (db, scenario) in run order starts a group. */
int report_group_starts(const struct run_result *r, int i);
int report_same_group(const struct cell_result *a, const struct cell_result *b);
/*
 * Whether cell i is the first n/a cell of its (db, scenario, reason): the
 * n/a cells of one strategy share a reason (the strategy's), and so may
 * the cells of every strategy at a level the database lacks; each reason
 * is shown once. who gets their strategies ("constraint", "a, b", or
 * "every strategy" when no strategy ran at those levels), isos their
 * levels in order ("rc, rr").
 */
int report_na_first(const struct run_result *r, int i, char *who, size_t wn, char *isos, size_t n);
/* "rc", or "rc>ser" (sep between) when the strategy forced another level. */
void report_iso_label(char *buf, size_t n, const struct cell_result *c, const char *sep);
/* "kind=n kind=n" for the non-zero anomaly kinds, "" when none. */
void report_kinds_text(char *buf, size_t n, const struct cell_result *c, const char *sep);
/* "class=n ..." for the non-zero error classes, "" when none. */
void report_errors_text(char *buf, size_t n, const struct cell_result *c, const char *sep);
/* "reason=n ..." for the non-zero failure reasons, "" when none. */
void report_failures_text(char *buf, size_t n, const struct cell_result *c, const char *sep);
long long report_total_errors(const struct cell_result *c);
long long report_total_anomalies(const struct cell_result *c);
/* ---- racebench isolation's grid (mode "isolation") ---- */

int report_is_isolation(const struct run_result *r);
/*
 * The grid in Hermitage's shape: a row per database and level, a column per
 * test, in run order; cell[row][col] is an index in r->cells or -1.
 */
#define ISO_MAX_ROWS  16
#define ISO_MAX_TESTS 32
struct iso_grid {
	int nrows, ncols;
	const char *db[ISO_MAX_ROWS];
	int iso[ISO_MAX_ROWS];
	const char *test[ISO_MAX_TESTS];
	int cell[ISO_MAX_ROWS][ISO_MAX_TESTS];
};
void report_iso_grid(const struct run_result *r, struct iso_grid *g);
/* A grid cell: "A" anomaly, "-" prevented with nothing waiting or failing, else how. */
void report_iso_text(const struct cell_result *c, char *buf, size_t n);
/* Line i of what the grid's marks and codes mean; NULL past the last. */
const char *report_iso_legend(int i);
/* After a server's product and version: " (throwaway server)", " (galera topology)", or "". */
void report_server_note(const struct run_server *s, char *out, size_t n);

/* Whether the run swept clients or keys (load mode): cells differ by their point. */
int report_is_sweep(const struct run_result *r);
/* "1,2,4" from a sweep's list. */
void report_list_text(char *buf, size_t n, const int *v, int count);

/* html.c's load-mode charts of one (db, scenario) group g (html_load.c). */
void html_load_charts(FILE *f, const struct run_result *r, const struct cell_result *g);

/* started_at as "2024-05-01T12:00:00Z". */
void report_time_utc(char *buf, size_t n, time_t t);

#endif
