package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"settle/internal/money"
)

type negReply struct {
	ID, Status, Decision, Explanation, Balance, Currency string
	Round                                                int
	PlanID                                               string `json:"plan_id"`
	Offer                                                *struct {
		Kind              string
		Frequency         string
		StartDate         string `json:"start_date"`
		DownPayment       string `json:"down_payment"`
		InstallmentCount  int    `json:"installment_count"`
		InstallmentAmount string `json:"installment_amount"`
		Total             string
		Installments      []struct {
			DueDate string `json:"due_date"`
			Amount  string
		}
	}
	Alternatives []struct{ Label string }
	Concessions  []struct{ Kind, Amount string }
	Evaluation   map[string]string
	Rounds       []struct {
		Round    int
		Decision string
	}
	Plan struct {
		ID, Status, Balance string
		Installments        []struct {
			DueDate string `json:"due_date"`
			Amount  string
		}
	}
}

func decodeNeg(t *testing.T, r resp) negReply {
	t.Helper()
	var n negReply
	if err := json.Unmarshal(r.Body, &n); err != nil {
		t.Fatalf("%v: %s", err, r.Body)
	}
	return n
}

func sumAmounts(t *testing.T, cur money.Currency, amounts ...string) string {
	t.Helper()
	total := money.Zero(cur)
	for _, a := range amounts {
		m, err := money.Parse(a, cur)
		if err != nil {
			t.Fatal(err)
		}
		if total, err = total.Add(m); err != nil {
			t.Fatal(err)
		}
	}
	return total.String()
}

