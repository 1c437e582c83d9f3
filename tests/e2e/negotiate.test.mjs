// The demo's negotiations, re-checked as a credit controller would
// (issue 17), against a running `settle demo` (run.sh starts it):
//   - the opening is not the longest plan, and offers "pay a little more,
//     finish sooner" when the customer could;
//   - in the portal, a customer who proposes twice our installment (so
//     finishing in half the time) is accepted at once: the agreement shows;
//   - a settlement within the policy's discount limit, worth at least the
//     floor (1% above it, for a week's discounting), is accepted.
// What the test makes (proposed plans) is cancelled at the end, so that
// the demo's figures other test files check are as they were.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, token, shots, page, noHorizontalScroll, api } from './helpers.mjs';

const cleanup = [];
after(async () => {
  for (const fn of cleanup) await fn();
});

// cents reads a decimal string ("1234.50") as minor units, exactly.
function cents(s) {
  const [w, f = ''] = s.split('.');
  return Number(w) * 100 + Number((f + '00').slice(0, 2)) * (s.startsWith('-') ? -1 : 1);
}

// The demo's customers whose portal offers a plan, from the end of the
// list (the portal test takes the first one).
async function planCustomers() {
  const list = (await api('GET', '/v1/customers?limit=500')).data.reverse();
  const out = [];
  for (const c of list) {
    const link = await api('POST', `/v1/customers/${c.id}/portal-link`, { ttl_hours: 2 });
    out.push({ c, pth: new URL(link.url).pathname });
  }
  return out;
}

test('negotiation: the opening offers "finish sooner"; twice the installment is accepted in the portal', async () => {
  const { p, context, problems } = await page('mobile');
  let chosen = null;
  for (const cand of await planCustomers()) {
    await p.goto(base + cand.pth);
    if (await p.locator(`form[action="${cand.pth}/plan"] button`).count() !== 1) continue;
    await Promise.all([p.waitForURL(/\/plan\/neg_/), p.locator(`form[action="${cand.pth}/plan"] button`).click()]);
    const negID = p.url().match(/\/plan\/(neg_[A-Za-z0-9]+)/)[1];
    const neg = await api('GET', `/v1/negotiations/${negID}`);
    const o = neg.offer;
    // A plan of a few installments (in USD or EUR: two decimals).
    if (o.kind === 'plan' && o.installment_count >= 4 && /^\d+\.\d\d$/.test(o.installment_amount)) {
      chosen = { ...cand, negID, neg };
      break;
    }
  }
  assert.ok(chosen, 'a demo customer whose opening is a plan of 4 or more installments');
  const { negID, neg } = chosen;
  const o = neg.offer;

  // The opening: never the longest plan; "finish sooner" among the alternatives.
  const policies = (await api('GET', '/v1/policies')).data;
  const longest = Math.max(...policies.map((x) => x.max_term_months));
  assert.ok(o.installment_count < longest, `the opening (${o.installment_count} installments) is shorter than the longest term (${longest})`);
  const sooner = neg.alternatives.filter((a) => a.offer.kind === 'plan' && a.offer.frequency === o.frequency && a.offer.installment_count < o.installment_count);
  assert.ok(sooner.length >= 1, `a "pay a little more, finish sooner" alternative: ${neg.alternatives.map((a) => a.label).join('; ')}`);
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'negotiate-opening-mobile.png'), fullPage: true });

  // Twice our installment, monthly, from our start date: it pays at least
  // as much, no later, than our offer — accepted at once.
  const twice = (2 * cents(o.installment_amount)) / 100;
  await p.locator('#installment_amount').fill(twice.toFixed(2));
  await p.locator('#installments').fill('');
  await p.locator('#frequency').selectOption(o.frequency);
  await p.locator('#start_date').fill(o.start_date);
  await Promise.all([p.waitForURL(/\/agreement\/pln_/), p.locator('form[action$="/counter"] button[type="submit"]').click()]);
  const planID = p.url().split('/').pop();
  cleanup.push(() => api('POST', `/v1/plans/${planID}/cancel`, { reason: 'e2e test clean-up' }));
  const plan = await api('GET', `/v1/plans/${planID}`);
  assert.equal(plan.status, 'proposed');
  const regular = plan.installments.filter((i) => !i.down);
  assert.equal(cents(regular[0].amount), 2 * cents(o.installment_amount), 'the plan has the proposed installment');
  assert.ok(regular.length <= Math.ceil(o.installment_count / 2), `it finishes in about half the time: ${regular.length} of ${o.installment_count}`);
  const now = await api('GET', `/v1/negotiations/${negID}`);
  const acceptedRound = now.rounds.find((r) => r.decision === 'accept');
  assert.ok(acceptedRound, `the counter was accepted: ${now.rounds.map((r) => r.decision).join(', ')}`);
  assert.ok(['dominates', 'target'].includes(acceptedRound.reply.evaluation.basis), `basis ${acceptedRound.reply.evaluation.basis}`);
  await noHorizontalScroll(p, 360);
  await p.screenshot({ path: path.join(shots, 'negotiate-faster-accepted-mobile.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('negotiation: a settlement within the discount limit, worth the floor, is accepted', async () => {
  // A customer with an open, undisputed balance outside any plan, whose
  // floor leaves room for a settlement within the discount limit.
  const policies = (await api('GET', '/v1/policies')).data;
  const discountOf = (segment) => {
    const pol = policies.find((x) => x.segment === segment) || policies.find((x) => x.segment === 'standard');
    return pol ? Number(pol.max_settlement_discount) : 0.2;
  };
  let opened = null;
  let cash = 0;
  for (const { c } of await planCustomers()) {
    const res = await fetch(base + '/v1/negotiations', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer_id: c.id }),
    });
    if (!res.ok) continue;
    const n = await res.json();
    if (n.status !== 'open' || !/^\d+\.\d\d$/.test(n.balance)) continue;
    const bal = cents(n.balance);
    const floor = cents(Number(n.evaluation.floor).toFixed(2));
    // 1% above the floor (a week's discounting), and no more discount than the policy allows.
    const want = Math.max(Math.ceil(floor * 1.01), Math.ceil(bal * (1 - discountOf(c.segment))));
    if (want < bal) {
      opened = n;
      cash = want;
      break;
    }
  }
  assert.ok(opened, 'a demo customer with room for a settlement');
  const r = await api('POST', `/v1/negotiations/${opened.id}/counteroffers`, { lump_sum: (cash / 100).toFixed(2) });
  assert.equal(r.decision, 'accept', `${(cash / 100).toFixed(2)} of ${opened.balance} in one payment (floor ${opened.evaluation.floor}): ${r.decision} ${r.explanation}`);
  assert.equal(r.offer.kind, 'lump_sum');
  assert.ok(['target', 'settlement', 'dominates'].includes(r.evaluation.basis), `basis ${r.evaluation.basis}`);
  const acc = await api('POST', `/v1/negotiations/${opened.id}/accept`, {});
  assert.ok(acc.plan && acc.plan.id, 'a proposed plan');
  cleanup.push(() => api('POST', `/v1/plans/${acc.plan.id}/cancel`, { reason: 'e2e test clean-up' }));
  assert.equal(cents(acc.plan.installments[0].amount), cash, 'one payment of the settlement');
});
