/* report.h: renderers of the result model, one file per format. */
#ifndef RB_REPORT_H
#define RB_REPORT_H

#include <stdio.h>

#include "../core/result.h"

struct report_opts {
	int color;		/* ANSI colour in the table */
};

/* Each returns 0, or -1 when writing failed. */
int report_table(FILE *f, const struct run_result *r, const struct report_opts *o);
int report_json(FILE *f, const struct run_result *r, const struct report_opts *o);

/*
 * Reads back what report_json wrote into r (overwritten; strings owned by r).
 * Returns 0, or -1 with e->msg naming what is malformed ("cells[2].verdict:
 * missing"). Release r with result_release either way.
 */
int report_json_read(FILE *f, struct run_result *r, struct rb_err *e);

struct report_format {
	const char *name;	/* what --format takes */
	const char *ext;	/* file extension, without the dot */
	int (*render)(FILE *f, const struct run_result *r, const struct report_opts *o);
};
/* Registry, terminated by an entry whose name is NULL. */
extern const struct report_format report_formats[];
/* Index in report_formats, or -1. */
int report_format_find(const char *name);

/* Shared helpers. */
/* "850us", "2.1ms", "1.20s": latency for humans. */
void fmt_us(char *buf, size_t n, uint64_t us);
#define JSON_SCHEMA_VERSION 1

#endif