// A UK business owing £5,000.00 for 62 days: the opening offer reserves
// the statutory claim, a lowball is refused with a nearer offer, the
// standing offer's own terms are accepted, and accepting makes a proposed
// plan identical to the offer.
func TestAPI_NegotiationFlow(t *testing.T) {
	_, agent, viewer, _ := setup(t) // clock: 2026-06-01
	want(t, agent.do("POST", "/v1/customers", `{"name":"Thames Widgets Ltd","external_ref":"UKB","kind":"business","jurisdiction":"GB","time_zone":"Europe/London"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"UK-1","customer_id":"UKB","issue_date":"2026-03-01","due_date":"2026-03-31","currency":"GBP","amount":"5000.00"}`), 201)
	// Paying customer history: £400 a month for a year would make the
	// capacity estimate; here there is none, so the engine assumes one.

	want(t, viewer.do("POST", "/v1/negotiations", `{"customer_id":"UKB"}`), 403)
	r := agent.do("POST", "/v1/negotiations", `{"customer_id":"UKB","as_of":"2026-06-01"}`)
	want(t, r, 201)
	n := decodeNeg(t, r)
	if n.Status != "open" || n.Decision != "open" || n.Round != 0 || n.Balance != "5000.00" || n.Currency != "GBP" || n.Offer == nil {
		t.Fatalf("opening = %s", r.Body)
	}
	var amounts []string
	for _, in := range n.Offer.Installments {
		amounts = append(amounts, in.Amount)
	}
	if got := sumAmounts(t, "GBP", amounts...); got != "5000.00" || n.Offer.Total != "5000.00" {
		t.Errorf("opening installments sum to %s (total %s), want 5000.00", got, n.Offer.Total)
	}
	if n.Offer.InstallmentCount >= 24 {
		t.Errorf("opening with %d installments: the most lenient plan (24 months)", n.Offer.InstallmentCount)
	}
	if len(n.Concessions) != 0 {
		t.Errorf("opening concedes %v: concessions are held back", n.Concessions)
	}
	// UK Late Payment Act: £70 fixed sum (invoice under £10,000) and 8% +
	// 4.00% base = 12% a year for 62 days on £5,000: 5000 × 0.12 × 62/365
	// = 101.917… → £101.92; together £171.92, reserved, not added.
	// The explanation is in the customer's formats: a no-break space
	// before the currency code, as in their letters.
	if !strings.Contains(n.Explanation, "171.92\u00a0GBP") {
		t.Errorf("opening explanation does not name the statutory claim of 171.92 GBP: %s", n.Explanation)
	}
	if len(n.Alternatives) < 1 {
		t.Errorf("no alternatives: %s", r.Body)
	}
	id := n.ID
	opening := n.Offer.InstallmentAmount

	// A lowball: refused, with an offer between the ask and our opening.
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"installment_amount":"100.00"}`)
	want(t, r, 200)
	n = decodeNeg(t, r)
	if n.Round != 1 || (n.Decision != "counter" && n.Decision != "reject") || n.Status != "open" {
		t.Fatalf("lowball answer = %s", r.Body)
	}
	got, _ := money.Parse(n.Offer.InstallmentAmount, "GBP")
	open, _ := money.Parse(opening, "GBP")
	if got.Minor() <= 10000 || got.Minor() > open.Minor() {
		t.Errorf("counter-offer installment %s not between the ask 100.00 and the opening %s", n.Offer.InstallmentAmount, opening)
	}
	if n.Evaluation["counter_value"] == "" || n.Evaluation["floor"] == "" {
		t.Errorf("evaluation = %v", n.Evaluation)
	}
	standing := n.Offer

	// Bad input changes nothing: another currency, a bad frequency.
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"installment_amount":"150.00","currency":"EUR"}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"currency"`) {
		t.Errorf("currency error = %s", r.Body)
	}
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"frequency":"daily","installments":0}`)
	want(t, r, 422)
	if !strings.Contains(string(r.Body), `"field":"frequency"`) {
		t.Errorf("frequency error = %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/negotiations/neg_NOPE/counteroffers", `{"installments":3}`), 404)
	r = viewer.do("GET", "/v1/negotiations/"+id, "")
	want(t, r, 200)
	if n = decodeNeg(t, r); n.Round != 1 || len(n.Rounds) != 2 {
		t.Fatalf("after bad input the negotiation changed: %s", r.Body)
	}

	// The customer takes our standing offer's terms: accepted.
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"installments":`+itoa(standing.InstallmentCount)+`,"frequency":"monthly"}`)
	want(t, r, 200)
	n = decodeNeg(t, r)
	if n.Decision != "accept" || n.Status != "agreed" || n.Round != 2 {
		t.Fatalf("own terms = %s", r.Body)
	}
	// Closed for counters now.
	r = agent.do("POST", "/v1/negotiations/"+id+"/counteroffers", `{"installments":3}`)
	want(t, r, 409)

	r = agent.do("POST", "/v1/negotiations/"+id+"/accept", `{}`)
	want(t, r, 201)
	n = decodeNeg(t, r)
	if n.Status != "accepted" || n.PlanID == "" || n.Plan.Status != "proposed" || n.Plan.Balance != "5000.00" {
		t.Fatalf("accept = %s", r.Body)
	}
	if len(n.Plan.Installments) != len(standing.Installments) {
		t.Fatalf("plan has %d installments, offer %d", len(n.Plan.Installments), len(standing.Installments))
	}
	for i, in := range n.Plan.Installments {
		if in.DueDate != standing.Installments[i].DueDate || in.Amount != standing.Installments[i].Amount {
			t.Errorf("installment %d: plan %s %s, offer %s %s", i+1, in.DueDate, in.Amount, standing.Installments[i].DueDate, standing.Installments[i].Amount)
		}
	}
	want(t, agent.do("POST", "/v1/negotiations/"+id+"/accept", `{}`), 409)
	// The invoices are in an open plan now: a new negotiation has nothing to cover.
	want(t, agent.do("POST", "/v1/negotiations", `{"customer_id":"UKB"}`), 422)
	// The customer accepts the plan.
	r = agent.do("POST", "/v1/plans/"+n.PlanID+"/accept", `{"accepted_by":"J. Smith","channel":"phone"}`)
	want(t, r, 200)

	r = viewer.do("GET", "/v1/negotiations/"+id, "")
	want(t, r, 200)
	n = decodeNeg(t, r)
	var decisions []string
	for _, rd := range n.Rounds {
		decisions = append(decisions, itoa(rd.Round)+":"+rd.Decision)
	}
	if len(n.Rounds) != 3 || n.Rounds[0].Decision != "open" || n.Rounds[2].Decision != "accept" || n.Status != "accepted" {
		t.Errorf("rounds = %v, status %s", decisions, n.Status)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A consumer's budget: totals, surplus and the affordable installment
// worked by hand; bad lines are refused naming the field and nothing is
// stored.
func TestAPI_Budget(t *testing.T) {
	_, agent, viewer, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Oliver Bennett","external_ref":"OB","kind":"consumer","jurisdiction":"GB"}`), 201)
	want(t, viewer.do("GET", "/v1/customers/OB/budget", ""), 404)

	// Negative income and an unknown category: 422, each named.
	r := agent.do("PUT", "/v1/customers/OB/budget", `{"currency":"GBP","income":[{"category":"earnings","monthly":"-1.00"}],"expenses":[{"category":"yachts","monthly":"10.00"}]}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"income[0].monthly"`, `"field":"expenses[0].category"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	want(t, viewer.do("GET", "/v1/customers/OB/budget", ""), 404)

	// 2,000.00 income; 900 + 300 + 150 = 1,350.00 expenses; 150.00 other
	// debts: 500.00 available; 75% of it: 375.00 affordable.
	body := `{"currency":"GBP","income":[{"category":"earnings","monthly":"2000.00"}],
		"expenses":[{"category":"rent","monthly":"900.00"},{"category":"food_housekeeping","monthly":"300.00"},{"category":"utilities","monthly":"150"}],
		"debts":[{"creditor":"Bank","monthly":"150.00","balance":"3000.00"}]}`
	want(t, viewer.do("PUT", "/v1/customers/OB/budget", body), 403)
	r = agent.do("PUT", "/v1/customers/OB/budget", body)
	want(t, r, 200)
	var b struct {
		IncomeTotal           string `json:"income_total"`
		ExpensesTotal         string `json:"expenses_total"`
		DebtsTotal            string `json:"debts_total"`
		AvailableMonthly      string `json:"available_monthly"`
		AffordableInstallment string `json:"affordable_installment"`
		Expenses              []struct{ Monthly string }
		Flags                 []struct{ Field string }
	}
	r.decode(t, &b)
	if b.IncomeTotal != "2000.00" || b.ExpensesTotal != "1350.00" || b.DebtsTotal != "150.00" || b.AvailableMonthly != "500.00" || b.AffordableInstallment != "375.00" {
		t.Errorf("budget = %s", r.Body)
	}
	if b.Expenses[2].Monthly != "150.00" {
		t.Errorf("amounts are not shown with the currency's digits: %s", r.Body)
	}
	r = viewer.do("GET", "/v1/customers/OB/budget", "")
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"affordable_installment":"375.00"`) {
		t.Errorf("stored budget = %s", r.Body)
	}
	// The position carries it.
	r = viewer.do("GET", "/v1/customers/OB/position", "")
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"affordable_installment":"375.00"`) || !strings.Contains(string(r.Body), `"risk":{"score":`) {
		t.Errorf("position = %s", r.Body)
	}
}

func TestAPI_Policies(t *testing.T) {
	admin, agent, viewer, _ := setup(t)
	// A segment without a policy shows the defaults.
	r := viewer.do("GET", "/v1/policies/retail", "")
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"default":true`) || !strings.Contains(string(r.Body), `"min_recovery":"0.70"`) {
		t.Errorf("default policy = %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/policies", `{"segment":"retail"}`), 403)
	r = admin.do("POST", "/v1/policies", `{"segment":"retail","min_recovery":"1.5","concession_exponent":"abc","no_deal":{"action":"court"}}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"min_recovery"`, `"field":"concession_exponent"`, `"field":"no_deal.action"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	r = admin.do("POST", "/v1/policies", `{"segment":"retail","max_rounds":4,"min_recovery":"0.60","no_deal":{"action":"legal","recovery":"0.5"}}`)
	want(t, r, 201)
	var p struct {
		ID, Segment, MinRecovery string
		Version                  int
		MaxRounds                int                                     `json:"max_rounds"`
		NoDeal                   struct{ Action, Recovery, Cost string } `json:"no_deal"`
	}
	r.decode(t, &p)
	if p.Version != 1 || p.MaxRounds != 4 || p.NoDeal.Action != "legal" || p.NoDeal.Cost != "0.25" {
		t.Errorf("created = %s", r.Body)
	}
	want(t, admin.do("POST", "/v1/policies", `{"segment":"retail"}`), 409)
	r = admin.do("PUT", "/v1/policies/"+p.ID, `{"max_rounds":8}`)
	want(t, r, 200)
	if !strings.Contains(string(r.Body), `"version":2`) || !strings.Contains(string(r.Body), `"max_rounds":8`) || !strings.Contains(string(r.Body), `"segment":"retail"`) {
		t.Errorf("updated = %s", r.Body)
	}
	r = viewer.do("GET", "/v1/policies/retail", "")
	if !strings.Contains(string(r.Body), `"default":false`) || !strings.Contains(string(r.Body), p.ID) {
		t.Errorf("by segment = %s", r.Body)
	}
	r = viewer.do("GET", "/v1/policies", "")
	if !strings.Contains(string(r.Body), p.ID) {
		t.Errorf("list = %s", r.Body)
	}
	want(t, admin.do("PUT", "/v1/policies/pol_NOPE", `{}`), 404)
}

func TestAPI_Interactions(t *testing.T) {
	_, agent, viewer, _ := setup(t)
	want(t, agent.do("POST", "/v1/customers", `{"name":"Maple Bakery","external_ref":"MB","email":"ap@maple.example"}`), 201)
	want(t, agent.do("POST", "/v1/invoices", `{"number":"MB-7","customer_id":"MB","issue_date":"2026-04-01","due_date":"2026-05-01","currency":"USD","amount":"820.00"}`), 201)

	r := agent.do("POST", "/v1/customers/MB/interactions", `{"kind":"call","direction":"sideways","summary":"","reason":{"category":"aliens","claim":"fact"}}`)
	want(t, r, 422)
	for _, f := range []string{`"field":"direction"`, `"field":"summary"`, `"field":"reason.category"`, `"field":"reason.evidence"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("missing %s in %s", f, r.Body)
		}
	}
	r = agent.do("POST", "/v1/customers/MB/interactions", `{"kind":"call","direction":"outbound","summary":"Spoke to AP: says the invoice never arrived","reason":{"category":"not_received"},"invoice_ids":["MB-7"]}`)
	want(t, r, 201)
	var it struct {
		ID       string
		FollowUp string `json:"follow_up"`
		Reason   struct{ Category, Claim string }
		Resend   *struct {
			ID, Status, Step, Subject, Body string
			InvoiceNumbers                  []string `json:"invoice_numbers"`
		} `json:"resend_message"`
	}
	r.decode(t, &it)
	if it.Reason.Claim != "unverified" || it.Resend == nil || it.FollowUp != "resend_invoice:"+it.Resend.ID || it.Resend.Status != "queued" || it.Resend.Step != "invoice_resend" ||
		len(it.Resend.InvoiceNumbers) != 1 || it.Resend.InvoiceNumbers[0] != "MB-7" || !strings.Contains(it.Resend.Body, "820.00\u00a0USD") ||
		!strings.Contains(it.Resend.Body, "You can opt out of emails from us") {
		t.Fatalf("interaction = %s", r.Body)
	}
	r = viewer.do("GET", "/v1/messages?customer_id=MB&status=queued", "")
	want(t, r, 200)
	if !strings.Contains(string(r.Body), it.Resend.ID) {
		t.Errorf("outbox = %s", r.Body)
	}
	want(t, agent.do("POST", "/v1/customers/MB/interactions", `{"kind":"note","summary":"Cash flow tight until month end","reason":{"category":"cash_flow","claim":"fact","evidence":"bank statement seen"}}`), 201)
	r = viewer.do("GET", "/v1/customers/MB/interactions", "")
	want(t, r, 200)
	var list struct {
		Data []struct {
			Kind     string
			FollowUp string `json:"follow_up"`
			Reason   *struct{ Claim, Evidence string }
		}
	}
	r.decode(t, &list)
	if len(list.Data) != 2 || list.Data[0].FollowUp != it.FollowUp || list.Data[1].Reason == nil || list.Data[1].Reason.Claim != "fact" || list.Data[1].Reason.Evidence != "bank statement seen" {
		t.Errorf("interactions = %s", r.Body)
	}
	want(t, viewer.do("GET", "/v1/messages?since=yesterday", ""), 422)
}
