"""Which DATA.json sources a model card names, and the weights' licence they imply.

A source is a model's when
- its `use` names the model in parentheses ("train (sketch)", "train (restore-x2 from 0.5.0, inpaint)":
  a "from <version>" applies from that version on), or
- its `use` names no model and is not training data (the shared validation and test photos), and the
  model works on photos (every kind but sketch), or
- it is training data and a file the run reads through the data bank (cache/bank/manifest.json maps
  every bank file to the package file it came from) matches the source's `files` pattern: the inpaint
  model reads the whole photo and clip-art bank though DATA.json lists those under the photo tools.

Models trained on CC-BY-SA images are adaptations of them: their weights are CC-BY-SA-4.0 with the
attribution the sources ask for (DATA.md, "What the weights carry"); `weights_licence` says so, naming
the sources and their authors.
"""
import glob
import json
import os
import re

MODELS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version(v: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", v))


def named_models(use: str) -> dict:
    """{model id: the first version it applies to, or None} from the parenthesised lists of a `use`."""
    out = {}
    for group in re.findall(r"\(([^)]*)\)", use):
        for token in re.split(r"[,;]", group):
            m = re.fullmatch(r"\s*([a-z][a-z0-9-]*)(?: from (\d+(?:\.\d+)*))?\s*", token)
            if m and ("-" in m.group(1) or m.group(1) in ("sketch", "inpaint", "clean", "edit", "generate")):
                out[m.group(1)] = m.group(2)
    return out


def files_regex(files: str) -> re.Pattern:
    """A source's `files` pattern ("/dir/{a,b}/**/*.png: note") as a regex over absolute paths."""
    pattern = files.split(": ")[0].split(", ")[0].strip()
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("/**/", i):
            out, i = out + "/(?:.*/)?", i + 4
            continue
        if c == "{":
            j = pattern.index("}", i)
            out += "(?:" + "|".join(re.escape(p) for p in pattern[i + 1:j].split(",")) + ")"
            i = j + 1
            continue
        out += "[^/]*" if c == "*" else re.escape(c)
        i += 1
    return re.compile(out + "$")


def bank_sources(cfg) -> list:
    """The package files behind the bank files the run's training globs read (empty without a bank)."""
    path = os.path.join(MODELS, "cache", "bank", "manifest.json")
    globs = list(getattr(cfg.data, "train", []) or []) + list(getattr(cfg.data, "clipart", []) or [])
    if not os.path.exists(path) or not globs:
        return []
    with open(path) as f:
        manifest = json.load(f)
    read = {os.path.relpath(p, os.path.join(MODELS, "cache", "bank"))
            for g in globs for p in glob.glob(g if os.path.isabs(g) else os.path.join(MODELS, g))}
    return [e["source"] for key in ("photos", "clipart") for e in manifest.get(key, []) if e.get("file") in read]


def sources_for(cfg, sources: list) -> list:
    """The DATA.json sources this model's card names (see the module docstring)."""
    model, version = cfg.run.id, _version(cfg.run.version)
    photo_model = cfg.data.kind != "sketch"
    read = bank_sources(cfg)
    out = []
    for s in sources:
        use = s.get("use", "")
        names = named_models(use)
        train = use.startswith("train")
        if model in names:
            keep = names[model] is None or version >= _version(names[model])
        elif not names:
            keep = photo_model and not train
        else:
            keep = False
        if not keep and train and read and any(files_regex(s.get("files", "")).match(p) for p in read):
            # said on the copy, so the card (and the panel's credits, which look for the id) name it
            s, keep = {**s, "use": f"{use}; read by {model} through the data bank"}, True
        if keep:
            out.append(s)
    return out


def _attribution(s: dict) -> str:
    """Who a source credits: the authors in `<title>_by_<author>` file names, else the licence's note."""
    authors = [a.replace("_", " ").strip() for a in re.findall(r"_by_+([A-Za-z0-9_]+?)(?=[,}.]|$)", s.get("files", ""))]
    if authors:
        return "photos by " + ", ".join(dict.fromkeys(authors))
    note = re.search(r"\(([^)]*)\)", s.get("licence", ""))
    return note.group(1) if note else s.get("package", "")


def weights_licence(data: list) -> str:
    """'' unless the training data is CC-BY-SA; then CC-BY-SA-4.0 with the sources and attributions."""
    sa = [s for s in data if s.get("use", "").startswith("train") and "CC-BY-SA" in s.get("licence", "")]
    if not sa:
        return ""
    parts = [f"{s['package'].replace(' (Debian 12)', '').replace(' (npm)', '')} ({_attribution(s)})" for s in sa]
    return ("CC-BY-SA-4.0: the weights are adapted from CC-BY-SA training images: " + "; ".join(parts)
            + " (sources and licences in this card's data and models/DATA.md). The code is MIT.")
