/* sql_text.h: statements and results as a timeline shows them. */
#ifndef RB_SQL_TEXT_H
#define RB_SQL_TEXT_H

#include <stddef.h>

#include "../drivers/driver.h"

/*
 * The statement with its parameters inline ('?' outside quotes becomes the
 * value, text quoted), so a reader sees what the server ran.
 */
void sql_inline(const char *sql, const struct db_param *p, int n, char *out, size_t cap);
/*
 * How many columns sql's result has: the top-level list after SELECT (up
 * to FROM) or after RETURNING; 0 when it returns none.
 */
int explain_sql_columns(const char *sql);
/* "0 rows", "1 row: 7 | PENDING", "2 rows: 1 | a; 2 | b", "1 row affected": c's last result. */
void sql_describe(struct db_conn *c, const char *sql, char *out, size_t cap);

#endif
