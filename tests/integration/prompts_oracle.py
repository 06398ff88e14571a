#!/usr/bin/env python3
"""Test-time oracle for `kylecode prompts`: compiles the system and
per-turn prompts the way the prototype's SystemPromptCompiler did
(compile_v2_prompts + ToolPromptSynthesisEngine, Jinja2 with trim_blocks,
lstrip_blocks, StrictUndefined), with the selection rules of
docs/CONFIG.md, and writes compiled_system.md, per_turn.md and the cache
key, for byte comparison with kylecode's output.

Usage: prompts_oracle.py CONFIG MODE MODEL OUTDIR
"""
import fnmatch
import hashlib
import json
import os
import sys

import jinja2
import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from config_oracle import load  # noqa: E402


def resolve(cfg_path, rel):
    """DESIGN section 3: cwd, then the config's directory and its parents."""
    if os.path.isabs(rel):
        return rel if os.path.exists(rel) else None
    cand = os.path.join(os.getcwd(), rel)
    if os.path.exists(cand):
        return cand
    d = os.path.dirname(os.path.realpath(cfg_path))
    while True:
        cand = os.path.join(d, rel)
        if os.path.exists(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def truthy(v):
    return bool(v)


def apply_overlays(d, overlays):
    orig = d["name"]

    def last(section):
        found = None
        for ov in overlays or []:
            v = ((ov or {}).get(section) or {}).get(orig)
            if v:
                found = v
        return found

    if isinstance(last("descriptions"), str):
        d["description"] = last("descriptions")
    style = last("syntax_style")
    if isinstance(style, str):
        d["syntax_style"] = style
        d["preferred_formats"] = [style] + [p for p in d.get("preferred_formats") or [] if p != style]
        sup = d.get("syntax_formats_supported")
        if not isinstance(sup, list):
            sup = d["syntax_formats_supported"] = []
        if style not in sup:
            sup.append(style)
    pp = last("provider_preference")
    if isinstance(pp, dict):
        routing = d.setdefault("provider_routing", {})
        for prov, s in pp.items():
            if not isinstance(s, dict):
                continue
            ps = routing.setdefault(prov, {})
            if "native_primary" in s:
                ps["native_primary"] = bool(s["native_primary"])
            if isinstance(s.get("fallbacks"), list):
                ps["fallback_formats"] = list(s["fallbacks"])
    if isinstance(last("rename"), str):
        d["name"] = last("rename")


def normalize(d, source):
    ex = d.get("execution") or {}
    return {
        "name": d["name"],
        "id": d.get("id"),
        "display_name": d.get("display_name") if truthy(d.get("display_name")) else d["name"],
        "description": d.get("description"),
        "type_id": d.get("type_id"),
        "blocking": truthy(ex.get("blocking")),
        "max_per_turn": ex.get("max_per_turn"),
        "parameters": [
            {
                "name": p.get("name"),
                "type": p.get("type"),
                "default": p.get("default"),
                "required": truthy(p.get("required")),
                "description": p.get("description"),
            }
            for p in d.get("parameters") or []
        ],
        "return_type": d.get("return_type"),
        "syntax_style": d.get("syntax_style"),
        "manipulations": d.get("manipulations"),
        "syntax_formats_supported": d.get("syntax_formats_supported"),
        "preferred_formats": d.get("preferred_formats"),
        "provider_routing": d.get("provider_routing"),
        "source": source,
    }


def registry(cfg, cfg_path):
    tools_cfg = cfg.get("tools") or {}
    paths = (tools_cfg.get("registry") or {}).get("paths")
    if not isinstance(paths, list):
        paths = [tools_cfg.get("defs_dir") or "implementations/tools/defs"]
    out = []
    for p in paths:
        d = resolve(cfg_path, p)
        for fname in sorted(os.listdir(d)):
            if not (fname.endswith(".yaml") or fname.endswith(".yml")):
                continue
            path = os.path.join(d, fname)
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f)
            apply_overlays(data, tools_cfg.get("overlays"))
            if any(t["name"] == data["name"] for t in out):
                continue
            out.append(normalize(data, path))
    include = (tools_cfg.get("registry") or {}).get("include")
    aliases = tools_cfg.get("aliases") if isinstance(tools_cfg.get("aliases"), dict) else {}
    if isinstance(include, list):
        out = [t for t in out if any(
            isinstance(pat, str) and (fnmatch.fnmatchcase(t["name"], pat) or aliases.get(pat) == t["name"])
            for pat in include)]
    return out, aliases


