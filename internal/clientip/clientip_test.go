package clientip

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClient(t *testing.T) {
	trusted, err := Parse("10.0.0.0/8, 192.0.2.7, ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy in between", "203.0.113.5:51000", nil, "203.0.113.5"},
		{"an untrusted peer's header is ignored", "203.0.113.5:51000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"one trusted proxy", "10.1.2.3:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "10.1.2.3:443", []string{"198.51.100.1, 192.0.2.7"}, "198.51.100.1"},
		{"the client's own forged hops stay left of the real one", "10.1.2.3:443", []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, "198.51.100.1"},
		{"several header lines read as one list", "10.1.2.3:443", []string{"1.1.1.1", "198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"trusted all the way: the leftmost", "10.1.2.3:443", []string{"10.5.5.5, 192.0.2.7"}, "10.5.5.5"},
		{"garbage stops the walk at the last known hop", "10.1.2.3:443", []string{"198.51.100.1, not-an-ip"}, "10.1.2.3"},
		{"trusted proxy and no header", "10.1.2.3:443", nil, "10.1.2.3"},
		{"IPv6 loopback proxy", "[::1]:8080", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped peer is matched", "[::ffff:10.1.2.3]:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"bare peer address", "10.1.2.3", []string{"198.51.100.1"}, "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := trusted.Client(tc.peer, tc.xff); got != tc.want {
				t.Errorf("Client(%q, %q) = %q, want %q", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.1:80", "1.2.3"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted it", bad)
		}
	}
	if tr, err := Parse(" , "); err != nil || !tr.Empty() {
		t.Errorf("Parse of blanks = %v, %v; want empty", tr, err)
	}
}

func TestMiddleware(t *testing.T) {
	trusted, _ := Parse("10.0.0.0/8")
	var seen string
	h := trusted.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.RemoteAddr }))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.9:1234"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen != "198.51.100.1:0" {
		t.Errorf("behind a trusted proxy RemoteAddr = %q, want 198.51.100.1:0", seen)
	}
	r.RemoteAddr = "203.0.113.5:1234"
	h.ServeHTTP(httptest.NewRecorder(), r)
	if seen != "203.0.113.5:1234" {
		t.Errorf("from an untrusted peer RemoteAddr = %q, want it unchanged", seen)
	}
	var none Trusted
	if got := none.Middleware(h); got == nil {
		t.Fatal("nil handler")
	}
}
