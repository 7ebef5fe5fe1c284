// End-to-end test of `statecraft serve` in Debian's headless Chromium, driven by playwright-core:
// loads the explorer, moves the UK alignment (and lock) controls and checks that P(NATO fracture)
// and its paired Δ interval change, toggles a gate, uploads a bad scenario and sees the located
// error, reloads the shared URL and gets the same view. Fails on any console or page error and on
// any request that leaves 127.0.0.1. Screenshots under target/serve-*.png.
//
// Usage (from the repository root): node tests/browser/serve.mjs [STATECRAFT_BINARY]

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve(process.argv[2] ?? 'target/release/statecraft');
const shots = resolve('target');
const candidates = ['/usr/bin/chromium', '/usr/lib/chromium/chromium'];
const executablePath = candidates.find((p) => existsSync(p));
if (!executablePath) { console.error('serve test: no Chromium found'); process.exit(1); }
if (!existsSync(bin)) { console.error(`serve test: ${bin} does not exist (cargo build --release)`); process.exit(1); }

const failures = [];
const fail = (m) => failures.push(m);
const check = (cond, m) => { if (!cond) fail(m); else console.log(`ok   ${m}`); };

// Start the server on a free port and read the URL it prints.
const server = spawn(bin, ['serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
let serverErr = '';
server.stderr.on('data', (d) => { serverErr += d; });
const url = await new Promise((res, rej) => {
  let out = '';
  const t = setTimeout(() => rej(new Error(`no URL printed within 30 s: ${out} ${serverErr}`)), 30000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
    if (m) { clearTimeout(t); res(m[0]); }
  });
  server.on('exit', (c) => rej(new Error(`server exited (${c}): ${serverErr}`)));
});
console.log(`serve test: server at ${url}`);

const userDataDir = mkdtempSync(join(tmpdir(), 'statecraft-chromium-'));
let context;
const cellText = (page, outcome, cls) => page.locator(`#outcomes-table tr[data-outcome="${outcome}"] td.${cls}`).innerText();
async function settled(page) {
  // The run after the last change has been drawn: the status line says "done".
  await page.waitForFunction(() => !document.body.hasAttribute('aria-busy') && /^done:|error/.test(document.getElementById('status').textContent + ' ' + document.getElementById('status').className), null, { timeout: 120000 });
  const st = await page.locator('#status').innerText();
  if (!/^done:/.test(st)) throw new Error(`the run failed: ${st}`);
}
async function view(page) {
  return page.$$eval('#outcomes-table tbody tr', (rows) => rows.map((r) => r.innerText).join('\n'));
}
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath, headless: true, viewport: { width: 1280, height: 800 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (msg) => { if (msg.type() === 'error') fail(`console error: ${msg.text()}`); });
  page.on('pageerror', (err) => fail(`page error: ${err.message}`));
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(url) || u.startsWith('data:')) return route.continue();
    fail(`request left 127.0.0.1: ${u}`);
    return route.abort();
  });

  await page.goto(url, { waitUntil: 'load' });
  await settled(page);
  const fr0 = await cellText(page, 'nato_fracture', 'variant');
  const d0 = await cellText(page, 'nato_fracture', 'delta');
  check(/\d+\.\d%/.test(fr0), `base view shows P(nato_fracture) = ${fr0}`);
  check(d0.includes('+0.0'), `with no edits Δ is zero: ${d0}`);
  await page.screenshot({ path: join(shots, 'serve-base.png'), fullPage: false });

  // Move the UK alignment control with the keyboard (slider to its top end, +1 = backs the US),
  // then lock it (H2 of the scenario: UK support makes others follow).
  await page.fill('#filter', 'crisis.ally.uk.');
  const align = page.locator('#p-crisis_ally_uk_alignment');
  await align.focus();
  await page.keyboard.press('End');
  await settled(page);
  const lock = page.locator('#p-crisis_ally_uk_lock');
  await lock.focus();
  await page.keyboard.press('End');
  await settled(page);
  const fr1 = await cellText(page, 'nato_fracture', 'variant');
  const d1 = await cellText(page, 'nato_fracture', 'delta');
  check(fr1 !== fr0, `moving UK alignment and lock changes P(nato_fracture): ${fr0} → ${fr1}`);
  check(d1 !== d0 && /\[.+,.+\]/.test(d1), `and its paired Δ interval: ${d0} → ${d1}`);
  const cmd = await page.locator('#command-line').innerText();
  check(cmd.includes('--set crisis.ally.uk.alignment=1') && cmd.includes('--set crisis.ally.uk.lock=1'), `command line shows the edits: ${cmd}`);
  check(page.url().includes('set=crisis.ally.uk.alignment%3D1'), 'the URL encodes the edits');

  // Toggle a gate off.
  const before = await view(page);
  await page.locator('summary', { hasText: 'Gates' }).click();
  await page.locator('[data-toggle="gate.jcs"]').uncheck();
  await settled(page);
  const afterGate = await view(page);
  const cmd2 = await page.locator('#command-line').innerText();
  check(cmd2.includes('--disable gate.jcs'), 'toggling the JCS gate adds --disable gate.jcs');
  check(afterGate !== before, 'disabling the gate changes the outcome table');
  const svgs = await page.$$eval('svg[role="img"]', (s) => s.map((x) => ({ id: x.id, w: x.getBoundingClientRect().width, marks: x.querySelectorAll('rect, path, line, circle, polygon, polyline').length })));
  check(svgs.length >= 2 && svgs.every((s) => s.w > 0 && s.marks >= 3), `charts drawn: ${svgs.map((s) => s.id + ':' + s.marks).join(', ')}`);
  await page.screenshot({ path: join(shots, 'serve-variant.png'), fullPage: true });

  // Reload the shared URL in a fresh page: same view.
  const shared = page.url();
  const page2 = await context.newPage();
  page2.on('console', (msg) => { if (msg.type() === 'error') fail(`console error (page 2): ${msg.text()}`); });
  page2.on('pageerror', (err) => fail(`page error (page 2): ${err.message}`));
  await page2.goto(shared, { waitUntil: 'load' });
  await settled(page2);
  check((await view(page2)) === afterGate, 'reloading the shared URL gives the same outcome table');
  check((await page2.locator('#command-line').innerText()) === cmd2, 'and the same command line');
  await page2.close();

  // Upload (paste) a bad scenario: the error is shown with its line and column.
  await page.fill('#upload-name', 'bad.toml');
  await page.fill('#upload-text', '[scenario]\nid = "bad"\ntitle = "Bad"\n\n[[actors]]\nid = "a"\nname = "A"\ncapability = "lots"\n');
  await page.click('#upload-check');
  await page.waitForSelector('#upload-errors li', { timeout: 30000 });
  const errText = await page.locator('#upload-errors').innerText();
  check(/bad\.toml:\d+:\d+: /.test(errText), `the bad upload's error is located: ${errText.split('\n')[0]}`);
  await page.locator('#upload-errors button').first().click();
  const sel = await page.$eval('#upload-text', (t) => [t.selectionStart, t.selectionEnd]);
  check(sel[1] > sel[0], `clicking the error selects the offending text (${sel})`);
  await page.screenshot({ path: join(shots, 'serve-upload-error.png'), fullPage: false });
} catch (err) {
  fail(`serve test crashed: ${err?.stack ?? err}`);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
  server.kill('SIGINT');
}

if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  console.error(`serve test: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('serve test: explorer works end to end; screenshots in target/serve-*.png');
