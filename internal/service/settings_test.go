package service_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/collect"
	"settle/internal/notify"
	"settle/internal/service"
	"settle/internal/store"
	"settle/internal/testutil"
)

func as(role string) context.Context {
	return service.WithActor(context.Background(), service.Actor{ID: "test:" + role, Role: role})
}

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Code != apperr.Invalid {
		t.Fatalf("want an Invalid error with fields, got %v", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestTokens_ListAndRevoke(t *testing.T) {
	svc, _, _ := newUserService(t)
	admin := testutil.Admin(context.Background())
	ciSecret, ci, err := svc.CreateToken(admin, service.RoleAgent, "ci")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateToken(admin, service.RoleViewer, "reports"); err != nil {
		t.Fatal(err)
	}
	list, next, err := svc.Tokens(admin, store.Page{})
	if err != nil || next != "" || len(list) != 2 {
		t.Fatalf("Tokens: %d, %q, %v", len(list), next, err)
	}
	if list[0].Name != "ci" || list[0].Role != "agent" || list[1].Name != "reports" || list[1].Role != "viewer" {
		t.Errorf("Tokens lists %+v", list)
	}
	for _, tok := range list {
		if tok.Hash != "" || tok.RevokedAt != nil {
			t.Errorf("listed token %s: hash %q, revoked %v", tok.Name, tok.Hash, tok.RevokedAt)
		}
	}

	// The token works (and is now cached); revoked, it stops at once.
	if a, err := svc.Authenticate(context.Background(), ciSecret); err != nil || a.Role != "agent" {
		t.Fatalf("Authenticate before revoking: %+v, %v", a, err)
	}
	for _, role := range []string{service.RoleAgent, service.RoleViewer} {
		if _, err := svc.RevokeToken(as(role), ci.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("RevokeToken as %s: %v, want forbidden", role, err)
		}
		if _, _, err := svc.Tokens(as(role), store.Page{}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("Tokens as %s: %v, want forbidden", role, err)
		}
	}
	tok, err := svc.RevokeToken(admin, ci.ID)
	if err != nil || tok.RevokedAt == nil || tok.Hash != "" {
		t.Fatalf("RevokeToken: %+v, %v", tok, err)
	}
	if _, err := svc.Authenticate(context.Background(), ciSecret); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("a revoked token still authenticates: %v", err)
	}
	if got := auditActions(t, svc, ci.ID); !slices.Equal(got, []string{"test:admin token.create", "test:admin token.revoke"}) {
		t.Errorf("audit %v", got)
	}
	if _, err := svc.RevokeToken(admin, "tok_nonesuch"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("revoking an unknown token: %v", err)
	}
}

// An admin cannot take their own admin role away or disable themselves;
// another admin can.
func TestUpdateUser_NotOneself(t *testing.T) {
	svc, st, _ := newUserService(t)
	admin := testutil.Admin(context.Background())
	ada, err := svc.CreateUser(admin, service.UserInput{Email: "ada@example.com", Role: "admin", Password: "long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	self := service.WithActor(context.Background(), service.Actor{ID: service.UserActorID(ada.ID), Role: "admin"})
	agent, disabled := "agent", true
	_, err = svc.UpdateUser(self, ada.ID, service.UserPatch{Role: &agent, Disabled: &disabled})
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"role", "disabled"}) {
		t.Errorf("fields %v", got)
	}
	if u := storedUser(t, st, ada.ID); u.Role != "admin" || u.Disabled {
		t.Errorf("refused change stored: %+v", u)
	}
	name := "Ada L."
	if u, err := svc.UpdateUser(self, ada.ID, service.UserPatch{Name: &name}); err != nil || u.Name != "Ada L." {
		t.Errorf("renaming oneself: %+v, %v", u, err)
	}
	if u, err := svc.UpdateUser(admin, ada.ID, service.UserPatch{Role: &agent, Disabled: &disabled}); err != nil || u.Role != "agent" || !u.Disabled {
		t.Errorf("another admin: %+v, %v", u, err)
	}
}

func TestPolicyInput_Validate(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	good := service.PolicyInput{Segment: "retail", MinRecovery: str("0.65"), MaxTermMonths: num(18)}
	if err := good.Validate(); err != nil {
		t.Errorf("a good policy: %v", err)
	}
	l := collect.DefaultLadder()
	l.Steps[2].Offset = -5 // before the due-today step
	l.Steps[3].Via = nil
	bad := service.PolicyInput{Segment: "retail", MinRecovery: str("1.5"), MaxTermMonths: num(0), MinInstallment: str("1,250.00"), Ladder: &l}
	got := fieldsOf(t, bad.Validate())
	want := []string{"min_recovery", "max_term_months", "min_installment", "ladder.steps[2].offset_days", "ladder.steps[3].channels"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
	// Create refuses what Validate refuses.
	svc, _, _ := newUserService(t)
	if _, err := svc.CreatePolicy(testutil.Admin(context.Background()), bad); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("CreatePolicy took a bad policy: %v", err)
	}
}

// Every template step renders in every tone, language and channel for the
// sample customer; the figures are the sample's, formatted per language.
func TestPreviewMessage_EveryCombination(t *testing.T) {
	svc, _, _ := newUserService(t)
	asOf := civil.New(2026, 6, 1)
	viewer := as(service.RoleViewer)
	n := 0
	for _, step := range notify.Steps {
		for _, tone := range []string{"direct", "indirect"} {
			for _, locale := range service.PreviewLocales {
				for _, channel := range service.PreviewChannels {
					in := service.PreviewInput{Step: step, Tone: tone, Locale: locale, Channel: channel}
					p, err := svc.PreviewMessage(viewer, in, asOf)
					if err != nil {
						t.Errorf("%+v: %v", in, err)
						continue
					}
					n++
					if p.Text == "" || (channel != "sms") != (p.Subject != "") || (channel == "email") != (p.HTML != "") {
						t.Errorf("%+v: subject %q, %d chars of text, %d of HTML", in, p.Subject, len(p.Text), len(p.HTML))
					}
					if channel == "sms" && utf8.RuneCountInString(p.Text) > notify.SMSMaxChars {
						t.Errorf("%+v: SMS of %d characters", in, utf8.RuneCountInString(p.Text))
					}
					if channel == "email" && !strings.Contains(p.HTML, "Müller &amp; Söhne") && locale == "de" {
						t.Errorf("%+v: the German sample customer is not in the HTML (escaped)", in)
					}
				}
				if step == notify.StepDueToday || step == notify.StepFinal || step == notify.StepFollowUp || step == notify.StepPlanDefaulted {
					pdf, err := svc.LetterPreview(viewer, service.PreviewInput{Step: step, Tone: tone, Locale: locale}, asOf)
					if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
						t.Errorf("letter %s %s %s: %d bytes, %v", step, tone, locale, len(pdf), err)
					}
				}
			}
		}
	}
	if n != 12*2*3*3 {
		t.Errorf("%d combinations rendered, want 216 (12 steps × 2 tones × 3 languages × 3 channels)", n)
	}

	// The overdue step is about two invoices, 1,234.50 and 480.00: 1,714.50
	// in all, in each language's format.
	for locale, total := range map[string]string{"en": "1,714.50 USD", "de": "1.714,50", "fr": "1 714,50"} {
		p, err := svc.PreviewMessage(viewer, service.PreviewInput{Step: "overdue", Tone: "direct", Locale: locale, Channel: "email"}, asOf)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.ReplaceAll(p.Text, "\u202f", " "), total) && !strings.Contains(strings.ReplaceAll(p.Text, "\u00a0", " "), total) {
			t.Errorf("%s: the total %s is not in:\n%s", locale, total, p.Text)
		}
	}

	_, err := svc.PreviewMessage(viewer, service.PreviewInput{Step: "call", Tone: "loud", Locale: "it", Channel: "fax"}, asOf)
	if got := fieldsOf(t, err); !slices.Equal(got, []string{"step", "tone", "locale", "channel"}) {
		t.Errorf("fields %v", got)
	}
	if _, err := svc.PreviewMessage(context.Background(), service.PreviewInput{Step: "overdue", Tone: "direct", Locale: "en", Channel: "sms"}, asOf); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("anonymous preview: %v", err)
	}
}
