// Package demo builds the receivables of a credible small business — forty
// customers in four currencies, a year of invoices and the payments that
// followed them — and lives that year through settle: the customers come in
// through the ordinary CSV import, then every day the day's invoices,
// payments and disputes are recorded, the daily collections run runs and
// the email sender delivers (history.go). What the demo shows on its last
// day is what settle itself produced.
//
// Everything is derived from a seed and an "as of" date: the same pair
// gives byte-identical CSV files (Build) and the same history; loading them
// again is a no-op.
package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/money"
	"settle/internal/service"
)

// ShowcaseRef is the external_ref of the demo's most instructive account:
// the key account that pays 45–75 days late. Tools point people at it.
const ShowcaseRef = "C-1001"

// Summary says how many rows the demo holds.
type Summary struct {
	Customers, Invoices, Payments int
	// AlreadyLoaded is true when every file had been imported before, so
	// nothing changed.
	AlreadyLoaded bool
}

// Files are the demo's CSV files in the import formats of contract.md.
type Files struct {
	Customers, Invoices, Payments []byte
	Summary                       Summary
}

// seedNegotiation gives the demo what negotiations need beyond the
// ledger: a policy for the key accounts (longer terms, concedes sooner,
// legal review as the alternative, and a ladder that phones: see
// keyAccountLadder) and for small accounts (short plans, few rounds), and
// stated budgets for two consumers in arrears.
func seedNegotiation(ctx context.Context, svc *service.Service) error {
	str := func(v string) *string { return &v }
	num := func(v int) *int { return &v }
	keyLadder := keyAccountLadder()
	policies := []service.PolicyInput{
		{Segment: "key_account", MaxTermMonths: num(36), MinRecovery: str("0.60"), MaxRounds: num(8), ConcessionExponent: str("1.0"),
			MaxSettlementDiscount: str("0.10"), NoDeal: &service.NoDealInput{Action: str("legal"), Recovery: str("0.55"), Cost: str("0.15"), DelayDays: num(270)},
			Ladder: &keyLadder},
		{Segment: "small", MaxTermMonths: num(12), MinInstallment: str("10.00"), MaxRounds: num(4), DownPaymentShare: str("0.10")},
	}
	for _, p := range policies {
		if _, err := svc.CreatePolicy(ctx, p); err != nil && apperr.CodeOf(err) != apperr.Conflict {
			return fmt.Errorf("demo: policy %s: %w", p.Segment, err)
		}
	}
	budgets := map[string]service.BudgetInput{
		"C-1014": {Currency: "USD",
			Income: []service.BudgetLineInput{{Category: "earnings", Monthly: "2600.00"}},
			Expenses: []service.BudgetLineInput{{Category: "home", Label: "Rent", Monthly: "1150.00"}, {Category: "utilities", Monthly: "180.00"},
				{Category: "food_housekeeping", Monthly: "420.00"}, {Category: "transport", Monthly: "260.00"}, {Category: "communications_leisure", Monthly: "190.00"}},
			Debts: []service.BudgetDebtInput{{Creditor: "Car loan", Monthly: "210.00", Balance: "6300.00"}}},
		"C-1016": {Currency: "USD",
			Income: []service.BudgetLineInput{{Category: "earnings", Monthly: "3100.00"}},
			Expenses: []service.BudgetLineInput{{Category: "home", Label: "Mortgage", Monthly: "1400.00"}, {Category: "utilities", Monthly: "160.00"},
				{Category: "food_housekeeping", Monthly: "380.00"}, {Category: "transport", Monthly: "300.00"}, {Category: "personal", Monthly: "220.00"},
				{Category: "communications_leisure", Monthly: "120.00"}},
			Debts: []service.BudgetDebtInput{{Creditor: "Credit card", Monthly: "150.00", Balance: "2400.00"}}},
	}
	for _, ref := range []string{"C-1014", "C-1016"} {
		if _, err := svc.PutBudget(ctx, ref, budgets[ref]); err != nil {
			return fmt.Errorf("demo: budget of %s: %w", ref, err)
		}
	}
	return nil
}

