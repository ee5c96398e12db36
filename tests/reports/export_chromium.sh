#!/usr/bin/env bash
# Renders an HTML report in headless Chromium: no console messages, the page's SVG holds the memory timeline, two
# reports get the per-layer delta table, the inline script runs (zoom controls shown, "#zoom=0.25-0.5" zooms every
# timeline, clicks on a header sort a table), and screenshots (the page, the page zoomed) are written as test artifacts.
#   export_chromium.sh MCUSIM FIXTURE_DIR OUT_DIR [REPORT.json ...]
# Installs Debian's chromium when missing (as root; it is large, so only this test pulls it in, not setup.sh).
# EXPORT_SHOT_SIZE=W,H sets the screenshot size (docs/images/demo_report.png: 1100,1560 on the demo reports);
# EXPORT_ZOOM=A-B and EXPORT_ZOOM_SHOT_SIZE the zoomed one's range (fractions of the run) and size.
# Exits 77 (ctest: skipped) with a message when Chromium is missing and cannot be installed.
set -euo pipefail
mcusim="$1" fixtures="$2" out="$3"
shift 3
reports=("$@")
[ ${#reports[@]} -eq 0 ] && reports=("$fixtures/tiny_layerwise.json" "$fixtures/tiny_patch2.json")

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "export_chromium: installing Debian's chromium (headless rendering test)" >&2
    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium) >&2 ||
      { echo "SKIP: chromium could not be installed (apt-get failed)"; exit 77; }
    browser="$(command -v chromium)"
  else
    echo "SKIP: chromium is not installed and this is not root; run: sudo apt-get install chromium"
    exit 77
  fi
fi

mkdir -p "$out"
html="$out/export_chromium.html" png="$out/export_chromium.png"
"$mcusim" export "${reports[@]}" --format html -o "$html"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions
       --user-data-dir="$out/chromium-profile" --enable-logging=stderr --v=0 --virtual-time-budget=2000)

# Console messages (errors included) arrive on stderr as "CONSOLE(...)" lines.
"$browser" "${flags[@]}" --dump-dom "file://$html" >"$out/dom.html" 2>"$out/chromium.log"
if grep -E 'CONSOLE|Uncaught|Refused to|net::ERR' "$out/chromium.log"; then
  echo "FAIL: the page logged console messages or failed loads (above)"
  exit 1
fi
grep -q '<svg id="timeline-0"' "$out/dom.html" || { echo "FAIL: no timeline SVG in the rendered DOM"; exit 1; }
grep -q '<polygon fill="var(--arena)"' "$out/dom.html" || { echo "FAIL: the timeline has no arena area"; exit 1; }

if [ ${#reports[@]} -eq 2 ]; then
  grep -q '<h2 id="delta">Per-layer delta</h2>' "$out/dom.html" || { echo "FAIL: two reports, no delta table"; exit 1; }
fi

# The inline script ran: the zoom controls are shown, and "#zoom=A-B" narrows every timeline's plots to that part
# of the run and redraws its cycle axis.
"$browser" "${flags[@]}" --dump-dom "file://$html#zoom=0.25-0.5" >"$out/dom_zoom.html" 2>>"$out/chromium.log"
if grep -E 'CONSOLE|Uncaught' "$out/chromium.log"; then
  echo "FAIL: the script logged console messages (above)"
  exit 1
fi
grep -q '<div class="zoom"><button' "$out/dom_zoom.html" || { echo "FAIL: the zoom controls stayed hidden"; exit 1; }
if grep -q '<svg class="plot"[^>]*viewBox="72 0 908 ' "$out/dom_zoom.html"; then
  echo "FAIL: #zoom=0.25-0.5 left a timeline plot unzoomed"
  exit 1
fi
grep -q '<output>cycles ' "$out/dom_zoom.html" || { echo "FAIL: the zoomed range is not named"; exit 1; }

# Sorting: a copy of the page clicks the first layer table's "cycles" header twice (descending) and writes into the
# DOM whether the rows came out in that order with the "outside layers" row still last.
sed 's#</body>#<script>(function(){var t=document.querySelector("table.layers"),i=-1,hs=t.tHead.rows[0].cells;for(var k=0;k<hs.length;k++)if(hs[k].textContent==="cycles")i=k;hs[i].click();hs[i].click();var r=[].slice.call(t.tBodies[0].rows),ok=r.length>2\&\&r[r.length-1].className==="other";for(var j=1;j<r.length-1;j++)ok=ok\&\&+r[j-1].cells[i].textContent.replace(/,/g,"")>=+r[j].cells[i].textContent.replace(/,/g,"");document.body.setAttribute("data-sorted",ok?"yes":"no");})()</script></body>#' \
  "$html" >"$out/sort_probe.html"
"$browser" "${flags[@]}" --dump-dom "file://$out/sort_probe.html" >"$out/dom_sort.html" 2>>"$out/chromium.log"
grep -q 'data-sorted="yes"' "$out/dom_sort.html" || { echo "FAIL: a click on a header did not sort the table"; exit 1; }

size="${EXPORT_SHOT_SIZE:-1280,2400}"
"$browser" "${flags[@]}" --window-size="$size" --screenshot="$png" "file://$html" >/dev/null 2>>"$out/chromium.log"
[ -s "$png" ] || { echo "FAIL: no screenshot written"; exit 1; }
"$browser" "${flags[@]}" --window-size="${EXPORT_ZOOM_SHOT_SIZE:-$size}" --screenshot="$out/export_chromium_zoom.png" \
  "file://$html#zoom=${EXPORT_ZOOM:-0.25-0.5}" >/dev/null 2>>"$out/chromium.log"
[ -s "$out/export_chromium_zoom.png" ] || { echo "FAIL: no zoomed screenshot written"; exit 1; }
echo "ok: rendered $html without console messages; zoom by script; screenshots $png, $out/export_chromium_zoom.png"
