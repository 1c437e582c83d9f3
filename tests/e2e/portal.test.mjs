// Browser tests of the customer portal against a running `settle demo`
// (run.sh starts it and passes SETTLE_URL and SETTLE_TOKEN). A link comes
// from the API (POST /v1/customers/{id}/portal-link); the customer opens
// it, starts a payment plan, proposes their own terms (accepted at once),
// accepts the agreement with their typed name and sees the schedule. A
// link cannot reach another customer's objects. Screenshots at 1280×800
// and 360×740 go to $SCREENSHOTS.
//
// The plan accepted here is cancelled at the end (through the API), so
// that the demo's figures other test files check are as they were.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, token, shots, sizes, page, noHorizontalScroll, api } from './helpers.mjs';

if (!token) {
  throw new Error('SETTLE_TOKEN must be set (run tests/e2e/run.sh)');
}

// What the tests made through the API, undone at the end (other test
// files count the demo's plans).
const cleanup = [];
after(async () => {
  for (const fn of cleanup) await fn();
});

// portalPath asks the API for a link and keeps its path: the link's host
// is SETTLE_PUBLIC_URL or SETTLE_ADDR, which the demo on a random port
// does not set.
async function portalPath(customerID) {
  const link = await api('POST', `/v1/customers/${customerID}/portal-link`, { ttl_hours: 2 });
  assert.match(link.url, /\/portal\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  assert.ok(Date.parse(link.expires_at) > Date.now());
  return new URL(link.url).pathname;
}

// The demo's customers with open invoices, and one whose portal offers a
// plan (something open outside a plan, undisputed, in one currency).
async function customers() {
  const list = await api('GET', '/v1/customers?limit=500');
  return list.data;
}

test('portal: open the link, propose a plan, accept it, see the schedule', async () => {
  const all = await customers();
  let chosen = null;
  const { p, context, problems } = await page('mobile');
  for (const c of all) {
    const pth = await portalPath(c.id);
    await p.goto(base + pth);
    if (await p.locator(`form[action="${pth}/plan"] button`).count() === 1) {
      chosen = { c, pth };
      break;
    }
  }
  assert.ok(chosen, 'a demo customer with something to put in a plan');
  const { c, pth } = chosen;

  // Home: the customer's language, what is owed and why, no staff navigation.
  const lang = await p.getAttribute('html', 'lang');
  assert.ok(['en', 'de', 'fr'].includes(lang), `lang ${lang}`);
  await assert.doesNotReject(p.locator('h1', { hasText: c.name }).waitFor());
  assert.ok(await p.locator('.p-invoice').count() >= 1, 'the open invoices are listed');
  assert.equal(await p.locator('nav#site-nav').count(), 0, 'no staff navigation');
  assert.equal(await p.locator('script').count(), 0, 'no script at all');
  const bg = await p.evaluate(() => getComputedStyle(document.querySelector('.portal-header')).backgroundColor);
  assert.equal(bg, 'rgb(20, 32, 46)', 'the portal is styled');
  // Large touch targets: every button is at least 44 px high.
  for (const h of await p.locator('.btn').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))) {
    assert.ok(h >= 44, `a button ${h}px high`);
  }
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'portal-home-mobile.png'), fullPage: true });

  // Start a plan: the engine's offer, alternatives and the proposal form.
  await Promise.all([p.waitForURL(/\/plan\/neg_/), p.locator(`form[action="${pth}/plan"] button`).click()]);
  const offer = p.locator('.p-offer');
  await assert.doesNotReject(offer.waitFor());
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'portal-plan-mobile.png'), fullPage: true });

  // An amount that is no amount: the error sits beside the field.
  await p.locator('#installment_amount').fill('abc');
  await p.locator('form[action$="/counter"] button[type="submit"]').click();
  await assert.doesNotReject(p.locator('#installment_amount-error').waitFor());
  assert.equal(await p.locator('#installment_amount').getAttribute('aria-invalid'), 'true');
  assert.equal(await p.locator('#installment_amount').getAttribute('aria-describedby'), 'installment_amount-hint installment_amount-error');
  // Digits inside something else are not an amount either: "1e3" was once
  // stored as 13.00. Refused beside the field, in the customer's language.
  await p.locator('#installment_amount').fill('1e3');
  await p.locator('form[action$="/counter"] button[type="submit"]').click();
  await assert.doesNotReject(p.locator('#installment_amount-error').waitFor());
  assert.equal(await p.locator('#installment_amount').inputValue(), '1e3', 'what the customer typed stays in the field');
  await p.screenshot({ path: path.join(shots, 'portal-amount-error-mobile.png'), fullPage: true });

  // Propose: as many payments as the offer has, from a date of our own
  // (next week's). Inside the limits: accepted at once, the agreement shows.
  const rows = await p.locator('.p-offer table tbody tr').count();
  const first = new Date(Date.now() + 8 * 86400e3).toISOString().slice(0, 10);
  await p.locator('#installment_amount').fill('');
  await p.locator('#installments').fill(String(rows));
  await p.locator('#frequency').selectOption('monthly');
  await p.locator('#start_date').fill(first);
  await Promise.all([p.waitForURL(/\/agreement\/pln_/), p.locator('form[action$="/counter"] button[type="submit"]').click()]);
  const planID = p.url().split('/').pop();
  cleanup.push(() => api('POST', `/v1/plans/${planID}/cancel`, { reason: 'e2e test clean-up' }));
  assert.equal(await p.locator('.p-schedule tbody tr').count(), rows, 'the agreement lists every payment');
  const plan = await api('GET', `/v1/plans/${planID}`);
  assert.equal(plan.status, 'proposed');
  assert.equal(plan.installments[0].due_date, first, 'the plan starts on the date the customer proposed');
  const pdf = await p.request.get(base + pth + `/agreement/${planID}/pdf`);
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'portal-agreement-mobile.png'), fullPage: true });

  // Accept with the typed name: home shows the plan's schedule.
  await p.locator('#accepted_by').fill(c.name);
  await Promise.all([p.waitForURL(/done=accepted/), p.locator(`form[action="${pth}/agreement/${planID}"] button`).click()]);
  await assert.doesNotReject(p.getByRole('status').waitFor());
  assert.equal(await p.locator('.p-schedule tbody tr').count(), rows, 'the schedule is on the home page');
  const accepted = await api('GET', `/v1/plans/${planID}`);
  assert.equal(accepted.status, 'active');
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'portal-accepted-mobile.png'), fullPage: true });
  assert.deepEqual(problems.filter((m) => !m.includes('422')), [], 'nothing but the deliberate 422');
  await context.close();

  // The same portal on a desk.
  const d = await page('desktop');
  await d.p.goto(base + pth);
  await assert.doesNotReject(d.p.locator('.p-schedule').first().waitFor());
  await noHorizontalScroll(d.p, 1280);
  await d.p.screenshot({ path: path.join(shots, 'portal-home-desktop.png'), fullPage: true });
  await d.p.goto(base + pth + '/contact');
  await d.p.screenshot({ path: path.join(shots, 'portal-contact-desktop.png'), fullPage: true });
  assert.deepEqual(d.problems, []);
  await d.context.close();
});

