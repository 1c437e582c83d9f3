package service

import (
	"context"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/store"
)

// Aging is the aging report as of a date: every invoice issued on or
// before it, less payments and credits received on or before it.
func (s *Service) Aging(ctx context.Context, asOf civil.Date, currency money.Currency) (*ledger.AgingReport, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	r := ledger.NewAgingReport(asOf)
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		return tx.OpenItems(ctx, store.OpenItemFilter{AsOf: asOf, Currency: currency}, func(it ledger.OpenItem) error {
			r.Add(it)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// KPIReport is DSO, best DSO, ADD and CEI for one currency and period.
type KPIReport struct {
	From, To civil.Date
	Currency money.Currency
	Input    ledger.KPIInput
	ledger.KPIs
}

// KPIs computes the collection KPIs for from..to (inclusive). currency may
// be empty when the ledger holds a single currency.
func (s *Service) KPIs(ctx context.Context, from, to civil.Date, currency money.Currency) (*KPIReport, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	if to.Before(from) {
		return nil, apperr.Field("to", "%s is before from %s", to, from)
	}
	rep := &KPIReport{From: from, To: to, Currency: currency}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		if rep.Currency == "" {
			curs, err := tx.Currencies(ctx)
			if err != nil {
				return err
			}
			switch len(curs) {
			case 0:
				rep.Currency = "USD"
			case 1:
				rep.Currency = curs[0]
			default:
				return apperr.Field("currency", "is required: the ledger holds %d currencies", len(curs))
			}
		}
		in := ledger.KPIInput{From: from, To: to}
		var err error
		if in.Sales, err = tx.Sales(ctx, rep.Currency, from, to); err != nil {
			return err
		}
		if in.OpeningAR, _, err = arAsOf(ctx, tx, from.AddDays(-1), rep.Currency); err != nil {
			return err
		}
		if in.ClosingAR, in.ClosingCurrentAR, err = arAsOf(ctx, tx, to, rep.Currency); err != nil {
			return err
		}
		rep.Input = in
		rep.KPIs = ledger.ComputeKPIs(in)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

func arAsOf(ctx context.Context, tx store.Tx, d civil.Date, cur money.Currency) (total, current money.Wide, err error) {
	r := ledger.NewAgingReport(d)
	err = tx.OpenItems(ctx, store.OpenItemFilter{AsOf: d, Currency: cur}, func(it ledger.OpenItem) error {
		r.Add(it)
		return nil
	})
	for _, b := range r.Totals() {
		total, current = b.Total(), b.Amounts[ledger.BucketCurrent]
	}
	return total, current, err
}

// CurrencyPosition is a customer's standing in one currency.
type CurrencyPosition struct {
	ledger.Buckets
	OpenInvoices  int
	OldestOverdue *civil.Date // due date of the oldest overdue invoice
	DaysOverdue   int         // of that invoice
	Credit        money.Wide  // unapplied payments, minor units
}

// Position is what settle knows of a customer's account as of a date:
// balances and aging per currency, and the assessment (profile, risk,
// importance, impact of the delay, budget, open plans and promises).
type Position struct {
	Customer   ledger.Customer
	AsOf       civil.Date
	Currencies []CurrencyPosition
	*Assessment
}

// Position computes a customer's balances and aging as of a date.
func (s *Service) Position(ctx context.Context, idOrRef string, asOf civil.Date) (*Position, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	pos := &Position{AsOf: asOf}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		c, err := tx.Customer(ctx, idOrRef)
		if err != nil {
			return err
		}
		pos.Customer = *c
		r := ledger.NewAgingReport(asOf)
		counts := map[money.Currency]int{}
		oldest := map[money.Currency]civil.Date{}
		err = tx.OpenItems(ctx, store.OpenItemFilter{AsOf: asOf, CustomerID: c.ID}, func(it ledger.OpenItem) error {
			r.Add(it)
			counts[it.Currency]++
			if ledger.DaysPastDue(asOf, it.DueDate) > 0 {
				if o, ok := oldest[it.Currency]; !ok || it.DueDate.Before(o) {
					oldest[it.Currency] = it.DueDate
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		credit, err := tx.Unapplied(ctx, c.ID)
		if err != nil {
			return err
		}
		seen := map[money.Currency]bool{}
		for _, b := range r.Totals() {
			cp := CurrencyPosition{Buckets: b, OpenInvoices: counts[b.Currency], Credit: credit[b.Currency]}
			if o, ok := oldest[b.Currency]; ok {
				cp.OldestOverdue = &o
				cp.DaysOverdue = ledger.DaysPastDue(asOf, o)
			}
			pos.Currencies = append(pos.Currencies, cp)
			seen[b.Currency] = true
		}
		for cur, n := range credit {
			if !seen[cur] {
				pos.Currencies = append(pos.Currencies, CurrencyPosition{Buckets: ledger.Buckets{Currency: cur}, Credit: n})
			}
		}
		pos.Assessment, err = assessCustomer(ctx, tx, c, asOf)
		return err
	})
	if err != nil {
		return nil, err
	}
	return pos, nil
}
