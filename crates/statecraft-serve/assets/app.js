// statecraft explorer: builds the controls from GET /api/scenario/{id}, re-runs POST /api/run on
// every change (newer requests supersede older ones) and draws the results as SVG. No framework,
// no network beyond this server.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const pageId = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
const state = { scenario: null, runs: 1000, seed: 1, series: '', set: new Map(), without: new Set(), disable: new Set() };
let info = null; // the scenario view
let generation = 0;
let controller = null;
let debounce = null;
let lastView = null;
let pendingGen = 0; // the generation whose request is in flight (0: none)

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}
function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
const pct = (p) => (100 * p).toFixed(1) + '%';
const pts = (d) => (d >= 0 ? '+' : '−') + Math.abs(100 * d).toFixed(1);
const num = (x) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 1e4) / 1e4));
const safeId = (s) => s.replace(/[^A-Za-z0-9_-]/g, '_');

function status(msg, isError = false) {
  const s = $('status');
  s.textContent = msg;
  s.classList.toggle('error', isError);
}

// ---- URL state --------------------------------------------------------------------------------
function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  const out = { scenario: q.get('s'), runs: Number(q.get('runs')) || null, seed: q.has('seed') ? Number(q.get('seed')) : null,
    series: q.get('series') || '', set: new Map(), without: new Set(q.getAll('without')), disable: new Set(q.getAll('disable')) };
  for (const kv of q.getAll('set')) {
    const i = kv.lastIndexOf('=');
    if (i > 0) {
      const v = Number(kv.slice(i + 1));
      if (Number.isFinite(v)) out.set.set(kv.slice(0, i), v);
    }
  }
  return out;
}
function writeHash() {
  const q = new URLSearchParams();
  q.set('s', state.scenario);
  q.set('runs', String(state.runs));
  q.set('seed', String(state.seed));
  if (state.series) q.set('series', state.series);
  for (const [p, v] of state.set) q.append('set', `${p}=${v}`);
  for (const a of state.without) q.append('without', a);
  for (const d of state.disable) q.append('disable', d);
  history.replaceState(null, '', '#' + q.toString());
}

// ---- API --------------------------------------------------------------------------------------
async function api(path, body, signal) {
  const init = body === undefined ? { signal } : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
  const r = await fetch(path, init);
  let j = null;
  try { j = await r.json(); } catch (_) { j = null; }
  return { status: r.status, ok: r.ok, body: j };
}
function errorText(e) {
  if (!e || !e.error) return 'the server answered without a message';
  const x = e.error;
  let loc = '';
  if (x.location) {
    if (x.location.line) loc = ` (line ${x.location.line}, column ${x.location.column})`;
    else if (x.location.field) loc = ` (at ${x.location.field})`;
  }
  return `${x.message}${loc}${x.hint ? ' — ' + x.hint : ''}`;
}

