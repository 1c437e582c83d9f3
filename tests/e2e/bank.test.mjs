// Browser tests of the bank page against a running `settle demo` (run.sh
// starts it): a statement's unmatched lines wait for review; a person
// assigns or ignores them. Screenshots at 1280×800 and 360×740.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, shots, sizes, page, signIn, noHorizontalScroll } from './helpers.mjs';

// A statement of two incoming lines that match nothing (an amount no
// invoice has; a reference no one has) and one outgoing line: the two wait
// for review; an empty assignment is refused beside its field; one line is
// ignored with a reason, the other becomes the customer's payment.
for (const size of Object.keys(sizes)) {
  test(`bank statement → review → assign and ignore (${size})`, async () => {
    const { p, context, problems } = await page(size);
    const width = sizes[size].width;
    await signIn(p);
    await p.goto(base + '/bank');
    await assert.doesNotReject(p.getByRole('heading', { level: 1, name: 'Bank transfers' }).waitFor());
    const id = `E2E-${size}-${Date.now()}`;
    const csv = 'date,amount,currency,reference,payer_name,bank_id\n'
      + `2026-11-20,1.23,USD,C-1014 thanks,M Johnson,${id}-1\n`
      + `2026-11-20,55.00,USD,NO SUCH REF,Unknown Payer,${id}-2\n`
      + `2026-11-20,-20.00,USD,FEE,Bank,${id}-3\n`;
    await p.getByLabel('Statement (CSV)').setInputFiles({ name: 'statement.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await p.getByRole('button', { name: 'Import' }).click();
    await assert.doesNotReject(p.getByRole('status').waitFor());
    const review = p.locator('#review');
    const lineA = review.locator('article.bank-line').filter({ hasText: `${id}-1` }).or(review.locator('article.bank-line').filter({ hasText: 'C-1014 thanks' })).first();
    const lineB = review.locator('article.bank-line').filter({ hasText: 'NO SUCH REF' }).first();
    await assert.doesNotReject(lineA.waitFor());
    await assert.doesNotReject(lineB.waitFor());
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `bank-review-${size}.png`), fullPage: true });

    // Assign with no customer: the error is beside the field.
    await lineA.getByLabel('Customer (reference or id)').fill('');
    await lineA.getByRole('button', { name: 'Make it their payment' }).click();
    const err = p.locator('article.bank-line').filter({ hasText: 'C-1014 thanks' }).locator('.field-error').first();
    await assert.doesNotReject(err.waitFor());
    await p.screenshot({ path: path.join(shots, `bank-error-${size}.png`), fullPage: false });

    // Ignore the stranger's line, assign the other to C-1014.
    const b2 = p.locator('#review article.bank-line').filter({ hasText: 'NO SUCH REF' }).first();
    await b2.getByLabel('Not a customer’s payment because').fill('a refund from a supplier');
    await b2.getByRole('button', { name: 'Ignore' }).click();
    await assert.doesNotReject(p.getByRole('status').waitFor());
    assert.equal(await p.locator('#review article.bank-line').filter({ hasText: 'NO SUCH REF' }).count(), 0, 'the ignored line left the review');
    const a2 = p.locator('#review article.bank-line').filter({ hasText: 'C-1014 thanks' }).first();
    await a2.getByLabel('Customer (reference or id)').fill('C-1014');
    await a2.getByRole('button', { name: 'Make it their payment' }).click();
    await assert.doesNotReject(p.getByRole('status').waitFor());
    assert.equal(await p.locator('#review article.bank-line').filter({ hasText: 'C-1014 thanks' }).count(), 0, 'the assigned line left the review');
    await noHorizontalScroll(p, width);
    // The refused assignment answered 422 on purpose; nothing else may fail.
    assert.deepEqual(problems.filter((x) => !x.includes('status of 422')), []);
    await context.close();
  });
}
