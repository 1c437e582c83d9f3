package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// A real SMTP peer: an in-process go-smtp server on 127.0.0.1 that stores what it
// receives and can be told to refuse recipients or data, or to require a password.

type received struct {
	from string
	to   []string
	data []byte
}

type backend struct {
	mu       sync.Mutex
	msgs     []received
	user     string // when set, AUTH PLAIN with user/pass is required before MAIL
	pass     string
	rcptErr  *smtp.SMTPError
	dataErr  *smtp.SMTPError
	sessions int
}

func (b *backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.mu.Lock()
	b.sessions++
	b.mu.Unlock()
	return &session{b: b}, nil
}

func (b *backend) messages() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.msgs...)
}

type session struct {
	b      *backend
	authed bool
	from   string
	to     []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.b.user || pass != s.b.pass {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.b.dataErr != nil {
		return s.b.dataErr
	}
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, received{from: s.from, to: s.to, data: data})
	s.b.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// startServer runs the peer; mode "none" is plain SMTP, "starttls" offers STARTTLS,
// "tls" speaks TLS from the first byte. It returns the port and, for TLS modes, the
// pool trusting the server's certificate.
func startServer(t *testing.T, be *backend, mode string) (int, *x509.CertPool) {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected in some tests
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var pool *x509.CertPool
	if mode != "none" {
		cert, p := selfSigned(t)
		pool = p
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if mode == "tls" {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, pool
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "settle test SMTP"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func newTestSender(t *testing.T, rawURL string, pool *x509.CertPool) *Sender {
	t.Helper()
	s, err := NewSender(rawURL)
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	s.rootCAs = pool
	return s
}

// followUpEmail is what the collections run sends for a follow-up: the rendered German
// message with its calendar invitation and an unsubscribe header.
func followUpEmail(t *testing.T) (Email, MessageData, []byte) {
	t.Helper()
	d := stepData(t, StepFollowUp, ToneDirect, "de")
	r, err := Render(StepFollowUp, d)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := InviteFor(d, "fu-42@settle.example", "forderungen@nordwind.example", "buchhaltung@mueller.example", inviteNow)
	if err != nil {
		t.Fatal(err)
	}
	return Email{
		From:        `"Nordwind Handel GmbH" <forderungen@nordwind.example>`,
		To:          "Müller & Söhne GmbH <buchhaltung@mueller.example>",
		ReplyTo:     "team@nordwind.example",
		Subject:     r.Subject,
		Text:        r.Text,
		HTML:        r.HTML,
		Attachments: []Attachment{InviteAttachment(inv)},
		Headers: map[string]string{
			"List-Unsubscribe":      "<" + d.OptOutURL + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		},
		MessageID: "<msg-01JH8Z3K4M@settle.example>",
	}, d, inv
}

func TestSender_SendReceived(t *testing.T) {
	for _, mode := range []string{"none", "starttls", "tls"} {
		t.Run(mode, func(t *testing.T) {
			be := &backend{user: "settle", pass: "s3cr3t/pä$$"}
			port, pool := startServer(t, be, mode)
			s := newTestSender(t, fmt.Sprintf("smtp://settle:%s@127.0.0.1:%d?tls=%s&timeout=5s", "s3cr3t%2Fp%C3%A4$$", port, mode), pool)
			e, d, inv := followUpEmail(t)
			if err := s.Send(context.Background(), e); err != nil {
				t.Fatalf("Send: %v", err)
			}
			msgs := be.messages()
			if len(msgs) != 1 {
				t.Fatalf("server received %d messages", len(msgs))
			}
			got := msgs[0]
			if got.from != "forderungen@nordwind.example" || strings.Join(got.to, ",") != "buchhaltung@mueller.example" {
				t.Errorf("envelope from %q to %v", got.from, got.to)
			}
			checkReceived(t, got.data, e, d, inv)
		})
	}
}

// checkReceived parses the message as a mail client would and compares it with e.
func checkReceived(t *testing.T, data []byte, e Email, d MessageData, inv []byte) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	dec := new(mime.WordDecoder)
	header := func(k string) string {
		v, err := dec.DecodeHeader(msg.Header.Get(k))
		if err != nil {
			t.Errorf("decode %s: %v", k, err)
		}
		return v
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "forderungen@nordwind.example" || from[0].Name != "Nordwind Handel GmbH" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "buchhaltung@mueller.example" || to[0].Name != "Müller & Söhne GmbH" {
		t.Errorf("To = %v (%v)", to, err)
	}
	for k, want := range map[string]string{
		"Subject":               e.Subject,
		"Message-Id":            "<msg-01JH8Z3K4M@settle.example>",
		"List-Unsubscribe":      "<" + d.OptOutURL + ">",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Reply-To":              "<team@nordwind.example>",
		"Mime-Version":          "1.0",
	} {
		if got := header(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}

	// multipart/mixed: [multipart/alternative: text, html], text/calendar.
	parts := readParts(t, msg.Header.Get("Content-Type"), msg.Body)
	var text, htmlPart, cal string
	var calType string
	for _, p := range parts {
		mt, params, _ := mime.ParseMediaType(p.contentType)
		switch mt {
		case "text/plain":
			text = p.body
		case "text/html":
			htmlPart = p.body
		case "text/calendar":
			cal, calType = p.body, p.contentType
			if params["method"] != "REQUEST" || !strings.EqualFold(params["charset"], "UTF-8") {
				t.Errorf("calendar part Content-Type %q, want method=REQUEST and charset=UTF-8", p.contentType)
			}
			if !strings.HasPrefix(p.disposition, "attachment") || !strings.Contains(p.disposition, "invite.ics") {
				t.Errorf("calendar part disposition %q", p.disposition)
			}
		default:
			t.Errorf("unexpected part %q", p.contentType)
		}
	}
	// Text travels with CRLF line ends (RFC 5322); a client shows them as line breaks.
	text = strings.ReplaceAll(text, "\r\n", "\n")
	htmlPart = strings.ReplaceAll(htmlPart, "\r\n", "\n")
	if text != e.Text {
		t.Errorf("text part differs from what was sent:\n%q\n%q", text, e.Text)
	}
	if htmlPart != e.HTML {
		t.Error("HTML part differs from what was sent")
	}
	f, _ := prepare(StepFollowUp, d)
	for _, w := range []string{"INV-2026-0117", "INV-2026-0142", f.total, f.meetWhen, formatNumber(d.Invoices[1].Balance, f.loc), d.OptOutURL} {
		if !strings.Contains(text, w) {
			t.Errorf("received text lacks %q", w)
		}
	}
	if calType == "" {
		t.Fatal("no text/calendar part")
	}
	if cal != string(inv) {
		t.Error("calendar part differs from the invitation sent")
	}
	parsed, err := ics.ParseCalendar(strings.NewReader(cal))
	if err != nil {
		t.Fatalf("parse received invitation: %v", err)
	}
	if ev := parsed.Events(); len(ev) != 1 || ev[0].Id() != "fu-42@settle.example" {
		t.Errorf("received invitation events: %v", ev)
	}
}

type part struct{ contentType, disposition, body string }

// readParts flattens a MIME tree into its leaf parts, decoding transfer encodings.
func readParts(t *testing.T, contentType string, body io.Reader) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		b, _ := io.ReadAll(body)
		return []part{{contentType: contentType, body: string(b)}}
	}
	var out []part
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		ct := p.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "multipart/") {
			out = append(out, readParts(t, ct, p)...)
			continue
		}
		var r io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
		case "base64":
			r = newBase64Reader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part %s: %v", ct, err)
		}
		out = append(out, part{contentType: ct, disposition: p.Header.Get("Content-Disposition"), body: string(b)})
	}
}

