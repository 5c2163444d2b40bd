#!/usr/bin/env bash
# run.sh: runs each libFuzzer target for FUZZ_TIME seconds (make fuzz).
# Exits 1 at the first crash, leaving the input in build/fuzz/artifacts/.
set -u
dir=${FUZZ_DIR:-build/fuzz}
time=${FUZZ_TIME:-60}
mkdir -p "$dir/artifacts"
for t in "$@"; do
	mkdir -p "$dir/corpus/$t"
	echo "fuzz: $t for $time s"
	"$dir/fuzz_$t" -max_total_time="$time" -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" "tests/fuzz/corpus/$t" \
		>"$dir/$t.log" 2>&1
	rc=$?
	grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)|cov: .*corp:' "$dir/$t.log" | tail -4
	if [ $rc -ne 0 ]; then
		echo "fuzz: $t FAILED (exit $rc); log: $dir/$t.log" >&2
		exit 1
	fi
done
echo "fuzz: no crash in $# targets"
