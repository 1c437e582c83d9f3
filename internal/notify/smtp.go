package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Email is one message to send. Text and HTML are the two alternatives of the body (at
// least one); attachments follow them, e.g. an .ics invitation (ContentType
// "text/calendar; charset=UTF-8; method=REQUEST", see InviteAttachment).
type Email struct {
	From, To, ReplyTo string // addresses, "Name <addr@example.com>" or bare; To may list several, comma-separated
	Subject           string
	Text, HTML        string
	Attachments       []Attachment
	Headers           map[string]string // extra headers, e.g. List-Unsubscribe; not From/To/Subject/Date/MIME headers
	MessageID         string            // "<id@domain>" or "id@domain"; empty: a random one
}

// Attachment is a file attached to an Email. An empty ContentType is guessed from the
// name's extension.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// InviteAttachment wraps an iCalendar request (from Invite) as the attachment calendar
// clients recognise as an invitation.
func InviteAttachment(ics []byte) Attachment {
	return Attachment{Name: "invite.ics", ContentType: "text/calendar; charset=UTF-8; method=REQUEST", Data: ics}
}

// Sender sends email through one SMTP server (submission). It is safe for concurrent
// use: every Send opens its own connection.
type Sender struct {
	host     string
	port     int
	user     string
	pass     string
	mode     string // tls mode: none, starttls or tls
	auth     mail.SMTPAuthType
	timeout  time.Duration
	helo     string
	redacted string         // the URL with the password replaced, for String
	rootCAs  *x509.CertPool // nil: the system roots (tests trust their own CA)
}

// SMTP URL query parameters and their defaults.
const (
	defaultSMTPTimeout = 30 * time.Second
	smtpURLHelp        = "want smtp://[user:password@]host[:port][?tls=none|starttls|tls&auth=plain|login|cram-md5|scram-sha-256|auto&timeout=30s&helo=name]"
)

// NewSender reads the server from a URL (the SETTLE_SMTP_URL setting):
//
//	smtp://user:password@host:port?tls=starttls
//
// tls is none (plain SMTP, for a relay on the same host or in tests), starttls (the
// default: the connection must upgrade with STARTTLS) or tls (implicit TLS, "SMTPS";
// the scheme smtps:// means the same). The port defaults to 25, 587 and 465
// respectively. User and password are optional; percent-encode special characters in
// them (@ : / % ?). auth selects the SASL mechanism (default plain; auto lets go-mail
// choose the strongest the server offers); timeout (default 30s) bounds connecting
// and each command; helo sets the EHLO name (default: this host's name).
//
// A password is refused with tls=none unless the server is on the loopback interface,
// so it is never sent in clear over a network. Errors name the part of the URL that
// is wrong and never contain the password.
func NewSender(rawURL string) (*Sender, error) {
	fail := func(format string, args ...any) (*Sender, error) {
		return nil, fmt.Errorf("notify: SMTP URL: "+format, args...)
	}
	if strings.TrimSpace(rawURL) == "" {
		return fail("empty; %s", smtpURLHelp)
	}
	const encodeHint = "percent-encode special characters such as @ : / %% ? # in the user and password"
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Parse errors quote parts of the input; with credentials in it, that could be
		// the password, so only URLs without user information get the details.
		if strings.Contains(rawURL, "@") {
			return fail("not a valid URL; "+encodeHint+"; %s", smtpURLHelp)
		}
		detail := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			detail = ue.Err.Error()
		}
		return fail("not a valid URL (%s); %s", detail, smtpURLHelp)
	}
	// An '@' anywhere but between the user information and the host means an unencoded
	// character in the password moved part of it into the host, path, query or fragment.
	if strings.Contains(rawURL, "@") && (u.User == nil || strings.Contains(u.Host+u.Path+u.RawQuery+u.Fragment+u.Opaque, "@")) {
		return fail(encodeHint)
	}
	s := &Sender{redacted: u.Redacted(), timeout: defaultSMTPTimeout}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		s.mode = "starttls"
	case "smtps":
		s.mode = "tls"
	case "":
		return fail("%q has no scheme; %s", s.redacted, smtpURLHelp)
	default:
		return fail("scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return fail("%q has a path or fragment; %s", s.redacted, smtpURLHelp)
	}
	s.host = u.Hostname()
	if s.host == "" {
		return fail("%q has no host", s.redacted)
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return fail("%q has a password but no user", s.redacted)
		}
	}
	q := u.Query()
	for k := range q {
		switch k {
		case "tls", "auth", "timeout", "helo":
		default:
			return fail("unknown parameter %q; %s", k, smtpURLHelp)
		}
	}
	switch v := strings.ToLower(q.Get("tls")); v {
	case "":
	case "none", "starttls", "tls":
		s.mode = v
	default:
		return fail("tls=%q is not none, starttls or tls", q.Get("tls"))
	}
	s.port = map[string]int{"none": 25, "starttls": 587, "tls": 465}[s.mode]
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fail("port %q is not a number from 1 to 65535", p)
		}
		s.port = n
	}
	s.auth = mail.SMTPAuthPlain
	switch v := strings.ToLower(q.Get("auth")); v {
	case "", "plain":
	case "login":
		s.auth = mail.SMTPAuthLogin
	case "cram-md5":
		s.auth = mail.SMTPAuthCramMD5
	case "scram-sha-256":
		s.auth = mail.SMTPAuthSCRAMSHA256
	case "auto":
		s.auth = mail.SMTPAuthAutoDiscover
	default:
		return fail("auth=%q is not plain, login, cram-md5, scram-sha-256 or auto", q.Get("auth"))
	}
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fail("timeout=%q is not a positive duration such as 30s", v)
		}
		s.timeout = d
	}
	s.helo = q.Get("helo")
	if s.pass != "" && s.mode == "none" && !isLoopback(s.host) {
		return fail("tls=none would send the password in clear text to %s; use tls=starttls or tls=tls", s.host)
	}
	return s, nil
}

