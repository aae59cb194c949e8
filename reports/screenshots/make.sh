#!/usr/bin/env bash
# Regenerates the screenshots in this folder: the Beta and GA report pages at 1,280 px, the GA
# charts and the Effect Models system's page (production + staging billed together), rendered by headless Chromium (`apt-get install chromium`, or set CHROMIUM).
# Run from anywhere: reports/screenshots/make.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$browser" ] || { echo "no Chromium: apt-get install chromium, or set CHROMIUM" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shot() { # file:// URL, output PNG, width, height
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
    --user-data-dir="$work/profile" --window-size="$3,$4" --screenshot="$2" "$1" >/dev/null 2>&1
}
cd "$root"
cargo build --release --quiet
for s in beta ga; do
  target/release/capsim run "scenarios/$s.yaml" --quiet --out "$work/$s" >/dev/null 2>&1
  # The top of the page: header, warnings, summary, triggers and monthly costs.
  shot "file://$work/$s/report.html" "$here/$s-page.png" 1280 2200
done
# A system of environments: its facts, combined tables, plan figures and the combined chart.
target/release/capsim run scenarios/effect-models/system.yaml --quiet --out "$work/system" >/dev/null 2>&1
shot "file://$work/system/report.html" "$here/effect-models-system-page.png" 1280 3750
for f in "$work"/ga/*.svg; do
  name="$(basename "$f" .svg)"
  shot "file://$f" "$here/ga-$name.png" 900 420
done
echo "wrote $(ls "$here"/*.png | wc -l) screenshots to reports/screenshots/"
