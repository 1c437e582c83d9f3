package reconcile

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/money"
)

func usd(s string) money.Amount {
	a, err := money.Parse(s, "USD")
	if err != nil {
		panic(err)
	}
	return a
}

// A hand-worked check symbol. Body "2345678": values 0..6 (2→0, 3→1, …,
// 8→6); Σ (i+1)·v = 1·0+2·1+3·2+4·3+5·4+6·5+7·6 = 0+2+6+12+20+30+42 = 112;
// 112 mod 31 = 19; −19 ≡ 12; 12·4 = 48 ≡ 17 (mod 31) → Alphabet[17] = 'K'
// (2 3 4 5 6 7 8 9 A B C D E F G H J K: index 17). Check: 112 + 8·17 =
// 248 = 8·31 ≡ 0.
func TestCheckSymbol_HandWorked(t *testing.T) {
	if got := checkSymbol("2345678"); got != 'K' {
		t.Fatalf("checkSymbol(2345678) = %c, want K", got)
	}
	if !ValidReference("STL-2345678K") || !ValidReference(" stl-2345678k ") {
		t.Error("STL-2345678K should be valid (any case, trimmed)")
	}
	for _, bad := range []string{"STL-2345678J", "STL-2345678", "2345678K", "STL-2345678K9", "STL-234567OK"} {
		if ValidReference(bad) {
			t.Errorf("%q passed the check", bad)
		}
	}
}

func TestNewReference(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		r, err := NewReference(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(r) != len(Prefix)+CodeLen || !strings.HasPrefix(r, Prefix) || !ValidReference(r) {
			t.Fatalf("NewReference = %q: not a valid reference", r)
		}
		if strings.ContainsAny(r[len(Prefix):], "01OIL") {
			t.Fatalf("%q uses a look-alike symbol", r)
		}
		if seen[r] {
			t.Fatalf("%q twice in 2000 draws (31^7 ≈ 2.75e10 bodies)", r)
		}
		seen[r] = true
	}
	// Deterministic from a given source: bytes ≥ 248 are skipped.
	src := bytes.NewReader([]byte{0, 255, 1, 2, 3, 4, 5, 6, 250})
	r, err := NewReference(src)
	if err != nil || r != "STL-2345678K" {
		t.Errorf("NewReference(0,skip,1..6) = %q, %v; want STL-2345678K", r, err)
	}
	if _, err := NewReference(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("a short random source should fail")
	}
}

// Every single substitution and every neighbour swap of a valid code is
// detected, and the original is among the corrections of each.
func TestCorrections_EverySlipDetected(t *testing.T) {
	for _, ref := range []string{"STL-2345678K", mustRef(t), mustRef(t), mustRef(t)} {
		code := ref[len(Prefix):]
		for i := 0; i < CodeLen; i++ {
			for _, c := range []byte(Alphabet + "01OIL") {
				if c == code[i] {
					continue
				}
				b := []byte(code)
				b[i] = c
				if ValidCode(string(b)) {
					t.Fatalf("%s with position %d changed to %c passes the check", code, i, c)
				}
				if fixes := CorrectionsOf(string(b)); !slices.Contains(fixes, ref) {
					t.Fatalf("CorrectionsOf(%s) = %v lacks %s", b, fixes, ref)
				}
			}
			if i+1 < CodeLen && code[i] != code[i+1] {
				b := []byte(code)
				b[i], b[i+1] = b[i+1], b[i]
				if ValidCode(string(b)) {
					t.Fatalf("%s with %d,%d swapped passes the check", code, i, i+1)
				}
				if fixes := CorrectionsOf(string(b)); !slices.Contains(fixes, ref) {
					t.Fatalf("CorrectionsOf(%s) = %v lacks %s", b, fixes, ref)
				}
			}
		}
	}
	// A symbol outside the alphabet is the slip: only its position is tried,
	// and exactly one symbol there satisfies the check.
	if got := CorrectionsOf("234O678K"); !cmp.Equal(got, []string{"STL-2345678K"}) {
		t.Errorf("CorrectionsOf(234O678K) = %v", got)
	}
	if got := CorrectionsOf("2345678K"); got != nil {
		t.Errorf("a valid code has corrections %v", got)
	}
	if got := CorrectionsOf("23O5O78K"); got != nil {
		t.Errorf("two foreign symbols: %v", got)
	}
}

