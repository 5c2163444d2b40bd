/* cmd_list.c: racebench list: scenarios, strategies, levels, drivers. */
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../drivers/driver.h"
#include "../scenarios/scenario.h"
#include "cli.h"

/* Prints head, then text word-wrapped at 78 columns, later lines indented. */
static void print_wrapped(const char *head, const char *text, int indent)
{
	int col = printf("%s", head), line_start = 0;

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (col + 1 + len > 78 && !line_start) {
			col = printf("\n%*s", indent, "") - 1;
			line_start = 1;
		}
		if (!line_start) {
			putchar(' ');
			col++;
		}
		col += printf("%.*s", len, text);
		line_start = 0;
		text += len;
		while (*text == ' ')
			text++;
	}
	putchar('\n');
}

static void list_scenario(const struct scenario *s, const struct sc_params *p)
{
	enum dialect d = drivers[0]->dialect;
	char fit[512] = "";

	printf("\n  %s\n", s->name);
	if (s->incident && *s->incident)
		printf("    %s\n", s->incident);
	if (!s->builtin)
		printf("    file: %s\n", s->file);
	if (s->summary && *s->summary)
		printf("    operation: %s\n", s->summary);
	printf("    anomaly kinds:");
	for (int k = 0; k < sc_nkinds(s); k++)
		printf(" %s", s->kinds[k]);
	for (int st = 0; st < ST__COUNT; st++)
		if (!s->xFits(s, (enum strategy)st, d))
			str_printf(fit + strlen(fit), sizeof(fit) - strlen(fit), "%s%s",
				   *fit ? " " : "", strategy_name((enum strategy)st));
	printf("\n");
	print_wrapped("    strategies:", fit, 6);
	for (int st = 0; st < ST__COUNT; st++) {
		const char *why = s->xFits(s, (enum strategy)st, d);

		if (why) {
			char head[64];

			snprintf(head, sizeof(head),
				 "    n/a %s:", strategy_name((enum strategy)st));
			print_wrapped(head, why, 8);
		}
	}
	for (int k = 0; k < s->nknobs; k++) {
		char head[96], text[256];
		long long v = 0;

		s->xKnob(s, s->knobs[k], p, &v);
		snprintf(head, sizeof(head), "    knob %s:", s->knobs[k]);
		snprintf(text, sizeof(text), "%s; %lld at --clients %d", s->knob_help[k], v,
			 p->clients);
		print_wrapped(head, text, 8);
	}
	for (int k = 0; s->schedules && s->schedules[k].name; k++) {
		char head[96];

		snprintf(head, sizeof(head), "    schedule %s:", s->schedules[k].name);
		print_wrapped(head, s->schedules[k].summary, 8);
	}
	if (s->notes)
		print_wrapped("    notes:", s->notes, 6);
}

int cmd_list(struct options *o)
{
	/* list FILE...: those races only, read and checked without a database */
	if (o->nwords) {
		for (int i = 0; i < o->nsc; i++)
			if (o->plan.scenarios >> i & 1)
				list_scenario(o->sc[i], &o->plan.cfg.sc);
		return 0;
	}
	printf("Scenarios (the incidents, told in docs/incidents.md; your own: a race file,\n"
	       "docs/race-files.md):\n");
	for (int i = 0; i < o->nsc; i++)
		list_scenario(o->sc[i], &o->plan.cfg.sc);
	printf("\nIsolation tests (racebench isolation; docs/isolation.md):\n");
	for (int i = 0; i < o->ntests; i++) {
		char head[64];

		snprintf(head, sizeof(head), "  %-16s", o->tests[i]->name);
		print_wrapped(head, o->tests[i]->incident, 19);
	}
	printf("\nStrategies:\n");
	for (int st = 0; st < ST__COUNT; st++) {
		const struct strategy_info *si = strategy_info((enum strategy)st);

		printf("  %-20s %s (from %s)%s%s%s\n", si->name, si->summary, si->from,
		       si->topology ? " [only on the " : "", si->topology ? si->topology : "",
		       si->topology ? " topology]" : "");
	}
	printf("\nIsolation levels (set per transaction; run and load take all but rr+si\n"
	       "unless --isolation says):\n");
	for (int l = 0; l < RB_ISO__COUNT; l++)
		printf("  %-5s %s\n", rb_iso_name((enum rb_iso)l), rb_iso_sql((enum rb_iso)l));
	printf("\nDrivers:\n");
	for (int i = 0; drivers[i]; i++) {
		printf("  %-6s %s\n", drivers[i]->name, drivers[i]->summary);
		if (drivers[i]->level_notes)
			print_wrapped("         levels:", drivers[i]->level_notes, 9);
		/* the levels a driver never has, whatever the server */
		for (int l = 0; l < RB_ISO__COUNT && drivers[i]->xLevelFits; l++) {
			const char *why = drivers[i]->xLevelFits(NULL, (enum rb_iso)l);
			char head[40];

			if (!why)
				continue;
			snprintf(head, sizeof(head),
				 "         no %s:", rb_iso_name((enum rb_iso)l));
			print_wrapped(head, why, 9);
		}
	}
	if (lock_service)
		printf("  %-6s %s\n", lock_service->name, lock_service->summary);
	printf("\nTopologies (run --topology NAME; docs/topologies.md):\n");
	/* the drivers' topologies, then the lock service's (one past the registry's end) */
	for (int i = 0; i <= driver_count(); i++) {
		const struct topology_info *t = i < driver_count() ? drivers[i]->topology
					      : lock_service   ? lock_service->topology
							       : NULL;
		char head[40];

		if (!t)
			continue;
		snprintf(head, sizeof(head), "  %-11s", t->name);
		print_wrapped(head, t->summary, 14);
		if (t->notes)
			print_wrapped("              cells:", t->notes, 14);
	}
	return 0;
}
