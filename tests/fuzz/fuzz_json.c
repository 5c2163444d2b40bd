/* fuzz_json.c: libFuzzer target: reading a saved JSON report back. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>

#include "../../core/result_read.h"
#include "../../reports/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_result r = { 0 };
	struct rb_err e;
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (result_read_json(f, &r, &e) == 0) {
		FILE *out = fopen("/dev/null", "w");

		if (out) {
			report_json(out, &r, &(struct report_opts){ 0 });
			fclose(out);
		}
	}
	fclose(f);
	result_release(&r);
	return 0;
}
