/* result_read.h: a saved JSON report read back into the result model. */
#ifndef RB_RESULT_READ_H
#define RB_RESULT_READ_H

#include <stdio.h>

#include "result.h"

/*
 * Reads back what reports/json.c wrote into r (overwritten; strings owned
 * by r). Returns 0, or -1 with e->msg naming what is malformed
 * ("cells[2].verdict: missing"). Release r with result_release either way.
 */
int result_read_json(FILE *f, struct run_result *r, struct rb_err *e);

#endif