// ---- controls ---------------------------------------------------------------------------------
function paramTitle(p) {
  const parts = [p.path, `value ${num(p.value)}`];
  if (p.dist_text) parts.push(`distribution ${p.dist_text}`);
  parts.push(`range [${p.min ?? '−∞'}, ${p.max ?? '∞'}]`);
  if (p.source) parts.push(`source ${p.source}${p.source_title ? ': ' + p.source_title : ''}${p.source_date ? ' (' + p.source_date + ')' : ''}`);
  if (p.confidence !== undefined) parts.push(`confidence ${p.confidence}`);
  return parts.join('\n');
}
function paramControl(p) {
  const id = 'p-' + safeId(p.path);
  const finite = p.min !== null && p.max !== null && p.max > p.min;
  const cur = state.set.has(p.path) ? state.set.get(p.path) : p.value;
  const box = el('div', { class: 'param' + (state.set.has(p.path) ? ' edited' : ''), 'data-path': p.path, title: paramTitle(p) });
  const label = el('label', { for: id, text: `${p.path}${p.dist_text ? ' ~ ' + p.dist_text : ''}` });
  const numIn = el('input', { type: 'number', id: finite ? id + '-n' : id, value: num(cur), step: 'any', 'aria-label': p.path + ' value' });
  if (p.min !== null) numIn.min = p.min;
  if (p.max !== null) numIn.max = p.max;
  const apply = (v) => {
    if (!Number.isFinite(v)) return;
    if (v === p.value && !p.dist_text) state.set.delete(p.path); else state.set.set(p.path, v);
    box.classList.toggle('edited', state.set.has(p.path));
    changed();
  };
  box.append(label);
  if (finite) {
    const range = el('input', { type: 'range', id, min: p.min, max: p.max, step: (p.max - p.min) / 100, value: cur, 'aria-describedby': id + '-n' });
    range.addEventListener('input', () => { numIn.value = num(Number(range.value)); apply(Number(range.value)); });
    numIn.addEventListener('change', () => { range.value = numIn.value; apply(Number(numIn.value)); });
    box.append(range, numIn);
  } else {
    numIn.addEventListener('change', () => apply(Number(numIn.value)));
    box.append(el('span'), numIn);
  }
  return box;
}
function buildParams() {
  const groups = new Map();
  for (const p of info.parameters) {
    const key = p.path.split('.').slice(0, -1).join('.') || p.path;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(p);
  }
  const f = $('filter').value.trim().toLowerCase();
  const root = $('param-groups');
  root.replaceChildren();
  let shown = 0;
  for (const [key, ps] of groups) {
    const match = ps.filter((p) => !f || p.path.toLowerCase().includes(f));
    if (match.length === 0) continue;
    shown += match.length;
    const uncertain = match.some((p) => p.dist_text) || match.some((p) => state.set.has(p.path));
    const d = el('details', { open: (f !== '' && match.length <= 40) || uncertain ? true : null },
      el('summary', { text: `${key} (${match.length})` }));
    for (const p of match) d.append(paramControl(p));
    root.append(d);
  }
  const nUncertain = info.parameters.filter((p) => p.dist_text).length;
  $('numbers-note').textContent = `${shown} of ${info.parameters.length} numbers shown (${nUncertain} uncertain). Hover a control for its source and confidence; a set number is fixed (no distribution).`;
}
function buildToggles() {
  const e = info.elements;
  const root = $('toggle-groups');
  root.replaceChildren();
  const group = (title, items, kind) => {
    const list = items.filter((x) => x.toggle);
    if (list.length === 0) return;
    const d = el('details', {}, el('summary', { text: `${title} (${list.length})` }));
    for (const x of list) {
      const id = 't-' + safeId(x.toggle);
      const on = kind === 'actor' ? !state.without.has(x.id) : !state.disable.has(x.toggle);
      const box = el('input', { type: 'checkbox', id, checked: on, 'data-toggle': x.toggle });
      box.addEventListener('change', () => {
        if (kind === 'actor') { if (box.checked) state.without.delete(x.id); else state.without.add(x.id); }
        else if (box.checked) state.disable.delete(x.toggle); else state.disable.add(x.toggle);
        changed();
      });
      d.append(el('label', { class: 'toggle', for: id }, box, ` ${x.name} (${x.toggle})`));
    }
    if (list.some((x) => (kind === 'actor' ? state.without.has(x.id) : state.disable.has(x.toggle)))) d.open = true;
    root.append(d);
  };
  group('Gates', e.gates, 'element');
  group('Options', e.options, 'element');
  group('Events', e.events, 'element');
  group('Actors', e.actors, 'actor');
  const nAllies = e.allies.length;
  root.append(el('p', { class: 'note', text: `${e.issues.length} issue(s), ${nAllies} allies; allies' numbers are under Numbers (crisis.ally.*).` }));
}

