// Browser tests of the customer and plan pages against a running `settle
// demo` (run.sh starts it). An agent goes from the dashboard to the
// worklist, opens a task's customer, negotiates (a counter-offer, first
// refused for a bad field, then answered by the engine), accepts the
// offer and downloads the plan's agreement PDF. Screenshots at 1280×800
// and 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';

import { base, shots, sizes, page as openPage, signIn, noHorizontalScroll } from './helpers.mjs';

// Pages here may download the agreement PDF.
const page = (size) => openPage(size, { acceptDownloads: true });

// The collections run of today fills the worklist (the demo starts with
// the run off); a second run of the same date is the same run.
async function runToday() {
  const run = await fetch(base + '/v1/runs', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + process.env.SETTLE_TOKEN, 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.ok(run.ok, `POST /v1/runs: ${run.status}`);
}

test('worklist → customer → counter-offer → accept → agreement PDF', async () => {
  await runToday();
  const { p, context, problems } = await page('desktop');
  await signIn(p);
  await assert.doesNotReject(p.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor());
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Worklist' }).click();
  await assert.doesNotReject(p.getByRole('heading', { name: 'Worklist', level: 1 }).waitFor());

  // The first task's customer.
  const link = p.locator('li.task').first().locator('.task-title a');
  const name = (await link.textContent()).replace(/ \([^)]*\)$/, '');
  await link.click();
  await assert.doesNotReject(p.getByRole('heading', { name, level: 1 }).waitFor());
  assert.match(new URL(p.url()).pathname, /^\/customers\/cus_/);
  for (const h of ['Position', 'What is open', 'Conversation guide', 'Negotiation', 'Record a call or note', 'Budget', 'History']) {
    await assert.doesNotReject(p.getByRole('heading', { name: h, level: 2 }).waitFor(), h);
  }
  assert.equal(await p.locator('ol.guide > li').count(), 7, 'the seven steps of the call');
  await noHorizontalScroll(p, 1280);
  await p.screenshot({ path: path.join(shots, 'customer-desktop.png'), fullPage: true });

  // Open a negotiation: the engine's offer and its alternatives.
  const panel = p.locator('#negotiate');
  await panel.getByRole('button', { name: 'Open a negotiation' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Negotiation opened' }).waitFor());
  await assert.doesNotReject(panel.getByRole('heading', { name: 'Opening offer' }).waitFor());
  const opening = await panel.locator('[data-offer]').textContent();
  assert.match(opening, /installment|lump sum/);

  // A counter-offer with a bad field: refused beside it, nothing sent.
  await panel.getByLabel('Number of installments').fill('six');
  await panel.getByRole('button', { name: 'Send the counter-offer' }).click();
  const count = p.locator('#negotiate').getByLabel('Number of installments');
  await assert.doesNotReject(p.locator('#co-count-error').waitFor());
  assert.equal(await count.getAttribute('aria-invalid'), 'true');
  assert.equal(await count.getAttribute('aria-describedby'), 'co-count-error');
  assert.equal(await count.inputValue(), 'six', 'what was typed is kept');

  // The customer's counter-offer: a smaller installment over more months.
  await count.fill('');
  await p.locator('#negotiate').getByLabel('Installment amount').fill('25.00');
  await p.locator('#negotiate').getByLabel('Frequency').selectOption('monthly');
  await p.locator('#negotiate').getByRole('button', { name: 'Send the counter-offer' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'The counter-offer was answered' }).waitFor());
  const decision = await p.locator('#negotiate .response h3').textContent();
  assert.match(decision, /^(Accepted|Countered|Refused)/, `the engine's answer is said plainly: ${decision}`);
  assert.match(await p.locator('#negotiate .neg-status').textContent(), /Round 1/);
  await p.locator('#negotiate').screenshot({ path: path.join(shots, 'negotiation-desktop.png') });

  // Accept the standing offer → the proposed plan's page.
  await Promise.all([p.waitForURL(/\/plans\/pln_[A-Za-z0-9]+\?done=proposed$/), p.getByRole('button', { name: 'Accept this offer → plan' }).click()]);
  await assert.doesNotReject(p.getByRole('heading', { name: /^Payment plan/, level: 1 }).waitFor());
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Plan proposed' }).waitFor());
  assert.equal(await p.locator('[data-status]').textContent(), 'proposed');
  assert.ok(await p.locator('table.schedule tbody tr').count() >= 1, 'the schedule');
  await noHorizontalScroll(p, 1280);
  await p.screenshot({ path: path.join(shots, 'plan-desktop.png'), fullPage: true });

  // The agreement downloads as a PDF.
  const [download] = await Promise.all([
    p.waitForEvent('download'),
    p.getByRole('link', { name: 'Download the agreement (PDF)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^agreement-pln_[A-Za-z0-9]+\.pdf$/);
  const file = await download.path();
  const head = (await fs.readFile(file)).subarray(0, 5).toString();
  assert.equal(head, '%PDF-');
  assert.ok((await fs.stat(file)).size > 1000, 'a real document');

  assert.deepEqual(problems.filter((m) => !m.includes('422')), [], 'no console errors, no requests off the origin');
  await context.close();
});

for (const size of Object.keys(sizes)) {
  test(`customers, a customer and plans (${size})`, async () => {
    const { p, context, problems } = await page(size);
    const width = sizes[size].width;
    await signIn(p);
    await p.goto(base + '/customers');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Customers', level: 1 }).waitFor());
    await p.getByLabel('Search by name or reference').fill('harbor');
    await p.getByRole('button', { name: 'Search' }).click();
    await p.waitForURL(/q=harbor/);
    assert.equal(await p.locator('table.customers tbody tr').count(), 1, 'the search narrows the list');
    await p.goto(base + '/customers');
    assert.equal(await p.locator('table.customers tbody tr').count(), 40);
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `customers-${size}.png`), fullPage: true });

    await p.getByRole('link', { name: 'Harbor Freight Logistics LLC' }).click();
    await assert.doesNotReject(p.getByRole('heading', { name: 'Harbor Freight Logistics LLC', level: 1 }).waitFor());
    assert.match(await p.locator('[data-balance="USD"]').textContent(), /^USD\s[0-9,]+\.\d\d$/);
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `customer-key-account-${size}.png`), fullPage: false });

    // The budget form opens and every input has its label.
    await p.getByText('Enter the budget').click();
    await assert.doesNotReject(p.getByRole('region', { name: 'Budget' }).getByLabel('Currency', { exact: true }).waitFor());
    const unlabelled = await p.evaluate(() => [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.closest('label') && !el.getAttribute('aria-labelledby')).map((el) => el.name));
    assert.deepEqual(unlabelled, [], 'every input has a label');
    await noHorizontalScroll(p, width);

    await p.goto(base + '/plans?status=active');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Payment plans', level: 1 }).waitFor());
    assert.equal(await p.getByRole('link', { name: 'Active' }).getAttribute('aria-current'), 'page');
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `plans-${size}.png`), fullPage: true });
    await p.locator('table.data tbody tr th a').first().click();
    await assert.doesNotReject(p.getByRole('heading', { name: 'Schedule', level: 2 }).waitFor());
    // Each installment has its status as of today (the demo's plans start after it: all due).
    const statuses = await p.locator('table.schedule tbody td .st').allTextContents();
    assert.ok(statuses.length >= 2, 'a schedule');
    for (const st of statuses) assert.ok(['paid', 'part paid', 'due', 'late', 'missed'].includes(st), `status ${st}`);
    await assert.doesNotReject(p.getByRole('heading', { name: 'Payments counted', level: 2 }).waitFor());
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `plan-active-${size}.png`), fullPage: true });
    assert.deepEqual(problems, []);
    await context.close();
  });
}
