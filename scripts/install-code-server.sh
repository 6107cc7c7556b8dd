#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, Node 20 extension host) for the editor end-to-end
# test: the kerberos headers, a pre-seeded ripgrep download cache and non-interactive npx that its
# install needs where only the npm registry and Debian packages are reachable. Idempotent and cached: a second run only checks and prints
# the binary path. Installs into its own prefix, never the repo's node_modules.
#   scripts/install-code-server.sh            # prints the code-server binary path on the last line
#   SHARED_NOTES_CODE_SERVER_DIR=DIR ...      # another cache folder
set -euo pipefail

VERSION=4.100.3
PREFIX="${SHARED_NOTES_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/shared-notes-code-server/$VERSION}"
BIN="$PREFIX/node_modules/code-server/out/node/entry.js"
LAUNCHER="$PREFIX/node_modules/.bin/code-server"

if [ -x "$LAUNCHER" ] && [ -f "$BIN" ] && "$LAUNCHER" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "code-server $VERSION already installed" >&2
  echo "$LAUNCHER"
  exit 0
fi

# 1. System packages: kerberos headers for the `kerberos` native module, ripgrep (its npm package
#    would download a binary from the internet), Chromium for the test to drive.
missing=()
for pkg in libkrb5-dev ripgrep chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "installing ${missing[*]}" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
fi

# 2. Seed @vscode/ripgrep's download cache with Debian's rg, for every version code-server may pull.
case "$(uname -m)" in
  x86_64) TARGET=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) TARGET=aarch64-unknown-linux-musl ;;
  *) echo "unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
RG_DIR="$(dirname "$(command -v rg)")"
TMP="${TMPDIR:-/tmp}"
for pair in 1.15.11:v13.0.0-10 1.15.13:v13.0.0-13 1.15.14:v13.0.0-13 1.17.0:v15.0.0 1.17.1:v15.0.1; do
  version="${pair%%:*}"
  tag="${pair#*:}"
  mkdir -p "$TMP/vscode-ripgrep-cache-$version"
  tarball="$TMP/vscode-ripgrep-cache-$version/ripgrep-$tag-$TARGET.tar.gz"
  [ -s "$tarball" ] || tar -czf "$tarball" -C "$RG_DIR" rg
done

# 3. code-server into its own prefix. npm_config_yes: node-pty's postinstall runs `npx node-gyp`.
mkdir -p "$PREFIX"
cd "$PREFIX"
[ -f package.json ] || echo '{ "name": "shared-notes-code-server", "private": true }' > package.json
echo "installing code-server $VERSION into $PREFIX (about 70 s, 280 MB)" >&2
npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund "code-server@$VERSION" >&2

"$LAUNCHER" --version >&2
echo "$LAUNCHER"
