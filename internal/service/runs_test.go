package service_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/store/postgres"
	"settle/internal/testutil"
)

// TestRun_120Days runs the collections run every day from 1 January to 30
// April 2026 over a small book and checks the exact sequence of messages
// and tasks against a table worked out by hand from the ladder
// (collect.DefaultLadder: −3 reminder, 0 due today, +3 overdue, +7 firm,
// +14 call, +30 demand, +45 final notice, +60 review):
//
//   - USC, a US consumer in Chicago: U-1 due 15 Jan, never paid — the whole ladder.
//   - UKC, a UK consumer: UK-1 due 20 Jan, paid on 25 Jan — stops after +3.
//   - DEB, a German business: DE-1 disputed (paused throughout); DE-2 due
//     1 Feb, a promise on 5 Feb to pay by 20 Feb, broken — paused from 5
//     Feb, the ladder resumes on 21 Feb at its latest step (+14 call; the
//     +7 firm step passed during the pause is not sent late).
//   - KEY, a key account in New York: K-1 due 10 Jan — personal calls from
//     a senior agent (tier 2) instead of the firm and demand mail.
//   - PLN, a US consumer with a plan over P-1 (due 31 Jan): installments of
//     100.00 on 1 Feb, 1 Mar, 1 Apr, grace 5 days, default after 2
//     misses; pays the first only — reminders 3 days before each, the
//     second missed on 7 Mar, the plan defaults on 7 Apr (the third
//     missed), a review task and the default notice; the ladder takes
//     P-1 up again after the notice's deadline (docs/collections.md).
//
// Every message is scheduled where the contact rules allow it, and a
// repeat of a date creates nothing.
func TestRun_120Days(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setDay := func(d civil.Date) {
		mu.Lock()
		defer mu.Unlock()
		now = time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	}
	st := testutil.SQLiteAt(t, clock)
	svc := service.New(st, clock)
	ctx := testutil.Admin(context.Background())
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []service.CustomerInput{
		{ExternalRef: "USC", Address: &service.AddressInput{Lines: []string{"12 Elm St"}, City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}, Email: "una@example.com", Name: "Una Consumer", Kind: "consumer", Jurisdiction: "US", TimeZone: "America/Chicago"},
		{ExternalRef: "UKC", Address: &service.AddressInput{Lines: []string{"3 High Street"}, City: "Bristol", PostalCode: "BS1 4DJ", Country: "GB"}, Email: "uma@example.com", Name: "Uma Consumer", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London", Locale: "en-GB"},
		{ExternalRef: "DEB", Address: &service.AddressInput{Lines: []string{"Königstraße 12"}, City: "Stuttgart", PostalCode: "70173", Country: "DE"}, Email: "ap@betrieb.example", Name: "Dieter Betrieb GmbH", Kind: "business", Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "de"},
		{ExternalRef: "KEY", Address: &service.AddressInput{Lines: []string{"1 Key Plaza"}, City: "New York", Region: "NY", PostalCode: "10001", Country: "US"}, Email: "ap@keystone.example", Name: "Keystone Corp", Kind: "business", Jurisdiction: "US", TimeZone: "America/New_York", Segment: "key_account"},
		{ExternalRef: "PLN", Address: &service.AddressInput{Lines: []string{"9 Oak Ave"}, City: "Albany", Region: "NY", PostalCode: "12207", Country: "US"}, Email: "pat@example.com", Name: "Pat Planner", Kind: "consumer", Jurisdiction: "US", TimeZone: "America/New_York"},
	} {
		must(svc.CreateCustomer(ctx, c))
	}
	for _, in := range []service.InvoiceInput{
		{Number: "U-1", CustomerID: "USC", IssueDate: "2025-12-16", DueDate: "2026-01-15", Currency: "USD", Amount: "300.00"},
		{Number: "UK-1", CustomerID: "UKC", IssueDate: "2025-12-21", DueDate: "2026-01-20", Currency: "GBP", Amount: "200.00"},
		{Number: "DE-1", CustomerID: "DEB", IssueDate: "2025-12-06", DueDate: "2026-01-05", Currency: "EUR", Amount: "750.00", Disputed: true},
		{Number: "DE-2", CustomerID: "DEB", IssueDate: "2026-01-02", DueDate: "2026-02-01", Currency: "EUR", Amount: "500.00"},
		{Number: "K-1", CustomerID: "KEY", IssueDate: "2025-12-11", DueDate: "2026-01-10", Currency: "USD", Amount: "1000.00"},
		{Number: "P-1", CustomerID: "PLN", IssueDate: "2026-01-01", DueDate: "2026-01-31", Currency: "USD", Amount: "300.00"},
	} {
		must(svc.CreateInvoice(ctx, in))
	}
	grace, after := 5, 2
	pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "PLN", InvoiceIDs: []string{"P-1"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 3, Frequency: "monthly", StartDate: "2026-02-01", AsOf: "2026-01-01", GraceDays: &grace, DefaultAfterMissed: &after,
		// 1 February is 31 days after 1 January, one past the default
		// policy's start limit; the run's expectations follow these dates.
		OverrideReason: "first payment on the 1st of the month, as agreed"}})
	if err != nil {
		t.Fatal(err)
	}
	must(svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Pat Planner", Channel: "phone"}))

	start := civil.New(2026, 1, 1)
	visits := 0
	for i := 0; i < 120; i++ {
		d := start.AddDays(i)
		setDay(d)
		switch d.String() {
		case "2026-01-25":
			must(svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "UKC", ReceivedOn: d.String(), Currency: "GBP", Amount: "200.00"}))
		case "2026-02-01":
			must(svc.RecordPayment(ctx, service.PaymentInput{CustomerID: "PLN", ReceivedOn: d.String(), Currency: "USD", Amount: "100.00", PlanID: pv.Plan.ID}))
		case "2026-02-05":
			must(svc.CreatePromise(ctx, service.PromiseInput{CustomerID: "DEB", Currency: "EUR", Amount: "500.00", DueDate: "2026-02-20"}))
		}
		v, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()})
		if err != nil {
			t.Fatalf("run %s: %v", d, err)
		}
		if !v.Created || v.Run.Status != store.RunDone || v.Run.Done != v.Run.Customers {
			t.Fatalf("run %s = %+v", d, v)
		}
		visits += v.Run.Customers
	}
	// Customers are visited only when their wake date has come or their
	// ledger changed (collect.NextWake): far fewer than 5 a day, with the
	// same actions as visiting all (the table below).
	if visits < 120 || visits > 400 {
		t.Fatalf("%d customer visits over 120 days, want between 120 and 400 (not 600: every customer every day)", visits)
	}

	// What happened, as "date customer kind step channel/queue".
	refs := map[string]string{}
	custs, _, _ := svc.Customers(ctx, store.CustomerFilter{})
	for _, c := range custs {
		refs[c.ID] = c.ExternalRef
	}
	var got []string
	msgs := allMessages(t, ctx, svc)
	// The plan's installment reminders quote its bank reference (the
	// reference the plan page shows), so a transfer can be matched.
	plv, err := svc.Plan(ctx, pv.Plan.ID, civil.New(2026, 1, 1))
	if err != nil || plv.BankRef == "" {
		t.Fatalf("plan %v: no bank reference (%v)", pv.Plan.ID, err)
	}
	reminders := 0
	for _, m := range msgs {
		if m.Step == "installment_reminder" {
			reminders++
			if !strings.Contains(m.Body, plv.BankRef) {
				t.Errorf("installment reminder of %s does not quote %s:\n%s", keyDate(m.DedupeKey), plv.BankRef, m.Body)
			}
		}
	}
	if reminders != 3 {
		t.Errorf("%d installment reminders, want 3", reminders)
	}
	for _, m := range msgs {
		if !strings.HasPrefix(m.DedupeKey, "ladder:") {
			continue // the plan's agreement email: not the run's
		}
		got = append(got, fmt.Sprintf("%s %s message %s %s", keyDate(m.DedupeKey), refs[m.CustomerID], m.Step, m.Channel))
	}
	tasks := allTasks(t, ctx, svc)
	for _, tk := range tasks {
		got = append(got, fmt.Sprintf("%s %s task %s %s", keyDate(tk.DedupeKey), refs[tk.CustomerID], keyStep(tk.DedupeKey), tk.Queue))
	}
	sort.Strings(got)
	// Worked by hand from the default ladder and the case rules
	// (docs/collections.md): no text messages (no customer has a phone);
	// each case steps on from the step it took, at least 4 days apart, and
	// after a demand's or final notice's 14-day deadline. KEY's demand call
	// (tier2) merges into its open firm call (one open task per queue);
	// KEY's and DEB's invoices fall due on a Saturday and a Sunday: a
	// business's email waits for Monday, when "due today" is no longer
	// true, so none is queued (the reminder 3 days before went).
	// KEY's firm and demand mail are queued with its personal calls and
	// scheduled 3 days after them (a key account hears from a person first);
	// PLN's and DEB's call tasks likewise merge into their open tier1 task.
	// DEB's promise of 02-05 covers its whole overdue balance: the case
	// pauses, and the overdue email of 02-04 (never delivered here: this
	// test runs no sender) is withdrawn and its step undone; the promise is
	// broken on 02-21 and the case starts again at that step. PLN's plan
	// defaults on 04-07: the customer is told so (the default notice, pay
	// by 04-21), not sent a friendly "overdue" as if there had been no
	// plan, nor a legal review; a new case resumes after the deadline at
	// the call (04-22, merged into the open plan review) and the demand
	// follows 4 days later (04-26).
	want := []string{
		"2026-01-07 KEY message reminder email",
		"2026-01-12 USC message reminder email",
		"2026-01-13 KEY message overdue email",
		"2026-01-15 USC message due_today email",
		"2026-01-17 KEY message firm email",
		"2026-01-17 KEY task firm tier2",
		"2026-01-17 UKC message reminder email",
		"2026-01-18 USC message overdue email",
		"2026-01-20 UKC message due_today email",
		"2026-01-22 USC message firm email",
		"2026-01-23 UKC message overdue email",
		"2026-01-24 KEY task call tier1",
		"2026-01-29 DEB message reminder email",
		"2026-01-29 PLN message installment_reminder email",
		"2026-01-29 USC task call tier1",
		"2026-02-04 DEB message overdue email",
		"2026-02-09 KEY message demand email",
		"2026-02-09 KEY message demand letter",
		"2026-02-14 USC message demand email",
		"2026-02-14 USC message demand letter",
		"2026-02-21 DEB message overdue email",
		"2026-02-24 KEY message final_notice email",
		"2026-02-24 KEY message final_notice letter",
		"2026-02-25 DEB message firm email",
		"2026-02-26 PLN message installment_reminder email",
		"2026-03-01 DEB task call tier1",
		"2026-03-01 USC message final_notice email",
		"2026-03-01 USC message final_notice letter",
		"2026-03-05 DEB message demand email",
		"2026-03-05 DEB message demand letter",
		"2026-03-07 PLN message installment_missed email",
		"2026-03-11 KEY task review legal",
		"2026-03-16 USC task review legal",
		"2026-03-20 DEB message final_notice email",
		"2026-03-20 DEB message final_notice letter",
		"2026-03-29 PLN message installment_reminder email",
		"2026-04-04 DEB task review legal",
		"2026-04-07 PLN message plan_defaulted email",
		"2026-04-07 PLN task plan_defaulted tier1",
		"2026-04-26 PLN message demand email",
		"2026-04-26 PLN message demand letter",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the 120 days (-want +got):\n%s\ngot:\n%s", diff, strings.Join(got, "\n"))
	}

	// Every contact is at an allowed time in the customer's zone.
	parties := map[string]collect.Party{}
	for _, c := range custs {
		parties[c.ID] = collect.Party{Kind: c.Kind, Jurisdiction: c.Jurisdiction, TimeZone: c.TimeZone}
	}
	for _, m := range msgs {
		if dec := collect.Decide(parties[m.CustomerID], m.Channel, "", m.ScheduledFor, nil, collect.DefaultRules()); !dec.Allowed {
			t.Errorf("%s %s %s scheduled for %s: %s", refs[m.CustomerID], m.Step, m.Channel, m.ScheduledFor, dec.Reason)
		}
		if !strings.Contains(m.Body, "unsubscribe") && m.Channel != "letter" && !strings.Contains(strings.ToLower(m.Body), "opt") {
			t.Errorf("%s %s %s has no opt-out line:\n%s", refs[m.CustomerID], m.Step, m.Channel, m.Body)
		}
	}
	for _, tk := range tasks {
		if tk.Kind != "call" {
			continue
		}
		if dec := collect.Decide(parties[tk.CustomerID], collect.Call, "", tk.DueAt, nil, collect.DefaultRules()); !dec.Allowed {
			t.Errorf("call task %s for %s due %s: %s", tk.ID, refs[tk.CustomerID], tk.DueAt, dec.Reason)
		}
	}

	// A repeat of a date creates nothing.
	v, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-03-01"})
	if err != nil || v.Created || v.Run.Status != store.RunDone {
		t.Fatalf("repeat of 2026-03-01: %+v %v", v, err)
	}
	if n := len(allMessages(t, ctx, svc)) + len(allTasks(t, ctx, svc)); n != len(msgs)+len(tasks) {
		t.Errorf("repeat created %d more", n-len(msgs)-len(tasks))
	}
}

