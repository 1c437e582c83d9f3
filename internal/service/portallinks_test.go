package service_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

var shortLinkURL = regexp.MustCompile(`^https://pay\.example\.com/p/([0-9A-Za-z]{16})$`)

// shortCode is the code of a short link URL.
func shortCode(t *testing.T, link string) string {
	t.Helper()
	m := shortLinkURL.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("link %q is not https://pay.example.com/p/ and 16 base62 characters", link)
	}
	return m[1]
}

// A reminder's short portal link: one per customer per day (a day's
// messages share it), another customer's differs, it opens its own
// customer's portal only, until 30 days after it was made, and unknown,
// malformed and expired codes are refused with a PortalLinkError (never
// another error). On both engines.
func TestPortalShortLink(t *testing.T) {
	for name, open := range map[string]func(*testing.T, func() time.Time) store.Store{
		"sqlite": testutil.SQLiteAt, "postgres": testutil.PostgresAt,
	} {
		t.Run(name, func(t *testing.T) {
			made := time.Date(2026, 12, 6, 9, 15, 30, 0, time.UTC)
			clock := &testClock{now: made}
			st := open(t, clock.Now)
			svc := service.New(st, clock.Now)
			svc.PortalURL = "https://pay.example.com/"
			admin := testutil.Admin(context.Background())
			ctx := context.Background()
			for _, ref := range []string{"A", "B"} {
				if _, err := svc.CreateCustomer(admin, service.CustomerInput{ExternalRef: ref, Name: "Customer " + ref}); err != nil {
					t.Fatal(err)
				}
			}
			a, err := svc.Customer(admin, "A")
			if err != nil {
				t.Fatal(err)
			}
			b, err := svc.Customer(admin, "B")
			if err != nil {
				t.Fatal(err)
			}

			first, err := svc.PortalLinkForTest(ctx, a.ID, made)
			if err != nil {
				t.Fatal(err)
			}
			code := shortCode(t, first)
			// Later the same day (UTC): the same link, not a new code per message.
			later, err := svc.PortalLinkForTest(ctx, a.ID, time.Date(2026, 12, 6, 23, 59, 59, 0, time.UTC))
			if err != nil || later != first {
				t.Errorf("later the same day: %q, %v; want %q", later, err, first)
			}
			other, err := svc.PortalLinkForTest(ctx, b.ID, made)
			if err != nil || shortCode(t, other) == code {
				t.Errorf("customer B's link %q (%v) equals A's %q", other, err, first)
			}
			next, err := svc.PortalLinkForTest(ctx, a.ID, made.Add(24*time.Hour))
			if err != nil || shortCode(t, next) == code {
				t.Errorf("next day's link %q (%v), want a new code", next, err)
			}

			// It opens A's whole portal (no scope), until its own expiry.
			token, err := svc.OpenPortalShortLink(ctx, code)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			sess, err := svc.VerifyPortalToken(ctx, token)
			if err != nil {
				t.Fatalf("verify the minted token: %v", err)
			}
			wantExp := time.Date(2027, 1, 5, 9, 15, 30, 0, time.UTC) // made + 30 days
			if sess.CustomerID() != a.ID || sess.Scope() != "" || !sess.ExpiresAt().Equal(wantExp) {
				t.Errorf("session: customer %s scope %q expires %v; want %s, whole portal, %v", sess.CustomerID(), sess.Scope(), sess.ExpiresAt(), a.ID, wantExp)
			}
			tokB, err := svc.OpenPortalShortLink(ctx, shortCode(t, other))
			if err != nil {
				t.Fatal(err)
			}
			if sb, err := svc.VerifyPortalToken(ctx, tokB); err != nil || sb.CustomerID() != b.ID {
				t.Errorf("B's link opens %v (%v), want %s", sb, err, b.ID)
			}

			refused := func(what, code string, expired bool) {
				t.Helper()
				_, err := svc.OpenPortalShortLink(ctx, code)
				var le *service.PortalLinkError
				if !errors.As(err, &le) || le.Expired != expired {
					t.Errorf("%s %q: %v, want a PortalLinkError (expired %v)", what, code, err, expired)
				}
			}
			unknown := []byte(code)
			unknown[0] ^= 1 // '0'↔'1', 'A'↔'@'… keep it in the alphabet
			if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", rune(unknown[0])) {
				unknown[0] = 'z'
				if code[0] == 'z' {
					unknown[0] = 'y'
				}
			}
			refused("unknown", string(unknown), false)
			for _, bad := range []string{"", "abc", code + "x", code[:15], code[:15] + "-", code[:15] + "é", strings.ToUpper(code) + "%00"} {
				if bad == code {
					continue
				}
				refused("malformed", bad, false)
			}

			// One second before the expiry it opens; at the expiry it is expired.
			clock.Advance(wantExp.Sub(made) - time.Second)
			if _, err := svc.OpenPortalShortLink(ctx, code); err != nil {
				t.Errorf("a second before expiry: %v", err)
			}
			clock.Advance(time.Second)
			refused("expired", code, true)
			// The next day's link lives a day longer.
			if _, err := svc.OpenPortalShortLink(ctx, shortCode(t, next)); err != nil {
				t.Errorf("the next day's link at the first one's expiry: %v", err)
			}
		})
	}
}

