/* tally.h: the scenario checkers' pure arithmetic, kept apart for unit tests. */
#ifndef RB_TALLY_H
#define RB_TALLY_H

/* double-tap: one watch-list row of an account. */
struct dt_row {
	long long account;
	const char *assets; /* comma list */
};

/* Number of items in a comma list ("" and NULL have none). */
int dt_count_items(const char *list);
/*
 * rows ordered by account. dup: rows beyond one per account; lost: adds
 * that committed (committed[k]) but whose asset is in none of the rows.
 * Odd keys start a trial with one item already in their list.
 */
void dt_tally(const struct dt_row *rows, int nrows, int keys, const long long *committed,
	      long long *dup, long long *lost);

/* duplicate-settlement: one pending seller settlement and its items. */
struct ds_row {
	long long product;
	long long total; /* the settlement's running total */
	long long items; /* the sum of its item settlements */
};

/*
 * rows ordered by product. dup: pending settlements beyond one per
 * product; lost: item amounts missing from (or extra in) totals, in units
 * of amount (rounded up).
 */
void ds_tally(const struct ds_row *rows, int nrows, long long amount, long long *dup,
	      long long *lost);

/*
 * negative-balance, one wallet: balance now, purchases made, money spent.
 * negative: 1 when the balance is below zero; overspend: purchases beyond
 * initial / price; lost: money not conserved (initial != balance + spent),
 * in units of price, rounded up.
 */
void nb_tally(long long initial, long long price, long long balance, long long purchases,
	      long long spent, long long *negative, long long *overspend, long long *lost);

/*
 * coupon-oversell, one coupon of q: quantity left and issues made.
 * oversold: issues beyond q; lost: issues + quantity != q (absolute).
 */
void co_tally(long long q, long long quantity, long long issues, long long *oversold,
	      long long *lost);

/*
 * double-transfer, one transfer: paid and refund ledger entries.
 * double_paid: payments beyond one; both: 1 when paid and refunded.
 */
void tr_tally(long long paid, long long refunds, long long *double_paid, long long *both);

#endif
