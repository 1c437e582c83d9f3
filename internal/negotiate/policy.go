// Package negotiate holds the creditor's side of a negotiation: its limits
// (Policy), what an offer is worth to it (the valuation model in
// value.go), the time-dependent concession tactic, and the engine that
// opens a negotiation and answers the customer's counter-offers. It is
// pure and deterministic: the same case, policy and counter-offers give the
// same responses, byte for byte. docs/negotiation.md describes the model.
package negotiate

import (
	"math/big"
	"strings"

	"settle/internal/apperr"
	"settle/internal/money"
)

// Policy is the creditor's limits for one customer segment (domain.md §1).
// Shares and rates are decimal strings ("0.10"), as in the API.
type Policy struct {
	Segment string `json:"segment"`
	// CostOfCapital discounts future payments (annual, e.g. "0.10").
	CostOfCapital string `json:"cost_of_capital"`
	// MinRecovery is the reservation value: the lowest expected present
	// value we accept, as a share of the balance.
	MinRecovery   string `json:"min_recovery"`
	MaxTermMonths int    `json:"max_term_months"`
	// MinInstallment is the smallest regular installment, in major units of
	// the negotiation's currency ("20.00" → 20.00 USD, 20 JPY).
	MinInstallment string `json:"min_installment"`
	// DownPaymentShare is the down payment we ask for, as a share of the balance.
	DownPaymentShare string `json:"down_payment_share"`
	// MaxSettlementDiscount caps the discount for a lump-sum settlement.
	MaxSettlementDiscount string `json:"max_settlement_discount"`
	// EarlyPaymentDiscount is the share of the remaining balance waived
	// when a plan is paid off early ("0" none); offered once we concede.
	EarlyPaymentDiscount string `json:"early_payment_discount"`
	MayWaiveFees         bool   `json:"may_waive_fees"`
	MayFreezeInterest    bool   `json:"may_freeze_interest"`
	// PlanRate is the annual interest a plan carries ("0" none); freezing
	// it is a concession.
	PlanRate  string `json:"plan_rate"`
	MaxRounds int    `json:"max_rounds"`
	// ConcessionExponent is e in the tactic f(t) = k + (1−k)·t^(1/e):
	// below 1 holds firm and concedes late (Boulware), above 1 concedes
	// early (conceder), 1 is linear.
	ConcessionExponent string `json:"concession_exponent"`
	// ConcessionStart is k: the share of the room conceded at once.
	ConcessionStart string `json:"concession_start"`
	// MaxStartDays: the first payment is due at most this many days after
	// the negotiation's date.
	MaxStartDays int `json:"max_start_days"`
	// OfferValidDays: a negotiation expires this many days after it opened.
	OfferValidDays int    `json:"offer_valid_days"`
	NoDeal         NoDeal `json:"no_deal"`
}

// NoDeal is the creditor's alternative when no plan is agreed.
type NoDeal struct {
	Action    string `json:"action"`     // agency or legal
	Recovery  string `json:"recovery"`   // expected share of the balance recovered
	Cost      string `json:"cost"`       // share of what is recovered that it costs (commission, fees)
	DelayDays int    `json:"delay_days"` // until the money arrives
}

// DefaultPolicy is the policy of a segment that has none stored (contract.md's example).
func DefaultPolicy(segment string) Policy {
	if segment == "" {
		segment = "standard"
	}
	return Policy{
		Segment:               segment,
		CostOfCapital:         "0.10",
		MinRecovery:           "0.70",
		MaxTermMonths:         24,
		MinInstallment:        "20.00",
		DownPaymentShare:      "0.00",
		MaxSettlementDiscount: "0.20",
		EarlyPaymentDiscount:  "0.02",
		MayWaiveFees:          true,
		MayFreezeInterest:     true,
		PlanRate:              "0",
		MaxRounds:             6,
		ConcessionExponent:    "0.5",
		ConcessionStart:       "0",
		MaxStartDays:          30,
		OfferValidDays:        14,
		NoDeal:                NoDeal{Action: "agency", Recovery: "0.40", Cost: "0.25", DelayDays: 180},
	}
}

// limits is a Policy compiled for one currency.
type limits struct {
	coc, minRecovery, downShare, maxDiscount, earlyDiscount, planRate float64
	exponent, start                                                   float64
	ndRecovery, ndCost                                                float64
	ndDelay                                                           int
	maxTermMonths, maxRounds, maxStartDays, validDays                 int
	minInstallment                                                    int64 // minor units
	planRateText, earlyDiscountText                                   string
}

