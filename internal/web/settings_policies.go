package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"settle/internal/apperr"
	"settle/internal/collect"
	"settle/internal/money"
	"settle/internal/service"
	"settle/internal/store"
)

// ---- policies: the list ----------------------------------------------------------

type policyRow struct {
	ID, Segment    string
	Version        int
	Default        bool // the built-in defaults: no stored policy
	MinRecovery    string
	MinInstallment string
	MaxTerm        int
	MaxRounds      int
	Ladder         string // "8 steps, −3 to +60 days"
	Updated        string
	Link           string
}

type policiesData struct{ Rows []policyRow }

func policyRowOf(v service.PolicyView) policyRow {
	row := policyRow{ID: v.ID, Segment: v.Segment, Version: v.Version, Default: v.Default,
		MinRecovery: percentText(v.MinRecovery), MinInstallment: majorText(v.MinInstallment),
		MaxTerm: v.MaxTermMonths, MaxRounds: v.MaxRounds, Ladder: ladderSummary(v.Ladder)}
	if v.Stored != nil {
		row.Updated = formatTime(v.Stored.UpdatedAt)
		row.Link = "/settings/policies/" + v.ID
	} else {
		row.Link = "/settings/policies/new?" + url.Values{"segment": {v.Segment}}.Encode()
	}
	return row
}

func ladderSummary(l collect.Ladder) string {
	n := len(l.Steps)
	if n == 0 {
		return "no steps"
	}
	return fmt.Sprintf("%d steps, %s to %s days", n, signedDays(l.Steps[0].Offset), signedDays(l.Steps[n-1].Offset))
}

func signedDays(n int) string {
	switch {
	case n > 0:
		return "+" + strconv.Itoa(n)
	case n < 0:
		return "−" + strconv.Itoa(-n)
	}
	return "0"
}

// percentText shows a share as a percentage for reading: "0.70" → "70 %"
// (exact: the decimal point moves two places).
func percentText(share string) string {
	m, err := money.ParseMinor(strings.TrimSpace(share), 6)
	if err != nil {
		return share
	}
	whole, frac := m/10000, m%10000 // hundredths of a percent
	if frac == 0 {
		return strconv.FormatInt(whole, 10) + "\u00a0%"
	}
	f := strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
	return strconv.FormatInt(whole, 10) + "." + f + "\u00a0%"
}

// majorText groups the thousands of a major-units decimal: "1250.00" → "1,250.00".
func majorText(s string) string { return groupThousands(strings.TrimSpace(s)) }

// policiesPage lists the stored policies, and the built-in defaults of
// the standard segment when it has none stored.
func (s *Server) policiesPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	ctx := r.Context()
	var data policiesData
	standard := false
	p := store.Page{Limit: 500}
	for {
		list, next, err := s.svc.Policies(ctx, p)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, v := range list {
			standard = standard || v.Segment == "standard"
			data.Rows = append(data.Rows, policyRowOf(v))
		}
		if next == "" {
			break
		}
		p.Cursor = next
	}
	if !standard {
		v, err := s.svc.Policy(ctx, "standard")
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		data.Rows = append(data.Rows, policyRowOf(*v))
	}
	slices.SortStableFunc(data.Rows, func(a, b policyRow) int { return strings.Compare(a.Segment, b.Segment) })
	v := newSettingsView(u, "policies", "policies", data)
	if r.URL.Query().Get("saved") != "" {
		v.Notice = "Policy saved. The next collections run looks at every customer again under it."
	}
	s.renderSettings(w, r, u, http.StatusOK, "Policies", v)
}

// ---- policies: the form -------------------------------------------------------------

// policyField is one input of the policy form.
type policyField struct {
	Name  string // the form's and the service's field name
	Label string
	Hint  string
	Kind  string // share, int, money, check, action
}

type policyGroup struct {
	Legend string
	Fields []policyField
}

