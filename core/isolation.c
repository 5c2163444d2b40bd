/*
 * isolation.c: racebench isolation. Each test of the catalogue is a race
 * file with one schedule (scenarios/isolation/NAME.race); each (database,
 * level, test) is one play of explain's engine, with isolationtester's
 * rule for a step whose session waits for a lock (wait for it to end),
 * and one cell of the result. Whether the play broke the test's invariant
 * is the race's own check (its notes: what each session saw, kept when
 * it committed); how a level prevented it is read off the play's events:
 * who waited, which errors ended whom.
 */
#define _POSIX_C_SOURCE 200809L
#include "isolation.h"

#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "explain.h"
#include "explain_result.h"

const char *isolation_outcome(enum verdict v)
{
	switch (v) {
	case V_ANOMALY: return "anomaly";
	case V_NA: return "n/a";
	case V_ABORTED: return "inconclusive";
	default: return "prevented";
	}
}

static int stopped(const struct iso_plan *p)
{
	return p->stop && atomic_load(p->stop);
}

void isolation_how(const struct explain_result *r, char *how, size_t hn, char *detail, size_t dn)
{
	int blocked = 0, waited = 0, failed = 0;
	size_t o = 0;

	how[0] = detail[0] = '\0';
	for (int i = 0; i < r->nevents; i++) {
		const struct ex_event *e = &r->ev[i];
		const char *sess = e->session >= 0 && e->session < r->sched.nsessions
					   ? r->sched.sess[e->session].name
					   : "?";
		char label[32], stmt[96];

		if (e->kind == EXE_WAIT && !blocked) {
			blocked = 1;
			o += (size_t)snprintf(how + o, o < hn ? hn - o : 0, "%sblocked",
					      o ? "+" : "");
		}
		/* the first statement that waited, and the first that failed */
		if (((e->kind == EXE_WAIT && !waited) || (e->failed && !failed)) && e->text) {
			size_t d = strlen(detail);

			explain_stmt_label(e->text, stmt, sizeof(stmt));
			ex_label(label, sizeof(label), sess, e->step);
			if (e->failed)
				snprintf(detail + d, dn - d, "%s%s %s failed: %s %s", d ? "; " : "",
					 label, stmt, e->code, e->msg ? e->msg : "");
			else
				snprintf(detail + d, dn - d, "%s%s %s waited for a lock",
					 d ? "; " : "", label, stmt);
			waited |= e->kind == EXE_WAIT;
			failed |= e->failed;
		}
		if (e->failed && e->code[0] && !strstr(how, e->code))
			o += (size_t)snprintf(how + o, o < hn ? hn - o : 0, "%s%s", o ? "+" : "",
					      e->code);
	}
	if (!how[0])
		snprintf(how, hn, "none");
}

/* A level the database does not have (rr+si on PostgreSQL): an n/a cell, with why. */
static void na_cell(const struct driver *drv, enum rb_iso iso, const struct scenario *t,
		    const char *why, struct run_result *out)
{
	struct cell_result *c = result_add_cell(out);

	c->db = drv->name;
	c->scenario = t->name;
	c->strategy = strategy_name(ST_NONE);
	c->iso = c->eff_iso = iso;
	c->verdict = V_NA;
	c->na_reason = why;
	c->nkinds = sc_nkinds(t);
	for (int k = 0; k < c->nkinds; k++)
		c->kinds[k] = t->kinds[k];
}

/*
 * Why each level is missing on database d (NULL: it has it), asked of the
 * server itself where that decides (MariaDB's innodb_snapshot_isolation).
 */
static int levels_of(const struct iso_plan *p, int d, const char **why, struct rb_err *e)
{
	const struct driver *drv = p->drivers[d];
	struct db_opts dbo = { .dsn = p->dsn[d], .connect_timeout_s = p->connect_timeout_s };
	struct db_conn *c = NULL;

	for (int l = 0; l < RB_ISO__COUNT; l++)
		why[l] = NULL;
	if (!drv->xLevelFits)
		return 0;
	if ((drv->xGlobalInit && drv->xGlobalInit(e) < 0) || drv->xConnect(&dbo, &c, e) < 0)
		return -1;
	for (int l = 0; l < RB_ISO__COUNT; l++)
		why[l] = drv->xLevelFits(c, (enum rb_iso)l);
	drv->xClose(c);
	return 0;
}

/* One (db, level, test) cell: its play, its verdict and how. */
static void play_cell(const struct iso_plan *p, int d, enum rb_iso iso, const struct scenario *t,
		      struct run_result *out)
{
	const struct driver *drv = p->drivers[d];
	struct ex_schedule sched;
	struct cell_result *c = result_add_cell(out);
	struct explain_result *play;
	struct explain_cfg ec = {
		.drv = drv,
		.dbo = { .dsn = p->dsn[d],
			 .connect_timeout_s = p->connect_timeout_s,
			 .lock_timeout_ms = p->lock_timeout_ms,
			 .statement_timeout_ms = p->statement_timeout_ms },
		.schema = p->schema,
		.sc = t,
		.strat = ST_NONE,
		.iso = iso,
		.sched = &sched,
		.stop = p->stop,
		.wait_blocked = 1,
	};
	struct rb_err e;
	uint64_t t0 = now_ns();

