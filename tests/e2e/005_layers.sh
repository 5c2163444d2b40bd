# 005_layers.sh: the source tree's layers, checked from its #include lines
# (no database needed). Each folder includes only from the folders below it:
#
#   base  <  drivers  <  scenarios  <  core  <  reports  <  cli  <  bench.c
#
# no two modules (a .c and its .h) include each other, directly or round a
# longer loop, and nothing outside drivers/ names a database product.
# sanitizers: skip, it reads the source, not racebench
. "$(dirname "$0")/lib.sh"

cd "$(dirname "$0")/../.." || exit 1
layers="base drivers scenarios core reports cli"

rank() {	# folder -> its place in the order (bench.c last)
	local i=0 l
	for l in $layers; do
		[ "$1" = "$l" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo $i
}

# edges: "MODULE TARGET" for every #include "..." between the project's files.
files=$(ls bench.c $(for l in $layers; do ls "$l"/*.[ch] 2>/dev/null; done))
edges=$TMP/edges
: >"$edges"
for f in $files; do
	d=$(dirname "$f")
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f" | while read -r inc; do
		t=$(realpath -m --relative-to=. "$d/$inc")
		[ -e "$t" ] || continue
		echo "${f%.*} ${t%.*}"
	done
done | awk '$1 != $2' | sort -u >"$edges"

check "the include graph was read ($(wc -l <"$edges") edges between modules)" [ -s "$edges" ]
if loop=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$loop" ]; then
	ok "no two modules include each other, directly or round a loop"
else
	not_ok "modules include each other: $(echo "$loop" | tr '\n' ' ' | head -c 400)"
fi

up=$(while read -r a b; do
	fa=$(dirname "$a") fb=$(dirname "$b")
	[ "$fa" = . ] && fa=bench
	[ "$fb" = . ] && fb=bench
	[ "$fa" = "$fb" ] && continue
	[ "$(rank "$fb")" -lt "$(rank "$fa")" ] || echo "$a -> $b"
done <"$edges")
if [ -z "$up" ]; then
	ok "every folder includes only from the folders below it ($layers, bench.c)"
else
	not_ok "includes that point up or sideways: $(echo "$up" | tr '\n' ' ' | head -c 600)"
fi

# Database products named in code (string literals and identifiers, not
# comments) outside drivers/: adding a database must not touch them.
named=$(for f in $files; do
	case $f in drivers/*) continue ;; esac
	# strip /* ... */ and // comments, then look
	awk 'BEGIN { c = 0 }
	{
		line = $0; out = ""
		while (length(line)) {
			if (c) { i = index(line, "*/"); if (!i) { line = ""; break } line = substr(line, i + 2); c = 0; continue }
			i = index(line, "/*"); j = index(line, "//")
			if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
			if (i) { out = out substr(line, 1, i - 1); line = substr(line, i + 2); c = 1; continue }
			out = out line; line = ""
		}
		print FILENAME ":" NR ": " out
	}' "$f"
done | grep -E '"(pg|mysql|redis)"|PostgreSQL|MariaDB|MySQL|InnoDB|GET_LOCK|pg_advisory|DIALECT_(PG|MYSQL)|\bhiredis\b|libpq|redis_url|mysql_url')
if [ -z "$named" ]; then
	ok "nothing outside drivers/ names a database in code"
else
	not_ok "databases named outside drivers/: $(echo "$named" | head -5 | tr '\n' '|')"
fi