// keyAccountLadder is the demo organisation's ladder for its key
// accounts: the default, except that the final notice too starts with a
// senior agent's call, like the firm reminder and the demand already do
// for key accounts; the letter follows only if the call settled nothing
// (collect.KeyAccountMailDelayDays later).
func keyAccountLadder() collect.Ladder {
	l := collect.DefaultLadder()
	for i := range l.Steps {
		if l.Steps[i].Name == collect.StepFinal {
			l.Steps[i].KeyAccountCall = true
		}
	}
	return l
}

// behaviour is how a customer pays.
type behaviour int

const (
	prompt       behaviour = iota // on or a few days before the due date
	slightlyLate                  // 5–20 days late
	chronicLate                   // 30–90 days late
	largeSlow                     // the big key account: 45–75 days late
	stopped                       // slightly late, then no payment for the last ~3 months
	statement                     // one remittance a month for everything falling due before the next
	overpaid                      // cancelled; the final invoice was paid twice, leaving a credit
	partial                       // slightly late; one recent invoice paid only in part
)

// profile is one demo customer and how it buys and pays.
type profile struct {
	ref, name, email, phone string
	kind, segment, style    string
	country, tz, locale     string
	terms                   int       // payment terms, days
	every                   int       // days between invoices (30: monthly on the same day)
	typical                 int64     // typical invoice, whole units of the currency
	pays                    behaviour // how it pays
	method                  string    // usual payment method
	stopAgo                 int       // stopped: roughly how many days before asOf the payments stop
	untilAgo                int       // the last invoice is at least this many days before asOf
}

