package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// captureMailer keeps what was sent.
type captureMailer struct {
	mu   sync.Mutex
	sent []notify.Email
}

func (m *captureMailer) Send(_ context.Context, e notify.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

// statInterest is the UK Late Payment Act's simple interest on a balance
// in pence for a number of days at the Bank of England's 4.00% plus 8
// points, rounded half up to the penny: worked here apart from the code
// (balance × 12 × days / 36,500).
func statInterest(pence, days int64) int64 {
	n, d := pence*12*days, int64(36500)
	return (2*n + d) / (2 * d)
}

// A demand and a final notice claim the statutory compensation and
// interest; when the first message of each step is delivered, what it
// claimed is posted to the ledger as charges, exactly: the fixed sum once
// per invoice (£40 under £1,000, £70 under £10,000) and interest to the
// day, the final notice only the interest since the demand. The letter of
// the same step, posted later, posts nothing more; after the final notice
// nothing more accrues. Both engines.
func TestCharges_StatutoryClaimPosted(t *testing.T) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Date(2026, 5, 2, 9, 30, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			svc := service.New(testutil.EnginesAt(t, clock)[name](t), clock)
			svc.Creditor, svc.MailFrom = "Settle Demo Ltd", "collections@demo.example"
			ctx := testutil.Admin(context.Background())
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "FEE", Email: "ap@fee.example", Name: "Fee Works Ltd", Kind: "business",
				Jurisdiction: "GB", TimeZone: "Europe/London", Address: &service.AddressInput{Lines: []string{"1 Mill Lane"}, PostalCode: "LS1 4AP", City: "Leeds", Country: "GB"}}); err != nil {
				t.Fatal(err)
			}
			for _, inv := range []struct{ number, amount string }{{"FW-1", "800.00"}, {"FW-2", "5000.00"}} {
				if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: inv.number, CustomerID: "FEE", IssueDate: "2026-04-01", DueDate: "2026-05-01", Currency: "GBP", Amount: inv.amount}); err != nil {
					t.Fatal(err)
				}
			}
			mailer := &captureMailer{}
			due := civil.Date{Year: 2026, Month: 5, Day: 1}
			for d := (civil.Date{Year: 2026, Month: 5, Day: 2}); !d.After(civil.Date{Year: 2026, Month: 8, Day: 15}); d = d.AddDays(1) {
				mu.Lock()
				now = time.Date(d.Year, time.Month(d.Month), d.Day, 9, 30, 0, 0, time.UTC)
				mu.Unlock()
				if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
					t.Fatal(err)
				}
				if _, err := svc.DeliverEmails(ctx, mailer, "t", 50); err != nil {
					t.Fatal(err)
				}
				// The letters of the day are posted in the afternoon,
				// after the emails.
				var letters []string
				for _, m := range allMessages(t, ctx, svc) {
					if m.Channel == notify.ChannelLetter && m.Status == store.MessageQueued && !m.ScheduledFor.After(now) {
						letters = append(letters, m.ID)
					}
				}
				if len(letters) > 0 {
					if _, err := svc.MarkPosted(ctx, letters); err != nil {
						t.Fatal(err)
					}
				}
			}
			sentOn := map[string]civil.Date{}
			var payBy = map[string]civil.Date{}
			for _, m := range allMessages(t, ctx, svc) {
				if m.Channel == notify.ChannelEmail && m.Status == store.MessageSent && (m.Step == "demand" || m.Step == "final_notice") {
					if _, dup := sentOn[m.Step]; dup {
						t.Fatalf("two %s emails", m.Step)
					}
					sentOn[m.Step] = civil.Of(m.SentAt.In(mustLoc(t, "Europe/London")))
					payBy[m.Step] = m.Context.PayBy
				}
			}
			d1, d2 := sentOn["demand"], sentOn["final_notice"]
			if d1.IsZero() || d2.IsZero() {
				t.Fatalf("demand sent %v, final notice sent %v: want both", d1, d2)
			}
			days1, days2 := int64(d1.DaysSince(due)), int64(d2.DaysSince(due))
			want := []struct {
				number     string
				minor      int64
				issue, due civil.Date
			}{
				{"FW-1-F1", 40_00 + statInterest(800_00, days1), d1, payBy["demand"]},
				{"FW-2-F1", 70_00 + statInterest(5000_00, days1), d1, payBy["demand"]},
				{"FW-1-F2", statInterest(800_00, days2) - statInterest(800_00, days1), d2, payBy["final_notice"]},
				{"FW-2-F2", statInterest(5000_00, days2) - statInterest(5000_00, days1), d2, payBy["final_notice"]},
			}
			all, _, err := svc.Invoices(ctx, store.InvoiceFilter{CustomerID: "FEE", Page: store.Page{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			charges := map[string]ledger.Invoice{}
			var owed int64
			for _, inv := range all {
				owed += inv.Balance.Minor()
				if inv.IsCharge() {
					charges[inv.Number] = inv
				}
			}
			if len(charges) != len(want) {
				t.Errorf("charges %v, want %d (FW-1/2-F1 at the demand, -F2 at the final notice, nothing after)", keysOf(charges), len(want))
			}
			var sum1, sum2 int64
			for i, w := range want {
				got, ok := charges[w.number]
				if !ok {
					t.Errorf("no charge %s", w.number)
					continue
				}
				if got.Amount.Minor() != w.minor || got.Amount.Currency() != "GBP" || got.IssueDate != w.issue || got.DueDate != w.due || got.Charge != ledger.ChargeStatutory {
					t.Errorf("charge %s: %s %s issued %s due %s (%s), want %d pence issued %s due %s", w.number, got.Amount, got.Amount.Currency(), got.IssueDate, got.DueDate, got.Charge, w.minor, w.issue, w.due)
				}
				if i < 2 {
					sum1 += w.minor
				} else {
					sum2 += w.minor
				}
			}
			if wantOwed := int64(5800_00) + sum1 + sum2; owed != wantOwed {
				t.Errorf("owed %d pence, want %d (the invoices and the charges)", owed, wantOwed)
			}
			// What the emails said: the demand its claim; the final notice
			// the demand's claim still owed and its own.
			for step, fee := range map[string]int64{"demand": sum1, "final_notice": sum1 + sum2} {
				text := ""
				for _, m := range allMessages(t, ctx, svc) {
					if m.Step != step || m.Channel != notify.ChannelEmail {
						continue
					}
					for _, e := range mailer.sent {
						if e.MessageID == "<"+m.ID+"@settle>" {
							text = strings.Join(strings.Fields(e.Text), " ")
						}
					}
				}
				wantFee := fmt.Sprintf("Fees and interest: %d.%02d GBP", fee/100, fee%100)
				if !strings.Contains(strings.ReplaceAll(text, ",", ""), wantFee) || !strings.Contains(text, "Late Payment of Commercial Debts (Interest) Act 1998") {
					t.Errorf("the %s email does not state fees and interest of %s:\n%s", step, wantFee, text)
				}
			}
		})
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// A plan's late fee is posted to the ledger for each installment missed
// up to the plan's default, once, whatever the number of runs; none for
// the installments that fall due after it. Four monthly installments of
// 100.00 from 1 March, grace 5 days, default at the 2nd miss, fee 15.00,
// nothing paid: #1 missed 7 Mar, #2 missed 7 Apr (the default); #3 and
// #4 fall due after it. Two fees, 30.00.
func TestCharges_LateFeesUpToDefault(t *testing.T) {
	svc := service.New(testutil.SQLite(t), testutil.Clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "LF", Email: "lf@example.com", Name: "Lee Fenwick", Kind: "consumer",
		Jurisdiction: "GB", TimeZone: "Europe/London"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "LF-1", CustomerID: "LF", IssueDate: "2026-01-01", DueDate: "2026-02-01", Currency: "GBP", Amount: "400.00"}); err != nil {
		t.Fatal(err)
	}
	grace, after := 5, 2
	pv, err := svc.CreatePlan(ctx, service.PlanInput{CustomerID: "LF", InvoiceIDs: []string{"LF-1"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 4, Frequency: "monthly", StartDate: "2026-03-01", AsOf: "2026-02-10", GraceDays: &grace, DefaultAfterMissed: &after, LateFee: "15.00"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AcceptPlan(ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Lee Fenwick", Channel: "phone"}); err != nil {
		t.Fatal(err)
	}
	runDays(t, ctx, svc, "2026-02-11", "2026-07-10")
	runDays(t, ctx, svc, "2026-07-01", "2026-07-10") // again: nothing twice
	all, _, err := svc.Invoices(ctx, store.InvoiceFilter{CustomerID: "LF", Page: store.Page{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var owed int64
	for _, inv := range all {
		owed += inv.Balance.Minor()
		if inv.IsCharge() {
			got = append(got, fmt.Sprintf("%s %s %s issued %s", inv.Charge, strings.TrimPrefix(inv.Number, pv.BankRef), inv.Amount, inv.IssueDate))
		}
	}
	want := []string{"late_fee -LF1 15.00 issued 2026-03-07", "late_fee -LF2 15.00 issued 2026-04-07"}
	slicesSort(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("charges:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if owed != 430_00 {
		t.Errorf("owed %d pence, want 43000 (400.00 and two fees of 15.00)", owed)
	}
}

func slicesSort(s []string) { slices.Sort(s) }

// An invoice that falls overdue while its customer's case is at a later
// step joins the case, but the earlier steps were not about it: the next
// message says "despite our reminders of <dates>" of the invoice those
// reminders named, and names the new one as overdue as well — never the
// reminders as if they had been about it.
func TestRun_NewInvoiceJoinsCaseTruthfully(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 2, 9, 30, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	svc := service.New(testutil.SQLiteAt(t, clock), clock)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "NJ", Email: "ap@nj.example", Name: "New Join Ltd", Kind: "business",
		Jurisdiction: "US", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	for _, inv := range []struct{ number, due string }{{"NJ-1", "2026-05-01"}, {"NJ-2", "2026-05-20"}} {
		if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: inv.number, CustomerID: "NJ", IssueDate: "2026-04-01", DueDate: inv.due, Currency: "USD", Amount: "700.00"}); err != nil {
			t.Fatal(err)
		}
	}
	mailer := &captureMailer{}
	for d := (civil.Date{Year: 2026, Month: 5, Day: 2}); !d.After(civil.Date{Year: 2026, Month: 6, Day: 20}); d = d.AddDays(1) {
		mu.Lock()
		now = time.Date(d.Year, time.Month(d.Month), d.Day, 15, 0, 0, 0, time.UTC) // 11:00 in New York
		mu.Unlock()
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeliverEmails(ctx, mailer, "t", 50); err != nil {
			t.Fatal(err)
		}
	}
	// The escalation emails in the order sent, with the invoices each was about.
	ny := mustLoc(t, "America/New_York")
	type sent struct {
		step, on string
		numbers  []string
		text     string
	}
	var list []sent
	for _, e := range mailer.sent {
		for _, m := range allMessages(t, ctx, svc) {
			if e.MessageID == "<"+m.ID+"@settle>" && m.Status == store.MessageSent {
				list = append(list, sent{m.Step, m.SentAt.In(ny).Format("2 January 2006"), m.InvoiceNumbers, strings.Join(strings.Fields(e.Text), " ")})
			}
		}
	}
	checked := 0
	for i, s := range list {
		if !slices.Contains(s.numbers, "NJ-2") || !slices.Contains(s.numbers, "NJ-1") {
			continue
		}
		// The earlier escalation steps that named NJ-2, and those that did not.
		namedTwo := false
		var before []string
		for _, e := range list[:i] {
			if e.step == "reminder" || e.step == "due_today" {
				continue
			}
			before = append(before, e.on)
			namedTwo = namedTwo || slices.Contains(e.numbers, "NJ-2")
		}
		if namedTwo || len(before) == 0 {
			continue
		}
		checked++
		if strings.Contains(s.text, "the invoices below remain") || !strings.Contains(s.text, "invoice NJ-1 remains unpaid. Invoice NJ-2 is now overdue as well.") {
			t.Errorf("%s of %s, the first to name NJ-2 after steps of %v about NJ-1 only:\n%s", s.step, s.on, before, s.text)
		}
		if !strings.Contains(s.text, before[0]) {
			t.Errorf("%s of %s does not name the first reminder (%s):\n%s", s.step, s.on, before[0], s.text)
		}
		break
	}
	if checked == 0 {
		var steps []string
		for _, s := range list {
			steps = append(steps, fmt.Sprintf("%s %s %v", s.on, s.step, s.numbers))
		}
		t.Fatalf("no message named NJ-2 after steps about NJ-1 alone:\n%s", strings.Join(steps, "\n"))
	}
}
