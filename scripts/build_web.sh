#!/usr/bin/env bash
# Builds the web page into web/dist/: the library compiled to WebAssembly
# (web/, crate nmjscope-web, profile `web`), bound by wasm-bindgen, shrunk by wasm-opt
# when it is available, and the static page (web/static/).
# Open web/dist/index.html in a browser (no server needed), or serve the
# folder with any static file server.
# usage: scripts/build_web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

if command -v rustup >/dev/null 2>&1; then
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 ||
    rustup target add wasm32-unknown-unknown
fi
# The CLI must be the exact version of the wasm-bindgen crate in the lock.
version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
  echo "installing wasm-bindgen-cli $version" >&2
  cargo install --locked --quiet wasm-bindgen-cli --version "$version"
fi

cargo build --quiet --profile web --lib --target wasm32-unknown-unknown -p nmjscope-web
dist=web/dist
rm -rf "$dist"
mkdir -p "$dist/pkg"
wasm-bindgen --target no-modules --no-typescript --out-dir "$dist/pkg" --out-name nmjscope \
  target/wasm32-unknown-unknown/web/nmjscope_web.wasm
wasm="$dist/pkg/nmjscope_bg.wasm"

# wasm-opt from binaryen (npm): on PATH, or installed by `npm ci` in web/tests.
opt=$(command -v wasm-opt || true)
if [ -z "$opt" ] && [ ! -x web/tests/node_modules/.bin/wasm-opt ] && command -v npm >/dev/null 2>&1; then
  (cd web/tests && npm ci --no-audit --no-fund --silent) || true
fi
[ -z "$opt" ] && [ -x web/tests/node_modules/.bin/wasm-opt ] && opt=web/tests/node_modules/.bin/wasm-opt
if [ -n "$opt" ]; then
  "$opt" -Os --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt"
  mv "$wasm.opt" "$wasm"
else
  echo "wasm-opt not found: the .wasm is left as wasm-bindgen wrote it" >&2
fi

# A page opened from a folder (file://) may not fetch the .wasm: the module
# is also written as a script that the page loads only in that case.
{
  printf 'self.NMJSCOPE_WASM = "'
  base64 -w0 "$wasm"
  printf '";\n'
} >"$dist/pkg/nmjscope_wasm.js"
cp web/static/* "$dist/"
echo "built $dist ($(wc -c <"$wasm") bytes of wasm); open $dist/index.html" >&2
