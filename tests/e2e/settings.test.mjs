// Browser tests of the settings pages against a running `settle demo`
// (run.sh starts it and passes SETTLE_URL, SETTLE_EMAIL, SETTLE_PASSWORD,
// SETTLE_TOKEN). The admin edits a policy with a bad value (the error is
// shown beside the field), fixes it and saves; previews a template in
// another language; creates an API token (its secret shown once).
// Screenshots at 1280×800 and 360×740 go to $SCREENSHOTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.SETTLE_URL;
const email = process.env.SETTLE_EMAIL;
const password = process.env.SETTLE_PASSWORD;
const shots = process.env.SCREENSHOTS || 'screenshots';
if (!base || !email || !password) {
  throw new Error('SETTLE_URL, SETTLE_EMAIL and SETTLE_PASSWORD must be set (run tests/e2e/run.sh)');
}

const sizes = { desktop: { width: 1280, height: 800 }, mobile: { width: 360, height: 740 } };

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
async function page(size) {
  const context = await browser.newContext({ viewport: sizes[size] });
  const p = await context.newPage();
  const problems = [];
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`request off the origin: ${r.url()}`); });
  p.on('response', (r) => { if (r.status() >= 500) problems.push(`${r.status()} for ${r.url()}`); });
  return { p, context, problems };
}

async function signIn(p) {
  await p.goto(base + '/login');
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await Promise.all([p.waitForURL(base + '/'), p.getByRole('button', { name: 'Sign in' }).click()]);
}

// noHorizontalScroll: nothing sticks out of the viewport (tables scroll
// inside their own box).
async function noHorizontalScroll(p, width) {
  const sw = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(sw <= width, `page is ${sw}px wide at a ${width}px viewport`);
}

for (const size of Object.keys(sizes)) {
  const width = sizes[size].width;

  test(`settings: edit a policy (${size})`, async () => {
    const { p, context, problems } = await page(size);
    await signIn(p);
    await p.goto(base + '/settings');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Settings', level: 1 }).waitFor());
    for (const name of ['Policies', 'Templates', 'Users', 'API tokens', 'Webhooks']) {
      await assert.doesNotReject(p.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name, exact: true }).waitFor());
    }
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-${size}.png`), fullPage: true });

    await p.goto(base + '/settings/policies');
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-policies-${size}.png`), fullPage: true });
    await Promise.all([p.waitForURL(/\/settings\/policies\/pol_/), p.getByRole('link', { name: 'small', exact: true }).click()]);

    // A bad value: refused, the error beside the field, the value kept.
    const term = p.getByLabel('Longest plan (months)');
    await term.fill('0');
    await p.getByLabel('Smallest installment').fill('1,25.00');
    await p.getByRole('button', { name: 'Save policy' }).click();
    await assert.doesNotReject(p.getByRole('alert').filter({ hasText: 'The policy was not saved' }).waitFor());
    assert.equal(await term.getAttribute('aria-invalid'), 'true');
    assert.match(await p.locator('#pf-max_term_months-error').innerText(), /must be between 1 and 120/);
    assert.equal(await term.getAttribute('aria-describedby'), 'pf-max_term_months-hint pf-max_term_months-error');
    assert.match(await p.locator('#pf-min_installment-error').innerText(), /1,250\.00/);
    assert.equal(await term.inputValue(), '0');
    await noHorizontalScroll(p, width);
    await p.locator('#pf-max_term_months-error').scrollIntoViewIfNeeded();
    await p.screenshot({ path: path.join(shots, `settings-policy-error-${size}.png`) });

    // Fixed: saved.
    await term.fill('30');
    await p.getByLabel('Smallest installment').fill('1,250.00');
    await Promise.all([p.waitForURL(/\?saved=1$/), p.getByRole('button', { name: 'Save policy' }).click()]);
    await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Policy saved' }).waitFor());
    assert.equal(await p.getByLabel('Longest plan (months)').inputValue(), '30');
    assert.equal(await p.getByLabel('Smallest installment').inputValue(), '1,250.00');
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-policy-${size}.png`), fullPage: true });
    assert.deepEqual(problems.filter((m) => !m.includes('422')), []);
    await context.close();
  });

  test(`settings: preview a template in another language (${size})`, async () => {
    const { p, context, problems } = await page(size);
    await signIn(p);
    await p.goto(base + '/settings/templates?step=firm&tone=direct&locale=en&channel=email');
    const subject = p.locator('.message-subject');
    const english = await subject.innerText();
    // htmx swaps the preview on change; the address follows.
    await p.getByLabel('Language').selectOption('de');
    await p.waitForURL(/locale=de/);
    await assert.doesNotReject(p.locator('.message-text').filter({ hasText: 'Guten Tag' }).waitFor());
    assert.notEqual(await subject.innerText(), english);
    // The HTML part, sandboxed in its frame, is the German email.
    const frame = p.frameLocator('iframe.message-html');
    await assert.doesNotReject(frame.locator('html[lang="de"]').waitFor());
    assert.equal(await p.locator('iframe.message-html').getAttribute('sandbox'), '');
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-templates-${size}.png`), fullPage: true });
    // Full-page captures leave a frame below the fold blank: the frame itself, in view.
    await p.locator('iframe.message-html').scrollIntoViewIfNeeded();
    await p.locator('iframe.message-html').screenshot({ path: path.join(shots, `settings-templates-frame-${size}.png`) });

    // A letter: a PDF link.
    await p.getByLabel('Channel').selectOption('letter');
    const pdf = p.getByRole('link', { name: 'Open the letter (PDF)' });
    await assert.doesNotReject(pdf.waitFor());
    const res = await p.request.get(base + (await pdf.getAttribute('href')));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.deepEqual(problems, []);
    await context.close();
  });

  test(`settings: create an API token, shown once (${size})`, async () => {
    const { p, context, problems } = await page(size);
    await signIn(p);
    await p.goto(base + '/settings/tokens');
    const name = `e2e ${size}`;
    await p.getByLabel('Name').fill(name);
    await p.getByLabel('Role').selectOption('viewer');
    await p.getByRole('button', { name: 'Create token' }).click();
    await assert.doesNotReject(p.getByRole('heading', { name: `Token “${name}” created` }).waitFor());
    const secret = await p.getByLabel('Token (Viewer)').inputValue();
    assert.match(secret, /^stl_[a-z2-7]{32}$/);
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-token-${size}.png`), fullPage: true });

    // It works against the API …
    const api = await p.request.get(base + '/v1/customers?limit=1', { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(api.status(), 200);
    // … and is never shown again.
    await p.goto(base + '/settings/tokens');
    assert.ok(!(await p.content()).includes(secret), 'the tokens page shows the secret again');
    await assert.doesNotReject(p.getByRole('row').filter({ hasText: name }).waitFor());
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `settings-tokens-${size}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
}
