// Browser tests of the outbox against a running `settle demo` (run.sh
// starts it). Through the API the test makes a segment whose policy says
// approve_before_sending and one whose ladder sends a letter, customers
// in each, and runs tomorrow's collections (today's ran when the demo
// started; tomorrow's is the run the scheduler would do next). Then, in the
// browser: the messages wait for approval; two are approved in bulk; the
// third is held, then skipped (first without a reason: refused beside the
// field); the day's print batch downloads as one PDF whose text
// (pdftotext) shows both letters; the letters are marked posted.
// Screenshots at 1280×800 and 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { base, token, shots, page, signIn, noHorizontalScroll, api } from './helpers.mjs';

const stamp = Date.now().toString(36);
const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
const today = day(0); // the demo's date: the server's today (UTC)
const runDate = day(1);
const printDate = day(8); // letters released by then (a weekend moves a letter to Monday)
const approveSeg = `e2e-approve-${stamp}`;
const letterSeg = `e2e-letter-${stamp}`;
const approveNames = ['A', 'B', 'C'].map((x) => `Outbox ${x} ${stamp}`);
const letterNames = ['L1', 'L2'].map((x) => `Letter ${x} ${stamp}`);

async function seed() {
  await api('POST', '/v1/policies', { segment: approveSeg, approve_before_sending: true });
  await api('POST', '/v1/policies', {
    segment: letterSeg,
    ladder: { installment_reminder_days: 3, steps: [{ name: 'reminder', offset_days: 1, channels: ['letter'], tier: 0 }] },
  });
  const make = async (name, segment, due) => {
    const ref = name.replace(/ /g, '-');
    await api('POST', '/v1/customers', { external_ref: ref, name, email: `${ref.toLowerCase()}@example.com`, kind: 'business', jurisdiction: 'GB', time_zone: 'Europe/London', segment,
      address: { lines: ['1 Test Street'], postal_code: 'EC1A 1BB', city: 'London', country: 'GB' } });
    await api('POST', '/v1/invoices', { number: `INV-${ref}`, customer_id: ref, issue_date: day(-30), due_date: due, currency: 'GBP', amount: '250.00' });
  };
  for (const n of approveNames) await make(n, approveSeg, runDate); // due on the run's day: a due_today email each
  for (const n of letterNames) await make(n, letterSeg, today); // one day late on the run's day: a letter each
  const run = await api('POST', '/v1/runs', { as_of: runDate });
  assert.ok(run.created.messages >= 5, `the run created ${JSON.stringify(run.created)}`);
}

