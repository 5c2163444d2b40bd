/*
 * sql_text.c: statements and results as a timeline shows them: the SQL
 * with its parameters inline, how many columns a result has, and a short
 * description of what a statement returned.
 */
#define _POSIX_C_SOURCE 200809L
#include "sql_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int word_at(const char *s, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(s, w, n) && !isalnum((unsigned char)s[n]) && s[n] != '_';
}

/*
 * The statement with its parameters inline ('?' outside quotes becomes the
 * value, text quoted), so a reader sees what the server ran. A race file's
 * statement spans lines with its own indentation: outside quotes, each run
 * of white space is shown as one space, so the timeline can wrap it.
 */
void sql_inline(const char *sql, const struct db_param *p, int n, char *out, size_t cap)
{
	size_t o = 0;
	int k = 0, quote = 0;

	while (isspace((unsigned char)*sql))
		sql++;
	for (; *sql && o + 1 < cap; sql++) {
		if (*sql == '\'')
			quote = !quote;
		if (!quote && isspace((unsigned char)*sql)) {
			while (isspace((unsigned char)sql[1]))
				sql++;
			if (sql[1])
				out[o++] = ' ';
			continue;
		}
		if (*sql != '?' || quote || k >= n) {
			out[o++] = *sql;
			continue;
		}
		if (p[k].null) {
			o += (size_t)snprintf(out + o, cap - o, "NULL");
			if (o >= cap)
				o = cap - 1;
		} else if (p[k].s) {
			out[o++] = '\'';
			for (const char *v = p[k].s; *v && o + 2 < cap; v++) {
				if (*v == '\'')
					out[o++] = '\'';
				out[o++] = *v;
			}
			if (o + 1 < cap)
				out[o++] = '\'';
		} else {
			o += (size_t)snprintf(out + o, cap - o, "%lld", p[k].i);
			if (o >= cap)
				o = cap - 1;
		}
		k++;
	}
	out[o] = '\0';
}

/* Drivers do not say how many columns a result has (NULL looks like none). */
int explain_sql_columns(const char *sql)
{
	const char *p = sql, *start = NULL;
	int depth = 0, quote = 0, cols = 1;

	while (isspace((unsigned char)*p))
		p++;
	if (word_at(p, "SELECT"))
		start = p + 6;
	for (const char *q = p; *q && !start; q++) {
		if (*q == '\'')
			quote = !quote;
		else if (*q == '(')
			depth++;
		else if (*q == ')')
			depth--;
		else if (!quote && !depth && (q == p || isspace((unsigned char)q[-1])) &&
			 word_at(q, "RETURNING"))
			start = q + 9;
	}
	if (!start)
		return 0;
	depth = quote = 0;
	for (const char *q = start; *q; q++) {
		if (*q == '\'')
			quote = !quote;
		if (quote)
			continue;
		if (*q == '(')
			depth++;
		else if (*q == ')')
			depth--;
		else if (!depth && *q == ',')
			cols++;
		else if (!depth && isspace((unsigned char)q[-1]) && word_at(q, "FROM"))
			break;
	}
	return cols;
}

static int is_dml(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return word_at(sql, "INSERT") || word_at(sql, "UPDATE") || word_at(sql, "DELETE");
}

/* Appends one value, cut short when long. */
static size_t put_value(char *out, size_t o, size_t cap, const char *v)
{
	size_t len;

	if (!v)
		v = "NULL";
	len = strlen(v);
	if (len > 32)
		return o + (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%.29s...", v);
	return o + (size_t)snprintf(out + o, o < cap ? cap - o : 0, "%s", v);
}

/* "0 rows", "1 row: 7 | PENDING", "2 rows: 1 | a; 2 | b", "1 row affected". */
void sql_describe(struct db_conn *c, const char *sql, char *out, size_t cap)
{
	int cols = explain_sql_columns(sql), rows = cols ? db_rows(c) : 0;
	size_t o = 0;

	out[0] = '\0';
	if (is_dml(sql)) {
		long long a = db_affected(c);

		o = (size_t)snprintf(out, cap, "%lld row%s affected", a, a == 1 ? "" : "s");
		if (cols && rows)
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, ", returning ");
	} else if (cols) {
		o = (size_t)snprintf(out, cap, "%d row%s%s", rows, rows == 1 ? "" : "s",
				     rows ? ": " : "");
	} else {
		snprintf(out, cap, "ok");
		return;
	}
	for (int r = 0; r < rows && r < 3 && o < cap; r++) {
		if (r)
			o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, "; ");
		for (int k = 0; k < cols && o < cap; k++) {
			if (k)
				o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, " | ");
			o = put_value(out, o, cap, db_value(c, r, k));
		}
	}
	if (rows > 3 && o < cap)
		snprintf(out + o, cap - o, "; ...");
}
