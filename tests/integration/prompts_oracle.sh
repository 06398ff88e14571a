#!/bin/bash
# `kylecode prompts` against the prototype's compiler re-implemented in
# Python with Jinja2 (prompts_oracle.py): for every reference config, each
# of its modes and a few model ids, compiled_system.md and per_turn.md must
# be byte-identical, and the cache key the same sha256.
. "$(dirname "$0")/config_lib.sh"
need_ref
need_python
cd "$TMP"
n=0
for f in "$REF"/agent_configs/*.yaml; do
	c=$(basename "$f" .yaml)
	modes=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[2]); from config_oracle import load
print(" ".join(m["name"] for m in load(sys.argv[1]).get("modes") or []))' "$f" "$HERE")
	for mode in $modes; do
		for model in default openrouter/openai/gpt-5-nano openrouter/x-ai/grok-4-fast anthropic/claude-3-7-sonnet; do
			out=$TMP/$c.$mode.${model//\//_}
			args=(--mode "$mode")
			[ "$model" = default ] || args+=(--model "$model")
			m=$model
			[ "$model" = default ] && m=$(python3 -c 'import sys; sys.path.insert(0, sys.argv[2]); from config_oracle import load
print(load(sys.argv[1])["providers"]["default_model"])' "$f" "$HERE")
			"$KC" prompts "$f" "${args[@]}" --out "$out/c" >/dev/null 2>"$TMP/err" ||
				{ fail "$c/$mode/$model: exit $?: $(head -3 "$TMP/err")"; continue; }
			python3 "$HERE/prompts_oracle.py" "$f" "$mode" "$m" "$out/p" ||
				{ fail "$c/$mode/$model: oracle failed"; continue; }
			for x in compiled_system.md per_turn.md; do
				cmp -s "$out/c/$x" "$out/p/$x" ||
					{ fail "$c/$mode/$model: $x differs"; diff "$out/c/$x" "$out/p/$x" | head -10; }
			done
			key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cache_key"])' "$out/c/catalog_manifest.json")
			[ "$key" = "$(cat "$out/p/cache_key")" ] || fail "$c/$mode/$model: cache key differs"
			python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out/c/provider_tools.json" ||
				fail "$c/$mode/$model: provider_tools.json is not JSON"
			n=$((n + 1))
		done
	done
done
echo "$n prompt sets compared"
[ $n -gt 0 ] || fail "nothing compared"
finish
