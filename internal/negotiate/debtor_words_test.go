package negotiate

import (
	"strings"
	"testing"

	"settle/internal/money"
)

// nothingKnown is a customer of whom nothing is known (no budget, no
// payments): the opening asks for the balance in one payment a week out.
func nothingKnown(kind string, fees int64) Case {
	return Case{CustomerID: "cus_1", Currency: "USD", AsOf: day("2026-12-06"), Balance: 123450, Fees: fees,
		RiskBand: "B", AffordableSource: "assumed", Kind: kind}
}

// TestExplainOpen_NothingKnown (issue 17, item 6.3): the opening that asks
// for the whole balance at once says so as a person would, and asks what the
// customer can pay instead — not "we propose one payment of … on …, … in
// total" after "to clear the balance of …". The texts are written by hand.
func TestExplainOpen_NothingKnown(t *testing.T) {
	for _, tc := range []struct {
		name, tag, want string
		c               Case
	}{
		{"consumer", "en-GB", "Please pay the balance of 1,234.50 USD by 14 December 2026. " +
			"If you cannot pay it at once, tell us what you can pay each month and we will find a plan with you. " +
			"Paying on time keeps your account in good standing and stops further reminders.", nothingKnown("consumer", 0)},
		{"consumer", "de-DE", "Bitte zahlen Sie den offenen Betrag von 1.234,50 USD bis zum 14. Dezember 2026. " +
			"Wenn Sie ihn nicht auf einmal zahlen können, teilen Sie uns mit, wie viel Sie monatlich zahlen können; wir finden dann gemeinsam mit Ihnen eine Ratenzahlung. " +
			"Wenn Sie pünktlich zahlen, bleibt Ihr Konto in Ordnung und Sie erhalten keine weiteren Mahnungen.", nothingKnown("consumer", 0)},
		{"consumer", "fr-FR", "Merci de régler le solde de 1 234,50 USD au plus tard le 14 décembre 2026. " +
			"Si vous ne pouvez pas le payer en une fois, indiquez-nous ce que vous pouvez payer chaque mois et nous trouverons avec vous un échéancier. " +
			"En payant à temps, votre compte reste en règle et vous ne recevrez plus de relances.", nothingKnown("consumer", 0)},
		{"business with fees", "en-GB", "Please pay the balance of 1,234.50 USD by 14 December 2026. " +
			"If you cannot pay it at once, tell us what you can pay each month and we will find a plan with you. " +
			"Late-payment compensation and interest of 40.00 USD are not added if you pay by 14 December 2026 or keep to the plan we agree. " +
			"Paying on time keeps deliveries and your credit limit in place.", nothingKnown("business", 4000)},
		{"business with fees", "de-DE", "Bitte zahlen Sie den offenen Betrag von 1.234,50 USD bis zum 14. Dezember 2026. " +
			"Wenn Sie ihn nicht auf einmal zahlen können, teilen Sie uns mit, wie viel Sie monatlich zahlen können; wir finden dann gemeinsam mit Ihnen eine Ratenzahlung. " +
			"Verzugspauschale und Zinsen von 40,00 USD werden nicht berechnet, wenn Sie bis zum 14. Dezember 2026 zahlen oder die mit uns vereinbarte Ratenzahlung einhalten. " +
			"Wenn Sie pünktlich zahlen, bleiben Ihre Lieferungen und Ihr Kreditrahmen erhalten.", nothingKnown("business", 4000)},
		{"business with fees", "fr-FR", "Merci de régler le solde de 1 234,50 USD au plus tard le 14 décembre 2026. " +
			"Si vous ne pouvez pas le payer en une fois, indiquez-nous ce que vous pouvez payer chaque mois et nous trouverons avec vous un échéancier. " +
			"Les indemnités de retard et les intérêts de 40,00 USD ne sont pas ajoutés si vous payez au plus tard le 14 décembre 2026 ou respectez l’échéancier convenu avec nous. " +
			"En payant à temps, vous conservez vos livraisons et votre plafond de crédit.", nothingKnown("business", 4000)},
	} {
		_, r, err := Open(tc.c, DefaultPolicy("standard"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Offer == nil || r.Offer.Installments != 1 || r.Offer.DownPayment != 0 {
			t.Fatalf("%s: the opening is %+v, want the balance in one payment", tc.name, r.Offer)
		}
		if got := spaces(Render(r.Words, customerFormat(tc.tag))); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.name, tc.tag, got, tc.want)
		}
		if tc.tag == "en-GB" && r.Explanation != tc.want {
			t.Errorf("%s: the engine's English %q", tc.name, r.Explanation)
		}
	}
	// With a budget the means are known: the balance at once is asked for
	// in the same words, without asking what the customer can pay.
	c := nothingKnown("consumer", 0)
	c.Affordable, c.Available, c.AffordableSource = 200000, 260000, "budget"
	_, r, err := Open(c, DefaultPolicy("standard"))
	if err != nil {
		t.Fatal(err)
	}
	want := "Please pay the balance of 1,234.50 USD by 14 December 2026. It stays within the 2,600.00 USD left each month from the income and expenses you gave us, with room to spare for unexpected costs. " +
		"Paying on time keeps your account in good standing and stops further reminders."
	if r.Explanation != want {
		t.Errorf("with a budget:\n got %q\nwant %q", r.Explanation, want)
	}
}

