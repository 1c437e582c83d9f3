package negotiate

import (
	"math/rand/v2"
	"testing"

	"settle/internal/money"
)

// Each label kind, written by hand in en, de and fr, in the customer's
// formats (notify's: "1.234,50 EUR", "8. Juni 2026", "8 juin 2026").
func TestRenderLabel(t *testing.T) {
	eur := func(minor int64) money.Amount { return money.New(minor, "EUR") }
	labels := map[string]AltLabel{
		"more":    {Kind: LabelPayMore, Extra: eur(2500), Amount: eur(123450), Count: 2},
		"one":     {Kind: LabelPayMore, Extra: eur(1000), Amount: eur(50000), Count: 1},
		"settle":  {Kind: LabelSettle, Amount: eur(1811165), Date: day("2026-12-13"), Extra: eur(201240)},
		"whole":   {Kind: LabelPayWhole, Amount: eur(1234500), Date: day("2026-06-08")},
		"biweek":  {Kind: LabelBiweekly, Count: 26, Amount: eur(46000)},
		"longer":  {Kind: LabelLonger, Count: 13, Frequency: "monthly", Amount: eur(92000)},
		"longer2": {Kind: LabelLonger, Count: 27, Frequency: "biweekly", Amount: eur(46000)},
		// The demo's fortnightly alternative for C-1016: 107.29 down, then
		// 8 payments of 127.73 of which the last is 71.41 (7 × 127.73 +
		// 71.41 + 107.29 = 1,072.81, the balance).
		"biweekDL": {Kind: LabelBiweekly, Count: 8, Amount: eur(12773), Down: eur(10729), Last: eur(7141)},
		"longerL":  {Kind: LabelLonger, Count: 9, Frequency: "monthly", Amount: eur(12000), Last: eur(4000)},
	}
	for _, tc := range []struct{ tag, label, want string }{
		{"en-GB", "more", "Pay 25.00 EUR more each time (1,234.50 EUR): finish 2 installments sooner"},
		{"en-GB", "one", "Pay 10.00 EUR more each time (500.00 EUR): finish 1 installment sooner"},
		{"en-GB", "settle", "Settle in one payment of 18,111.65 EUR by 13 December 2026 (save 2,012.40 EUR)"},
		{"en-GB", "whole", "Pay the whole 12,345.00 EUR by 8 June 2026"},
		{"en-GB", "biweek", "Every two weeks: 26 payments of 460.00 EUR"},
		{"en-GB", "longer", "A little longer: 13 monthly payments of 920.00 EUR"},
		{"en-GB", "longer2", "A little longer: 27 payments of 460.00 EUR every two weeks"},
		{"de-DE", "more", "25,00 EUR mehr pro Rate (1.234,50 EUR): 2 Raten früher fertig"},
		{"de-DE", "one", "10,00 EUR mehr pro Rate (500,00 EUR): 1 Rate früher fertig"},
		{"de-DE", "settle", "Einmalzahlung von 18.111,65 EUR bis zum 13. Dezember 2026 (Sie sparen 2.012,40 EUR)"},
		{"de-DE", "whole", "Den ganzen Betrag von 12.345,00 EUR bis zum 8. Juni 2026 zahlen"},
		{"de-DE", "biweek", "Alle zwei Wochen: 26 Zahlungen von je 460,00 EUR"},
		{"de-DE", "longer", "Etwas länger: 13 monatliche Raten von je 920,00 EUR"},
		{"fr-FR", "more", "25,00 EUR de plus par mensualité (1 234,50 EUR) : 2 mensualités de moins"},
		{"fr-FR", "one", "10,00 EUR de plus par mensualité (500,00 EUR) : 1 mensualité de moins"},
		{"fr-FR", "settle", "Un seul paiement de 18 111,65 EUR au plus tard le 13 décembre 2026 (vous économisez 2 012,40 EUR)"},
		{"fr-FR", "whole", "Payer la totalité, 12 345,00 EUR, au plus tard le 8 juin 2026"},
		{"fr-FR", "biweek", "Toutes les deux semaines : 26 versements de 460,00 EUR"},
		{"fr-FR", "longer", "Un peu plus long : 13 mensualités de 920,00 EUR"},
		{"en-GB", "biweekDL", "Every two weeks: 107.29 EUR down, then 8 payments of 127.73 EUR (the last 71.41 EUR)"},
		{"de-DE", "biweekDL", "Alle zwei Wochen: 107,29 EUR Anzahlung, dann 8 Zahlungen von je 127,73 EUR (die letzte über 71,41 EUR)"},
		{"fr-FR", "biweekDL", "Toutes les deux semaines : un acompte de 107,29 EUR, puis 8 versements de 127,73 EUR (le dernier de 71,41 EUR)"},
		{"en-GB", "longerL", "A little longer: 9 monthly payments of 120.00 EUR (the last 40.00 EUR)"},
		{"de-DE", "longerL", "Etwas länger: 9 monatliche Raten von je 120,00 EUR (die letzte über 40,00 EUR)"},
		{"fr-FR", "longerL", "Un peu plus long : 9 mensualités de 120,00 EUR (la dernière de 40,00 EUR)"},
	} {
		got := spaces(RenderLabel(labels[tc.label], customerFormat(tc.tag)))
		if got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.tag, tc.label, got, tc.want)
		}
	}
	// The labels as the engine wrote them before: raw amounts and ISO dates.
	if len(plainWordsProblems("en", "Settle in one payment of 18111.65 EUR by 2026-12-13 (save 2012.40 EUR)")) == 0 {
		t.Error("the checker passes the old label")
	}
}

// TestAlternatives_LabelsSayWhatThePlanAsks: over random openings, the
// label of every fortnightly and "a little longer" alternative names the
// schedule's own figures — its down payment, the count and amount of its
// regular payments, and its last when it differs — so they add up to what
// the schedule asks. (Before, "8 payments of 127.73" was said of a plan of
// 107.29 down, seven payments of 127.73 and a last of 71.41.)
func TestAlternatives_LabelsSayWhatThePlanAsks(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1207))
	checked := 0
	for range 600 {
		c, p := randomCase(rng), randomPolicy(rng)
		_, r, err := Open(c, p)
		if err != nil {
			continue
		}
		for _, a := range r.Alternatives {
			l := a.Say
			if l.Kind == LabelPayMore {
				// "Pay 50.00 more each time (327.50)": 327.50 is what the
				// schedule asks each time.
				for _, in := range a.Offer.Schedule.Installments {
					if !in.Down {
						if in.Amount != l.Amount {
							t.Fatalf("%s: label %q, the schedule asks %s each time: %+v", describeCase(c, p), a.Label, in.Amount, a.Offer.Schedule.Installments)
						}
						break
					}
				}
				checked++
				continue
			}
			if l.Kind != LabelBiweekly && l.Kind != LabelLonger {
				continue
			}
			checked++
			ins := a.Offer.Schedule.Installments
			var total, regular int64
			for _, in := range ins {
				total += in.Amount.Minor()
				if !in.Down {
					regular++
				}
			}
			last := l.Amount.Minor()
			if l.Last.IsPositive() {
				last = l.Last.Minor()
			}
			said := l.Down.Minor() + int64(l.Count-1)*l.Amount.Minor() + last
			if int64(l.Count) != regular || said != total {
				t.Fatalf("%s: label %q says %d payments adding to %d; the schedule has %d regular payments, %d in all: %+v",
					describeCase(c, p), a.Label, l.Count, said, regular, total, ins)
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d labels checked", checked)
	}
	t.Logf("%d labels checked", checked)
}
