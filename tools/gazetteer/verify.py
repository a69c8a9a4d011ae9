#!/usr/bin/env python3
"""Validate the embedded default gazetteer (server/core/data/gazetteer/*.toml).

Checks
  1. schema: required fields, types, key slugs unique across all files,
     ISO 3166-1 alpha-2 country codes, parent keys exist (no cycles),
     acronyms/aliases/former_names are lists of non-empty strings,
     names are keyed by BCP 47-looking tags;
  2. every `ror` id has a valid ROR checksum;
  3. when the ROR v2 subset dump is available, every `ror` id is looked up:
     the record's display name and country are reported next to ours
     (--show-ror), the country must agree, and `wikidata` must equal the
     record's Wikidata id.

Usage: python3 tools/gazetteer/verify.py [--data DIR] [--ror-subset FILE] [--show-ror]
Exit status is non-zero when an error is found.
"""
import argparse
import glob
import os
import re
import sys
import tomllib
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "server", "core", "data", "gazetteer"))
DEFAULT_SUBSET = os.environ.get("MARGINALIA_ROR_SUBSET", "/work/shared/data/ror/ror-v2-subset.json")

TYPES = {"university", "academy", "research-organisation", "government", "association",
         "company", "international-organisation", "facility", "other"}
FIELDS = {"key", "type", "country", "name", "names", "acronyms", "aliases", "former_names",
          "parent", "ror", "wikidata"}
REQUIRED = ("key", "type", "country", "name")
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?$")
ROR_RE = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def ror_checksum_ok(rid):
    """ROR id = '0' + 6 Crockford base-32 chars + 2-digit ISO 7064 mod 97-10 checksum."""
    if not ROR_RE.match(rid):
        return False
    n = 0
    for c in rid[:7]:
        n = n * 32 + CROCKFORD.index(c)
    return "%02d" % (98 - (n * 100) % 97) == rid[7:]