// Names, addresses and numbers are invented: emails use the reserved
// example domains and phones the ranges set aside for fiction (555-01xx in
// North America, 020 7946 0xxx and 0161 496 0xxx in the UK).
var profiles = []profile{
	// United States (USD).
	{ref: "C-1001", name: "Harbor Freight Logistics LLC", kind: "business", country: "US", tz: "America/New_York", locale: "en-US", segment: "key_account", style: "direct", terms: 45, every: 7, typical: 14000, pays: largeSlow, method: "bank_transfer", email: "ap.harborfreight@example.com", phone: "+1 212 555 0101"},
	{ref: "C-1002", name: "Pinecrest Medical Supply Inc.", kind: "business", country: "US", tz: "America/Chicago", locale: "en-US", segment: "key_account", style: "direct", terms: 30, every: 7, typical: 9000, pays: prompt, method: "bank_transfer", email: "accounts.pinecrest@example.com", phone: "+1 312 555 0102"},
	{ref: "C-1003", name: "Summit Ridge Construction Co.", kind: "business", country: "US", tz: "America/Los_Angeles", locale: "en-US", segment: "standard", style: "direct", terms: 30, every: 9, typical: 4500, pays: chronicLate, method: "check", email: "billing.summitridge@example.com", phone: "+1 213 555 0103"},
	{ref: "C-1004", name: "Bluewater Analytics Inc.", kind: "business", country: "US", tz: "America/New_York", locale: "en-US", segment: "standard", style: "direct", terms: 30, every: 8, typical: 2200, pays: statement, method: "bank_transfer", email: "finance.bluewater@example.com", phone: "+1 646 555 0104"},
	{ref: "C-1005", name: "Cedar & Pine Interiors LLC", kind: "business", country: "US", tz: "America/Chicago", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 14, typical: 650, pays: slightlyLate, method: "card", email: "hello.cedarpine@example.com", phone: "+1 773 555 0105"},
	{ref: "C-1006", name: "Redwood Dental Group PLLC", kind: "business", country: "US", tz: "America/Los_Angeles", locale: "en-US", segment: "standard", style: "direct", terms: 30, every: 10, typical: 1900, pays: prompt, method: "bank_transfer", email: "office.redwooddental@example.com", phone: "+1 415 555 0106"},
	{ref: "C-1007", name: "Lakeshore Brewing Company", kind: "business", country: "US", tz: "America/Chicago", locale: "en-US", segment: "standard", style: "direct", terms: 30, every: 9, typical: 1800, pays: stopped, stopAgo: 98, method: "check", email: "ap.lakeshorebrewing@example.com", phone: "+1 312 555 0107"},
	{ref: "C-1008", name: "Golden Gate Print Works", kind: "business", country: "US", tz: "America/Los_Angeles", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 14, typical: 480, pays: slightlyLate, method: "card", email: "orders.goldengateprint@example.com", phone: "+1 415 555 0108"},
	{ref: "C-1009", name: "Hudson Valley Farms Co-op", kind: "business", country: "US", tz: "America/New_York", locale: "en-US", segment: "standard", style: "direct", terms: 60, every: 12, typical: 3200, pays: chronicLate, method: "check", email: "treasurer.hudsonvalley@example.com", phone: "+1 845 555 0109"},
	{ref: "C-1010", name: "Maple Street Bakery LLC", kind: "business", country: "US", tz: "America/New_York", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 14, typical: 320, pays: prompt, method: "card", email: "owner.maplestreet@example.com", phone: "+1 718 555 0110"},
	{ref: "C-1011", name: "Ironclad Security Systems Inc.", kind: "business", country: "US", tz: "America/Chicago", locale: "en-US", segment: "standard", style: "direct", terms: 45, every: 9, typical: 2800, pays: slightlyLate, method: "bank_transfer", email: "payables.ironclad@example.com", phone: "+1 312 555 0111"},
	{ref: "C-1012", name: "Sunset Auto Body", kind: "business", country: "US", tz: "America/Los_Angeles", locale: "en-US", segment: "small", style: "direct", terms: 30, every: 21, typical: 900, pays: slightlyLate, method: "check", email: "shop.sunsetauto@example.com", phone: "+1 310 555 0112"},
	{ref: "C-1013", name: "Emily Carter", kind: "consumer", country: "US", tz: "America/New_York", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 30, typical: 260, pays: prompt, method: "card", email: "emily.carter@example.com", phone: "+1 917 555 0113"},
	{ref: "C-1014", name: "Marcus Johnson", kind: "consumer", country: "US", tz: "America/Chicago", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 30, typical: 300, pays: chronicLate, method: "card", email: "marcus.johnson@example.com", phone: "+1 773 555 0114"},
	{ref: "C-1015", name: "José Álvarez", kind: "consumer", country: "US", tz: "America/Los_Angeles", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 30, typical: 280, pays: slightlyLate, method: "card", email: "jose.alvarez@example.com", phone: "+1 213 555 0115"},
	{ref: "C-1016", name: "Sarah O'Neill", kind: "consumer", country: "US", tz: "America/New_York", locale: "en-US", segment: "small", style: "direct", terms: 14, every: 30, typical: 350, pays: stopped, stopAgo: 70, method: "card", email: "sarah.oneill@example.com", phone: "+1 646 555 0116"},

	// United Kingdom (GBP).
	{ref: "C-2001", name: "Thames Valley Engineering Ltd", kind: "business", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "key_account", style: "direct", terms: 30, every: 7, typical: 7500, pays: slightlyLate, method: "bank_transfer", email: "accounts.thamesvalley@example.co.uk", phone: "+44 20 7946 0201"},
	{ref: "C-2002", name: "Brightwater Consulting Ltd", kind: "business", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "standard", style: "direct", terms: 30, every: 9, typical: 2400, pays: prompt, method: "bank_transfer", email: "finance.brightwater@example.co.uk", phone: "+44 20 7946 0202"},
	{ref: "C-2003", name: "Oakridge Garden Centre Ltd", kind: "business", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "small", style: "direct", terms: 30, every: 14, typical: 540, pays: slightlyLate, method: "bank_transfer", email: "office.oakridge@example.co.uk", phone: "+44 161 496 0203"},
	{ref: "C-2004", name: "Kensington Catering Co. Ltd", kind: "business", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "standard", style: "direct", terms: 30, every: 9, typical: 1600, pays: chronicLate, method: "bank_transfer", email: "bookings.kensingtoncatering@example.co.uk", phone: "+44 20 7946 0204"},
	{ref: "C-2005", name: "Northern Lights Events Ltd", kind: "business", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "standard", style: "direct", terms: 30, every: 10, typical: 2100, pays: stopped, stopAgo: 85, method: "bank_transfer", email: "hello.northernlights@example.co.uk", phone: "+44 161 496 0205"},
	{ref: "C-2006", name: "Oliver Bennett", kind: "consumer", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "small", style: "direct", terms: 14, every: 30, typical: 120, pays: overpaid, untilAgo: 50, method: "direct_debit", email: "oliver.bennett@example.co.uk", phone: "+44 7700 900206"},
	{ref: "C-2007", name: "Charlotte Hughes", kind: "consumer", country: "GB", tz: "Europe/London", locale: "en-GB", segment: "small", style: "direct", terms: 14, every: 30, typical: 95, pays: slightlyLate, method: "card", email: "charlotte.hughes@example.co.uk", phone: "+44 7700 900207"},

	// Germany (EUR).
	{ref: "C-3001", name: "Müller & Söhne GmbH", kind: "business", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "standard", style: "direct", terms: 30, every: 8, typical: 2600, pays: statement, method: "bank_transfer", email: "buchhaltung@mueller-soehne.example.de", phone: "+49 30 1234 5601"},
	{ref: "C-3002", name: "Schröder Maschinenbau AG", kind: "business", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "standard", style: "direct", terms: 45, every: 9, typical: 5200, pays: slightlyLate, method: "bank_transfer", email: "kreditoren@schroeder-maschinenbau.example.de", phone: "+49 711 1234 5602"},
	{ref: "C-3003", name: "Bäckerei Weiß KG", kind: "business", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "small", style: "direct", terms: 14, every: 14, typical: 380, pays: prompt, method: "direct_debit", email: "info@baeckerei-weiss.example.de", phone: "+49 89 1234 5603"},
	{ref: "C-3004", name: "Nordlicht Software GmbH", kind: "business", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "standard", style: "direct", terms: 30, every: 9, typical: 3100, pays: chronicLate, method: "bank_transfer", email: "rechnungen@nordlicht-software.example.de", phone: "+49 40 1234 5604"},
	{ref: "C-3005", name: "Jürgen Köhler", kind: "consumer", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "small", style: "direct", terms: 14, every: 30, typical: 140, pays: slightlyLate, method: "bank_transfer", email: "juergen.koehler@example.de", phone: "+49 151 2345 6705"},
	{ref: "C-3006", name: "Łukasz Kowalski", kind: "consumer", country: "DE", tz: "Europe/Berlin", locale: "de-DE", segment: "small", style: "direct", terms: 14, every: 30, typical: 90, pays: prompt, method: "direct_debit", email: "lukasz.kowalski@example.de", phone: "+49 160 2345 6706"},

	// France (EUR).
	{ref: "C-4001", name: "Boulangerie Lefèvre SARL", kind: "business", country: "FR", tz: "Europe/Paris", locale: "fr-FR", segment: "small", style: "indirect", terms: 30, every: 14, typical: 420, pays: slightlyLate, method: "bank_transfer", email: "contact.lefevre@example.com", phone: "+33 1 23 45 67 01"},
	{ref: "C-4002", name: "Transports Dupré & Fils SAS", kind: "business", country: "FR", tz: "Europe/Paris", locale: "fr-FR", segment: "standard", style: "indirect", terms: 60, every: 10, typical: 3800, pays: chronicLate, method: "bank_transfer", email: "comptabilite.dupre@example.com", phone: "+33 4 78 12 34 02"},
	{ref: "C-4003", name: "Atelier Céleste SARL", kind: "business", country: "FR", tz: "Europe/Paris", locale: "fr-FR", segment: "small", style: "direct", terms: 30, every: 14, typical: 700, pays: partial, method: "bank_transfer", email: "atelier.celeste@example.com", phone: "+33 1 23 45 67 03"},
	{ref: "C-4004", name: "Éditions Beaumont SA", kind: "business", country: "FR", tz: "Europe/Paris", locale: "fr-FR", segment: "standard", style: "indirect", terms: 45, every: 10, typical: 2900, pays: prompt, method: "direct_debit", email: "fournisseurs.beaumont@example.com", phone: "+33 1 23 45 67 04"},
	{ref: "C-4005", name: "Camille Rousseau", kind: "consumer", country: "FR", tz: "Europe/Paris", locale: "fr-FR", segment: "small", style: "direct", terms: 14, every: 30, typical: 110, pays: prompt, method: "card", email: "camille.rousseau@example.com", phone: "+33 6 12 34 56 05"},

	// The Netherlands (EUR).
	{ref: "C-5001", name: "Van der Berg Logistiek B.V.", kind: "business", country: "NL", tz: "Europe/Amsterdam", locale: "nl-NL", segment: "standard", style: "direct", terms: 30, every: 9, typical: 3400, pays: slightlyLate, method: "bank_transfer", email: "crediteuren.vanderberg@example.com", phone: "+31 20 123 4501"},
	{ref: "C-5002", name: "Grønvold Design Studio B.V.", kind: "business", country: "NL", tz: "Europe/Amsterdam", locale: "nl-NL", segment: "small", style: "direct", terms: 14, every: 14, typical: 600, pays: prompt, method: "bank_transfer", email: "studio.gronvold@example.com", phone: "+31 20 123 4502"},
	{ref: "C-5003", name: "De Vries Bloemen B.V.", kind: "business", country: "NL", tz: "Europe/Amsterdam", locale: "nl-NL", segment: "standard", style: "direct", terms: 30, every: 10, typical: 1700, pays: chronicLate, method: "bank_transfer", email: "administratie.devries@example.com", phone: "+31 297 123 503"},

	// Japan (JPY, no minor unit). Indirect style: relationship first.
	{ref: "C-6001", name: "株式会社山田製作所", kind: "business", country: "JP", tz: "Asia/Tokyo", locale: "ja-JP", segment: "standard", style: "indirect", terms: 60, every: 9, typical: 480000, pays: prompt, method: "bank_transfer", email: "keiri.yamada@example.com", phone: "+81 3 1234 5601"},
	{ref: "C-6002", name: "さくら商事株式会社", kind: "business", country: "JP", tz: "Asia/Tokyo", locale: "ja-JP", segment: "standard", style: "indirect", terms: 30, every: 12, typical: 350000, pays: slightlyLate, method: "bank_transfer", email: "shiharai.sakura@example.com", phone: "+81 6 1234 5602"},
	{ref: "C-6003", name: "佐藤 健", kind: "consumer", country: "JP", tz: "Asia/Tokyo", locale: "ja-JP", segment: "small", style: "indirect", terms: 14, every: 30, typical: 18000, pays: prompt, method: "card", email: "ken.sato@example.com", phone: "+81 90 1234 5603"},
}

