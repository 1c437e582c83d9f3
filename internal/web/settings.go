package web

import (
	"errors"
	"net/http"
	"strings"

	"settle/internal/apperr"
	"settle/internal/service"
)

// Settings: the negotiation policies and collections ladder of each
// segment, the message templates (previewed for a sample customer), and
// — for administrators only — the staff users, the API tokens and the
// webhooks. Agents and viewers may read the policies and preview the
// templates; the other pages answer them 403 and are not in their
// sub-navigation. Every form posts with the session's CSRF token, is
// checked on the server and answers a bad value with 422 and the message
// beside its field.

// settingsRoutes registers the section's pages.
func (s *Server) settingsRoutes() {
	m := s.mux
	m.HandleFunc("GET /settings", s.user(s.settingsHub))

	m.HandleFunc("GET /settings/policies", s.user(s.policiesPage))
	m.HandleFunc("GET /settings/policies/new", s.user(s.adminOnly(s.newPolicyPage)))
	m.HandleFunc("POST /settings/policies", s.user(s.adminOnly(s.savePolicy)))
	m.HandleFunc("GET /settings/policies/{id}", s.user(s.policyPage))
	m.HandleFunc("POST /settings/policies/{id}", s.user(s.adminOnly(s.savePolicy)))

	m.HandleFunc("GET /settings/templates", s.user(s.templatesPage))
	m.HandleFunc("GET /settings/templates/email", s.user(s.templateEmailHTML))
	m.HandleFunc("GET /settings/templates/letter.pdf", s.user(s.templateLetterPDF))

	m.HandleFunc("GET /settings/organisation", s.user(s.adminOnly(s.organisationPage)))
	m.HandleFunc("POST /settings/organisation", s.user(s.adminOnly(s.saveOrganisation)))

	m.HandleFunc("GET /settings/users", s.user(s.adminOnly(s.usersPage)))
	m.HandleFunc("POST /settings/users", s.user(s.adminOnly(s.createUser)))
	m.HandleFunc("POST /settings/users/{id}", s.user(s.adminOnly(s.updateUser)))

	m.HandleFunc("GET /settings/tokens", s.user(s.adminOnly(s.tokensPage)))
	m.HandleFunc("POST /settings/tokens", s.user(s.adminOnly(s.createToken)))
	m.HandleFunc("GET /settings/tokens/{id}/revoke", s.user(s.adminOnly(s.confirmRevokeToken)))
	m.HandleFunc("POST /settings/tokens/{id}/revoke", s.user(s.adminOnly(s.revokeToken)))

	m.HandleFunc("GET /settings/webhooks", s.user(s.adminOnly(s.webhooksPage)))
	m.HandleFunc("POST /settings/webhooks", s.user(s.adminOnly(s.createWebhook)))
	m.HandleFunc("GET /settings/webhooks/{id}", s.user(s.adminOnly(s.webhookPage)))
	m.HandleFunc("POST /settings/webhooks/{id}", s.user(s.adminOnly(s.toggleWebhook)))
}

type staffHandler = func(http.ResponseWriter, *http.Request, *service.SignedIn)

// adminOnly answers 403 to anyone but an administrator (the service
// refuses them too; this says so before any work is done).
func (s *Server) adminOnly(h staffHandler) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
		if u.Actor.Role != service.RoleAdmin {
			s.errorPage(w, r, http.StatusForbidden, "Only administrators can do this. Ask an administrator if you need a change here.")
			return
		}
		h(w, r, u)
	}
}

// settingsSections are the sub-pages, in the sub-navigation's order.
var settingsSections = []struct {
	Key, Label, Path, About string
	AdminOnly               bool
}{
	{"policies", "Policies", "/settings/policies", "Negotiation limits and the collections ladder of each customer segment.", false},
	{"templates", "Templates", "/settings/templates", "Every message of the ladder, in each tone, language and channel, for a sample customer.", false},
	{"organisation", "Organisation", "/settings/organisation", "Your legal name, address, registration, contact and bank account, as letters, agreements and the portal show them.", true},
	{"users", "Users", "/settings/users", "Staff who sign in here: their roles, and who may sign in.", true},
	{"tokens", "API tokens", "/settings/tokens", "Bearer tokens for programs that use the API.", true},
	{"webhooks", "Webhooks", "/settings/webhooks", "Addresses that are told about events, and their recent deliveries.", true},
}

type subNavItem struct {
	Key, Label, Path, About string
	Current                 bool
}

// settingsView is what every settings page gets: the sub-navigation (only
// the sections the user may open), which page it is, and its data.
type settingsView struct {
	Page   string // hub, policies, policy, templates, users, tokens, token-created, token-revoke, webhooks, webhook, webhook-created
	Nav    []subNavItem
	Admin  bool
	Alert  string // a problem that belongs to no field
	Notice string // what the last action did
	Data   any
}

func newSettingsView(u *service.SignedIn, page, section string, data any) *settingsView {
	v := &settingsView{Page: page, Admin: u.Actor.Role == service.RoleAdmin, Data: data}
	for _, it := range settingsSections {
		if it.AdminOnly && !v.Admin {
			continue
		}
		v.Nav = append(v.Nav, subNavItem{Key: it.Key, Label: it.Label, Path: it.Path, About: it.About, Current: it.Key == section})
	}
	return v
}

// renderSettings renders a settings page.
func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, u *service.SignedIn, status int, title string, v *settingsView) {
	s.render(w, r, status, "settings", "", pageFor(u, title+" · Settings", "settings", v))
}

// settingsHub lists the sections the user may open.
func (s *Server) settingsHub(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	s.renderSettings(w, r, u, http.StatusOK, "Overview", newSettingsView(u, "hub", "", nil))
}

// settingsFormErrors maps a service error's fields to form fields (through name,
// when given); ok is false for an error that names no field.
func settingsFormErrors(err error, name func(string) string) (map[string]string, *apperr.Error, bool) {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return nil, ae, false
	}
	out := map[string]string{}
	for _, f := range ae.Fields {
		k := f.Field
		if name != nil {
			k = name(k)
		}
		if _, dup := out[k]; !dup {
			out[k] = sentence(f.Message) + "."
		} else {
			out[k] = strings.TrimSuffix(out[k], ".") + "; " + f.Message + "."
		}
	}
	return out, ae, true
}

// actionStatus is the status of a refused action that names no field.
func actionStatus(ae *apperr.Error) (int, bool) {
	if ae == nil {
		return 0, false
	}
	switch ae.Code {
	case apperr.Conflict, apperr.NotFound, apperr.Forbidden, apperr.Invalid:
		return statusOf(ae.Code), true
	}
	return 0, false
}

func init() {
	sectionFuncs["fid"] = fieldID
	sectionFuncs["fieldOf"] = fieldOf
	sectionFuncs["inc"] = func(n int) int { return n + 1 }
}

// fieldID is the HTML id of a policy form field: "no_deal.recovery" →
// "pf-no_deal-recovery".
func fieldID(name string) string {
	return "pf-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// boundField is one policy form input with its value and error.
type boundField struct {
	Def     policyField
	Value   string
	Checked bool
	Error   string
}

func fieldOf(f *policyForm, def policyField) boundField {
	return boundField{Def: def, Value: f.Values[def.Name], Checked: f.Checked[def.Name], Error: f.Errors[def.Name]}
}