def for_mode(cfg, tools, aliases, mode):
    m = next(x for x in cfg.get("modes") or [] if x.get("name") == mode)

    def canon(n):
        if any(t["name"] == n for t in tools):
            return n
        tgt = aliases.get(n)
        return tgt if isinstance(tgt, str) and any(t["name"] == tgt for t in tools) else None

    def listed(lst, name):
        return any(isinstance(x, str) and (x == "*" or canon(x) == name) for x in lst)

    en, dis = m.get("tools_enabled"), m.get("tools_disabled")
    return [t for t in tools
            if not (isinstance(en, list) and not listed(en, t["name"]))
            and not (isinstance(dis, list) and listed(dis, t["name"]))]


class Compiler:
    def __init__(self, cfg, cfg_path, mode, model, tools):
        self.cfg, self.cfg_path, self.mode, self.model, self.tools = cfg, cfg_path, mode, model, tools
        self.prompts = cfg.get("prompts") or {}
        self.seen = set()
        self.pack_texts = []

    def h(self, text):
        return hashlib.sha256(text.strip(" \t\n\r\f\v").encode()).hexdigest()

    def entry(self, ref):
        packs = self.prompts.get("packs") or {}
        if ref.startswith("@pack(") and ")" in ref and "." in ref:
            name = ref[6:].split(")", 1)[0]
            key = ref.split(")", 1)[1].lstrip(".")
            pack = packs.get(name)
            return pack.get(key) if isinstance(pack, dict) else None
        if ref == "mode_specific" and self.mode:
            key = "builder" if self.mode == "build" else self.mode
            for pack in packs.values():
                if isinstance(pack, dict) and key in pack:
                    return pack[key]
        return None

    def text(self, ref):
        v = self.entry(ref)
        if not isinstance(v, str):
            return ""
        with open(resolve(self.cfg_path, v), encoding="utf-8") as f:
            return f.read()

    def place(self, item, chunks, system):
        ref = item
        if item.startswith("[CACHE]"):
            ref = item[7:].lstrip(" ")
        t = self.text(ref)
        if t and self.h(t) not in self.seen:
            self.seen.add(self.h(t))
            chunks.append(t.rstrip(" \t\n\r\f\v"))
            if system:
                self.pack_texts.append(t)

    def tpm(self):
        pt = self.cfg.get("provider_tools") or {}
        if pt.get("use_native"):
            return "none" if pt.get("suppress_prompts") else "per_turn_append"
        return self.prompts.get("tool_prompt_mode") or "system_compiled_and_persistent_per_turn"

    def tpsl_on(self, system):
        tpsl = self.prompts.get("tool_prompt_synthesis") or {}
        if not truthy(tpsl.get("enabled")) or not self.tools or self.tpm() == "none":
            return False
        return self.tpm() != ("per_turn_append" if system else "system_once")

    def candidates(self, tpsl):
        sel = tpsl.get("selection") or {}
        cands = []
        v = (sel.get("by_mode") or {}).get(self.mode)
        if isinstance(v, str):
            cands.append(v)
        for pat, v in (sel.get("by_model") or {}).items():
            if self.model and fnmatch.fnmatchcase(self.model, pat):
                for x in ([v] if isinstance(v, str) else v if isinstance(v, list) else []):
                    if isinstance(x, str) and x not in cands:
                        cands.append(x)
                break
        if "pythonic" not in cands:
            cands.append("pythonic")
        return cands

    def render(self, system):
        tpsl = self.prompts["tool_prompt_synthesis"]
        detail = (tpsl.get("detail") or {}).get("system" if system else "per_turn") or ("full" if system else "short")
        pre = "system_" if system else "per_turn_"
        first = detail if detail.startswith(pre) else pre + detail
        fam = ["system_full", "system_medium", "system_short"] if system else \
            ["per_turn_short", "per_turn_medium", "per_turn_long"]
        for d in self.candidates(tpsl):
            tm = (tpsl.get("dialects") or {}).get(d)
            if not isinstance(tm, dict):
                continue
            for k in [first] + fam:
                if isinstance(tm.get(k), str) and tm[k]:
                    path = resolve(self.cfg_path, tm[k])
                    env = jinja2.Environment(autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                             undefined=jinja2.StrictUndefined)
                    with open(path, encoding="utf-8") as f:
                        tpl = env.from_string(f.read())
                    return tpl.render(dialect=d, detail=detail, tools=self.tools)
        if system:
            raise SystemExit("no system template")
        return None

    def compile(self):
        sys_chunks, pt_chunks = [], []
        for item in (self.prompts.get("injection") or {}).get("system_order") or []:
            if isinstance(item, str):
                self.place(item, sys_chunks, True)
        packs = self.prompts.get("packs") or {}
        if not sys_chunks and packs:
            refs = ["@pack(base).system"] if truthy((packs.get("base") or {}).get("system")) else []
            refs += ["@pack(%s).system" % n for n, p in packs.items()
                     if isinstance(p, dict) and truthy(p.get("system"))]
            for r in refs:
                if sys_chunks:
                    break
                self.place(r, sys_chunks, True)
        if self.tpsl_on(True):
            t = self.render(True)
            if t.strip(" \t\n\r\f\v"):
                self.seen.add(self.h(t))
                sys_chunks.append(t.rstrip(" \t\n\r\f\v"))
                self.pack_texts.append(t)
        for item in (self.prompts.get("injection") or {}).get("per_turn_order") or []:
            if isinstance(item, str):
                self.place(item, pt_chunks, False)
        if not pt_chunks and self.mode:
            for m in self.cfg.get("modes") or []:
                if m.get("name") == self.mode:
                    if isinstance(m.get("prompt"), str):
                        self.place(m["prompt"], pt_chunks, False)
                    break
        if self.tpsl_on(False):
            t = self.render(False)
            if t is not None and t.strip(" \t\n\r\f\v") and self.h(t) not in self.seen:
                self.seen.add(self.h(t))
                pt_chunks.append(t.rstrip(" \t\n\r\f\v"))
        ws = " \t\n\r\f\v"
        return "\n\n".join(sys_chunks).strip(ws), "\n\n".join(pt_chunks).strip(ws)

    def cache_key(self):
        cfg_min = {k: self.cfg.get(k) for k in ("version", "providers", "tools", "prompts", "modes", "loop")}
        tools_min = [{"name": t["name"], "desc": t["description"],
                      "params": [{"n": p["name"], "t": p["type"], "d": p["description"], "def": p["default"]}
                                 for p in t["parameters"]]}
                     for t in sorted(self.tools, key=lambda x: x["name"])]
        blob = json.dumps({"config": cfg_min, "packs": self.pack_texts, "tools": tools_min}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def main():
    cfg_path, mode, model, outdir = sys.argv[1:5]
    cfg = load(cfg_path)
    tools, aliases = registry(cfg, cfg_path)
    tools = for_mode(cfg, tools, aliases, mode)
    comp = Compiler(cfg, cfg_path, mode, model, tools)
    system, per_turn = comp.compile()
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "compiled_system.md"), "w", encoding="utf-8") as f:
        f.write(system)
    with open(os.path.join(outdir, "per_turn.md"), "w", encoding="utf-8") as f:
        f.write(per_turn)
    with open(os.path.join(outdir, "cache_key"), "w", encoding="utf-8") as f:
        f.write(comp.cache_key() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