def load_subset(path):
    """Return {ror_id: (display name, [country codes], wikidata, status)}."""
    try:
        sys.dont_write_bytecode = True
        sys.path.insert(0, HERE)
        from lookup import load_index  # cached pickle index under /tmp
        idx = load_index(path)
        out = {}
        for rid, r in idx.items():
            disp = next((v for v, t, _ in r["names"] if "ror_display" in t), None)
            out[rid] = (disp, r["cc"], r["wikidata"], r["status"])
        return out
    except Exception:  # fall back to reading the JSON directly
        import json
        out = {}
        with open(path, encoding="utf-8") as f:
            for r in json.load(f):
                rid = r["id"].rsplit("/", 1)[1]
                disp = next((n["value"] for n in r.get("names", []) if "ror_display" in n.get("types", [])), None)
                cc = [l.get("geonames_details", {}).get("country_code") for l in r.get("locations", [])]
                wd = None
                for e in r.get("external_ids", []):
                    if e.get("type") == "wikidata":
                        wd = e.get("preferred") or (e.get("all") or [None])[0]
                out[rid] = (disp, cc, wd, r.get("status"))
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--ror-subset", default=DEFAULT_SUBSET)
    ap.add_argument("--show-ror", action="store_true", help="print every ror id with the ROR record's name and country")
    a = ap.parse_args()

    errors, warnings = [], []
    entries = []  # (file, entry)
    files = sorted(glob.glob(os.path.join(a.data, "*.toml")))
    if not files:
        print(f"no TOML files in {a.data}")
        return 1
    for path in files:
        fname = os.path.basename(path)
        try:
            with open(path, "rb") as f:
                doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            errors.append(f"{fname}: TOML parse error: {e}")
            continue
        extra = set(doc) - {"institution"}
        if extra:
            errors.append(f"{fname}: unexpected top-level keys {sorted(extra)}")
        for e in doc.get("institution", []):
            entries.append((fname, e))

    keys = {}
    for fname, e in entries:
        where = f"{fname}:{e.get('key', '?')}"
        for fld in REQUIRED:
            if not isinstance(e.get(fld), str) or not e.get(fld).strip():
                errors.append(f"{where}: missing or empty '{fld}'")
        unknown = set(e) - FIELDS
        if unknown:
            errors.append(f"{where}: unknown fields {sorted(unknown)}")
        k = e.get("key", "")
        if isinstance(k, str):
            if not KEY_RE.match(k):
                errors.append(f"{where}: key is not a lowercase ascii slug")
            if k in keys:
                errors.append(f"{where}: duplicate key (also in {keys[k]})")
            keys[k] = fname
        if e.get("type") not in TYPES:
            errors.append(f"{where}: bad type {e.get('type')!r}")
        if not COUNTRY_RE.match(str(e.get("country", ""))):
            errors.append(f"{where}: country must be 2 uppercase letters")
        if e.get("name", "") != e.get("name", "").strip():
            errors.append(f"{where}: name has surrounding whitespace")
        names = e.get("names", {})
        if not isinstance(names, dict):
            errors.append(f"{where}: names must be a table")
        else:
            for tag, v in names.items():
                if not LANG_RE.match(tag):
                    errors.append(f"{where}: names key {tag!r} is not a BCP 47 tag")
                if not isinstance(v, str) or not v.strip() or v != v.strip():
                    errors.append(f"{where}: names.{tag} must be a non-empty trimmed string")
        for fld in ("acronyms", "aliases", "former_names"):
            v = e.get(fld, [])
            if not isinstance(v, list) or any(not isinstance(x, str) or not x.strip() or x != x.strip() for x in v):
                errors.append(f"{where}: {fld} must be a list of non-empty trimmed strings")
            elif len(set(v)) != len(v):
                errors.append(f"{where}: duplicate values in {fld}")
        if "ror" in e:
            r = e["ror"]
            if not isinstance(r, str) or not ROR_RE.match(r):
                errors.append(f"{where}: ror {r!r} is not a bare 9-character ROR id")
            elif not ror_checksum_ok(r):
                errors.append(f"{where}: ror {r} has an invalid checksum")
        if "wikidata" in e:
            if not WIKIDATA_RE.match(str(e["wikidata"])):
                errors.append(f"{where}: bad wikidata id {e['wikidata']!r}")
            if "ror" not in e:
                errors.append(f"{where}: wikidata set without a ror id (it must come from the ROR record)")

    by_key = {e.get("key"): (f, e) for f, e in entries}
    for fname, e in entries:
        p = e.get("parent")
        if p is None:
            continue
        where = f"{fname}:{e.get('key')}"
        if p not in by_key:
            errors.append(f"{where}: parent {p!r} does not exist")
            continue
        seen, cur = {e.get("key")}, p
        while cur is not None:
            if cur in seen:
                errors.append(f"{where}: parent cycle via {cur!r}")
                break
            seen.add(cur)
            cur = by_key.get(cur, (None, {}))[1].get("parent")

    ror_users = {}
    for fname, e in entries:
        if "ror" in e:
            ror_users.setdefault(e["ror"], []).append(e["key"])
    for rid, users in ror_users.items():
        if len(users) > 1:
            warnings.append(f"ror {rid} used by several entries: {', '.join(users)}")

    subset_checked = 0
    if os.path.exists(a.ror_subset):
        sub = load_subset(a.ror_subset)
        for fname, e in entries:
            rid = e.get("ror")
            if not rid or not ROR_RE.match(rid):
                continue
            where = f"{fname}:{e['key']}"
            rec = sub.get(rid)
            if rec is None:
                warnings.append(f"{where}: ror {rid} not in the ROR subset (cannot cross-check)")
                if "wikidata" in e:
                    errors.append(f"{where}: wikidata set but ror record not available to confirm it")
                continue
            subset_checked += 1
            disp, ccs, wd, status = rec
            if a.show_ror:
                print(f"  {rid}  ours: {e['name']} [{e['country']}]  |  ROR: {disp} [{'/'.join(c or '?' for c in ccs)}]")
            if e.get("country") not in ccs:
                errors.append(f"{where}: country {e.get('country')} disagrees with ROR record {rid} ({disp}, {'/'.join(c or '?' for c in ccs)})")
            if status != "active":
                warnings.append(f"{where}: ROR record {rid} status is {status}")
            if "wikidata" in e and e["wikidata"] != wd:
                errors.append(f"{where}: wikidata {e['wikidata']} differs from ROR record's {wd}")
    else:
        warnings.append(f"ROR subset not found at {a.ror_subset}: existence/country checks skipped")

    # statistics
    per_file = Counter(f for f, _ in entries)
    cn_univ_zh = sum(1 for _, e in entries if e.get("type") == "university" and e.get("country") == "CN"
                     and e.get("names", {}).get("zh-Hans"))
    n_ror = sum(1 for _, e in entries if "ror" in e)
    n_wd = sum(1 for _, e in entries if "wikidata" in e)
    for w in warnings:
        print("warning:", w)
    for er in errors:
        print("ERROR:", er)
    print(f"entries: {len(entries)}")
    for f in sorted(per_file):
        print(f"  {f}: {per_file[f]}")
    print(f"Chinese (CN) universities with zh-Hans names: {cn_univ_zh}")
    print(f"entries with ror ids: {n_ror} (checksums valid; {subset_checked} cross-checked against the ROR subset)")
    print(f"entries with wikidata ids: {n_wd}")
    print("OK" if not errors else f"FAILED: {len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
