/* common.c: helpers shared by the renderers. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

void fmt_us(char *buf, size_t n, uint64_t us)
{
	if (us < 1000)
		snprintf(buf, n, "%" PRIu64 "us", us);
	else if (us < 10000)
		snprintf(buf, n, "%.2fms", (double)us / 1000.0);
	else if (us < 1000000)
		snprintf(buf, n, "%.1fms", (double)us / 1000.0);
	else
		snprintf(buf, n, "%.2fs", (double)us / 1e6);
}

const struct report_format report_formats[] = {
	{ "table", "txt", report_table },
	{ "json", "json", report_json },
	{ NULL, NULL, NULL },
};

int report_format_find(const char *name)
{
	for (int i = 0; report_formats[i].name; i++)
		if (!strcmp(report_formats[i].name, name))
			return i;
	return -1;
}