	c->db = drv->name;
	c->scenario = t->name;
	c->strategy = strategy_name(ST_NONE);
	c->iso = c->eff_iso = iso;
	c->nkinds = sc_nkinds(t);
	for (int k = 0; k < c->nkinds; k++)
		c->kinds[k] = t->kinds[k];
	if (ex_schedule_load(&sched, t, ex_schedule_find(t, NULL), &e) < 0) {
		c->verdict = V_ABORTED;
		str_copy(c->abort_msg, e.msg, sizeof(c->abort_msg));
		snprintf(c->how, sizeof(c->how), "no schedule");
		return;
	}
	out->explains = xrealloc(out->explains, (size_t)(out->nexplains + 1) * sizeof(*out->explains));
	play = &out->explains[out->nexplains];
	if (explain_run(&ec, play, &e) < 0) {
		/* a play the engine could not finish: inconclusive, with why */
		explain_release(play);
		c->verdict = V_ABORTED;
		snprintf(c->how, sizeof(c->how), "inconclusive");
		str_copy(c->abort_msg, e.msg, sizeof(c->abort_msg));
		str_copy(c->detail, e.msg, sizeof(c->detail));
		c->seconds = (double)(now_ns() - t0) / 1e9;
		return;
	}
	c->play = out->nexplains++;
	c->trials = 1;
	for (int k = 0; k < c->nkinds && k < play->nkinds; k++)
		c->anomalies[k] = play->anomalies[k];
	c->anomalous_trials = play->anomalous;
	c->verdict = play->anomalous ? V_ANOMALY : V_SAFE;
	isolation_how(play, c->how, sizeof(c->how), c->detail, sizeof(c->detail));
	c->seconds = (double)(now_ns() - t0) / 1e9;
}

/* The server a database's plays ran on, from its first play. */
static void note_server(struct run_result *out, const char *db, const char *dsn_shown,
			const struct explain_result *play)
{
	struct run_server *s;

	for (int i = 0; i < out->nservers; i++)
		if (!strcmp(out->servers[i].db, db))
			return;
	if (out->nservers == (int)ARRAY_SIZE(out->servers))
		return;
	s = &out->servers[out->nservers++];
	memset(s, 0, sizeof(*s));
	s->db = db;
	str_copy(s->info.product, play->product, sizeof(s->info.product));
	str_copy(s->info.version, play->version, sizeof(s->info.version));
	str_copy(s->dsn, dsn_shown, sizeof(s->dsn));
}

int isolation_run(const struct iso_plan *p, struct run_result *out, struct rb_err *e)
{
	uint64_t t0 = now_ns();

	out->mode = "isolation";
	out->started_at = time(NULL);
	out->trials = 1;
	rb_err_clear(e);
	for (int d = 0; p->drivers[d]; d++) {
		const char *missing[RB_ISO__COUNT];

		if (!(p->dbs >> d & 1))
			continue;
		if (levels_of(p, d, missing, e) < 0) {
			char shown[256], msg[900];

			p->drivers[d]->xRedact(p->dsn[d], shown, sizeof(shown));
			out->aborted = 1;
			snprintf(msg, sizeof(msg), "%s (%s): %s", p->drivers[d]->name, shown, e->msg);
			str_copy(out->abort_msg, msg, sizeof(out->abort_msg));
			out->wall_seconds = (double)(now_ns() - t0) / 1e9;
			return rb_err_set(e, e->cls, NULL, 0, "%s", out->abort_msg);
		}
		for (int l = 0; l < RB_ISO__COUNT; l++) {
			if (!(p->isos >> l & 1))
				continue;
			for (int t = 0; p->tests[t]; t++) {
				if (!(p->tests_mask >> t & 1))
					continue;
				if (missing[l]) {
					na_cell(p->drivers[d], (enum rb_iso)l, p->tests[t], missing[l],
						out);
					continue;
				}
				if (stopped(p)) {
					out->aborted = 1;
					snprintf(out->abort_msg, sizeof(out->abort_msg), "interrupted");
					out->wall_seconds = (double)(now_ns() - t0) / 1e9;
					return rb_err_set(e, RB_CLS_OTHER, NULL, 0, "interrupted");
				}
				play_cell(p, d, (enum rb_iso)l, p->tests[t], out);
				if (out->cells[out->ncells - 1].play >= 0) {
					char shown[256];

					p->drivers[d]->xRedact(p->dsn[d], shown, sizeof(shown));
					note_server(out, p->drivers[d]->name, shown,
						    &out->explains[out->cells[out->ncells - 1].play]);
				}
			}
		}
	}
	out->wall_seconds = (double)(now_ns() - t0) / 1e9;
	return 0;
}
