#!/bin/bash
# The patch corpus through the real programs: `kylecode apply` starts
# kylecode-tools (seccomp allowlist, Landlock, no network) and sends it the
# patch; the file tools must behave there exactly as in-process
# (tests/corpus/patches/EXPECTATIONS, kylecode column), so a syscall the
# worker's policy forgets, or a path Landlock blocks, shows up here.
# usage: patch_apply_cli.sh [CASE...]
set -u
case "${1:-}" in -h|--help) echo "usage: $0 [CASE...]"; exit 0 ;; -*) echo "usage: $0 [CASE...]" >&2; exit 2 ;; esac
SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${KC_BIN:-$SRC/build/bin}
BIN=$(cd "$BIN" 2>/dev/null && pwd) || { echo "SKIP: no $KC_BIN"; exit 77; }
CORPUS=$SRC/tests/corpus/patches
for b in kylecode kylecode-tools; do
	[ -x "$BIN/$b" ] || { echo "SKIP: $BIN/$b not built"; exit 77; }
done
T=$(mktemp -d /tmp/kc-applycli.XXXXXX)
trap 'rm -rf "$T"' EXIT

setup() {
	rm -rf "$1"; mkdir -p "$1"
	[ -d "$2" ] && cp -a "$2/." "$1/"
	if [ -f "$3/special" ]; then
		while read -r kind name target; do
			case $kind in
			symlink) ln -s "$target" "$1/$name" ;;
			hardlink) [ -e "$1/$target" ] && ln "$1/$target" "$1/$name" ;;
			esac
		done <"$3/special"
	fi
}

CASES=("$@")
if [ ${#CASES[@]} -eq 0 ]; then
	for d in "$CORPUS"/[uo]*/; do CASES+=("$(basename "$d")"); done
fi
# Cases decided before the file tools see them: the dialect parser that
# finds the patch in the model's text (worker-tools/dialects/) cuts it.
declare -A DIALECT_DIFFERS=(
)
fail=0 n=0
for name in "${CASES[@]}"; do
	c=$CORPUS/$name
	if [ -n "${DIALECT_DIFFERS[$name]:-}" ]; then
		echo "skip $name: ${DIALECT_DIFFERS[$name]}"
		continue
	fi
	want=$(awk -v n="$name" '$1 == n { print $2 }' "$CORPUS/EXPECTATIONS")
	case $(cat "$c/format") in
	unified) dialect=unified_diff ;;
	opencode) dialect=opencode_patch ;;
	*) continue ;;
	esac
	# prose around a patch, or no patch at all, is the dialect parser's
	# business (a refusal either way); the file tools' cases are the rest
	ws=$T/ws
	setup "$ws" "$c/in" "$c"
	(cd "$T" && timeout 60 "$BIN/kylecode" apply --workspace "$ws" --dialect "$dialect" <"$c/patch") \
		>"$T/out" 2>&1
	rc=$?
	n=$((n + 1))
	[ $rc -gt 1 ] && { echo "FAIL $name: kylecode apply exited $rc"; sed 's/^/    /' "$T/out" | head; fail=1; continue; }
	setup "$T/ref" "$c/in" "$c"
	[ "$want" = same ] && [ -d "$c/expected" ] && setup "$T/ref" "$c/expected" "$c"
	if diff -r --no-dereference "$ws" "$T/ref" >/dev/null 2>&1; then
		tree=ok
	else
		tree=bad
	fi
	if { [ "$want" = same ] && [ $rc -eq 0 ] && [ $tree = ok ]; } ||
		{ [ "$want" = refuse ] && [ $rc -eq 1 ] && [ $tree = ok ]; }; then
		echo "ok   $name ($want)"
	else
		echo "FAIL $name: expected $want, exit $rc, tree $tree"
		sed 's/^/    /' "$T/out" | head -12
		fail=1
	fi
done
for f in /tmp/kc-corpus-outside-abs.txt /etc/kc-pwned "$T/outside.txt"; do
	[ -e "$f" ] && { echo "FAIL: $f was created"; fail=1; }
done
echo "$n cases through kylecode apply: $([ $fail -eq 0 ] && echo all as expected || echo FAILURES)"
exit $fail
