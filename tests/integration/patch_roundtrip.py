#!/usr/bin/env python3
"""Round trip on real source files: random edits of the repository's own C
files are turned into patches by `git diff --no-index` (the reference
producer), then applied by kylecode (kc-tool-run apply_unified_patch) and by
`git apply` to fresh copies. kylecode must produce exactly the edited file
whenever git does. The same patches with their hunk numbers stripped
("@@ @@", as models write them) must give the same result, or be refused
as ambiguous (never a wrong result).

usage: patch_roundtrip.py KC_TOOL_RUN SRC_DIR [--cases N] [--seed S]"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile


def mutate(rng, lines):
    """A few edits of the kinds models make: replace, insert, delete lines."""
    lines = list(lines)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.choice(["replace", "insert", "delete", "replace"])
        if op == "replace":
            lines[i] = lines[i].rstrip("\n") + " /* kc edit %d */\n" % rng.randint(0, 999)
        elif op == "insert":
            lines.insert(i, "\t/* inserted %d */\n" % rng.randint(0, 999))
        elif len(lines) > 1:
            del lines[i]
    return lines


def run(cmd, cwd, stdin=None):
    return subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True)


def kc_apply(tool, ws, patch):
    r = run([tool, "--workspace", ws, "--stdin-arg", "patch", "apply_unified_patch"], ws, patch)
    if r.returncode > 1:
        raise SystemExit("kc-tool-run crashed (%d): %s" % (r.returncode, r.stderr.decode(errors="replace")))
    return r.returncode == 0, json.loads(r.stdout or b"{}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tool")
    ap.add_argument("src")
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--seed", type=int, default=20261130)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    files = []
    for d in ("worker-tools", "lib", "ipc", "supervisor"):
        for root, _, names in os.walk(os.path.join(a.src, d)):
            files += [os.path.join(root, n) for n in names if n.endswith(".c")]
    files.sort()
    if not files:
        print("SKIP: no source files")
        return 77
    tmp = tempfile.mkdtemp(prefix="kc-roundtrip.")
    stats = {"exact": 0, "stripped_same": 0, "stripped_ambiguous": 0, "git_refused": 0}
    fail = 0
    try:
        for n in range(a.cases):
            src = rng.choice(files)
            with open(src, newline="") as f:
                old = f.readlines()
            new = mutate(rng, old)
            if new == old:
                continue
            base = os.path.join(tmp, "c%d" % n)
            for side, content in (("a", old), ("b", new)):
                os.makedirs(os.path.join(base, side))
                with open(os.path.join(base, side, "f.c"), "w", newline="") as f:
                    f.writelines(content)
            d = run(["git", "diff", "--no-index", "a/f.c", "b/f.c"], base).stdout
            patch = d.replace(b"a/a/f.c", b"a/f.c").replace(b"b/b/f.c", b"b/f.c")
            want = "".join(new)
            gws = os.path.join(base, "git")
            os.makedirs(gws)
            shutil.copy(os.path.join(base, "a", "f.c"), gws)
            if run(["git", "apply", "-"], gws, patch).returncode != 0:
                stats["git_refused"] += 1
                continue
            for variant, text in (("exact", patch), ("stripped", re.sub(rb"(?m)^@@ [^@]* @@", b"@@ @@", patch))):
                ws = os.path.join(base, "kc-" + variant)
                os.makedirs(ws)
                shutil.copy(os.path.join(base, "a", "f.c"), ws)
                ok, res = kc_apply(a.tool, ws, text)
                with open(os.path.join(ws, "f.c"), newline="") as f:
                    got = f.read()
                if ok and got == want:
                    stats["exact" if variant == "exact" else "stripped_same"] += 1
                elif variant == "stripped" and not ok and "ambiguous" in res.get("error", ""):
                    stats["stripped_ambiguous"] += 1
                else:
                    fail += 1
                    print("FAIL case %d (%s, %s variant): ok=%s error=%s" % (n, src, variant, ok, res.get("error", "")[:300]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("roundtrip: %s, failures %d" % (stats, fail))
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
