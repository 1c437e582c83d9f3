package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"settle/internal/service"
	"settle/internal/store/sqlite"
	"settle/internal/testutil"
	"settle/internal/web"
)

type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// limitWorld: a UI on a clock the test moves, one staff member, one
// customer with a portal link.
func limitWorld(t *testing.T) (*httptest.Server, *stepClock, string) {
	t.Helper()
	clock := &stepClock{now: testutil.Clock()}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "l.db"), clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, clock.Now)
	ctx := testutil.Admin(context.Background())
	if _, err := svc.CreateUser(ctx, service.UserInput{Email: agentEmail, Name: "Alex", Role: service.RoleAgent, Password: agentPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCustomer(ctx, service.CustomerInput{ExternalRef: "A", Name: "Anna", Kind: "consumer", Jurisdiction: "GB", TimeZone: "Europe/London", Locale: "en-GB"}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(svc, quiet).Handler())
	t.Cleanup(srv.Close)
	l, err := svc.CreatePortalLink(ctx, "A", 0, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return srv, clock, strings.TrimPrefix(l.URL, srv.URL)
}

// The throttles trip at their documented counts and let go once the
// window has passed (on the injected clock): sign-in per email and
// address (LoginFailures in LoginWindow), refused portal links per
// address (PortalRefusals in PortalWindow), portal posts per link
// (PortalPosts in PortalWindow).
func TestWeb_RateLimitsTripAndReset(t *testing.T) {
	// The counts docs/web.md promises.
	if web.LoginFailures != 10 || web.LoginWindow != 15*time.Minute || web.PortalRefusals != 20 || web.PortalPosts != 30 || web.PortalWindow != 10*time.Minute {
		t.Errorf("the throttles differ from docs/web.md (10 sign-ins in 15 min, 20 refused links and 30 posts in 10 min): %d/%v, %d, %d/%v",
			web.LoginFailures, web.LoginWindow, web.PortalRefusals, web.PortalPosts, web.PortalWindow)
	}
	srv, clock, link := limitWorld(t)
	b := newBrowser(t, srv)

	type limit struct {
		name   string
		max    int
		window time.Duration
		try    func() int // one attempt; returns its status
		passed int        // the status of an attempt that is let through
		after  func() int // after the window: an attempt that now works
		okNow  int
	}
	contact := func() response { return b.get(link + "/contact") }
	page := contact()
	wantStatus(t, page, 200)
	n := 0
	for _, l := range []limit{
		{name: "sign-in", max: web.LoginFailures, window: web.LoginWindow,
			try:    func() int { n++; return b.signIn(agentEmail, fmt.Sprintf("wrong password %d", n)).StatusCode },
			passed: http.StatusUnprocessableEntity,
			after:  func() int { return b.signIn(agentEmail, agentPassword).StatusCode }, okNow: http.StatusSeeOther},
		{name: "refused portal links", max: web.PortalRefusals, window: web.PortalWindow,
			try:    func() int { return b.get(link[:len(link)-3] + "xyz").StatusCode },
			passed: http.StatusForbidden,
			after:  func() int { return b.get(link[:len(link)-3] + "xyz").StatusCode }, okNow: http.StatusForbidden},
		{name: "portal posts", max: web.PortalPosts, window: web.PortalWindow,
			try: func() int {
				n++
				return portalPost(t, b, page, link+"/contact", url.Values{"channel": {"sms"}, "opted_out": {[]string{"1", "0"}[n%2]}}).StatusCode
			},
			passed: http.StatusSeeOther,
			after: func() int {
				return portalPost(t, b, page, link+"/contact", url.Values{"channel": {"sms"}, "opted_out": {"1"}}).StatusCode
			}, okNow: http.StatusSeeOther},
	} {
		for i := range l.max {
			if got := l.try(); got != l.passed {
				t.Fatalf("%s: attempt %d got %d, want %d", l.name, i+1, got, l.passed)
			}
			clock.Add(l.window / time.Duration(4*l.max)) // all inside one window
		}
		if got := l.try(); got != http.StatusTooManyRequests {
			t.Errorf("%s: attempt %d got %d, want 429", l.name, l.max+1, got)
		}
		// Just before the first attempt leaves the window: still refused.
		clock.Add(l.window - l.window/4 - time.Second)
		if got := l.try(); got != http.StatusTooManyRequests {
			t.Errorf("%s: a second before the window ends: %d, want 429", l.name, got)
		}
		clock.Add(l.window)
		if got := l.after(); got != l.okNow {
			t.Errorf("%s: after the window: %d, want %d", l.name, got, l.okNow)
		}
	}
}
