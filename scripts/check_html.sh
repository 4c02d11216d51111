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
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync)

# Loads a page; writes its DOM to $2 and Chromium's log (console messages
# included) to $3.
render() {
  local profile
  profile=$(mktemp -d)
  chromium "${flags[@]}" --user-data-dir="$profile" --enable-logging=stderr --v=0 \
    --dump-dom "$1" >"$2" 2>"$3" || true
  rm -rf "$profile"
}
# Chromium logs every console message as ...:CONSOLE:<line>] or CONSOLE(<line>).
console_lines() { grep -E ":CONSOLE[:(]" "$1" || true; }

# The detector must see a console error, or this check proves nothing.
cat >"$out/console_probe.html" <<'PROBE'
<!DOCTYPE html><html><body><p>probe</p><script>console.error("nmjscope probe");</script></body></html>
PROBE
render "file://$(pwd)/$out/console_probe.html" "$out/probe_dom.html" "$out/probe.log"
console_lines "$out/probe.log" | grep -q "nmjscope probe" || {
  echo "the console check did not see a deliberate console.error; cannot trust it" >&2; exit 1; }

url="file://$(pwd)/$out/demo/report.html"
render "$url" "$out/dom.html" "$out/console.log"
profile=$(mktemp -d)
chromium "${flags[@]}" --user-data-dir="$profile" --window-size=1100,1600 \
  --screenshot="$out/screenshot.png" "$url" >/dev/null 2>&1 || true
rm -rf "$profile"
errors=$(console_lines "$out/console.log")
if [ -n "$errors" ]; then
  printf 'console messages while rendering report.html:\n%s\n' "$errors" >&2; exit 1
fi
[ -s "$out/screenshot.png" ] || { echo "no screenshot was taken" >&2; exit 1; }
grep -q "Pattern: presynaptic" "$out/dom.html" || { echo "report.html rendered blank or without its conclusion" >&2; exit 1; }
svgs=$(grep -o "<svg" "$out/dom.html" | wc -l)
[ "$svgs" -ge 9 ] || { echo "expected 9 inline plots, found $svgs" >&2; exit 1; }
# A blank page compresses to almost nothing; a rendered report does not.
size=$(stat -c %s "$out/screenshot.png")
[ "$size" -gt 20000 ] || { echo "screenshot looks blank ($size bytes)" >&2; exit 1; }
echo "report.html rendered: $svgs inline plots, no console messages, screenshot $out/screenshot.png ($size bytes)"
