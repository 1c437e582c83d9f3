package web_test

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"settle/internal/store"
	"settle/internal/testutil"
)

// TestPortal_ChooseOutOfRange: choosing an alternative that was not
// offered (below zero, past the last one, not a number) is a clear 422
// page in the customer's language, and nothing is written.
func TestPortal_ChooseOutOfRange(t *testing.T) {
	w := newPortalWorld(t)
	b := newBrowser(t, w.srv)
	opts := startPlan(t, b, w.linkB)
	choose := match(t, regexp.MustCompile(`action="(/portal/[^"]+/choose)"`), opts.Body)
	before := testutil.Counts(t, w.st)
	auditBefore, _ := w.svc.Audit(w.ctx, store.AuditFilter{Limit: 1000})
	for _, alt := range []string{"-1", "99", "2147483648", "x", ""} {
		r := portalPost(t, b, opts, choose, url.Values{"alternative": {alt}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r.Body, `<html lang="en">`, "Please check this value.")
	}
	if after := testutil.Counts(t, w.st); !maps.Equal(before, after) {
		t.Errorf("rows changed: %v → %v", before, after)
	}
	if auditAfter, _ := w.svc.Audit(w.ctx, store.AuditFilter{Limit: 1000}); len(auditAfter) != len(auditBefore) {
		t.Errorf("audit entries %d → %d", len(auditBefore), len(auditAfter))
	}
}