func currencyOf(country string) money.Currency {
	switch country {
	case "US":
		return "USD"
	case "GB":
		return "GBP"
	case "JP":
		return "JPY"
	}
	return "EUR"
}

// invoice and payment are rows before they are written.
type invoice struct {
	cust     int // index into profiles
	seq      int // the customer's n-th invoice
	number   string
	issue    civil.Date
	due      civil.Date
	amount   money.Amount
	disputed bool
	paid     bool
	// disputedOn is the day the customer raised the dispute, resolvedOn
	// the day it was resolved (zero: still open) (story).
	disputedOn, resolvedOn civil.Date
}

type payment struct {
	cust      int
	on        civil.Date
	amount    money.Amount
	method    string
	reference string
	invoice   string // number, when the customer said which invoice it pays
}

// gen holds one build's state. Every random draw goes through rng in a
// fixed order (slices, never maps), which is what makes a seed reproducible.
type gen struct {
	rng      *rand.Rand
	asOf     civil.Date
	invoices []*invoice
	payments []payment
	refs     map[string]bool // payment references used so far
	checkNo  map[int]int     // next check number per customer
}

// Build returns the demo files for asOf and seed; it touches no database.
// The files hold the book as it stands on asOf (an invoice disputed at any
// time in the year is marked disputed).
func Build(asOf civil.Date, seed int64) (Files, error) {
	f, _, err := build(asOf, seed)
	return f, err
}

