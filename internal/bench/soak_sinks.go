package bench

import (
	"bufio"
	"encoding/json"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// The soak's receivers: an SMTP server that records every message the
// instances send, and an HTTP endpoint that records every webhook event.

// sunk is one message the SMTP sink accepted.
type sunk struct {
	MessageID string
	To        []string
	Subject   string
	At        time.Time
}

type smtpSink struct {
	mu   sync.Mutex
	msgs []sunk
	srv  *smtp.Server
	addr string
}

func startSMTPSink() (*smtpSink, error) {
	s := &smtpSink{}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 30 * time.Second
	s.srv.WriteTimeout = 30 * time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.addr = ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *smtpSink) Close() { _ = s.srv.Close() }

func (s *smtpSink) received() []sunk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sunk(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s  *smtpSink
	to []string
}

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

// Data records the message's Message-ID, recipients and subject (the
// headers; the body is read and dropped).
func (ss *sinkSession) Data(r io.Reader) error {
	br := bufio.NewReader(r)
	h, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return err
	}
	_, _ = io.Copy(io.Discard, br)
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		subject = h.Get("Subject")
	}
	m := sunk{MessageID: strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>"), To: ss.to, Subject: subject, At: time.Now()}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, m)
	ss.s.mu.Unlock()
	return nil
}

// hookEvent is one webhook POST the receiver accepted.
type hookEvent struct {
	EventID string
	Type    string
	At      time.Time
}

type hookSink struct {
	mu     sync.Mutex
	events []hookEvent
	srv    *http.Server
	url    string
}

func startHookSink() (*hookSink, error) {
	h := &hookSink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h.url = "http://" + ln.Addr().String() + "/hook"
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.srv.Serve(ln) }()
	return h, nil
}

func (h *hookSink) serve(w http.ResponseWriter, r *http.Request) {
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.events = append(h.events, hookEvent{EventID: ev.ID, Type: ev.Type, At: time.Now()})
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookSink) Close() { _ = h.srv.Close() }

func (h *hookSink) received() []hookEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookEvent(nil), h.events...)
}
