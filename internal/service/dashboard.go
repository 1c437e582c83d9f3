package service

import (
	"context"
	"fmt"
	"sort"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/store"
)

// The staff dashboard: receivables and their aging, the collection KPIs
// and their trend, plans at risk, the cash expected from plans and
// promises, and the work waiting in each queue — all as of one date, read
// from one snapshot.

// Dashboard sizes.
const (
	KPIWindowDays  = 90 // the KPI window: the last 90 days
	KPITrendMonths = 6  // the trend: the last 6 calendar months (the current one to date)
	ForecastWeeks  = 8  // the forecast: 8 weeks from the Monday of the as-of week
)

// Queues lists the task queues in tier order (the dashboard shows each,
// even when empty).
var Queues = []string{"tier1", "tier2", "legal"}

// Dashboard is the staff overview as of a date.
type Dashboard struct {
	AsOf        civil.Date
	Receivables []ledger.Buckets // one row per currency, by currency code
	KPIs        []CurrencyKPIs   // one per currency that invoices use
	Plans       PlanCounts
	Forecast    []CurrencyForecast // currencies with anything expected or overdue
	Work        []QueueWork        // Queues first, then any other queue
}

// KPIPeriod is DSO, best DSO, ADD and CEI for one period.
type KPIPeriod struct {
	From, To civil.Date
	Input    ledger.KPIInput
	ledger.KPIs
}

// CurrencyKPIs is one currency's KPIs over the window and by month.
type CurrencyKPIs struct {
	Currency money.Currency
	Window   KPIPeriod   // the last KPIWindowDays days, to AsOf
	Months   []KPIPeriod // the last KPITrendMonths months, oldest first; the last ends at AsOf
}

// PlanCounts counts active plans as of the date: Active holds every plan
// that is neither completed nor defaulted (AtRisk among them: at least one
// installment missed); Defaulted those that defaulted and were not yet
// renegotiated or cancelled.
type PlanCounts struct {
	Active, AtRisk, Defaulted int
}

// ForecastWeek is what is expected in one week (Monday to Sunday), in
// minor units: unpaid installments of plans in good standing or at risk,
// and the unpaid part of open promises. Sums are Wide: they add up the
// whole organisation and must not overflow.
type ForecastWeek struct {
	Start    civil.Date
	Plans    money.Wide
	Promises money.Wide
}

// Total is the week's expected cash.
func (w ForecastWeek) Total() money.Wide { return w.Plans.Add(w.Promises) }

// CurrencyForecast is the weekly forecast of one currency.
type CurrencyForecast struct {
	Currency money.Currency
	Weeks    []ForecastWeek // ForecastWeeks of them
	// Overdue is what installments due before the first week still owe
	// (late or missed, in plans that have not defaulted): not in Weeks.
	Overdue money.Wide
}

// QueueWork counts a queue's tasks that are waiting (open) and being
// worked (claimed).
type QueueWork struct {
	Queue         string
	Open, Claimed int64
}

// WeekStart is the Monday on or before d.
func WeekStart(d civil.Date) civil.Date {
	return d.AddDays(-((int(d.Weekday()) + 6) % 7))
}