// String is the server URL with the password masked, for logs.
func (s *Sender) String() string { return s.redacted }

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SendError is why a Send failed. Permanent errors will fail again (the server refused
// the sender, a recipient or the message with a 5xx reply — a bounce — or the Email
// itself is invalid): the outbox marks the message failed. Temporary ones (4xx
// replies, network errors, timeouts, TLS and authentication problems) are retried
// after Backoff. Authentication and connection-level failures count as temporary even
// with a 5xx code: they say nothing about this message, and marking every queued
// message bounced because of a wrong password would lose them.
type SendError struct {
	Permanent bool
	Code      int    // SMTP reply code, e.g. 550 or 451; 0 when the server gave none
	Stage     string // message, connect, auth, mail_from, rcpt_to, data
	msg       string // description with the password masked
	err       error
}

func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return "notify: send email (" + e.Stage + ", " + kind + "): " + e.msg
}

func (e *SendError) Unwrap() error { return e.err }

// IsPermanent reports whether err (from Send) will fail again however often it is
// retried. Any error that is not a SendError counts as temporary.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// Backoff is how long the outbox waits before attempt number attempt+1, after attempt
// failed with a temporary error: 1m, 5m, 30m, 2h, then 12h for every later attempt.
// attempt counts from 1; values below 1 are treated as 1. The schedule has no jitter;
// an outbox sending many messages may add some.
func Backoff(attempt int) time.Duration {
	schedule := [...]time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 12 * time.Hour}
	switch {
	case attempt < 1:
		attempt = 1
	case attempt > len(schedule):
		attempt = len(schedule)
	}
	return schedule[attempt-1]
}

// reservedHeaders are set by Send itself and may not come through Email.Headers.
var reservedHeaders = []string{"From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-Id",
	"Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Sender", "Return-Path"}

// Send delivers e in one attempt: one connection, one transaction. It does not retry;
// see SendError and Backoff. The context bounds the whole attempt.
func (s *Sender) Send(ctx context.Context, e Email) error {
	msg, err := s.message(e)
	if err != nil {
		return &SendError{Permanent: true, Stage: "message", msg: err.Error(), err: err}
	}
	client, err := mail.NewClient(s.host, s.options()...)
	if err != nil {
		return s.classify(err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return s.classify(err)
	}
	return nil
}

func (s *Sender) options() []mail.Option {
	opts := []mail.Option{mail.WithPort(s.port), mail.WithTimeout(s.timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12, RootCAs: s.rootCAs})}
	switch s.mode {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "starttls":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case "tls":
		opts = append(opts, mail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, mail.WithSMTPAuth(s.auth), mail.WithUsername(s.user), mail.WithPassword(s.pass))
	}
	if s.helo != "" {
		opts = append(opts, mail.WithHELO(s.helo))
	}
	return opts
}

