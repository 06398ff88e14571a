#!/bin/bash
# Security of the file tools, through the real tool_run (kc-tool-run):
# symlink, hard link, ".." and absolute-path escapes for every writing and
# reading tool; files of 100 MB; binary files; CRLF files; non-UTF-8 names.
# (The race with a symlink swapped in during writes is tests/unit/fs_race_test.c.)
set -u
SRC=${KC_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${KC_BIN:-$SRC/build/bin}
TOOL=$BIN/kc-tool-run
case "${1:-}" in -h|--help) echo "usage: $0"; exit 0 ;; "") ;; *) echo "usage: $0" >&2; exit 2 ;; esac
[ -x "$TOOL" ] || { echo "SKIP: $TOOL not built"; exit 77; }
T=$(mktemp -d /tmp/kc-fssec.XXXXXX)
trap 'rm -rf "$T"' EXIT
WS=$T/ws OUT=$T/outside
fail=0
bad() { echo "FAIL: $*"; fail=1; }
run() { "$TOOL" --workspace "$WS" "$@" >"$T/res" 2>&1; }
refused() { # run must fail with a message
	if run "$@"; then bad "accepted: $*"; return; fi
	grep -q '"error":[[:space:]]*"[^"]' "$T/res" || bad "refused without a message: $*"
}

reset() {
	rm -rf "$WS" "$OUT"; mkdir -p "$WS/sub" "$OUT"
	echo secret >"$OUT/secret.txt"
	echo "inside" >"$WS/sub/in.txt"
	ln -s "$OUT" "$WS/dirlink"                # directory symlink out
	ln -s "$OUT/secret.txt" "$WS/filelink"    # file symlink out
	ln -s ../../../../../../.."$OUT" "$WS/rellink" # relative symlink out
	ln "$OUT/secret.txt" "$WS/hard.txt"       # hard link to a file outside
}
outside_intact() {
	[ "$(ls -A "$OUT")" = secret.txt ] || bad "$1: a file appeared outside: $(ls -A "$OUT")"
	grep -qx secret "$OUT/secret.txt" || bad "$1: the outside file changed"
	[ -e "$T/escaped.txt" ] && { bad "$1: ../escaped.txt written"; rm -f "$T/escaped.txt"; }
}

# 1. escapes through every writing tool
for p in ../escaped.txt "$OUT/new.txt" dirlink/new.txt rellink/new.txt filelink hard.txt dirlink/secret.txt \
	sub/../../escaped.txt; do
	reset
	refused write "{\"filePath\":\"$p\",\"content\":\"pwned\"}"
	refused create_file_from_block "{\"file_name\":\"$p\",\"content\":\"pwned\"}"
	refused edit "{\"filePath\":\"$p\",\"oldString\":\"secret\",\"newString\":\"pwned\"}"
	refused apply_search_replace "{\"file_name\":\"$p\",\"search\":\"secret\",\"replace\":\"pwned\"}"
	printf '*** Begin Patch\n*** Add File: %s\n+pwned\n*** End Patch\n' "$p" >"$T/p"
	refused --stdin-arg patchText patch <"$T/p"
	printf -- '--- /dev/null\n+++ b/%s\n@@ -0,0 +1 @@\n+pwned\n' "$p" >"$T/p"
	refused --stdin-arg patch apply_unified_patch <"$T/p"
	printf -- '--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-secret\n+pwned\n' "$p" "$p" >"$T/p"
	refused --stdin-arg patch apply_unified_patch <"$T/p"
	outside_intact "write $p"
done
reset
refused create_file '{"path":"dirlink/touched"}'
outside_intact "create_file through a symlink"

# 2. escapes through every reading tool; walks never follow symlinks out
for p in ../ws "$OUT/secret.txt" dirlink/secret.txt filelink rellink/secret.txt; do
	refused read "{\"filePath\":\"$p\"}"
	refused read_file "{\"path\":\"$p\"}"