// keyDate and keyStep read the run date and step out of a dedupe key
// ("ladder:DATE:CUSTOMER:STEP:CHANNEL").
func keyDate(k string) string { return strings.Split(k, ":")[1] }
func keyStep(k string) string { return strings.Split(k, ":")[3] }

func allMessages(t *testing.T, ctx context.Context, svc *service.Service) []store.Message {
	t.Helper()
	var out []store.Message
	for cursor := ""; ; {
		list, next, err := svc.Messages(ctx, store.MessageFilter{Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

func allTasks(t *testing.T, ctx context.Context, svc *service.Service) []store.Task {
	t.Helper()
	var out []store.Task
	for cursor := ""; ; {
		list, next, err := svc.Tasks(ctx, store.TaskFilter{Page: store.Page{Limit: 500, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, list...)
		if next == "" {
			return out
		}
		cursor = next
	}
}

// Two instances (two stores on one PostgreSQL database, as two `settle
// serve` processes would have) run the same date at the same time: one
// run, every customer visited once, every message created once.
func TestRun_TwoInstancesExactlyOnce(t *testing.T) {
	dsn := testutil.FreshPostgresDSN(t)
	clock := func() time.Time { return time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC) }
	open := func() *service.Service {
		st, err := postgres.Open(context.Background(), dsn, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return service.New(st, clock)
	}
	a, b := open(), open()
	ctx := testutil.Admin(context.Background())
	const n = 450 // more than two batches
	for i := range n {
		ref := fmt.Sprintf("C%03d", i)
		if _, err := a.CreateCustomer(ctx, service.CustomerInput{ExternalRef: ref, Name: "Customer " + ref, Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London",
			Phone: fmt.Sprintf("+44 7700 900%03d", i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + ref, CustomerID: ref, IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "10.00"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, svc := range []*service.Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.StartRun(ctx, service.RunInput{AsOf: "2026-05-01"})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	r, err := a.Run(ctx, "2026-05-01")
	if err != nil {
		t.Fatal(err)
	}
	// Due today: an email and an SMS for each customer.
	msgs := allMessages(t, ctx, a)
	keys := map[string]bool{}
	for _, m := range msgs {
		if keys[m.DedupeKey] {
			t.Errorf("duplicate message %s", m.DedupeKey)
		}
		keys[m.DedupeKey] = true
	}
	if len(msgs) != 2*n || r.Messages != 2*n || r.Done != n || r.Customers != n {
		t.Errorf("messages %d (run counted %d), visited %d of %d; want %d messages and %d visits", len(msgs), r.Messages, r.Done, r.Customers, 2*n, n)
	}
	// The run finishes (one of the two marks it done once every customer is visited).
	if r.Status != store.RunDone {
		v, err := a.StartRun(ctx, service.RunInput{AsOf: "2026-05-01"})
		if err != nil || v.Run.Status != store.RunDone {
			t.Errorf("run status %s; a third call: %+v %v", r.Status, v, err)
		}
	}
}

// A demand letter in the outbox carries the letter as a PDF.
func TestRun_LetterCarriesPDF(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "L", Address: &service.AddressInput{Lines: []string{"Hauptstraße 1"}, City: "München", PostalCode: "80331", Country: "DE"}, Email: "buchhaltung@mueller.example", Name: "Müller & Söhne GmbH", Kind: "business", Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "de"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "L-1", CustomerID: "L", IssueDate: "2026-01-01", DueDate: "2026-01-31", Currency: "EUR", Amount: "1234.50"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-01-28", "2026-03-02") // +30: demand (overdue +3, firm +7, call +14)
	var letters int
	for _, m := range allMessages(t, ctx, svc) {
		if m.Channel != "letter" {
			continue
		}
		letters++
		if m.Step != "demand" || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" {
			t.Errorf("letter %+v", m.Attachments)
			continue
		}
		a, err := svc.MessageAttachment(ctx, m.ID, m.Attachments[0].Name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(a.Data), "%PDF-") || len(a.Data) > 40<<10 || !strings.Contains(string(m.Attachments[0].Spec), "1234") {
			t.Errorf("letter %s: %d bytes, spec %s", a.Name, len(a.Data), m.Attachments[0].Spec)
		}
	}
	if letters != 1 {
		t.Errorf("%d letters, want 1", letters)
	}
}

// Opted-out channels are never used: the step's other channels still go,
// and a call step for a customer who opted out of calls becomes a review.
func TestRun_OptOuts(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "O", Email: "olga@example.com", Name: "Olga Out", Kind: "consumer", Jurisdiction: "US", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "O-1", CustomerID: "O", IssueDate: "2025-12-16", DueDate: "2026-01-15", Currency: "USD", Amount: "90.00"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetOptOut(ctx, "O", service.OptOutInput{Channel: "fax", OptedOut: true}); err == nil {
		t.Fatal("a fax opt-out was accepted")
	}
	for _, ch := range []string{"sms", "call"} {
		if _, err := svc.SetOptOut(ctx, "O", service.OptOutInput{Channel: ch, OptedOut: true, Source: "sms_reply"}); err != nil {
			t.Fatal(err)
		}
	}
	if m, _ := svc.OptOuts(ctx, "O"); !m["sms"] || !m["call"] || m["email"] {
		t.Fatalf("opt-outs %v", m)
	}
	if _, err := svc.StartRun(ctx, service.RunInput{AsOf: "2026-01-15"}); err != nil { // due today: email and SMS
		t.Fatal(err)
	}
	var channels []string
	for _, m := range allMessages(t, ctx, svc) {
		channels = append(channels, m.Channel)
	}
	if len(channels) != 1 || channels[0] != "email" {
		t.Errorf("channels used %v, want only email", channels)
	}
	mu.Lock()
	now = time.Date(2026, 1, 29, 12, 0, 0, 0, time.UTC)
	mu.Unlock()
	runDays(t, ctx, svc, "2026-01-16", "2026-01-29") // +14: the call step
	tasks := allTasks(t, ctx, svc)
	if len(tasks) != 1 || tasks[0].Kind != "review" || !strings.Contains(tasks[0].Reason, "opted out of calls") {
		t.Errorf("tasks %+v", tasks)
	}
}

// A UK business's demand letter states the statutory claim: £70 fixed
// compensation (an invoice under £10,000) and 8% + 4.00% a year on
// £5,000.00 for the 30 days since it fell due — 5000 × 0.12 × 30/365 =
// 49.315… → £49.32; together £119.32.
func TestRun_DemandStatesStatutoryClaim(t *testing.T) {
	clock := func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "UKB", Email: "ap@thames.example", Address: &service.AddressInput{Lines: []string{"1 River Road"}, City: "London", PostalCode: "SE1 9GF", Country: "GB"}, Name: "Thames Widgets Ltd", Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London", Locale: "en-GB"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "UK-9", CustomerID: "UKB", IssueDate: "2026-01-01", DueDate: "2026-01-31", Currency: "GBP", Amount: "5000.00"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-01-28", "2026-03-02")
	var seen int
	for _, m := range allMessages(t, ctx, svc) {
		if m.Step != "demand" {
			continue
		}
		seen++
		body := strings.ReplaceAll(m.Body, "\u00a0", " ")
		if !strings.Contains(body, "119.32") || !strings.Contains(body, "5,119.32") {
			t.Errorf("%s demand does not state the claim (119.32, due 5,119.32):\n%s", m.Channel, body)
		}
		// A claim only with its legal basis, named.
		if !strings.Contains(strings.Join(strings.Fields(body), " "), "under the Late Payment of Commercial Debts (Interest) Act 1998") {
			t.Errorf("%s demand states a fee without its legal basis:\n%s", m.Channel, body)
		}
	}
	if seen != 2 {
		t.Errorf("%d demand messages, want email and letter", seen)
	}
}

// Who can be reached, and what a message may promise:
//   - no postal address: no letter; an agent is asked for the address,
//     and the step still goes by email;
//   - neither an email address nor a postal address: the case does not
//     move on in silence — no step is taken, an agent is asked for the
//     address;
//   - "resume deliveries and restore your credit limit" only while a
//     credit hold is set.
func TestRun_ReachAndCreditHold(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, c := range []service.CustomerInput{
		{ExternalRef: "MAIL", Email: "ap@mail.example", Name: "Mail Only Ltd", Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London"},
		{ExternalRef: "NONE", Name: "Nowhere Ltd", Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London"},
		{ExternalRef: "HOLD", Email: "ap@hold.example", Name: "Held Ltd", Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London",
			Address: &service.AddressInput{Lines: []string{"2 Mill Lane"}, City: "Leeds", PostalCode: "LS1 4AP", Country: "GB"}},
	} {
		if _, err := svc.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + c.ExternalRef, CustomerID: c.ExternalRef, IssueDate: "2026-04-01",
			DueDate: "2026-05-01", Currency: "GBP", Amount: "500.00"}); err != nil {
			t.Fatal(err)
		}
	}
	runDays(t, ctx, svc, "2026-05-02", "2026-05-20") // overdue, firm, call
	if _, err := svc.SetCreditHold(ctx, "HOLD", service.CreditHoldInput{Held: true, Reason: "three weeks late"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-05-21", "2026-05-31") // +30: the demand (letter and email)
	byCustomer := map[string][]store.Message{}
	for _, m := range allMessages(t, ctx, svc) {
		c, err := svc.Customer(ctx, m.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		byCustomer[c.ExternalRef] = append(byCustomer[c.ExternalRef], m)
	}
	channels := func(ref string) []string {
		var out []string
		for _, m := range byCustomer[ref] {
			out = append(out, m.Step+" "+m.Channel)
		}
		return out
	}
	if got, want := channels("MAIL"), []string{"overdue email", "firm email", "demand email"}; !cmp.Equal(got, want) {
		t.Errorf("MAIL received %v, want %v (no letter without an address)", got, want)
	}
	if got := channels("NONE"); len(got) != 0 {
		t.Errorf("NONE, with no address of any kind, was sent %v", got)
	}
	tasks := allTasks(t, ctx, svc)
	asked := map[string]int{}
	for _, k := range tasks {
		c, _ := svc.Customer(ctx, k.CustomerID)
		if strings.Contains(k.Reason, "no postal address") {
			asked[c.ExternalRef]++
		}
	}
	if asked["MAIL"] == 0 || asked["NONE"] == 0 || asked["HOLD"] != 0 {
		t.Errorf("address tasks %v, want MAIL and NONE asked for, HOLD not", asked)
	}
	for _, m := range byCustomer["HOLD"] {
		restore := strings.Contains(m.Body, "credit limit")
		if m.Step == "demand" && !restore {
			t.Errorf("HOLD's demand (%s) does not say paying restores the credit limit, though a hold is set:\n%s", m.Channel, m.Body)
		}
		if m.Step != "demand" && restore {
			t.Errorf("HOLD's %s before the hold mentions a credit limit:\n%s", m.Step, m.Body)
		}
	}
	for _, m := range byCustomer["MAIL"] {
		if strings.Contains(m.Body, "credit limit") {
			t.Errorf("MAIL's %s mentions a credit limit; no hold is set:\n%s", m.Step, m.Body)
		}
	}
}

// A first run on an imported, long-overdue book (invoices 4 to 400 days
// late, business and consumer, key accounts among them, on both engines):
// no customer's first message is beyond the first overdue step — never a
// firm reminder, a demand, a final notice or a legal review first — and
// then each case catches up one step at a time (at least 4 days apart).
func TestRun_FirstRunOnOldBook(t *testing.T) {
	for name, open := range testutil.Engines(t) {
		t.Run(name, func(t *testing.T) {
			svc := service.New(open(t), testutil.Clock)
			ctx := testutil.Admin(context.Background())
			var cs, is strings.Builder
			cs.WriteString("external_ref,name,email,kind,jurisdiction,time_zone,segment,address_line1,postal_code,city,country\n")
			is.WriteString("number,customer_ref,issue_date,due_date,currency,amount\n")
			asOf := mustDate(t, "2026-06-01")
			for i := range 40 {
				kind, seg := []string{"business", "consumer"}[i%2], ""
				if i%7 == 0 {
					seg = "key_account"
				}
				fmt.Fprintf(&cs, "OLD%02d,Old Customer %02d,old%02d@example.com,%s,GB,Europe/London,%s,%d Long Road,LS1 1AA,Leeds,GB\n", i, i, i, kind, seg, i+1)
				for k := range 1 + i%3 {
					due := asOf.AddDays(-(4 + (i*37+k*53)%397))
					fmt.Fprintf(&is, "OLD%02d-%d,OLD%02d,%s,%s,GBP,%d.00\n", i, k, i, due.AddDays(-30), due, 100+i*50+k)
				}
			}
			for _, f := range []struct{ kind, body string }{{"customers", cs.String()}, {"invoices", is.String()}} {
				if _, err := svc.Import(ctx, f.kind, strings.NewReader(f.body), service.ImportOptions{Filename: f.kind + ".csv"}); err != nil {
					t.Fatalf("import %s: %v", f.kind, err)
				}
			}
			runDays(t, ctx, svc, "2026-06-01", "2026-06-30")
			first := map[string]store.Message{}
			steps := map[string][]store.Message{}
			for _, m := range allMessages(t, ctx, svc) {
				if !strings.HasPrefix(m.DedupeKey, "ladder:") {
					continue
				}
				if _, ok := first[m.CustomerID]; !ok {
					first[m.CustomerID] = m
				}
				if m.Channel == "email" {
					steps[m.CustomerID] = append(steps[m.CustomerID], m)
				}
			}
			if len(first) != 40 {
				t.Fatalf("%d of 40 customers had a message in the first 30 days", len(first))
			}
			order := map[string]int{"overdue": 1, "firm": 2, "demand": 3, "final_notice": 4}
			for id, m := range first {
				if m.Step != "overdue" || !m.Context.StepOn.Equal(asOf) {
					t.Errorf("%s: first message %s of %s, want the overdue notice of %s", id, m.Step, m.Context.StepOn, asOf)
				}
				prev := store.Message{}
				for _, s := range steps[id] {
					if prev.ID != "" {
						if order[s.Step] < order[prev.Step] || s.Context.StepOn.DaysSince(prev.Context.StepOn) < 4 {
							t.Errorf("%s: %s of %s after %s of %s", id, s.Step, s.Context.StepOn, prev.Step, prev.Context.StepOn)
						}
					}
					prev = s
				}
			}
		})
	}
}

// A demand names what the policy itself does next (its ladder's
// fallback), never a generic threat: mediation here, not an agency.
func TestRun_DemandNamesThePolicysFallback(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	l := collect.DefaultLadder()
	l.Fallback = "mediation"
	if _, err := svc.CreatePolicy(ctx, service.PolicyInput{Segment: "mediate", Ladder: &l}); err != nil {
		t.Fatal(err)
	}
	bad := collect.DefaultLadder()
	bad.Fallback = "bailiffs"
	if _, err := svc.CreatePolicy(ctx, service.PolicyInput{Segment: "other", Ladder: &bad}); err == nil || !strings.Contains(err.Error(), "fallback") {
		t.Errorf("a fallback of bailiffs: %v, want an error naming ladder.fallback", err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "M", Email: "ap@m.example", Name: "Mediated Ltd", Kind: "business",
		Jurisdiction: "GB", TimeZone: "Europe/London", Segment: "mediate"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "M-1", CustomerID: "M", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: "900.00"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-05-02", "2026-05-31")
	demands := 0
	for _, m := range allMessages(t, ctx, svc) {
		if m.Step != "demand" {
			continue
		}
		demands++
		body := strings.Join(strings.Fields(m.Body), " ")
		if !strings.Contains(body, "refer the matter to an independent mediator") || strings.Contains(body, "collection agency") {
			t.Errorf("the demand does not name the policy's fallback (mediation):\n%s", m.Body)
		}
	}
	if demands == 0 {
		t.Fatal("no demand by +30")
	}
}

// Importance is measured, not only labelled: a customer holding 10% or
// more of the receivables in a currency (assess.KeyShare), and a large
// account there (the senior threshold: 8,000 GBP), is a key account
// whatever its segment — phoned by a senior agent before its firm
// reminder, whose mail follows 3 days later; a small customer's firm
// reminder goes at once (each holds 1%, and 100 GBP).
func TestRun_KeyAccountByShare(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	for _, c := range []struct{ ref, amount string }{{"BIG", "9000.00"}, {"SMALL", "100.00"}} {
		for i := range 10 {
			ref := c.ref
			if c.ref == "SMALL" {
				ref = fmt.Sprintf("SMALL%d", i)
			} else if i > 0 {
				break
			}
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: ref, Email: strings.ToLower(ref) + "@example.com", Name: ref + " Ltd",
				Kind: "business", Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + ref, CustomerID: ref, IssueDate: "2026-04-01", DueDate: "2026-05-01",
				Currency: "GBP", Amount: c.amount}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// BIG holds 9,000 of 10,000 GBP (90%); each SMALL customer 1%.
	runDays(t, ctx, svc, "2026-05-02", "2026-05-08") // overdue +3, firm +7 (Friday 8 May)
	firm := map[string]string{}
	for _, m := range allMessages(t, ctx, svc) {
		if m.Step == "firm" && m.Channel == "email" {
			c, _ := svc.Customer(ctx, m.CustomerID)
			firm[c.ExternalRef] = m.ScheduledFor.Format(time.DateOnly)
		}
	}
	if firm["BIG"] != "2026-05-11" || firm["SMALL0"] != "2026-05-08" {
		t.Errorf("firm reminders scheduled %v; want BIG's on 2026-05-11 (after its call), SMALL0's on 2026-05-08", firm)
	}
	calls := 0
	for _, k := range allTasks(t, ctx, svc) {
		c, _ := svc.Customer(ctx, k.CustomerID)
		if k.Queue == "tier2" && k.Kind == "call" {
			if c.ExternalRef != "BIG" {
				t.Errorf("a senior call for %s", c.ExternalRef)
			}
			calls++
		}
	}
	if calls != 1 {
		t.Errorf("%d senior calls, want 1 (BIG)", calls)
	}
}

// A key account's personal call is its account owner's: the senior call
// task of its firm step is claimed for the owner from the start; a key
// account without an owner leaves it open in the senior queue.
func TestRun_KeyAccountCallForTheOwner(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	owner, err := svc.CreateUser(ctx, service.UserInput{Email: "olivia@settle.example", Name: "Olivia Owner", Role: service.RoleAgent, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []service.CustomerInput{
		{ExternalRef: "OWNED", Owner: owner.ID},
		{ExternalRef: "NOBODY"},
	} {
		c.Name, c.Email, c.Kind, c.Jurisdiction, c.TimeZone, c.Segment = c.ExternalRef+" Ltd", strings.ToLower(c.ExternalRef)+"@example.com", "business", "GB", "Europe/London", "key_account"
		if _, err := svc.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "I-" + c.ExternalRef, CustomerID: c.ExternalRef, IssueDate: "2026-04-01", DueDate: "2026-05-01",
			Currency: "GBP", Amount: "900.00"}); err != nil {
			t.Fatal(err)
		}
	}
	runDays(t, ctx, svc, "2026-05-02", "2026-05-08") // firm at +7
	got := map[string]string{}
	for _, k := range allTasks(t, ctx, svc) {
		c, _ := svc.Customer(ctx, k.CustomerID)
		if k.Queue == "tier2" && k.Kind == "call" {
			got[c.ExternalRef] = k.Status + " " + k.ClaimedBy
		}
	}
	ownerID := service.UserActorID(owner.ID)
	if got["OWNED"] != "claimed "+ownerID || got["NOBODY"] != "open " {
		t.Errorf("senior calls %v; want OWNED's claimed by %s, NOBODY's open", got, ownerID)
	}
	// The call is the owner's: another agent may neither release nor
	// complete it; the owner (signed in, as the web and API name them)
	// completes it.
	var call store.Task
	for _, k := range allTasks(t, ctx, svc) {
		if k.Queue == "tier2" && k.Kind == "call" && k.ClaimedBy == ownerID {
			call = k
		}
	}
	other := service.WithActor(context.Background(), service.Actor{ID: service.UserActorID("usr_someone_else"), Role: service.RoleAgent})
	for _, action := range []string{"release", "complete"} {
		if _, err := svc.UpdateTask(other, call.ID, service.TaskUpdate{Action: action, Outcome: "no_answer"}); apperr.CodeOf(err) != apperr.Conflict {
			t.Errorf("another agent's %s of the owner's call: %v, want a conflict", action, err)
		}
	}
	mine := service.WithActor(context.Background(), service.Actor{ID: ownerID, Role: service.RoleAgent})
	if done, err := svc.UpdateTask(mine, call.ID, service.TaskUpdate{Action: "complete", Outcome: "no_answer"}); err != nil || done.Status != store.TaskDone {
		t.Errorf("the owner completes their call: %+v, %v", done, err)
	}
}
