// Browser tests of the staff UI against a running `settle demo` (run.sh
// starts it and passes SETTLE_URL, SETTLE_EMAIL, SETTLE_PASSWORD). Chromium
// is Debian's, driven by playwright-core. Screenshots of the sign-in page
// and the dashboard at 1280×800 and 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, email, password, shots, sizes, page, signIn, noHorizontalScroll } from './helpers.mjs';

for (const size of Object.keys(sizes)) {
  test(`sign-in page (${size})`, async () => {
    const { p, context, problems } = await page(size);
    await p.goto(base + '/');
    assert.equal(new URL(p.url()).pathname, '/login', 'anonymous visitors are sent to the sign-in page');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor());
    // Styled: the stylesheet loaded and applies.
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(245, 247, 250)');
    await noHorizontalScroll(p, sizes[size].width);
    await p.screenshot({ path: path.join(shots, `login-${size}.png`), fullPage: true });

    // A wrong password is answered next to the form, and the email is kept.
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill('not the password at all');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await assert.doesNotReject(p.getByRole('alert').filter({ hasText: 'Email or password is wrong.' }).waitFor());
    assert.equal(await p.getByLabel('Email').inputValue(), email);
    assert.equal(await p.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(problems.filter((m) => !m.includes('422')), []);
    await context.close();
  });

  test(`dashboard (${size})`, async () => {
    const { p, context, problems } = await page(size);
    await signIn(p);
    await assert.doesNotReject(p.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor());

    // The charts are there, drawn, with accessible names.
    const aging = p.locator('svg.stack');
    assert.equal(await aging.count(), 4, 'one aging bar per currency (USD, EUR, GBP, JPY)');
    assert.match(await aging.first().getAttribute('aria-label'), /^Aging of EUR receivables, total EUR/);
    assert.ok(await p.locator('svg.stack rect.seg').count() >= 4 * 2, 'aging bars have segments');
    const forecast = p.locator('svg.columns');
    assert.ok(await forecast.count() >= 1, 'a cash forecast chart');
    assert.ok(await p.locator('svg.columns rect.fc-plan').count() >= 1, 'plan installments in the forecast');
    assert.equal(await p.locator('svg.spark').count(), 4 * 4, 'a trend line per KPI and currency');
    for (const h of ['Receivables', 'Aging', 'Collection performance', 'Payment plans', 'Today’s work', 'Cash forecast']) {
      await assert.doesNotReject(p.getByRole('heading', { name: h, level: 2 }).waitFor(), h);
    }
    // Charts have size: the SVG is laid out, not collapsed.
    const box = await aging.first().boundingBox();
    assert.ok(box.width > 150 && box.height >= 20, `aging bar box ${JSON.stringify(box)}`);
    // The demo's three plans.
    assert.equal(await p.locator('.stat dt:text-is("Active") + dd').textContent(), '3');

    await noHorizontalScroll(p, sizes[size].width);
    await p.screenshot({ path: path.join(shots, `dashboard-${size}.png`), fullPage: true });
    assert.deepEqual(problems, [], 'no console errors (CSP violations show there), no requests off the origin');
    await context.close();
  });
}

test('navigation collapses on a phone and opens with the menu button', async () => {
  const { p, context, problems } = await page('mobile');
  await signIn(p);
  const nav = p.getByRole('navigation', { name: 'Main' });
  const menu = p.getByRole('button', { name: 'Menu' });
  assert.equal(await nav.isVisible(), false, 'collapsed at 360px');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await assert.doesNotReject(nav.getByRole('link', { name: 'Worklist' }).waitFor());
  await p.screenshot({ path: path.join(shots, 'menu-mobile.png') });
  await p.keyboard.press('Escape');
  assert.equal(await nav.isVisible(), false, 'Escape closes it');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the as-of date reloads only the dashboard (htmx), keyboard first', async () => {
  const { p, context, problems } = await page('desktop');
  await signIn(p);
  // The skip link is the first stop and moves to <main>.
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement.textContent), 'Skip to main content');
  await p.evaluate(() => { window.__sameDocument = true; });
  await p.getByLabel('As of').fill('2026-09-30');
  const [res] = await Promise.all([
    p.waitForResponse((r) => r.url().includes('as_of=2026-09-30') && r.request().headers()['hx-request'] === 'true'),
    p.getByRole('button', { name: 'Show' }).click(),
  ]);
  // htmx carries the session's CSRF token (hx-headers on <body>).
  const token = await p.evaluate(() => document.body.dataset.csrfToken);
  assert.ok(token && token.length === 43);
  assert.equal(res.request().headers()['x-csrf-token'], token);
  await assert.doesNotReject(p.locator('#dashboard .asof-note', { hasText: '30 Sep 2026' }).waitFor());
  assert.equal(await p.evaluate(() => window.__sameDocument), true, 'no full page load');
  assert.match(p.url(), /as_of=2026-09-30/, 'the URL follows');
  assert.equal(await p.locator('svg.stack').count(), 4);
  assert.deepEqual(problems, []);
  await context.close();
});

// The worklist: today's collections run fills the queues; an agent claims
// the first call and completes it with an outcome, on a phone and a desk.
test('worklist: claim and complete', async () => {
  const run = await fetch(base + '/v1/runs', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + process.env.SETTLE_TOKEN, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.ok(run.ok, `POST /v1/runs: ${run.status}`);
  for (const size of Object.keys(sizes)) {
    const { p, context, problems } = await page(size);
    await signIn(p);
    await p.goto(base + '/worklist');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Worklist', level: 1 }).waitFor());
    await noHorizontalScroll(p, sizes[size].width);
    await p.screenshot({ path: path.join(shots, `worklist-${size}.png`), fullPage: true });
    if (size === 'desktop') {
      const first = p.locator('li.task').first();
      const id = await first.getAttribute('id');
      await first.getByRole('button', { name: 'Claim' }).click();
      await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Task claimed' }).waitFor());
      const task = p.locator('#' + id);
      await task.getByText('Complete with an outcome').click();
      await task.getByLabel('Outcome').selectOption('no_answer');
      await task.getByLabel('Note').fill('Rang twice, voicemail full');
      await task.getByRole('button', { name: 'Complete' }).click();
      await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Task completed' }).waitFor());
      assert.equal(await p.locator('#' + id).count(), 0, 'a done task leaves the worklist');
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('navigation and sign-out', async () => {
  const { p, context, problems } = await page('desktop');
  await signIn(p);
  await p.getByRole('link', { name: 'Customers' }).click();
  await assert.doesNotReject(p.getByRole('heading', { level: 1, name: 'Customers' }).waitFor());
  assert.equal(await p.getByRole('link', { name: 'Customers' }).getAttribute('aria-current'), 'page');
  await Promise.all([p.waitForURL(base + '/login'), p.getByRole('button', { name: 'Sign out' }).click()]);
  await p.goto(base + '/');
  assert.equal(new URL(p.url()).pathname, '/login', 'signed out');
  assert.deepEqual(problems, []);
  await context.close();
});
