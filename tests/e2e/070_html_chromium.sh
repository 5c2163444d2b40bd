# 070_html_chromium.sh: the HTML report of a real run, opened in headless Chromium.
#
# The page must stand alone (no http(s) resource), parse as XML, agree with
# the JSON of the same run, and render to a real screenshot: a PNG whose
# header says 1400x1000 and whose size is well above a blank page's. The
# screenshot and the page are kept (path printed) for a human to look at.
. "$(dirname "$0")/lib.sh"

run_rb "$TMP/run" run --pg "$RACEBENCH_PG" -s double-tap -S none,for-update-parent,atomic \
	-i rc,rr -t 3 --format html,json --out "$TMP/a.html" --out "$TMP/a.json"
check "run with --format html,json exits 0" [ "$rb_rc" = 0 ]
check "HTML written" [ -s "$TMP/a.html" ]

# Self-contained: nothing fetched from anywhere, nothing executed.
check "no http(s) or protocol-relative src/href/url()" sh -c \
	"! grep -Eiq '(src|href)[[:space:]]*=[[:space:]]*[\"'\'']?[[:space:]]*(https?:|//)|url\\([\"'\'']?(https?:|//)' '$TMP/a.html'"
check "no script, no @import" sh -c "! grep -Eiq '<script|@import' '$TMP/a.html'"
check "charts are inline SVG" grep -q '<svg ' "$TMP/a.html"
if command -v xmllint >/dev/null; then
	check "the page parses as XML (xmllint)" xmllint --noout "$TMP/a.html"
else
	ok "# SKIP xmllint not installed"
fi

# The page tells the same story as the JSON: one table row per cell, and
# each ran cell's heat-map tooltip carries its verdict and trial counts.
cells=$(jq '.cells | length' "$TMP/a.json")
rows=$(($(grep -o 'td class="id"' "$TMP/a.html" | wc -l) / 2))
check "one table row per JSON cell ($cells)" [ "$rows" = "$cells" ]
missing=0
while IFS= read -r title; do
	grep -qF "<title>$title" "$TMP/a.html" || { missing=$((missing + 1)); echo "# missing: $title"; }
done < <(jq -r '.cells[] | select(.verdict != "n/a") |
	"\(.db) \(.scenario) \(.strategy) \(.isolation): \(.verdict), \(.anomalous_trials)/\(.trials) trials anomalous"' \
	"$TMP/a.json")
check "every cell's verdict and trials in the charts match the JSON" [ "$missing" = 0 ]

chromium=$(command -v chromium || true)
[ -x /usr/bin/chromium ] && chromium=/usr/bin/chromium
if [ -z "$chromium" ]; then
	ok "# SKIP chromium not installed"
	exit 0
fi

keep=${RACEBENCH_ARTIFACTS:-${TMPDIR:-/tmp}/racebench-artifacts}
mkdir -p "$keep"
cp "$TMP/a.html" "$keep/070-report.html"
shot=$keep/070-report.png
rm -f "$shot"

# screenshot URL PNG: headless Chromium with a fresh profile, nothing phoning home.
screenshot() {
	local profile sandbox=
	profile=$(mktemp -d "$TMP/chromium.XXXXXX")
	[ "$(id -u)" = 0 ] && sandbox=--no-sandbox
	timeout 120 "$chromium" --headless $sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --window-size=1400,1000 --screenshot="$2" "$1" \
		>"$TMP/chromium.log" 2>&1
}

# png_dims FILE: "WIDTH HEIGHT" from the IHDR chunk, which a PNG must start with.
png_dims() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%d %d\n", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }'
}

screenshot "file://$keep/070-report.html" "$shot"
check "chromium wrote a screenshot" [ -s "$shot" ]
echo "# screenshot: $shot (page: $keep/070-report.html)"
sig=$(od -An -tx1 -N16 "$shot" 2>/dev/null | tr -d ' \n')
check "the screenshot is a PNG (signature, then IHDR)" [ "$sig" = 89504e470d0a1a0a0000000d49484452 ]
read -r width height < <(png_dims "$shot")
check "the PNG is 1400x1000 (got ${width}x$height)" [ "${width}x$height" = 1400x1000 ]

# A blank page of the same size is the baseline: a rendered report has far more in it.
printf '<!DOCTYPE html>\n<html><head><title>blank</title></head><body></body></html>\n' >"$TMP/blank.html"
screenshot "file://$TMP/blank.html" "$TMP/blank.png"
size=$(wc -c <"$shot")
blank=$(wc -c <"$TMP/blank.png" 2>/dev/null || echo 0)
[ "$blank" -gt 0 ] || blank=6000
check "the screenshot has content: $size bytes, a blank page $blank" [ "$size" -ge $((blank * 5)) ]

# --- load mode's charts, for a projector: a sweep over clients, and one point.
run_rb "$TMP/sw" load --pg "$RACEBENCH_PG" -s coupon-oversell -S none,for-update,atomic -i rc \
	-c 1,2,4 --duration 0.4 --warmup 0 --quantity 1000000000 --format html,json \
	--out "$TMP/sw.html" --out "$TMP/sw.json"
check "load sweep with --format html: exit 0" [ "$rb_rc" = 0 ]
check "the sweep page parses as XML" xmllint --noout "$TMP/sw.html"
check "throughput and p99 against clients, per keys value" sh -c \
	"grep -q 'Throughput, ops/s (log) against clients · keys 1' '$TMP/sw.html' && grep -q 'p99 latency (log) against clients · keys 1' '$TMP/sw.html'"
check "every point of every strategy drawn (a title each)" \
	[ "$(grep -o '<title>[a-z-]* rc at [0-9]* clients' "$TMP/sw.html" | sort -u | wc -l)" = 9 ]
# A point where the strategy let an anomaly through is drawn as wrong (a red cross, "wrong"
# in the cost table), never ranked: as many as the JSON has anomalous points.
wrong=$(jq '[.cells[] | select(.verdict == "anomaly")] | length' "$TMP/sw.json")
check "anomalous points are drawn as wrong ($wrong in the JSON)" \
	[ "$(grep -o '>wrong</td>' "$TMP/sw.html" | wc -l)" = "$wrong" ]
check "the cost of each safe strategy against the fastest safe one" grep -q 'cost against the fastest safe' "$TMP/sw.html"
run_rb "$TMP/one" load --pg "$RACEBENCH_PG" -s coupon-oversell -S none,atomic -i rc -c 4 \
	--duration 0.4 --warmup 0 --quantity 1000000000 --format html --out "$TMP/one.html"
check "load at one point: throughput bars, wrong ones said so" sh -c \
	"grep -q 'Throughput, ops/s, and each safe strategy' '$TMP/one.html' && xmllint --noout '$TMP/one.html'"
cp "$TMP/sw.html" "$keep/070-sweep.html"
screenshot "file://$keep/070-sweep.html" "$keep/070-sweep.png"
read -r width height < <(png_dims "$keep/070-sweep.png")
check "the sweep renders in chromium (${width}x$height, $(wc -c <"$keep/070-sweep.png") bytes)" \
	[ "$(wc -c <"$keep/070-sweep.png")" -ge $((blank * 5)) ]
echo "# sweep screenshot: $keep/070-sweep.png"
