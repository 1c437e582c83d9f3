package httpapi_test

import (
	"strings"
	"testing"
)

// TestAPI_UnknownRoutesAnswerProblems: under /v1/, a path no route takes
// and a method a path does not have get problem JSON (404, 405 with
// Allow) like every other error — found by fuzzing (an id of "/" sent as
// %2F got the mux's plain "404 page not found").
func TestAPI_UnknownRoutesAnswerProblems(t *testing.T) {
	_, agent, _, anon := setup(t)
	for _, tc := range []struct {
		method, path string
		status       int
		detail       string
	}{
		{"GET", "/v1/nope", 404, "no endpoint GET /v1/nope"},
		{"PUT", "/v1/customers/%2F/budget", 404, "no endpoint PUT /v1/customers/%2F/budget"},
		{"DELETE", "/v1/customers", 405, "DELETE is not allowed on /v1/customers"},
	} {
		r := agent.do(tc.method, tc.path, "")
		if r.Status != tc.status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") ||
			!strings.Contains(string(r.Body), tc.detail) {
			t.Errorf("%s %s: %d %q %s; want %d problem JSON saying %q", tc.method, tc.path, r.Status, r.Header.Get("Content-Type"), r.Body, tc.status, tc.detail)
		}
		if tc.status == 405 && !strings.Contains(r.Header.Get("Allow"), "GET") {
			t.Errorf("%s %s: Allow %q, want the path's methods", tc.method, tc.path, r.Header.Get("Allow"))
		}
	}
	// Without a token the answer is still 401 first: nothing about which
	// paths exist.
	want(t, anon.do("GET", "/v1/nope", ""), 401)
}
