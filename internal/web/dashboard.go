package web

import (
	"html/template"
	"net/http"
	"strings"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/service"
)

// The dashboard's view: everything formatted for the template, charts
// drawn.
type dashboardView struct {
	AsOf      civil.Date
	AsOfValue string // YYYY-MM-DD for the date input
	Today     bool
	Error     string // a bad ?as_of=
	Cards     []receivableCard
	Aging     []agingRow
	Buckets   []string
	Months    []civil.Date
	KPIs      []kpiCurrency
	KPIWindow string // "3 Mar – 1 Jun 2026"
	Plans     service.PlanCounts
	Forecast  []forecastView
	Work      []workRow
	WorkOpen  int64
}

type receivableCard struct {
	Currency    money.Currency
	Total       string
	Overdue     string
	OverdueRate string
}

type agingRow struct {
	Currency money.Currency
	Bar      template.HTML
	Amounts  []string // per bucket
	Total    string
}

type kpiFigure struct {
	Name, Unit string
	Window     string
	Spark      template.HTML
	Months     []string
	Better     string // "lower" or "higher"
}

type kpiCurrency struct {
	Currency money.Currency
	Figures  []kpiFigure
	NoSales  bool // no invoices issued in the window: DSO undefined
}

type forecastView struct {
	Currency money.Currency
	Chart    template.HTML
	Axis     []string
	Weeks    []forecastRow
	Total    string
	Overdue  string
	Empty    bool
}

type forecastRow struct {
	Start                   civil.Date
	Plans, Promises, Amount string
}

type workRow struct {
	Queue         string
	Name          string
	Open, Claimed int64
}

// dashboard shows the overview as of today, or as of ?as_of=YYYY-MM-DD.
// An htmx request (the as-of form) gets only the dashboard's body.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	asOf := s.svc.Today()
	var bad string
	if v := strings.TrimSpace(r.URL.Query().Get("as_of")); v != "" {
		d, err := civil.Parse(v)
		if err != nil {
			bad = err.Error() + "."
		} else {
			asOf = d
		}
	}
	d, err := s.svc.Dashboard(r.Context(), asOf)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := buildDashboard(d, s.svc.Today())
	v.Error = bad
	status := http.StatusOK
	if bad != "" {
		status = statusOf(apperr.Invalid)
	}
	block := ""
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") == "dashboard" {
		block = "dashboard-body"
		if bad != "" {
			status = http.StatusOK // htmx swaps 2xx only: show the message in place
		}
	}
	s.render(w, r, status, "dashboard", block, pageFor(u, "Dashboard", "dashboard", v))
}

func buildDashboard(d *service.Dashboard, today civil.Date) dashboardView {
	v := dashboardView{AsOf: d.AsOf, AsOfValue: d.AsOf.String(), Today: d.AsOf == today, Plans: d.Plans, Buckets: bucketLabels[:]}
	for _, b := range d.Receivables {
		v.Cards = append(v.Cards, receivableCard{Currency: b.Currency, Total: formatAmount(b.Total(), b.Currency),
			Overdue: formatAmount(b.Overdue(), b.Currency), OverdueRate: percentOf(b.Overdue(), b.Total())})
		row := agingRow{Currency: b.Currency, Bar: agingBar(b), Total: formatAmount(b.Total(), b.Currency)}
		for k := range b.Amounts {
			row.Amounts = append(row.Amounts, formatAmount(b.Amounts[k], b.Currency))
		}
		v.Aging = append(v.Aging, row)
	}
	for i, k := range d.KPIs {
		if i == 0 {
			v.KPIWindow = formatDay(k.Window.From) + " – " + formatDate(k.Window.To)
			for _, m := range k.Months {
				v.Months = append(v.Months, m.From)
			}
		}
		v.KPIs = append(v.KPIs, kpiView(k, v.Months))
	}
	for _, f := range d.Forecast {
		v.Forecast = append(v.Forecast, forecastOf(f))
	}
	for _, q := range d.Work {
		v.Work = append(v.Work, workRow{Queue: q.Queue, Name: queueName(q.Queue), Open: q.Open, Claimed: q.Claimed})
		v.WorkOpen += q.Open
	}
	return v
}

// kpiView formats one currency's four KPIs with their monthly trend.
func kpiView(k service.CurrencyKPIs, months []civil.Date) kpiCurrency {
	pick := []struct {
		name, unit, better string
		get                func(ledger.KPIs) *float64
	}{
		{"DSO", " d", "lower", func(x ledger.KPIs) *float64 { return x.DSO }},
		{"Best DSO", " d", "lower", func(x ledger.KPIs) *float64 { return x.BestDSO }},
		{"ADD", " d", "lower", func(x ledger.KPIs) *float64 { return x.ADD }},
		{"CEI", " %", "higher", func(x ledger.KPIs) *float64 { return x.CEI }},
	}
	out := kpiCurrency{Currency: k.Currency, NoSales: k.Window.DSO == nil}
	for _, p := range pick {
		f := kpiFigure{Name: p.name, Unit: strings.TrimSpace(p.unit), Window: formatFigure(p.get(k.Window.KPIs), p.unit), Better: p.better}
		var vals []*float64
		for _, m := range k.Months {
			vals = append(vals, p.get(m.KPIs))
			f.Months = append(f.Months, formatFigure(p.get(m.KPIs), p.unit))
		}
		f.Spark = sparkline(vals, sparkLabel(string(k.Currency)+" "+p.name, p.unit, months, vals))
		out.Figures = append(out.Figures, f)
	}
	return out
}

func forecastOf(f service.CurrencyForecast) forecastView {
	v := forecastView{Currency: f.Currency}
	var total money.Wide
	for _, w := range f.Weeks {
		total = total.Add(w.Total())
		v.Weeks = append(v.Weeks, forecastRow{Start: w.Start, Plans: formatAmount(w.Plans, f.Currency),
			Promises: formatAmount(w.Promises, f.Currency), Amount: formatAmount(w.Total(), f.Currency)})
	}
	v.Total = formatAmount(total, f.Currency)
	v.Empty = total.IsZero()
	if f.Overdue.Sign() > 0 {
		v.Overdue = formatAmount(f.Overdue, f.Currency)
	}
	if !v.Empty {
		v.Chart, v.Axis = forecastChart(f)
	}
	return v
}
