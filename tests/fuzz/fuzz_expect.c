/* fuzz_expect.c: libFuzzer target: the expectations parser and evaluator. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../core/gate.h"
#include "../../core/result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_result r;
	struct gate g;
	struct rb_err re;

	if (size == 0)
		return 0;
	gate_init(&g);
	if (r.ncells == 0) {
		struct cell_result *c = result_add_cell(&r);

		c->db = "pg";
		c->scenario = "double-tap";
		c->strategy = "none";
		c->iso = c->eff_iso = RB_ISO_RC;
		c->nkinds = 2;
		c->kinds[0] = "duplicates";
		c->kinds[1] = "lost_updates";
		c->trials = c->anomalous_trials = 3;
		c->anomalies[0] = 7;
		cell_judge(c);
	}
	if (gate_parse(&g, "fuzz", (const char *)data, size, &re) == 0)
		gate_eval(&g, &r);
	gate_release(&g);
	for (int i = 0; i < r.ncells; i++)
		r.cells[i].nbroken = 0;
	return 0;
}