// build is Build, also returning the generator's rows, from which Generate
// takes the dates on which things happen.
func build(asOf civil.Date, seed int64) (Files, *gen, error) {
	if !asOf.IsValid() {
		return Files{}, nil, fmt.Errorf("demo: invalid as-of date %v", asOf)
	}
	// The second PCG word is fixed so that the seed alone picks the stream.
	g := &gen{rng: rand.New(rand.NewPCG(uint64(seed), 0x5e771e)), asOf: asOf,
		refs: map[string]bool{}, checkNo: map[int]int{}}
	g.makeInvoices()
	g.number()
	g.dispute()
	for i := range profiles {
		g.pay(i)
	}
	sort.SliceStable(g.payments, func(i, j int) bool {
		a, b := g.payments[i], g.payments[j]
		if c := a.on.Compare(b.on); c != 0 {
			return c < 0
		}
		return a.cust < b.cust
	})

	var f Files
	var err error
	if f.Customers, err = customersCSV(); err != nil {
		return Files{}, nil, err
	}
	all := func(inv *invoice) (bool, bool) { return true, inv.disputed }
	if f.Invoices, err = g.invoicesCSV(all); err != nil {
		return Files{}, nil, err
	}
	if f.Payments, err = g.paymentsCSV(func(*payment) bool { return true }); err != nil {
		return Files{}, nil, err
	}
	f.Summary = Summary{Customers: len(profiles), Invoices: len(g.invoices), Payments: len(g.payments)}
	return f, g, nil
}

