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

/* Shared helpers. */
/* "850us", "2.1ms", "1.20s": latency for humans. */
void fmt_us(char *buf, size_t n, uint64_t us);
#define JSON_SCHEMA_VERSION 1

#endif
