package negotiate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

var scenarioDate = civil.New(2026, 6, 1)

// moderateCase: USD 3,000.00, the budget leaves 533.34 a month, of which
// 400.00 is affordable (75%, rounded down: 400.005 → 400.00), band C.
func moderateCase() Case {
	return Case{CustomerID: "cust-moderate", Currency: "USD", AsOf: scenarioDate, Balance: 300_000,
		Affordable: 40_000, Available: 53_334, AffordableSource: "budget", RiskBand: "C"}
}

func mustOpen(t *testing.T, c Case, p Policy) (Session, Response) {
	t.Helper()
	s, r, err := Open(c, p)
	if err != nil {
		t.Fatalf("Open(%+v): %v", c, err)
	}
	if s.Status != StatusOpen || r.Offer == nil {
		t.Fatalf("Open(%+v) = status %s, %q; want an open negotiation with an offer", c, s.Status, r.Explanation)
	}
	return s, r
}

func mustRespond(t *testing.T, s Session, k Counter) (Session, Response) {
	t.Helper()
	ns, r, err := Respond(s, k)
	if err != nil {
		t.Fatalf("Respond(%s): %v", describeCounter(&k), err)
	}
	return ns, r
}

// usd formats minor units as the explanations do ("375.00 USD").
func usd(minor int64) string { return money.New(minor, "USD").String() + " USD" }

// wantCode asserts err is an *apperr.Error with code, and when field is
// given, that one of its field errors names it.
func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s naming %q", code, field)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("err = %v (%T), want *apperr.Error %s", err, err, code)
	}
	if e.Code != code || apperr.CodeOf(err) != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	if field == "" {
		return
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("err = %v: fields %+v do not name %q", err, e.Fields, field)
}