func mustRef(t *testing.T) string {
	t.Helper()
	r, err := NewReference(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestScan(t *testing.T) {
	tests := []struct {
		name, text string
		want       Scanned
	}{
		{"plain", "STL-2345678K", Scanned{Refs: []RefMention{{Written: "STL-2345678K", Valid: true}}}},
		{"bank mangling", "Payment stl 2345 678k thanks", Scanned{Refs: []RefMention{{Written: "STL-2345678K", Valid: true}}, Words: []string{"Payment", "thanks"}}},
		{"no dash", "STL2345678K/INV-1", Scanned{Refs: []RefMention{{Written: "STL-2345678K", Valid: true}}, Words: []string{"INV-1"}}},
		{"typo", "STL-2345679K", Scanned{Refs: []RefMention{{Written: "STL-2345679K", Fixes: CorrectionsOf("2345679K")}}}},
		{"invoice and customer", "Inv. INV-2024/001, cust C-1001.", Scanned{Words: []string{"Inv", "INV-2024/001", "cust", "C-1001"}}},
		{"too short is a word", "STL-234567", Scanned{Words: []string{"STL-234567"}}},
		{"empty", "  ", Scanned{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Scan(tt.text)); diff != "" {
				t.Errorf("Scan(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
	if fixes := CorrectionsOf("2345679K"); !slices.Contains(fixes, "STL-2345678K") {
		t.Errorf("corrections of the typo %v lack the original", fixes)
	}
}

// The book for the matcher's table: customer A has plan STL-2345678K (next
// installments 100.00, 100.00, 100.00) and invoice A-1 300.00 open;
// customer B has B-1 250.00 (oldest) and B-2 80.00 open (balance 330.00).
func book() Evidence {
	planA := Plan{ID: "pln_a", Reference: "STL-2345678K", CustomerID: "cus_a", Active: true,
		Due: []money.Amount{usd("100.00"), usd("100.00"), usd("100.00")}}
	return Evidence{
		Plans: map[string]Plan{planA.Reference: planA},
		Invoices: map[string]Invoice{
			"B-1": {ID: "inv_b1", Number: "B-1", CustomerID: "cus_b", Open: usd("250.00")},
			"B-2": {ID: "inv_b2", Number: "B-2", CustomerID: "cus_b", Open: usd("80.00")},
			"A-1": {ID: "inv_a1", Number: "A-1", CustomerID: "cus_a", Open: usd("300.00")},
		},
		Customers: map[string]Customer{
			"cus_a": {ID: "cus_a", Ref: "C-A", Items: []Item{{"inv_a1", "A-1", usd("300.00")}}, Plans: []Plan{planA}},
			"cus_b": {ID: "cus_b", Ref: "C-B", Items: []Item{{"inv_b1", "B-1", usd("250.00")}, {"inv_b2", "B-2", usd("80.00")}}},
		},
		Refs: map[string]string{"C-A": "cus_a", "C-B": "cus_b"},
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name, ref, amount string
		status, by        string
		customer, plan    string
		invoice, rule     string
		reason            string // a part of the reason
	}{
		{"plan ref, one installment", "STL-2345678K", "100.00", StatusMatched, ByPlanRef, "cus_a", "pln_a", "", "installment due", "next installment due"},
		// 100 + 100 = 200.00: the next two.
		{"plan ref, two installments", "STL-2345678K", "200.00", StatusMatched, ByPlanRef, "cus_a", "pln_a", "", "2 installments due", ""},
		// 100 + 100 + 100 = 300.00 = the whole plan.
		{"plan ref, all installments", "stl 2345678k", "300.00", StatusMatched, ByPlanRef, "cus_a", "pln_a", "", "3 installments due", ""},
		{"plan ref with a typo", "ref STL-2345679K", "100.00", StatusMatched, ByPlanRefFixed, "cus_a", "pln_a", "", "installment due", "written STL-2345679K"},
		{"plan ref, odd amount", "STL-2345678K", "150.00", StatusReview, ByPlanRef, "cus_a", "", "", "", "150.00 USD matches no open item"},
		{"invoice number, open amount", "Payment B-2", "80.00", StatusMatched, ByInvoiceNumber, "cus_b", "", "inv_b2", "open amount of B-2", ""},
		// Names B-2 but pays 250.00 = B-1's open amount: the customer's item.
		{"invoice number, another item's amount", "B-2", "250.00", StatusMatched, ByInvoiceNumber, "cus_b", "", "inv_b1", "open amount of B-1", ""},
		// 250.00 + 80.00 = 330.00: B's whole balance.
		{"customer ref, whole balance", "C-B", "330.00", StatusMatched, ByCustomerRef, "cus_b", "", "", "the whole open balance", ""},
		{"customer ref, oldest item", "C-B", "250.00", StatusMatched, ByCustomerRef, "cus_b", "", "inv_b1", "open amount of B-1", ""},
		{"customer ref, plan installment", "C-A", "100.00", StatusMatched, ByCustomerRef, "cus_a", "pln_a", "", "the next installment due of plan STL-2345678K", ""},
		{"invoice, amount matches nothing", "B-1", "199.99", StatusReview, ByInvoiceNumber, "cus_b", "", "", "", "open: B-1 250.00, B-2 80.00; balance 330.00"},
		{"nothing found", "thanks for everything", "10.00", StatusReview, "", "", "", "", "", "no plan reference, invoice number or customer reference"},
		{"unknown valid ref", "STL-3456789A", "10.00", StatusReview, "", "", "", "", "", ""},
		{"two customers", "A-1 B-2", "80.00", StatusReview, "", "", "", "", "", "names two customers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Match(Line{Amount: usd(tt.amount), Reference: tt.ref}, Scan(tt.ref), book())
			if got.Status != tt.status || got.By != tt.by || got.CustomerID != tt.customer || got.PlanID != tt.plan ||
				got.InvoiceID != tt.invoice || got.Rule != tt.rule || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("Match(%q, %s) = %+v\nwant status %s by %q customer %q plan %q invoice %q rule %q reason ⊇ %q",
					tt.ref, tt.amount, got, tt.status, tt.by, tt.customer, tt.plan, tt.invoice, tt.rule, tt.reason)
			}
		})
	}
}

// A typo that two stored plans are one slip from goes to review.
func TestMatch_AmbiguousCorrection(t *testing.T) {
	fixes := CorrectionsOf("2345679K")
	if len(fixes) < 2 {
		t.Fatalf("need two corrections, have %v", fixes)
	}
	ev := book()
	other := fixes[0]
	if other == "STL-2345678K" {
		other = fixes[1]
	}
	ev.Plans[other] = Plan{ID: "pln_x", Reference: other, CustomerID: "cus_b", Active: true, Due: []money.Amount{usd("100.00")}}
	got := Match(Line{Amount: usd("100.00"), Reference: "STL-2345679K"}, Scan("STL-2345679K"), ev)
	if got.Status != StatusReview || !strings.Contains(got.Reason, "could be") {
		t.Errorf("ambiguous correction: %+v", got)
	}
}

// Found by FuzzScan/FuzzReference: a line break inside a reference (banks
// wrap remittance text) or a no-break space next to it hid the reference,
// and a no-break space or U+0085 glued two words into one token, so an
// invoice number followed by one was never looked up.
func TestScan_LineBreaksAndNoBreakSpaces(t *testing.T) {
	for _, text := range []string{"STL-2345\n678K", "STL-2345\r\n678K", "STL\u00a02345678K", "Ref STL 2345\u00a0678K"} {
		sc := Scan(text)
		if len(sc.Refs) != 1 || sc.Refs[0].Written != "STL-2345678K" || !sc.Refs[0].Valid {
			t.Errorf("Scan(%q).Refs = %+v, want STL-2345678K", text, sc.Refs)
		}
	}
	for text, want := range map[string][]string{
		"INV-1\u00a0ACME":   {"INV-1", "ACME"},
		"INV-2\u0085Müller": {"INV-2", "Müller"},
		"R-3\u2003R-4":      {"R-3", "R-4"},
	} {
		if got := Scan(text).Words; !slices.Equal(got, want) {
			t.Errorf("Scan(%q).Words = %q, want %q", text, got, want)
		}
	}
}

// A mangled mention that runs into the next one ("STL00000" and two
// spaces before "STL-K222222U": read greedily, STL-00000STL) must not
// hide the real reference after it (found by FuzzReference).
func TestScan_MentionDoesNotSwallowTheNext(t *testing.T) {
	sc := Scan("STL00000  STL-K222222U")
	if len(sc.Refs) != 1 || sc.Refs[0].Written != "STL-K222222U" || !sc.Refs[0].Valid {
		t.Errorf("Scan = %+v, want just the valid STL-K222222U", sc.Refs)
	}
}