// Without a portal address there is no link, and nothing is stored.
func TestPortalShortLink_NoPortalAddress(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	admin := testutil.Admin(context.Background())
	c, err := svc.CreateCustomer(admin, service.CustomerInput{ExternalRef: "A", Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := svc.PortalLinkForTest(context.Background(), c.ID, testutil.Clock())
	if err != nil || link != "" {
		t.Errorf("link %q, %v; want none", link, err)
	}
}

// reminderExtras gives a reminder the portal link, the bank details and
// contact, and the customer's reference when the message has none; a plan
// reference given is kept. The reminder then renders them.
func TestReminderExtras(t *testing.T) {
	st := testutil.SQLite(t)
	svc := service.New(st, testutil.Clock)
	svc.PortalURL = "https://pay.example.com"
	svc.Creditor = "Northwind Supplies Ltd"
	svc.BankAccount = "IBAN GB33 BUKB 2020 1555 5555 55, BIC BUKBGB22"
	svc.CreditorContact = &notify.CreditorContact{Phone: "+44 117 496 0123", Email: "accounts@northwind.example"}
	admin := testutil.Admin(context.Background())
	withRef, err := svc.CreateCustomer(admin, service.CustomerInput{ExternalRef: "ACME-7", Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	now := testutil.Clock()
	cases := []struct {
		name    string
		cust    *ledger.Customer
		planRef string
		wantRef string
	}{
		{"customer reference", withRef, "", "ACME-7"},
		{"plan reference kept", withRef, "PLN-4K2M", "PLN-4K2M"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := notify.MessageData{Creditor: svc.Creditor, CustomerName: c.cust.Name, Locale: "en-GB", Tone: notify.ToneDirect,
				Channel: notify.ChannelEmail, AsOf: mustDate(t, "2026-06-01"), OptOutURL: "https://pay.example.com/optout",
				PayReference: c.planRef}
			if err := svc.ReminderExtrasForTest(context.Background(), c.cust, now, &d); err != nil {
				t.Fatal(err)
			}
			shortCode(t, d.PortalURL)
			if d.PayReference != c.wantRef {
				t.Errorf("PayReference %q, want %q", d.PayReference, c.wantRef)
			}
			if d.Bank == nil || d.Bank.AccountHolder != "Northwind Supplies Ltd" || len(d.Bank.Lines) != 1 || d.Bank.Lines[0] != svc.BankAccount {
				t.Errorf("Bank %+v", d.Bank)
			}
			d.Invoices = []notify.InvoiceLine{{Number: "INV-1", DueDate: mustDate(t, "2026-05-20"), Amount: gbp(t, "120.00"),
				Balance: gbp(t, "120.00"), DaysOverdue: 12}}
			d.Total = d.Invoices[0].Balance
			r, err := notify.Render(notify.StepOverdue, d)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{d.PortalURL, "IBAN GB33 BUKB 2020 1555 5555 55, BIC BUKBGB22", "quote the payment reference " + c.wantRef,
				"accounts@northwind.example"} {
				if !strings.Contains(r.Text, w) {
					t.Errorf("reminder text lacks %q:\n%s", w, r.Text)
				}
			}
		})
	}
	// A customer without an external reference quotes their id.
	bare := &ledger.Customer{ID: "cus_01TESTNOREF", Name: "Bare"}
	d := notify.MessageData{}
	svc.PortalURL = "" // no link, so the unknown customer is not written
	if err := svc.ReminderExtrasForTest(context.Background(), bare, now, &d); err != nil {
		t.Fatal(err)
	}
	if d.PayReference != bare.ID || d.PortalURL != "" {
		t.Errorf("customer without a reference: PayReference %q, PortalURL %q", d.PayReference, d.PortalURL)
	}
}

func gbp(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s, "GBP")
	if err != nil {
		t.Fatal(err)
	}
	return a
}