// policyGroups lay out the negotiation limits (PolicyInput), grouped.
var policyGroups = []policyGroup{
	{"What we accept", []policyField{
		{"min_recovery", "Lowest recovery", "Share of the balance a plan must be worth today, e.g. 0.70 for 70 %.", "share"},
		{"min_installment", "Smallest installment", "In major units of the plan’s currency, e.g. 1,250.00.", "money"},
		{"max_term_months", "Longest plan (months)", "1 to 120.", "int"},
		{"down_payment_share", "Down payment asked", "Share of the balance, e.g. 0.10.", "share"},
		{"max_start_days", "First payment within (days)", "1 to 365.", "int"},
		{"offer_valid_days", "Offer valid for (days)", "1 to 365.", "int"},
	}},
	{"What we may concede", []policyField{
		{"max_settlement_discount", "Largest settlement discount", "For a lump sum, share of the balance, e.g. 0.20.", "share"},
		{"early_payment_discount", "Early payoff discount", "Share waived when a plan is paid off early, e.g. 0.02.", "share"},
		{"plan_rate", "Plan interest rate", "Annual, e.g. 0.05; 0 for none.", "share"},
		{"may_waive_fees", "May waive fees", "", "check"},
		{"may_freeze_interest", "May freeze interest", "", "check"},
	}},
	{"How we negotiate", []policyField{
		{"cost_of_capital", "Cost of capital", "Annual, e.g. 0.10: discounts later payments.", "share"},
		{"max_rounds", "Counter-offers answered", "Before the final offer; 1 to 50.", "int"},
		{"concession_exponent", "Concession exponent", "Below 1 holds firm and concedes late; above 1 concedes early.", "share"},
		{"concession_start", "Conceded at once", "Share of the room given up in the first offer, e.g. 0.", "share"},
	}},
	{"If there is no deal", []policyField{
		{"no_deal.action", "Then", "", "action"},
		{"no_deal.recovery", "Expected recovery", "Share of the balance, e.g. 0.40.", "share"},
		{"no_deal.cost", "Its cost", "Share of what is recovered, e.g. 0.25.", "share"},
		{"no_deal.delay_days", "Until the money arrives (days)", "0 to 3650.", "int"},
	}},
}

// ladderFields are the ladder's own settings.
var ladderFields = []policyField{
	{"ladder.installment_reminder_days", "Installment reminder (days before)", "0 to 30.", "int"},
	{"ladder.senior_balance", "Senior queue from a balance of", "Whole major units, e.g. 10,000; calls on larger accounts go to senior agents.", "money"},
	{"ladder.senior_risk", "… or a risk score of", "0 to 100; empty or 0: off.", "int"},
	{"approve_before_sending", "Approve before sending", "The run’s messages for this segment wait in the outbox until staff approve them.", "check"},
}

// ladderStepNames are the steps a ladder may have (the message templates
// and the task steps), in their usual order.
var ladderStepNames = []string{collect.StepReminder, collect.StepDueToday, collect.StepOverdue, collect.StepFirm,
	collect.StepCall, collect.StepDemand, collect.StepFinal, collect.StepReview}

// ladderChannels are what a step may do.
var ladderChannels = []struct{ Value, Label string }{
	{"email", "Email"}, {"sms", "SMS"}, {"letter", "Letter"}, {"call", "Call (a task)"}, {"review", "Review (a task)"},
}

var ladderTiers = []struct{ Value, Label string }{
	{"0", "0 · automated"}, {"1", "1 · agents"}, {"2", "2 · senior agents"}, {"3", "3 · legal"},
}

// maxLadderRows bounds the rows a posted form may have.
const maxLadderRows = 30

// stepForm is one ladder step as typed.
type stepForm struct {
	Row            int
	Name, Offset   string
	Tier, Fee      string
	Channels       map[string]bool
	KeyAccountCall bool
	Remove         bool
	New            bool              // the blank row that adds a step
	Errors         map[string]string // name, offset_days, channels, tier, fee
}

func (f stepForm) Error(field string) string { return f.Errors[field] }

// StepNames are the names offered for this step (its own included).
func (f stepForm) StepNames() []string {
	if f.Name == "" || slices.Contains(ladderStepNames, f.Name) {
		return ladderStepNames
	}
	return append([]string{f.Name}, ladderStepNames...)
}

// policyForm is the policy form as shown or as typed.
type policyForm struct {
	ID       string // "" when creating
	Version  int
	Segment  string
	ReadOnly bool
	Default  bool // showing the built-in defaults of a segment without a policy
	Values   map[string]string
	Checked  map[string]bool
	Steps    []stepForm
	Errors   map[string]string
	Groups   []policyGroup
	Ladder   []policyField
	Channels []struct{ Value, Label string }
	Tiers    []struct{ Value, Label string }
}

func (f *policyForm) Error(field string) string { return f.Errors[field] }

// Action is where the form posts.
func (f *policyForm) Action() string {
	if f.ID == "" {
		return "/settings/policies"
	}
	return "/settings/policies/" + f.ID
}

func newPolicyForm() *policyForm {
	return &policyForm{Values: map[string]string{}, Checked: map[string]bool{}, Errors: map[string]string{},
		Groups: policyGroups, Ladder: ladderFields, Channels: ladderChannels, Tiers: ladderTiers}
}