// sessionJSON is a deep snapshot of a session.
func sessionJSON(t *testing.T, s Session) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestScenario_ModerateCase(t *testing.T) {
	c, p := moderateCase(), DefaultPolicy("")
	s, open := mustOpen(t, c, p)
	o := open.Offer

	t.Run("opening", func(t *testing.T) {
		// A monthly plan within the 400.00 the budget leaves, firm (no
		// concession), and shorter than the 24-month maximum.
		if o.Kind != KindPlan || o.Frequency != "monthly" || o.Level != levelNone || o.DownPayment != 0 {
			t.Fatalf("opening %+v, want a monthly plan at level 0 without down payment (share 0)", o.Terms)
		}
		if o.Installment > c.Affordable {
			t.Errorf("opening installment %s above the affordable %s", usd(o.Installment), usd(c.Affordable))
		}
		if o.Installments >= p.MaxTermMonths {
			t.Errorf("opening has %d installments: the longest term (%d) is the most lenient plan", o.Installments, p.MaxTermMonths)
		}
		if o.Installment != c.Affordable || !o.Fixed {
			t.Errorf("installment %d (fixed %v), want the affordable %d itself, fixed", o.Installment, o.Fixed, c.Affordable)
		}
		if !o.Start.Equal(scenarioDate.AddDays(7)) {
			t.Errorf("start %s, want a week out (%s)", o.Start, scenarioDate.AddDays(7))
		}
		// Hand-written: 400.00 a month, what the customer can pay: 7 ×
		// 400.00 + 200.00 = 3,000.00, monthly from 8 June 2026 (a week
		// out) to 8 January 2027 (7 months later).
		for _, want := range []string{
			"To clear the balance of 3,000.00 USD, we propose 8 monthly payments of 400.00 USD from 8 June 2026 to 8 January 2027 (the last 200.00 USD), 3,000.00 USD in total.",
			"It stays within the 533.34 USD left each month from the income and expenses you gave us, with room to spare for unexpected costs.",
			"Paying on time keeps deliveries and your credit limit in place.",
		} {
			if !strings.Contains(open.Explanation, want) {
				t.Errorf("explanation %q does not say %q", open.Explanation, want)
			}
		}
		if strings.Contains(open.Explanation, "Late-payment compensation") {
			t.Errorf("explanation %q mentions fees the case does not have", open.Explanation)
		}
		if len(open.Concessions) != 0 {
			t.Errorf("opening concessions %+v, want none", open.Concessions)
		}
		if len(open.Alternatives) == 0 {
			// domain.md §2 asks for options ("pay a little more each time",
			// a settlement, another rhythm). With this case the room between
			// the opening and the floor is so small (under 1%) that none is
			// worth the next round's target. Reported, not failed.
			t.Logf("NOTE: the opening has no alternatives (room %.2f between Max %.2f and Min %.2f)", s.Max-s.Min, s.Max, s.Min)
		}
		if open.Evaluation.Opening != o.Value || open.Evaluation.Target != o.Value || open.Evaluation.Floor != s.Min {
			t.Errorf("evaluation %+v, offer value %v, min %v", open.Evaluation, o.Value, s.Min)
		}
		if !(s.Min <= s.Max && s.NoDeal <= s.Min) {
			t.Errorf("no-deal %v, min %v, max %v: want no-deal ≤ min ≤ max", s.NoDeal, s.Min, s.Max)
		}
		t.Logf("opening: %s (value %.2f, floor %.2f, no-deal %.2f)", open.Explanation, o.Value, s.Min, s.NoDeal)
	})

	t.Run("lowball counter", func(t *testing.T) {
		// 50.00 a month would take 60 months: beyond the 24-month limit.
		ns, r := mustRespond(t, s, Counter{InstallmentAmount: ptr(int64(5_000))})
		if r.Decision != DecisionReject && r.Decision != DecisionCounter {
			t.Fatalf("decision %s, want reject or counter", r.Decision)
		}
		if r.Status != StatusOpen || ns.Round != 1 || r.Round != 1 {
			t.Errorf("status %s round %d/%d, want open round 1", r.Status, ns.Round, r.Round)
		}
		ask := *r.Evaluation.CounterValue
		if !(ask <= r.Offer.Value && r.Offer.Value <= o.Value) {
			t.Errorf("offer worth %.2f, want between the ask (%.2f) and the opening (%.2f)", r.Offer.Value, ask, o.Value)
		}
		if !(r.Offer.Installment >= 5_000 && r.Offer.Installment <= o.Installment) || r.Offer.Installments < o.Installments {
			t.Errorf("offer %+v, want an installment between 50.00 and the opening's %s", r.Offer.Terms, usd(o.Installment))
		}
		if want := "We cannot accept that: the longest plan we can offer is 24 months (24 monthly installments)."; !strings.HasPrefix(r.Explanation, want) {
			t.Errorf("explanation %q, want it to start %q", r.Explanation, want)
		}
		if want := fmt.Sprintf("We can offer %d monthly payments of %s", r.Offer.Installments, money.New(r.Offer.Installment, "USD")); !strings.Contains(r.Explanation, want) {
			t.Errorf("explanation %q does not say %q", r.Explanation, want)
		}
		t.Logf("lowball: %s %q", r.Decision, r.Explanation)
	})

	t.Run("counter at the standing offer's terms is accepted", func(t *testing.T) {
		ns, r := mustRespond(t, s, Counter{Installments: o.Installments})
		if r.Decision != DecisionAccept || ns.Status != StatusAgreed || r.Status != StatusAgreed {
			t.Fatalf("decision %s status %s, want accept/agreed: %q", r.Decision, ns.Status, r.Explanation)
		}
		if r.Offer.Terms != o.Terms || ns.Standing != o.Terms {
			t.Errorf("accepted %+v, want the opening's terms %+v", r.Offer.Terms, o.Terms)
		}
		if !strings.HasPrefix(r.Explanation, "We accept your proposal: ") || !strings.HasSuffix(r.Explanation, "Confirm it and we send the written agreement.") {
			t.Errorf("explanation %q", r.Explanation)
		}
		// After "agreed" the negotiation takes no more counter-offers.
		_, _, err := Respond(ns, Counter{Installments: 3})
		wantCode(t, err, apperr.Conflict, "")
		if !strings.Contains(err.Error(), "agreed") {
			t.Errorf("conflict %q does not say the negotiation is agreed", err)
		}
		// But it can be accepted.
		as, acc, err := Accept(ns, scenarioDate.AddDays(1), 0)
		if err != nil || as.Status != StatusAccepted || acc.Terms != o.Terms {
			t.Errorf("Accept = %+v, %v; want the agreed terms", acc.Terms, err)
		}
	})
}

