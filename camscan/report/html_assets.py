"""The HTML report's own style sheet and script, inline in every page (the page's
Content-Security-Policy allows exactly these two, by hash). The script only sorts and filters
rows already in the page; `#filter=TEXT` and `#sort=[-]COLUMN` in the address do the same."""

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.4 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #111; background: #fff;
  margin: 1.5em auto; max-width: 1400px; padding: 0 1em; }
h1 { font-size: 1.6em; margin: 0 0 .2em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #333; padding-bottom: .1em; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin: 1em 0 .3em; }
.meta { color: #444; margin: .2em 0; }
.headline { font-size: 1.2em; font-weight: bold; margin: .5em 0 .2em; }
.count { color: #444; font-weight: normal; }
.gap { font-weight: bold; }
table { border-collapse: collapse; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
thead th { background: #eee; }
td.n, .makers td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; color: #444; padding: .3em 0; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: .3em; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; }
svg .lb { font-size: 12px; fill: #111; }
svg .lg { font-size: 12px; fill: #111; }
svg .seg { font-size: 11px; font-weight: bold; }
svg .tot { font-size: 12px; font-weight: bold; fill: #111; }
svg .sub { font-size: 11px; fill: #444; }
.scroll { overflow-x: auto; max-width: 100%; }
table.devices { font-size: 12px; }
table.devices td { overflow-wrap: break-word; }
table.devices td.nw { white-space: nowrap; }
table.devices td.notes { min-width: 14em; max-width: 30em; }
table.devices th { padding: 0; white-space: nowrap; }
table.devices th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 2px 14px 2px 6px;
  cursor: pointer; width: 100%; text-align: left; color: inherit; }
table.devices th.asset { background: #efebe0; }
table.devices th[aria-sort="ascending"] button::after { content: " \\25B2"; }
table.devices th[aria-sort="descending"] button::after { content: " \\25BC"; }
table.devices tbody tr:nth-child(even) { background: #f6f6f6; }
table.devices td.adv-cell { background: #fbe3e3; box-shadow: inset 3px 0 0 #b00020; font-weight: bold; }
table.devices .opt { display: none; }
#devices-section:has(#all-columns:checked) table.devices .opt { display: table-cell; }
table.list { font-size: 12px; margin-bottom: .8em; }
.controls input[type=search] { font: inherit; padding: 3px 6px; width: 24em; max-width: 90%; }
.cols { white-space: nowrap; }
@media (max-width: 700px) {
  body { margin: .8em auto; padding: 0 .6em; }
  table.devices .wide { display: none; }
  table.devices td.notes { min-width: 7em; }
  table.devices td.brk, table.devices td.notes { overflow-wrap: anywhere; }
  table.devices th { white-space: normal; }
  table.devices th button { padding: 2px 4px; }
  table.devices, table.list, table.makers { font-size: 11px; }
  #devices-section:has(#all-columns:checked) table.devices .wide { display: table-cell; }
  .cols { white-space: normal; }
}
.hint { color: #666; font-size: .9em; }
details.more { display: inline; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 9pt; }
  .controls, .hint { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  svg.chart { width: 100%; max-width: 180mm; height: auto; }
  .scroll { overflow: visible; }
  table.devices { font-size: 6.5pt; width: 100%; }
  table.devices td { white-space: normal; overflow-wrap: anywhere; }
  table.devices td.nw { white-space: nowrap; }
  table.devices td.notes { min-width: 0; max-width: none; }
  table.devices th { white-space: normal; }
  table.devices th button { padding: 1px 2px; }
  table.devices th[aria-sort] button::after { content: ""; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: 1px 3px; }
  table.list { font-size: 7.5pt; }
  details.more > * { display: inline; }
}
"""

JS = """
(function () {
  "use strict";
  var table = document.getElementById("devices");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var input = document.getElementById("filter");
  var counter = document.getElementById("row-count");
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(tbody.rows);
  var total = rows.length;
  var text = rows.map(function (r) {
    return Array.prototype.map.call(r.cells, function (c) { return c.textContent; }).join("\\n").toLowerCase();
  });
  var state = { filter: "", col: null, desc: false };

  function plural(n) { return n + (n === 1 ? " device" : " devices"); }

  function filter(q) {
    state.filter = (q || "").trim();
    var terms = state.filter.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (r, i) {
      var hit = terms.every(function (t) { return text[i].indexOf(t) !== -1; });
      r.hidden = !hit;
      if (hit) { shown += 1; }
    });
    table.setAttribute("data-visible", String(shown));
    counter.textContent = terms.length
      ? shown + " of " + plural(total) + " match \\u201c" + state.filter + "\\u201d"
      : plural(total);
    if (input.value !== state.filter && document.activeElement !== input) { input.value = state.filter; }
    return shown;
  }

  function keyOf(row, idx, type) {
    var cell = row.cells[idx];
    if (type === "text") {
      var t = cell.textContent.trim().toLowerCase();
      return t === "" ? null : t;
    }
    var k = cell.getAttribute("data-key");
    return k === null || k === "" || isNaN(Number(k)) ? null : Number(k);
  }

  function sortBy(name, desc) {
    var idx = -1;
    heads.forEach(function (h, i) { if (idx < 0 && h.getAttribute("data-col") === name) { idx = i; } });
    if (idx < 0) { return false; }
    var type = heads[idx].getAttribute("data-type");
    var keyed = rows.map(function (r) {
      return { row: r, key: keyOf(r, idx, type), i: Number(r.getAttribute("data-i")) };
    });
    keyed.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === b.key) { return a.i - b.i; }
        return a.key === null ? 1 : -1;  /* empty cells last either way */
      }
      var c = type === "text" ? a.key.localeCompare(b.key, undefined, { numeric: true }) : a.key - b.key;
      if (desc) { c = -c; }
      return c !== 0 ? c : a.i - b.i;
    });
    keyed.forEach(function (k) { tbody.appendChild(k.row); });
    heads.forEach(function (h, i) {
      if (i === idx) { h.setAttribute("aria-sort", desc ? "descending" : "ascending"); }
      else { h.removeAttribute("aria-sort"); }
    });
    state.col = name;
    state.desc = !!desc;
    table.setAttribute("data-sort", (desc ? "-" : "") + name);
    return true;
  }

  function fromHash() {
    var h = window.location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) { return; }
    h.split("&").forEach(function (part) {
      var eq = part.indexOf("=");
      if (eq < 0) { return; }
      var k = part.slice(0, eq), v;
      try { v = decodeURIComponent(part.slice(eq + 1).replace(/\\+/g, " ")); } catch (e) { return; }
      if (k === "filter") { filter(v); }
      else if (k === "sort") { sortBy(v.replace(/^-/, ""), v.charAt(0) === "-"); }
    });
  }

  heads.forEach(function (h) {
    var b = h.querySelector("button");
    if (!b) { return; }
    b.addEventListener("click", function () {
      var name = h.getAttribute("data-col");
      sortBy(name, state.col === name ? !state.desc : false);
    });
  });
  input.addEventListener("input", function () { filter(input.value); });
  window.addEventListener("hashchange", fromHash);
  window.camscanReport = { filter: filter, sort: sortBy };
  fromHash();
})();
"""