func newBase64Reader(r io.Reader) io.Reader {
	b, _ := io.ReadAll(r)
	clean := strings.NewReplacer("\r", "", "\n", "").Replace(string(b))
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(clean))
}

func TestSender_Errors(t *testing.T) {
	e, _, _ := followUpEmail(t)
	cases := []struct {
		name      string
		be        *backend
		url       string // %d is the port
		permanent bool
		code      int
		stage     string
	}{
		{"550 mailbox unavailable", &backend{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}},
			"smtp://127.0.0.1:%d?tls=none", true, 550, "rcpt_to"},
		{"451 try again", &backend{rcptErr: &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Greylisted"}},
			"smtp://127.0.0.1:%d?tls=none", false, 451, "rcpt_to"},
		{"554 rejected content", &backend{dataErr: &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Content rejected"}},
			"smtp://127.0.0.1:%d?tls=none", true, 554, "data"},
		{"452 full", &backend{dataErr: &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient storage"}},
			"smtp://127.0.0.1:%d?tls=none", false, 452, "data"},
		{"wrong password", &backend{user: "settle", pass: "right-one"},
			"smtp://settle:Wr0ng-Pa55w0rd@127.0.0.1:%d?tls=none", false, 535, "auth"},
		// MAIL without AUTH (go-smtp: 502 5.7.0 "Please authenticate first") is a
		// configuration error, not a bounce: retried.
		{"no credentials", &backend{user: "settle", pass: "right-one"},
			"smtp://127.0.0.1:%d?tls=none", false, 502, "auth"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port, _ := startServer(t, c.be, "none")
			s := newTestSender(t, fmt.Sprintf(c.url, port), nil)
			err := s.Send(context.Background(), e)
			if err == nil {
				t.Fatal("no error")
			}
			var se *SendError
			if !errors.As(err, &se) {
				t.Fatalf("%T is not a *SendError: %v", err, err)
			}
			if IsPermanent(err) != c.permanent || se.Code != c.code || se.Stage != c.stage {
				t.Errorf("permanent %v code %d stage %q, want %v %d %q (%v)", IsPermanent(err), se.Code, se.Stage, c.permanent, c.code, c.stage, err)
			}
			for _, secret := range []string{"Wr0ng-Pa55w0rd", "right-one"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), secret) {
					t.Errorf("error reveals a password: %v", err)
				}
			}
			if len(c.be.messages()) != 0 {
				t.Error("the server stored a message it refused")
			}
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		s := newTestSender(t, fmt.Sprintf("smtp://u:p4ss@127.0.0.1:%d?tls=none&timeout=2s", port), nil)
		err = s.Send(context.Background(), e)
		if err == nil || IsPermanent(err) {
			t.Fatalf("unreachable server: err = %v, permanent %v", err, IsPermanent(err))
		}
		var se *SendError
		if !errors.As(err, &se) || se.Stage != "connect" || se.Code != 0 {
			t.Errorf("err = %#v", err)
		}
		var ne net.Error
		if !errors.As(err, &ne) {
			t.Errorf("the network error is not wrapped: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		port, _ := startServer(t, &backend{}, "none")
		s := newTestSender(t, fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", port), nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := s.Send(ctx, e)
		if err == nil || IsPermanent(err) || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: err = %v", err)
		}
	})
	t.Run("starttls required", func(t *testing.T) {
		port, _ := startServer(t, &backend{}, "none") // offers no STARTTLS
		s := newTestSender(t, fmt.Sprintf("smtp://127.0.0.1:%d?tls=starttls", port), nil)
		err := s.Send(context.Background(), e)
		if err == nil || IsPermanent(err) || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("no STARTTLS on offer: err = %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		port, _ := startServer(t, &backend{}, "tls")
		s := newTestSender(t, fmt.Sprintf("smtps://127.0.0.1:%d", port), nil) // system roots only
		err := s.Send(context.Background(), e)
		if err == nil || IsPermanent(err) {
			t.Errorf("untrusted certificate: err = %v", err)
		}
	})
}

func TestSender_InvalidEmail(t *testing.T) {
	be := &backend{}
	port, _ := startServer(t, be, "none")
	s := newTestSender(t, fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", port), nil)
	good, _, _ := followUpEmail(t)
	cases := []struct {
		name   string
		mutate func(*Email)
		want   string
	}{
		{"no to", func(e *Email) { e.To = "" }, "To"},
		{"bad from", func(e *Email) { e.From = "nobody" }, "From"},
		{"no body", func(e *Email) { e.Text, e.HTML = "", "" }, "neither Text nor HTML"},
		{"no subject", func(e *Email) { e.Subject = " " }, "Subject is empty"},
		{"header injection", func(e *Email) { e.Headers = map[string]string{"X-Ref": "a\r\nBcc: evil@example.com"} }, "line break"},
		{"reserved header", func(e *Email) { e.Headers = map[string]string{"bcc": "evil@example.com"} }, "cannot be overridden"},
		{"bad header name", func(e *Email) { e.Headers = map[string]string{"X Ref": "1"} }, "not valid"},
		{"bad message id", func(e *Email) { e.MessageID = "no-at-sign" }, "MessageID"},
		{"bad attachment", func(e *Email) { e.Attachments = []Attachment{{Name: "../x", Data: []byte("x")}} }, "Attachments[0].Name"},
		{"bad content type", func(e *Email) { e.Attachments = []Attachment{{Name: "a.ics", ContentType: "text/", Data: []byte("x")}} }, "ContentType"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := good
			c.mutate(&e)
			err := s.Send(context.Background(), e)
			if err == nil || !IsPermanent(err) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v (permanent %v), want a permanent error naming %q", err, IsPermanent(err), c.want)
			}
		})
	}
	if n := len(be.messages()); n != 0 {
		t.Errorf("%d invalid messages reached the server", n)
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	if be.sessions != 0 {
		t.Errorf("%d connections for invalid messages; want none", be.sessions)
	}
}

func TestSender_TextOnlyAndGeneratedID(t *testing.T) {
	be := &backend{}
	port, _ := startServer(t, be, "none")
	s := newTestSender(t, fmt.Sprintf("smtp://localhost:%d?tls=none&helo=settle.test", port), nil)
	err := s.Send(context.Background(), Email{From: "a@example.com", To: "b@example.com, C <c@example.com>", Subject: "Hi", Text: "Plain body 1,234.50 USD\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := be.messages()[0]
	if strings.Join(got.to, ",") != "b@example.com,c@example.com" {
		t.Errorf("recipients %v", got.to)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	if id := msg.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("generated Message-Id %q", id)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestNewSender(t *testing.T) {
	ok := []struct {
		url, host, mode, user string
		port                  int
		timeout               time.Duration
	}{
		{"smtp://mail.example.com", "mail.example.com", "starttls", "", 587, 30 * time.Second},
		{"smtp://u:p@mail.example.com?tls=tls", "mail.example.com", "tls", "u", 465, 30 * time.Second},
		{"smtps://u:p@mail.example.com", "mail.example.com", "tls", "u", 465, 30 * time.Second},
		{"smtp://relay.internal:2525?tls=none&timeout=5s", "relay.internal", "none", "", 2525, 5 * time.Second},
		{"smtp://u:p%40ss@127.0.0.1:25?tls=none&auth=login", "127.0.0.1", "none", "u", 25, 30 * time.Second},
		{"SMTP://u@[::1]:1025?tls=none", "::1", "none", "u", 1025, 30 * time.Second},
	}
	for _, c := range ok {
		s, err := NewSender(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if s.host != c.host || s.mode != c.mode || s.user != c.user || s.port != c.port || s.timeout != c.timeout {
			t.Errorf("%s: host %q mode %q user %q port %d timeout %s", c.url, s.host, s.mode, s.user, s.port, s.timeout)
		}
		if strings.Contains(s.String(), ":p@") || strings.Contains(s.String(), "p%40ss") {
			t.Errorf("String() shows the password: %s", s)
		}
	}
	const pw = "Sup3rS3cret"
	bad := []struct{ url, want string }{
		{"", "empty"},
		{"mail.example.com:587", "is not smtp or smtps"},
		{"smtp://mail.example.com:abc", "not a valid URL (invalid port"},
		{"http://mail.example.com", `scheme "http"`},
		{"smtp://", "no host"},
		{"smtp://:" + pw + "@mail.example.com", "password but no user"},
		{"smtp://u:" + pw + "@mail.example.com:99999", `port "99999"`},
		{"smtp://u:" + pw + "@mail.example.com?tls=ssl", `tls="ssl"`},
		{"smtp://u:" + pw + "@mail.example.com?auth=ntlm", `auth="ntlm"`},
		{"smtp://u:" + pw + "@mail.example.com?timeout=soon", `timeout="soon"`},
		{"smtp://u:" + pw + "@mail.example.com?verify=no", `unknown parameter "verify"`},
		{"smtp://u:" + pw + "@mail.example.com/path", "path"},
		{"smtp://u:" + pw + "@mail.example.com?tls=none", "clear text"},
		{"smtp://u:" + pw + "/x@mail.example.com", "percent-encode"},
		{"smtp://u:" + pw + "#x@mail.example.com", "percent-encode"},
		{"smtp://u:12?" + pw + "@mail.example.com", "percent-encode"},
		{"smtp://u:" + pw + "%zz@mail.example.com", "percent-encode"},
		{"smtp://u:" + pw + " x@mail.example.com", "percent-encode"},
	}
	for _, c := range bad {
		_, err := NewSender(c.url)
		if err == nil {
			t.Errorf("%q: no error", c.url)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %q lacks %q", c.url, err, c.want)
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "S3cret") {
			t.Errorf("%q: error reveals the password: %v", c.url, err)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := map[int]time.Duration{-1: time.Minute, 0: time.Minute, 1: time.Minute, 2: 5 * time.Minute,
		3: 30 * time.Minute, 4: 2 * time.Hour, 5: 12 * time.Hour, 6: 12 * time.Hour, 100: 12 * time.Hour}
	for a, w := range want {
		if got := Backoff(a); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", a, got, w)
		}
	}
	for a := 1; a < 10; a++ {
		if Backoff(a+1) < Backoff(a) {
			t.Errorf("Backoff decreases at %d", a)
		}
	}
}
