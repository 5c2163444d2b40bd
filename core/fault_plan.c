/* fault_plan.c: faults on a throwaway topology's nodes during a load cell. */
#define _POSIX_C_SOURCE 200809L
#include "fault_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"

static const char *const names[FA__COUNT] = { "kill",	 "pause",   "resume",
					      "restart", "isolate", "heal" };

const char *fault_action_name(enum fault_action a)
{
	return (unsigned)a < FA__COUNT ? names[a] : "?";
}

static int bad_fault(struct rb_err *e, const char *part)
{
	return rb_err_input(e,
			    "--fault: '%.60s' is not ACTION:NODE@SECONDS (ACTION: kill, pause, "
			    "resume, restart, isolate, heal; NODE from 1; SECONDS after the "
			    "cell's start, e.g. kill:2@3,restart:2@8)",
			    part);
}

int faults_parse(const char *arg, struct fault_plan *p, struct rb_err *e)
{
	char buf[512], *save = NULL;

	memset(p, 0, sizeof(*p));
	if (!*arg || strlen(arg) >= sizeof(buf))
		return bad_fault(e, arg);
	str_copy(buf, arg, sizeof(buf));
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':'), *at = strchr(t, '@'), *end;
		struct fault_step s = { 0 };
		double secs;
		long node;
		int a;

		if (!colon || !at || at < colon)
			return bad_fault(e, t);
		*colon = '\0';
		for (a = 0; a < FA__COUNT && strcmp(t, names[a]); a++)
			;
		*colon = ':';
		if (a == FA__COUNT)
			return bad_fault(e, t);
		node = strtol(colon + 1, &end, 10);
		if (end != at || node < 1 || node > 16)
			return bad_fault(e, t);
		secs = strtod(at + 1, &end);
		if (end == at + 1 || *end || !(secs >= 0) || secs > 86400)
			return bad_fault(e, t);
		if (p->n == FAULTS_MAX)
			return rb_err_input(e, "--fault: at most %d steps", FAULTS_MAX);
		s.act = (enum fault_action)a;
		s.node = (int)node;
		s.at_ms = (uint64_t)(secs * 1000 + 0.5);
		/* in time order; steps at the same time keep theirs */
		int i = p->n++;

		while (i > 0 && p->step[i - 1].at_ms > s.at_ms) {
			p->step[i] = p->step[i - 1];
			i--;
		}
		p->step[i] = s;
	}
	return 0;
}

int faults_max_node(const struct fault_plan *p)
{
	int m = 0;

	for (int i = 0; i < p->n; i++)
		if (p->step[i].node > m)
			m = p->step[i].node;
	return m;
}

static void logf_(struct fault_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void logf_(struct fault_plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->loglen + 1 >= sizeof(p->log))
		return;
	va_start(ap, fmt);
	vsnprintf(p->log + p->loglen, sizeof(p->log) - p->loglen, fmt, ap);
	va_end(ap);
	p->loglen = strlen(p->log);
}

/* One action on one node, logged with when it began and how long it took. */
static void act(struct fault_plan *p, enum fault_action a, int node, double at)
{
	struct rb_err e;
	uint64_t t0 = now_ns();
	int rc;

	rc = servers_node(p->srv, p->topology, node, names[a], &e);
	logf_(p, "%s%s node %d at %.1f s (%.1f s)%s%s", p->loglen ? "; " : "", names[a], node, at,
	      (double)(now_ns() - t0) / 1e9, rc < 0 ? ": failed: " : "", rc < 0 ? e.msg : "");
	if (rc < 0)
		return;
	switch (a) {
	case FA_KILL: p->down |= 1u << node; break;
	case FA_PAUSE: p->paused |= 1u << node; break;
	case FA_RESUME: p->paused &= ~(1u << node); break;
	case FA_RESTART: p->down &= ~(1u << node); p->paused &= ~(1u << node); break;
	case FA_ISOLATE: p->isolated |= 1u << node; break;
	case FA_HEAL: p->isolated &= ~(1u << node); break;
	default: break;
	}
}

void faults_tick(void *plan, double elapsed_s, int over, char *log, size_t n)
{
	struct fault_plan *p = plan;

	if (elapsed_s == 0 && !over) {
		/* a new cell */
		p->next = 0;
		p->down = p->paused = p->isolated = p->touched = 0;
		p->log[0] = '\0';
		p->loglen = 0;
	}
	while (!over && p->next < p->n && p->step[p->next].at_ms <= elapsed_s * 1000) {
		p->touched |= 1u << p->step[p->next].node;
		act(p, p->step[p->next].act, p->step[p->next].node, elapsed_s);
		p->next++;
	}
	if (!over)
		return;
	/*
	 * Put every node a fault touched back, even one already resumed or
	 * healed: a Galera node evicted while paused or cut off rejoins only
	 * seconds later, or gives up and exits (measured: paused 7 s, resumed,
	 * gone by the next cell). A restart waits until the node has rejoined
	 * (servers.sh), so the check and the next cell see the whole topology.
	 */
	for (int k = 1; k <= p->nodes && k < 32; k++) {
		unsigned bit = 1u << k;

		if (p->isolated & bit)
			act(p, FA_HEAL, k, elapsed_s);
		if (p->paused & bit)
			act(p, FA_RESUME, k, elapsed_s);
		if (p->touched & bit)
			act(p, FA_RESTART, k, elapsed_s);
	}
	for (int i = p->next; i < p->n; i++)
		logf_(p, "%snot reached: %s node %d at %.1f s", p->loglen ? "; " : "",
		      names[p->step[i].act], p->step[i].node, (double)p->step[i].at_ms / 1000);
	str_copy(log, p->log, n);
}
