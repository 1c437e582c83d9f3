package plan_test

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"settle/internal/civil"
	"settle/internal/money"
	"settle/internal/plan"
)

func trackDay(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func cents(n int64) money.Amount { return money.New(n, "USD") }

// fourMonthly is 400.00 in four 100.00 installments due on the 10th,
// January to April 2026.
func fourMonthly() []plan.Installment {
	var out []plan.Installment
	for i, d := range []string{"2026-01-10", "2026-02-10", "2026-03-10", "2026-04-10"} {
		out = append(out, plan.Installment{Seq: i + 1, DueDate: trackDay(d), Amount: cents(10000), Principal: cents(10000), Interest: cents(0)})
	}
	return out
}

var trackRules = plan.Rules{GraceDays: 5, LateFee: cents(1500), DefaultAfterMissed: 2, DefaultDaysLate: 45}

func receipts(pairs ...any) []plan.Receipt {
	var out []plan.Receipt
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, plan.Receipt{On: trackDay(pairs[i].(string)), Amount: cents(int64(pairs[i+1].(int)))})
	}
	return out
}

func statuses(tr plan.Tracking) []string {
	var out []string
	for _, s := range tr.Installments {
		out = append(out, s.Status)
	}
	return out
}

// TestTrack_HandWorked follows one plan through the year. Grace 5 days:
// an installment due on the 10th is late on the 11th–15th and missed from
// the 16th (due + 5 + 1). Fee 15.00 per miss; default at the 2nd miss or
// 45 days unpaid (due + 46).
//
//	08 Jan 100.00 → #1 paid 2 days early
//	12 Feb  60.00 → #2 partly paid, 2 days late
//	14 Feb  40.00 → #2 paid in full, 4 days late (within grace: not missed)
//	 #3 (due 10 Mar) never paid → late 11–15 Mar, missed 16 Mar (fee 15.00)
//	 #4 (due 10 Apr) never paid → missed 16 Apr: the 2nd miss → default 16 Apr
//	 (the 45-day rule would fire later: #3 unpaid on 10 Mar + 46 = 25 Apr)
func TestTrack_HandWorked(t *testing.T) {
	rs := receipts("2026-01-08", 10000, "2026-02-12", 6000, "2026-02-14", 4000)
	for _, tc := range []struct {
		asOf     string
		statuses []string
		paid     int64
		missed   int
		fees     int64
		status   string
		defOn    string
	}{
		{"2026-01-05", []string{"due", "due", "due", "due"}, 0, 0, 0, "active", ""},
		{"2026-01-10", []string{"paid", "due", "due", "due"}, 10000, 0, 0, "active", ""},
		{"2026-02-10", []string{"paid", "due", "due", "due"}, 10000, 0, 0, "active", ""},
		{"2026-02-12", []string{"paid", "late", "due", "due"}, 16000, 0, 0, "active", ""},
		{"2026-02-15", []string{"paid", "paid", "due", "due"}, 20000, 0, 0, "active", ""},
		{"2026-03-15", []string{"paid", "paid", "late", "due"}, 20000, 0, 0, "active", ""},
		{"2026-03-16", []string{"paid", "paid", "missed", "due"}, 20000, 1, 1500, "active", ""},
		{"2026-04-15", []string{"paid", "paid", "missed", "late"}, 20000, 1, 1500, "active", ""},
		{"2026-04-16", []string{"paid", "paid", "missed", "missed"}, 20000, 2, 3000, "defaulted", "2026-04-16"},
	} {
		t.Run(tc.asOf, func(t *testing.T) {
			tr, err := plan.Track(fourMonthly(), rs, trackRules, trackDay(tc.asOf))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.statuses, statuses(tr)); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
			def := ""
			if !tr.DefaultedOn.IsZero() {
				def = tr.DefaultedOn.String()
			}
			if tr.Paid.Minor() != tc.paid || tr.Outstanding.Minor() != 40000-tc.paid || tr.Missed != tc.missed ||
				tr.Fees.Minor() != tc.fees || tr.Status != tc.status || def != tc.defOn {
				t.Errorf("paid %s outstanding %s missed %d fees %s status %s defaulted %q", tr.Paid, tr.Outstanding, tr.Missed, tr.Fees, tr.Status, def)
			}
		})
	}
	tr, _ := plan.Track(fourMonthly(), rs, trackRules, trackDay("2026-04-16"))
	if st := tr.Installments[1]; st.PaidOn != trackDay("2026-02-14") || st.DaysLate != 4 || !st.MissedOn.IsZero() {
		t.Errorf("#2 = %+v", st)
	}
	wantEvents := []plan.Event{
		{On: trackDay("2026-03-16"), Kind: plan.EventInstallmentMissed, Seq: 3},
		{On: trackDay("2026-04-16"), Kind: plan.EventInstallmentMissed, Seq: 4},
		{On: trackDay("2026-04-16"), Kind: plan.EventPlanDefaulted},
	}
	if diff := cmp.Diff(wantEvents, tr.Events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// Late fees stop at the default. Nothing is paid on fourMonthly: #1 is
// missed on 16 Jan, #2 on 16 Feb — the 2nd miss, so the plan defaults on
// 16 Feb (the 45-day rule would say 25 Feb). #3 and #4 are still missed
// on 16 Mar and 16 Apr, but the whole balance was due from the default:
// two fees (2 × 15.00 = 30.00), not four.
func TestTrack_LateFeesStopAtDefault(t *testing.T) {
	tr, err := plan.Track(fourMonthly(), nil, trackRules, trackDay("2026-05-01"))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != plan.PlanDefaulted || tr.DefaultedOn != trackDay("2026-02-16") || tr.Missed != 4 || tr.Fees.Minor() != 3000 {
		t.Errorf("%s on %s, missed %d, fees %s; want defaulted on 2026-02-16, 4 missed, fees 30.00", tr.Status, tr.DefaultedOn, tr.Missed, tr.Fees)
	}
}

func TestTrack_Rules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		receipts []plan.Receipt
		rules    plan.Rules
		asOf     string
		check    func(t *testing.T, tr plan.Tracking)
	}{
		{"one lump pays everything and completes", receipts("2026-01-05", 40000), trackRules, "2026-06-01", func(t *testing.T, tr plan.Tracking) {
			if tr.Status != plan.PlanCompleted || tr.CompletedOn != trackDay("2026-01-05") || tr.Overpaid.Minor() != 0 {
				t.Errorf("%s on %s, overpaid %s", tr.Status, tr.CompletedOn, tr.Overpaid)
			}
		}},
		{"overpayment is kept", receipts("2026-01-05", 45000), trackRules, "2026-01-06", func(t *testing.T, tr plan.Tracking) {
			if tr.Overpaid.Minor() != 5000 || tr.Paid.Minor() != 40000 || tr.Outstanding.Minor() != 0 {
				t.Errorf("paid %s overpaid %s outstanding %s", tr.Paid, tr.Overpaid, tr.Outstanding)
			}
		}},
		{"a payment ahead fills the next installments in order", receipts("2026-01-09", 25000), trackRules, "2026-01-20", func(t *testing.T, tr plan.Tracking) {
			// 250.00: #1 and #2 in full, 50.00 of #3.
			if diff := cmp.Diff([]string{"paid", "paid", "partial", "due"}, statuses(tr)); diff != "" || tr.Installments[2].Paid.Minor() != 5000 {
				t.Errorf("statuses (-want +got):\n%s; #3 paid %s", diff, tr.Installments[2].Paid)
			}
		}},
		{"paid after it was missed: still missed once, fee stands", receipts("2026-01-10", 10000, "2026-02-20", 10000), trackRules, "2026-02-25", func(t *testing.T, tr plan.Tracking) {
			st := tr.Installments[1]
			if st.Status != plan.StatusPaid || st.MissedOn != trackDay("2026-02-16") || st.DaysLate != 10 || tr.Missed != 1 || tr.Fees.Minor() != 1500 {
				t.Errorf("#2 %+v; missed %d fees %s", st, tr.Missed, tr.Fees)
			}
		}},
		{"the days-late rule can default first", nil, plan.Rules{GraceDays: 5, DefaultAfterMissed: 3, DefaultDaysLate: 30}, "2026-02-11", func(t *testing.T, tr plan.Tracking) {
			// #1 due 10 Jan, unpaid on 10 Jan + 31 = 10 Feb: default then (only 1 miss so far; the 3-miss rule is later).
			if tr.Status != plan.PlanDefaulted || tr.DefaultedOn != trackDay("2026-02-10") {
				t.Errorf("%s on %s", tr.Status, tr.DefaultedOn)
			}
		}},
		{"rules off: never defaults", nil, plan.Rules{}, "2027-01-01", func(t *testing.T, tr plan.Tracking) {
			if tr.Status != plan.PlanActive || tr.Missed != 4 || !tr.Fees.IsZero() {
				t.Errorf("%s missed %d fees %s", tr.Status, tr.Missed, tr.Fees)
			}
		}},
		{"receipts after as-of are ignored", receipts("2026-03-01", 40000), trackRules, "2026-02-28", func(t *testing.T, tr plan.Tracking) {
			if tr.Paid.Minor() != 0 || tr.Installments[0].Status != plan.StatusMissed {
				t.Errorf("paid %s, #1 %s", tr.Paid, tr.Installments[0].Status)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := plan.Track(fourMonthly(), tc.receipts, tc.rules, trackDay(tc.asOf))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tr)
		})
	}
	if _, err := plan.Track(fourMonthly(), []plan.Receipt{{On: trackDay("2026-01-01"), Amount: money.New(100, "EUR")}}, trackRules, trackDay("2026-02-01")); err == nil {
		t.Error("a EUR receipt on a USD plan was accepted")
	}
}