test('outbox: approve in bulk, hold, skip, print batch, mark posted', async () => {
  await seed();
  const { p, context, problems } = await page('desktop', { acceptDownloads: true });
  await signIn(p);
  await p.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Outbox' }).click();
  await assert.doesNotReject(p.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor());
  await p.getByRole('navigation', { name: 'States' }).getByRole('link', { name: 'Awaiting approval' }).click();
  const item = (name) => p.locator('li.task').filter({ hasText: name });
  for (const n of approveNames) {
    await assert.doesNotReject(item(n).waitFor(), n);
    assert.match(await item(n).locator('.preview-body').textContent(), /250\.00/, 'the preview states the amount');
  }
  await noHorizontalScroll(p, 1280);
  await p.screenshot({ path: path.join(shots, 'outbox-approval-desktop.png'), fullPage: true });

  // Bulk: select A and B, approve the selection.
  await item(approveNames[0]).getByRole('checkbox', { name: 'Select for approval' }).check();
  await item(approveNames[1]).getByRole('checkbox', { name: 'Select for approval' }).check();
  await p.getByRole('button', { name: 'Approve selected' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Approved' }).waitFor());
  assert.equal(await item(approveNames[0]).count(), 0, 'A left the approval list');
  assert.equal(await item(approveNames[1]).count(), 0, 'B left the approval list');

  // Hold C: it shows held.
  await item(approveNames[2]).getByRole('button', { name: 'Hold' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Held' }).waitFor());
  await p.getByRole('navigation', { name: 'States' }).getByRole('link', { name: 'Held' }).click();
  await assert.doesNotReject(item(approveNames[2]).getByText('Held by').waitFor());

  // Skip C: without a reason, refused beside the field; then with one.
  const c = item(approveNames[2]);
  await c.getByText('Skip', { exact: true }).click();
  await c.getByRole('button', { name: 'Skip this message' }).click();
  await assert.doesNotReject(item(approveNames[2]).locator('.field-error').waitFor());
  assert.equal(await item(approveNames[2]).getByLabel('Why is it skipped?').getAttribute('aria-invalid'), 'true');
  await p.screenshot({ path: path.join(shots, 'outbox-skip-error-desktop.png'), fullPage: false });
  await item(approveNames[2]).getByLabel('Why is it skipped?').fill('paid by cheque at the counter');
  await item(approveNames[2]).getByRole('button', { name: 'Skip this message' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Skipped' }).waitFor());
  const skipped = await api('GET', `/v1/messages?customer_id=${approveNames[2].replace(/ /g, '-')}&status=withdrawn`);
  assert.equal(skipped.data.length, 1);
  assert.match(skipped.data[0].withdrawn_reason, /^skipped by user:.*: paid by cheque at the counter$/);

  // The print batch of the coming week: one PDF with our two letters (the
  // demo's own letters released by then are in it too).
  const panel = p.locator('#print');
  await panel.getByLabel('Date').fill(printDate);
  await panel.getByRole('button', { name: 'Show letters' }).click();
  const ours = p.locator('#print li').filter({ hasText: stamp });
  await assert.doesNotReject(ours.first().waitFor());
  assert.equal(await ours.count(), 2, 'our two letters are released for the week');
  const [download] = await Promise.all([
    p.waitForEvent('download'),
    p.locator('#print').getByRole('button', { name: 'Download the print batch (PDF)' }).click(),
  ]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'settle-e2e-print-'));
  const file = path.join(dir, 'batch.pdf');
  await download.saveAs(file);
  const pages = execFileSync('pdftotext', ['-layout', file, '-']).toString().split('\f');
  for (const n of letterNames) {
    assert.equal(pages.filter((pg) => pg.includes(n)).length, 1, `the print batch has one page for ${n}`);
  }
  await fs.rm(dir, { recursive: true, force: true });

  // Mark ours posted (the others unchecked): they leave the list and show as sent.
  await p.goto(base + `/outbox?date=${printDate}#print`);
  const boxes = p.locator('#print li').filter({ hasNotText: stamp }).getByRole('checkbox');
  for (let i = 0; i < await boxes.count(); i++) await boxes.nth(i).uncheck();
  await p.locator('#print').getByRole('button', { name: 'Mark the checked letters posted' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Marked posted' }).waitFor());
  assert.equal(await p.locator('#print li').filter({ hasText: stamp }).count(), 0, 'our letters left the list');
  for (const n of letterNames) {
    const sent = await api('GET', `/v1/messages?customer_id=${n.replace(/ /g, '-')}&status=sent`);
    assert.equal(sent.data.length, 1, `${n}'s letter is sent (posted)`);
    assert.equal(sent.data[0].channel, 'letter');
  }
  await p.screenshot({ path: path.join(shots, 'outbox-posted-desktop.png'), fullPage: true });
  // The refused skip answered 422 on purpose; nothing else may fail.
  assert.deepEqual(problems.filter((x) => !x.includes('status of 422')), []);
  await context.close();
});

test('outbox at phone width', async () => {
  const { p, context, problems } = await page('mobile');
  await signIn(p);
  await p.goto(base + '/outbox?state=held');
  await assert.doesNotReject(p.getByRole('heading', { name: 'Outbox', level: 1 }).waitFor());
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'outbox-mobile.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
