package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/testutil"
)

// TestAPI_PortalLink: an agent gets a link that opens the customer's
// portal until expires_at; a viewer may not; an unknown customer is 404;
// ttl_hours out of range is 422.
func TestAPI_PortalLink(t *testing.T) {
	st := testutil.SQLite(t)
	admin, agent, viewer, anon := setupOn(t, st)
	want(t, admin.do("POST", "/v1/customers", `{"external_ref":"P-1","name":"Pia Park"}`), 201)
	t.Setenv("SETTLE_PUBLIC_URL", "https://pay.example.com")

	r := agent.do("POST", "/v1/customers/P-1/portal-link", `{"ttl_hours":48}`)
	want(t, r, 200)
	m := r.json(t)
	u, _ := m["url"].(string)
	exp, err := time.Parse(time.RFC3339, m["expires_at"].(string))
	if err != nil || !strings.HasPrefix(u, "https://pay.example.com/portal/") || !exp.Equal(testutil.Clock().Add(48*time.Hour).Truncate(time.Second)) {
		t.Fatalf("link %v (%v)", m, err)
	}
	svc := service.New(st, testutil.Clock)
	p, err := svc.VerifyPortalToken(context.Background(), strings.TrimPrefix(u, "https://pay.example.com/portal/"))
	if err != nil || p.Customer().ExternalRef != "P-1" || p.CustomerID() != m["customer_id"] {
		t.Fatalf("the link opens %+v (%v)", p, err)
	}
	// Without a body: 30 days.
	r = admin.do("POST", "/v1/customers/P-1/portal-link", "")
	want(t, r, 200)
	if exp, _ := time.Parse(time.RFC3339, r.json(t)["expires_at"].(string)); !exp.Equal(testutil.Clock().Add(30 * 24 * time.Hour).Truncate(time.Second)) {
		t.Errorf("default expiry %s", exp)
	}
	want(t, viewer.do("POST", "/v1/customers/P-1/portal-link", ""), 403)
	want(t, anon.do("POST", "/v1/customers/P-1/portal-link", ""), 401)
	want(t, agent.do("POST", "/v1/customers/NOPE/portal-link", ""), 404)
	want(t, agent.do("POST", "/v1/customers/P-1/portal-link", `{"ttl_hours":9000}`), 422)
}
