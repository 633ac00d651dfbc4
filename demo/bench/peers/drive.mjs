// demo/bench/peers/drive.mjs: the browser half of the peer benchmark. Plays one manifest with
// dash.js or Shaka Player (default settings) in headless Chromium and writes what page.js measured.
//
//   node drive.mjs --player dashjs|shaka --url MPD_URL --seconds 60 --ladder '[{"bandwidth":..,"height":..}]'
//                  --out result.json [--timeout S] [--chromium /usr/bin/chromium] [--live 1]
// --live 1: a live stream: the page plays S seconds of wall time (not up to media time S) and samples
// the player's live latency four times a second.
//
// Serves this folder (page.html, page.js, node_modules) from a static server on 127.0.0.1 (an
// ephemeral port), so the page and abrplay-origin are both loopback origins. The result JSON always
// gets written: status ok | error | timeout, plus the page's measurements (see page.js).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const player = args.player, url = args.url, out = args.out;
const seconds = parseFloat(args.seconds || '60');
const timeoutS = parseFloat(args.timeout || String(seconds * 2 + 60));
const exe = args.chromium || '/usr/bin/chromium';
if (!player || !url || !out) { console.error('usage: node drive.mjs --player dashjs|shaka --url URL --seconds S --out FILE'); process.exit(2); }

const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.css': 'text/css' };
const server = http.createServer((req, res) => {
  const p = path.normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^\/+/, '');
  const file = path.join(here, p);
  if (!file.startsWith(here + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const pageBase = `http://127.0.0.1:${server.address().port}`;

const result = { player, url, seconds, status: 'error', errors: [], console: [] };
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'abrplay-peers-chromium-'));
let ctx = null;
const t0 = Date.now();
try {
  ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: exe,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
    viewport: { width: 1280, height: 720 },
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error' && result.console.length < 20) result.console.push(m.text().slice(0, 300)); });
  page.on('pageerror', (e) => result.errors.push('pageerror: ' + e.message));
  const q = new URLSearchParams({ player, url, seconds: String(seconds), ladder: args.ladder || '[]',
    live: args.live ? '1' : '0' });
  await page.goto(`${pageBase}/page.html?${q}`);
  result.mse_h264 = await page.evaluate(() => window.MediaSource ? MediaSource.isTypeSupported('video/mp4; codecs="avc1.640028"') : false);
  let b = null;
  for (;;) {
    await page.waitForTimeout(250);
    b = await page.evaluate(() => window.__bench ? JSON.parse(JSON.stringify(window.__bench)) : null);
    if (b && b.done) { result.status = 'ok'; break; }
    // A fatal player error before any frame: stop early, report it.
    if (b && b.errors && b.errors.length && b.ttff_ms === null && (Date.now() - t0) > 15000) { result.status = 'error'; break; }
    if ((Date.now() - t0) / 1000 > timeoutS) {
      b = await page.evaluate(() => { if (window.__benchFinish) window.__benchFinish(); return window.__bench ? JSON.parse(JSON.stringify(window.__bench)) : null; });
      result.status = 'timeout';
      break;
    }
  }
  Object.assign(result, b || {}, { status: result.status, errors: [...result.errors, ...((b && b.errors) || [])] });
  if (result.status === 'ok' && result.errors.length && result.ttff_ms === null) result.status = 'error';
  result.chromium_version = ctx.browser() ? ctx.browser().version() : null;
} catch (e) {
  result.status = 'error';
  result.errors.push('drive: ' + (e && e.message ? e.message : String(e)));
} finally {
  result.wall_s = (Date.now() - t0) / 1000;
  if (ctx) await ctx.close().catch(() => {});
  server.close();
  fs.rmSync(userDir, { recursive: true, force: true });
}
fs.writeFileSync(out, JSON.stringify(result, null, 1));
console.log(`${player}: ${result.status} ttff ${result.ttff_ms} ms played ${result.played_s} s stalls ${(result.stalls || []).length} errors ${result.errors.length}`);
process.exit(0);