async function loadScenario(id, keepEdits) {
  const r = await api('/api/scenario/' + encodeURIComponent(id));
  if (!r.ok) { status(errorText(r.body), true); return false; }
  info = r.body;
  state.scenario = id;
  if (!keepEdits) { state.set.clear(); state.without.clear(); state.disable.clear(); }
  const sel = $('scenario-select');
  if (![...sel.options].some((o) => o.value === id)) sel.append(el('option', { value: id, text: info.target + ' (uploaded)' }));
  sel.value = id;
  buildToggles();
  buildParams();
  return true;
}

// ---- runs -------------------------------------------------------------------------------------
function changed() {
  writeHash();
  document.body.setAttribute('aria-busy', 'true');
  status('queued…');
  clearTimeout(debounce);
  debounce = setTimeout(run, 150);
}
async function run() {
  const gen = ++generation;
  pendingGen = gen;
  if (controller) controller.abort();
  controller = new AbortController();
  const body = { scenario: state.scenario, runs: state.runs, seed: state.seed, page: pageId, generation: gen, series: state.series ? [state.series] : [],
    set: [...state.set].map(([path, value]) => ({ path, value })), without: [...state.without], disable: [...state.disable] };
  status(`running ${state.runs} runs per world…`);
  document.body.setAttribute('aria-busy', 'true');
  const t0 = performance.now();
  const poll = setInterval(async () => {
    try {
      const p = await api('/api/progress/' + pageId, undefined, controller.signal);
      if (p.ok && p.body.total > 0 && gen === pendingGen) status(`running: ${p.body.done} of ${p.body.total} runs done…`);
    } catch (_) { /* superseded or finished */ }
  }, 300);
  try {
    let r;
    for (let attempt = 0; ; attempt++) {
      r = await api('/api/run', body, controller.signal);
      if (r.status !== 429 || attempt >= 5 || gen !== generation) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    if (gen !== generation) return;
    pendingGen = 0;
    if (r.status === 409) return;
    if (!r.ok) { status(errorText(r.body), true); return; }
    lastView = r.body;
    render(r.body);
    status(`done: ${r.body.runs} runs per world, seed ${r.body.seed}, ${r.body.elapsed_ms} ms on the server, ${Math.round(performance.now() - t0)} ms in all`);
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    status('request failed: ' + (e && e.message), true);
  } finally {
    if (pendingGen === gen) pendingGen = 0;
    clearInterval(poll);
    if (gen === generation) document.body.removeAttribute('aria-busy');
  }
}

// ---- rendering --------------------------------------------------------------------------------
function render(v) {
  const tb = $('outcomes-table').tBodies[0];
  tb.replaceChildren();
  for (const o of v.outcomes) {
    const d = o.delta;
    let cls = '', mark = '= ';
    if (d && d.lo > 0) { cls = 'up'; mark = '▲ '; } else if (d && d.hi < 0) { cls = 'down'; mark = '▼ '; } else if (d && d.delta !== 0) mark = '≈ ';
    tb.append(el('tr', { 'data-outcome': o.id },
      el('th', { scope: 'row', text: `${o.name} (${o.id})` }),
      el('td', { class: 'base', text: `${pct(o.base.p)} [${pct(o.base.lo)}, ${pct(o.base.hi)}]` }),
      el('td', { class: 'variant', text: `${pct(o.variant.p)} [${pct(o.variant.lo)}, ${pct(o.variant.hi)}]` }),
      el('td', { class: 'delta ' + cls, text: d ? `${mark}${pts(d.delta)} pts [${pts(d.lo)}, ${pts(d.hi)}]` : '—' })));
  }
  $('outcomes-note').textContent = `${v.runs} runs per world (common random numbers), seed ${v.seed}. Intervals: 95% Wilson; Δ: Newcombe's paired 95%. ▲/▼: the Δ interval excludes 0; ≈: it includes 0.`;
  drawOutcomes(v);
  $('command-line').textContent = v.command;
  fillSeries(v);
  drawFan(v);
  drawGates(v);
  drawCascade(v);
}
function drawOutcomes(v) {
  const W = 760, rowH = 26, left = 230, right = 20, top = 24;
  const H = top + rowH * v.outcomes.length + 24;
  const x = (p) => left + p * (W - left - right);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', id: 'outcomes-svg', 'aria-label': 'Outcome probabilities, base (circle) and variant (square), with 95% intervals' });
  s.append(svg('title', {}, 'Outcome probabilities: base ● and variant ■ with 95% intervals'));
  for (let t = 0; t <= 1.0001; t += 0.25) {
    s.append(svg('line', { x1: x(t), x2: x(t), y1: top - 6, y2: H - 20, stroke: '#ddd' }));
    s.append(svg('text', { x: x(t), y: H - 6, 'text-anchor': 'middle' }, `${Math.round(t * 100)}%`));
  }
  v.outcomes.forEach((o, i) => {
    const y = top + i * rowH + rowH / 2;
    s.append(svg('text', { x: left - 8, y: y + 4, 'text-anchor': 'end' }, o.name.length > 34 ? o.name.slice(0, 33) + '…' : o.name));
    s.append(svg('line', { x1: x(o.base.lo), x2: x(o.base.hi), y1: y - 4, y2: y - 4, stroke: 'var(--base)', 'stroke-width': 2 }));
    s.append(svg('circle', { cx: x(o.base.p), cy: y - 4, r: 4, fill: 'var(--base)' }));
    s.append(svg('line', { x1: x(o.variant.lo), x2: x(o.variant.hi), y1: y + 5, y2: y + 5, stroke: 'var(--variant)', 'stroke-width': 2, 'stroke-dasharray': '5 2' }));
    s.append(svg('rect', { x: x(o.variant.p) - 4, y: y + 1, width: 8, height: 8, fill: 'var(--variant)' }));
  });
  s.append(svg('text', { x: left, y: 12 }, '● base (solid line)   ■ variant (dashed line)'));
  $('outcomes-chart').replaceChildren(s);
}
function fillSeries(v) {
  const sel = $('series-select');
  const keys = v.series_keys;
  if ([...sel.options].map((o) => o.value).join() !== keys.join()) {
    sel.replaceChildren(...keys.map((k) => el('option', { value: k, text: k })));
  }
  sel.value = v.series.length > 0 ? v.series[0].key : '';
}
function drawFan(v) {
  const key = $('series-select').value;
  const s0 = v.series.find((s) => s.key === key);
  const box = $('fan-chart');
  if (!s0 || s0.base.length === 0) { box.replaceChildren(el('p', { class: 'note', text: 'This scenario has no per-round series.' })); return; }
  const W = 760, H = 260, L = 50, R = 20, T = 20, B = 30;
  const all = s0.base.concat(s0.variant).flat();
  let lo = Math.min(...all), hi = Math.max(...all);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const n = Math.max(s0.base.length, s0.variant.length);
  const x = (i) => L + (n <= 1 ? 0 : (i / (n - 1)) * (W - L - R));
  const y = (val) => T + (1 - (val - lo) / (hi - lo)) * (H - T - B);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', id: 'fan-svg', 'aria-label': `Trajectory fan of ${key}: base grey, variant blue dashed; bands 5–95% and 25–75%` });
  s.append(svg('title', {}, `${key} per round: median and 25–75%, 5–95% bands across ${v.runs} runs`));
  for (const t of [lo, (lo + hi) / 2, hi]) {
    s.append(svg('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), stroke: '#e4e4e4' }));
    s.append(svg('text', { x: L - 4, y: y(t) + 4, 'text-anchor': 'end' }, num(Math.round(t * 100) / 100)));
  }
  const band = (bands, a, b, fill, op) => {
    if (bands.length === 0) return;
    const up = bands.map((q, i) => `${x(i)},${y(q[b])}`);
    const dn = bands.map((q, i) => `${x(i)},${y(q[a])}`).reverse();
    s.append(svg('polygon', { points: up.concat(dn).join(' '), fill, 'fill-opacity': op }));
  };
  const line = (bands, stroke, dash) => {
    if (bands.length === 0) return;
    s.append(svg('polyline', { points: bands.map((q, i) => `${x(i)},${y(q[2])}`).join(' '), fill: 'none', stroke, 'stroke-width': 2, 'stroke-dasharray': dash }));
  };
  band(s0.base, 0, 4, '#888', 0.18); band(s0.base, 1, 3, '#888', 0.3);
  band(s0.variant, 0, 4, '#1f5fbf', 0.12); band(s0.variant, 1, 3, '#1f5fbf', 0.2);
  line(s0.base, '#333', 'none'); line(s0.variant, '#1f5fbf', '6 3');
  s.append(svg('text', { x: L, y: H - 8 }, `round 1 … ${n} (weekly for a crisis scenario) — solid: base median; dashed: variant median`));
  box.replaceChildren(s);
}
function propText(p) { return p ? `${pct(p.p)} [${pct(p.lo)}, ${pct(p.hi)}]` : '0 runs'; }
function drawGates(v) {
  const groups = new Map();
  for (const e of v.events) {
    const k = e.id.includes(':') ? e.id.slice(0, e.id.indexOf(':')) : 'other';
    if (k === 'tipped') continue;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(e);
  }
  const root = $('gate-tables');
  root.replaceChildren();
  const top = (e) => Math.max(e.base ? e.base.p : 0, e.variant ? e.variant.p : 0);
  for (const [k, rows] of [...groups].sort()) {
    rows.sort((a, b) => top(b) - top(a));
    const t = el('table', { class: 'events', 'data-group': k },
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Event id' }), el('th', { scope: 'col', text: 'Base' }), el('th', { scope: 'col', text: 'Variant' }))));
    const tb = el('tbody');
    for (const e of rows.slice(0, 15)) tb.append(el('tr', {}, el('td', { text: e.id }), el('td', { text: propText(e.base) }), el('td', { text: propText(e.variant) })));
    t.append(tb);
    root.append(el('details', { open: ['blocked', 'delayed', 'substituted', 'option'].includes(k) ? true : null },
      el('summary', { text: `${k} (${rows.length} event ids${rows.length > 15 ? ', the 15 most frequent shown' : ''})` }), t));
  }
}
function drawCascade(v) {
  const tb = $('allies-table').tBodies[0];
  tb.replaceChildren();
  const f = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(2);
  for (const a of v.allies) {
    const moved = Math.abs(a.variant_mean - a.base_mean) > 1e-9;
    tb.append(el('tr', { 'data-ally': a.actor },
      el('th', { scope: 'row', text: a.actor }),
      el('td', { text: `${f(a.base_mean)} [${f(a.base_q[0])}, ${f(a.base_q[4])}]` }),
      el('td', { class: moved ? 'moved' : '', text: `${f(a.variant_mean)} [${f(a.variant_q[0])}, ${f(a.variant_q[4])}]${moved ? ' (changed)' : ''}` })));
  }
  const tips = v.events.filter((e) => e.id.startsWith('tipped:'));
  const box = $('tipped');
  if (tips.length === 0) { box.replaceChildren(el('p', { class: 'note', text: 'No tipping in these runs.' })); return; }
  const t = el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'tipper → tipped' }), el('th', { scope: 'col', text: 'Base' }), el('th', { scope: 'col', text: 'Variant' }))));
  const tb2 = el('tbody');
  for (const e of tips) tb2.append(el('tr', {}, el('td', { text: e.id.slice(7).replace('->', ' → ') }), el('td', { text: propText(e.base) }), el('td', { text: propText(e.variant) })));
  t.append(tb2);
  box.replaceChildren(t);
}

