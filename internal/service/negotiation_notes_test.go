package service_test

import (
	"strings"
	"testing"

	"settle/internal/service"
)

// TestNegotiation_ConcessionNotesInCustomersLanguage (issue 17, item 6.1):
// a German or French customer's settlement discount is explained in their
// language and formats — in the plan the negotiation becomes (whose
// agreement they read), on both engines. The texts are written by hand.
func TestNegotiation_ConcessionNotesInCustomersLanguage(t *testing.T) {
	for name, open := range docEngines {
		t.Run(name, func(t *testing.T) {
			svc, ctx := docService(t, open)
			for _, c := range []struct{ customer, note string }{
				{"DE", "der Rest des offenen Betrags von 1.234,56 EUR wird erlassen, wenn 1.000,00 EUR bis zum 27. November 2026 bezahlt sind"},
				{"FR", "le reste du solde de 1 234,56 EUR est abandonné si 1 000,00 EUR sont payés au plus tard le 27 novembre 2026"},
			} {
				n, err := svc.OpenNegotiation(ctx, service.NegotiationInput{CustomerID: c.customer, AsOf: "2026-11-20"})
				if err != nil {
					t.Fatal(err)
				}
				// 1,000.00 by 27 November: a settlement within the 20% limit.
				r, err := svc.CounterOffer(ctx, n.Reply.ID, service.CounterOfferInput{LumpSum: "1000.00", StartDate: "2026-11-27", AsOf: "2026-11-20"})
				if err != nil {
					t.Fatal(err)
				}
				if r.Reply.Decision != "accept" {
					t.Fatalf("%s: the settlement was answered %s: %s", c.customer, r.Reply.Decision, r.Reply.Explanation)
				}
				// The reply: the note in the customer's words beside the
				// English one the API always had.
				if len(r.Reply.Concessions) != 1 {
					t.Fatalf("%s: concessions %+v", c.customer, r.Reply.Concessions)
				}
				con := r.Reply.Concessions[0]
				if got := strings.ReplaceAll(con.CustomerNote, "\u00a0", " "); got != c.note {
					t.Errorf("%s: customer_note %q, want %q", c.customer, got, c.note)
				}
				if want := "the rest of the 1,234.56 EUR balance written off when 1,000.00 EUR is paid by 27 November 2026"; con.Note != want {
					t.Errorf("%s: note %q, want %q", c.customer, con.Note, want)
				}
				a, err := svc.AcceptNegotiation(ctx, n.Reply.ID, service.AcceptNegotiationInput{AsOf: "2026-11-20"})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, con := range a.Plan.Plan.Concessions {
					got = append(got, con.Kind+": "+strings.ReplaceAll(con.Note, "\u00a0", " "))
				}
				if want := "settlement_discount: " + c.note; strings.Join(got, "; ") != want {
					t.Errorf("%s: the plan's concessions say %q, want %q", c.customer, got, want)
				}
			}
		})
	}
}
