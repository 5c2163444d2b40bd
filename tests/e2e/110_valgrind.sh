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

# A user's race file: read, run, freed (examples/races/seat-reservation.race).
EXR=$(cd "$(dirname "$0")/../../examples/races" && pwd)
timeout 600 valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
	"$RB" run --pg "$RACEBENCH_PG" --mysql "$RACEBENCH_MYSQL" \
	-s "$EXR/seat-reservation.race" -S none,skip-locked -i rc -t 2 -c 2 \
	--format json --out "$TMP/vg2.json" >/dev/null 2>"$TMP/vg2.log"
rc=$?
check "memcheck, a race file: no leak, no invalid access (exit $rc)" [ "$rc" = 0 ]
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/vg2.log" | head -40
jq_true "memcheck race-file run produced its report" "$TMP/vg2.json" '(.cells | length) == 4'