// policyFormOf fills the form from a policy.
func policyFormOf(v *service.PolicyView) *policyForm {
	f := newPolicyForm()
	f.ID, f.Version, f.Segment, f.Default = v.ID, v.Version, v.Segment, v.Default
	p := v.Policy
	for k, val := range map[string]string{
		"min_recovery": p.MinRecovery, "min_installment": majorText(p.MinInstallment), "down_payment_share": p.DownPaymentShare,
		"max_settlement_discount": p.MaxSettlementDiscount, "early_payment_discount": p.EarlyPaymentDiscount, "plan_rate": p.PlanRate,
		"cost_of_capital": p.CostOfCapital, "concession_exponent": p.ConcessionExponent, "concession_start": p.ConcessionStart,
		"no_deal.action": p.NoDeal.Action, "no_deal.recovery": p.NoDeal.Recovery, "no_deal.cost": p.NoDeal.Cost,
	} {
		f.Values[k] = val
	}
	for k, n := range map[string]int{
		"max_term_months": p.MaxTermMonths, "max_start_days": p.MaxStartDays, "offer_valid_days": p.OfferValidDays,
		"max_rounds": p.MaxRounds, "no_deal.delay_days": p.NoDeal.DelayDays,
		"ladder.installment_reminder_days": v.Ladder.InstallmentReminderDays, "ladder.senior_risk": v.Ladder.SeniorRisk,
	} {
		f.Values[k] = strconv.Itoa(n)
	}
	senior := v.Ladder.SeniorBalance
	if senior <= 0 {
		senior = collect.DefaultSeniorBalance
	}
	f.Values["ladder.senior_balance"] = formatMajor(senior)
	f.Checked["may_waive_fees"], f.Checked["may_freeze_interest"] = p.MayWaiveFees, p.MayFreezeInterest
	f.Checked["approve_before_sending"] = v.ApproveBeforeSending
	for i, st := range v.Ladder.Steps {
		sf := stepForm{Row: i, Name: st.Name, Offset: strconv.Itoa(st.Offset), Tier: strconv.Itoa(st.Tier), Fee: st.Fee,
			Channels: map[string]bool{}, KeyAccountCall: st.KeyAccountCall}
		for _, c := range st.Via {
			sf.Channels[c] = true
		}
		f.Steps = append(f.Steps, sf)
	}
	f.Steps = append(f.Steps, stepForm{Row: len(f.Steps), New: true, Channels: map[string]bool{}, Tier: "0"})
	return f
}

// policyPage shows a policy: a form for administrators, read-only for
// everyone else.
func (s *Server) policyPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	v, err := s.svc.Policy(r.Context(), r.PathValue("id"))
	if err == nil && v.Default {
		err = apperr.Errorf(apperr.NotFound, "policy %q not found", r.PathValue("id"))
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := policyFormOf(v)
	f.ReadOnly = u.Actor.Role != service.RoleAdmin
	sv := newSettingsView(u, "policy", "policies", f)
	if r.URL.Query().Get("saved") != "" {
		sv.Notice = "Policy saved. The next collections run looks at every customer again under it."
	}
	s.renderSettings(w, r, u, http.StatusOK, "Policy "+v.Segment, sv)
}

// newPolicyPage is the form for a new policy, filled with the defaults
// (?segment= names the segment: a segment without a stored policy).
func (s *Server) newPolicyPage(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	seg := strings.TrimSpace(r.URL.Query().Get("segment"))
	v, err := s.svc.Policy(r.Context(), "standard")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := policyFormOf(v)
	f.ID, f.Version, f.Default, f.Segment = "", 0, false, seg
	s.renderSettings(w, r, u, http.StatusOK, "New policy", newSettingsView(u, "policy", "policies", f))
}

