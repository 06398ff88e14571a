#!/bin/bash
# `kylecode apply` end to end: the real supervisor starts the real (confined)
# kylecode-tools; every dialect that edits files is applied to a scratch
# workspace; failures leave files untouched and set the exit status.
set -u
K="$KC_BIN/kylecode"
[ -x "$K" ] && [ -x "$KC_BIN/kylecode-tools" ] || { echo "skip: kylecode binaries not built"; exit 77; }
T=$(mktemp -d /tmp/kc_apply_XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
check() { # name, condition result
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "ok   $1"; else fails=$((fails + 1)); echo "FAIL $1"; fi
}
ws() { rm -rf "$T/ws"; mkdir -p "$T/ws"; printf 'int a;\nint b;\nint c;\n' > "$T/ws/x.c"; }

# 1. unified diff + pythonic + aider + opencode in one answer: exit 0
ws
cat > "$T/in" <<'EOF'
I will fix b, add a file, edit c and delete nothing.
```diff
--- a/x.c
+++ b/x.c
@@ -1,3 +1,3 @@
 int a;
-int b;
+long b;
 int c;
```
<TOOL_CALL> create_file_from_block(file_name="docs/new.md", content="# New\n") </TOOL_CALL>
x.c
```c
<<<<<<< SEARCH
int c;
=======
short c;
>>>>>>> REPLACE
```
*** Begin Patch
*** Add File: added.txt
+added
*** End Patch
EOF
"$K" apply --workspace "$T/ws" < "$T/in" > "$T/out" 2>&1
rc=$?
check "mixed dialects apply, exit 0 (rc=$rc)" $([ $rc = 0 ] && echo 0 || echo 1)
check "diff and search/replace changed x.c" "$(printf 'int a;\nlong b;\nshort c;\n' | cmp -s - "$T/ws/x.c"; echo $?)"
check "pythonic call created docs/new.md" "$(printf '# New\n' | cmp -s - "$T/ws/docs/new.md"; echo $?)"
check "OpenCode patch added added.txt" "$(printf 'added\n' | cmp -s - "$T/ws/added.txt"; echo $?)"
grep -q "4 of 4 calls applied" "$T/out"; check "report counts the calls" $?

# 2. a hunk that does not apply: exit 1, file untouched, reason printed
ws
printf -- '--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,2 @@\n-nothing like this\n+x\n' > "$T/in"
"$K" apply --workspace "$T/ws" --dialect diff < "$T/in" > "$T/out" 2>&1
rc=$?
check "failing hunk exits 1 (rc=$rc)" $([ $rc = 1 ] && echo 0 || echo 1)
check "failing hunk leaves x.c untouched" "$(printf 'int a;\nint b;\nint c;\n' | cmp -s - "$T/ws/x.c"; echo $?)"
grep -q "^FAIL call_1 apply_unified_patch" "$T/out"; check "failure is reported per call" $?

# 3. a parse error is printed with its line, exit 1
printf 'text\n<TOOL_CALL> read_file(path="x.c" limit=3) </TOOL_CALL>\n' > "$T/in"
"$K" apply --workspace "$T/ws" < "$T/in" > "$T/out" 2>&1
rc=$?
check "parse error exits 1 (rc=$rc)" $([ $rc = 1 ] && echo 0 || echo 1)
grep -q "error: TOOL_CALL at line 2: expected ')' or ',' after argument 'path'" "$T/out"; check "parse error names line and argument" $?

# 4. only the named dialect is read; shell is listed, never run
printf '<BASH>touch %s/ran</BASH>\n' "$T" > "$T/in"
"$K" apply --workspace "$T/ws" < "$T/in" > "$T/out" 2>&1
check "shell call is not run" $([ ! -e "$T/ran" ] && echo 0 || echo 1)
"$K" apply --workspace "$T/ws" --dialect pythonic < "$T/in" > "$T/out" 2>&1
rc=$?
grep -q "nothing to apply" "$T/out"; check "--dialect pythonic ignores <BASH>, nothing to apply (rc=$rc)" $?

# 5. usage and help
"$K" apply --bogus < /dev/null > /dev/null 2>&1; rc=$?
check "unknown option exits 2 (rc=$rc)" $([ $rc = 2 ] && echo 0 || echo 1)
"$K" apply --help > "$T/out" 2>&1; rc=$?
check "--help exits 0 (rc=$rc)" $([ $rc = 0 ] && grep -q "usage: kylecode apply" "$T/out" && echo 0 || echo 1)
"$K" apply --workspace "$T/nope" < /dev/null > /dev/null 2>&1; rc=$?
check "missing workspace exits 2 (rc=$rc)" $([ $rc = 2 ] && echo 0 || echo 1)
"$K" apply --workspace "$T/ws" --json < "$T/in" > "$T/out" 2>&1
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out"; check "--json prints JSON" $?

# 6. --config: the reference OpenCode config's registry (defs_oc: patch/bash)
CFG="${KC_SRC:-.}/../shared/reference/kylecode/agent_configs/opencode_gpt5_nano_c_fs_v2.yaml"
if [ -f "$CFG" ]; then
	ws
	printf '*** Begin Patch\n*** Update File: x.c\n@@\n-int b;\n+char b;\n*** End Patch\n' > "$T/in"
	"$K" apply --workspace "$T/ws" --config "$CFG" < "$T/in" > "$T/out" 2>&1
	rc=$?
	grep -q "^ok   call_1 patch (opencode_patch" "$T/out"; check "--config routes OpenCode patches to defs_oc's patch (rc=$rc)" $?
	check "--config patch applied" "$(printf 'int a;\nchar b;\nint c;\n' | cmp -s - "$T/ws/x.c"; echo $?)"
else
	echo "note: $CFG not found; --config case not run"
fi
printf 'version: 2\nextends: nope.yaml\n' > "$T/bad.yaml"
"$K" apply --workspace "$T/ws" --config "$T/bad.yaml" < /dev/null > /dev/null 2>&1; rc=$?
check "a broken config exits 3 (rc=$rc)" $([ $rc = 3 ] && echo 0 || echo 1)

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
