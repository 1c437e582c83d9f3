// Shared by the browser tests: the running demo's address and sign-in
// (run.sh passes them), Debian's Chromium through playwright-core, a page
// that records every problem, sign-in, and the phone-width check.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const base = process.env.SETTLE_URL;
export const email = process.env.SETTLE_EMAIL;
export const password = process.env.SETTLE_PASSWORD;
export const token = process.env.SETTLE_TOKEN;
export const shots = process.env.SCREENSHOTS || 'screenshots';
if (!base) {
  throw new Error('SETTLE_URL must be set (run tests/e2e/run.sh)');
}

export const sizes = { desktop: { width: 1280, height: 800 }, mobile: { width: 360, height: 740 } };

// One headless Chromium per test file, started before its tests and
// closed after them.
let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => { await browser?.close(); });

// page opens a fresh context (no cookies) at a size and records every
// console error, page error and request that leaves the origin.
export async function page(size, options = {}) {
  const context = await browser.newContext({ viewport: sizes[size], ...options });
  const p = await context.newPage();
  const problems = [];
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`request off the origin: ${r.url()}`); });
  p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} for ${r.url()}`); });
  return { p, context, problems };
}

// signIn signs the demo admin in and waits for the dashboard.
export async function signIn(p) {
  if (!email || !password) {
    throw new Error('SETTLE_EMAIL and SETTLE_PASSWORD must be set (run tests/e2e/run.sh)');
  }
  await p.goto(base + '/login');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await Promise.all([p.waitForURL(base + '/'), p.getByRole('button', { name: 'Sign in' }).click()]);
}

// noHorizontalScroll: nothing sticks out of the viewport (tables scroll
// inside their own box).
export async function noHorizontalScroll(p, width) {
  const sw = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= width, `page is ${sw}px wide at a ${width}px viewport`);
}

// api calls settle's REST API with the demo's admin token and returns the
// parsed JSON (null for an empty body); anything but a 2xx fails the test
// with the status and body.
export async function api(method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}
