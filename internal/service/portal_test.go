package service_test

import (
	"context"
	"encoding/base64"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/apperr"
	"settle/internal/ledger"
	"settle/internal/plan"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

// clockAt is a clock tests can move.
type clockAt struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clockAt) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clockAt) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// portalFixture: two customers, A (two overdue invoices, EUR 600 + 400)
// and B (one, EUR 900), on 15 May 2026.
func portalFixture(t *testing.T) (*service.Service, store.Store, *clockAt, context.Context) {
	t.Helper()
	clock := &clockAt{t: time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC)}
	st := testutil.SQLiteAt(t, clock.now)
	svc := service.New(st, clock.now)
	ctx := testutil.Admin(context.Background())
	for _, c := range []struct{ ref, name, locale string }{{"A", "Anna Arden", "de-DE"}, {"B", "Ben Brook", "en-GB"}} {
		if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: c.ref, Name: c.name, Kind: "consumer", Jurisdiction: "DE",
			TimeZone: "Europe/Berlin", Locale: c.locale}); err != nil {
			t.Fatal(err)
		}
	}
	for _, inv := range []service.InvoiceInput{
		{Number: "A-1", CustomerID: "A", IssueDate: "2026-02-01", DueDate: "2026-03-01", Currency: "EUR", Amount: "600.00"},
		{Number: "A-2", CustomerID: "A", IssueDate: "2026-03-01", DueDate: "2026-04-15", Currency: "EUR", Amount: "400.00"},
		{Number: "B-1", CustomerID: "B", IssueDate: "2026-02-01", DueDate: "2026-03-01", Currency: "EUR", Amount: "900.00"},
	} {
		if _, err := svc.CreateInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	// A's budget leaves EUR 1,500 a month: paying off quickly is affordable.
	if _, err := svc.PutBudget(ctx, "A", service.BudgetInput{Currency: "EUR",
		Income:   []service.BudgetLineInput{{Category: "earnings", Monthly: "4000.00"}},
		Expenses: []service.BudgetLineInput{{Category: "rent", Monthly: "2500.00"}}}); err != nil {
		t.Fatal(err)
	}
	return svc, st, clock, ctx
}

