package negotiate

import (
	"testing"

	"settle/internal/money"
)

// TestConcessions_NotesInPlainWords (issue 17, item 6.1): a concession's
// note shows amounts and dates as a person writes them, never "1234.50 USD"
// or "2026-12-13".
func TestConcessions_NotesInPlainWords(t *testing.T) {
	c := Case{CustomerID: "cus_1", Currency: "USD", AsOf: day("2026-12-06"), Balance: 1597270, Fees: 12000,
		RiskBand: "B", AffordableSource: "budget", Affordable: 50000, Available: 70000, Kind: "consumer"}
	p := DefaultPolicy("standard")
	p.PlanRate = "0.08"
	s, _ := mustOpen(t, c, p)
	// Terms at every concession level, and a settlement.
	e, err := newEngine(&s)
	if err != nil {
		t.Fatal(err)
	}
	plan := e.planTerms("monthly", day("2026-12-13"), 0, 24, levelFrozen)
	o, err := e.offer(plan)
	if err != nil {
		t.Fatal(err)
	}
	lump, err := e.offer(Terms{Kind: KindLump, Start: day("2026-12-13"), LumpSum: 1400000, Level: levelFees})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, con := range append(e.concessions(o), e.concessions(lump)...) {
		kinds[con.Kind] = true
		if probs := plainWordsProblems("en", con.Note); len(probs) > 0 {
			t.Errorf("%s note %q: %v", con.Kind, con.Note, probs)
		}
	}
	if len(kinds) != 4 {
		t.Errorf("concession kinds %v, want all four", kinds)
	}
}

// TestRenderNote: each concession's note, written by hand in en, de and fr
// in the customer's formats; the engine's Note is the English rendering.
func TestRenderNote(t *testing.T) {
	eur := func(minor int64) money.Amount { return money.New(minor, "EUR") }
	notes := map[string]ConcessionNote{
		"fee":    {Kind: "fee_waived"},
		"frozen": {Kind: "interest_frozen", Percent: 850},
		"settle": {Kind: "settlement_discount", Balance: eur(1597270), Paid: eur(1400000), Date: day("2026-12-01")},
		"early":  {Kind: "early_payment_discount", Percent: 200, Amount: eur(31945)},
	}
	for _, tc := range []struct{ tag, note, want string }{
		{"en-GB", "fee", "late-payment compensation and interest we could claim, waived while the plan is kept"},
		{"en-GB", "frozen", "no interest at 8.5% a year"},
		{"en-GB", "settle", "the rest of the 15,972.70 EUR balance written off when 14,000.00 EUR is paid by 1 December 2026"},
		{"en-GB", "early", "2% of what is left is waived if you pay it all early (up to 319.45 EUR)"},
		{"de-DE", "fee", "Verzugspauschale und Zinsen, auf die wir verzichten, solange Sie die Vereinbarung einhalten"},
		{"de-DE", "frozen", "keine Zinsen statt 8,5 % im Jahr"},
		{"de-DE", "settle", "der Rest des offenen Betrags von 15.972,70 EUR wird erlassen, wenn 14.000,00 EUR bis zum 1. Dezember 2026 bezahlt sind"},
		{"de-DE", "early", "2 % des Restbetrags werden erlassen, wenn Sie alles vorzeitig zahlen (bis zu 319,45 EUR)"},
		{"fr-FR", "fee", "indemnités de retard et intérêts auxquels nous renonçons tant que l’échéancier est respecté"},
		{"fr-FR", "frozen", "aucun intérêt au lieu de 8,5 % par an"},
		{"fr-FR", "settle", "le reste du solde de 15 972,70 EUR est abandonné si 14 000,00 EUR sont payés au plus tard le 1er décembre 2026"},
		{"fr-FR", "early", "2 % du montant restant sont annulés si vous payez tout par anticipation (jusqu’à 319,45 EUR)"},
	} {
		if got := spaces(RenderNote(notes[tc.note], customerFormat(tc.tag))); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.tag, tc.note, got, tc.want)
		}
	}
	// The engine's notes are the English rendering of what they say.
	c := Case{CustomerID: "cus_1", Currency: "USD", AsOf: day("2026-12-06"), Balance: 1597270, Fees: 12000,
		RiskBand: "B", AffordableSource: "budget", Affordable: 50000, Available: 70000, Kind: "consumer"}
	s, _ := mustOpen(t, c, DefaultPolicy("standard"))
	e, err := newEngine(&s)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.offer(Terms{Kind: KindLump, Start: day("2026-12-13"), LumpSum: 1400000, Level: levelFees})
	if err != nil {
		t.Fatal(err)
	}
	for _, con := range e.concessions(o) {
		if con.Say.Kind != con.Kind || con.Note != RenderNote(con.Say, English) {
			t.Errorf("%s: note %q, says %+v", con.Kind, con.Note, con.Say)
		}
	}
}
