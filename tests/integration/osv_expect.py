#!/usr/bin/python3
"""The tests' own reading of advisory feeds: which advisories cover which
package versions. Written independently of Bulwark's matcher (its own small
version comparison and OSV range evaluation), so scan tests can compare the
scanner's findings with an expectation derived straight from the feed files.

usage: osv_expect.py ECOSYSTEM PKGFILE FEED...
  PKGFILE: lines "name<TAB>version"
  FEED: OSV directories (JSON or YAML files) or NSP directories
prints "name<TAB>version<TAB>ID<TAB>ALIAS,ALIAS..." per affected advisory.
Withdrawn OSV entries are left out (as the database does)."""
import json
import os
import re
import sys

try:
    import yaml
except ImportError:  # only the PyPI feed is YAML
    yaml = None


def split_pre(v):
    v = v.split("+", 1)[0]
    if "-" in v:
        core, pre = v.split("-", 1)
    else:
        core, pre = v, None
    return core, pre


def semver_key(v):
    """SemVer 2.0 precedence; leading 'v'/'go' dropped; missing minor/patch are 0."""
    v = v.strip()
    if v.startswith("go"):
        v = v[2:]
    if v.startswith("v"):
        v = v[1:]
    core, pre = split_pre(v)
    nums = [int(x) if x.isdigit() else 0 for x in core.split(".")]
    while len(nums) < 3:
        nums.append(0)
    if pre is None:
        prekey = (1,)
    else:
        parts = []
        for p in pre.split("."):
            parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
        prekey = (0, tuple(parts))
    return (tuple(nums), prekey)


def pep440_key(v):
    """Enough of PEP 440 for release versions with pre/post/dev suffixes."""
    v = v.lower().lstrip("v")
    m = re.match(r"^(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d*))?"
                 r"(?:(?:-(\d+))|(?:[-_.]?(?:post|rev|r)[-_.]?(\d*)))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+.*)?$", v)
    if not m:
        return ((-1,), v)
    epoch = int(m.group(1) or 0)
    rel = [int(x) for x in m.group(2).split(".")]
    while rel and rel[-1] == 0:
        rel.pop()
    pre = m.group(3)
    prerank = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
    post = m.group(5) or m.group(6)
    dev = m.group(7)
    if pre is not None:
        prek = (prerank[pre], int(m.group(4) or 0))
    elif post is None and dev is not None:
        prek = (-1, 0)  # 1.0.dev0 sorts before 1.0a0
    else:
        prek = (9, 0)
    postk = int(post) if post is not None else -1
    devk = int(dev) if dev is not None else 1 << 30
    return ((epoch, tuple(rel), prek, postk, devk), "")


KEYS = {"npm": semver_key, "Go": semver_key, "crates.io": semver_key, "PyPI": pep440_key}


def in_ranges(version, affected, key):
    if version in (affected.get("versions") or []):
        return True
    kv = key(version)
    for r in affected.get("ranges") or []:
        if r.get("type") not in ("SEMVER", "ECOSYSTEM"):
            continue
        events = r.get("events") or []
        # OSV evaluation: walk events in version order
        def ek(e):
            val = list(e.values())[0]
            return (-1,) if val == "0" else (0, key(val))
        status = False
        for e in sorted(events, key=ek):
            kind, val = list(e.items())[0]
            if kind == "introduced":
                if val == "0" or kv >= key(val):
                    status = True
            elif kind == "fixed":
                if kv >= key(val):
                    status = False
            elif kind == "last_affected":
                if kv > key(val):
                    status = False
        limits = [e["limit"] for e in events if "limit" in e]
        if status and limits and not any(l == "*" or kv < key(l) for l in limits):
            status = False
        if status:
            return True
    return False


def semver_range_ok(version, rng):
    """node-semver comparator sets: '||' of space-separated comparators."""
    kv = semver_key(version)
    if not rng or rng.strip() in ("*", ""):
        return True
    for alt in rng.split("||"):
        ok = True
        for c in alt.split():
            m = re.match(r"^(<=|>=|<|>|=)?v?(.+)$", c)
            if not m:
                ok = False
                break
            op, ver = m.group(1) or "=", m.group(2)
            if "x" in ver or "*" in ver:
                ver = ver.replace(".x", ".0").replace(".*", ".0")
            kc = semver_key(ver)
            ok = ok and {"<": kv < kc, "<=": kv <= kc, ">": kv > kc, ">=": kv >= kc, "=": kv == kc}[op]
        if ok:
            return True
    return False


def load(path, needles):
    """Parse a feed file, or None when it names none of the packages (a
    cheap filter: the package name must appear in the text)."""
    with open(path, "rb") as f:
        data = f.read()
    low = data.lower()
    if not any(n in low for n in needles):
        return None
    if path.endswith((".yaml", ".yml")):
        return yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return json.loads(data)


def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()


def main():
    eco, pkgfile, feeds = sys.argv[1], sys.argv[2], sys.argv[3:]
    pkgs = [l.rstrip("\n").split("\t") for l in open(pkgfile) if l.strip()]
    norm = pep503 if eco == "PyPI" else (lambda n: n)
    pkgs = [(norm(p[0]), p[1]) for p in pkgs]
    names = {p[0] for p in pkgs}
    needles = set()
    for n in names:
        for variant in (n, n.replace("-", "_"), n.replace("-", "."), n.replace("_", "-")):
            needles.add(variant.lower().encode())
    key = KEYS[eco]
    out = set()
    for feed in feeds:
        for dirpath, _, files in os.walk(feed):
            for fn in files:
                if not fn.endswith((".json", ".yaml", ".yml")):
                    continue
                try:
                    doc = load(os.path.join(dirpath, fn), needles)
                except Exception:
                    continue
                if not isinstance(doc, dict):
                    continue
                if "module_name" in doc:  # Node Security WG record
                    if eco != "npm" or doc["module_name"] not in names:
                        continue
                    for n, v in pkgs:
                        if n == doc["module_name"] and semver_range_ok(v, doc.get("vulnerable_versions")) \
                                and not semver_range_ok(v, doc.get("patched_versions") or "<0.0.0-0"):
                            aliases = doc.get("cves") or []
                            out.add((n, v, "NSWG-ECO-%s" % doc["id"], ",".join(aliases)))
                    continue
                if "id" not in doc or doc.get("withdrawn"):
                    continue
                for aff in doc.get("affected") or []:
                    pk = aff.get("package") or {}
                    if pk.get("ecosystem") != eco or norm(pk.get("name") or "") not in names:
                        continue
                    for n, v in pkgs:
                        if n == norm(pk["name"]) and in_ranges(v, aff, key):
                            out.add((n, v, doc["id"], ",".join(doc.get("aliases") or [])))
    for row in sorted(out):
        print("\t".join(row))


if __name__ == "__main__":
    main()
