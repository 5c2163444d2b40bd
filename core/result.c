/* result.c: the result model: verdicts, names, storage. */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include "explain_result.h"
#include "../base/util.h"

static const char *const reason_names[FR__COUNT - RB_CLS__COUNT] = {
	"version-conflict",
	"check-after",
	"fenced",
	"lock-acquire",
};

const char *fail_reason_name(int reason)
{
	if (reason < RB_CLS__COUNT)
		return rb_class_name((enum rb_class)reason);
	if (reason < FR__COUNT)
		return reason_names[reason - RB_CLS__COUNT];
	return "?";
}

const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "n/a", "safe", "anomaly", "errors", "aborted" };

	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

void lat_summarize(const struct hist *h, struct lat_summary *out)
{
	out->count = h->count;
	out->p50 = hist_percentile(h, 50);
	out->p90 = hist_percentile(h, 90);
	out->p99 = hist_percentile(h, 99);
	out->p999 = hist_percentile(h, 99.9);
	out->max = h->max;
	out->mean = hist_mean(h);
}

struct cell_result *result_add_cell(struct run_result *r)
{
	if (r->ncells == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 64;
		r->cells = xrealloc(r->cells, (size_t)r->cap * sizeof(*r->cells));
	}
	memset(&r->cells[r->ncells], 0, sizeof(r->cells[0]));
	r->cells[r->ncells].play = -1;
	return &r->cells[r->ncells++];
}

void result_release(struct run_result *r)
{
	for (int i = 0; i < r->nexplains; i++)
		explain_release(&r->explains[i]);
	free(r->explains);
	r->explains = NULL;
	r->nexplains = 0;
	free(r->cells);
	r->cells = NULL;
	r->ncells = r->cap = 0;
	for (int i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	r->owned = NULL;
	r->nowned = r->owned_cap = 0;
}

const char *result_strdup(struct run_result *r, const char *s)
{
	if (r->nowned == r->owned_cap) {
		r->owned_cap = r->owned_cap ? r->owned_cap * 2 : 32;
		r->owned = xrealloc(r->owned, (size_t)r->owned_cap * sizeof(*r->owned));
	}
	r->owned[r->nowned] = xstrdup(s);
	return r->owned[r->nowned++];
}

void result_add_broken(char broken[][BROKEN_LEN], int *n, const char *msg)
{
	if (*n < MAX_BROKEN)
		str_copy(broken[*n], msg, BROKEN_LEN);
	(*n)++;
}

void cell_judge(struct cell_result *c)
{
	if (c->anomalous_trials > 0)
		c->verdict = V_ANOMALY;
	else if (c->failed > 0)
		c->verdict = V_ERRORS;
	else
		c->verdict = V_SAFE;
}

double cell_rate(const struct cell_result *c)
{
	return c->trials ? (double)c->anomalous_trials / (double)c->trials : 0.0;
}
