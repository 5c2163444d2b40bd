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

static void list_scenario(const struct scenario *s)
{
	enum dialect d = drivers[0]->dialect;
	char fit[512] = "";

	printf("\n  %s\n    %s\n    operation: %s\n    anomaly kinds:", s->name, s->incident,
	       s->summary);
	for (int k = 0; k < sc_nkinds(s); k++)
		printf(" %s", s->kinds[k]);
	for (int st = 0; st < ST__COUNT; st++)
		if (!s->xFits((enum strategy)st, d))
			str_printf(fit + strlen(fit), sizeof(fit) - strlen(fit), "%s%s",
				   *fit ? " " : "", strategy_name((enum strategy)st));
	printf("\n");
	print_wrapped("    strategies:", fit, 6);
	for (int st = 0; st < ST__COUNT; st++) {
		const char *why = s->xFits((enum strategy)st, d);

		if (why) {
			char head[64];

			snprintf(head, sizeof(head),
				 "    n/a %s:", strategy_name((enum strategy)st));
			print_wrapped(head, why, 8);
		}
	}
	if (s->notes)
		print_wrapped("    notes:", s->notes, 6);
}

int cmd_list(struct options *o)
{
	(void)o;
	printf("Scenarios (the incidents, told in docs/incidents.md):\n");
	for (int i = 0; scenarios[i]; i++)
		list_scenario(scenarios[i]);
	printf("\nStrategies:\n");
	for (int st = 0; st < ST__COUNT; st++) {
		const struct strategy_info *si = strategy_info((enum strategy)st);

		printf("  %-20s %s (from %s)\n", si->name, si->summary, si->from);
	}
	printf("\nIsolation levels (set per transaction):\n");
	for (int l = 0; l < RB_ISO__COUNT; l++)
		printf("  %-4s %s\n", rb_iso_name((enum rb_iso)l), rb_iso_sql((enum rb_iso)l));
	printf("\nDrivers:\n");
	for (int i = 0; drivers[i]; i++) {
		printf("  %-6s %s\n", drivers[i]->name, drivers[i]->summary);
		if (drivers[i]->level_notes)
			print_wrapped("         levels:", drivers[i]->level_notes, 9);
	}
	if (lock_service)
		printf("  %-6s %s\n", lock_service->name, lock_service->summary);
	return 0;
}