// weekday moves a Saturday or Sunday to the next Monday: businesses invoice
// and banks move money on working days.
func weekday(d civil.Date) civil.Date {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDays(2)
	case time.Sunday:
		return d.AddDays(1)
	}
	return d
}

// makeInvoices issues each customer's invoices over the year before asOf.
func (g *gen) makeInvoices() {
	start := g.asOf.AddDays(-365)
	for ci := range profiles {
		p := &profiles[ci]
		last := g.asOf.AddDays(-p.untilAgo)
		first := start.AddDays(1 + g.rng.IntN(p.every))
		var prev civil.Date
		for k := 0; ; k++ {
			var d civil.Date
			if p.every == 30 {
				// Subscriptions bill on the same day each month.
				d = first.AddMonths(k)
			} else {
				// Work is invoiced roughly on schedule, give or take two days.
				d = first.AddDays(k * p.every)
				if p.every > 7 {
					d = d.AddDays(g.rng.IntN(5) - 2)
				}
			}
			d = weekday(d)
			if d.After(last) {
				break
			}
			if !prev.IsZero() && !d.After(prev) {
				continue
			}
			prev = d
			g.invoices = append(g.invoices, &invoice{
				cust: ci, seq: k, issue: d, due: d.AddDays(p.terms), amount: g.amount(p),
			})
		}
	}
}

// amount draws an invoice of 60%–160% of the customer's typical one.
func (g *gen) amount(p *profile) money.Amount {
	cur := currencyOf(p.country)
	scale := cur.Unit()
	major := p.typical * int64(60+g.rng.IntN(101)) / 100
	minor := major * scale
	if scale > 1 {
		minor += g.rng.Int64N(scale)
	}
	return money.New(minor, cur)
}

// number gives invoices their numbers in issue order, restarting each year
// (INV-2025-00001), as an accounting system would.
func (g *gen) number() {
	sort.SliceStable(g.invoices, func(i, j int) bool {
		a, b := g.invoices[i], g.invoices[j]
		if c := a.issue.Compare(b.issue); c != 0 {
			return c < 0
		}
		if a.cust != b.cust {
			return a.cust < b.cust
		}
		return a.seq < b.seq
	})
	seq := map[int]int{}
	for _, inv := range g.invoices {
		seq[inv.issue.Year]++
		inv.number = fmt.Sprintf("INV-%d-%05d", inv.issue.Year, seq[inv.issue.Year])
	}
}

// dispute flags about 2% of the invoices, all from the last five months
// (old disputes are normally settled), and never on the customers whose
// story is about something else.
func (g *gen) dispute() {
	var cands []*invoice
	since := g.asOf.AddDays(-150)
	for _, inv := range g.invoices {
		b := profiles[inv.cust].pays
		if !inv.issue.Before(since) && b != overpaid && b != partial {
			cands = append(cands, inv)
		}
	}
	n := (len(g.invoices)*2 + 50) / 100
	g.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	for _, inv := range cands[:min(n, len(cands))] {
		inv.disputed = true
	}
}

