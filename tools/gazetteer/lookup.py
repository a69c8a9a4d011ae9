#!/usr/bin/env python3
"""Look up candidate ROR records by name in the local ROR v2 subset dump.

Development helper for curating the gazetteer by hand: it prints candidates,
it never writes gazetteer data.  The dump is processed once into a small
pickle index under /tmp for fast repeated look-ups.

Usage:
    python3 tools/gazetteer/lookup.py "Kunming University" [--cc CN] [--exact]
    python3 tools/gazetteer/lookup.py --id 00xs6mb18
"""
import argparse
import json
import os
import pickle
import sys
import unicodedata

DEFAULT_DUMP = "/work/shared/data/ror/ror-v2-subset.json"
INDEX_DIR = "/tmp"


def index_path(dump):
    import hashlib
    h = hashlib.sha1(os.path.abspath(dump).encode()).hexdigest()[:10]
    return os.path.join(INDEX_DIR, f"marginalia-ror-index-{h}.pkl")


def load_index(dump=DEFAULT_DUMP):
    INDEX = index_path(dump)
    if os.path.exists(INDEX) and os.path.getmtime(INDEX) >= os.path.getmtime(dump):
        with open(INDEX, "rb") as f:
            return pickle.load(f)
    with open(dump, encoding="utf-8") as f:
        data = json.load(f)
    idx = {}
    for r in data:
        rid = r["id"].rsplit("/", 1)[1]
        wd = None
        for e in r.get("external_ids", []):
            if e.get("type") == "wikidata":
                wd = e.get("preferred") or (e.get("all") or [None])[0]
        idx[rid] = {
            "names": [(n["value"], n.get("types", []), n.get("lang")) for n in r.get("names", [])],
            "cc": [l.get("geonames_details", {}).get("country_code") for l in r.get("locations", [])],
            "city": [l.get("geonames_details", {}).get("name") for l in r.get("locations", [])],
            "types": r.get("types", []),
            "status": r.get("status"),
            "wikidata": wd,
        }
    with open(INDEX, "wb") as f:
        pickle.dump(idx, f)
    return idx


def norm(s):
    s = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(s.replace(",", " ").replace("-", " ").split())


def display(rec):
    for v, t, _ in rec["names"]:
        if "ror_display" in t:
            return v
    return rec["names"][0][0] if rec["names"] else "?"


def show(rid, rec):
    others = "; ".join(f"{v}[{','.join(t)}{'/' + l if l else ''}]" for v, t, l in rec["names"] if "ror_display" not in t)
    print(f"{rid}  {display(rec)}  ({'/'.join(c or '?' for c in rec['cc'])}, {'/'.join(c or '?' for c in rec['city'])})"
          f"  {','.join(rec['types'])} {rec['status']} wd={rec['wikidata']}\n      {others[:300]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("query", nargs="*")
    ap.add_argument("--cc")
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--id")
    ap.add_argument("--limit", type=int, default=15)
    a = ap.parse_args()
    idx = load_index()
    if a.id:
        rec = idx.get(a.id)
        if rec is None:
            print(f"{a.id}: not in subset")
            return 1
        show(a.id, rec)
        return 0
    q = norm(" ".join(a.query))
    hits = []
    for rid, rec in idx.items():
        if a.cc and a.cc not in rec["cc"]:
            continue
        ns = [norm(v) for v, _, _ in rec["names"]]
        if (a.exact and q in ns) or (not a.exact and any(q in n for n in ns)):
            hits.append((0 if q in ns else 1, len(display(rec)), rid, rec))
    hits.sort()
    for _, _, rid, rec in hits[: a.limit]:
        show(rid, rec)
    if len(hits) > a.limit:
        print(f"... {len(hits) - a.limit} more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
