package negotiate

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/notify"
)

// customerFormat is the format the service renders with: notify's, the
// one the customer's letters use.
func customerFormat(tag string) Format {
	return Format{Lang: notify.Lang(tag),
		Money: func(a money.Amount) string { return notify.LocalMoney(a, tag) },
		Date:  func(d civil.Date) string { return notify.LocalDate(d, tag) }}
}

// spaces turns no-break spaces into plain ones so that expected texts can be
// typed (notify's format tests check where the no-break spaces go).
func spaces(s string) string { return strings.ReplaceAll(s, "\u00a0", " ") }

func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestRender_EachSentence: every sentence kind in en, de and fr, written
// by hand. English pages are in USD, German and French ones in EUR; the
// same minor units.
func TestRender_EachSentence(t *testing.T) {
	type texts struct{ en, de, fr string }
	// The sentences in one currency: a builds amounts.
	build := func(cur money.Currency) []Sentence {
		a := func(minor int64) money.Amount { return money.New(minor, cur) }
		twelve := &Plain{Count: 12, Frequency: "monthly", Down: a(0), First: a(123450), FirstDate: day("2026-06-08"),
			Last: a(123000), LastDate: day("2027-05-08"), Total: a(1480950)}
		down := &Plain{Down: a(50000), DownDate: day("2026-07-01"), Count: 1, Frequency: "monthly", First: a(73450), FirstDate: day("2026-08-01"),
			Last: a(73450), LastDate: day("2026-08-01"), Total: a(123450)}
		lump := &Plain{Lump: true, First: a(100000), FirstDate: day("2026-06-15"), Total: a(100000)}
		weekly := &Plain{Count: 10, Frequency: "weekly", Down: a(0), First: a(10000), FirstDate: day("2026-06-08"),
			Last: a(10000), LastDate: day("2026-08-10"), Total: a(100000)}
		biweekly := &Plain{Count: 5, Frequency: "biweekly", Down: a(0), First: a(20000), FirstDate: day("2026-06-08"),
			Last: a(20000), LastDate: day("2026-08-03"), Total: a(100000)}
		lim := func(l Limit) Sentence { return Sentence{Kind: SayOutsideLimit, Limit: &l} }
		return []Sentence{
			{Kind: SayPropose, Offer: twelve, Amount: a(1480950)},
			{Kind: SayNoPlan},
			{Kind: SayAccept, Offer: down},
			{Kind: SayMoved},
			{Kind: SayBelowFloor},
			lim(Limit{Kind: LimitStartPast}),
			lim(Limit{Kind: LimitStartLate, Days: 30, Date: day("2026-07-08")}),
			lim(Limit{Kind: LimitSettlementMin, Amount: a(80000), Percent: 2000}),
			lim(Limit{Kind: LimitTermMax, Months: 24, Count: 24, Frequency: "monthly"}),
			lim(Limit{Kind: LimitTermMax, Months: 12, Count: 26, Frequency: "biweekly"}),
			lim(Limit{Kind: LimitNoInstallment}),
			lim(Limit{Kind: LimitInstallmentMin, Amount: a(2000)}),
			lim(Limit{Kind: LimitValueMin, Percent: 7250}),
			{Kind: SayOffer, Offer: lump, Final: true},
			{Kind: SayOffer, Offer: weekly},
			{Kind: SayOffer, Offer: biweekly},
			{Kind: SayFitsBudget, Amount: a(19000)},
			{Kind: SayAboveBudget, Amount: a(19000)},
			{Kind: SayAboveSurplus, Amount: a(19000)},
			{Kind: SayNoSurplus},
			{Kind: SayHistory, Amount: a(14250)},
			{Kind: SayFeesReserved, Amount: a(17192)},
			{Kind: SayConsumer},
			{Kind: SayBusiness},
			{Kind: SayGained, Gains: []Gain{{Kind: GainMoreInstallments, Count: 3, Frequency: "monthly"}, {Kind: GainLowerDown, Amount: a(25000)},
				{Kind: "early_payment_discount", Percent: 200}, {Kind: "fee_waived", Amount: a(4000)}, {Kind: "interest_frozen", Amount: a(1234)},
				{Kind: "settlement_discount", Amount: a(100000)}}},
			{Kind: SayGained, Gains: []Gain{{Kind: GainMoreInstallments, Count: 1, Frequency: "weekly"}}},
			{Kind: SayConfirm},
			{Kind: SayFinalUntil, Date: day("2026-06-15")},
			{Kind: SayFinalUntil, Date: day("2026-07-01")},
			{Kind: SayNextSteps, Route: "agency"},
			{Kind: SayNextSteps, Route: "legal"},
			{Kind: SayPayBalance, Amount: a(123450), Date: day("2026-06-01")},
			{Kind: SayAskMeans},
			{Kind: SayFeesUntil, Amount: a(4000), Date: day("2026-06-01")},
		}
	}
	want := []texts{
		{"To clear the balance of 14,809.50 USD, we propose 12 monthly payments of 1,234.50 USD from 8 June 2026 to 8 May 2027 (the last 1,230.00 USD), 14,809.50 USD in total.",
			"Wir schlagen Ihnen vor, den offenen Betrag von 14.809,50 EUR so zu begleichen: 12 monatliche Raten von je 1.234,50 EUR vom 8. Juni 2026 bis zum 8. Mai 2027 (die letzte über 1.230,00 EUR), insgesamt 14.809,50 EUR.",
			"Nous vous proposons de régler le solde de 14 809,50 EUR ainsi : 12 mensualités de 1 234,50 EUR, du 8 juin 2026 au 8 mai 2027 (la dernière de 1 230,00 EUR), soit 14 809,50 EUR au total."},
		{"We cannot offer a payment plan for this balance within our limits.",
			"Für diesen Betrag können wir Ihnen leider keine Ratenzahlung innerhalb unserer Grenzen anbieten.",
			"Nous ne pouvons malheureusement pas vous proposer d’échéancier pour ce solde dans nos limites."},
		{"We accept your proposal: 500.00 USD down on 1 July 2026, then one payment of 734.50 USD on 1 August 2026, 1,234.50 USD in total.",
			"Wir nehmen Ihren Vorschlag an: eine Anzahlung von 500,00 EUR am 1. Juli 2026, danach eine Zahlung von 734,50 EUR am 1. August 2026, insgesamt 1.234,50 EUR.",
			"Nous acceptons votre proposition : un acompte de 500,00 EUR le 1er juillet 2026, puis un paiement de 734,50 EUR le 1er août 2026, soit 1 234,50 EUR au total."},
		{"We cannot quite accept that proposal, but we can move towards it.",
			"Diesen Vorschlag können wir nicht ganz annehmen, kommen Ihnen aber entgegen.",
			"Nous ne pouvons pas tout à fait accepter cette proposition, mais nous pouvons nous en rapprocher."},
		{"We cannot accept that proposal: it would bring us less than we can accept for this balance.",
			"Diesen Vorschlag können wir nicht annehmen: Damit erhielten wir weniger, als wir für diesen Betrag annehmen können.",
			"Nous ne pouvons pas accepter cette proposition : elle nous rapporterait moins que ce que nous pouvons accepter pour ce solde."},
		{"We cannot accept that: the first payment cannot be in the past.",
			"Das können wir nicht annehmen: Die erste Zahlung kann nicht in der Vergangenheit liegen.",
			"Nous ne pouvons pas accepter cela : le premier paiement ne peut pas être dans le passé."},
		{"We cannot accept that: the first payment must be due within 30 days (by 8 July 2026).",
			"Das können wir nicht annehmen: Die erste Zahlung muss innerhalb von 30 Tagen fällig sein (spätestens am 8. Juli 2026).",
			"Nous ne pouvons pas accepter cela : le premier paiement doit intervenir dans les 30 jours (au plus tard le 8 juillet 2026)."},
		{"We cannot accept that: a settlement must be at least 800.00 USD (a discount of at most 20%).",
			"Das können wir nicht annehmen: Eine Einmalzahlung muss mindestens 800,00 EUR betragen (ein Nachlass von höchstens 20 %).",
			"Nous ne pouvons pas accepter cela : un règlement en une fois doit être d’au moins 800,00 EUR (une remise de 20 % au plus)."},
		{"We cannot accept that: the longest plan we can offer is 24 months (24 monthly installments).",
			"Das können wir nicht annehmen: Die längste Laufzeit, die wir anbieten können, beträgt 24 Monate (24 monatliche Raten).",
			"Nous ne pouvons pas accepter cela : la durée la plus longue que nous pouvons proposer est de 24 mois (24 mensualités)."},
		{"We cannot accept that: the longest plan we can offer is 12 months (26 installments every two weeks).",
			"Das können wir nicht annehmen: Die längste Laufzeit, die wir anbieten können, beträgt 12 Monate (26 Raten alle zwei Wochen).",
			"Nous ne pouvons pas accepter cela : la durée la plus longue que nous pouvons proposer est de 12 mois (26 versements toutes les deux semaines)."},
		{"We cannot accept that: the plan needs at least one installment after the down payment.",
			"Das können wir nicht annehmen: Nach der Anzahlung muss mindestens eine Rate bleiben.",
			"Nous ne pouvons pas accepter cela : il doit rester au moins une échéance après l’acompte."},
		{"We cannot accept that: each installment must be at least 20.00 USD.",
			"Das können wir nicht annehmen: Jede Rate muss mindestens 20,00 EUR betragen.",
			"Nous ne pouvons pas accepter cela : chaque échéance doit être d’au moins 20,00 EUR."},
		{"We cannot accept that: spread out like this, the payments would be worth less to us than 72.5% of the balance paid today.",
			"Das können wir nicht annehmen: So verteilt wären die Zahlungen für uns weniger wert als 72,5 % des Betrags bei sofortiger Zahlung.",
			"Nous ne pouvons pas accepter cela : ainsi étalés, les paiements vaudraient pour nous moins de 72,5 % du solde payé aujourd’hui."},
		{"Our final offer is one payment of 1,000.00 USD by 15 June 2026.",
			"Unser letztes Angebot: eine einmalige Zahlung von 1.000,00 EUR bis zum 15. Juni 2026.",
			"Notre dernière offre : un paiement unique de 1 000,00 EUR au plus tard le 15 juin 2026."},
		{"We can offer 10 weekly payments of 100.00 USD from 8 June 2026 to 10 August 2026, 1,000.00 USD in total.",
			"Wir können Ihnen anbieten: 10 wöchentliche Raten von je 100,00 EUR vom 8. Juni 2026 bis zum 10. August 2026, insgesamt 1.000,00 EUR.",
			"Nous pouvons vous proposer : 10 versements hebdomadaires de 100,00 EUR, du 8 juin 2026 au 10 août 2026, soit 1 000,00 EUR au total."},
		{"We can offer 5 payments of 200.00 USD every two weeks from 8 June 2026 to 3 August 2026, 1,000.00 USD in total.",
			"Wir können Ihnen anbieten: 5 Raten von je 200,00 EUR alle zwei Wochen vom 8. Juni 2026 bis zum 3. August 2026, insgesamt 1.000,00 EUR.",
			"Nous pouvons vous proposer : 5 versements de 200,00 EUR toutes les deux semaines, du 8 juin 2026 au 3 août 2026, soit 1 000,00 EUR au total."},
		{"It stays within the 190.00 USD left each month from the income and expenses you gave us, with room to spare for unexpected costs.",
			"Das bleibt im Rahmen der 190,00 EUR, die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben, mit Spielraum für Unvorhergesehenes.",
			"Cela reste dans la limite des 190,00 EUR qui vous restent chaque mois d’après les revenus et dépenses que vous nous avez indiqués, avec une marge pour les imprévus."},
		{"Out of the 190.00 USD left each month from the income and expenses you gave us, it leaves little for unexpected costs; a longer plan is possible.",
			"Von den 190,00 EUR, die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben, bleibt damit wenig für Unvorhergesehenes; eine längere Laufzeit ist möglich.",
			"Il vous resterait peu, sur les 190,00 EUR mensuels que laissent les revenus et dépenses que vous nous avez indiqués, pour les imprévus ; un échéancier plus long est possible."},
		{"It is more than the 190.00 USD left each month from the income and expenses you gave us; a longer plan is possible.",
			"Das ist mehr als die 190,00 EUR, die Ihnen nach Ihren Angaben zu Einnahmen und Ausgaben monatlich bleiben; eine längere Laufzeit ist möglich.",
			"C’est plus que les 190,00 EUR qui vous restent chaque mois d’après les revenus et dépenses que vous nous avez indiqués ; un échéancier plus long est possible."},
		{"The income and expenses you gave us leave nothing over each month; if that changes, or you can pay more than this, tell us.",
			"Nach Ihren Angaben zu Einnahmen und Ausgaben bleibt Ihnen monatlich nichts übrig; wenn sich das ändert oder Sie mehr zahlen können, teilen Sie es uns mit.",
			"D’après les revenus et dépenses que vous nous avez indiqués, il ne vous reste rien chaque mois ; si cela change, ou si vous pouvez payer davantage, dites-le-nous."},
		{"It is within what you paid us per month over the past year (142.50 USD).",
			"Das liegt im Rahmen dessen, was Sie uns im vergangenen Jahr monatlich gezahlt haben (142,50 EUR).",
			"Cela reste dans la limite de ce que vous nous avez payé par mois au cours de l’année écoulée (142,50 EUR)."},
		{"Late-payment compensation and interest of 171.92 USD are not added as long as the plan is kept.",
			"Verzugspauschale und Zinsen von 171,92 EUR werden nicht berechnet, solange Sie die Vereinbarung einhalten.",
			"Les indemnités de retard et les intérêts de 171,92 EUR ne sont pas ajoutés tant que l’échéancier est respecté."},
		{"Paying on time keeps your account in good standing and stops further reminders.",
			"Wenn Sie pünktlich zahlen, bleibt Ihr Konto in Ordnung und Sie erhalten keine weiteren Mahnungen.",
			"En payant à temps, votre compte reste en règle et vous ne recevrez plus de relances."},
		{"Paying on time keeps deliveries and your credit limit in place.",
			"Wenn Sie pünktlich zahlen, bleiben Ihre Lieferungen und Ihr Kreditrahmen erhalten.",
			"En payant à temps, vous conservez vos livraisons et votre plafond de crédit."},
		{"You gain 3 more monthly installments than our first offer; a down payment 250.00 USD lower; an early-payoff discount of 2%; late fees of 40.00 USD waived; interest of 12.34 USD frozen; a settlement discount of 1,000.00 USD.",
			"Ihr Vorteil: 3 monatliche Raten mehr als in unserem ersten Angebot; eine um 250,00 EUR niedrigere Anzahlung; ein Nachlass von 2 % bei vorzeitiger Zahlung; erlassene Verzugskosten von 40,00 EUR; ausgesetzte Zinsen von 12,34 EUR; ein Nachlass von 1.000,00 EUR bei Einmalzahlung.",
			"Vous y gagnez : 3 mensualités de plus que dans notre première offre ; un acompte inférieur de 250,00 EUR ; une remise de 2 % en cas de paiement anticipé ; des frais de retard de 40,00 EUR annulés ; des intérêts de 12,34 EUR gelés ; une remise de 1 000,00 EUR pour règlement en une fois."},
		{"You gain 1 more weekly installment than our first offer.",
			"Ihr Vorteil: 1 wöchentliche Rate mehr als in unserem ersten Angebot.",
			"Vous y gagnez : 1 versement hebdomadaire de plus que dans notre première offre."},
		{"Confirm it and we send the written agreement.",
			"Bestätigen Sie ihn, und wir senden Ihnen die schriftliche Vereinbarung.",
			"Confirmez-la et nous vous enverrons l’accord écrit."},
		{"It stands until 15 June 2026.", "Es gilt bis zum 15. Juni 2026.", "Elle reste valable jusqu’au 15 juin 2026."},
		{"It stands until 1 July 2026.", "Es gilt bis zum 1. Juli 2026.", "Elle reste valable jusqu’au 1er juillet 2026."},
		{"Without an agreement the account goes to a collection agency, which adds cost and can affect your credit.",
			"Ohne Einigung geben wir die Forderung an ein Inkassounternehmen ab; das verursacht zusätzliche Kosten und kann Ihrer Kreditwürdigkeit schaden.",
			"Sans accord, le dossier sera confié à une société de recouvrement, ce qui entraîne des frais supplémentaires et peut nuire à votre solvabilité."},
		{"Without an agreement the account goes to legal review, which adds cost and can affect your credit.",
			"Ohne Einigung prüfen wir rechtliche Schritte; das verursacht zusätzliche Kosten und kann Ihrer Kreditwürdigkeit schaden.",
			"Sans accord, le dossier sera transmis à notre service juridique, ce qui entraîne des frais supplémentaires et peut nuire à votre solvabilité."},
		{"Please pay the balance of 1,234.50 USD by 1 June 2026.",
			"Bitte zahlen Sie den offenen Betrag von 1.234,50 EUR bis zum 1. Juni 2026.",
			"Merci de régler le solde de 1 234,50 EUR au plus tard le 1er juin 2026."},
		{"If you cannot pay it at once, tell us what you can pay each month and we will find a plan with you.",
			"Wenn Sie ihn nicht auf einmal zahlen können, teilen Sie uns mit, wie viel Sie monatlich zahlen können; wir finden dann gemeinsam mit Ihnen eine Ratenzahlung.",
			"Si vous ne pouvez pas le payer en une fois, indiquez-nous ce que vous pouvez payer chaque mois et nous trouverons avec vous un échéancier."},
		{"Late-payment compensation and interest of 40.00 USD are not added if you pay by 1 June 2026 or keep to the plan we agree.",
			"Verzugspauschale und Zinsen von 40,00 EUR werden nicht berechnet, wenn Sie bis zum 1. Juni 2026 zahlen oder die mit uns vereinbarte Ratenzahlung einhalten.",
			"Les indemnités de retard et les intérêts de 40,00 EUR ne sont pas ajoutés si vous payez au plus tard le 1er juin 2026 ou respectez l’échéancier convenu avec nous."},
	}
	usd, eur := build("USD"), build("EUR")
	if len(usd) != len(want) {
		t.Fatalf("%d sentences, %d expected texts", len(usd), len(want))
	}
	for i, w := range want {
		for _, c := range []struct {
			tag, want string
			s         Sentence
		}{{"en-GB", w.en, usd[i]}, {"de-DE", w.de, eur[i]}, {"fr-FR", w.fr, eur[i]}} {
			if got := spaces(Render([]Sentence{c.s}, customerFormat(c.tag))); got != c.want {
				t.Errorf("%s %s:\n got %q\nwant %q", c.s.Kind, c.tag, got, c.want)
			}
		}
		// The engine's own English (Response.Explanation) is the same text.
		if got := Render([]Sentence{usd[i]}, English); got != w.en {
			t.Errorf("%s English:\n got %q\nwant %q", usd[i].Kind, got, w.en)
		}
	}
}