// TestFrench_MonthlyInstallmentsOneWord (issue 17, item 6.4): French names
// monthly installments "mensualités" everywhere the customer reads them
// (labels and explanations), installments of another rhythm "versements";
// never "échéances mensuelles" beside "mensualités", never "bimensuel"
// (twice a month, not every two weeks).
func TestFrench_MonthlyInstallmentsOneWord(t *testing.T) {
	eur := func(minor int64) money.Amount { return money.New(minor, "EUR") }
	fr := customerFormat("fr-FR")
	var texts []string
	for _, f := range []string{"monthly", "weekly", "biweekly"} {
		texts = append(texts,
			RenderLabel(AltLabel{Kind: LabelPayMore, Extra: eur(2500), Amount: eur(12000), Count: 2, Frequency: f}, fr),
			RenderLabel(AltLabel{Kind: LabelLonger, Count: 13, Frequency: f, Amount: eur(92000)}, fr),
			Render([]Sentence{{Kind: SayGained, Gains: []Gain{{Kind: GainMoreInstallments, Count: 2, Frequency: f}}}}, fr),
			Render([]Sentence{{Kind: SayOutsideLimit, Limit: &Limit{Kind: LimitTermMax, Months: 24, Count: 24, Frequency: f}}}, fr))
	}
	texts = append(texts, RenderLabel(AltLabel{Kind: LabelBiweekly, Count: 26, Amount: eur(46000)}, fr))
	for _, text := range texts {
		text = spaces(text)
		for _, bad := range []string{"échéances mensuelles", "échéance mensuelle", "paiements mensuels", "versements mensuels", "bimensuel", "paiements de"} {
			if strings.Contains(text, bad) {
				t.Errorf("%q says %q", text, bad)
			}
		}
	}
	for _, tc := range []struct {
		label AltLabel
		want  string
	}{
		{AltLabel{Kind: LabelPayMore, Extra: eur(2500), Amount: eur(12000), Count: 2, Frequency: "monthly"}, "25,00 EUR de plus par mensualité (120,00 EUR) : 2 mensualités de moins"},
		{AltLabel{Kind: LabelPayMore, Extra: eur(1000), Amount: eur(5000), Count: 1, Frequency: "monthly"}, "10,00 EUR de plus par mensualité (50,00 EUR) : 1 mensualité de moins"},
		{AltLabel{Kind: LabelPayMore, Extra: eur(1000), Amount: eur(5000), Count: 3, Frequency: "weekly"}, "10,00 EUR de plus par versement (50,00 EUR) : 3 versements de moins"},
		{AltLabel{Kind: LabelLonger, Count: 13, Frequency: "monthly", Amount: eur(92000)}, "Un peu plus long : 13 mensualités de 920,00 EUR"},
		{AltLabel{Kind: LabelLonger, Count: 27, Frequency: "biweekly", Amount: eur(46000)}, "Un peu plus long : 27 versements de 460,00 EUR toutes les deux semaines"},
		{AltLabel{Kind: LabelLonger, Count: 53, Frequency: "weekly", Amount: eur(10000)}, "Un peu plus long : 53 versements hebdomadaires de 100,00 EUR"},
		{AltLabel{Kind: LabelBiweekly, Count: 26, Amount: eur(46000)}, "Toutes les deux semaines : 26 versements de 460,00 EUR"},
	} {
		if got := spaces(RenderLabel(tc.label, fr)); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.label.Kind, tc.label.Frequency, got, tc.want)
		}
	}
}

// TestExplainOpen_NoSurplus: a budget whose income does not cover its
// expenses (the service passes a surplus of 1 minor unit, so that the
// engine opens with the smallest installment its limits allow) is not
// described as "more than the 0.01 USD a month you told us you can pay".
func TestExplainOpen_NoSurplus(t *testing.T) {
	c := nothingKnown("consumer", 0)
	c.Affordable, c.Available, c.AffordableSource = 1, 1, "budget"
	_, r, err := Open(c, DefaultPolicy("standard"))
	if err != nil {
		t.Fatal(err)
	}
	want := "The income and expenses you gave us leave nothing over each month; if that changes, or you can pay more than this, tell us."
	if !strings.Contains(r.Explanation, want) || strings.Contains(r.Explanation, "0.01") {
		t.Errorf("explanation %q does not say %q", r.Explanation, want)
	}
}
