package notify

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
)

// mimeNode is one part of a parsed message: its media type and either its
// children (multipart) or its decoded body.
type mimeNode struct {
	mediaType string
	children  []mimeNode
	body      string
}

// shape writes the tree as "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]".
func (n mimeNode) shape() string {
	if len(n.children) == 0 {
		return n.mediaType
	}
	parts := make([]string, len(n.children))
	for i, c := range n.children {
		parts[i] = c.shape()
	}
	return n.mediaType + "[" + strings.Join(parts, ",") + "]"
}

// parseMIME reads a message's MIME tree with the standard library only (net/mail,
// mime/multipart), as a mail client would.
func parseMIME(t *testing.T, contentType, transferEncoding string, body io.Reader) mimeNode {
	t.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatalf("Content-Type %q: %v", contentType, err)
	}
	n := mimeNode{mediaType: mt}
	if !strings.HasPrefix(mt, "multipart/") {
		var r io.Reader = body
		switch strings.ToLower(transferEncoding) {
		case "quoted-printable":
			r = quotedprintable.NewReader(body)
		case "base64":
			r = newBase64Reader(body)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read %s: %v", mt, err)
		}
		n.body = strings.ReplaceAll(string(b), "\r\n", "\n")
		return n
	}
	if params["boundary"] == "" {
		t.Fatalf("%s without a boundary", mt)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("next part of %s: %v", mt, err)
		}
		n.children = append(n.children, parseMIME(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p))
	}
}

// TestSender_MIMEStructure: an email with text and HTML goes out as
// multipart/alternative with the plain text first and the HTML last (RFC 2046
// §5.1.4: the last alternative is the preferred one), inside multipart/mixed when
// there are attachments; one body alone is a single part. Parsed from the bytes the
// sender would transmit.
func TestSender_MIMEStructure(t *testing.T) {
	s, err := NewSender("smtp://localhost:2525?tls=none")
	if err != nil {
		t.Fatal(err)
	}
	d := withHowToPay(stepData(t, StepOverdue, ToneDirect, "de"))
	r, err := Render(StepOverdue, d)
	if err != nil {
		t.Fatal(err)
	}
	pdf := Attachment{Name: "mahnung.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 test")}
	cases := []struct {
		name        string
		text, html  string
		attachments []Attachment
		want        string
	}{
		{"text and HTML", r.Text, r.HTML, nil, "multipart/alternative[text/plain,text/html]"},
		{"text, HTML and a PDF", r.Text, r.HTML, []Attachment{pdf}, "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf]"},
		{"text only", r.Text, "", nil, "text/plain"},
		{"HTML only", "", r.HTML, nil, "text/html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := s.message(Email{From: "Nordwind <forderungen@nordwind.example>", To: "buchhaltung@mueller.example",
				Subject: r.Subject, Text: c.text, HTML: c.html, Attachments: c.attachments})
			if err != nil {
				t.Fatal(err)
			}
			var raw bytes.Buffer
			if _, err := m.WriteTo(&raw); err != nil {
				t.Fatal(err)
			}
			msg, err := netmail.ReadMessage(&raw)
			if err != nil {
				t.Fatal(err)
			}
			if v := msg.Header.Get("Mime-Version"); v != "1.0" {
				t.Errorf("MIME-Version %q", v)
			}
			tree := parseMIME(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
			if got := tree.shape(); got != c.want {
				t.Fatalf("structure %s, want %s", got, c.want)
			}
			// The bodies arrive as sent, whatever transfer encoding carried them.
			var leaves []mimeNode
			var walk func(mimeNode)
			walk = func(n mimeNode) {
				if len(n.children) == 0 {
					leaves = append(leaves, n)
				}
				for _, ch := range n.children {
					walk(ch)
				}
			}
			walk(tree)
			for _, l := range leaves {
				switch l.mediaType {
				case "text/plain":
					if l.body != c.text {
						t.Errorf("text part differs from what was sent")
					}
				case "text/html":
					if l.body != c.html {
						t.Errorf("HTML part differs from what was sent")
					}
				case "application/pdf":
					if l.body != string(pdf.Data) {
						t.Errorf("PDF part %q", l.body)
					}
				}
			}
		})
	}
}