var groupedInt = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+$`)

// parseMajor reads an amount in major units as people type it: "1,250.00",
// "1250", "20.5" (commas only between groups of three digits) and gives
// the plain decimal, checked exactly by internal/money (no float): at most
// 3 decimals (the most any currency has), not negative.
func parseMajor(s string) (string, error) {
	s = strings.TrimSpace(s)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if strings.Contains(intPart, ",") {
		if !groupedInt.MatchString(intPart) {
			return "", fmt.Errorf("%q is not an amount: write it like 1,250.00", s)
		}
		intPart = strings.ReplaceAll(intPart, ",", "")
	}
	plain := intPart
	if hasFrac {
		plain += "." + frac
	}
	if strings.HasPrefix(plain, "-") {
		return "", fmt.Errorf("must not be negative")
	}
	if _, err := money.ParseMinor(plain, 3); err != nil {
		if s == "" {
			return "", fmt.Errorf("is required")
		}
		if errors.Is(err, money.ErrOverflow) {
			return "", fmt.Errorf("%q is too large", s)
		}
		return "", fmt.Errorf("%q is not an amount: write it like 1,250.00", s)
	}
	return plain, nil
}

// policyInput reads the posted form into f (as typed) and the service's
// input; values that do not even parse get an error in f.Errors.
func policyInput(r *http.Request, f *policyForm) service.PolicyInput {
	pf := r.PostForm
	get := func(k string) string { return strings.TrimSpace(pf.Get(k)) }
	f.Segment = get("segment")
	in := service.PolicyInput{Segment: f.Segment, NoDeal: &service.NoDealInput{}}
	str := func(k string) *string {
		v := get(k)
		f.Values[k] = v
		return &v
	}
	num := func(k string) *int {
		v := get(k)
		f.Values[k] = v
		n, err := strconv.Atoi(v)
		if err != nil {
			f.Errors[k] = "Write a whole number."
			if v == "" {
				f.Errors[k] = "Required: a whole number."
			}
			return nil
		}
		return &n
	}
	in.MinRecovery, in.DownPaymentShare = str("min_recovery"), str("down_payment_share")
	in.MaxSettlementDiscount, in.EarlyPaymentDiscount, in.PlanRate = str("max_settlement_discount"), str("early_payment_discount"), str("plan_rate")
	in.CostOfCapital, in.ConcessionExponent, in.ConcessionStart = str("cost_of_capital"), str("concession_exponent"), str("concession_start")
	in.MaxTermMonths, in.MaxStartDays, in.OfferValidDays, in.MaxRounds = num("max_term_months"), num("max_start_days"), num("offer_valid_days"), num("max_rounds")
	in.NoDeal.Action, in.NoDeal.Recovery, in.NoDeal.Cost, in.NoDeal.DelayDays = str("no_deal.action"), str("no_deal.recovery"), str("no_deal.cost"), num("no_deal.delay_days")
	f.Values["min_installment"] = get("min_installment")
	if plain, err := parseMajor(get("min_installment")); err != nil {
		f.Errors["min_installment"] = sentence(err.Error()) + "."
	} else {
		in.MinInstallment = &plain
	}
	waive, freeze := pf.Get("may_waive_fees") != "", pf.Get("may_freeze_interest") != ""
	f.Checked["may_waive_fees"], f.Checked["may_freeze_interest"] = waive, freeze
	in.MayWaiveFees, in.MayFreezeInterest = &waive, &freeze
	approve := pf.Get("approve_before_sending") != ""
	f.Checked["approve_before_sending"], in.ApproveBeforeSending = approve, &approve

	// The ladder.
	var l collect.Ladder
	if n := num("ladder.installment_reminder_days"); n != nil {
		l.InstallmentReminderDays = *n
	}
	f.Values["ladder.senior_balance"] = get("ladder.senior_balance")
	if plain, err := parseMajor(get("ladder.senior_balance")); err != nil {
		f.Errors["ladder.senior_balance"] = sentence(err.Error()) + "."
	} else if n, err := money.ParseMinor(plain, 0); err != nil || n < 1 {
		f.Errors["ladder.senior_balance"] = "Write a whole amount of at least 1, like 10,000."
	} else {
		l.SeniorBalance = n
	}
	f.Values["ladder.senior_risk"] = get("ladder.senior_risk")
	if v := get("ladder.senior_risk"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 || n > 100 {
			f.Errors["ladder.senior_risk"] = "Write a whole number from 0 to 100."
		} else {
			l.SeniorRisk = n
		}
	}
	rows, _ := strconv.Atoi(pf.Get("step_count"))
	rows = min(max(rows, 0), maxLadderRows)
	f.Steps = nil
	var rowOf []int // ladder step index → form row
	for i := range rows {
		k := func(field string) string { return fmt.Sprintf("step%d.%s", i, field) }
		sf := stepForm{Row: i, Name: strings.TrimSpace(pf.Get(k("name"))), Offset: strings.TrimSpace(pf.Get(k("offset_days"))),
			Tier: strings.TrimSpace(pf.Get(k("tier"))), Fee: strings.TrimSpace(pf.Get(k("fee"))), Channels: map[string]bool{},
			KeyAccountCall: pf.Get(k("key_account_call")) != "", Remove: pf.Get(k("remove")) != "", New: pf.Get(k("new")) != "",
			Errors: map[string]string{}}
		for _, c := range pf[k("channels")] {
			sf.Channels[c] = true
		}
		f.Steps = append(f.Steps, sf)
		if sf.Remove || (sf.New && sf.Name == "") {
			continue
		}
		st := collect.LadderStep{Name: sf.Name, Fee: sf.Fee, KeyAccountCall: sf.KeyAccountCall}
		for _, c := range ladderChannels { // in a fixed order, only known ones
			if sf.Channels[c.Value] {
				st.Via = append(st.Via, c.Value)
			}
		}
		for _, c := range pf[k("channels")] {
			if !slices.ContainsFunc(ladderChannels, func(o struct{ Value, Label string }) bool { return o.Value == c }) {
				st.Via = append(st.Via, c) // unknown: the service names it
			}
		}
		var err error
		if st.Offset, err = strconv.Atoi(sf.Offset); err != nil {
			f.Steps[i].Errors["offset_days"] = "Write a whole number of days (negative: before the due date)."
			st.Offset = 0
		}
		if st.Tier, err = strconv.Atoi(sf.Tier); err != nil {
			f.Steps[i].Errors["tier"] = "Choose a tier."
		}
		l.Steps = append(l.Steps, st)
		rowOf = append(rowOf, i)
	}
	in.Ladder = &l
	// The service's own checks, all at once, beside their fields (values
	// that did not parse keep their own message).
	if fields, _, ok := settingsFormErrors(in.Validate(), nil); ok {
		for k, msg := range fields {
			if row, field, ok := ladderStepField(k); ok {
				if row < len(rowOf) {
					if _, taken := f.Steps[rowOf[row]].Errors[field]; !taken {
						f.Steps[rowOf[row]].Errors[field] = msg
					}
				}
				continue
			}
			if k == "ladder.steps" {
				k = "ladder"
			}
			if _, taken := f.Errors[k]; !taken {
				f.Errors[k] = msg
			}
		}
	}
	// The blank row stays last, for another step.
	if len(f.Steps) == 0 || !f.Steps[len(f.Steps)-1].New {
		f.Steps = append(f.Steps, stepForm{Row: len(f.Steps), New: true, Channels: map[string]bool{}, Tier: "0"})
	}
	return in
}

var stepFieldRE = regexp.MustCompile(`^ladder\.steps\[(\d+)\]\.([a-z_]+)$`)

// ladderStepField splits "ladder.steps[2].offset_days" into 2 and offset_days.
func ladderStepField(k string) (int, string, bool) {
	m := stepFieldRE.FindStringSubmatch(k)
	if m == nil {
		return 0, "", false
	}
	n, _ := strconv.Atoi(m[1])
	return n, m[2], true
}

func (f *policyForm) hasErrors() bool {
	if len(f.Errors) > 0 {
		return true
	}
	for _, st := range f.Steps {
		if len(st.Errors) > 0 {
			return true
		}
	}
	return false
}

// savePolicy creates (POST /settings/policies) or replaces (POST
// /settings/policies/{id}) a policy.
func (s *Server) savePolicy(w http.ResponseWriter, r *http.Request, u *service.SignedIn) {
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	id := r.PathValue("id")
	f := newPolicyForm()
	f.ID = id
	if id != "" {
		cur, err := s.svc.Policy(r.Context(), id)
		if err == nil && cur.Default {
			err = apperr.Errorf(apperr.NotFound, "policy %q not found", id)
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		f.Version = cur.Version
	}
	in := policyInput(r, f)
	status := http.StatusUnprocessableEntity
	alert := ""
	if !f.hasErrors() {
		var v *service.PolicyView
		var err error
		if id == "" {
			v, err = s.svc.CreatePolicy(r.Context(), in)
		} else {
			v, err = s.svc.UpdatePolicy(r.Context(), id, in)
		}
		if err == nil {
			http.Redirect(w, r, "/settings/policies/"+v.ID+"?saved=1", http.StatusSeeOther)
			return
		}
		fields, ae, ok := settingsFormErrors(err, nil)
		switch {
		case ok:
			for k, msg := range fields {
				f.Errors[k] = msg
			}
			if ae.Code == apperr.Conflict {
				status = http.StatusConflict
			}
		case ae != nil && ae.Code == apperr.Conflict:
			status = http.StatusConflict
			f.Errors["segment"] = sentence(ae.Message) + "."
		default:
			if st, ok := actionStatus(ae); ok {
				status, alert = st, sentence(ae.Message)+"."
				break
			}
			s.serverError(w, r, err)
			return
		}
	}
	sv := newSettingsView(u, "policy", "policies", f)
	sv.Alert = alert
	if alert == "" {
		sv.Alert = "The policy was not saved: correct the fields marked below."
	}
	title := "New policy"
	if id != "" {
		title = "Policy " + f.Segment
	}
	s.renderSettings(w, r, u, status, title, sv)
}