// message checks e and builds the MIME message: multipart/alternative (text, HTML)
// inside multipart/mixed when there are attachments.
func (s *Sender) message(e Email) (*mail.Msg, error) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if _, err := netmail.ParseAddress(e.From); err != nil {
		bad("From %q is not an email address", e.From)
	}
	to, err := netmail.ParseAddressList(e.To)
	if err != nil || len(to) == 0 {
		bad("To %q is not a list of email addresses", e.To)
	}
	if e.ReplyTo != "" {
		if _, err := netmail.ParseAddress(e.ReplyTo); err != nil {
			bad("ReplyTo %q is not an email address", e.ReplyTo)
		}
	}
	if strings.TrimSpace(e.Subject) == "" {
		bad("Subject is empty")
	}
	if strings.ContainsAny(e.Subject, "\r\n") {
		bad("Subject contains a line break")
	}
	if e.Text == "" && e.HTML == "" {
		bad("neither Text nor HTML is set")
	}
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(e.MessageID), "<"), ">")
	if id != "" && (!strings.Contains(id, "@") || strings.ContainsAny(id, " \t\r\n<>")) {
		bad("MessageID %q is not of the form id@domain", e.MessageID)
	}
	keys := make([]string, 0, len(e.Headers))
	for k := range e.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := e.Headers[k]
		switch {
		case !validHeaderName(k):
			bad("header name %q is not valid", k)
		case slices.Contains(reservedHeaders, textproto.CanonicalMIMEHeaderKey(k)):
			bad("header %s is set by the sender and cannot be overridden", k)
		case strings.ContainsAny(v, "\r\n"):
			bad("header %s contains a line break", k)
		}
	}
	for i, a := range e.Attachments {
		if strings.TrimSpace(a.Name) == "" || strings.ContainsAny(a.Name, "\r\n\"/\\") {
			bad("Attachments[%d].Name %q is empty or contains line breaks, quotes or slashes", i, a.Name)
		}
		if a.ContentType != "" {
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil || strings.ContainsAny(a.ContentType, "\r\n") {
				bad("Attachments[%d].ContentType %q is not a media type", i, a.ContentType)
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}

	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(e.From); err != nil {
		return nil, fmt.Errorf("sender address: %w", err)
	}
	m.ToMailAddress(to...)
	if e.ReplyTo != "" {
		if err := m.ReplyTo(e.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to address: %w", err)
		}
	}
	m.Subject(e.Subject)
	m.SetDate()
	if id != "" {
		m.SetMessageIDWithValue(id)
	} else {
		m.SetMessageID()
	}
	m.SetUserAgent("settle")
	for _, k := range keys {
		m.SetGenHeader(mail.Header(textproto.CanonicalMIMEHeaderKey(k)), e.Headers[k])
	}
	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBodyString(mail.TypeTextPlain, e.Text)
		m.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	case e.Text != "":
		m.SetBodyString(mail.TypeTextPlain, e.Text)
	default:
		m.SetBodyString(mail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		ct := a.ContentType
		if ct == "" {
			if ct = mime.TypeByExtension(filepath.Ext(a.Name)); ct == "" {
				ct = "application/octet-stream"
			}
		}
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(ct))); err != nil {
			return nil, fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	}
	return m, nil
}

// validHeaderName reports whether k is an RFC 5322 field name (printable ASCII, no colon).
func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 33 || k[i] > 126 || k[i] == ':' {
			return false
		}
	}
	return true
}

// classify turns a go-mail error into a SendError (see there for the rules).
func (s *Sender) classify(err error) error {
	se := &SendError{Stage: "connect", err: err, msg: s.redact(err.Error())}
	var me *mail.SendError
	var te *textproto.Error
	switch {
	case errors.As(err, &me):
		se.Code = me.ErrorCode()
		switch me.Reason {
		case mail.ErrSMTPMailFrom:
			se.Stage = "mail_from"
		case mail.ErrSMTPRcptTo:
			se.Stage = "rcpt_to"
		case mail.ErrSMTPData, mail.ErrSMTPDataClose, mail.ErrWriteContent:
			se.Stage = "data"
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			se.Stage = "message"
			se.Permanent = true
		default:
			se.Stage = "send"
		}
		if se.Code >= 500 && se.Code < 600 {
			se.Permanent = true
		}
	case errors.As(err, &te):
		se.Code = te.Code
	}
	if se.Stage == "connect" && strings.Contains(err.Error(), "AUTH") {
		se.Stage = "auth"
	}
	// 530 and 535 (RFC 4954) and any refusal that asks us to authenticate are about our
	// configuration, not this message.
	if se.Code == 530 || se.Code == 535 || (se.Code >= 500 && strings.Contains(strings.ToLower(err.Error()), "authenticat")) {
		se.Stage = "auth"
		se.Permanent = false
	}
	return se
}

// redact masks the password in text, in the forms it could take on the wire or in a URL.
func (s *Sender) redact(text string) string {
	if s.pass == "" {
		return text
	}
	forms := []string{s.pass, url.QueryEscape(s.pass), url.PathEscape(s.pass),
		base64.StdEncoding.EncodeToString([]byte("\x00" + s.user + "\x00" + s.pass)),
		base64.StdEncoding.EncodeToString([]byte(s.pass))}
	for _, f := range forms {
		if f != "" {
			text = strings.ReplaceAll(text, f, "xxxxx")
		}
	}
	return text
}
