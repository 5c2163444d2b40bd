# 110_valgrind.sh: memcheck on a short run over all three servers: no leak,
# no invalid access. Skipped for sanitizer builds (they do their own checks).
. "$(dirname "$0")/lib.sh"

case $RB in
*/build/address*|*/build/thread*|*/build/undefined*)
	ok "# SKIP valgrind: a sanitizer build"
	exit 0 ;;
esac
if ! command -v valgrind >/dev/null; then
	ok "# SKIP valgrind not installed"
	exit 0
fi
timeout 600 valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	"$RB" run --pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL" --redis "$RACEBENCH_REDIS" \
	-s coupon-oversell,double-tap -S none,atomic,redis-wide -i rc -t 2 -c 2 \
	--format json --out "$TMP/vg.json" >/dev/null 2>"$TMP/vg.log"
rc=$?
check "memcheck: no leak, no invalid access (exit $rc; see below if not 0)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/vg.log" | head -40
jq_true "memcheck run produced its report" "$TMP/vg.json" '(.cells | length) == 12'