test('portal: a link cannot reach another customer, and a bad link shows nothing', async () => {
  const all = await customers();
  const [a, b] = all;
  const invB = (await api('GET', `/v1/invoices?customer_id=${b.id}&limit=1`)).data[0];
  assert.ok(invB, 'B has an invoice');
  const pthA = await portalPath(a.id);
  const { p, context } = await page('mobile');
  const own = await p.request.get(base + pthA);
  assert.equal(own.status(), 200);
  for (const other of [`/invoices/${invB.id}/pdf`, `/invoices/${invB.number}/pdf`]) {
    const res = await p.request.get(base + pthA + other);
    assert.equal(res.status(), 404, `A's link on B's ${other}`);
    assert.ok(!(await res.text()).includes(b.name), 'no trace of B');
  }
  // A tampered link: a plain page, no data, 403.
  const tampered = pthA.slice(0, -3) + (pthA.endsWith('AAA') ? 'BBB' : 'AAA');
  const res = await p.goto(base + tampered);
  assert.equal(res.status(), 403);
  assert.equal(res.headers()['referrer-policy'], 'no-referrer');
  assert.ok(!(await p.content()).includes(a.name), 'a refused link shows no name');
  await p.screenshot({ path: path.join(shots, 'portal-refused-mobile.png'), fullPage: true });
  await context.close();
});
