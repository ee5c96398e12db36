/* reports/export_html.c — one self-contained HTML page (inline CSS, SVG and script, no network): summary cards,
 * the memory timeline over cycles (stacked static / stack / arena, layer bands, patches), for several reports
 * their totals on one time axis with the device's SRAM, per-layer activation bars in the style of the MCUNetV2
 * paper's memory-distribution figure, per-layer and per-patch tables (weights and parameters where the report has
 * them), the A/B per-layer delta of two reports, the allocations live at the arena peak and the function profile.
 * Tooltips are SVG <title>s with exact figures. A small inline script sorts tables on a click and zooms the
 * timelines; without it the page shows the same. Deterministic: numbers only, no dates. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "reports/export_backend.h"
#include "reports/export_html.h"
#include "reports/rpt.h"

/* Report colours: the series of a comparison (memory kinds have theirs in the CSS). */
static const char *const report_colors[] = {"#2f6fca", "#e0592a", "#2a9d6f", "#8e5bb5"};

const char *html_report_color(size_t i) { return report_colors[i % (sizeof report_colors / sizeof *report_colors)]; }

static const char css[] =
    ":root{--ink:#1d2430;--mute:#5b6575;--line:#d9dee6;--bg:#f6f7f9;--static:#9aa5b4;--stack:#f2a93b;"
    "--arena:#2f6fca;--sram:#d7263d}\n"
    "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);"
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}\n"
    "main{max-width:1080px;margin:0 auto;padding:24px 28px 40px}\n"
    "h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:30px 0 8px;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}h3{font-size:14px;margin:16px 0 6px}\n"
    ".sub{color:var(--mute);margin:0 0 16px}.sub code{font-size:12px}\n"
    ".run{margin:12px 0 4px;font-weight:600}.run .dot{display:inline-block;width:10px;height:10px;"
    "border-radius:50%;margin-right:6px}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:10px;margin:6px 0 10px}\n"
    ".card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px}\n"
    ".card .k{color:var(--mute);font-size:12px;text-transform:uppercase;letter-spacing:.04em}\n"
    ".card .v{font-size:22px;font-weight:650;margin:2px 0}.card .d{color:var(--mute);font-size:12px}\n"
    ".ok{color:#1b7f4b;font-weight:600}.bad{color:var(--sram);font-weight:600}\n"
    ".meter{display:flex;height:8px;border-radius:4px;overflow:hidden;background:#e9ecf1;margin:6px 0 2px}\n"
    ".meter span{display:block;height:100%}\n"
    "figure{margin:8px 0 16px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px}\n"
    "figcaption{color:var(--mute);font-size:12px;margin:2px 4px 0}\n"
    "svg{display:block;width:100%;height:auto}svg text{font-family:inherit;fill:var(--ink)}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--mute);margin:0 4px 4px}\n"
    ".legend i{display:inline-block;width:12px;height:10px;margin-right:5px;vertical-align:-1px}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;font-size:12.5px;margin:4px 0 12px}\n"
    "th,td{padding:3px 8px;border-bottom:1px solid #eceff3;text-align:right;white-space:nowrap}\n"
    "th{background:#eef1f5;font-weight:600;position:sticky;top:0}td.l,th.l{text-align:left}\n"
    "tr.patch td{background:#f7f9fd}tr.other td{color:var(--mute);font-style:italic}\n"
    ".bar{display:inline-block;height:9px;background:var(--arena);opacity:.75;vertical-align:0;margin-right:4px}\n"
    ".bar.c{background:#6b7a90}\n"
    "table.delta th,table.delta td{padding:3px 6px}td.up{color:#b3261e}td.dn{color:#1b7f4b}table.sortable "
    "th{cursor:pointer;user-select:none}"
    "th[aria-sort=ascending]::after{content:\" \\25B4\"}th[aria-sort=descending]::after{content:\" \\25BE\"}\n"
    ".zoom{display:flex;gap:8px;align-items:center;font-size:12px;color:var(--mute);margin:0 4px 4px}"
    ".zoom[hidden]{display:none}.zoom button{font:inherit;padding:0 8px;border:1px solid var(--line);"
    "background:#fff;border-radius:4px;cursor:pointer}.zoom output{color:var(--ink)}\n"
    "svg.timeline{cursor:crosshair}svg.plot *{vector-effect:non-scaling-stroke}\n"
    "footer{color:var(--mute);font-size:12px;margin-top:28px}\n"
    "@media print{body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
    "figure,.card,table{break-inside:avoid;border-color:#bbb}th{position:static}.zoom{display:none}"
    "h2{break-after:avoid}tr{break-inside:avoid}}\n"
    "@page{size:A4 landscape;margin:12mm}\n";

/* Sortable tables (a click on a header sorts by that column, again reverses; rows of class "other" stay last;
 * a cell's data-v, else its text as a number, else as text) and timeline zoom (export_html_svg.c: drag across a
 * plot, double-click or "reset" to see the whole run, "#zoom=0.1-0.3" in the address zooms every timeline to that
 * fraction of the run). ES5 and the DOM only. */
