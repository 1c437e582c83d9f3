package negotiate

import (
	"reflect"
	"testing"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/money"
)

func TestRespond_BadCounter(t *testing.T) {
	s, _ := mustOpen(t, moderateCase(), DefaultPolicy(""))
	bal := s.Case.Balance
	tests := []struct {
		name    string
		counter Counter
		field   string
	}{
		{"currency mismatch", Counter{Currency: "EUR", Installments: 6}, "currency"},
		{"unknown frequency", Counter{Frequency: "daily"}, "frequency"},
		{"frequency in another case", Counter{Frequency: "Monthly"}, "frequency"},
		{"negative installments", Counter{Installments: -1}, "installments"},
		{"too many installments", Counter{Installments: 1201}, "installments"},
		{"start before as_of", Counter{Start: scenarioDate.AddDays(-1)}, "start_date"},
		{"lump sum with installments", Counter{LumpSum: ptr(int64(250_000)), Installments: 3}, "lump_sum"},
		{"lump sum with installment amount", Counter{LumpSum: ptr(int64(250_000)), InstallmentAmount: ptr(int64(10_000))}, "lump_sum"},
		{"lump sum with down payment", Counter{LumpSum: ptr(int64(250_000)), DownPayment: ptr(int64(0))}, "lump_sum"},
		{"lump sum with frequency", Counter{LumpSum: ptr(int64(250_000)), Frequency: "weekly"}, "lump_sum"},
		{"lump sum zero", Counter{LumpSum: ptr(int64(0))}, "lump_sum"},
		{"lump sum above the balance", Counter{LumpSum: ptr(bal + 1)}, "lump_sum"},
		{"empty counter", Counter{}, "counter_offer"},
		{"empty counter with currency and date", Counter{Currency: "USD", AsOf: scenarioDate}, "counter_offer"},
		{"down payment equal to the balance", Counter{DownPayment: ptr(bal)}, "down_payment"},
		{"down payment above the balance", Counter{DownPayment: ptr(bal + 500)}, "down_payment"},
		{"negative down payment", Counter{DownPayment: ptr(int64(-1))}, "down_payment"},
		{"zero installment amount", Counter{InstallmentAmount: ptr(int64(0))}, "installment_amount"},
		{"negative installment amount", Counter{InstallmentAmount: ptr(int64(-100))}, "installment_amount"},
		{"installment amount needing over 1,200 installments", Counter{InstallmentAmount: ptr(int64(1))}, "installment_amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := sessionJSON(t, s)
			got, r, err := Respond(s, tt.counter)
			wantCode(t, err, apperr.Invalid, tt.field)
			if sessionJSON(t, s) != before {
				t.Errorf("input session modified")
			}
			if sessionJSON(t, got) != before {
				t.Errorf("returned session differs from the input")
			}
			if !reflect.DeepEqual(r, Response{}) {
				t.Errorf("response %+v, want none", r)
			}
		})
	}

	t.Run("several problems are all named", func(t *testing.T) {
		_, _, err := Respond(s, Counter{Currency: "EUR", Frequency: "daily", Installments: -2})
		for _, f := range []string{"currency", "frequency", "installments"} {
			wantCode(t, err, apperr.Invalid, f)
		}
	})
}

