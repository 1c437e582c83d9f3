package notify

import (
	"strings"
	"testing"
)

// TestPayURL: an email with a pay-online link carries it, worded in the
// customer's language, in the text and the HTML part; an SMS and a letter
// (which cannot be clicked) do not; a relative or odd URL is refused.
func TestPayURL(t *testing.T) {
	const link = "https://pay.example.com/portal/tok.sig/pay"
	want := map[string]string{"en-US": "Pay online now: " + link, "de-DE": "Jetzt online bezahlen: " + link, "fr-FR": "Payer en ligne maintenant\u00a0: " + link}
	for locale, line := range want {
		d := stepData(t, StepOverdue, "direct", locale)
		d.PayURL = link
		r, err := Render(StepOverdue, d)
		if err != nil {
			t.Fatalf("%s: %v", locale, err)
		}
		if !strings.Contains(r.Text, line) {
			t.Errorf("%s: the text part lacks %q:\n%s", locale, line, r.Text)
		}
		if !strings.Contains(r.HTML, link) {
			t.Errorf("%s: the HTML part lacks the link", locale)
		}
		for _, ch := range []string{ChannelSMS, ChannelLetter} {
			d.Channel = ch
			r, err := Render(StepOverdue, d)
			if err != nil {
				t.Fatalf("%s %s: %v", locale, ch, err)
			}
			if strings.Contains(r.Text, link) {
				t.Errorf("%s: the %s carries the pay link", locale, ch)
			}
		}
	}
	d := stepData(t, StepOverdue, "direct", "en-US")
	d.PayURL = "/portal/x/pay"
	if _, err := Render(StepOverdue, d); err == nil || !strings.Contains(err.Error(), "PayURL") {
		t.Errorf("a relative pay URL: %v", err)
	}
}
