// The page script and stylesheet of a report, as strings inlined into the HTML. Plain ES2017 for
// the browser: it reads the JSON data element and draws with uPlot (time series) or with its own
// canvas code (candles inside a uPlot draw hook, heatmaps, bar charts). Kept free of backticks
// and template placeholders so it can live in a template literal.

export const CLIENT_CSS = String.raw`
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #212529; background: #fff; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 22px; margin: 8px 0 2px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #dee2e6; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.sub { color: #6c757d; margin: 0 0 12px; }
.chart { margin: 6px 0 14px; }
.note { color: #6c757d; font-size: 12px; }
.legend span { margin-right: 14px; white-space: nowrap; }
.scroll { max-height: 360px; overflow: auto; border: 1px solid #dee2e6; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 12.5px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #eef0f2; text-align: right; white-space: nowrap; }
th { background: #f8f9fa; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
.isolated { color: #d9480f; } .cross { color: #1971c2; }
.grid2 { display: flex; flex-wrap: wrap; gap: 16px; }
`;

export const CLIENT_JS = String.raw`
(function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var app = document.getElementById('app');
var DPR = window.devicePixelRatio || 1;
var MODE_COLOR = { isolated: '#d9480f', cross: '#1971c2' };
var UP = '#2b8a3e', DOWN = '#c92a2a';

function el(tag, parent, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
function isTimeColumn(name) { return name === 'time' || /Time$/.test(name); }
function iso(ms) { return new Date(ms).toISOString().slice(0, 16).replace('T', ' '); }
function num(v, digits) {
  if (v === null || v === undefined) return '\u2013';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  var a = Math.abs(v);
  var d = digits !== undefined ? digits : a >= 1000 ? 2 : a >= 1 ? 4 : 6;
  return v.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: d });
}
function cell(name, v) {
  if (v !== null && isTimeColumn(name) && typeof v === 'number') return iso(v);
  if (name === 'side' && typeof v === 'number') return v > 0 ? 'long' : 'short';
  return num(v);
}
function chartWidth() { return Math.max(480, Math.min(1200, app.clientWidth - 40)); }

function rowsTable(parent, view, caption) {
  el('h3', parent, null, caption + ' (' + (view.rows.length + view.omitted).toLocaleString('en-US') + ')');
  if (view.rows.length === 0) { el('p', parent, 'note', 'none'); return; }
  var wrap = el('div', parent, 'scroll');
  var t = el('table', wrap);
  var hr = el('tr', el('thead', t));
  view.columns.forEach(function (c) { el('th', hr, null, c); });
  var body = el('tbody', t);
  view.rows.forEach(function (r) {
    var tr = el('tr', body);
    r.forEach(function (v, i) {
      var td = el('td', tr, null, cell(view.columns[i], v));
      if (view.columns[i] === 'marginMode') td.className = v;
    });
  });
  if (view.omitted > 0) el('p', parent, 'note', view.omitted.toLocaleString('en-US') + ' more rows not shown here (they are in the results file).');
}

// ---- backtest ---------------------------------------------------------------------------------

function percentAxis(u, vals) { return vals.map(function (v) { return (v * 100).toFixed(0) + '%'; }); }
function usdtAxis(u, vals) { return vals.map(function (v) { return num(v, 0); }); }

function equityChart(parent, b, bi) {
  var data = [b.time];
  var series = [{}];
  b.runs.forEach(function (r, k) {
    data.push(b.equity[k]);
    series.push({ label: r.marginMode + ' equity', stroke: MODE_COLOR[r.marginMode], width: 1.5 });
  });
  b.runs.forEach(function (r, k) {
    data.push(b.liquidationMarks[k]);
    series.push({
      label: r.marginMode + ' liquidation', stroke: '#000', fill: MODE_COLOR[r.marginMode],
      paths: function () { return null; },
      points: { show: true, size: 10, width: 1.5, stroke: '#000', fill: MODE_COLOR[r.marginMode] },
    });
  });
  var div = el('div', parent, 'chart');
  div.setAttribute('data-chart', 'equity');
  return new uPlot({
    title: 'Equity (USDT), liquidations marked', width: chartWidth(), height: 300,
    cursor: { sync: { key: 'block' + bi } }, scales: { x: { time: true } },
    series: series, axes: [{}, { values: usdtAxis, size: 70 }],
  }, data, div);
}

function drawdownChart(parent, b, bi) {
  var data = [b.time];
  var series = [{}];
  b.runs.forEach(function (r, k) {
    data.push(b.drawdown[k]);
    series.push({ label: r.marginMode + ' drawdown', stroke: MODE_COLOR[r.marginMode], fill: MODE_COLOR[r.marginMode] + '22', width: 1.2,
      value: function (u, v) { return v === null ? '\u2013' : (v * 100).toFixed(2) + '%'; } });
  });
  var div = el('div', parent, 'chart');
  div.setAttribute('data-chart', 'drawdown');
  return new uPlot({
    title: 'Drawdown from the running peak', width: chartWidth(), height: 200,
    cursor: { sync: { key: 'block' + bi } }, scales: { x: { time: true }, y: { range: function (u, min) { return [Math.min(min, -0.01), 0]; } } },
    series: series, axes: [{}, { values: percentAxis, size: 70 }],
  }, data, div);
}

function metricsTable(parent, names, b) {
  var t = el('table', el('div', parent));
  var hr = el('tr', el('thead', t));
  el('th', hr, null, 'metric');
  b.runs.forEach(function (r) { el('th', hr, r.marginMode, r.marginMode); });
  var body = el('tbody', t);
  names.forEach(function (m) {
    var tr = el('tr', body);
    el('td', tr, null, m);
    b.runs.forEach(function (r) { el('td', tr, null, num(r.metrics[m])); });
  });
}

function marker(ctx, kind, x, y, color) {
  var s = 5 * DPR;
  ctx.fillStyle = color; ctx.strokeStyle = '#000'; ctx.lineWidth = DPR;
  ctx.beginPath();
  if (kind === 'long') { ctx.moveTo(x, y - s); ctx.lineTo(x + s, y + s); ctx.lineTo(x - s, y + s); ctx.closePath(); ctx.fill(); ctx.stroke(); }
  else if (kind === 'short') { ctx.moveTo(x, y + s); ctx.lineTo(x + s, y - s); ctx.lineTo(x - s, y - s); ctx.closePath(); ctx.fill(); ctx.stroke(); }
  else if (kind === 'exit') { ctx.arc(x, y, s * 0.8, 0, 2 * Math.PI); ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = color; ctx.lineWidth = 2 * DPR; ctx.stroke(); }
  else {
    ctx.lineWidth = 3.5 * DPR; ctx.strokeStyle = '#000';
    ctx.moveTo(x - s, y - s); ctx.lineTo(x + s, y + s); ctx.moveTo(x + s, y - s); ctx.lineTo(x - s, y + s); ctx.stroke();
    ctx.beginPath(); ctx.lineWidth = 2 * DPR; ctx.strokeStyle = color;
    ctx.moveTo(x - s, y - s); ctx.lineTo(x + s, y + s); ctx.moveTo(x + s, y - s); ctx.lineTo(x - s, y + s); ctx.stroke();
  }
}

function drawCandles(u, c) {
  var ctx = u.ctx, bb = u.bbox;
  var xmin = u.scales.x.min, xmax = u.scales.x.max;
  ctx.save();
  ctx.beginPath(); ctx.rect(bb.left, bb.top, bb.width, bb.height); ctx.clip();
  var n = c.time.length;
  var step = n > 1 ? (u.valToPos(c.time[1], 'x', true) - u.valToPos(c.time[0], 'x', true)) : 8;
  var body = Math.max(1, Math.floor(step * 0.7));
  var wick = Math.max(1, Math.round(DPR));
  for (var i = 0; i < n; i++) {
    var t = c.time[i];
    if (t < xmin || t > xmax) continue;
    var x = Math.round(u.valToPos(t, 'x', true));
    var yo = u.valToPos(c.open[i], 'y', true), yc = u.valToPos(c.close[i], 'y', true);
    var yh = u.valToPos(c.high[i], 'y', true), yl = u.valToPos(c.low[i], 'y', true);
    ctx.fillStyle = c.close[i] >= c.open[i] ? UP : DOWN;
    ctx.fillRect(x - (wick >> 1), yh, wick, Math.max(1, yl - yh));
    if (body > 2) ctx.fillRect(x - (body >> 1), Math.min(yo, yc), body, Math.max(1, Math.abs(yc - yo)));
  }
  c.markers.forEach(function (m) {
    if (m.time < xmin || m.time > xmax) return;
    marker(ctx, m.kind, u.valToPos(m.time, 'x', true), u.valToPos(m.price, 'y', true), MODE_COLOR[m.marginMode]);
  });
  ctx.restore();
}

function candleChart(parent, c, bi) {
  var div = el('div', parent, 'chart');
  div.setAttribute('data-chart', 'candles');
  var hidden = { stroke: 'rgba(0,0,0,0)', paths: function () { return null; }, points: { show: false } };
  var low = c.low.slice(), high = c.high.slice();
  // the y scale must also reach the marked prices (a liquidation can trigger beyond the bar's range)
  c.markers.forEach(function (m) {
    var i = 0, lo = 0, hi = c.time.length - 1;
    while (lo < hi) { i = (lo + hi) >> 1; if (c.time[i] < m.time) lo = i + 1; else hi = i; }
    if (lo < c.time.length) { low[lo] = Math.min(low[lo], m.price); high[lo] = Math.max(high[lo], m.price); }
  });
  new uPlot({
    title: c.symbol + ': candles with entries, exits and liquidations', width: chartWidth(), height: 340,
    cursor: { sync: { key: 'block' + bi } }, scales: { x: { time: true } }, legend: { show: false },
    series: [{}, Object.assign({ label: 'low' }, hidden), Object.assign({ label: 'high' }, hidden)],
    axes: [{}, { values: usdtAxis, size: 80 }],
    hooks: { draw: [function (u) { drawCandles(u, c); }] },
  }, [c.time, low, high], div);
  var lg = el('div', parent, 'legend note');
  el('span', lg, null, '\u25b2 long entry   \u25bc short entry   \u25cb exit   \u2716 liquidation at its trigger price;');
  el('span', lg, 'isolated', '\u25a0 isolated');
  el('span', lg, 'cross', '\u25a0 cross');
  el('span', lg, null, c.markers.length + ' markers; drag to zoom, double-click to reset');
}

function renderBacktest() {
  el('h1', app, null, D.title);
  el('p', app, 'sub', D.subtitle);
  D.blocks.forEach(function (b, bi) {
    var sec = el('section', app);
    el('h2', sec, null, b.title);
    if (b.time.length === 0) el('p', sec, 'note', 'No equity records (run without --out records).');
    else { equityChart(sec, b, bi); drawdownChart(sec, b, bi); }
    el('h3', sec, null, 'Metrics');
    metricsTable(sec, D.metricNames, b);
    b.candles.forEach(function (c) { el('h3', sec, null, c.symbol); candleChart(sec, c, bi); });
    rowsTable(sec, b.trades, 'Trades');
    rowsTable(sec, b.liquidations, 'Liquidations');
  });
}

// ---- sweep ------------------------------------------------------------------------------------

var PALETTE = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function colorAt(f) {
  f = Math.max(0, Math.min(1, f)) * (PALETTE.length - 1);
  var i = Math.min(PALETTE.length - 2, Math.floor(f)), r = f - i, a = PALETTE[i], b = PALETTE[i + 1];
  return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * r); }).join(',') + ')';
}
function canvas(parent, w, h, name) {
  var div = el('div', parent, 'chart');
  div.setAttribute('data-chart', name);
  var cv = el('canvas', div);
  cv.width = Math.round(w * DPR); cv.height = Math.round(h * DPR);
  cv.style.width = w + 'px'; cv.style.height = h + 'px';
  var ctx = cv.getContext('2d');
  ctx.scale(DPR, DPR);
  ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h);
  ctx.font = '12px system-ui, sans-serif'; ctx.fillStyle = '#212529';
  return ctx;
}

function heatmap(parent, hm, lo, hi) {
  var w = Math.min(580, Math.max(360, (chartWidth() - 16) / 2)), h = 360;
  var L = 64, R = 16, T = 28, B = 64;
  var ctx = canvas(parent, w, h, 'heatmap');
  var nx = D.xs.length, ny = D.ys.length;
  var cw = (w - L - R) / nx, ch = (h - T - B) / ny;
  ctx.font = 'bold 13px system-ui, sans-serif'; ctx.fillStyle = MODE_COLOR[hm.marginMode] || '#212529';
  ctx.fillText(hm.marginMode + ': mean ' + D.metric, L, 18);
  ctx.font = '11px system-ui, sans-serif';
  for (var yi = 0; yi < ny; yi++) {
    for (var xi = 0; xi < nx; xi++) {
      var v = hm.cells[yi][xi];
      var x = L + xi * cw, y = T + (ny - 1 - yi) * ch;
      ctx.fillStyle = v === null ? '#e9ecef' : colorAt(hi > lo ? (v - lo) / (hi - lo) : 0.5);
      ctx.fillRect(x, y, Math.ceil(cw), Math.ceil(ch));
      if (cw > 38 && ch > 16) {
        ctx.fillStyle = v === null ? '#868e96' : (hi > lo && (v - lo) / (hi - lo) > 0.6 ? '#000' : '#fff');
        ctx.textAlign = 'center'; ctx.textBaseline = 'middle';
        ctx.fillText(v === null ? '\u2013' : num(v, 2), x + cw / 2, y + ch / 2);
      }
    }
  }
  ctx.fillStyle = '#212529'; ctx.textBaseline = 'top'; ctx.textAlign = 'center';
  var every = Math.max(1, Math.ceil(nx / ((w - L - R) / 40)));
  D.xs.forEach(function (v, i) { if (i % every === 0) ctx.fillText(num(v), L + (i + 0.5) * cw, h - B + 4); });
  ctx.fillText(D.x, L + (w - L - R) / 2, h - B + 22);
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  var everyY = Math.max(1, Math.ceil(ny / ((h - T - B) / 16)));
  D.ys.forEach(function (v, i) { if (i % everyY === 0) ctx.fillText(num(v), L - 6, T + (ny - 1 - i + 0.5) * ch); });
  ctx.save(); ctx.translate(14, T + (h - T - B) / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center'; ctx.fillText(D.y, 0, 0); ctx.restore();
  // the colour scale, shared by both modes
  var gx = L, gy = h - 22, gw = w - L - R;
  for (var k = 0; k < gw; k++) { ctx.fillStyle = colorAt(k / gw); ctx.fillRect(gx + k, gy, 1, 8); }
  ctx.fillStyle = '#212529'; ctx.textBaseline = 'top'; ctx.font = '10px system-ui, sans-serif';
  ctx.textAlign = 'left'; ctx.fillText(num(lo, 3), gx, gy + 10);
  ctx.textAlign = 'right'; ctx.fillText(num(hi, 3), gx + gw, gy + 10);
}

function barChart(parent, lq) {
  var w = chartWidth(), h = 280, L = 60, R = 16, T = 30, B = 46;
  var ctx = canvas(parent, w, h, 'liquidations-per-leverage');
  var max = 0;
  lq.meanPerRun.forEach(function (row) { row.forEach(function (v) { if (v !== null && v > max) max = v; }); });
  var top = max > 0 ? max * 1.1 : 1;
  var ph = h - T - B, pw = w - L - R, gw = pw / Math.max(1, lq.leverages.length);
  var bw = Math.max(2, Math.min(40, (gw * 0.7) / Math.max(1, lq.modes.length)));
  ctx.font = 'bold 13px system-ui, sans-serif'; ctx.fillText('Mean liquidations per run, by leverage', L, 18);
  ctx.font = '11px system-ui, sans-serif'; ctx.strokeStyle = '#dee2e6'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (var k = 0; k <= 4; k++) {
    var y = T + ph - (ph * k) / 4;
    ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(w - R, y); ctx.stroke();
    ctx.fillStyle = '#495057'; ctx.fillText(num((top * k) / 4, 2), L - 6, y);
  }
  lq.leverages.forEach(function (lev, li) {
    var gx = L + li * gw + (gw - bw * lq.modes.length) / 2;
    lq.modes.forEach(function (m, mi) {
      var v = lq.meanPerRun[mi][li] || 0;
      var bh = (v / top) * ph;
      ctx.fillStyle = MODE_COLOR[m] || '#495057';
      ctx.fillRect(gx + mi * bw, T + ph - bh, bw - 1, Math.max(v > 0 ? 1 : 0, bh));
    });
    ctx.fillStyle = '#212529'; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    ctx.fillText(lev + 'x', L + (li + 0.5) * gw, T + ph + 6);
  });
  ctx.textAlign = 'left'; ctx.textBaseline = 'top';
  lq.modes.forEach(function (m, mi) { ctx.fillStyle = MODE_COLOR[m] || '#495057'; ctx.fillRect(w - R - 150 + mi * 75, 8, 10, 10); ctx.fillStyle = '#212529'; ctx.fillText(m, w - R - 136 + mi * 75, 7); });
  ctx.textAlign = 'center'; ctx.fillText('leverage', L + pw / 2, h - 18);
}

function renderSweep() {
  el('h1', app, null, D.title);
  el('p', app, 'sub', D.subtitle);
  el('h2', app, null, D.metric + ' over ' + D.x + ' \u00d7 ' + D.y);
  el('p', app, 'note', 'Each cell is the mean over the runs with those two values (every other parameter, leverage and symbol set); grey: no run with a defined value. One colour scale for both modes.');
  var lo = Infinity, hi = -Infinity;
  D.heatmaps.forEach(function (hm) { hm.cells.forEach(function (row) { row.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); }); });
  if (lo > hi) { lo = 0; hi = 0; }
  var grid = el('div', app, 'grid2');
  D.heatmaps.forEach(function (hm) { heatmap(grid, hm, lo, hi); });
  el('h2', app, null, 'Top runs by ' + D.topBy);
  rowsTable(app, D.top, 'Runs');
  el('h2', app, null, 'Liquidations per leverage');
  barChart(app, D.liquidations);
  var t = el('table', app), hr = el('tr', el('thead', t));
  ['leverage'].concat(D.liquidations.modes.map(function (m) { return m + ': runs liquidated / runs'; })).forEach(function (h) { el('th', hr, null, h); });
  var body = el('tbody', t);
  D.liquidations.leverages.forEach(function (lev, li) {
    var tr = el('tr', body);
    el('td', tr, null, lev + 'x');
    D.liquidations.modes.forEach(function (m, mi) { el('td', tr, null, D.liquidations.runsLiquidated[mi][li] + ' / ' + D.liquidations.runs[mi][li]); });
  });
}

if (D.kind === 'backtest') renderBacktest(); else renderSweep();
document.body.setAttribute('data-rendered', 'true');
})();
`;
