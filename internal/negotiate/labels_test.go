package negotiate

import (
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