func TestOpen_BadPolicy(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *Policy)
		field string
	}{
		{"min_recovery above 1", func(p *Policy) { p.MinRecovery = "1.5" }, "min_recovery"},
		{"min_recovery negative", func(p *Policy) { p.MinRecovery = "-0.1" }, "min_recovery"},
		{"concession_exponent not a number", func(p *Policy) { p.ConcessionExponent = "abc" }, "concession_exponent"},
		{"concession_exponent zero", func(p *Policy) { p.ConcessionExponent = "0" }, "concession_exponent"},
		{"concession_exponent in exponent notation", func(p *Policy) { p.ConcessionExponent = "5e-1" }, "concession_exponent"},
		{"concession_exponent as a fraction", func(p *Policy) { p.ConcessionExponent = "1/2" }, "concession_exponent"},
		{"concession_start above 1", func(p *Policy) { p.ConcessionStart = "1.1" }, "concession_start"},
		{"no_deal.action court", func(p *Policy) { p.NoDeal.Action = "court" }, "no_deal.action"},
		{"no_deal.recovery empty", func(p *Policy) { p.NoDeal.Recovery = "" }, "no_deal.recovery"},
		{"no_deal.delay_days negative", func(p *Policy) { p.NoDeal.DelayDays = -1 }, "no_deal.delay_days"},
		{"cost_of_capital empty", func(p *Policy) { p.CostOfCapital = "" }, "cost_of_capital"},
		{"max_rounds zero", func(p *Policy) { p.MaxRounds = 0 }, "max_rounds"},
		{"max_term_months zero", func(p *Policy) { p.MaxTermMonths = 0 }, "max_term_months"},
		{"max_start_days zero", func(p *Policy) { p.MaxStartDays = 0 }, "max_start_days"},
		{"offer_valid_days zero", func(p *Policy) { p.OfferValidDays = 0 }, "offer_valid_days"},
		{"min_installment negative", func(p *Policy) { p.MinInstallment = "-1" }, "min_installment"},
		{"min_installment not a number", func(p *Policy) { p.MinInstallment = "twenty" }, "min_installment"},
		{"down_payment_share above 0.9", func(p *Policy) { p.DownPaymentShare = "0.95" }, "down_payment_share"},
		{"plan_rate not a number", func(p *Policy) { p.PlanRate = "8%" }, "plan_rate"},
		{"segment empty", func(p *Policy) { p.Segment = " " }, "segment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy("")
			tt.edit(&p)
			s, r, err := Open(moderateCase(), p)
			wantCode(t, err, apperr.Invalid, tt.field)
			if !reflect.DeepEqual(s, Session{}) || !reflect.DeepEqual(r, Response{}) {
				t.Errorf("Open returned a session or response with an error")
			}
			wantCode(t, p.Validate(), apperr.Invalid, tt.field)
		})
	}
	t.Run("all problems named at once", func(t *testing.T) {
		p := DefaultPolicy("")
		p.MinRecovery, p.ConcessionExponent, p.NoDeal.Action = "1.5", "abc", "court"
		_, _, err := Open(moderateCase(), p)
		for _, f := range []string{"min_recovery", "concession_exponent", "no_deal.action"} {
			wantCode(t, err, apperr.Invalid, f)
		}
	})
	t.Run("default policy is valid", func(t *testing.T) {
		if err := DefaultPolicy("").Validate(); err != nil {
			t.Errorf("DefaultPolicy: %v", err)
		}
	})
}

// A stored session whose policy no longer validates (edited in the
// database, say) is refused naming the field, and left unchanged.
func TestRespond_BadStoredPolicy(t *testing.T) {
	s, _ := mustOpen(t, moderateCase(), DefaultPolicy(""))
	s.Policy.ConcessionExponent = "abc"
	before := sessionJSON(t, s)
	got, _, err := Respond(s, Counter{Installments: 6})
	wantCode(t, err, apperr.Invalid, "concession_exponent")
	if sessionJSON(t, got) != before || sessionJSON(t, s) != before {
		t.Errorf("session changed")
	}
	_, _, err = Accept(s, scenarioDate, 0)
	wantCode(t, err, apperr.Invalid, "concession_exponent")
}

func TestOpen_BadCase(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *Case)
		field string
	}{
		{"zero balance", func(c *Case) { c.Balance = 0 }, "balance"},
		{"negative balance", func(c *Case) { c.Balance = -100 }, "balance"},
		{"negative fees", func(c *Case) { c.Fees = -1 }, "fees"},
		{"negative affordable", func(c *Case) { c.Affordable = -1 }, "affordable"},
		{"no date", func(c *Case) { c.AsOf = civil.Date{} }, "as_of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := moderateCase()
			tt.edit(&c)
			_, _, err := Open(c, DefaultPolicy(""))
			wantCode(t, err, apperr.Invalid, tt.field)
		})
	}
}

// Open does not check the case's currency itself: an empty or malformed
// code is refused by plan.Quote when the opening offer is scheduled, and
// arrives wrapped ("negotiate: schedule of {…}: invalid terms: currency:
// …") — still an apperr Invalid naming "currency" through errors.As.
func TestOpen_BadCurrency(t *testing.T) {
	for _, cur := range []string{"", "usd", "US"} {
		t.Run("currency "+cur, func(t *testing.T) {
			c := moderateCase()
			c.Currency = money.Currency(cur)
			_, _, err := Open(c, DefaultPolicy(""))
			wantCode(t, err, apperr.Invalid, "currency")
		})
	}
}