static const char script[] =
    "(function(){'use strict';var L=72,W=908,NS='http://www.w3.org/2000/svg';\n"
    "function key(td){var d=td.getAttribute('data-v');if(d!==null)return +d;"
    "var t=td.textContent.replace(/\\u2212/g,'-').replace(/[,\\s]/g,'').replace(/(%|B|KiB|MiB|ms)$/,'');"
    "return t!==''&&isFinite(t)?+t:td.textContent.toLowerCase();}\n"
    "function cmp(x,y){if(typeof x!==typeof y){x=String(x);y=String(y);}return x<y?-1:x>y?1:0;}\n"
    "[].forEach.call(document.querySelectorAll('table.sortable'),function(t){if(!t.tHead||!t.tBodies[0])return;"
    "var hs=t.tHead.rows[0].cells;[].forEach.call(hs,function(th,i){th.title='sort';th.addEventListener('click',"
    "function(){var b=t.tBodies[0],all=[].slice.call(b.rows),d=th.getAttribute('aria-sort')==='ascending'?-1:1;"
    "var keep=all.filter(function(r){return r.classList.contains('other');}),"
    "rows=all.filter(function(r){return !r.classList.contains('other');});"
    "[].forEach.call(hs,function(x){x.removeAttribute('aria-sort');});"
    "th.setAttribute('aria-sort',d>0?'ascending':'descending');"
    "rows.sort(function(a,c){return d*cmp(key(a.cells[i]||a),key(c.cells[i]||c));});"
    "rows.concat(keep).forEach(function(r){b.appendChild(r);});});});});\n"
    "function nice(r){if(!(r>0))return 1;var p=Math.pow(10,Math.floor(Math.log(r)/Math.LN10));"
    "return r<=p?p:r<=2*p?2*p:r<=5*p?5*p:10*p;}\n"
    "function el(g,n,a,txt){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);"
    "if(txt!=null)e.textContent=txt;g.appendChild(e);return e;}\n"
    "function axis(s,a,b){var g=s.querySelector('g.xaxis'),y=+s.getAttribute('data-bottom'),"
    "hz=+s.getAttribute('data-hz'),span=b-a;if(!g||!(span>0)||!(hz>0))return;g.textContent='';"
    "el(g,'line',{x1:L,x2:L+W,y1:y,y2:y,stroke:'#8a94a3'});var st=nice(span/8),k0=Math.ceil(a/st);"
    "for(var k=k0;k*st<=b*1.0001&&k<k0+64;k++){var x=k*st,px=L+(x-a)/span*W,ms=x/hz*1e3;"
    "el(g,'line',{x1:px,x2:px,y1:y,y2:y+4,stroke:'#8a94a3'});"
    "el(g,'text',{x:px,y:y+16,'font-size':11,'text-anchor':'middle'},"
    "b>=2e6?+(x/1e6).toPrecision(6)+'M':String(+x.toPrecision(9)));"
    "el(g,'text',{x:px,y:y+28,'font-size':10,'text-anchor':'middle',fill:'#5b6575'},"
    "ms.toFixed(ms<10?2:1)+' ms');}"
    "el(g,'text',{x:L-22,y:y+16,'font-size':11,'text-anchor':'end',fill:'#5b6575'},'cycles');}\n"
    "function zoom(s,a,b){var m=+s.getAttribute('data-max-cycles');if(!(m>0))return;"
    "a=Math.max(0,Math.min(a,m));b=Math.min(m,Math.max(b,a+m/1e6));s.setAttribute('data-a',a);"
    "s.setAttribute('data-b',b);var k=m/(b-a);"
    "[].forEach.call(s.querySelectorAll('svg.plot'),function(p){"
    "p.setAttribute('viewBox',(L+a/m*W)+' 0 '+(W/k)+' '+p.getAttribute('height'));"
    "[].forEach.call(p.querySelectorAll('text,circle'),function(t){"
    "var x=t.getAttribute(t.tagName==='circle'?'cx':'x');t.setAttribute('transform',"
    "'translate('+x+' 0) scale('+(1/k)+' 1) translate('+(-x)+' 0)');});});axis(s,a,b);"
    "var f=s.parentNode,o=f&&f.querySelector('.zoom output');"
    "if(o)o.textContent=k===1?'':'cycles '+Math.round(a).toLocaleString('en')+' to '+"
    "Math.round(b).toLocaleString('en');}\n"
    "var h=/zoom=([0-9.]+)-([0-9.]+)/.exec(location.hash);\n"
    "[].forEach.call(document.querySelectorAll('svg.timeline'),function(s){"
    "var m=+s.getAttribute('data-max-cycles');if(!(m>0))return;s.setAttribute('data-a',0);"
    "s.setAttribute('data-b',m);var bar=s.parentNode.querySelector('.zoom');if(bar){bar.hidden=false;"
    "bar.querySelector('[data-zoom=reset]').onclick=function(){zoom(s,0,m);};"
    "bar.querySelector('[data-zoom=out]').onclick=function(){var a=+s.getAttribute('data-a'),"
    "b=+s.getAttribute('data-b'),c=(a+b)/2;zoom(s,c-(b-a),c+(b-a));};}"
    "function at(e){var p=s.createSVGPoint();p.x=e.clientX;p.y=e.clientY;"
    "return p.matrixTransform(s.getScreenCTM().inverse()).x;}"
    "function cyc(x){var a=+s.getAttribute('data-a'),b=+s.getAttribute('data-b');"
    "return a+(Math.max(L,Math.min(L+W,x))-L)/W*(b-a);}"
    "var x0=null,sel=null;s.addEventListener('mousedown',function(e){x0=at(e);"
    "sel=el(s,'rect',{x:x0,y:0,width:0,height:s.viewBox.baseVal.height,fill:'#2f6fca','fill-opacity':0.15});"
    "e.preventDefault();});"
    "s.addEventListener('mousemove',function(e){if(x0===null)return;var x=at(e);"
    "sel.setAttribute('x',Math.min(x,x0));sel.setAttribute('width',Math.abs(x-x0));});"
    "window.addEventListener('mouseup',function(e){if(x0===null)return;var x=at(e);"
    "if(Math.abs(x-x0)>4)zoom(s,cyc(Math.min(x,x0)),cyc(Math.max(x,x0)));x0=null;"
    "sel.parentNode.removeChild(sel);sel=null;});"
    "s.addEventListener('dblclick',function(){zoom(s,0,m);});"
    "if(h)zoom(s,+h[1]*m,+h[2]*m);});})();\n";

