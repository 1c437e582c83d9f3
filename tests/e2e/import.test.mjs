// Browser tests of the import page against a running `settle demo` (run.sh
// starts it): upload a CSV with one bad line, see the problem with its
// line and column, upload the corrected file, confirm, see the result.
// Screenshots of the form, both previews and the result at 1280×800 and
// 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, shots, sizes, page, signIn, noHorizontalScroll } from './helpers.mjs';

// customersFile is a customers CSV; bad puts a wrong payment term on line 3.
function customersFile(prefix, bad) {
  return [
    'external_ref,name,email,payment_terms_days',
    `${prefix}-1,Imogen Iles,imogen@example.com,30`,
    `${prefix}-2,Ivo Ingram,ivo@example.com,${bad ? 'thirty' : '30'}`,
    `${prefix}-3,"Iris, Ltd",iris@example.com,14`,
    '',
  ].join('\n');
}

async function upload(p, name, csv) {
  await p.getByLabel('Customers').check();
  await p.getByLabel('CSV file', { exact: true }).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await Promise.all([
    p.waitForURL(/\/import\/stg_[A-Z2-7]{26}$/),
    p.getByRole('button', { name: 'Upload and preview' }).click(),
  ]);
}

for (const size of Object.keys(sizes)) {
  test(`import: a bad line, fixed, confirmed (${size})`, async () => {
    const { p, context, problems } = await page(size);
    const width = sizes[size].width;
    const prefix = `E2E-${size.toUpperCase()}-${Date.now()}`;
    await signIn(p);
    await p.goto(base + '/import');
    await assert.doesNotReject(p.getByRole('heading', { name: 'Import', level: 1 }).waitFor());

    // The chosen kind's columns show, the others' do not.
    await p.getByLabel('Invoices').check();
    assert.ok(await p.locator('.import-cols.for-invoices').isVisible(), 'invoice columns shown for invoices');
    assert.ok(!(await p.locator('.import-cols.for-customers').isVisible()), 'customer columns hidden for invoices');
    await p.getByLabel('Customers').check();
    assert.ok(await p.locator('.import-cols.for-customers').isVisible(), 'customer columns shown for customers');
    await noHorizontalScroll(p, width);
    await p.getByText('Does the file name its columns differently?').click(); // open the mapping, for the picture
    await p.screenshot({ path: path.join(shots, `import-form-${size}.png`), fullPage: true });
    await p.getByText('Does the file name its columns differently?').click();

    // One bad line: the problem with its line and column, no Confirm.
    await upload(p, 'customers-bad.csv', customersFile(prefix, true));
    await assert.doesNotReject(p.getByRole('alert').filter({ hasText: '1 of 3 rows have errors' }).waitFor());
    const row = p.locator('table.import-errors tbody tr');
    assert.equal(await row.count(), 1);
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['3', 'payment_terms_days', '"thirty" is not a whole number of days']);
    assert.equal(await p.getByRole('button', { name: 'Confirm import' }).count(), 0, 'a file with errors cannot be confirmed');
    assert.equal(await p.locator('table.import-sample tr.row-bad').count(), 1, 'the bad line is marked among the rows');
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `import-preview-errors-${size}.png`), fullPage: true });

    // Corrected: ready, three new customers.
    await Promise.all([p.waitForURL(/\/import\?kind=customers/), p.getByRole('link', { name: 'Upload a corrected file' }).click()]);
    await upload(p, 'customers.csv', customersFile(prefix, false));
    await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'No problems found' }).waitFor());
    assert.equal(await p.locator('[data-count="rows"]').innerText(), '3');
    assert.equal(await p.locator('[data-count="inserted"]').innerText(), '3');
    assert.ok(await p.getByRole('cell', { name: 'Iris, Ltd' }).isVisible());
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `import-preview-${size}.png`), fullPage: true });

    // Confirmed: the result, and the way to the customers.
    const preview = p.url();
    await Promise.all([p.waitForURL(preview), p.getByRole('button', { name: 'Confirm import' }).click()]);
    await assert.doesNotReject(p.getByRole('heading', { name: 'Import done', level: 1 }).waitFor());
    assert.equal(await p.locator('[data-count="inserted"]').innerText(), '3');
    assert.ok(await p.getByRole('link', { name: 'See the customers' }).isVisible());
    await noHorizontalScroll(p, width);
    await p.screenshot({ path: path.join(shots, `import-done-${size}.png`), fullPage: true });

    // The import is listed on the page.
    await p.goto(base + '/import');
    await assert.doesNotReject(p.locator('.recent-imports td.file-name', { hasText: 'customers.csv' }).first().waitFor());
    assert.deepEqual(problems, []);
    await context.close();
  });
}
