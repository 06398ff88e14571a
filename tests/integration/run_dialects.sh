#!/bin/bash
# Each text dialect, one per turn, each leaving a file in the workspace.
. "$(dirname "$0")/mockllm_lib.sh"
. "$(dirname "$0")/run_lib.sh"

cat >"$T/s.yaml" <<'YAML'
turns:
  - text: |
      <TOOL_CALL>
      create_file_from_block(file_name="p.txt", content="pythonic\n")
      </TOOL_CALL>
  - text: |
      <BASH>
      echo bash > b.txt
      </BASH>
  - text: |
      ```diff
      --- /dev/null
      +++ b/u.txt
      @@ -0,0 +1 @@
      +unified
      ```
  - text: |
      a.txt
      ```
      <<<<<<< SEARCH
      =======
      aider
      >>>>>>> REPLACE
      ```
  - text: |
      *** Begin Patch
      *** Add File: o.txt
      +opencode
      *** End Patch
  - text: |
      <function_calls>
      <invoke name="create_file_from_block">
      <parameter name="file_name">x.txt</parameter>
      <parameter name="content">xml</parameter>
      </invoke>
      </function_calls>
  - text: |
      ```json
      {"tool": "create_file_from_block", "args": {"file_name": "j.txt", "content": "json"}}
      ```
  - text: |
      ```yaml
      tool: run_shell
      args:
        command: echo yaml > y.txt
      ```
  - text: "All files written. TASK COMPLETE"
YAML
mock_start "$T/s.yaml"
run_config "" 'tools:
  dialects:
    preference:
      default: [pythonic, bash_block, unified_diff, aider_search_replace, opencode_patch, xml, json_block, yaml_command]'
kc_run --task-text "write one file per dialect" -m 12
expect_rc 0
[ "$(meta .completion_reason)" = text_sentinel ] || fail "reason $(meta .completion_reason)"
for f in p:pythonic b:bash u:unified a:aider o:opencode x:xml j:json y:yaml; do
	name=${f%%:*}.txt want=${f#*:}
	[ -f "$T/ws/$name" ] || { show; fail "dialect $want: $name not written"; }
	grep -q "^$want" "$T/ws/$name" || fail "dialect $want: $name holds '$(cat "$T/ws/$name")'"
done
for d in pythonic bash_block unified_diff aider_search_replace opencode_patch xml json_block yaml_command; do
	jq -e --arg d "$d" '.dialects | index($d) != null' "$RUN/meta/run_meta.json" >/dev/null ||
		fail "dialect $d not enabled"
done
[ "$(meta .tool_failures)" = 0 ] || { show; fail "$(meta .tool_failures) tool failures"; }
echo "run_dialects: ok"
