/* double_tap.h: the double-tap checker's pure arithmetic, for unit tests. */
#ifndef RB_DOUBLE_TAP_H
#define RB_DOUBLE_TAP_H

struct dt_row {
	long long account;
	const char *assets;	/* comma list */
};

/* Number of items in a comma list ("" and NULL have none). */
int dt_count_items(const char *list);
/*
 * rows ordered by account. dup: rows beyond one per account; lost: adds
 * that committed (committed[k]) but whose asset is in none of the rows.
 * Odd keys start a trial with one item already in their list.
 */
void dt_tally(const struct dt_row *rows, int nrows, int keys,
	      const long long *committed, long long *dup, long long *lost);

#endif