func link(t *testing.T, svc *service.Service, ctx context.Context, customer string, ttl time.Duration) *service.PortalLink {
	t.Helper()
	l, err := svc.CreatePortalLink(ctx, customer, ttl, "https://pay.example.com/")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func session(t *testing.T, svc *service.Service, token string) *service.PortalSession {
	t.Helper()
	p, err := svc.VerifyPortalToken(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPortalLink_RoundTrip(t *testing.T) {
	svc, _, clock, ctx := portalFixture(t)
	l := link(t, svc, ctx, "A", 0)
	if !strings.HasPrefix(l.URL, "https://pay.example.com/portal/") || strings.TrimPrefix(l.URL, "https://pay.example.com/portal/") != l.Token {
		t.Errorf("url %q", l.URL)
	}
	if want := clock.now().Add(30 * 24 * time.Hour); !l.ExpiresAt.Equal(want) {
		t.Errorf("expires %s, want %s (30 days)", l.ExpiresAt, want)
	}
	for _, c := range l.Token {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", c) {
			t.Fatalf("token %q has %q: not URL-safe", l.Token, c)
		}
	}
	p := session(t, svc, l.Token)
	a, _ := svc.Customer(ctx, "A")
	if p.CustomerID() != a.ID || !p.ExpiresAt().Equal(l.ExpiresAt) || p.CSRF() == "" || !p.CheckCSRF(p.CSRF()) || p.CheckCSRF(p.CSRF()+"x") {
		t.Errorf("session %+v", p)
	}
	// The same key signs the next link (created once, then reused).
	if l2 := link(t, svc, ctx, "B", time.Hour); session(t, svc, l2.Token).CSRF() == p.CSRF() {
		t.Error("two links share a form token")
	}
	// The audit log says a link was made, never the token.
	entries, err := svc.Audit(ctx, store.AuditFilter{ObjectID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "portal.link" {
			found = true
			if strings.Contains(e.Detail, l.Token) || strings.Contains(e.Detail, strings.Split(l.Token, ".")[1]) {
				t.Errorf("the audit log holds the token: %s", e.Detail)
			}
		}
	}
	if !found {
		t.Error("no portal.link audit entry")
	}
	// Unknown customer, bad ttl, viewer.
	if _, err := svc.CreatePortalLink(ctx, "nobody", 0, "http://x"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown customer: %v", err)
	}
	if _, err := svc.CreatePortalLink(ctx, "A", 400*24*time.Hour, "http://x"); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("400 days: %v", err)
	}
	viewer := service.WithActor(context.Background(), service.Actor{ID: "v", Role: service.RoleViewer})
	if _, err := svc.CreatePortalLink(viewer, "A", 0, "http://x"); apperr.CodeOf(err) != apperr.Forbidden {
		t.Errorf("viewer: %v", err)
	}
}

func refused(t *testing.T, svc *service.Service, name, token string, expired bool) {
	t.Helper()
	_, err := svc.VerifyPortalToken(context.Background(), token)
	var le *service.PortalLinkError
	if !errors.As(err, &le) || le.Expired != expired {
		t.Errorf("%s: %v, want a refusal (expired %v)", name, err, expired)
	}
}

func TestPortalLink_Refused(t *testing.T) {
	svc, _, clock, ctx := portalFixture(t)
	la := link(t, svc, ctx, "A", 0)
	lb := link(t, svc, ctx, "B", 0)
	enc := base64.RawURLEncoding
	pa, ma, _ := strings.Cut(la.Token, ".")
	pb, _, _ := strings.Cut(lb.Token, ".")
	raw, _ := enc.DecodeString(pa)
	b, _ := svc.Customer(ctx, "B")

	// B's payload under A's signature; A's payload for B's id; a flipped
	// signature character; a key id we never made; garbage.
	refused(t, svc, "swapped payload", pb+"."+ma, false)
	forged := strings.Replace(string(raw), strings.Split(string(raw), ".")[2], b.ID, 1)
	refused(t, svc, "forged customer", enc.EncodeToString([]byte(forged))+"."+ma, false)
	flip := []byte(ma)
	flip[3] ^= 1
	refused(t, svc, "flipped signature", pa+"."+string(flip), false)
	later := strings.Replace(string(raw), ".", ".", 1)
	parts := strings.Split(later, ".")
	parts[3] = "zzzzzzz" // a far expiry, unsigned
	refused(t, svc, "extended expiry", enc.EncodeToString([]byte(strings.Join(parts, ".")))+"."+ma, false)
	parts = strings.Split(string(raw), ".")
	parts[1] = "pk9"
	refused(t, svc, "unknown key", enc.EncodeToString([]byte(strings.Join(parts, ".")))+"."+ma, false)
	for _, g := range []string{"", ".", "abc", "abc.def", pa, strings.Repeat("a", 600) + "." + ma, pa + "." + ma + ".x"} {
		refused(t, svc, "garbage "+g, g, false)
	}

	// A link from another database (another key, same key id): refused.
	other, _, _, octx := portalFixture(t)
	refused(t, svc, "wrong key", link(t, other, octx, "A", 0).Token, false)

	// Expired: works a second before, refused at the expiry.
	short := link(t, svc, ctx, "A", time.Hour)
	clock.add(time.Hour - time.Second)
	session(t, svc, short.Token)
	clock.add(time.Second)
	refused(t, svc, "expired", short.Token, true)
}

// TestPortal_Isolation: A's session cannot read or change B's negotiation,
// plan or invoice — each answer is NotFound and nothing is written.
func TestPortal_Isolation(t *testing.T) {
	svc, st, _, ctx := portalFixture(t)
	pa := session(t, svc, link(t, svc, ctx, "A", 0).Token)
	pb := session(t, svc, link(t, svc, ctx, "B", 0).Token)
	negB, err := svc.PortalStartNegotiation(context.Background(), pb, "")
	if err != nil {
		t.Fatal(err)
	}
	planB, err := svc.PortalChoose(context.Background(), pb, negB, 0)
	if err != nil {
		t.Fatal(err)
	}
	invB, _ := svc.Invoice(ctx, "B-1")
	before := testutil.Counts(t, st)
	auditBefore, _ := svc.Audit(ctx, store.AuditFilter{Limit: 1000})

	bg := context.Background()
	checks := map[string]error{}
	_, checks["negotiation"] = svc.PortalNegotiation(bg, pa, negB)
	_, checks["counter"] = svc.PortalCounter(bg, pa, negB, service.CounterOfferInput{Installments: 2})
	_, checks["choose"] = svc.PortalChoose(bg, pa, negB, 0)
	_, checks["plan"] = svc.PortalPlan(bg, pa, planB)
	_, checks["accept"] = svc.PortalAcceptPlan(bg, pa, planB, "Anna Arden", "127.0.0.1")
	_, _, checks["agreement"] = svc.PortalAgreementPDF(bg, pa, planB)
	_, _, checks["invoice pdf"] = svc.PortalInvoicePDF(bg, pa, invB.ID)
	_, _, checks["invoice pdf by number"] = svc.PortalInvoicePDF(bg, pa, "B-1")
	_, checks["dispute"] = svc.PortalDispute(bg, pa, service.PortalDisputeInput{InvoiceID: invB.ID, Reason: "wrong_amount"})
	for name, err := range checks {
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Errorf("%s with A's link on B's object: %v, want not found", name, err)
		}
	}
	if after := testutil.Counts(t, st); !maps.Equal(before, after) {
		t.Errorf("rows changed: %v → %v", before, after)
	}
	if auditAfter, _ := svc.Audit(ctx, store.AuditFilter{Limit: 1000}); len(auditAfter) != len(auditBefore) {
		t.Errorf("audit entries %d → %d", len(auditBefore), len(auditAfter))
	}
	if inv, _ := svc.Invoice(ctx, "B-1"); inv.Disputed {
		t.Error("B's invoice was marked disputed")
	}
	if v, _ := svc.Plan(ctx, planB, invB.DueDate); v.Status != plan.Proposed {
		t.Errorf("B's plan is %s", v.Status)
	}
	// A's home shows A's invoices only.
	home, err := svc.PortalHome(bg, pa)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range home.Invoices {
		if !strings.HasPrefix(inv.Number, "A-") {
			t.Errorf("A's home lists %s", inv.Number)
		}
	}
}

// TestPortal_ProposeAcceptSchedule: the customer proposes to pay it all in
// two monthly installments; inside the limits the engine accepts at once
// and the proposal is already a plan to accept; accepting it (typed name,
// channel portal) makes it active, with the audit log naming the portal.
func TestPortal_ProposeAcceptSchedule(t *testing.T) {
	svc, _, _, ctx := portalFixture(t)
	p := session(t, svc, link(t, svc, ctx, "A", 0).Token)
	bg := context.Background()
	home, err := svc.PortalHome(bg, p)
	if err != nil {
		t.Fatal(err)
	}
	// 15 May − 1 Mar = 75 days, 15 May − 15 Apr = 30 days; EUR 1,000 open, all overdue.
	if len(home.Invoices) != 2 || home.Invoices[0].Number != "A-1" || home.Invoices[0].DaysLate != 75 || home.Invoices[1].DaysLate != 30 {
		t.Fatalf("invoices %+v", home.Invoices)
	}
	if len(home.Totals) != 1 || home.Totals[0].Open.String() != "1000.00" || home.Totals[0].Overdue.String() != "1000.00" || len(home.Negotiable) != 1 {
		t.Fatalf("totals %+v negotiable %v", home.Totals, home.Negotiable)
	}
	neg, err := svc.PortalStartNegotiation(bg, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := svc.PortalStartNegotiation(bg, p, ""); again != neg {
		t.Errorf("a second start opened %s, want the standing %s", again, neg)
	}
	// Twice as long as the opening offer is not accepted: no plan yet.
	res, err := svc.PortalCounter(bg, p, neg, service.CounterOfferInput{Installments: 8})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reply.Decision == "accept" || res.PlanID != "" {
		t.Fatalf("8 installments: decision %s, plan %q", res.Reply.Decision, res.PlanID)
	}
	// 400 a month from 29 May: 400 + 400 + 200 = 1,000 (the budget leaves
	// 1,125 a month: the opening asks for the whole balance at once).
	res, err = svc.PortalCounter(bg, p, neg, service.CounterOfferInput{InstallmentAmount: "400.00", StartDate: "2026-05-29"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Reply.Decision != "accept" || res.PlanID == "" {
		t.Fatalf("decision %s (%s), plan %q", res.Reply.Decision, res.Reply.Explanation, res.PlanID)
	}
	v, err := svc.PortalPlan(bg, p, res.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range v.Plan.Installments {
		got = append(got, in.DueDate.String()+" "+in.Amount.String())
	}
	if want := "2026-05-29 400.00, 2026-06-29 400.00, 2026-07-29 200.00"; v.Status != plan.Proposed || strings.Join(got, ", ") != want {
		t.Fatalf("plan %s: %s, want %s", v.Status, strings.Join(got, ", "), want)
	}
	if _, err := svc.PortalAcceptPlan(bg, p, res.PlanID, "   ", ""); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("no name: %v", err)
	}
	v, err = svc.PortalAcceptPlan(bg, p, res.PlanID, " Anna   Arden ", "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != plan.Active || v.Plan.Acceptance.By != "Anna Arden" || v.Plan.Acceptance.Channel != "portal" || v.Plan.Acceptance.IP != "203.0.113.7" {
		t.Fatalf("accepted %+v %+v", v.Status, v.Plan.Acceptance)
	}
	entries, _ := svc.Audit(ctx, store.AuditFilter{ObjectID: res.PlanID})
	if len(entries) == 0 || entries[len(entries)-1].Action != "plan.accept" || entries[len(entries)-1].Actor != "portal:"+p.CustomerID() {
		t.Errorf("audit %+v", entries)
	}
	_, pdf, err := svc.PortalAgreementPDF(bg, p, res.PlanID)
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("agreement: %v", err)
	}
	home, _ = svc.PortalHome(bg, p)
	if len(home.Plans) != 1 || home.Plans[0].Status != plan.Active || home.Negotiation != nil || len(home.Negotiable) != 0 {
		t.Errorf("home after accepting: plans %d, negotiation %v, negotiable %v", len(home.Plans), home.Negotiation, home.Negotiable)
	}
}

func TestPortal_PromiseDisputeOptOut(t *testing.T) {
	svc, _, _, ctx := portalFixture(t)
	p := session(t, svc, link(t, svc, ctx, "A", 0).Token)
	bg := context.Background()

	fields := func(err error) map[string]bool {
		out := map[string]bool{}
		if e, ok := apperr.As(err); ok {
			for _, f := range e.Fields {
				out[f.Field] = true
			}
		}
		return out
	}
	for name, c := range map[string]struct {
		in   service.PortalPromiseInput
		want string
	}{
		"too much":  {service.PortalPromiseInput{Amount: "1000.01", DueDate: "2026-05-30"}, "amount"},
		"zero":      {service.PortalPromiseInput{Amount: "0", DueDate: "2026-05-30"}, "amount"},
		"past":      {service.PortalPromiseInput{Amount: "100", DueDate: "2026-05-14"}, "due_date"},
		"too far":   {service.PortalPromiseInput{Amount: "100", DueDate: "2026-07-15"}, "due_date"}, // 15 May + 61 days
		"not date":  {service.PortalPromiseInput{Amount: "100", DueDate: "soon"}, "due_date"},
		"other cur": {service.PortalPromiseInput{Currency: "USD", Amount: "100", DueDate: "2026-05-30"}, "currency"},
	} {
		if _, err := svc.PortalPromise(bg, p, c.in); !fields(err)[c.want] {
			t.Errorf("%s: %v, want an error on %s", name, err, c.want)
		}
	}
	pv, err := svc.PortalPromise(bg, p, service.PortalPromiseInput{Amount: "1000.00", DueDate: "2026-07-14"}) // 60 days: the limit
	if err != nil {
		t.Fatal(err)
	}
	if pv.Promise.Channel != "portal" || pv.Status != ledger.PromiseOpen || pv.Promise.Amount.String() != "1000.00" {
		t.Errorf("promise %+v", pv)
	}

	inv, _ := svc.Invoice(ctx, "A-2")
	if _, err := svc.PortalDispute(bg, p, service.PortalDisputeInput{InvoiceID: inv.ID, Reason: "other"}); !fields(err)["details"] {
		t.Errorf("other without details: %v", err)
	}
	if _, err := svc.PortalDispute(bg, p, service.PortalDisputeInput{InvoiceID: inv.ID, Reason: "because"}); !fields(err)["reason"] {
		t.Errorf("bad reason: %v", err)
	}
	if _, err := svc.PortalDispute(bg, p, service.PortalDisputeInput{InvoiceID: inv.ID, Reason: "wrong_amount", Details: "Charged twice"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Invoice(ctx, "A-2"); !got.Disputed {
		t.Error("A-2 is not disputed")
	}
	if _, err := svc.PortalDispute(bg, p, service.PortalDisputeInput{InvoiceID: inv.ID, Reason: "wrong_amount"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("second dispute: %v", err)
	}
	tasks, _, _ := svc.Tasks(ctx, store.TaskFilter{CustomerID: "A", Queue: "tier1"})
	if len(tasks) != 1 || tasks[0].Kind != "review" || !strings.Contains(tasks[0].Reason, "A-2") {
		t.Errorf("review tasks %+v", tasks)
	}
	home, _ := svc.PortalHome(bg, p)
	if home.Totals[0].Disputed.String() != "400.00" {
		t.Errorf("disputed total %s", home.Totals[0].Disputed)
	}

	// Opt-outs: letters go only while email stays; email off with letters
	// off brings letters back.
	if m, back, err := svc.PortalSetOptOut(bg, p, "letter", true); err != nil || !m["letter"] || back {
		t.Fatalf("letter off: %v %v %v", m, back, err)
	}
	m, back, err := svc.PortalSetOptOut(bg, p, "email", true)
	if err != nil || !m["email"] || m["letter"] || !back {
		t.Fatalf("email off: %v %v %v", m, back, err)
	}
	if _, _, err := svc.PortalSetOptOut(bg, p, "letter", true); !fields(err)["channel"] {
		t.Errorf("letter off with email off: %v", err)
	}
	if m, _, err := svc.PortalSetOptOut(bg, p, "sms", true); err != nil || !m["sms"] {
		t.Errorf("sms off: %v %v", m, err)
	}
	if _, _, err := svc.PortalSetOptOut(bg, p, "fax", true); !fields(err)["channel"] {
		t.Errorf("fax: %v", err)
	}
	if m, _ := svc.OptOuts(ctx, "A"); !m["email"] || !m["sms"] || m["letter"] {
		t.Errorf("stored opt-outs %v", m)
	}
}

func TestPortalBaseURL(t *testing.T) {
	for env, want := range map[[2]string]string{
		{"", ""}:                              "http://127.0.0.1:8080",
		{"https://pay.example.com/", ":9000"}: "https://pay.example.com",
		{"", "0.0.0.0:9000"}:                  "http://localhost:9000",
		{"", ":9000"}:                         "http://localhost:9000",
		{"", "10.0.0.5:80"}:                   "http://10.0.0.5:80",
	} {
		got := service.PortalBaseURL(func(k string) string {
			return map[string]string{"SETTLE_PUBLIC_URL": env[0], "SETTLE_ADDR": env[1]}[k]
		})
		if got != want {
			t.Errorf("%v: %q, want %q", env, got, want)
		}
	}
}