// TestTrack_Invariants checks random plans and receipts: money is
// conserved, installments are paid in order, statuses agree with dates.
func TestTrack_Invariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for n := 0; n < 5000; n++ {
		count := 1 + rng.IntN(24)
		start := trackDay("2026-01-01").AddDays(rng.IntN(60))
		var ins []plan.Installment
		var scheduled int64
		for i := 0; i < count; i++ {
			a := int64(1 + rng.IntN(50000))
			scheduled += a
			ins = append(ins, plan.Installment{Seq: i + 1, DueDate: start.AddMonths(i), Amount: cents(a)})
		}
		var rs []plan.Receipt
		for i := rng.IntN(30); i > 0; i-- {
			rs = append(rs, plan.Receipt{On: start.AddDays(rng.IntN(800) - 30), Amount: cents(int64(1 + rng.IntN(60000)))})
		}
		rules := plan.Rules{GraceDays: rng.IntN(10), LateFee: cents(int64(rng.IntN(3000))), DefaultAfterMissed: rng.IntN(4), DefaultDaysLate: rng.IntN(90)}
		asOf := start.AddDays(rng.IntN(900) - 30)
		tr, err := plan.Track(ins, rs, rules, asOf)
		if err != nil {
			t.Fatal(err)
		}
		var received, applied int64
		for _, r := range rs {
			if !r.On.After(asOf) {
				received += r.Amount.Minor()
			}
		}
		unpaidSeen := false
		for i, st := range tr.Installments {
			applied += st.Paid.Minor()
			if st.Paid.Minor() > 0 && unpaidSeen {
				t.Fatalf("case %d: #%d paid after an unpaid one", n, i+1)
			}
			if st.Paid.Minor() < st.Amount.Minor() {
				unpaidSeen = true
			}
			full := st.Paid == st.Amount
			if (st.Status == plan.StatusPaid) != full {
				t.Fatalf("case %d: #%d status %s with %s of %s paid", n, i+1, st.Status, st.Paid, st.Amount)
			}
			if !full && asOf.After(st.DueDate.AddDays(rules.GraceDays)) != (st.Status == plan.StatusMissed) {
				t.Fatalf("case %d: #%d unpaid, status %s as of %s, due %s", n, i+1, st.Status, asOf, st.DueDate)
			}
		}
		if applied != tr.Paid.Minor() || tr.Paid.Minor()+tr.Overpaid.Minor() != received || tr.Paid.Minor()+tr.Outstanding.Minor() != scheduled {
			t.Fatalf("case %d: applied %d paid %s overpaid %s received %d outstanding %s scheduled %d", n, applied, tr.Paid, tr.Overpaid, received, tr.Outstanding, scheduled)
		}
		charged := 0 // misses up to and on the default date
		for _, st := range tr.Installments {
			if !st.MissedOn.IsZero() && (tr.DefaultedOn.IsZero() || !st.MissedOn.After(tr.DefaultedOn)) {
				charged++
			}
		}
		if tr.Fees.Minor() != int64(charged)*rules.LateFee.Minor() {
			t.Fatalf("case %d: fees %s for %d misses up to the default (%d in all)", n, tr.Fees, charged, tr.Missed)
		}
		if (tr.Status == plan.PlanCompleted) != !tr.CompletedOn.IsZero() || (tr.Status == plan.PlanDefaulted) != !tr.DefaultedOn.IsZero() {
			t.Fatalf("case %d: status %s completed %s defaulted %s", n, tr.Status, tr.CompletedOn, tr.DefaultedOn)
		}
		if tr.DefaultedOn.After(asOf) || tr.CompletedOn.After(asOf) {
			t.Fatalf("case %d: dated after as-of", n)
		}
	}
}

// BenchmarkTrack_60 judges a 60-installment plan with 45 receipts.
func BenchmarkTrack_60(b *testing.B) {
	var ins []plan.Installment
	start := trackDay("2026-01-31")
	for i := 0; i < 60; i++ {
		ins = append(ins, plan.Installment{Seq: i + 1, DueDate: start.AddMonths(i), Amount: cents(10000)})
	}
	var rs []plan.Receipt
	for i := 0; i < 45; i++ {
		rs = append(rs, plan.Receipt{On: start.AddMonths(i).AddDays(3), Amount: cents(10000)})
	}
	asOf := start.AddMonths(50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := plan.Track(ins, rs, trackRules, asOf); err != nil {
			b.Fatal(err)
		}
	}
}