const char *rpt_html_style(void) { return css; }
const char *rpt_html_script(void) { return script; }

/* ---- page parts ---- */

static void put_head(const html_t *h) {
  rpt_buf_put(h->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
  rpt_buf_put(h->out, "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>mcusim: ");
  for (size_t i = 0; i < h->ctx->n; i++) {
    if (i) rpt_buf_put(h->out, " vs ");
    rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  }
  rpt_buf_printf(h->out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
}

static void put_run_line(const html_t *h, size_t i) {
  const cJSON *r = h->ctx->reports[i];
  rpt_buf_printf(h->out, "<div class=\"run\"><span class=\"dot\" style=\"background:%s\"></span>",
                 html_report_color(i));
  rpt_buf_escaped(h->out, CM_ESC_HTML, h->ctx->labels[i]);
  rpt_buf_put(h->out, "</div>\n<p class=\"sub\">");
  const char *model = rpt_str_or(r, "marks.model", ""), *schedule = rpt_str_or(r, "marks.schedule", "");
  if (*model) {
    rpt_buf_put(h->out, "model <b>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, model);
    rpt_buf_put(h->out, "</b>, schedule <b>");
    rpt_buf_escaped(h->out, CM_ESC_HTML, *schedule ? schedule : "?");
    rpt_buf_put(h->out, "</b> &middot; ");
  }
  rpt_buf_put(h->out, "profile <b>");
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "profile.name", ""));
  rpt_buf_printf(h->out, "</b> (Cortex-%s, %.0f MHz) &middot; <code>",
                 rpt_core_display(rpt_str_or(r, "profile.core", "")), rpt_clock_hz(r) / 1e6);
  rpt_buf_escaped(h->out, CM_ESC_HTML, rpt_str_or(r, "firmware.path", ""));
  rpt_buf_put(h->out, "</code></p>\n");
}

static void put_title(const html_t *h) {
  rpt_buf_put(h->out, "<h1>");
  rpt_buf_put(h->out, h->ctx->n > 1 ? "Memory and latency, side by side" : "Memory and latency");
  rpt_buf_put(h->out, "</h1>\n");
}

static void put_footer(const html_t *h) {
  rpt_buf_put(h->out, "<footer>Rendered by <code>mcusim export --format html</code> from ");
  rpt_buf_put(h->out, h->ctx->n > 1 ? "the JSON reports" : "the JSON report");
  rpt_buf_put(h->out, " (schema <code>mcusim-report/1</code>). 1 KiB = 1024 B. Static = .data + .bss; stack = initial "
                      "SP &minus; lowest SP; arena = live bytes of the firmware's allocations (docs/report.md)."
                      "</footer>\n</main>\n<script>\n");
  rpt_buf_put(h->out, script);
  rpt_buf_put(h->out, "</script>\n</body>\n</html>\n");
}

static rpt_export_err render(const rpt_export_ctx_t *ctx, rpt_buf_t *out) {
  html_t h = {.ctx = ctx, .out = out};
  html_scale_init(&h);
  put_head(&h);
  put_title(&h);
  for (size_t i = 0; i < ctx->n; i++) {
    put_run_line(&h, i);
    html_put_cards(&h, i);
  }
  if (ctx->n == 2) html_put_comparison(&h);
  html_put_timelines(&h);
  html_put_layer_bars(&h);
  html_put_tables(&h);
  if (ctx->n == 2) html_put_layer_delta(&h);
  html_put_allocations(&h);
  html_put_functions(&h);
  put_footer(&h);
  return RPT_EXPORT_OK;
}

const rpt_export_backend_t rpt_export_html = {
    .name = "html",
    .summary = "self-contained HTML page: cards, memory timeline, per-layer bars and tables",
    .render = render,
};