func TestScenario_FinalAfterMaxRounds(t *testing.T) {
	p := DefaultPolicy("")
	p.MaxRounds = 3
	s, _ := mustOpen(t, moderateCase(), p)
	lowball := Counter{InstallmentAmount: ptr(int64(5_000))}
	var r Response
	for round := 1; round <= p.MaxRounds; round++ {
		s, r = mustRespond(t, s, lowball)
		if r.Round != round {
			t.Fatalf("round %d, want %d", r.Round, round)
		}
		if round < p.MaxRounds && (s.Status != StatusOpen || strings.Contains(r.Explanation, "final offer")) {
			t.Fatalf("round %d: status %s %q, want open", round, s.Status, r.Explanation)
		}
	}
	if s.Status != StatusFinal || r.Status != StatusFinal || r.Decision != DecisionReject {
		t.Fatalf("after %d rounds: status %s decision %s, want final/reject", p.MaxRounds, s.Status, r.Decision)
	}
	if r.Evaluation.Target != s.Min {
		t.Errorf("final round target %v, want the floor %v", r.Evaluation.Target, s.Min)
	}
	for _, want := range []string{"Our final offer is ", "It stands until 15 June 2026.", "Without an agreement the account goes to a collection agency"} {
		if !strings.Contains(r.Explanation, want) {
			t.Errorf("explanation %q does not say %q", r.Explanation, want)
		}
	}
	before := sessionJSON(t, s)
	got, _, err := Respond(s, Counter{Installments: 6})
	wantCode(t, err, apperr.Conflict, "")
	if !strings.Contains(err.Error(), "final") {
		t.Errorf("conflict %q does not say the negotiation is final", err)
	}
	if sessionJSON(t, got) != before || sessionJSON(t, s) != before {
		t.Errorf("session changed by a refused counter")
	}
	// The final offer can still be accepted.
	// Accepted on the last day it stands, after its first due date: the
	// same terms, re-dated to start a week from acceptance.
	as, o, err := Accept(s, s.Expires, 0)
	redated := s.Standing
	redated.Start = s.Expires.AddDays(7)
	if err != nil || as.Status != StatusAccepted || o.Terms != redated {
		t.Errorf("Accept(final) = %+v, %v; want %+v", o.Terms, err, redated)
	}
}

func TestScenario_Expiry(t *testing.T) {
	s, _ := mustOpen(t, moderateCase(), DefaultPolicy(""))
	if want := scenarioDate.AddDays(14); s.Expires != want {
		t.Fatalf("expires %s, want %s (offer_valid_days 14)", s.Expires, want)
	}
	t.Run("counter after expiry is conflict", func(t *testing.T) {
		before := sessionJSON(t, s)
		_, _, err := Respond(s, Counter{Installments: 6, AsOf: s.Expires.AddDays(1)})
		wantCode(t, err, apperr.Conflict, "")
		if !strings.Contains(err.Error(), "expired") {
			t.Errorf("error %q does not say expired", err)
		}
		if sessionJSON(t, s) != before {
			t.Errorf("session changed")
		}
	})
	t.Run("counter on the expiry date is answered", func(t *testing.T) {
		if _, _, err := Respond(s, Counter{Installments: 6, AsOf: s.Expires}); err != nil {
			t.Errorf("Respond on %s: %v", s.Expires, err)
		}
	})
	t.Run("accept after expiry is conflict", func(t *testing.T) {
		_, _, err := Accept(s, s.Expires.AddDays(1), 0)
		wantCode(t, err, apperr.Conflict, "")
	})
}

