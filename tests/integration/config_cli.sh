#!/bin/bash
# The command line of `kylecode config` and `kylecode prompts`: --help
# exits 0, usage errors exit 2 with a usage line, a missing file exits 3.
. "$(dirname "$0")/config_lib.sh"
expect() { # want-exit description command...
	local want=$1 what=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	[ $rc -eq "$want" ] || fail "$what: exit $rc, want $want ($(head -2 "$TMP/err"))"
}
expect 0 "config --help" "$KC" config --help
grep -q "usage: kylecode config show" "$TMP/out" || fail "config --help: no usage"
expect 0 "config show --help" "$KC" config show --help
expect 0 "prompts --help" "$KC" prompts --help
grep -q "usage: kylecode prompts" "$TMP/out" || fail "prompts --help: no usage"
expect 2 "config (no subcommand)" "$KC" config
expect 2 "config frob" "$KC" config frob x.yaml
grep -q "usage:" "$TMP/err" || fail "config frob: no usage line"
expect 2 "config show --bogus" "$KC" config show --bogus x.yaml
expect 2 "config show (no file)" "$KC" config show
expect 2 "config show two files" "$KC" config show a.yaml b.yaml
expect 2 "config check (no file)" "$KC" config check
expect 2 "config check --x" "$KC" config check --x a.yaml
expect 2 "prompts (no file)" "$KC" prompts
expect 2 "prompts --mode (no value)" "$KC" prompts a.yaml --mode
expect 2 "prompts --frob" "$KC" prompts a.yaml --frob
expect 3 "config check missing" "$KC" config check "$TMP/missing.yaml"
expect 3 "config show missing" "$KC" config show "$TMP/missing.yaml"
expect 3 "prompts missing" "$KC" prompts "$TMP/missing.yaml"
grep -q "missing.yaml: No such file" "$TMP/err" || fail "prompts missing: $(cat "$TMP/err")"
finish