// share parses a decimal in [lo, hi]; it records a field error otherwise.
func share(fs *apperr.Fields, field, v string, lo, hi float64) float64 {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(v))
	if !ok || strings.ContainsAny(v, "/eE") {
		fs.Add(field, "%q is not a decimal number", v)
		return 0
	}
	f, _ := r.Float64()
	if f < lo || f > hi {
		fs.Add(field, "%s must be between %g and %g", v, lo, hi)
	}
	return f
}

// Validate checks every field and names each bad one.
func (p Policy) Validate() error {
	_, err := p.compile("USD")
	return err
}

func (p Policy) compile(cur money.Currency) (limits, error) {
	var fs apperr.Fields
	var l limits
	if strings.TrimSpace(p.Segment) == "" {
		fs.Add("segment", "is required")
	}
	l.coc = share(&fs, "cost_of_capital", p.CostOfCapital, 0, 1)
	l.minRecovery = share(&fs, "min_recovery", p.MinRecovery, 0, 1)
	l.downShare = share(&fs, "down_payment_share", p.DownPaymentShare, 0, 0.9)
	l.maxDiscount = share(&fs, "max_settlement_discount", p.MaxSettlementDiscount, 0, 0.9)
	l.earlyDiscount = share(&fs, "early_payment_discount", p.EarlyPaymentDiscount, 0, 0.5)
	l.planRate = share(&fs, "plan_rate", p.PlanRate, 0, 1)
	l.exponent = share(&fs, "concession_exponent", p.ConcessionExponent, 0.05, 20)
	l.start = share(&fs, "concession_start", p.ConcessionStart, 0, 1)
	l.ndRecovery = share(&fs, "no_deal.recovery", p.NoDeal.Recovery, 0, 1)
	l.ndCost = share(&fs, "no_deal.cost", p.NoDeal.Cost, 0, 1)
	l.planRateText = strings.TrimSpace(p.PlanRate)
	l.earlyDiscountText = strings.TrimSpace(p.EarlyPaymentDiscount)
	if l.exponent > 0 && l.exponent < 0.05 {
		fs.Add("concession_exponent", "must be at least 0.05")
	}
	switch p.NoDeal.Action {
	case "agency", "legal":
	default:
		fs.Add("no_deal.action", "%q must be agency or legal", p.NoDeal.Action)
	}
	l.ndDelay = p.NoDeal.DelayDays
	if l.ndDelay < 0 || l.ndDelay > 3650 {
		fs.Add("no_deal.delay_days", "%d must be between 0 and 3650", l.ndDelay)
	}
	l.maxTermMonths = p.MaxTermMonths
	if l.maxTermMonths < 1 || l.maxTermMonths > 120 {
		fs.Add("max_term_months", "%d must be between 1 and 120", l.maxTermMonths)
	}
	l.maxRounds = p.MaxRounds
	if l.maxRounds < 1 || l.maxRounds > 50 {
		fs.Add("max_rounds", "%d must be between 1 and 50", l.maxRounds)
	}
	l.maxStartDays = p.MaxStartDays
	if l.maxStartDays < 1 || l.maxStartDays > 365 {
		fs.Add("max_start_days", "%d must be between 1 and 365", l.maxStartDays)
	}
	l.validDays = p.OfferValidDays
	if l.validDays < 1 || l.validDays > 365 {
		fs.Add("offer_valid_days", "%d must be between 1 and 365", l.validDays)
	}
	if r, ok := new(big.Rat).SetString(strings.TrimSpace(p.MinInstallment)); !ok || r.Sign() < 0 || strings.ContainsAny(p.MinInstallment, "/eE") {
		fs.Add("min_installment", "%q is not a non-negative decimal amount", p.MinInstallment)
	} else if r.Cmp(new(big.Rat).SetInt64(money.MaxMajorUnits)) > 0 {
		// The single-amount limit (money package doc), checked even when
		// the policy is stored without a currency.
		fs.Add("min_installment", "%s is too large (at most %d)", p.MinInstallment, int64(money.MaxMajorUnits))
	} else if cur != "" {
		// Major units → minor units of the currency, rounded up: the limit
		// is a floor, so "20.005" in USD means 20.01.
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(cur.Digits())), nil)
		r.Mul(r, new(big.Rat).SetInt(scale))
		q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
		if m.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
		if !q.IsInt64() || q.Int64() > cur.MaxMinor() {
			fs.Add("min_installment", "%s is too large", p.MinInstallment)
		} else {
			l.minInstallment = q.Int64()
		}
	}
	return l, fs.Err("policy")
}
