package negotiate

import (
	"testing"

	"settle/internal/civil"
)

func benchCase() Case {
	return Case{CustomerID: "bench", Currency: "USD", AsOf: civil.New(2026, 6, 1), Balance: 500_000,
		Affordable: 40_000, AffordableSource: "budget", RiskBand: "C"}
}

func benchPolicy(rate string) Policy {
	p := DefaultPolicy("bench")
	p.MaxTermMonths = 24
	p.PlanRate = rate
	return p
}

func BenchmarkOpen(b *testing.B) {
	for _, bb := range []struct {
		name, rate string
	}{{"no interest", "0"}, {"plan rate 8%", "0.08"}} {
		b.Run(bb.name, func(b *testing.B) {
			c, p := benchCase(), benchPolicy(bb.rate)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Open(c, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRespond evaluates one counter-offer on an open negotiation
// (USD 5,000.00, max term 24 months): a monthly counter that is declined
// (so the engine searches for its next offer) and a weekly one.
func BenchmarkRespond(b *testing.B) {
	for _, bb := range []struct {
		name, rate string
		counter    Counter
	}{
		{"monthly", "0", Counter{Installments: 30}},
		{"monthly amount", "0", Counter{InstallmentAmount: ptr(int64(15_000))}},
		{"weekly", "0", Counter{Frequency: "weekly", Installments: 110}},
		{"monthly plan rate 8%", "0.08", Counter{Installments: 30}},
		{"weekly plan rate 8%", "0.08", Counter{Frequency: "weekly", Installments: 110}},
		{"lump sum", "0", Counter{LumpSum: ptr(int64(300_000))}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			s, _, err := Open(benchCase(), benchPolicy(bb.rate))
			if err != nil || s.Status != StatusOpen {
				b.Fatalf("Open: %v %s", err, s.Status)
			}
			if _, r, err := Respond(s, bb.counter); err != nil {
				b.Fatal(err)
			} else {
				b.Logf("%s → %s", describeCounter(&bb.counter), r.Decision)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Respond(s, bb.counter); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
