// Renders the generated report.html in Debian's headless Chromium, driven by playwright-core,
// and fails (exit 1) on any console error, page error, network request (the report must be
// self-contained), or chart that is not visible with a non-zero size, and on any SVG <text>
// whose box (getBBox, transformed into its chart's coordinate space) overflows the chart or
// overlaps another label of the same chart. The page is laid out 1280 px wide; saves a
// full-page screenshot.
//
// Usage (from the repository root):
//   node tests/browser/render.mjs [REPORT_HTML] [SCREENSHOT_PNG]
// Defaults: target/report-test/report.html, target/report-screenshot.png.

import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const htmlPath = resolve(process.argv[2] ?? 'target/report-test/report.html');
const shotPath = resolve(process.argv[3] ?? 'target/report-screenshot.png');

const candidates = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'];
const executablePath = candidates.find((p) => existsSync(p));
if (!executablePath) {
  console.error(`browser test: no Chromium found at ${candidates.join(' or ')}`);
  process.exit(1);
}
if (!existsSync(htmlPath)) {
  console.error(`browser test: ${htmlPath} does not exist (generate it with \`statecraft report\`)`);
  process.exit(1);
}

const failures = [];
const fail = (msg) => failures.push(msg);
const userDataDir = mkdtempSync(join(tmpdir(), 'statecraft-chromium-'));
let context;
try {
  // A persistent context is the only way to give Chromium its own fresh --user-data-dir.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => {
    if (msg.type() === 'error') fail(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => fail(`page error: ${err.message}`));
  // The report must need nothing from the network: refuse and record any non-file request.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    fail(`network request: ${url}`);
    return route.abort();
  });

  const response = await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  if (response && !response.ok()) fail(`loading ${htmlPath}: status ${response.status()}`);

  const charts = await page.$$eval('svg', (svgs) =>
    svgs.map((svg) => {
      const r = svg.getBoundingClientRect();
      const style = getComputedStyle(svg);
      return {
        id: svg.id || '(no id)',
        width: r.width,
        height: r.height,
        visible: style.display !== 'none' && style.visibility !== 'hidden' && Number(style.opacity) > 0,
        role: svg.getAttribute('role'),
        label: svg.getAttribute('aria-label') ?? '',
        hasTitle: svg.querySelector(':scope > title') !== null,
        marks: svg.querySelectorAll('rect, path, line, circle').length,
      };
    }),
  );
  if (charts.length === 0) fail('no svg chart in the report');
  for (const c of charts) {
    if (!c.visible || !(c.width > 0) || !(c.height > 0)) {
      fail(`chart ${c.id} is not visible (${c.width}×${c.height}, visible=${c.visible})`);
    }
    if (c.role !== 'img' || c.label.trim() === '' || !c.hasTitle) {
      fail(`chart ${c.id} lacks role="img", aria-label or <title>`);
    }
    if (c.marks < 3) fail(`chart ${c.id} draws nothing (${c.marks} marks)`);
  }
  // Labels: every <text> inside its chart, and no two labels of a chart on top of each other.
  // Boxes come from getBBox() in the text's own coordinates, mapped through the text's CTM
  // relative to the chart's root <svg> (so rotated and translated labels are measured where
  // they are drawn) and compared with the chart's viewBox.
  const labelProblems = await page.$$eval('svg', (svgs) => {
    const SLACK = 1; // px: anti-aliasing and font rounding
    const MIN_OVERLAP = 2; // px in both directions before two labels count as overlapping
    const out = [];
    for (const svg of svgs) {
      if (svg.ownerSVGElement) continue; // nested svg: measured with its root
      const vb = svg.viewBox && svg.viewBox.baseVal;
      const W = vb && vb.width > 0 ? vb.width : svg.width.baseVal.value;
      const H = vb && vb.height > 0 ? vb.height : svg.height.baseVal.value;
      const X0 = vb && vb.width > 0 ? vb.x : 0;
      const Y0 = vb && vb.height > 0 ? vb.y : 0;
      const rootInv = svg.getScreenCTM()?.inverse();
      const boxes = [];
      for (const t of svg.querySelectorAll('text')) {
        if (t.closest('title, desc, defs')) continue;
        const text = (t.textContent ?? '').trim();
        if (text === '') continue;
        let b;
        try {
          b = t.getBBox();
        } catch {
          continue;
        }
        if (!(b.width > 0 && b.height > 0)) continue;
        const m = rootInv && t.getScreenCTM() ? rootInv.multiply(t.getScreenCTM()) : null;
        const pts = [
          [b.x, b.y],
          [b.x + b.width, b.y],
          [b.x, b.y + b.height],
          [b.x + b.width, b.y + b.height],
        ].map(([x, y]) => (m ? new DOMPoint(x, y).matrixTransform(m) : new DOMPoint(x, y)));
        const box = {
          text,
          x1: Math.min(...pts.map((p) => p.x)),
          y1: Math.min(...pts.map((p) => p.y)),
          x2: Math.max(...pts.map((p) => p.x)),
          y2: Math.max(...pts.map((p) => p.y)),
        };
        boxes.push(box);
        if (box.x1 < X0 - SLACK || box.y1 < Y0 - SLACK || box.x2 > X0 + W + SLACK || box.y2 > Y0 + H + SLACK) {
          out.push(
            `chart ${svg.id || '(no id)'}: label "${text}" overflows the chart ` +
              `(box ${box.x1.toFixed(1)},${box.y1.toFixed(1)}–${box.x2.toFixed(1)},${box.y2.toFixed(1)}; chart ${W}×${H})`,
          );
        }
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const c = boxes[j];
          const ox = Math.min(a.x2, c.x2) - Math.max(a.x1, c.x1);
          const oy = Math.min(a.y2, c.y2) - Math.max(a.y1, c.y1);
          if (ox > MIN_OVERLAP && oy > MIN_OVERLAP) {
            out.push(`chart ${svg.id || '(no id)'}: labels "${a.text}" and "${c.text}" overlap (${ox.toFixed(1)}×${oy.toFixed(1)} px)`);
          }
        }
      }
    }
    return out;
  });
  // Every label problem fails: the alliance network is drawn as a matrix when dense (issue 16).
  for (const p of labelProblems) fail(p);
  // A label shortened with "…" must carry its full text in a <title> (its own or its parent's).
  const cutLabels = await page.$$eval('svg text', (ts) =>
    ts
      .filter((t) => !t.closest('title, desc, defs'))
      .filter((t) => {
        const own = Array.from(t.childNodes)
          .filter((n) => n.nodeName !== 'title')
          .map((n) => n.textContent)
          .join('');
        return own.includes('…');
      })
      .filter((t) => {
        const tip = t.querySelector(':scope > title') ?? t.parentElement?.querySelector(':scope > title');
        const full = (tip?.textContent ?? '').trim();
        return full === '' || full.includes('…');
      })
      .map((t) => `${t.closest('svg')?.id ?? '(no id)'}: "${t.textContent.trim()}"`),
  );
  for (const c of cutLabels) fail(`label cut without its full text in a <title>: ${c}`);
  // Table of contents: present at the top of <main>, and every link lands on an element.
  const toc = await page.evaluate(() => {
    const sec = document.querySelector('main > section#contents');
    if (!sec) return null;
    const first = document.querySelector('main > section');
    const links = Array.from(sec.querySelectorAll('a[href^="#"]')).map((a) => a.getAttribute('href').slice(1));
    const r = sec.getBoundingClientRect();
    return {
      first: first === sec,
      links,
      missing: links.filter((id) => document.getElementById(id) === null),
      right: r.right,
    };
  });
  if (toc === null) fail('table of contents (section#contents) is missing');
  else {
    if (!toc.first) fail('the table of contents is not the first section of the page');
    if (toc.links.length < 8) fail(`the table of contents has only ${toc.links.length} links`);
    for (const m of toc.missing) fail(`table of contents links to #${m}, which does not exist`);
    if (toc.right > 1280) fail(`the table of contents overflows 1280 px (right edge ${toc.right})`);
  }
  const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  if (pageWidth > 1280) fail(`the page is ${pageWidth} px wide at a 1280 px viewport (horizontal scrolling)`);

  const sections = await page.$$eval('main section', (s) => s.map((x) => x.id));
  for (const id of ['contents', 'headline', 'forecasts', 'trajectories', 'cascade', 'drivers', 'hypotheses', 'provenance', 'track-record']) {
    if (!sections.includes(id)) fail(`section #${id} is missing`);
  }
  if ((await page.$('footer#reproduction')) === null) fail('reproduction footer is missing');

  mkdirSync(dirname(shotPath), { recursive: true });
  await page.screenshot({ path: shotPath, fullPage: true });
  console.log(`browser test: ${charts.length} charts checked (${charts.map((c) => c.id).join(', ')})`);
  console.log(`browser test: screenshot saved to ${shotPath}`);
} catch (err) {
  fail(`browser test crashed: ${err?.stack ?? err}`);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  console.error(`browser test: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('browser test: report renders without errors');
