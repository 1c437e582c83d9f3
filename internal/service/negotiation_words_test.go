package service_test

import (
	"regexp"
	"strings"
	"testing"

	"settle/internal/service"
)

// TestNegotiation_ExplanationInCustomersLanguage: the reply's explanation
// is written in the customer's language and formats (Locale), on both
// engines; a customer whose language we do not write gets English. The
// rounds the staff panel shows carry the same text.
func TestNegotiation_ExplanationInCustomersLanguage(t *testing.T) {
	iso := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for name, open := range docEngines {
		t.Run(name, func(t *testing.T) {
			svc, ctx := docService(t, open)
			if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "JP", Name: "Sato", Kind: "consumer", Locale: "ja-JP"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateInvoice(ctx, service.InvoiceInput{Number: "JP-1", CustomerID: "JP", IssueDate: "2026-09-01", DueDate: "2026-10-01", Currency: "EUR", Amount: "1234.56"}); err != nil {
				t.Fatal(err)
			}
			// The balance is 1,234.56 EUR in each case; the no-break spaces
			// are made plain to compare.
			for _, c := range []struct{ customer, opening string }{
				// Nothing is known of their means: the balance at once, and
				// what they can pay asked for (issue 17, item 6.3).
				{"DE", "Bitte zahlen Sie den offenen Betrag von 1.234,56 EUR bis zum 27. November 2026. Wenn Sie ihn nicht auf einmal zahlen können, teilen Sie uns mit, "},
				{"FR", "Merci de régler le solde de 1 234,56 EUR au plus tard le 27 novembre 2026. Si vous ne pouvez pas le payer en une fois, indiquez-nous "},
				{"JP", "Please pay the balance of 1,234.56 EUR by 27 November 2026. If you cannot pay it at once, tell us "},
			} {
				n, err := svc.OpenNegotiation(ctx, service.NegotiationInput{CustomerID: c.customer, AsOf: "2026-11-20"})
				if err != nil {
					t.Fatal(err)
				}
				got := strings.ReplaceAll(n.Reply.Explanation, "\u00a0", " ")
				if !strings.HasPrefix(got, c.opening) || iso.MatchString(got) {
					t.Errorf("%s opening explanation %q, want it to start %q and name no ISO date", c.customer, got, c.opening)
				}
				// A counter beyond the longest plan: the reason in the
				// customer's words.
				r, err := svc.CounterOffer(ctx, n.Reply.ID, service.CounterOfferInput{Installments: 240, AsOf: "2026-11-20"})
				if err != nil {
					t.Fatal(err)
				}
				got = strings.ReplaceAll(r.Reply.Explanation, "\u00a0", " ")
				want := map[string]string{
					"DE": "Das können wir nicht annehmen: Die längste Laufzeit, die wir anbieten können, beträgt ",
					"FR": "Nous ne pouvons pas accepter cela : la durée la plus longue que nous pouvons proposer est de ",
					"JP": "We cannot accept that: the longest plan we can offer is ",
				}[c.customer]
				if !strings.HasPrefix(got, want) {
					t.Errorf("%s counter explanation %q, want it to start %q", c.customer, got, want)
				}
				v, err := svc.Negotiation(ctx, n.Reply.ID)
				if err != nil {
					t.Fatal(err)
				}
				if v.Reply.Explanation != r.Reply.Explanation || v.Rounds[0].Reply.Explanation != n.Reply.Explanation {
					t.Errorf("%s: the stored rounds say %q / %q", c.customer, v.Rounds[0].Reply.Explanation, v.Reply.Explanation)
				}
			}
		})
	}
}
