package service_test

import (
	"context"
	"testing"

	"settle/internal/civil"
	"settle/internal/service"
)

func mustDate(t *testing.T, s string) civil.Date {
	t.Helper()
	d, err := civil.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// runDays runs the daily collections run on every date from..to
// (inclusive), as a scheduler would: a collection case steps on from the
// step it took, so a test that wants the demand of +30 runs the days
// before it.
func runDays(t *testing.T, ctx context.Context, svc *service.Service, from, to string) {
	t.Helper()
	for d := mustDate(t, from); !d.After(mustDate(t, to)); d = d.AddDays(1) {
		if _, err := svc.StartRun(ctx, service.RunInput{AsOf: d.String()}); err != nil {
			t.Fatalf("run %s: %v", d, err)
		}
	}
}
