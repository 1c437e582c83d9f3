package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestPortal_CounterErrorsInPlainWords (issue 17, item 6.2): a proposal the
// engine refuses as bad input is explained beside its field in the page's
// language, with amounts and dates as the rest of the page writes them —
// not "0.01 EUR would take 100000 installments to pay 1000.00 EUR", and not
// a generic "enter an amount" for an amount that is one. The texts are
// written by hand (today is 1 June 2026; A owes 1,000.00 EUR, B 900.00 EUR).
func TestPortal_CounterErrorsInPlainWords(t *testing.T) {
	for _, tc := range []struct {
		name, link, field string
		form              url.Values
		want              string
	}{
		{"German amount", "A", "installment_amount", url.Values{"installment_amount": {"0,01"}, "frequency": {"monthly"}},
			"Mit 0,01 EUR pro Rate wären 100.000 Raten nötig, um 1.000,00 EUR zu zahlen"},
		{"German date", "A", "start_date", url.Values{"installment_amount": {"100,00"}, "start_date": {"2026-05-31"}},
			"Der 31. Mai 2026 liegt in der Vergangenheit (Ihr Vorschlag ist vom 1. Juni 2026)"},
		{"English amount", "B", "installment_amount", url.Values{"installment_amount": {"0.01"}, "frequency": {"monthly"}},
			"0.01 EUR would take 90,000 installments to pay 900.00 EUR"},
		{"English date", "B", "start_date", url.Values{"installment_amount": {"100.00"}, "start_date": {"2026-05-31"}},
			"31 May 2026 is in the past (the counter-offer is made on 1 June 2026)"},
		// Refused before the engine runs (not an amount in EUR): the
		// customer's own text is quoted, not the plain "100.001" the
		// service was given, which a German reads as a hundred thousand.
		{"German decimals", "A", "installment_amount", url.Values{"installment_amount": {"100,001"}, "frequency": {"monthly"}},
			"„100,001“ hat mehr Nachkommastellen, als EUR erlaubt: Schreiben Sie den Betrag zum Beispiel so: 150,00 EUR."},
		{"German too large", "A", "installment_amount", url.Values{"installment_amount": {"1.000.000.000.000.000.000,00"}, "frequency": {"monthly"}},
			"„1.000.000.000.000.000.000,00“ ist zu groß für einen Betrag in EUR."},
		{"English decimals", "B", "installment_amount", url.Values{"installment_amount": {"1,000.125"}, "frequency": {"monthly"}},
			"1,000.125 has more decimal places than EUR allows: write it like 150.00 EUR."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newPortalWorld(t)
			link := w.linkA
			if tc.link == "B" {
				link = w.linkB
			}
			b := newBrowser(t, w.srv)
			opts := startPlan(t, b, link)
			counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
			bad := portalPost(t, b, opts, counter, tc.form)
			wantStatus(t, bad, http.StatusUnprocessableEntity)
			got := match(t, regexp.MustCompile(`<p class="field-error" id="`+tc.field+`-error">([^<]+)</p>`), bad.Body)
			if got = strings.ReplaceAll(got, "\u00a0", " "); got != tc.want {
				t.Errorf("beside %s: %q, want %q", tc.field, got, tc.want)
			}
		})
	}
}

// TestPortal_ConcessionNotesInTheCustomersLanguage (issue 17, item 6.1):
// once our offer concedes something, the portal says what it is in the
// customer's language — the early-payment discount's condition — not only
// its name and amount. A (German) proposes 5,00 a month four times; by the
// fourth answer the tactic has conceded a third of its room (default
// policy: (4/6)^2 ≥ 1/3) and offers the 2% early-payoff discount on
// 1,000.00 EUR: at most 20,00 EUR.
func TestPortal_ConcessionNotesInTheCustomersLanguage(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkA)
	counter := match(t, regexp.MustCompile(`action="(/portal/[^"]+/counter)"`), opts.Body)
	for range 4 {
		r := portalPost(t, b, opts, counter, url.Values{"installment_amount": {"5,00"}, "frequency": {"monthly"}})
		wantStatus(t, r, http.StatusSeeOther)
		opts = b.get(r.Header.Get("Location"))
		wantStatus(t, opts, 200)
	}
	gain := match(t, regexp.MustCompile(`(?s)<ul class="p-list">(<li>Skonto bei früher Zahlung:.*?)</ul>`), opts.Body)
	gain = strings.ReplaceAll(gain, "\u00a0", " ")
	if want := "<li>Skonto bei früher Zahlung: 20,00 EUR<br><small>2 % des Restbetrags werden erlassen, wenn Sie alles vorzeitig zahlen (bis zu 20,00 EUR)</small></li>"; gain != want {
		t.Errorf("the offer's gain reads\n%q\nwant\n%q", gain, want)
	}
}