// ---- upload -----------------------------------------------------------------------------------
async function checkUpload() {
  const text = $('upload-text').value;
  const filename = $('upload-name').value || 'pasted.toml';
  const out = $('upload-result');
  out.replaceChildren(el('p', { text: 'checking…' }));
  const r = await api('/api/check', { filename, text });
  if (!r.ok) { out.replaceChildren(el('p', { class: 'err', text: errorText(r.body) })); return; }
  if (!r.body.ok) {
    const list = el('ul', { class: 'err', id: 'upload-errors' });
    for (const e of r.body.errors) {
      const where = e.line ? `${e.file}:${e.line}:${e.column}` : e.file;
      const b = el('button', { type: 'button', text: `${where}: ${e.message}${e.hint ? ' — help: ' + e.hint : ''}` });
      b.addEventListener('click', () => {
        const ta = $('upload-text');
        ta.focus();
        if (e.span) ta.setSelectionRange(e.span[0], Math.max(e.span[1], e.span[0] + 1));
      });
      list.append(el('li', {}, b));
    }
    out.replaceChildren(el('p', { class: 'err', text: r.body.message }), list);
    return;
  }
  out.replaceChildren(el('p', { class: 'ok', text: `${filename} is valid; now exploring it as ${r.body.id}.` }));
  if (await loadScenario(r.body.id, false)) changed();
}

