#!/usr/bin/env bash
# Installs what the real-editor tests (test/e2e) and `npm start` need:
#   - Debian packages: chromium (the browser playwright-core drives), ripgrep (VS Code's file
#     search: without it Quick Open finds nothing), libkrb5-dev (code-server's `kerberos` module
#     compiles from source), plus a C++ toolchain and python3 for node-gyp when missing;
#   - code-server@4.100.3 (VS Code 1.100.3, the newest release for Node 20) from npm into the
#     git-ignored folder .real-editor/code-server/ (kept out of devDependencies).
# Idempotent: when the binary and the version stamp are there it only checks and exits (< 2 s).
# Works as root on a fresh Debian machine and in CI (CI=true, no stdin). Offline-safe: it reaches
# only Debian's mirrors and the npm registry. See docs in shared/docs/real-vscode-offline.md.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11          # @vscode/ripgrep used by code-server 4.100.3
RIPGREP_BIN_VERSION=v13.0.0-10       # the ripgrep build that @vscode/ripgrep 1.15.11 downloads

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.real-editor/code-server"
STAMP="$DEST/.installed-version"
ENTRY="$DEST/node_modules/code-server/out/node/entry.js"
BIN="$DEST/node_modules/.bin/code-server"

log() { printf '[setup-real-editor] %s\n' "$*"; }
die() { printf '[setup-real-editor] error: %s\n' "$*" >&2; exit 1; }

have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)"
[ "$NODE_MAJOR" = 20 ] || log "warning: code-server $CODE_SERVER_VERSION is made for Node 20; this is Node $NODE_MAJOR"

# ---- 1. Debian packages -------------------------------------------------------------------
missing=()
for p in chromium ripgrep libkrb5-dev; do have_deb "$p" || missing+=("$p"); done
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v tar >/dev/null 2>&1 || missing+=(tar)

if [ "${#missing[@]}" -gt 0 ]; then
  log "Debian packages missing: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else die "need root (or sudo) to install: ${missing[*]}"; fi
  fi
  log "apt-get update"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null
  log "apt-get install ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" </dev/null
else
  log "Debian packages present: chromium ripgrep libkrb5-dev"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium not found after install"
RG="$(command -v rg || true)"
[ -n "$RG" ] || die "rg (ripgrep) not found after install"

# ---- 2. code-server ------------------------------------------------------------------------
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$CODE_SERVER_VERSION" ] && [ -f "$ENTRY" ] && [ -x "$BIN" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in ${DEST#"$ROOT"/} (nothing to do)"
  exit 0
fi

log "installing code-server@$CODE_SERVER_VERSION into ${DEST#"$ROOT"/} (about 50 s, ~300 MB)"
rm -f "$STAMP"
mkdir -p "$DEST"
# A package.json of its own, so npm installs here and never walks up into the repo's package.json.
cat >"$DEST/package.json" <<'JSON'
{
  "name": "real-editor-code-server",
  "private": true,
  "description": "code-server for the real-editor tests; installed by scripts/setup-real-editor.sh"
}
JSON

# The ripgrep cache trick: @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable
# here) but first looks for this file in $TMPDIR. A tarball of Debian's rg satisfies it.
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) RG_TARGET=aarch64-unknown-linux-gnu ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
INSTALL_TMP="$(mktemp -d "${TMPDIR:-/tmp}/real-editor-install.XXXXXX")"
trap 'rm -rf "$INSTALL_TMP"' EXIT
RG_CACHE="$INSTALL_TMP/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$RG_CACHE/stage"
cp "$RG" "$RG_CACHE/stage/rg"
tar -czf "$RG_CACHE/ripgrep-$RIPGREP_BIN_VERSION-$RG_TARGET.tar.gz" -C "$RG_CACHE/stage" rg
log "ripgrep cache: $RG_CACHE/ripgrep-$RIPGREP_BIN_VERSION-$RG_TARGET.tar.gz (from $RG)"

# npm_config_yes: node-pty's postinstall runs `npx node-gyp`; this machine's npmrc says yes=false.
# --unsafe-perm: code-server's postinstall refuses to run as root otherwise.
(
  cd "$DEST"
  TMPDIR="$INSTALL_TMP" npm_config_yes=true npm_config_update_notifier=false \
    npm install --unsafe-perm --no-audit --no-fund --no-save --no-package-lock \
    --loglevel=error "code-server@$CODE_SERVER_VERSION" </dev/null
)

[ -f "$ENTRY" ] || die "code-server entry point missing after npm install: $ENTRY"
# Belt and braces: if the ripgrep postinstall did not place rg, put Debian's there.
while IFS= read -r rgdir; do
  if [ ! -x "$rgdir/bin/rg" ]; then
    log "placing Debian rg into ${rgdir#"$ROOT"/}/bin"
    mkdir -p "$rgdir/bin" && cp "$RG" "$rgdir/bin/rg"
  fi
done < <(find "$DEST/node_modules" -type d -path '*/@vscode/ripgrep' 2>/dev/null)

# Read the version from package.json: `code-server --version` would write ~/.config/code-server.
VERSION_OUT="$(node -p "require('$DEST/node_modules/code-server/package.json').version" 2>/dev/null || true)"
[ "$VERSION_OUT" = "$CODE_SERVER_VERSION" ] || die "installed code-server is '$VERSION_OUT', expected $CODE_SERVER_VERSION"
# A smoke test of the native modules that compiled from source (a broken build fails at start).
VSC_MODULES="$DEST/node_modules/code-server/lib/vscode/node_modules"
node -e "for (const m of process.argv.slice(1)) require(m)" \
  "$DEST/node_modules/argon2" "$VSC_MODULES/kerberos" "$VSC_MODULES/node-pty" \
  || die "code-server's native modules (argon2, kerberos, node-pty) do not load"
echo "$CODE_SERVER_VERSION" >"$STAMP"
log "installed code-server $VERSION_OUT"
