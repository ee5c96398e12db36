#!/usr/bin/env bash
# A screenshot of one section of an HTML report in headless Chromium (the README's pictures, docs/images/):
#   export_shot.sh PAGE.html SECTION HEIGHT OUT.png [#zoom=A-B]
# SECTION is a heading id of the page (timeline, bars, layers, patches, delta, allocations, functions) or "top".
# The page is shown 1100 pixels wide in a frame moved up to the section's top; its position is measured first by
# a copy of the page with a line of script that writes it into the DOM (--dump-dom). Writes a probe copy and a
# frame page next to PAGE.
set -euo pipefail
page="$(realpath "$1")" id="$2" height="$3" out="$4" hash="${5:-}"
dir="$(dirname "$page")" profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome)"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" --virtual-time-budget=2000)
y=0
if [ "$id" != top ]; then
  sed 's#</body>#<script>document.body.setAttribute("data-y", Math.round(document.getElementById("'"$id"'").getBoundingClientRect().top + scrollY - 12))</script></body>#' \
    "$page" >"$dir/shot_probe.html"
  y=$("$browser" "${flags[@]}" --window-size=1100,900 --dump-dom "file://$dir/shot_probe.html" 2>/dev/null |
    grep -o 'data-y="[0-9-]*"' | grep -o '"[0-9-]*"' | tr -d '"')
fi
cat >"$dir/shot_frame.html" <<HTML
<!DOCTYPE html><html><body style="margin:0;overflow:hidden"><div style="height:${height}px;overflow:hidden">
<iframe src="$(basename "$page")$hash" style="display:block;width:1100px;height:$((y + height + 50))px;border:0;margin-top:-${y}px" scrolling="no"></iframe></div></body></html>
HTML
"$browser" "${flags[@]}" --window-size=1100,"$height" --screenshot="$out" "file://$dir/shot_frame.html" 2>/dev/null
echo "$out: $(basename "$page") from y=$y, $height px"
