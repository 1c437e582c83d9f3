package service_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/payments/stripemock"
	"settle/internal/payments/stripepay"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// onlineFixture is a customer A (Berlin, EUR) on 15 May 2026 with three
// open invoices — A-1 300.00 (due 1 Mar), A-2 100.00 (due 15 Apr), A-3
// 50.00 (due 30 Apr) — and an active plan over A-1: 3 × 100.00 due 1 Jun,
// 1 Jul and 1 Aug, early payoff discount 2%. Online payments go through
// stripepay pointed at stripe-mock; outcomes come from events the test
// signs with the endpoint secret.
type onlineFixture struct {
	svc    *service.Service
	st     store.Store
	clock  *clockAt
	ctx    context.Context // admin
	portal *service.PortalSession
	planID string
	cus    string // A's id
	events atomic.Int64
}

func newOnlineFixture(t *testing.T) *onlineFixture {
	t.Helper()
	mock := stripemock.URL(t)
	clock := &clockAt{t: time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.now)
	svc := service.New(st, clock.now)
	svc.PortalURL = "https://pay.example.com"
	none := int64(0)
	sp, err := stripepay.New(stripepay.Config{SecretKey: stripemock.SecretKey, WebhookSecret: stripemock.WebhookSecret, URL: mock,
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, MaxNetworkRetries: &none})
	if err != nil {
		t.Fatal(err)
	}
	svc.EnableOnlinePayments(service.OnlineDeps{Provider: sp})
	f := &onlineFixture{svc: svc, st: st, clock: clock, ctx: testutil.Admin(context.Background())}
	c, err := svc.CreateCustomer(f.ctx, service.CustomerInput{ExternalRef: "A", Name: "Anna Arden", Email: "anna@example.com", Kind: "consumer",
		Jurisdiction: "DE", TimeZone: "Europe/Berlin", Locale: "en-GB"})
	if err != nil {
		t.Fatal(err)
	}
	f.cus = c.ID
	for _, inv := range []service.InvoiceInput{
		{Number: "A-1", CustomerID: "A", IssueDate: "2026-02-01", DueDate: "2026-03-01", Currency: "EUR", Amount: "300.00"},
		{Number: "A-2", CustomerID: "A", IssueDate: "2026-03-01", DueDate: "2026-04-15", Currency: "EUR", Amount: "100.00"},
		{Number: "A-3", CustomerID: "A", IssueDate: "2026-03-31", DueDate: "2026-04-30", Currency: "EUR", Amount: "50.00"},
	} {
		if _, err := svc.CreateInvoice(f.ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	pv, err := svc.CreatePlan(f.ctx, service.PlanInput{CustomerID: "A", InvoiceIDs: []string{"A-1"}, PlanTermsInput: service.PlanTermsInput{
		Installments: 3, Frequency: "monthly", StartDate: "2026-06-01", EarlyPayoffDiscount: "0.02"}})
	if err != nil {
		t.Fatal(err)
	}
	var sched []string
	for _, in := range pv.Plan.Installments {
		sched = append(sched, in.DueDate.String()+" "+in.Amount.String())
	}
	if got := strings.Join(sched, ", "); got != "2026-06-01 100.00, 2026-07-01 100.00, 2026-08-01 100.00" {
		t.Fatalf("schedule %s", got)
	}
	if _, err := svc.AcceptPlan(f.ctx, pv.Plan.ID, service.AcceptInput{AcceptedBy: "Anna Arden", Channel: "portal"}); err != nil {
		t.Fatal(err)
	}
	f.planID = pv.Plan.ID
	l, err := svc.CreatePortalLink(f.ctx, "A", 0, "https://pay.example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.portal = session(t, svc, l.Token)
	return f
}

// at moves the clock to 10:00 UTC on day d.
func (f *onlineFixture) at(t *testing.T, d string) {
	t.Helper()
	f.clock.mu.Lock()
	dd := mustDate(t, d)
	f.clock.t = time.Date(dd.Year, dd.Month, dd.Day, 10, 0, 0, 0, time.UTC)
	f.clock.mu.Unlock()
}

// send signs an event about object and delivers it.
func (f *onlineFixture) send(t *testing.T, typ string, object map[string]any) (*service.WebhookResult, []byte, string) {
	t.Helper()
	id := fmt.Sprintf("evt_test_%d", f.events.Add(1))
	body := stripemock.Event(id, typ, f.clock.now(), object)
	sig := stripemock.Sign(body, stripemock.WebhookSecret)
	res, err := f.svc.HandleOnlineWebhook(context.Background(), body, sig)
	if err != nil {
		t.Fatalf("%s: %v", typ, err)
	}
	return res, body, sig
}

// intents lists A's online intents, newest first.
func (f *onlineFixture) intents(t *testing.T, filter store.OnlineIntentFilter) []store.OnlineIntent {
	t.Helper()
	if filter.CustomerID == "" && filter.PlanID == "" {
		filter.CustomerID = f.cus
	}
	var out []store.OnlineIntent
	if err := f.st.ReadTx(context.Background(), func(tx store.Tx) (err error) { out, err = tx.OnlineIntents(context.Background(), filter); return err }); err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *onlineFixture) invoice(t *testing.T, number string) *ledger.Invoice {
	t.Helper()
	inv, err := f.svc.Invoice(f.ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (f *onlineFixture) payments(t *testing.T) []service.PaymentView {
	t.Helper()
	list, _, err := f.svc.Payments(f.ctx, store.PaymentFilter{CustomerID: "A", Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// snapshot is everything a webhook may write, to compare before and after:
// the store's row counts, the customer's tasks and messages, every
// intent's state and the disputes.
func (f *onlineFixture) snapshot(t *testing.T) string {
	t.Helper()
	tasks, _, err := f.svc.Tasks(f.ctx, store.TaskFilter{CustomerID: f.cus, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	msgs, _, err := f.svc.Messages(f.ctx, store.MessageFilter{CustomerID: f.cus, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	act, err := f.svc.OnlineActivity(f.ctx, "A", "")
	if err != nil {
		t.Fatal(err)
	}
	out := fmt.Sprintf("%v tasks=%d messages=%d disputes=%d", testutil.Counts(t, f.st), len(tasks), len(msgs), len(act.Disputes))
	for _, it := range act.Intents {
		out += fmt.Sprintf(" %s:%s:%s:%s", it.ID, it.Status, it.PaymentID, it.Review)
	}
	for _, d := range act.Disputes {
		out += " " + d.ID + ":" + d.Status
	}
	return out
}

func (f *onlineFixture) planStatus(t *testing.T, asOf string) *service.PlanView {
	t.Helper()
	v, err := f.svc.Plan(f.ctx, f.planID, mustDate(t, asOf))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func cents(n int) int { return n * 100 }

func TestOnline_NotConfigured(t *testing.T) {
	svc, _, _, ctx := portalFixture(t)
	p := session(t, svc, link(t, svc, ctx, "A", 0).Token)
	if svc.OnlinePayments() {
		t.Fatal("online payments on without a provider")
	}
	if _, err := svc.PortalPayOptions(context.Background(), p); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("pay options: %v, want NotFound", err)
	}
	if _, err := svc.PortalCheckout(context.Background(), p, service.PayInput{Kind: "balance", Ref: "EUR"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("checkout: %v, want NotFound", err)
	}
	if _, err := svc.HandleOnlineWebhook(context.Background(), []byte("{}"), ""); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("webhook: %v, want NotFound", err)
	}
	if rep, err := svc.ChargeAutopay(ctx, mustDate(t, "2026-06-01")); err != nil || rep.Charged != 0 {
		t.Errorf("autopay: %+v %v", rep, err)
	}
}

// TestOnline_PayOptions: what the portal offers on 15 May, by hand.
func TestOnline_PayOptions(t *testing.T) {
	f := newOnlineFixture(t)
	opts, err := f.svc.PortalPayOptions(context.Background(), f.portal)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range opts {
		s := fmt.Sprintf("%s %s", o.Kind, o.Amount)
		if o.Payoff != nil {
			s += fmt.Sprintf(" (remaining %s, interest %s, discount %s at %s)", o.Payoff.Remaining, o.Payoff.Interest, o.Payoff.Discount, o.Payoff.Rate)
		}
		got = append(got, s)
	}
	// Next installment: #1, 100.00. Payoff: 300.00 left, no interest,
	// 2% of 300.00 = 6.00 off → 294.00. Invoices outside the plan: A-2
	// 100.00, A-3 50.00. The whole balance: 300 + 100 + 50 = 450.00.
	want := []string{"installment 100.00", "payoff 294.00 (remaining 300.00, interest 0.00, discount 6.00 at 0.02)",
		"invoice 100.00", "invoice 50.00", "balance 450.00"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("options:\n got %s\nwant %s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
}

// TestOnline_InvoicePaidByCheckout: a checkout for A-2, the two events
// Stripe sends for it (one payment between them), a duplicate delivery
// (nothing changes), and bad signatures (refused, nothing recorded).
func TestOnline_InvoicePaidByCheckout(t *testing.T) {
	f := newOnlineFixture(t)
	a2 := f.invoice(t, "A-2")
	url, err := f.svc.PortalCheckout(context.Background(), f.portal, service.PayInput{Kind: store.IntentInvoice, Ref: a2.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "https://checkout.stripe.com/") {
		t.Errorf("url %q", url)
	}
	its := f.intents(t, store.OnlineIntentFilter{})
	if len(its) != 1 || its[0].Status != store.IntentOpen || !strings.HasPrefix(its[0].SessionID, "cs_") || its[0].Amount.String() != "100.00" || its[0].InvoiceID != a2.ID {
		t.Fatalf("intent %+v", its)
	}
	it := its[0]
	f.at(t, "2026-05-16")
	session := map[string]any{"id": it.SessionID, "object": "checkout.session", "mode": "payment", "payment_status": "paid",
		"amount_total": cents(100), "currency": "eur", "payment_intent": "pi_A2", "metadata": map[string]string{"settle_intent": it.ID}}
	res, body, sig := f.send(t, "checkout.session.completed", session)
	if res.Duplicate || !strings.Contains(res.Outcome, "payment pay_") {
		t.Fatalf("completed: %+v", res)
	}
	if inv := f.invoice(t, "A-2"); inv.Status() != ledger.StatusPaid {
		t.Errorf("A-2 %s with %s open, want paid", inv.Status(), inv.Balance)
	}
	pays := f.payments(t)
	if len(pays) != 1 || pays[0].Payment.Amount.String() != "100.00" || pays[0].Payment.InvoiceID != a2.ID || pays[0].Payment.Method != "stripe" ||
		pays[0].Payment.Reference != "pi_A2" || pays[0].Payment.ReceivedOn.String() != "2026-05-16" {
		t.Fatalf("payments %+v", pays)
	}
	before := f.snapshot(t)
	// Stripe's other event about the same money.
	res, _, _ = f.send(t, "payment_intent.succeeded", map[string]any{"id": "pi_A2", "object": "payment_intent", "amount": cents(100),
		"amount_received": cents(100), "currency": "eur", "status": "succeeded", "metadata": map[string]string{"settle_intent": it.ID}})
	if !strings.Contains(res.Outcome, "recorded already") {
		t.Errorf("second event: %+v", res)
	}
	// The first event delivered again.
	again, err := f.svc.HandleOnlineWebhook(context.Background(), body, sig)
	if err != nil || !again.Duplicate {
		t.Errorf("redelivery: %+v %v", again, err)
	}
	if after := f.snapshot(t); after != before || len(f.payments(t)) != 1 {
		t.Errorf("state moved:\n before %v\n after  %v", before, after)
	}
	// Bad signatures: refused (the handler answers 400), nothing recorded.
	before = f.snapshot(t)
	forged := stripemock.Event("evt_forged", "payment_intent.succeeded", f.clock.now(), map[string]any{"id": "pi_X", "object": "payment_intent",
		"amount_received": cents(50), "currency": "eur", "metadata": map[string]string{"settle_customer": f.cus}})
	for name, header := range map[string]string{"unsigned": "", "wrong secret": stripemock.Sign(forged, "whsec_other"),
		"signed for another body": sig} {
		_, err := f.svc.HandleOnlineWebhook(context.Background(), forged, header)
		if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || len(e.Fields) == 0 || e.Fields[0].Field != "Stripe-Signature" {
			t.Errorf("%s: %v, want Invalid naming Stripe-Signature", name, err)
		}
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("a refused webhook wrote:\n before %v\n after  %v", before, after)
	}
}

// TestOnline_HeldForReview: money that does not match what it was asked
// for is recorded on account with a review task; money from nobody settle
// knows is not booked.
func TestOnline_HeldForReview(t *testing.T) {
	f := newOnlineFixture(t)
	a3 := f.invoice(t, "A-3")
	if _, err := f.svc.PortalCheckout(context.Background(), f.portal, service.PayInput{Kind: store.IntentInvoice, Ref: a3.ID}); err != nil {
		t.Fatal(err)
	}
	it := f.intents(t, store.OnlineIntentFilter{})[0]
	// 40.00 arrives for a page that asked 50.00.
	res, _, _ := f.send(t, "payment_intent.succeeded", map[string]any{"id": "pi_short", "object": "payment_intent", "amount_received": cents(40),
		"currency": "eur", "status": "succeeded", "metadata": map[string]string{"settle_intent": it.ID}})
	if !strings.HasPrefix(res.Outcome, "held for review") {
		t.Fatalf("outcome %q", res.Outcome)
	}
	it = f.intents(t, store.OnlineIntentFilter{})[0]
	if it.Status != store.IntentPaid || it.PaymentID == "" || !strings.Contains(it.Review, "received 40.00 EUR; the payment asked for 50.00 EUR") {
		t.Errorf("intent %+v", it)
	}
	pays := f.payments(t)
	if len(pays) != 1 || pays[0].Payment.Amount.String() != "40.00" || pays[0].Payment.InvoiceID != "" {
		t.Fatalf("payments %+v", pays)
	}
	// On account: the ledger applies it oldest due first — A-1 (due 1 Mar).
	if len(pays[0].Allocations) != 1 || pays[0].Allocations[0].Amount.String() != "40.00" || f.invoice(t, "A-1").Balance.String() != "260.00" {
		t.Errorf("allocations %+v, A-1 balance %s", pays[0].Allocations, f.invoice(t, "A-1").Balance)
	}
	tasks, _, err := f.svc.Tasks(f.ctx, store.TaskFilter{CustomerID: f.cus})
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 || tasks[0].Kind != "review" || !strings.Contains(tasks[0].Reason, pays[0].Payment.ID) {
		t.Errorf("tasks %+v", tasks)
	}
	act, err := f.svc.OnlineActivity(f.ctx, "A", "")
	if err != nil || len(act.Held) != 1 {
		t.Errorf("activity held %d, %v", len(act.Held), err)
	}
	// Money from a Stripe customer settle does not know: not booked, but
	// the event is kept with what it was.
	before := f.snapshot(t)
	res, _, _ = f.send(t, "payment_intent.succeeded", map[string]any{"id": "pi_stranger", "object": "payment_intent", "amount_received": cents(75),
		"currency": "eur", "customer": "cus_stranger", "status": "succeeded"})
	if !strings.HasPrefix(res.Outcome, "unmatched: 75.00 EUR") {
		t.Errorf("stranger: %q", res.Outcome)
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("stranger's money was booked:\n before %v\n after  %v", before, after)
	}
	var ev *store.OnlineEvent
	if err := f.st.ReadTx(context.Background(), func(tx store.Tx) (err error) {
		ev, err = tx.OnlineEvent(context.Background(), "stripe", res.EventID)
		return err
	}); err != nil || ev.Outcome != res.Outcome {
		t.Errorf("event record %+v %v", ev, err)
	}
}

// TestOnline_Payoff: paying the payoff (294.00) completes the plan: 6.00
// is waived by a credit note on A-1 and counted by the plan's tracking.
func TestOnline_Payoff(t *testing.T) {
	f := newOnlineFixture(t)
	if _, err := f.svc.PortalCheckout(context.Background(), f.portal, service.PayInput{Kind: store.IntentPayoff, Ref: f.planID}); err != nil {
		t.Fatal(err)
	}
	it := f.intents(t, store.OnlineIntentFilter{})[0]
	if it.Amount.String() != "294.00" || it.Waived.String() != "6.00" || it.PlanID != f.planID {
		t.Fatalf("intent %+v", it)
	}
	res, _, _ := f.send(t, "checkout.session.completed", map[string]any{"id": it.SessionID, "object": "checkout.session", "mode": "payment",
		"payment_status": "paid", "amount_total": 29400, "currency": "eur", "payment_intent": "pi_payoff", "metadata": map[string]string{"settle_intent": it.ID}})
	if !strings.Contains(res.Outcome, "6.00 waived") {
		t.Fatalf("outcome %q", res.Outcome)
	}
	// 294.00 paid + 6.00 credited = 300.00: A-1 paid, the plan complete.
	if a1 := f.invoice(t, "A-1"); a1.Status() != ledger.StatusPaid {
		t.Errorf("A-1 %s, %s open", a1.Status(), a1.Balance)
	}
	v := f.planStatus(t, "2026-05-15")
	if v.Status != plan.Completed || v.Tracking.CompletedOn.String() != "2026-05-15" {
		t.Errorf("plan %s (completed on %s)", v.Status, v.Tracking.CompletedOn)
	}
	// are untouched: the payoff paid the plan only.
	if f.invoice(t, "A-2").Balance.String() != "100.00" || f.invoice(t, "A-3").Balance.String() != "50.00" {
		t.Errorf("A-2 %s, A-3 %s", f.invoice(t, "A-2").Balance, f.invoice(t, "A-3").Balance)
	}
	var cns int
	for _, p := range f.payments(t) {
		if p.Payment.Kind == ledger.KindCreditNote {
			cns++
			if p.Payment.Amount.String() != "6.00" || p.Payment.Method != "early_payoff" {
				t.Errorf("credit note %+v", p.Payment)
			}
		}
	}
	if cns != 1 {
		t.Errorf("%d credit notes, want 1", cns)
	}
}

// TestOnline_Autopay: saving a card for the plan, then the daily run
// charges each installment on its due date: #1 paid; #2 declined on
// 1 Jul (the customer is told, retried on 4 Jul = due + 3) and paid then;
// #3 paid on 1 Aug, completing the plan. A duplicate webhook changes
// nothing; a rerun of a date charges nothing twice.
func TestOnline_Autopay(t *testing.T) {
	f := newOnlineFixture(t)
	obs := &recorder{}
	f.svc.Metrics = obs
	url, err := f.svc.PortalAutopaySetup(context.Background(), f.portal, f.planID)
	if err != nil || url == "" {
		t.Fatalf("setup: %q %v", url, err)
	}
	setup := f.intents(t, store.OnlineIntentFilter{Kind: store.IntentSetup})[0]
	var stripeCus string
	if err := f.st.ReadTx(context.Background(), func(tx store.Tx) (err error) {
		stripeCus, err = tx.OnlineCustomer(context.Background(), "stripe", f.cus)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The session completes first; its SetupIntent (read from stripe-mock,
	// whose fixture has no payment method yet) saves nothing.
	res, _, _ := f.send(t, "checkout.session.completed", map[string]any{"id": setup.SessionID, "object": "checkout.session", "mode": "setup",
		"setup_intent": "seti_123", "customer": stripeCus, "metadata": map[string]string{"settle_intent": setup.ID}})
	if res.Outcome != "set-up without a payment method yet" {
		t.Errorf("setup session: %q", res.Outcome)
	}
	// A method of another Stripe customer is refused.
	res, _, _ = f.send(t, "setup_intent.succeeded", map[string]any{"id": "seti_123", "object": "setup_intent", "status": "succeeded",
		"payment_method": "pm_evil", "customer": "cus_someone_else", "metadata": map[string]string{"settle_intent": setup.ID}})
	if !strings.HasPrefix(res.Outcome, "refused") {
		t.Errorf("foreign method: %q", res.Outcome)
	}
	res, _, _ = f.send(t, "setup_intent.succeeded", map[string]any{"id": "seti_123", "object": "setup_intent", "status": "succeeded",
		"payment_method": "pm_card_visa", "customer": stripeCus, "metadata": map[string]string{"settle_intent": setup.ID}})
	if res.Outcome != "autopay on for plan "+f.planID {
		t.Fatalf("setup intent: %q", res.Outcome)
	}
	on, err := f.svc.PortalAutopay(context.Background(), f.portal, f.planID)
	if err != nil || !on {
		t.Fatalf("autopay on: %v %v", on, err)
	}

	run := func(day string) {
		t.Helper()
		f.at(t, day)
		if _, err := f.svc.StartRun(f.ctx, service.RunInput{AsOf: day}); err != nil {
			t.Fatalf("run %s: %v", day, err)
		}
	}
	attempts := func() []store.OnlineIntent {
		return f.intents(t, store.OnlineIntentFilter{PlanID: f.planID, Kind: store.IntentAutopay})
	}
	succeed := func(it store.OnlineIntent) *service.WebhookResult {
		res, _, _ := f.send(t, "payment_intent.succeeded", map[string]any{"id": it.PaymentIntentID, "object": "payment_intent",
			"amount": it.Amount.Minor(), "amount_received": it.Amount.Minor(), "currency": "eur", "status": "succeeded", "customer": stripeCus,
			"payment_method": "pm_card_visa", "metadata": map[string]string{"settle_intent": it.ID}})
		return res
	}

	// The reminder three days before the first installment says the money
	// will be collected, and asks for no payment.
	run("2026-05-29")
	reminders := 0
	for _, m := range allMessages(t, f.ctx, f.svc) {
		if m.Step != "installment_reminder" || m.Channel != "email" {
			continue
		}
		reminders++
		body := strings.Join(strings.Fields(m.Body), " ")
		if !strings.Contains(body, "automatically from your saved payment method on 1 June 2026. There is nothing you need to do") ||
			strings.Contains(body, "Please pay") || strings.Contains(body, "How to pay") || strings.Contains(body, "Pay online") {
			t.Errorf("the autopay installment's reminder asks for a payment or does not say it is collected:\n%s", m.Body)
		}
	}
	if reminders != 1 {
		t.Errorf("%d installment reminders on 29 May, want 1", reminders)
	}
	run("2026-05-31") // nothing due yet
	if n := len(attempts()); n != 0 {
		t.Fatalf("%d attempts before the first due date", n)
	}
	run("2026-06-01")
	a := attempts()
	if len(a) != 1 || a[0].InstallmentSeq != 1 || a[0].Attempt != 1 || a[0].Status != store.IntentPending || a[0].Amount.String() != "100.00" ||
		!strings.HasPrefix(a[0].PaymentIntentID, "pi_") || a[0].DedupeKey != "autopay:"+f.planID+":1:1" {
		t.Fatalf("after 1 Jun: %+v", a)
	}
	run("2026-06-01") // the same date again: the attempt is pending, nothing new
	if n := len(attempts()); n != 1 {
		t.Fatalf("rerun: %d attempts", n)
	}
	first := succeed(a[0])
	if !strings.Contains(first.Outcome, "100.00 EUR for autopay") {
		t.Errorf("#1 paid: %q", first.Outcome)
	}

	run("2026-07-01")
	a = attempts()
	if len(a) != 2 || a[0].InstallmentSeq != 2 || a[0].Status != store.IntentPending {
		t.Fatalf("after 1 Jul: %+v", a)
	}
	res, _, _ = f.send(t, "payment_intent.payment_failed", map[string]any{"id": a[0].PaymentIntentID, "object": "payment_intent", "amount": 10000,
		"amount_received": 0, "currency": "eur", "status": "requires_payment_method", "metadata": map[string]string{"settle_intent": a[0].ID},
		"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}})
	if !strings.Contains(res.Outcome, "next attempt 2026-07-04") {
		t.Errorf("#2 declined: %q", res.Outcome)
	}
	msgs, _, err := f.svc.Messages(f.ctx, store.MessageFilter{CustomerID: f.cus, Page: store.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	var told []store.Message
	for _, m := range msgs {
		if m.Step == "autopay_failed" {
			told = append(told, m)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0].Body, "insufficient_funds") || !strings.Contains(told[0].Body, "try again on 4") ||
		!strings.Contains(told[0].Body, "/contact") {
		t.Fatalf("failure messages: %d %+v", len(told), told)
	}
	run("2026-07-02") // not yet: the retry is on 4 July
	run("2026-07-03")
	if n := len(attempts()); n != 2 {
		t.Fatalf("before the retry date: %d attempts", n)
	}
	run("2026-07-04")
	a = attempts()
	if len(a) != 3 || a[0].InstallmentSeq != 2 || a[0].Attempt != 2 || a[0].DedupeKey != "autopay:"+f.planID+":2:2" {
		t.Fatalf("after 4 Jul: %+v", a)
	}
	succeed(a[0])

	run("2026-08-01")
	a = attempts()
	if len(a) != 4 || a[0].InstallmentSeq != 3 {
		t.Fatalf("after 1 Aug: %+v", a)
	}
	last := succeed(a[0])
	// A duplicate delivery of the last event (a new delivery, same id).
	before := f.snapshot(t)
	body := stripemock.Event(fmt.Sprintf("evt_test_%d", f.events.Load()), "payment_intent.succeeded", f.clock.now(), map[string]any{
		"id": a[0].PaymentIntentID, "object": "payment_intent", "amount_received": 10000, "currency": "eur", "metadata": map[string]string{"settle_intent": a[0].ID}})
	dup, err := f.svc.HandleOnlineWebhook(context.Background(), body, stripemock.Sign(body, stripemock.WebhookSecret))
	if err != nil || !dup.Duplicate || last.Duplicate {
		t.Errorf("duplicate: %+v %v", dup, err)
	}
	if after := f.snapshot(t); after != before {
		t.Errorf("a duplicate wrote:\n before %v\n after  %v", before, after)
	}
	run("2026-08-02") // nothing left to charge
	if n := len(attempts()); n != 4 {
		t.Errorf("after the plan: %d attempts", n)
	}
	// 100 + 100 + 100 = 300.00 by autopay: A-1 paid, the plan completed on 1 Aug.
	var total int64
	for _, p := range f.payments(t) {
		if p.Payment.Method == "stripe" {
			total += p.Payment.Amount.Minor()
		}
	}
	v := f.planStatus(t, "2026-08-02")
	if total != 30000 || v.Status != plan.Completed || v.Tracking.CompletedOn.String() != "2026-08-01" || f.invoice(t, "A-1").Status() != ledger.StatusPaid {
		t.Errorf("paid %d cents; plan %s on %s", total, v.Status, v.Tracking.CompletedOn)
	}
	act, err := f.svc.OnlineActivity(f.ctx, "", f.planID)
	if err != nil || act.Mandate == nil || act.Mandate.PaymentMethod != "pm_card_visa" || len(act.Failed) != 1 {
		t.Errorf("plan activity: %+v %v", act, err)
	}
	// The observer (metrics): four charges, each pending at stripe-mock
	// (1 Jun, 1 Jul, 4 Jul, 1 Aug); nine runs did work (29 May, 31 May,
	// 1 Jun, 1-4 Jul, 1-2 Aug; the second 1 Jun found its run done), none
	// failed.
	if a := obs.autopay; a.Charged != 4 || a.Pending != 4 || a.Succeeded != 0 || a.Failed != 0 || obs.autopayErr != 0 {
		t.Errorf("observed autopay %+v, %d errors; want 4 charged, 4 pending", obs.autopay, obs.autopayErr)
	}
	if len(obs.runs) != 9 {
		t.Errorf("observed %d runs, want 9", len(obs.runs))
	}
	for _, err := range obs.runs {
		if err != nil {
			t.Errorf("observed a failed run: %v", err)
		}
	}
}

// TestOnline_AutopayGivesUp: three declines (1 Jun, 4 Jun, 8 Jun) and the
// run stops trying; an agent gets a call task.
func TestOnline_AutopayGivesUp(t *testing.T) {
	f := newOnlineFixture(t)
	if _, err := f.svc.PortalAutopaySetup(context.Background(), f.portal, f.planID); err != nil {
		t.Fatal(err)
	}
	setup := f.intents(t, store.OnlineIntentFilter{Kind: store.IntentSetup})[0]
	f.send(t, "setup_intent.succeeded", map[string]any{"id": "seti_9", "object": "setup_intent", "payment_method": "pm_1",
		"metadata": map[string]string{"settle_intent": setup.ID}})
	decline := func(day string, attempt int, want string) {
		t.Helper()
		f.at(t, day)
		if _, err := f.svc.StartRun(f.ctx, service.RunInput{AsOf: day}); err != nil {
			t.Fatal(err)
		}
		a := f.intents(t, store.OnlineIntentFilter{PlanID: f.planID, Kind: store.IntentAutopay})
		if len(a) != attempt || a[0].Attempt != attempt || a[0].Status != store.IntentPending {
			t.Fatalf("%s: %d attempts, latest %+v", day, len(a), a[0])
		}
		res, _, _ := f.send(t, "payment_intent.payment_failed", map[string]any{"id": a[0].PaymentIntentID, "object": "payment_intent",
			"currency": "eur", "metadata": map[string]string{"settle_intent": a[0].ID},
			"last_payment_error": map[string]any{"type": "card_error", "code": "card_declined", "message": "Declined."}})
		if !strings.HasSuffix(res.Outcome, want) {
			t.Errorf("%s: %q, want …%q", day, res.Outcome, want)
		}
	}
	decline("2026-06-01", 1, "next attempt 2026-06-04") // due + 3
	decline("2026-06-04", 2, "next attempt 2026-06-08") // due + 7
	decline("2026-06-08", 3, "card_declined: Declined.")
	f.at(t, "2026-06-09")
	if _, err := f.svc.StartRun(f.ctx, service.RunInput{AsOf: "2026-06-09"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.intents(t, store.OnlineIntentFilter{PlanID: f.planID, Kind: store.IntentAutopay})); n != 3 {
		t.Errorf("%d attempts after giving up, want 3", n)
	}
	tasks, _, _ := f.svc.Tasks(f.ctx, store.TaskFilter{CustomerID: f.cus})
	gaveUp := 0
	for _, tk := range tasks {
		if strings.Contains(tk.Reason, "autopay failed 3 times for installment 1") {
			gaveUp++
		}
	}
	if gaveUp != 1 {
		t.Errorf("give-up tasks: %d", gaveUp)
	}
}

// TestOnline_Dispute: a chargeback on a paid installment is recorded
// against the payment and the plan, with a task for an agent.
func TestOnline_Dispute(t *testing.T) {
	f := newOnlineFixture(t)
	if _, err := f.svc.PortalCheckout(context.Background(), f.portal, service.PayInput{Kind: store.IntentInstallment, Ref: f.planID}); err != nil {
		t.Fatal(err)
	}
	it := f.intents(t, store.OnlineIntentFilter{})[0]
	f.send(t, "checkout.session.completed", map[string]any{"id": it.SessionID, "object": "checkout.session", "mode": "payment", "payment_status": "paid",
		"amount_total": 10000, "currency": "eur", "payment_intent": "pi_inst1", "metadata": map[string]string{"settle_intent": it.ID}})
	res, _, _ := f.send(t, "charge.dispute.created", map[string]any{"id": "dp_1", "object": "dispute", "amount": 10000, "currency": "eur",
		"payment_intent": "pi_inst1", "charge": "ch_1", "reason": "fraudulent", "status": "needs_response"})
	if res.Outcome != "dispute dp_1 needs_response" {
		t.Errorf("outcome %q", res.Outcome)
	}
	for _, who := range []struct{ customer, plan string }{{"A", ""}, {"", f.planID}} {
		act, err := f.svc.OnlineActivity(f.ctx, who.customer, who.plan)
		if err != nil {
			t.Fatal(err)
		}
		if len(act.Disputes) != 1 || act.Disputes[0].PaymentID == "" || act.Disputes[0].PlanID != f.planID || act.Disputes[0].Amount.String() != "100.00" {
			t.Errorf("%+v: disputes %+v", who, act.Disputes)
		}
	}
	tasks, _, _ := f.svc.Tasks(f.ctx, store.TaskFilter{CustomerID: f.cus, Queue: "tier2"})
	if len(tasks) != 1 || !strings.Contains(tasks[0].Reason, "chargeback dp_1") {
		t.Errorf("tasks %+v", tasks)
	}
	f.send(t, "charge.dispute.closed", map[string]any{"id": "dp_1", "object": "dispute", "amount": 10000, "currency": "eur",
		"payment_intent": "pi_inst1", "reason": "fraudulent", "status": "lost"})
	act, _ := f.svc.OnlineActivity(f.ctx, "A", "")
	if len(act.Disputes) != 1 || act.Disputes[0].Status != "lost" {
		t.Errorf("after closing: %+v", act.Disputes)
	}
}

// TestOnline_Refusals: another customer's plan or an option that is not
// offered is NotFound; an amount Stripe cannot take is refused naming it.
func TestOnline_Refusals(t *testing.T) {
	f := newOnlineFixture(t)
	bg := context.Background()
	if _, err := f.svc.PortalCheckout(bg, f.portal, service.PayInput{Kind: store.IntentPayoff, Ref: "pln_other"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown plan: %v", err)
	}
	if _, err := f.svc.PortalCheckout(bg, f.portal, service.PayInput{Kind: store.IntentBalance, Ref: "USD"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("no USD balance: %v", err)
	}
	if _, err := f.svc.PortalAutopaySetup(bg, f.portal, "pln_other"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("autopay for an unknown plan: %v", err)
	}
	// A BHD invoice of 1.234: Stripe needs the last of three decimals 0.
	if _, err := f.svc.CreateInvoice(f.ctx, service.InvoiceInput{Number: "A-BHD", CustomerID: "A", IssueDate: "2026-05-01", DueDate: "2026-05-10",
		Currency: "BHD", Amount: "1.234"}); err != nil {
		t.Fatal(err)
	}
	opts, err := f.svc.PortalPayOptions(bg, f.portal)
	if err != nil {
		t.Fatal(err)
	}
	var bhd *service.PayOption
	for i := range opts {
		if opts[i].Amount.Currency() == "BHD" {
			bhd = &opts[i]
		}
	}
	if bhd == nil || !strings.Contains(bhd.Unavailable, "last of the three decimals") {
		t.Fatalf("BHD option %+v", bhd)
	}
	_, err = f.svc.PortalCheckout(bg, f.portal, service.PayInput{Kind: store.IntentInvoice, Ref: bhd.Ref})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.Invalid || e.Fields[0].Field != "amount" {
		t.Errorf("BHD checkout: %v", err)
	}
}
