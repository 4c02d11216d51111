#!/usr/bin/env bash
# Renders the demo's report.html in headless Chromium, saves a screenshot and
# fails on a console error or a blank page.
# usage: scripts/check_html.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/html-check}
rm -rf "$out"; mkdir -p "$out"
cargo run --release --quiet -- demo --out "$out/demo" >/dev/null
command -v chromium >/dev/null || { echo "chromium is not installed" >&2; exit 1; }
profile=$(mktemp -d)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$profile")
url="file://$(pwd)/$out/demo/report.html"
# The DOM after scripts ran, and the console messages (enable-logging to stderr).
chromium "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" >"$out/dom.html" 2>"$out/console.log" || true
chromium "${flags[@]}" --window-size=1100,1600 --screenshot="$out/screenshot.png" "$url" >/dev/null 2>&1 || true
rm -rf "$profile"
if grep -E "CONSOLE\(|Uncaught|console\.error" "$out/console.log" | grep -viE "dbus|gcm|fontconfig" ; then
  echo "console errors while rendering report.html" >&2; exit 1
fi
[ -s "$out/screenshot.png" ] || { echo "no screenshot was taken" >&2; exit 1; }
grep -q "Pattern: presynaptic" "$out/dom.html" || { echo "report.html rendered blank or without its conclusion" >&2; exit 1; }
svgs=$(grep -o "<svg" "$out/dom.html" | wc -l)
[ "$svgs" -ge 9 ] || { echo "expected 9 inline plots, found $svgs" >&2; exit 1; }
# A blank page compresses to almost nothing; a rendered report does not.
size=$(stat -c %s "$out/screenshot.png")
[ "$size" -gt 20000 ] || { echo "screenshot looks blank ($size bytes)" >&2; exit 1; }
echo "report.html rendered: $svgs inline plots, screenshot $out/screenshot.png ($size bytes)"
