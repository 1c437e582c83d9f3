package web

import "testing"

// TestPlainReason: the run's reasons, as internal/collect and the service
// write them, in the words of the page. Each want is written by hand.
func TestPlainReason(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ladder step call (14 days after the due date; after firm on 2026-05-08) for INV-1",
			"the call step (14 days after the due date; after the firm reminder on 8 May 2026) for INV-1"},
		{"ladder step overdue (3 days after the due date; the first step of the GBP case) for INV-1, INV-2",
			"the overdue notice step (3 days after the due date; the first step of the GBP case) for INV-1, INV-2"},
		{"ladder step review (60 days after the due date; after final_notice on 2026-12-01) for A-7",
			"the agency or legal review step (60 days after the due date; after the final notice on 1 Dec 2026) for A-7"},
		{"ladder step demand (30 days after the due date; after call on 2026-01-31) for INV-9; a key account: a personal call before the automated demand, which follows in 3 days",
			"the demand step (30 days after the due date; after the call on 31 Jan 2026) for INV-9; a key account: a personal call before the automated demand, which follows in 3 days"},
		// Money as the page writes it: the code, then the amount grouped.
		{"ladder step call (14 days after the due date; after firm on 2026-05-08) for INV-1; a large account (9000.00 GBP ≥ 8000): senior agent",
			"the call step (14 days after the due date; after the firm reminder on 8 May 2026) for INV-1; a large account (GBP\u00a09,000.00 ≥ GBP\u00a08,000.00): senior agent"},
		{"a promise of 5805.33 EUR by 2026-12-09 covers less than 80% of the 23221.30 EUR overdue: review it with the customer",
			"a promise of EUR\u00a05,805.33 by 9 Dec 2026 covers less than 80% of the EUR\u00a023,221.30 overdue: review it with the customer"},
		{"a promise of 297500 JPY by 2026-12-05 covers less than 80% of the 808500 JPY overdue",
			"a promise of JPY\u00a0297,500 by 5 Dec 2026 covers less than 80% of the JPY\u00a0808,500 overdue"},
		// Not money: a code that is no currency, too many decimals.
		{"risk score 72 ≥ 60: senior agent; 3 ABC; 1.234 USD; for INV-100 USD, A.5 EUR", "risk score 72 ≥ 60: senior agent; 3 ABC; 1.234 USD; for INV-100 USD, A.5 EUR"},
		{"250 GBP", "GBP\u00a0250.00"},
		// A policy's own step: its name, underscores as spaces.
		{"ladder step phone_round (20 days after the due date; after second_letter on 2026-02-28) for X-1",
			"the phone round step (20 days after the due date; after the second letter on 28 Feb 2026) for X-1"},
		{"no postal address: the final_notice letter of 2026-06-01 could not be written; add the address to the customer",
			"no postal address: the final notice letter of 1 Jun 2026 could not be written; add the address to the customer"},
		{"a promise of 50.00 GBP by 2026-06-20 covers less than 50% of the 1234.50 GBP overdue: review it with the customer",
			"a promise of GBP\u00a050.00 by 20 Jun 2026 covers less than 50% of the GBP\u00a01,234.50 overdue: review it with the customer"},
		{"installment 2 of plan pln_1 (due 2026-03-01) was missed", "installment 2 of plan pln_1 (due 1 Mar 2026) was missed"},
		// Invoice numbers that look like dates stay as they are.
		{"ladder step firm (7 days after the due date; after overdue on 2026-05-04) for 2026-05-01, INV-2026-05-02",
			"the firm reminder step (7 days after the due date; after the overdue notice on 4 May 2026) for 2026-05-01, INV-2026-05-02"},
		// Not a date: kept.
		{"a promise of 5.00 EUR by 2026-13-01 covers less", "a promise of EUR\u00a05.00 by 2026-13-01 covers less"},
		{"", ""},
	} {
		if got := plainReason(c.in); got != c.want {
			t.Errorf("plainReason(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
