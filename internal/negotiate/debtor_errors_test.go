package negotiate

import (
	"errors"
	"strings"
	"testing"

	"settle/internal/apperr"
	"settle/internal/money"
)

// TestRespond_BadCounterAmountsInPlainWords (issue 17, item 6.2): the field
// errors for a bad counter-offer show amounts and dates as a person writes
// them ("15,972.70 USD", "5 December 2026"), not "15972.70 USD" or
// "2026-12-05"; the field names stay.
func TestRespond_BadCounterAmountsInPlainWords(t *testing.T) {
	c := Case{CustomerID: "cus_1", Currency: "USD", AsOf: day("2026-12-06"), Balance: 1597270, RiskBand: "B", AffordableSource: "assumed", Kind: "consumer"}
	s, _ := mustOpen(t, c, DefaultPolicy("standard"))
	for _, tc := range []struct {
		field, want string
		counter     Counter
	}{
		{"installment_amount", "1.00 USD would take 15,973 installments to pay 15,972.70 USD", Counter{InstallmentAmount: ptr(int64(100))}},
		{"down_payment", "20,000.00 USD must be at least zero and less than the balance 15,972.70 USD", Counter{DownPayment: ptr(int64(2000000))}},
		{"lump_sum", "20,000.00 USD must be more than zero and at most the balance 15,972.70 USD", Counter{LumpSum: ptr(int64(2000000))}},
		{"start_date", "5 December 2026 is in the past (the counter-offer is made on 6 December 2026)", Counter{Start: day("2026-12-05")}},
	} {
		_, _, err := Respond(s, tc.counter)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || len(ae.Fields) != 1 {
			t.Fatalf("%s: %v, want one invalid field", tc.field, err)
		}
		if f := ae.Fields[0]; f.Field != tc.field || f.Message != tc.want {
			t.Errorf("%s: %s %q, want %q", tc.field, f.Field, f.Message, tc.want)
		}
	}
}

