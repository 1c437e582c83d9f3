// Browser test of the worklist's task cards against a running `settle
// demo` (run.sh starts it). Through the API the test makes two consumers
// with an overdue invoice each, in time zones chosen from the real clock
// at the start: one where it is night now (certainly outside the call
// window) and one where it is mid-morning now (inside the window's hours:
// a call is allowed on a weekday, not on a weekend). Three collections runs
// on dates no other browser test runs take each case from its first
// overdue step to the call (the default ladder: overdue +3, firm +7, call
// +14, one step per 4 days at most). Then, in the browser, each card on
// the worklist shows: the amount overdue as the UI formats money, the days
// late, the phone as a tel: link, the customer's local time now, whether a
// call is allowed now and the next allowed slot, and the reason in plain
// words. Every expected value is worked out here, from the dates the test
// chose and Intl's view of the zones, not read from settle. The agent
// claims a card and releases it again, and opens the customer.
// Screenshots at 1280×800 and 360×740 go to $SCREENSHOTS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { base, token, shots, sizes, page, signIn, noHorizontalScroll, api } from './helpers.mjs';

const DAY = 86400000;
const stamp = Date.now().toString(36);
// Civil dates are handled as the UTC midnight of the day (milliseconds).
const todayUTC = Math.floor(Date.now() / DAY) * DAY; // the demo's today: the server's (UTC)
const iso = (d) => new Date(d).toISOString().slice(0, 10);
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// longDate is a civil date as the UI writes it: "7 Dec 2026".
const longDate = (d) => { const x = new Date(d); return `${x.getUTCDate()} ${MONTHS[x.getUTCMonth()]} ${x.getUTCFullYear()}`; };

// wallClock is a zone's local date and time at an instant, from Intl (the
// JavaScript engine's own time zone data, not settle's).
function wallClock(zone, at) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
  });
  const v = Object.fromEntries(f.formatToParts(at).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
  const date = Date.UTC(v.year, v.month - 1, v.day);
  return { date, minutes: v.hour * 60 + v.minute, weekday: new Date(date).getUTCDay() };
}

// The default contact rules for calls (docs/contact-rules.md): 09:30–11:30
// local, Monday to Friday; a country without a holiday calendar in settle
// has no public holidays (weekends only). The zones below are all in such
// countries, so the expected state needs no holiday tables.
const WINDOW_FROM = 9 * 60 + 30;
const WINDOW_TO = 11 * 60 + 30;
const isWeekday = (date) => { const wd = new Date(date).getUTCDay(); return wd >= 1 && wd <= 5; };
const callAllowed = (w) => isWeekday(w.date) && w.minutes >= WINDOW_FROM && w.minutes < WINDOW_TO;

// nextSlot is the first allowed call after a held instant: 09:30 on the
// same day when that is a weekday and still to come, else on the next
// weekday.
function nextSlot(w) {
  let d = w.date;
  if (!(isWeekday(d) && w.minutes < WINDOW_FROM)) {
    do { d += DAY; } while (!isWeekday(d));
  }
  return d;
}

// Real zones whose countries settle keeps no holiday calendar for (it has
// AU, CA, DE, ES, FR, GB, IE, IT, JP, NL, US), with offsets from UTC+14 to
// UTC−11 a whole hour apart: at any instant one of them is at each hour
// of the day.
const ZONES = [
  ['Pacific/Kiritimati', 'KI'], ['Pacific/Tongatapu', 'TO'], ['Pacific/Fiji', 'FJ'], ['Pacific/Guadalcanal', 'SB'],
  ['Pacific/Port_Moresby', 'PG'], ['Asia/Seoul', 'KR'], ['Asia/Singapore', 'SG'], ['Asia/Bangkok', 'TH'],
  ['Asia/Dhaka', 'BD'], ['Asia/Karachi', 'PK'], ['Asia/Dubai', 'AE'], ['Africa/Nairobi', 'KE'],
  ['Africa/Johannesburg', 'ZA'], ['Africa/Lagos', 'NG'], ['Atlantic/Reykjavik', 'IS'], ['Atlantic/Cape_Verde', 'CV'],
  ['America/Noronha', 'BR'], ['America/Argentina/Buenos_Aires', 'AR'], ['America/La_Paz', 'BO'], ['America/Bogota', 'CO'],
  ['America/Costa_Rica', 'CR'], ['America/Hermosillo', 'MX'], ['Pacific/Pitcairn', 'PN'], ['Pacific/Gambier', 'PF'],
  ['Pacific/Tahiti', 'PF'], ['Pacific/Niue', 'NU'],
];

