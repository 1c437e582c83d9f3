package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/testutil"
	"settle/internal/web"
)

// TestPortal_AfterPlanDefault: the default notice invites the customer to
// propose a new plan through the portal; there, the plan that ended says
// so, no "next payment" of it is shown, and a new plan can be started over
// the balance now due. B (900.00 EUR) agrees three monthly payments from 8
// June 2026 and pays none: with five days' grace the first is missed from
// 14 June, the second from 14 July, and the plan defaults; on 10 August B
// opens the link.
func TestPortal_AfterPlanDefault(t *testing.T) {
	w := newPortalWorld(t)
	p, err := w.svc.CreatePlan(w.ctx, service.PlanInput{CustomerID: "B", InvoiceIDs: []string{"B-1"},
		PlanTermsInput: service.PlanTermsInput{Installments: 3, Frequency: "monthly", StartDate: "2026-06-08"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptPlan(w.ctx, p.Plan.ID, service.AcceptInput{AcceptedBy: "Ben Brook", Channel: "portal"}); err != nil {
		t.Fatal(err)
	}
	later := service.New(w.st, func() time.Time { return testutil.Clock().Add(70 * 24 * time.Hour) })
	later.Creditor = "Settle Demo Ltd"
	srv := httptest.NewServer(web.New(later, quiet).Handler())
	defer srv.Close()
	// A link made on 1 June that works 100 days (to 9 September).
	l, err := w.svc.CreatePortalLink(w.ctx, "B", 100*24*time.Hour, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	link := strings.TrimPrefix(l.URL, srv.URL)
	b := newBrowser(t, srv)
	home := b.get(link)
	wantStatus(t, home, http.StatusOK)
	wantIn(t, home.Body, "This plan has ended because payments were missed: the remaining balance is due now.", `action="`+link+`/plan"`)
	if strings.Contains(home.Body, "Next payment") {
		t.Error("the home page still names the ended plan's next payment")
	}
	r := portalPost(t, b, home, link+"/plan", url.Values{"currency": {"EUR"}})
	wantStatus(t, r, http.StatusSeeOther)
	opts := b.get(r.Header.Get("Location"))
	wantStatus(t, opts, http.StatusOK)
	wantIn(t, opts.Body, "Our offer", "900.00")
}