// TestRender_CustomerFormats: the US writes month-first dates; French puts
// a no-break space before high punctuation and groups thousands with one.
func TestRender_CustomerFormats(t *testing.T) {
	s := []Sentence{{Kind: SayFinalUntil, Date: day("2026-06-08")}}
	if got, want := Render(s, customerFormat("en-US")), "It stands until June\u00a08,\u00a02026."; got != want {
		t.Errorf("en-US: %q, want %q", got, want)
	}
	g := []Sentence{{Kind: SayGained, Gains: []Gain{{Kind: GainLowerDown, Amount: money.New(123450, "EUR")}, {Kind: "early_payment_discount", Percent: 150}}}}
	if got, want := Render(g, customerFormat("fr")), "Vous y gagnez\u00a0: un acompte inférieur de 1\u00a0234,50\u00a0EUR\u00a0; une remise de 1,5\u00a0% en cas de paiement anticipé."; got != want {
		t.Errorf("fr: %q, want %q", got, want)
	}
}

// Words and forms a customer must never read (as the texts are written
// for them), per language.
var (
	internalTerms = regexp.MustCompile(`(?i)budget leaves|floor|target|reservation|present value|no.deal|Untergrenze|plancher`)
	isoDate       = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	// An amount of 1,000 or more without its thousands separator.
	ungrouped = regexp.MustCompile(`\d{4,}[.,]\d`)
	// A code before a number ("USD 12"): every locale writes it after.
	codeFirst = regexp.MustCompile(`\b[A-Z]{3}\s?\d`)
	// An English decimal point in German or French ("142.50").
	pointDecimal = regexp.MustCompile(`\d\.\d{2}(\D|$)`)
	// Raw engine words in German or French text.
	rawWords = regexp.MustCompile(`\b(monthly|weekly|biweekly|lump_sum|installments?|payments?|the)\b`)
)