// Chosen at the start: each zone's local time is at least 30 minutes from
// every edge that changes what the card shows (midnight changes the day,
// and with it the days late; 09:30 and 11:30 change whether a call is
// allowed), so the minute or two the test takes changes nothing.
const start = new Date();
const clear = (m) => [0, WINDOW_FROM, WINDOW_TO, 24 * 60].every((edge) => Math.abs(m - edge) >= 30);
const candidates = ZONES.map(([zone, country]) => ({ zone, country, now: wallClock(zone, start) })).filter((c) => clear(c.now.minutes));
// Night: between 22:00 and 07:00 local, never a time to call.
const night = candidates.find((c) => c.now.minutes >= 22 * 60 || c.now.minutes < 7 * 60);
// Mid-morning: 10:00–11:00 local, inside the window's hours; a weekday
// when there is one (then the call is allowed), else a weekend day (then it
// is not: calls only on weekdays).
const morning = candidates.filter((c) => c.now.minutes >= 10 * 60 && c.now.minutes <= 11 * 60)
  .sort((a, b) => isWeekday(b.now.date) - isWeekday(a.now.date))[0];
assert.ok(night && morning, `no zone at night or in mid-morning at ${start.toISOString()}`);

// The invoices fell due 20 days ago (UTC); the runs are 2, 6 and 10 days
// ahead (the outbox test runs tomorrow; a date runs once): overdue on the
// first, firm on the second, the call on the third (due + 14 and 4 days
// after the firm step).
const dueDate = todayUTC - 20 * DAY;
const runDates = [2, 6, 10].map((n) => iso(todayUTC + n * DAY));

const customers = [
  { key: 'Night', ...night, phone: '+44 20 7946 0958', tel: 'tel:+442079460958' }, // typed with spaces: dialled without
  { key: 'Morning', ...morning, phone: '+447700900123', tel: 'tel:+447700900123' }, // E.164 already
].map((c) => ({ ...c, ref: `Card-${c.key}-${stamp}`, name: `Card ${c.key} ${stamp}` }));

async function seed() {
  for (const c of customers) {
    const made = await api('POST', '/v1/customers', {
      external_ref: c.ref, name: c.name, email: `${c.ref.toLowerCase()}@example.com`, phone: c.phone,
      kind: 'consumer', jurisdiction: c.country, time_zone: c.zone,
      address: { lines: ['1 Test Street'], city: 'Testville', country: c.country },
    });
    c.id = made.id;
    await api('POST', '/v1/invoices', {
      number: `INV-${c.ref}`, customer_id: c.ref, issue_date: iso(dueDate - 30 * DAY), due_date: iso(dueDate), currency: 'USD', amount: '1234.56',
    });
  }
  for (const d of runDates) {
    const run = await api('POST', '/v1/runs', { as_of: d });
    assert.equal(run.repeat, false, `the run of ${d} had been done already: our customers were not in it`);
  }
  for (const c of customers) {
    const tasks = await api('GET', `/v1/tasks?customer_id=${c.id}&status=open`);
    assert.equal(tasks.data.length, 1, `${c.name}: one open task, got ${JSON.stringify(tasks.data)}`);
    assert.equal(tasks.data[0].kind, 'call', `${c.name}: a call task`);
    c.task = tasks.data[0];
  }
}

// wanted is what the card must show for c at instant `at`, worked out by
// hand from the dates and zones above.
function wanted(c, at) {
  const w = wallClock(c.zone, at);
  const daysLate = (w.date - dueDate) / DAY; // as of the customer's today
  const slot = new Date(nextSlot(w));
  return {
    clock: w,
    allowed: callAllowed(w),
    overdue: `USD\u00a01,234.56 · ${daysLate} days late`, // the UI's money format: code, then the amount grouped in thousands
    next: `next 09:30 ${WEEKDAYS[slot.getUTCDay()]} ${longDate(slot)} ${c.zone}`,
  };
}