done
refused list_dir '{"path":"dirlink"}'
refused list '{"path":"/etc"}'
run grep '{"pattern":"secret"}'
grep -Eq 'dirlink|filelink|rellink' "$T/res" && bad "grep followed a symlink out of the workspace"
run glob '{"pattern":"**/secret.txt"}'
grep -q 'secret.txt' "$T/res" && bad "glob followed a symlink out of the workspace"
# hard link: reading is allowed (the inode is readable anyway), writing is not
run read_file '{"path":"hard.txt"}' || bad "reading a hard-linked file"

# 3. big files: 100 MB refused with a clear message; big reads are capped
truncate -s 100M "$WS/big.bin"
refused read_file '{"path":"big.bin"}'
grep -q '100 MB' "$T/res" || bad "no size in the refusal: $(cat "$T/res")"
refused edit '{"filePath":"big.bin","oldString":"a","newString":"b"}'
yes 'a line of text for the read cap' | head -c 20000000 >"$WS/text.txt"
run read_file '{"path":"text.txt"}' || bad "reading a 20 MB text file"
[ "$(stat -c %s "$T/res")" -lt 400000 ] || bad "read_file output not capped: $(stat -c %s "$T/res") bytes"
grep -q 'truncated' "$T/res" || bad "capped read does not say so"
run read '{"filePath":"text.txt"}' && grep -q "beyond line 2000" "$T/res" || bad "read does not page at 2000 lines"
rm -f "$WS/big.bin" "$WS/text.txt"

# 4. binary files are reported, never edited
printf '\x7fELF\x00\x01\x02binary' >"$WS/prog"
refused read_file '{"path":"prog"}'
grep -q 'binary' "$T/res" || bad "binary not reported"
refused apply_search_replace '{"file_name":"prog","search":"ELF","replace":"FLE"}'
cmp -s "$WS/prog" <(printf '\x7fELF\x00\x01\x02binary') || bad "binary file modified"

# 5. CRLF files keep CRLF
printf 'one\r\ntwo\r\nthree\r\n' >"$WS/dos.txt"
run edit '{"filePath":"dos.txt","oldString":"two","newString":"2\nand more"}' || bad "edit of a CRLF file"
printf -- '--- a/dos.txt\n+++ b/dos.txt\n@@ -1,2 +1,3 @@\n one\n+one and a half\n 2\n' >"$T/p"
run --stdin-arg patch apply_unified_patch <"$T/p" || bad "patch of a CRLF file: $(cat "$T/res")"
[ "$(grep -c $'\r$' "$WS/dos.txt")" = 5 ] && [ "$(wc -l <"$WS/dos.txt")" = 5 ] || bad "CRLF not kept for the patched lines: $(od -c "$WS/dos.txt" | head)"

# 6. non-UTF-8 names: listed escaped, usable by their bytes
printf 'caf\n' >"$WS/caf"$'\xe9'".txt"
run list_dir '{"path":"."}'
grep -q 'caf\\\\xe9.txt' "$T/res" || bad "non-UTF-8 name not shown escaped: $(cat "$T/res")"
printf '{"filePath":"caf\xe9.txt","oldString":"caf","newString":"caf\xc3\xa9"}' >"$T/args"
run edit "$(cat "$T/args")" || bad "edit of a non-UTF-8 name: $(cat "$T/res")"
printf -- '--- "a/caf\\351.txt"\n+++ "b/caf\\351.txt"\n@@ -1 +1 @@\n-caf\xc3\xa9\n+cafe\n' >"$T/p"
run --stdin-arg patch apply_unified_patch <"$T/p" || bad "git-quoted octal name: $(cat "$T/res")"
grep -qx cafe "$WS/caf"$'\xe9'".txt" || bad "non-UTF-8 file content"

# 7. .git is read-only unless the config says otherwise
mkdir -p "$WS/.git/hooks"
refused write '{"filePath":".git/hooks/pre-commit","content":"#!/bin/sh\n"}'
"$TOOL" --workspace "$WS" --config '{"git_writable":true}' write '{"filePath":".git/hooks/pre-commit","content":"x"}' \
	>/dev/null || bad "git_writable not honoured"

[ $fail -eq 0 ] && echo "tools_fs_security: all checks passed"
exit $fail
