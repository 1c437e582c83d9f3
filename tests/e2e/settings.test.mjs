// Browser tests of the settings pages against a running `settle demo`
// (run.sh starts it and passes SETTLE_URL, SETTLE_EMAIL, SETTLE_PASSWORD,
// SETTLE_TOKEN). The admin edits a policy with a bad value (the error is
// shown beside the field), fixes it and saves; previews a template in
// another language; creates an API token (its secret shown once).
// Screenshots at 1280×800 and 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, shots, sizes, page, signIn, noHorizontalScroll } from './helpers.mjs';

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