// checkCard checks one card against wanted(c) at the instant the page
// was loaded.
async function checkCard(p, c, loadedAt) {
  const card = p.locator(`#task-${c.task.id}`);
  await assert.doesNotReject(card.waitFor(), `${c.name}'s card`);
  const want = wanted(c, loadedAt);
  const fact = (label) => card.locator('.task-facts div').filter({ has: p.locator('dt', { hasText: label }) }).locator('dd');

  assert.equal((await fact('Overdue').textContent()).trim(), want.overdue, `${c.name}: amount overdue and days late`);

  const tel = fact('Phone').getByRole('link');
  assert.equal(await tel.getAttribute('href'), c.tel, `${c.name}: the tel: link dials the number`);
  assert.equal((await tel.textContent()).trim(), c.phone, `${c.name}: the number as stored`);

  // "HH:MM Ddd D Mon, Zone", within a minute of Intl's clock for the zone.
  const time = (await fact('Their time').textContent()).trim();
  const m = time.match(/^(\d\d):(\d\d) (\w{3}) (\d{1,2}) (\w{3}), (\S+) · (.+)$/);
  assert.ok(m, `${c.name}: their time reads "${time}"`);
  const shown = Number(m[1]) * 60 + Number(m[2]);
  assert.ok(Math.abs(shown - want.clock.minutes) <= 1, `${c.name}: shows ${m[1]}:${m[2]}, Intl says ${Math.floor(want.clock.minutes / 60)}:${want.clock.minutes % 60} in ${c.zone}`);
  const d = new Date(want.clock.date);
  assert.deepEqual([m[3], Number(m[4]), m[5], m[6]], [WEEKDAYS[d.getUTCDay()], d.getUTCDate(), MONTHS[d.getUTCMonth()], c.zone], `${c.name}: their date and zone`);

  // Whether to call now, and when not, the next allowed slot.
  assert.equal(m[7], want.allowed ? 'calling is allowed now' : 'do not call now', `${c.name}: the call indicator`);
  assert.equal(await fact('Their time').locator(want.allowed ? '.ok' : '.warn').count(), 1, `${c.name}: the indicator's style`);
  const rule = (await card.locator('.task-call-rule').textContent()).trim();
  if (want.allowed) {
    assert.match(rule, /within the call window 09:30–11:30 on weekdays/, `${c.name}: the rule that allows the call`);
  } else {
    assert.ok(rule.includes(want.next), `${c.name}: the next slot, want "${want.next}" in "${rule}"`);
  }

  // The reason in plain words: the steps are said, not coded (the firm
  // step was taken on the second run's date), dates as the UI writes them,
  // and no id or code (call_14, promise_review, inv_…) shows.
  const why = (await card.locator('.task-why').textContent()).replace(/^Next action: /, '').trim();
  const firm = `after the firm reminder on ${longDate(Date.parse(runDates[1]))}`;
  assert.ok(why.startsWith(`The call step (14 days after the due date; ${firm}) for INV-${c.ref}`), `${c.name}: the reason reads "${why}"`);
  assert.doesNotMatch(why, /\b[a-z]+_[a-z0-9_]+\b/, `${c.name}: a code in the reason "${why}"`);
  assert.doesNotMatch(why, /\b(?:cus|inv|tsk|run|usr|pln)_[A-Za-z0-9]+/, `${c.name}: an id in the reason "${why}"`);
  assert.doesNotMatch(why, /\d{4}-\d\d-\d\d/, `${c.name}: a date as a code in the reason "${why}"`);
  return card;
}

test('task cards: overdue, days late, tel: link, local time, call allowed, reason', async () => {
  await seed();
  const queue = customers[0].task.queue;
  assert.ok(customers.every((c) => c.task.queue === queue), `the cards are in one queue: ${customers.map((c) => c.task.queue)}`);
  for (const size of Object.keys(sizes)) {
    const { p, context, problems } = await page(size);
    await signIn(p);
    const loadedAt = new Date();
    await p.goto(`${base}/worklist?queue=${queue}`);
    await assert.doesNotReject(p.getByRole('heading', { name: 'Worklist', level: 1 }).waitFor());
    for (const c of customers) {
      const card = await checkCard(p, c, loadedAt);
      await card.screenshot({ path: path.join(shots, `taskcard-${c.key.toLowerCase()}-${size}.png`) });
    }
    await noHorizontalScroll(p, sizes[size].width);
    await p.locator(`#task-${customers[0].task.id}`).scrollIntoViewIfNeeded();
    await p.screenshot({ path: path.join(shots, `taskcards-${size}.png`) });
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('task cards: claim and release a card, open its customer', async () => {
  const c = customers[1];
  assert.ok(c.task, 'the first test made the tasks');
  const { p, context, problems } = await page('mobile');
  await signIn(p);
  await p.goto(`${base}/worklist?queue=${c.task.queue}`);
  const card = p.locator(`#task-${c.task.id}`);
  await card.getByRole('button', { name: 'Claim' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Task claimed' }).waitFor());
  assert.equal((await card.locator('.badge').textContent()).trim(), 'Yours');
  const claimed = await api('GET', `/v1/tasks?customer_id=${c.id}&status=claimed`);
  assert.deepEqual(claimed.data.map((t) => t.id), [c.task.id], 'the task is claimed');
  await checkCard(p, c, new Date()); // a claimed card shows the same facts
  await noHorizontalScroll(p, 360);
  await card.screenshot({ path: path.join(shots, 'taskcard-claimed-mobile.png') });

  // Released: open again for everyone (the other browser tests take the
  // first card of the queue and must find it open).
  await card.getByRole('button', { name: 'Release' }).click();
  await assert.doesNotReject(p.getByRole('status').filter({ hasText: 'Task released' }).waitFor());
  assert.equal((await card.locator('.badge').textContent()).trim(), 'Open');
  const open = await api('GET', `/v1/tasks?customer_id=${c.id}&status=open`);
  assert.deepEqual(open.data.map((t) => t.id), [c.task.id], 'the task is open again');

  // The customer's page from the card.
  await Promise.all([p.waitForURL(`${base}/customers/${c.id}`), card.getByRole('link', { name: `${c.name} (${c.ref})` }).click()]);
  await assert.doesNotReject(p.getByRole('heading', { name: c.name, level: 1 }).waitFor());
  assert.deepEqual(problems, []);
  await context.close();
});