// TestRenderProblem: each problem of a counter-offer, written by hand in
// en, de and fr in the customer's formats.
func TestRenderProblem(t *testing.T) {
	eur := func(minor int64) money.Amount { return money.New(minor, "EUR") }
	ps := map[string]Problem{
		"currency": {Kind: ProblemCurrency, Text: "USD", Currency: "EUR"},
		"freq":     {Kind: ProblemFrequency, Text: "daily"},
		"past":     {Kind: ProblemStartPast, Date: day("2026-05-31"), Made: day("2026-06-01")},
		"count":    {Kind: ProblemInstallments, Count: 1500, Max: 1200},
		"zero":     {Kind: ProblemNotPositive},
		"down":     {Kind: ProblemDownPayment, Amount: eur(2000000), Balance: eur(1597270)},
		"lump":     {Kind: ProblemLumpSum, Amount: eur(2000000), Balance: eur(1597270)},
		"mixed":    {Kind: ProblemLumpMixed},
		"empty":    {Kind: ProblemEmpty},
		"many":     {Kind: ProblemTooMany, Amount: eur(1), Count: 100000, Balance: eur(100000)},
	}
	for _, tc := range []struct{ tag, p, want string }{
		{"en-GB", "currency", "USD is not the negotiation's currency EUR"},
		{"en-GB", "freq", `"daily" must be weekly, biweekly or monthly`},
		{"en-GB", "past", "31 May 2026 is in the past (the counter-offer is made on 1 June 2026)"},
		{"en-GB", "count", "1,500 must be between 1 and 1,200"},
		{"en-GB", "zero", "must be more than zero"},
		{"en-GB", "down", "20,000.00 EUR must be at least zero and less than the balance 15,972.70 EUR"},
		{"en-GB", "lump", "20,000.00 EUR must be more than zero and at most the balance 15,972.70 EUR"},
		{"en-GB", "mixed", "a lump sum cannot be combined with installments, installment_amount, down_payment or frequency"},
		{"en-GB", "empty", "give at least one of installment_amount, installments, frequency, start_date, down_payment or lump_sum"},
		{"en-GB", "many", "0.01 EUR would take 100,000 installments to pay 1,000.00 EUR"},
		{"de-DE", "currency", "Die Beträge dieser Verhandlung sind in EUR, nicht in USD"},
		{"de-DE", "freq", "„daily“ ist kein möglicher Zahlungsrhythmus: wöchentlich, alle zwei Wochen oder monatlich"},
		{"de-DE", "past", "Der 31. Mai 2026 liegt in der Vergangenheit (Ihr Vorschlag ist vom 1. Juni 2026)"},
		{"de-DE", "count", "Die Anzahl der Raten muss zwischen 1 und 1.200 liegen (nicht 1.500)"},
		{"de-DE", "zero", "Der Ratenbetrag muss größer als null sein"},
		{"de-DE", "down", "Die Anzahlung (20.000,00 EUR) muss mindestens null und kleiner als der offene Betrag von 15.972,70 EUR sein"},
		{"de-DE", "lump", "Die Einmalzahlung (20.000,00 EUR) muss größer als null sein und darf den offenen Betrag von 15.972,70 EUR nicht übersteigen"},
		{"de-DE", "mixed", "Eine Einmalzahlung lässt sich nicht mit Raten, einem Ratenbetrag, einer Anzahlung oder einem Zahlungsrhythmus verbinden"},
		{"de-DE", "empty", "Bitte geben Sie mindestens einen Ratenbetrag, eine Anzahl von Raten, einen Zahlungsrhythmus oder das Datum der ersten Rate an"},
		{"de-DE", "many", "Mit 0,01 EUR pro Rate wären 100.000 Raten nötig, um 1.000,00 EUR zu zahlen"},
		{"fr-FR", "currency", "Les montants de cette négociation sont en EUR, pas en USD"},
		{"fr-FR", "freq", "« daily » n’est pas une fréquence possible : chaque semaine, toutes les deux semaines ou chaque mois"},
		{"fr-FR", "past", "Le 31 mai 2026 est déjà passé (votre proposition date du 1er juin 2026)"},
		{"fr-FR", "count", "Le nombre d’échéances doit être compris entre 1 et 1 200 (et non 1 500)"},
		{"fr-FR", "zero", "Le montant par échéance doit être supérieur à zéro"},
		{"fr-FR", "down", "L’acompte (20 000,00 EUR) doit être positif ou nul et inférieur au solde de 15 972,70 EUR"},
		{"fr-FR", "lump", "Le paiement unique (20 000,00 EUR) doit être supérieur à zéro et ne peut pas dépasser le solde de 15 972,70 EUR"},
		{"fr-FR", "mixed", "Un paiement unique ne peut pas être combiné avec des échéances, un montant par échéance, un acompte ou une fréquence"},
		{"fr-FR", "empty", "Indiquez au moins un montant par échéance, un nombre d’échéances, une fréquence ou la date du premier paiement"},
		{"fr-FR", "many", "Avec 0,01 EUR par échéance, il faudrait 100 000 échéances pour payer 1 000,00 EUR"},
	} {
		if got := spaces(RenderProblem(ps[tc.p], customerFormat(tc.tag))); got != tc.want {
			t.Errorf("%s %s:\n got %q\nwant %q", tc.tag, tc.p, got, tc.want)
		}
	}
}

// TestRespond_BadCounterInTheCustomersLanguage: Respond's error is typed;
// written in German it names the same fields, and writes nothing it should
// not (a refused counter changes no session).
func TestRespond_BadCounterInTheCustomersLanguage(t *testing.T) {
	c := Case{CustomerID: "cus_1", Currency: "EUR", AsOf: day("2026-12-06"), Balance: 1597270, RiskBand: "B", AffordableSource: "assumed", Kind: "consumer"}
	s, _ := mustOpen(t, c, DefaultPolicy("standard"))
	_, _, err := Respond(s, Counter{Currency: "USD", Frequency: "daily", Start: day("2026-12-05")})
	var ce *CounterError
	if !errors.As(err, &ce) {
		t.Fatalf("%v: not a CounterError", err)
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("code %s, want invalid", apperr.CodeOf(err))
	}
	var got []string
	for _, f := range ce.In(customerFormat("de-DE")).Fields {
		got = append(got, f.Field+": "+spaces(f.Message))
	}
	want := []string{"currency: Die Beträge dieser Verhandlung sind in EUR, nicht in USD",
		"frequency: „daily“ ist kein möglicher Zahlungsrhythmus: wöchentlich, alle zwei Wochen oder monatlich",
		"start_date: Der 5. Dezember 2026 liegt in der Vergangenheit (Ihr Vorschlag ist vom 6. Dezember 2026)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("in German:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