// lateness draws how many days after the due date a customer pays
// (negative: early).
func (g *gen) lateness(b behaviour) int {
	r := g.rng
	switch b {
	case slightlyLate, stopped, partial:
		if r.IntN(7) == 0 {
			return -r.IntN(3) // now and then on time
		}
		return 5 + r.IntN(16)
	case chronicLate:
		return 30 + r.IntN(61)
	case largeSlow:
		return 45 + r.IntN(31)
	}
	if r.IntN(10) == 0 {
		return 1 + r.IntN(5) // even good payers slip now and then
	}
	return -r.IntN(8)
}

// pay records customer ci's payments up to asOf.
func (g *gen) pay(ci int) {
	p := &profiles[ci]
	var invs []*invoice
	for _, inv := range g.invoices {
		if inv.cust == ci {
			invs = append(invs, inv)
		}
	}
	if p.pays == statement {
		g.payByStatement(ci, invs)
		return
	}
	var stop civil.Date // stopped: no payment on or after this date
	if p.pays == stopped {
		stop = g.asOf.AddDays(-p.stopAgo - g.rng.IntN(8))
	}
	var short *invoice // partial: the invoice paid only in part
	if p.pays == partial {
		from, to := g.asOf.AddDays(-60), g.asOf.AddDays(-30)
		for _, inv := range invs {
			if !inv.disputed && !inv.due.Before(from) && !inv.due.After(to) {
				short = inv
			}
		}
	}
	for n, inv := range invs {
		if inv.disputed {
			continue // withheld until the dispute is resolved
		}
		method := p.method
		var on civil.Date
		if method == "direct_debit" {
			on = inv.due // we collect on the due date
		} else {
			on = inv.due.AddDays(g.lateness(p.pays))
			if g.rng.IntN(10) == 0 {
				method = "card" // the odd payment by another route
				if p.method == "card" {
					method = "bank_transfer"
				}
			}
		}
		if on.Before(inv.issue) {
			on = inv.issue
		}
		if method != "card" {
			on = weekday(on)
		}
		if on.After(g.asOf) || (!stop.IsZero() && !on.Before(stop)) {
			continue // not paid (yet)
		}
		amount := inv.amount
		if inv == short {
			// Paid 40%, in whole units, "the rest when we can".
			scale := amount.Currency().Unit()
			amount = money.New(amount.Minor()*40/100/scale*scale, amount.Currency())
		}
		g.addPayment(ci, on, amount, method, inv.number)
		inv.paid = true
		if p.pays == overpaid && n == len(invs)-1 {
			// The customer cancelled, then paid the final invoice again by
			// bank transfer after the direct debit had been collected.
			g.addPayment(ci, weekday(on.AddDays(4)), inv.amount, "bank_transfer", inv.number)
		}
	}
}

// payByStatement pays like an accounts department with a monthly payment
// run: one transfer, naming no invoice, for everything that falls due
// before the next run.
func (g *gen) payByStatement(ci int, invs []*invoice) {
	day := 25
	if profiles[ci].country != "US" {
		day = 28 // the German Zahllauf at the end of the month
	}
	startMonth := g.asOf.AddDays(-365)
	for k := 0; ; k++ {
		run := weekday(civil.New(startMonth.Year, startMonth.Month+time.Month(k), day))
		if run.After(g.asOf) {
			return
		}
		next := civil.New(startMonth.Year, startMonth.Month+time.Month(k+1), day)
		total := money.Zero(currencyOf(profiles[ci].country))
		for _, inv := range invs {
			if inv.paid || inv.disputed || inv.issue.After(run) || !inv.due.Before(next) {
				continue
			}
			var err error
			if total, err = total.Add(inv.amount); err != nil {
				panic(err) // one customer, one currency: cannot happen
			}
			inv.paid = true
		}
		if total.IsPositive() {
			g.addPayment(ci, run, total, profiles[ci].method, "")
		}
	}
}