// plainWordsProblems lists what is wrong with an explanation in lang.
func plainWordsProblems(lang, text string) []string {
	var out []string
	check := func(re *regexp.Regexp, what string) {
		if m := re.FindString(text); m != "" {
			out = append(out, what+": "+m)
		}
	}
	check(internalTerms, "internal term")
	check(isoDate, "ISO date")
	check(codeFirst, "currency code before the number")
	if lang != "fr" {
		check(ungrouped, "amount without thousands separator")
	}
	if lang != "en" {
		check(pointDecimal, "decimal point")
		check(rawWords, "English word")
	}
	if lang == "fr" && regexp.MustCompile(`\d{4,},\d`).MatchString(text) {
		out = append(out, "amount without thousands separator")
	}
	return out
}

// TestExplanation_PlainWords: over random negotiations (cases, policies,
// counter-offers as in TestEngine_Properties), every explanation in en, de
// and fr is in the customer's words and formats: no internal terms, no ISO
// dates, no raw amounts — and the engine's own English (Explanation) too.
func TestExplanation_PlainWords(t *testing.T) {
	const cases = 250
	rng := rand.New(rand.NewPCG(17, 6))
	tags := map[string]string{"en": "en-GB", "de": "de-DE", "fr": "fr-FR"}
	var texts, failures int
	kinds := map[string]bool{}
	for i := range cases {
		c, p := randomCase(rng), randomPolicy(rng)
		crng := rand.New(rand.NewPCG(uint64(i), 11))
		tr := play(t, c, p, nil, func(s Session) (Counter, string) { return randomCounter(crng, s) }, false)
		for _, st := range tr.Steps {
			if st.Err != "" {
				continue
			}
			r := st.Resp
			if len(r.Words) == 0 {
				t.Fatalf("%s: a response without words: %q", describeCase(c, p), r.Explanation)
			}
			if got := Render(r.Words, English); got != r.Explanation {
				t.Fatalf("Explanation %q is not the English rendering %q", r.Explanation, got)
			}
			for _, w := range r.Words {
				kinds[w.Kind] = true
				if w.Limit != nil {
					kinds[w.Kind+"/"+w.Limit.Kind] = true
				}
			}
			all := map[string]string{"engine": r.Explanation}
			for lang, tag := range tags {
				all[lang] = Render(r.Words, customerFormat(tag))
			}
			// The alternatives' labels too, in every language.
			for k, a := range r.Alternatives {
				if a.Say.Kind == "" || a.Label != RenderLabel(a.Say, English) {
					t.Fatalf("alternative %d: label %q, structured %+v", k, a.Label, a.Say)
				}
				kinds["label/"+a.Say.Kind] = true
				all[fmt.Sprintf("engine label %d", k)] = a.Label
				for lang, tag := range tags {
					all[fmt.Sprintf("%s label %d", lang, k)] = RenderLabel(a.Say, customerFormat(tag))
				}
			}
			// And the concessions' notes (notes.go).
			for k, con := range r.Concessions {
				if con.Say.Kind != con.Kind || con.Note != RenderNote(con.Say, English) {
					t.Fatalf("concession %d: note %q, structured %+v", k, con.Note, con.Say)
				}
				kinds["note/"+con.Kind] = true
				all[fmt.Sprintf("engine note %d", k)] = con.Note
				for lang, tag := range tags {
					all[fmt.Sprintf("%s note %d", lang, k)] = RenderNote(con.Say, customerFormat(tag))
				}
			}
			for lang, text := range all {
				texts++
				l, _, _ := strings.Cut(lang, " ")
				if l == "engine" {
					l = "en"
				}
				if probs := plainWordsProblems(l, text); len(probs) > 0 {
					failures++
					if failures <= 10 {
						t.Errorf("%s (%s): %v\n%q", lang, c.Currency, probs, text)
					}
				}
			}
		}
	}
	if failures > 0 {
		t.Errorf("%d of %d texts are not in plain words", failures, texts)
	}
	// The random negotiations reach the common kinds, so the check covers them.
	for _, k := range []string{SayPropose, SayAccept, SayMoved, SayBelowFloor, SayOutsideLimit, SayOffer, SayGained, SayFinalUntil, SayNextSteps, SayConfirm,
		SayPayBalance, SayAskMeans, "note/fee_waived", "note/settlement_discount", "note/early_payment_discount", "note/interest_frozen"} {
		if !kinds[k] {
			t.Errorf("no random negotiation said %s", k)
		}
	}
	t.Logf("%d texts checked; sentence kinds seen: %d", texts, len(kinds))
}

// TestPlainWordsProblems: the checker itself finds what it is meant to.
func TestPlainWordsProblems(t *testing.T) {
	for _, c := range []struct {
		lang, text string
		bad        bool
	}{
		{"en", "It fits what the budget leaves for this debt (142.50 USD a month).", true},
		{"en", "We propose 12 payments from 2026-06-08.", true},
		{"en", "A total of 15972.70 USD.", true},
		{"en", "A total of 15,972.70 USD.", false},
		{"en", "It is below the floor.", true},
		{"de", "Insgesamt 1.234,50 EUR am 8. Juni 2026.", false},
		{"de", "Insgesamt 1234,50 EUR.", true},
		{"de", "Insgesamt 142.50 EUR.", true},
		{"de", "Insgesamt USD 142,50.", true},
		{"de", "12 monthly Raten.", true},
		{"fr", "Soit 1\u00a0234,50\u00a0EUR au total.", false},
		{"fr", "Soit 1234,50 EUR au total.", true},
	} {
		if got := len(plainWordsProblems(c.lang, c.text)) > 0; got != c.bad {
			t.Errorf("%s %q: problems %v, want %v", c.lang, c.text, plainWordsProblems(c.lang, c.text), c.bad)
		}
	}
}
