#!/bin/bash
# Patch conformance: applies every case of tests/corpus/patches with
# kylecode's tools (kc-tool-run -> tool_run), and the unified-diff cases
# also with `git apply`, `git apply --recount --ignore-whitespace` and
# `patch -p1`, on identical copies of the same input. Each outcome is
#   same     applied, and the tree equals the case's expected/ tree
#   differs  applied, but to something else
#   refuse   refused, tree untouched
#   partial  refused, but some files were changed anyway
#   -        not run (not a unified diff)
# and must equal the line for the case in tests/corpus/patches/EXPECTATIONS,
# where each deliberate difference from git or patch is explained.
#
# usage: patch_conformance.sh [--record] [CASE...]
#   --record  print the observed outcomes in EXPECTATIONS format instead of
#             checking them (review every line before committing them).
set -u

usage() { echo "usage: $0 [--record] [CASE...]"; }
RECORD=0
CASES=()
for a in "$@"; do
	case "$a" in
	--record) RECORD=1 ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) CASES+=("$a") ;;
	esac
done

SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${KC_BIN:-$SRC/build/bin}
TOOL=$BIN/kc-tool-run
CORPUS=$SRC/tests/corpus/patches
EXP=$CORPUS/EXPECTATIONS
[ -x "$TOOL" ] || { echo "SKIP: $TOOL not built"; exit 77; }
for t in git patch diff; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
CONFIG='{"create_file_policy":{"unified_diff":{"use_dev_null":true,"header_style":"git"}}}'
WORK=$(mktemp -d /tmp/kc-conformance.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME=$WORK

# setup DIR TREE CASE: a copy of TREE (in/ or expected/) plus the case's
# symlinks and hard links (listed in CASE/special).
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

# git runs need a repository (.git is theirs); elsewhere .git counts.
same_tree() {
	if [ "$SKIPGIT" = 1 ]; then diff -r --no-dereference -x .git "$1" "$2" >/dev/null 2>&1
	else diff -r --no-dereference "$1" "$2" >/dev/null 2>&1; fi
}
SKIPGIT=0

# outcome RC WS CASE: classify a run.
outcome() {
	local rc=$1 ws=$2 c=$3 ref=$WORK/ref
	if [ "$rc" -eq 0 ]; then
		setup "$ref" "$c/expected" "$c"
		[ -d "$c/expected" ] || setup "$ref" "$c/in" "$c"
		if same_tree "$ws" "$ref"; then echo same; else echo differs; fi
	else
		setup "$ref" "$c/in" "$c"
		if same_tree "$ws" "$ref"; then echo refuse; else echo partial; fi
	fi
}

run_kc() {
	local c=$1 ws=$WORK/kc/ws fmt rc
	fmt=$(cat "$c/format")
	setup "$ws" "$c/in" "$c"
	case $fmt in
	unified) timeout 20 "$TOOL" --workspace "$ws" --config "$CONFIG" --stdin-arg patch apply_unified_patch \
		<"$c/patch" >"$WORK/kc.out" 2>&1 ;;
	opencode) timeout 20 "$TOOL" --workspace "$ws" --config "$CONFIG" --stdin-arg patchText patch \
		<"$c/patch" >"$WORK/kc.out" 2>&1 ;;
	search_replace) timeout 20 "$TOOL" --workspace "$ws" --config "$CONFIG" apply_search_replace \
		"$(cat "$c/patch")" >"$WORK/kc.out" 2>&1 ;;
	esac
	rc=$?
	[ $rc -gt 1 ] && { echo "crash($rc)"; return; }
	# a refusal must tell the model why
	if [ $rc -eq 1 ] && ! grep -q '"error":[[:space:]]*"[^"]' "$WORK/kc.out"; then
		echo "silent-refusal"; return
	fi
	outcome $rc "$ws" "$c"
}

run_git() {
	local c=$1 ws=$WORK/git/ws rc
	setup "$ws" "$c/in" "$c"
	(cd "$ws" && git init -q . && timeout 20 git apply $2 <"$c/patch") >/dev/null 2>&1
	rc=$?
	SKIPGIT=1 outcome $rc "$ws" "$c"
}

run_patch() {
	local c=$1 ws=$WORK/patch/ws rc
	setup "$ws" "$c/in" "$c"
	(cd "$ws" && timeout 20 patch -p1 --batch --forward --no-backup-if-mismatch --reject-file=- \
		<"$c/patch") >/dev/null 2>&1
	rc=$?
	outcome $rc "$ws" "$c"
}

# Nothing may ever appear outside the workspace copies.
escape_check() {
	local f
	for f in "$WORK/kc/outside.txt" /tmp/kc-corpus-outside-abs.txt /etc/kc-pwned; do
		[ -e "$f" ] && { echo "ESCAPE: $f was created"; rm -f "$f"; return 1; }
	done
	return 0
}

observe() {
	local c=$CORPUS/$1 kc g gr p
	kc=$(run_kc "$c")
	escape_check || kc="escape"
	if [ "$(cat "$c/format")" = unified ]; then
		g=$(run_git "$c" "")
		gr=$(run_git "$c" "--recount --ignore-whitespace")
		p=$(run_patch "$c")
	else
		g=- gr=- p=-
	fi
	echo "$kc $g $gr $p"
}

if [ ${#CASES[@]} -eq 0 ]; then
	for d in "$CORPUS"/*/; do CASES+=("$(basename "$d")"); done
fi
fail=0 n=0
for name in "${CASES[@]}"; do
	[ -f "$CORPUS/$name/format" ] || { echo "no such case: $name"; fail=1; continue; }
	obs=$(observe "$name")
	n=$((n + 1))
	if [ $RECORD -eq 1 ]; then
		printf '%-44s %s\n' "$name" "$obs"
		continue
	fi
	want=$(awk -v n="$name" '$1 == n { print $2, $3, $4, $5 }' "$EXP")
	if [ -z "$want" ]; then
		echo "FAIL $name: no line in EXPECTATIONS (observed: $obs)"; fail=1
	elif [ "$want" != "$obs" ]; then
		echo "FAIL $name: expected [kc git git-recount patch] = [$want], observed [$obs]"
		sed 's/^/    /' "$WORK/kc.out" | head -20
		fail=1
	else
		echo "ok   $name: $obs"
	fi
done
[ $RECORD -eq 1 ] && exit 0
echo "$n cases, $([ $fail -eq 0 ] && echo all as expected || echo FAILURES)"
exit $fail