// addPayment records a payment with a reference in the style of its method
// and country (BACS-88213, ACH-402117, CHK-1043, …), unique in the file.
func (g *gen) addPayment(ci int, on civil.Date, amount money.Amount, method, invoiceNumber string) {
	p := &profiles[ci]
	var ref string
	for ref == "" || g.refs[ref] {
		switch {
		case method == "check":
			if g.checkNo[ci] == 0 {
				g.checkNo[ci] = 1000 + g.rng.IntN(8000)
			}
			g.checkNo[ci]++
			ref = fmt.Sprintf("CHK-%d", g.checkNo[ci])
		case method == "card":
			ref = fmt.Sprintf("CARD-%06d", g.rng.IntN(1000000))
		case method == "direct_debit" && p.country == "GB":
			ref = fmt.Sprintf("DD-%06d", g.rng.IntN(1000000))
		case method == "direct_debit":
			ref = fmt.Sprintf("SDD-%08d", g.rng.IntN(100000000))
		case p.country == "US":
			ref = fmt.Sprintf("ACH-%06d", g.rng.IntN(1000000))
		case p.country == "GB":
			ref = fmt.Sprintf("BACS-%05d", g.rng.IntN(100000))
		case p.country == "JP":
			ref = fmt.Sprintf("FURIKOMI-%06d", g.rng.IntN(1000000))
		default:
			ref = fmt.Sprintf("SEPA-%08d", g.rng.IntN(100000000))
		}
	}
	g.refs[ref] = true
	g.payments = append(g.payments, payment{cust: ci, on: on, amount: amount, method: method,
		reference: ref, invoice: invoiceNumber})
}

func writeCSV(rows [][]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("demo: write csv: %w", err)
	}
	return buf.Bytes(), nil
}

func customersCSV() ([]byte, error) {
	rows := [][]string{{"external_ref", "name", "email", "phone", "time_zone", "locale", "kind",
		"jurisdiction", "segment", "style", "payment_terms_days", "address_line1", "postal_code", "city", "region", "country"}}
	for i, p := range profiles {
		a := demoAddress(p.country, i)
		rows = append(rows, []string{p.ref, p.name, p.email, p.phone, p.tz, p.locale, p.kind,
			p.country, p.segment, p.style, fmt.Sprint(p.terms), a[0], a[1], a[2], a[3], p.country})
	}
	return writeCSV(rows)
}

// demoAddress is an invented postal address in a country (street line,
// postal code, city, region): letters go to a postal address only.
func demoAddress(country string, i int) [4]string {
	n := 10 + 7*i
	switch country {
	case "US":
		return [4]string{fmt.Sprintf("%d Commerce Street", n), "62701", "Springfield", "IL"}
	case "GB":
		return [4]string{fmt.Sprintf("%d High Street", n), "BS1 4DJ", "Bristol", ""}
	case "DE":
		return [4]string{fmt.Sprintf("Hauptstraße %d", n), "70173", "Stuttgart", ""}
	case "FR":
		return [4]string{fmt.Sprintf("%d rue de la République", n), "69002", "Lyon", ""}
	case "NL":
		return [4]string{fmt.Sprintf("Keizersgracht %d", n), "1015 CJ", "Amsterdam", ""}
	case "JP":
		return [4]string{fmt.Sprintf("1-%d Marunouchi", n), "100-0005", "Chiyoda-ku, Tokyo", ""}
	}
	return [4]string{fmt.Sprintf("%d Market Street", n), "10000", "Capital", ""}
}

// invoicesCSV writes the invoices that keep says to keep, marked disputed
// as it says.
func (g *gen) invoicesCSV(keep func(*invoice) (keep, disputed bool)) ([]byte, error) {
	rows := [][]string{{"number", "customer_ref", "issue_date", "due_date", "currency", "amount", "disputed"}}
	for _, inv := range g.invoices {
		ok, isDisputed := keep(inv)
		if !ok {
			continue
		}
		disputed := ""
		if isDisputed {
			disputed = "true"
		}
		rows = append(rows, []string{inv.number, profiles[inv.cust].ref, inv.issue.String(), inv.due.String(),
			string(inv.amount.Currency()), inv.amount.String(), disputed})
	}
	return writeCSV(rows)
}

// paymentsCSV writes the payments that keep says to keep.
func (g *gen) paymentsCSV(keep func(*payment) bool) ([]byte, error) {
	rows := [][]string{{"customer_ref", "received_on", "currency", "amount", "method", "reference", "invoice_number"}}
	for i := range g.payments {
		p := &g.payments[i]
		if !keep(p) {
			continue
		}
		rows = append(rows, []string{profiles[p.cust].ref, p.on.String(), string(p.amount.Currency()),
			p.amount.String(), p.method, p.reference, p.invoice})
	}
	return writeCSV(rows)
}