func TestScenario_Accept(t *testing.T) {
	// The moderate case with a larger budget (1,000.00 a month): the
	// opening comes with alternatives.
	c := moderateCase()
	c.Affordable = 100_000
	s, open := mustOpen(t, c, DefaultPolicy(""))
	if len(open.Alternatives) == 0 || len(s.Alternatives) != len(open.Alternatives) {
		t.Fatalf("opening alternatives %d, session %d", len(open.Alternatives), len(s.Alternatives))
	}
	t.Run("alternative out of range", func(t *testing.T) {
		for _, alt := range []int{-1, len(s.Alternatives) + 1, 99} {
			before := sessionJSON(t, s)
			got, _, err := Accept(s, scenarioDate, alt)
			wantCode(t, err, apperr.Invalid, "alternative")
			if sessionJSON(t, got) != before || sessionJSON(t, s) != before {
				t.Errorf("Accept(%d) changed the session", alt)
			}
		}
	})
	t.Run("alternative 1", func(t *testing.T) {
		want := open.Alternatives[0].Offer
		as, o, err := Accept(s, scenarioDate, 1)
		if err != nil {
			t.Fatal(err)
		}
		if o.Terms != want.Terms || !reflect.DeepEqual(o.Schedule, want.Schedule) || o.Value != want.Value {
			t.Errorf("Accept(1) = %+v, want alternative 1 (%s) %+v", o.Terms, open.Alternatives[0].Label, want.Terms)
		}
		if as.Status != StatusAccepted || as.Standing != want.Terms || as.Value != want.Value {
			t.Errorf("session after Accept(1): %s %+v", as.Status, as.Standing)
		}
		if s.Status != StatusOpen {
			t.Errorf("input session modified: %s", s.Status)
		}
		_, _, err = Accept(as, scenarioDate, 0)
		wantCode(t, err, apperr.Conflict, "")
		_, _, err = Respond(as, Counter{Installments: 3})
		wantCode(t, err, apperr.Conflict, "")
	})
	t.Run("standing offer", func(t *testing.T) {
		_, o, err := Accept(s, civil.Date{}, 0)
		if err != nil || o.Terms != open.Offer.Terms || !reflect.DeepEqual(o.Schedule, open.Offer.Schedule) {
			t.Errorf("Accept(0) = %+v, %v; want the opening", o.Terms, err)
		}
	})
}

func TestScenario_ClosedWhenNothingBeatsNoDeal(t *testing.T) {
	tests := []struct {
		name   string
		policy func(p *Policy)
		who    string
	}{
		{"agency recovers everything at once", func(p *Policy) {
			p.NoDeal = NoDeal{Action: "agency", Recovery: "1", Cost: "0", DelayDays: 0}
		}, "a collection agency"},
		{"legal recovers nearly everything", func(p *Policy) {
			p.NoDeal = NoDeal{Action: "legal", Recovery: "0.99", Cost: "0", DelayDays: 0}
		}, "legal review"},
		{"no plan within the present-value floor", func(p *Policy) {
			p.MinRecovery = "1" // every plan is worth less than the balance in today's money
		}, "a collection agency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy("")
			tt.policy(&p)
			c := moderateCase()
			c.RiskBand = "E"
			s, r, err := Open(c, p)
			if err != nil {
				t.Fatal(err)
			}
			if s.Status != StatusClosed || r.Status != StatusClosed || r.Decision != DecisionReject || r.Offer != nil || len(r.Alternatives) != 0 {
				t.Fatalf("Open = status %s decision %s offer %v, want closed/reject without offer", r.Status, r.Decision, r.Offer)
			}
			if !strings.HasPrefix(r.Explanation, "We cannot offer a payment plan for this balance within our limits.") ||
				!strings.Contains(r.Explanation, "Without an agreement the account goes to "+tt.who) {
				t.Errorf("explanation %q does not name the next step (%s)", r.Explanation, tt.who)
			}
			_, _, err = Respond(s, Counter{Installments: 3})
			wantCode(t, err, apperr.Conflict, "")
			_, _, err = Accept(s, scenarioDate, 0)
			wantCode(t, err, apperr.Conflict, "")
		})
	}
}