// ---- start ------------------------------------------------------------------------------------
async function start() {
  const r = await api('/api/scenarios');
  if (!r.ok) { status(errorText(r.body), true); return; }
  const sel = $('scenario-select');
  sel.replaceChildren(...r.body.scenarios.map((s) => el('option', { value: s.id, text: s.name })));
  const h = readHash();
  state.runs = h.runs ?? r.body.defaults.runs;
  state.seed = h.seed ?? r.body.defaults.seed;
  state.series = h.series; state.set = h.set; state.without = h.without; state.disable = h.disable;
  $('runs').value = state.runs; $('runs').max = r.body.limits.max_runs;
  $('seed').value = state.seed;
  const ok = await loadScenario(h.scenario || r.body.default, true);
  if (!ok && h.scenario) await loadScenario(r.body.default, false);
  sel.addEventListener('change', async () => { if (await loadScenario(sel.value, false)) changed(); });
  $('runs').addEventListener('change', () => { const n = Math.round(Number($('runs').value)); if (n >= 1) { state.runs = n; changed(); } });
  $('seed').addEventListener('change', () => { const n = Math.round(Number($('seed').value)); if (n >= 0) { state.seed = n; changed(); } });
  $('reset').addEventListener('click', () => { state.set.clear(); state.without.clear(); state.disable.clear(); buildToggles(); buildParams(); changed(); });
  $('filter').addEventListener('input', () => buildParams());
  $('series-select').addEventListener('change', () => { state.series = $('series-select').value; changed(); });
  $('copy-link').addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(location.href); status('link copied: ' + location.href); } catch (_) { status('link: ' + location.href); }
  });
  $('download-overlay').addEventListener('click', () => {
    if (!lastView) return;
    const a = el('a', { href: 'data:application/toml;charset=utf-8,' + encodeURIComponent(lastView.overlay), download: 'what-if.toml' });
    document.body.append(a); a.click(); a.remove();
  });
  $('upload-file').addEventListener('change', async () => {
    const f = $('upload-file').files[0];
    if (!f) return;
    if (f.size > r.body.limits.max_upload_bytes) { $('upload-result').replaceChildren(el('p', { class: 'err', text: `${f.name} is ${f.size} bytes; uploads may be at most ${r.body.limits.max_upload_bytes}` })); return; }
    $('upload-name').value = f.name;
    $('upload-text').value = await f.text();
    checkUpload();
  });
  $('upload-check').addEventListener('click', checkUpload);
  writeHash();
  run();
}
start().catch((e) => status('could not start: ' + (e && e.message), true));