// Dashboard computes the overview as of asOf.
func (s *Service) Dashboard(ctx context.Context, asOf civil.Date) (*Dashboard, error) {
	if _, err := require(ctx, RoleViewer); err != nil {
		return nil, err
	}
	d := &Dashboard{AsOf: asOf}
	err := s.store.ReadTx(ctx, func(tx store.Tx) error {
		ar, err := loadAR(ctx, tx, asOf)
		if err != nil {
			return err
		}
		d.Receivables = ar.totals[asOf]
		if d.KPIs, err = dashboardKPIs(ctx, tx, ar, asOf); err != nil {
			return err
		}
		forecast := newForecast(asOf)
		if d.Plans, err = dashboardPlans(ctx, tx, asOf, forecast); err != nil {
			return err
		}
		if err := forecastPromises(ctx, tx, asOf, forecast); err != nil {
			return err
		}
		d.Forecast = forecast.list()
		d.Work, err = dashboardWork(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// arByDate holds the aging totals of every date the dashboard needs,
// read in one pass over the invoices (store.AgingTotals): at a million
// invoices one aging takes seconds, and the KPIs need eight distinct dates.
type arByDate struct {
	totals map[civil.Date][]ledger.Buckets
	asked  map[civil.Date]bool
}

// dashboardDates are the dates the dashboard reads the aging on: asOf,
// the day before the KPI window, and each trend month's eve and end.
func dashboardDates(asOf civil.Date) []civil.Date {
	ds := []civil.Date{asOf, asOf.AddDays(-KPIWindowDays)}
	first := civil.New(asOf.Year, asOf.Month, 1)
	for i := KPITrendMonths - 1; i >= 0; i-- {
		from := first.AddMonths(-i)
		to := from.AddMonths(1).AddDays(-1)
		if to.After(asOf) {
			to = asOf
		}
		ds = append(ds, from.AddDays(-1), to)
	}
	return ds
}

func loadAR(ctx context.Context, tx store.Tx, asOf civil.Date) (*arByDate, error) {
	ds := dashboardDates(asOf)
	m, err := tx.AgingTotals(ctx, ds)
	if err != nil {
		return nil, err
	}
	a := &arByDate{totals: m, asked: map[civil.Date]bool{}}
	for _, d := range ds {
		a.asked[d] = true
	}
	return a, nil
}

// total returns a currency's total and current AR as of d (a date of
// dashboardDates).
func (a *arByDate) total(_ context.Context, d civil.Date, cur money.Currency) (total, current money.Wide, err error) {
	if !a.asked[d] {
		// Every date of dashboardDates was read; another is a
		// programming error, not "nothing owed".
		return total, current, fmt.Errorf("dashboard: the aging of %s was not read", d)
	}
	for _, b := range a.totals[d] {
		if b.Currency == cur {
			return b.Total(), b.Amounts[ledger.BucketCurrent], nil
		}
	}
	return total, current, nil
}

// kpiPeriod computes one period's KPIs exactly as Service.KPIs does.
func kpiPeriod(ctx context.Context, tx store.Tx, ar *arByDate, cur money.Currency, from, to civil.Date) (KPIPeriod, error) {
	in := ledger.KPIInput{From: from, To: to}
	var err error
	if in.Sales, err = tx.Sales(ctx, cur, from, to); err != nil {
		return KPIPeriod{}, err
	}
	if in.OpeningAR, _, err = ar.total(ctx, from.AddDays(-1), cur); err != nil {
		return KPIPeriod{}, err
	}
	if in.ClosingAR, in.ClosingCurrentAR, err = ar.total(ctx, to, cur); err != nil {
		return KPIPeriod{}, err
	}
	return KPIPeriod{From: from, To: to, Input: in, KPIs: ledger.ComputeKPIs(in)}, nil
}

func dashboardKPIs(ctx context.Context, tx store.Tx, ar *arByDate, asOf civil.Date) ([]CurrencyKPIs, error) {
	curs, err := tx.Currencies(ctx)
	if err != nil {
		return nil, err
	}
	sort.Slice(curs, func(i, j int) bool { return curs[i] < curs[j] })
	first := civil.New(asOf.Year, asOf.Month, 1)
	var out []CurrencyKPIs
	for _, cur := range curs {
		k := CurrencyKPIs{Currency: cur}
		if k.Window, err = kpiPeriod(ctx, tx, ar, cur, asOf.AddDays(-(KPIWindowDays - 1)), asOf); err != nil {
			return nil, err
		}
		for i := KPITrendMonths - 1; i >= 0; i-- {
			from := first.AddMonths(-i)
			to := from.AddMonths(1).AddDays(-1)
			if to.After(asOf) {
				to = asOf
			}
			p, err := kpiPeriod(ctx, tx, ar, cur, from, to)
			if err != nil {
				return nil, err
			}
			k.Months = append(k.Months, p)
		}
		out = append(out, k)
	}
	return out, nil
}

// forecast accumulates expected receipts per currency and week.
type forecast struct {
	start civil.Date
	cur   map[money.Currency]*CurrencyForecast
}

func newForecast(asOf civil.Date) *forecast {
	return &forecast{start: WeekStart(asOf), cur: map[money.Currency]*CurrencyForecast{}}
}

func (f *forecast) of(cur money.Currency) *CurrencyForecast {
	c := f.cur[cur]
	if c == nil {
		c = &CurrencyForecast{Currency: cur}
		for i := range ForecastWeeks {
			c.Weeks = append(c.Weeks, ForecastWeek{Start: f.start.AddDays(7 * i)})
		}
		f.cur[cur] = c
	}
	return c
}

// add puts an amount due on a date in its week; fromPlan says whether a
// plan installment (else a promise) owes it. Amounts due before the first
// week are overdue; those after the last are beyond the horizon.
func (f *forecast) add(a money.Amount, due civil.Date, fromPlan bool) {
	if a.Minor() <= 0 {
		return
	}
	c := f.of(a.Currency())
	if due.Before(f.start) {
		if fromPlan {
			c.Overdue = c.Overdue.AddInt64(a.Minor())
		}
		return
	}
	if w := due.DaysSince(f.start) / 7; w < len(c.Weeks) {
		if fromPlan {
			c.Weeks[w].Plans = c.Weeks[w].Plans.AddInt64(a.Minor())
		} else {
			c.Weeks[w].Promises = c.Weeks[w].Promises.AddInt64(a.Minor())
		}
	}
}

func (f *forecast) list() []CurrencyForecast {
	out := make([]CurrencyForecast, 0, len(f.cur))
	for _, c := range f.cur {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// dashboardPlans tracks every active plan as of asOf: it counts them and
// adds what their unpaid installments still owe to the forecast.
func dashboardPlans(ctx context.Context, tx store.Tx, asOf civil.Date, f *forecast) (PlanCounts, error) {
	var n PlanCounts
	ids, err := tx.PlanIDsByStatus(ctx, plan.Active)
	if err != nil {
		return n, err
	}
	for _, id := range ids {
		v, err := loadPlan(ctx, tx, id, asOf)
		if err != nil {
			return n, err
		}
		if v.Tracking == nil {
			continue
		}
		switch v.Tracking.Status {
		case plan.PlanDefaulted:
			n.Defaulted++
			continue
		case plan.PlanCompleted:
			continue
		}
		n.Active++
		if v.Tracking.Missed > 0 {
			n.AtRisk++
		}
		for _, in := range v.Tracking.Installments {
			if in.Status == plan.StatusPaid {
				continue
			}
			rest, err := in.Amount.Sub(in.Paid)
			if err != nil {
				return n, err
			}
			f.add(rest, in.DueDate, true)
		}
	}
	return n, nil
}

// forecastPromises adds the unpaid part of every open promise (made by
// asOf, not yet kept, not yet broken) on its due date.
func forecastPromises(ctx context.Context, tx store.Tx, asOf civil.Date, f *forecast) error {
	payments := map[string][]ledger.Payment{}
	p := store.PromiseFilter{Page: store.Page{Limit: 500}}
	for {
		list, next, err := tx.Promises(ctx, p)
		if err != nil {
			return err
		}
		for _, pr := range list {
			if pr.PromisedOn.After(asOf) {
				continue
			}
			pays, ok := payments[pr.CustomerID]
			if !ok {
				if _, pays, err = tx.CustomerLedger(ctx, pr.CustomerID); err != nil {
					return err
				}
				payments[pr.CustomerID] = pays
			}
			status, paid := pr.StatusAsOf(asOf, pays)
			if status != ledger.PromiseOpen {
				continue
			}
			rest, err := pr.Amount.Sub(paid)
			if err != nil {
				return err
			}
			f.add(rest, pr.DueDate, false)
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// dashboardWork counts open and claimed tasks per queue.
func dashboardWork(ctx context.Context, tx store.Tx) ([]QueueWork, error) {
	counts, err := tx.TaskCounts(ctx)
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	var out []QueueWork
	for _, q := range Queues {
		idx[q] = len(out)
		out = append(out, QueueWork{Queue: q})
	}
	for _, c := range counts {
		i, ok := idx[c.Queue]
		if !ok {
			i = len(out)
			idx[c.Queue] = i
			out = append(out, QueueWork{Queue: c.Queue})
		}
		switch c.Status {
		case store.TaskOpen:
			out[i].Open += c.Count
		case store.TaskClaimed:
			out[i].Claimed += c.Count
		}
	}
	return out, nil
}
