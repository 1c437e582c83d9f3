// Package store defines settle's persistence interface. One implementation
// (store/sqldb) serves both engines through a small dialect: SQLite
// (store/sqlite, the embedded default) and PostgreSQL (store/postgres).
// store/storetest is the conformance suite every engine must pass.
//
// Services open one transaction per user action with Store.Tx and call the
// repository methods of Tx; nothing else touches the database.
package store

import (
	"context"
	"encoding/json"
	"time"

	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
)

// Store is a database holding settle's data.
type Store interface {
	// Tx runs fn in one transaction: committed when fn returns nil, rolled
	// back otherwise (and on panic).
	Tx(ctx context.Context, fn func(Tx) error) error
	// ReadTx runs fn in a read-only transaction that does not wait for
	// writers (SQLite: a separate pool of DEFERRED, query-only
	// connections). fn must not write.
	ReadTx(ctx context.Context, fn func(Tx) error) error
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// SchemaVersion is the highest applied migration.
	SchemaVersion(ctx context.Context) (int64, error)
	// Engine names the engine: "sqlite" or "postgres".
	Engine() string
	// Analyze refreshes the planner's statistics of tables after a bulk
	// change (PostgreSQL: ANALYZE; autovacuum would get there, but not
	// before the next query). SQLite plans well without them: a no-op.
	Analyze(ctx context.Context, tables ...string) error
	Close() error
}

// Page asks for one page of a list, in id (creation) order.
type Page struct {
	Limit  int    // 1..500; 0 means 50
	Cursor string // the last id of the previous page
}

// CustomerFilter selects customers.
type CustomerFilter struct {
	Page
	Segment string
	// Query keeps customers whose name or external ref contains it,
	// ignoring the case of ASCII letters (SQLite's LOWER folds only
	// those); "%" and "_" in it are literal.
	Query string
}

// InvoiceFilter selects invoices.
type InvoiceFilter struct {
	Page
	CustomerID string
	Status     string // open, paid, void or empty for all
	Currency   money.Currency
}

// PaymentFilter selects payments.
type PaymentFilter struct {
	Page
	CustomerID string
}

// PromiseFilter selects promises to pay.
type PromiseFilter struct {
	Page
	CustomerID string
}

// OpenItemFilter narrows the aging query.
type OpenItemFilter struct {
	AsOf       civil.Date
	Currency   money.Currency // empty: all currencies
	CustomerID string         // empty: all customers
}

// Import is the record of one committed CSV import.
type Import struct {
	ID        string
	Kind      string // customers, invoices, payments
	SHA256    string // of the file's bytes: the same file is not imported twice
	Filename  string
	Rows      int
	Inserted  int
	Updated   int
	Unchanged int
	Actor     string
	CreatedAt time.Time
}

// PlanEvent is something that happened to a plan, on a date.
type PlanEvent struct {
	Seq    int64
	PlanID string
	Kind   string // plan_proposed, plan_accepted, plan_completed, plan_cancelled, plan_superseded (and, from the daily run, installment_missed, plan_defaulted)
	On     civil.Date
	At     time.Time
	Detail string // JSON
}

// Token is an API bearer token; only its hash is stored.
type Token struct {
	ID        string
	Name      string
	Role      string
	Hash      string
	CreatedAt time.Time
	RevokedAt *time.Time
	// ExpiresAt, when set, is when the token stops working (nil: never).
	ExpiresAt *time.Time
}

// Expired tells whether the token has expired at now (never when it has
// no expiry).
func (t Token) Expired(now time.Time) bool { return t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) }

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq        int64
	At         time.Time
	Actor      string // "token:tok_…", "cli:<user>", "system"
	Action     string // e.g. customer.create, import.invoices
	ObjectType string
	ObjectID   string
	Detail     string // JSON
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	ObjectID string
	AfterSeq int64
	Limit    int
}

// IdempotencyExecuted is the status of a reserved key whose request has
// committed a write but whose response is not stored yet. Every write
// transaction of a request that holds a key sets it, in that same
// transaction (see WithIdempotencyKey): if the process dies before the
// response is stored, the key shows the write happened and the request
// must not run again. Status 0 is a reservation with nothing committed.
const IdempotencyExecuted = -1

type idempotencyKeyCtx struct{}

type idempotencyHold struct{ actor, key string }

// WithIdempotencyKey marks ctx as serving a request that holds the
// Idempotency-Key of actor: Store.Tx then records, in each transaction it
// commits, that the request has executed (IdempotencyExecuted).
func WithIdempotencyKey(ctx context.Context, actor, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, idempotencyHold{actor, key})
}

// IdempotencyKeyOf returns the key WithIdempotencyKey put in ctx.
func IdempotencyKeyOf(ctx context.Context) (actor, key string, ok bool) {
	h, ok := ctx.Value(idempotencyKeyCtx{}).(idempotencyHold)
	return h.actor, h.key, ok
}

// IdempotencyRecord is a stored response to a write with an Idempotency-Key.
type IdempotencyRecord struct {
	Actor       string
	Key         string
	Method      string
	Path        string
	RequestHash string
	Status      int
	Body        []byte
	CreatedAt   time.Time
}

// Budget is a customer's stated monthly budget (assess.Budget as JSON).
type Budget struct {
	CustomerID string
	Currency   money.Currency
	Body       []byte // JSON of assess.Budget
	UpdatedAt  time.Time
	UpdatedBy  string // actor id
}

// Policy is the creditor's negotiation limits (and, later, collections
// ladder) for one customer segment.
type Policy struct {
	ID        string // pol_…
	Segment   string // unique
	Body      []byte // JSON of negotiate.Policy
	Version   int    // 1 on insert, +1 on each update
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Negotiation statuses.
const (
	NegotiationOpen     = "open"     // counters welcome
	NegotiationAgreed   = "agreed"   // we accepted the customer's counter; waiting for accept
	NegotiationFinal    = "final"    // rounds used up: only the final offer can be accepted
	NegotiationAccepted = "accepted" // turned into a proposed plan
	NegotiationClosed   = "closed"   // withdrawn or expired without agreement
)

// Negotiation is one negotiation session with a customer.
type Negotiation struct {
	ID         string // neg_…
	CustomerID string
	Currency   money.Currency
	Status     string
	Round      int        // counter-offers answered so far
	AsOf       civil.Date // the date the negotiation was opened as of
	ExpiresOn  civil.Date // counters and accepts after this date are refused
	State      []byte     // JSON of the engine's session (negotiate.Session)
	PlanID     string     // set once accepted
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// NegotiationRound is one exchange: the customer's counter (or the
// opening, round 0) and settle's response.
type NegotiationRound struct {
	NegotiationID string
	Round         int
	Decision      string // open, accept, counter, reject
	Request       []byte // JSON of the counter-offer ("{}" for the opening)
	Response      []byte // JSON of the engine's response
	Actor         string
	At            time.Time
}

// NegotiationFilter selects negotiations.
type NegotiationFilter struct {
	Page
	CustomerID string
	Status     string
}

// Interaction is a contact with a customer: a call, an email, a meeting
// or a note, and what the customer said.
type Interaction struct {
	ID             string // int_…
	CustomerID     string
	Kind           string // call, email, letter, sms, meeting, note
	Direction      string // inbound, outbound, "" for notes
	OccurredAt     time.Time
	Summary        string
	ReasonCategory string   // cash_flow, dispute, not_received, hardship, admin_delay, other, ""
	Claim          string   // fact, unverified, ""
	Evidence       string   // what was seen: bank statement, remittance, …
	InvoiceIDs     []string // invoices it concerns
	FollowUp       string   // what it triggered, e.g. "resend_invoice:msg_…"
	Actor          string
	CreatedAt      time.Time
	// Conversation: a call that reached the customer (Regulation F's
	// 7-day quiet period about the debt starts).
	Conversation bool
}

// InteractionFilter selects interactions.
type InteractionFilter struct {
	Page
	CustomerID string
}

// Message statuses (the outbox).
const (
	MessageQueued  = "queued"
	MessageSent    = "sent"
	MessageFailed  = "failed"
	MessageBounced = "bounced"
	// MessageWithdrawn: re-checked before it left, it was no longer true
	// or no longer wanted (the debt was paid, covered by a plan, disputed,
	// …); StatusReason says why. Nothing was sent.
	MessageWithdrawn = "withdrawn"
)

// MessageContext is what a collections message is about, kept so that it
// is re-checked and rendered again from the ledger when it is delivered.
type MessageContext struct {
	Currency   string     `json:"currency,omitempty"`
	InvoiceIDs []string   `json:"invoice_ids,omitempty"`
	PlanID     string     `json:"plan_id,omitempty"` // installment steps
	Seq        int        `json:"seq,omitempty"`
	StepOn     civil.Date `json:"step_on,omitzero"` // the date the case took the step
	PayBy      civil.Date `json:"pay_by,omitzero"`  // the deadline the step states
	Fee        bool       `json:"fee,omitempty"`    // the step states the statutory claim
	// Claims is the statutory claim the message states, per invoice: what
	// is posted to the ledger as charges when the first message of its
	// step is delivered (service/charges.go).
	Claims []ChargeLine `json:"claims,omitempty"`
}

// ChargeLine is one invoice's part of a statutory claim, in minor units of
// the message's currency.
type ChargeLine struct {
	InvoiceID string `json:"invoice_id"`
	Minor     int64  `json:"minor"`
}

// Message is one email, letter or SMS in the outbox.
type Message struct {
	ID             string // msg_…
	CustomerID     string
	Channel        string // email, letter, sms
	Step           string // e.g. invoice_resend, reminder_-3, firm_7
	Tone           string // direct, indirect
	Locale         string
	ScheduledFor   time.Time // UTC
	Status         string
	Subject        string
	Body           string
	InvoiceNumbers []string
	DedupeKey      string // unique when set: the same action is queued once
	Attempts       int
	LastError      string
	SentAt         *time.Time
	NextAttemptAt  *time.Time // after a temporary failure: not before then
	Attachments    []MessageAttachment
	ClaimedBy      string // the delivery worker holding it ("" when free)
	ClaimedAt      *time.Time
	CreatedAt      time.Time
	Context        MessageContext
	StatusReason   string // withdrawn: why
	// Staff control (docs/collections.md "The outbox"): a held message and
	// one awaiting approval stay queued and are not claimed for delivery.
	HeldAt           *time.Time
	HeldBy           string
	AwaitingApproval bool
	// Edited: staff edited the subject and body; delivery re-checks it but
	// does not render it again.
	Edited bool
}

// MessageAttachment is a file sent with a message (an invite, a letter).
type MessageAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data,omitempty"`
	// Spec, when set, is what a letter says (notify.MarshalLetter): its
	// PDF is laid out from it when it is wanted, and Data is empty.
	Spec json.RawMessage `json:"spec,omitempty"`
}

// MessageFilter selects messages.
type MessageFilter struct {
	Page
	CustomerID string
	Status     string
	Channel    string // email, letter, sms ("" every channel)
	// Control selects queued messages by staff control: "held",
	// "awaiting_approval" (and not held), "free" (neither); "" any.
	Control string
	Since   time.Time // scheduled_for >= Since (zero: no bound)
	Until   time.Time // scheduled_for < Until (zero: no bound)
}

// Run statuses.
const (
	RunRunning = "running"
	RunDone    = "done"
)

// CustomerWake is when the daily run next needs a customer.
type CustomerWake struct {
	CustomerID string
	On         civil.Date // WakeNever: only a change wakes the customer
	Version    int64      // as read by CustomerWakeVersions
}

// The wake dates that are not dates: due at the next run, and never by
// time alone. The stores' triggers set WakeNow on every change.
var (
	WakeNow   = civil.New(1, time.January, 1)
	WakeNever = civil.New(9999, time.December, 31)
)

// Run is the collections run for one date: idempotent per date.
type Run struct {
	ID         string // run_…
	AsOf       civil.Date
	Status     string // running, done
	Customers  int    // customers to visit
	Done       int    // customers visited
	Messages   int    // created by this run
	Tasks      int
	Events     int
	StartedAt  time.Time
	FinishedAt *time.Time
}

// RunCustomer is one customer's place in a run: visited once.
type RunCustomer struct {
	RunID      string
	CustomerID string
	Status     string // pending, done
	ClaimedBy  string // the worker that claimed it ("" while pending)
	ClaimedAt  *time.Time
}

// CollectionStep records that a ladder step was taken for an invoice (or
// a plan installment): each at most once.
type CollectionStep struct {
	SubjectID  string // inv_… or pln_…#seq
	CustomerID string // whose subject it is
	Step       string // e.g. reminder, firm, demand, installment_missed
	RunID      string
	On         civil.Date
	MessageID  string // the message it went into, if any
	TaskID     string // the task it created, if any
}

// Task statuses and outcomes.
const (
	TaskOpen    = "open"
	TaskClaimed = "claimed"
	TaskDone    = "done"
	// TaskWithdrawn: the task became moot before anyone did it (the debt
	// was paid, covered, disputed); StatusReason says why.
	TaskWithdrawn = "withdrawn"
)

// Task is work for a person: a call, a review, a legal referral.
type Task struct {
	ID         string // tsk_…
	CustomerID string
	Queue      string // tier1, tier2, legal
	Kind       string // call, review, legal_review, …
	DueAt      time.Time
	Priority   int64 // higher first: amount × risk × age
	Status     string
	Reason     string
	InvoiceIDs []string // the invoices it is about
	RunID      string
	DedupeKey  string // unique when set
	ClaimedBy  string
	ClaimedAt  *time.Time
	Outcome    string // reached, promise_made, dispute_raised, no_answer, …
	Note       string
	DoneAt     *time.Time
	CreatedAt  time.Time
	// StatusReason: withdrawn, why.
	StatusReason string
}

// Case is a collection case: one per customer and currency with open
// overdue items (docs/collections.md). Step is the last escalation step
// taken ("" none yet), StepOn when, Deadline the pay-by date it stated;
// Prev* is the step before, restored when the last step is withdrawn
// before it left.
type Case struct {
	CustomerID   string
	Currency     string
	OpenedOn     civil.Date
	Step         string
	StepOn       civil.Date
	Deadline     civil.Date
	PrevStep     string
	PrevStepOn   civil.Date
	PrevDeadline civil.Date
	UpdatedAt    time.Time
}

// TaskFilter selects tasks.
type TaskFilter struct {
	Page
	Queue      string
	CustomerID string
	Status     string
}

// Webhook is a subscription: events are POSTed to URL, signed with Secret.
type Webhook struct {
	ID        string // whk_…
	URL       string
	Secret    string // the HMAC-SHA256 key; shown to the subscriber once, never logged
	Events    []string
	Active    bool
	CreatedAt time.Time
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event to one subscription, with its attempts.
type WebhookDelivery struct {
	ID             string // dlv_…
	WebhookID      string
	EventID        string // evt_…: the same event id for every subscription
	Event          string // e.g. invoice.overdue
	Payload        []byte // JSON sent as the body
	Status         string
	Attempts       int
	LastStatusCode int
	LastError      string
	NextAttemptAt  time.Time
	DeliveredAt    *time.Time
	ClaimedBy      string
	ClaimedAt      *time.Time
	CreatedAt      time.Time
}

// Tx is one transaction's repository.
type Tx interface {
	// Now is the transaction's clock (injected; tests fix it).
	Now() time.Time

	InsertCustomer(ctx context.Context, c *ledger.Customer) error
	// UpdateCustomer writes c's fields but its CreditHold.
	UpdateCustomer(ctx context.Context, c *ledger.Customer) error
	// SetCustomerCreditHold writes a customer's credit hold and limit.
	SetCustomerCreditHold(ctx context.Context, customerID string, h ledger.CreditHold) error
	// Organisation returns the stored organisation settings; NotFound
	// while none were saved.
	Organisation(ctx context.Context) (*Organisation, error)
	// PutOrganisation stores the organisation settings (insert or replace).
	PutOrganisation(ctx context.Context, o *Organisation) error
	// Customer finds a customer by id (cus_…) or external_ref.
	Customer(ctx context.Context, idOrRef string) (*ledger.Customer, error)
	// LockCustomer holds the customer's row until the transaction ends
	// (PostgreSQL: FOR NO KEY UPDATE, which does not wait for the key-share
	// locks that inserts referencing the customer take), so that changes
	// of one customer's ledger run one after the other.
	LockCustomer(ctx context.Context, id string) error
	Customers(ctx context.Context, f CustomerFilter) (list []ledger.Customer, next string, err error)
	// CustomerIDsByRef returns external_ref → id for every customer that has one.
	CustomerIDsByRef(ctx context.Context) (map[string]string, error)
	// CustomersWithPayments returns those of customerIDs that have any payment.
	CustomersWithPayments(ctx context.Context, customerIDs []string) ([]string, error)

	InsertInvoice(ctx context.Context, inv *ledger.Invoice) error
	// InsertInvoices inserts a batch and returns the indexes of rows whose
	// number already existed (including earlier in the same batch); those
	// rows are not inserted. Any other failure aborts the batch.
	InsertInvoices(ctx context.Context, batch []ledger.Invoice) (conflicts []int, err error)
	// InvoicesByNumber returns the stored invoices with these numbers.
	InvoicesByNumber(ctx context.Context, numbers []string) (map[string]ledger.Invoice, error)
	UpdateInvoiceFlags(ctx context.Context, inv *ledger.Invoice) error
	// Invoice finds an invoice by id (inv_…) or number.
	Invoice(ctx context.Context, idOrNumber string) (*ledger.Invoice, error)
	Invoices(ctx context.Context, f InvoiceFilter) (list []ledger.Invoice, next string, err error)

	InsertPayment(ctx context.Context, p *ledger.Payment) error
	InsertPayments(ctx context.Context, batch []ledger.Payment) error
	// PaymentExists reports whether a payment with the same customer,
	// date, amount and reference is stored (idempotent payment imports).
	PaymentExists(ctx context.Context, p *ledger.Payment) (bool, error)
	Payment(ctx context.Context, id string) (*ledger.Payment, error)
	Payments(ctx context.Context, f PaymentFilter) (list []ledger.Payment, next string, err error)

	InsertPromise(ctx context.Context, p *ledger.Promise) error
	Promises(ctx context.Context, f PromiseFilter) (list []ledger.Promise, next string, err error)

	InsertPlan(ctx context.Context, p *plan.Plan) error
	// Plan loads a plan with its installments and invoices.
	Plan(ctx context.Context, id string) (*plan.Plan, error)
	// PlanForUpdate reads a plan and holds it until the transaction ends
	// (PostgreSQL: FOR NO KEY UPDATE), for a change of its status.
	PlanForUpdate(ctx context.Context, id string) (*plan.Plan, error)
	// UpdatePlanStatus stores a plan's status, acceptance and end.
	UpdatePlanStatus(ctx context.Context, p *plan.Plan) error
	// AppendPlanEvent records an event once: the same plan, kind and date
	// again is ignored (so replays and retries do not duplicate it).
	AppendPlanEvent(ctx context.Context, e *PlanEvent) error
	PlanEvents(ctx context.Context, planID string) ([]PlanEvent, error)
	// ActivePlans lists a customer's active plans.
	ActivePlans(ctx context.Context, customerID string) ([]string, error)
	// InvoicesInOpenPlans returns those of invoiceIDs covered by a
	// proposed or active plan, mapped to that plan's id.
	InvoicesInOpenPlans(ctx context.Context, invoiceIDs []string) (map[string]string, error)
	// InvoicesInOpenPlansFor is InvoicesInOpenPlans for every invoice of
	// several customers.
	InvoicesInOpenPlansFor(ctx context.Context, customerIDs []string) (map[string]string, error)

	// CustomerPlans lists the ids of all a customer's plans, any status, oldest first.
	CustomerPlans(ctx context.Context, customerID string) ([]string, error)

	// OpenBalances sums the stored open balances of all non-void invoices
	// per currency (today's receivables, for shares of the book).
	OpenBalances(ctx context.Context) (map[money.Currency]money.Wide, error)
	// CustomerOpenBalances is OpenBalances per customer, for the given
	// customers, keeping only balances of at least atLeast minor units (0:
	// every open balance; customers with none are absent).
	CustomerOpenBalances(ctx context.Context, customerIDs []string, atLeast int64) (map[string]map[money.Currency]money.Wide, error)

	// PutBudget inserts or replaces a customer's budget.
	PutBudget(ctx context.Context, b *Budget) error
	// Budget returns a customer's budget (NotFound when none was given).
	Budget(ctx context.Context, customerID string) (*Budget, error)

	// InsertPolicy stores a new policy; a second one for a segment is a Conflict.
	InsertPolicy(ctx context.Context, p *Policy) error
	// UpdatePolicy replaces a policy's body (and segment), bumping Version.
	UpdatePolicy(ctx context.Context, p *Policy) error
	// Policy finds a policy by id (pol_…) or segment.
	Policy(ctx context.Context, idOrSegment string) (*Policy, error)
	Policies(ctx context.Context, p Page) (list []Policy, next string, err error)

	InsertNegotiation(ctx context.Context, n *Negotiation) error
	// Negotiation loads one; forUpdate locks the row (PostgreSQL) so that
	// two counters to one negotiation run one after the other.
	Negotiation(ctx context.Context, id string, forUpdate bool) (*Negotiation, error)
	// UpdateNegotiation stores Status, Round, State, PlanID and UpdatedAt,
	// only if the stored Round is still prevRound (else a Conflict).
	UpdateNegotiation(ctx context.Context, n *Negotiation, prevRound int) error
	Negotiations(ctx context.Context, f NegotiationFilter) (list []Negotiation, next string, err error)
	// AppendNegotiationRound records a round; the same (negotiation, round) twice is a Conflict.
	AppendNegotiationRound(ctx context.Context, r *NegotiationRound) error
	NegotiationRounds(ctx context.Context, negotiationID string) ([]NegotiationRound, error)

	InsertInteraction(ctx context.Context, i *Interaction) error
	Interactions(ctx context.Context, f InteractionFilter) (list []Interaction, next string, err error)

	// InsertMessage queues a message; one with the DedupeKey of a stored
	// message is not inserted and returns that message's id with created=false.
	InsertMessage(ctx context.Context, m *Message) (id string, created bool, err error)
	Message(ctx context.Context, id string) (*Message, error)
	// ClaimMessages claims up to limit queued messages of channel whose
	// scheduled_for and next_attempt_at are at or before now, for worker
	// (PostgreSQL: FOR UPDATE SKIP LOCKED; a claim older than staleBefore
	// is taken over: its worker died mid-delivery), oldest scheduled first.
	ClaimMessages(ctx context.Context, channel, worker string, now, staleBefore time.Time, limit int) ([]Message, error)
	// UpdateMessageDelivery stores a delivery attempt's result: Status,
	// Attempts, LastError, SentAt, NextAttemptAt, and clears the claim —
	// only while the message is still claimed by m.ClaimedBy (as it was
	// claimed): when another sender took a stale claim over, it is a
	// Conflict and nothing changes.
	UpdateMessageDelivery(ctx context.Context, m *Message) error
	Messages(ctx context.Context, f MessageFilter) (list []Message, next string, err error)

	// InsertRun creates the run of a date; a second one for the same date
	// returns the stored run and created=false.
	InsertRun(ctx context.Context, r *Run) (run *Run, created bool, err error)
	Run(ctx context.Context, idOrDate string) (*Run, error)
	// UpdateRunCounts adds to a run's counters and sets its status.
	UpdateRunCounts(ctx context.Context, id string, done, messages, tasks, events int, status string, finishedAt *time.Time) error
	// AddRunCustomers adds customers to a run as pending (existing ones are
	// kept) and adds the number of customers it added to the run's Customers.
	AddRunCustomers(ctx context.Context, runID string, customerIDs []string) error
	// ClaimRunCustomers claims up to limit pending customers of a run for
	// worker (PostgreSQL: FOR UPDATE SKIP LOCKED, so that two workers never
	// claim the same one), and also reclaims customers claimed before
	// staleBefore and never finished (a worker that died).
	ClaimRunCustomers(ctx context.Context, runID, worker string, limit int, staleBefore time.Time) ([]string, error)
	// PendingRunCustomers lists, without claiming, up to limit customers
	// of a run that are pending and free (unclaimed, or claimed before
	// staleBefore), with ids after after, in id order.
	PendingRunCustomers(ctx context.Context, runID, after string, limit int, staleBefore time.Time) ([]string, error)
	// TakeRunCustomers marks, of the given customers, those still pending
	// and free (unclaimed, claimed before staleBefore, or by worker) done
	// by worker, and returns them in id order: the caller visits them in
	// the same transaction, so a crash leaves them pending. PostgreSQL
	// serialises two workers taking the same row.
	TakeRunCustomers(ctx context.Context, runID, worker string, customerIDs []string, staleBefore time.Time) ([]string, error)
	// FinishRunCustomers marks several customers done in a run.
	FinishRunCustomers(ctx context.Context, runID string, customerIDs []string) error
	// AddDueRunCustomers adds to a run, as pending, every customer whose
	// wake date (collect.NextWake) is on or before asOf, and returns how
	// many it added.
	AddDueRunCustomers(ctx context.Context, runID string, asOf civil.Date) (int, error)
	// CustomerWakeVersions reads the wake version of several customers (the
	// count of changes that woke them), to hand back to SetCustomerWakes.
	CustomerWakeVersions(ctx context.Context, ids []string) (map[string]int64, error)
	// SetCustomerWakes records when the run next needs each customer,
	// except a customer whose version moved since it was read (it changed
	// meanwhile, and stays due at the next run).
	SetCustomerWakes(ctx context.Context, wakes []CustomerWake) error
	// WakeAllCustomers makes every customer due at the next run (a ladder
	// policy changed).
	WakeAllCustomers(ctx context.Context) error
	// FinishRunCustomer marks a customer done in a run.
	FinishRunCustomer(ctx context.Context, runID, customerID string) error
	// CasesFor loads the collection cases of several customers (the run's
	// batches), per customer in currency order.
	CasesFor(ctx context.Context, customerIDs []string) (map[string][]Case, error)
	// CaseForUpdate reads one case (nil, nil when there is none), locking
	// it on PostgreSQL.
	CaseForUpdate(ctx context.Context, customerID, currency string) (*Case, error)
	// SaveCases writes cases (insert or replace, by customer and currency).
	SaveCases(ctx context.Context, cases []Case) error
	// DeleteCases removes closed cases, each named by customer and currency.
	DeleteCases(ctx context.Context, cases []Case) error
	// LiveMessagesFor returns the queued messages of several customers
	// (the run withdraws those a later step superseded), per customer in
	// id order.
	LiveMessagesFor(ctx context.Context, customerIDs []string) (map[string][]Message, error)
	// SentMessagesFor returns the sent messages of several customers (the
	// earlier steps a collections message names), per customer in id order.
	SentMessagesFor(ctx context.Context, customerIDs []string) (map[string][]Message, error)
	// WithdrawMessage marks a queued, unclaimed (or claimed by worker)
	// message withdrawn with a reason; false when it was no longer queued.
	WithdrawMessage(ctx context.Context, id, worker, reason string) (bool, error)
	// OpenTasksFor returns the open and claimed tasks of several customers,
	// per customer in id order.
	OpenTasksFor(ctx context.Context, customerIDs []string) (map[string][]Task, error)
	// MergeTask stores a task's Reason, InvoiceIDs, Priority and DueAt (a
	// new reason merged into an open task).
	MergeTask(ctx context.Context, t *Task) error
	// CustomerLedgers loads the ledgers of several customers at once (the
	// daily run's batches): invoices and payments per customer id, in id order.
	CustomerLedgers(ctx context.Context, customerIDs []string) (map[string][]ledger.Invoice, map[string][]ledger.Payment, error)
	// SetOptOut records (optedOut) or lifts an opt-out of a channel.
	SetOptOut(ctx context.Context, customerID, channel string, optedOut bool, source string) error
	// OptOuts returns the opted-out channels of several customers.
	OptOuts(ctx context.Context, customerIDs []string) (map[string]map[string]bool, error)
	// PromisesFor, ActivePlansFor and CallsFor load, for several customers
	// at once, their promises, their active plans' ids and their call
	// interactions (the daily run's batches), each in id order.
	PromisesFor(ctx context.Context, customerIDs []string) (map[string][]ledger.Promise, error)
	ActivePlansFor(ctx context.Context, customerIDs []string) (map[string][]string, error)
	CallsFor(ctx context.Context, customerIDs []string) (map[string][]Interaction, error)
	// CustomersByIDs loads several customers by id (unknown ids are absent).
	CustomersByIDs(ctx context.Context, ids []string) (map[string]ledger.Customer, error)
	// InsertCollectionSteps records several steps in one statement; created
	// tells, per step, whether it was new (as InsertCollectionStep).
	InsertCollectionSteps(ctx context.Context, steps []CollectionStep) (created []bool, err error)
	// InsertCollectionStep records a step once: created=false when the
	// subject already had that step (nothing is written).
	InsertCollectionStep(ctx context.Context, s *CollectionStep) (created bool, err error)
	// CollectionSteps returns the steps taken for the subjects.
	CollectionSteps(ctx context.Context, subjectIDs []string) (map[string][]CollectionStep, error)
	// StepsDoneFor is what the run needs of the steps of several
	// customers: the names of the steps taken, per subject.
	StepsDoneFor(ctx context.Context, customerIDs []string) (map[string]map[string]bool, error)

	// InsertTask creates a task; one with the DedupeKey of a stored task is
	// not inserted: that task's id and created=false are returned.
	InsertTask(ctx context.Context, t *Task) (id string, created bool, err error)
	Task(ctx context.Context, id string) (*Task, error)
	// UpdateTask stores status, claim, outcome, note and done time.
	UpdateTask(ctx context.Context, t *Task) error
	// TaskForUpdate reads a task and holds it (PostgreSQL: FOR UPDATE)
	// until the transaction ends, so that two agents acting on one task
	// at once are serialised and the second sees the first's change.
	TaskForUpdate(ctx context.Context, id string) (*Task, error)
	// InsertTasks and InsertMessages insert several at once, each skipped
	// when its dedupe key is taken, and return how many were created.
	InsertTasks(ctx context.Context, tasks []*Task) (created int, err error)
	InsertMessages(ctx context.Context, messages []*Message) (created int, err error)
	// Tasks lists tasks by priority (highest first), then due time, then id.
	Tasks(ctx context.Context, f TaskFilter) (list []Task, next string, err error)

	InsertWebhook(ctx context.Context, w *Webhook) error
	Webhook(ctx context.Context, id string) (*Webhook, error)
	Webhooks(ctx context.Context, p Page) (list []Webhook, next string, err error)
	// UpdateWebhook stores URL, Events and Active.
	UpdateWebhook(ctx context.Context, w *Webhook) error
	// WebhooksFor lists the active subscriptions to an event.
	WebhooksFor(ctx context.Context, event string) ([]Webhook, error)
	// InsertWebhookDelivery queues a delivery; the same (webhook, event id)
	// again is ignored (created=false).
	InsertWebhookDelivery(ctx context.Context, d *WebhookDelivery) (created bool, err error)
	// ClaimWebhookDeliveries claims up to limit pending deliveries whose
	// next attempt is due by now (SKIP LOCKED on PostgreSQL; claims older
	// than staleBefore are taken over), oldest first.
	ClaimWebhookDeliveries(ctx context.Context, worker string, now, staleBefore time.Time, limit int) ([]WebhookDelivery, error)
	// UpdateWebhookDelivery stores an attempt's result (Status, Attempts,
	// LastStatusCode, LastError, NextAttemptAt, DeliveredAt) and clears the
	// claim — only while d.ClaimedBy still holds it (else a Conflict).
	UpdateWebhookDelivery(ctx context.Context, d *WebhookDelivery) error
	// WebhookDeliveries lists a subscription's deliveries, newest first.
	WebhookDeliveries(ctx context.Context, webhookID string, p Page) (list []WebhookDelivery, next string, err error)

	// CustomerLedger loads everything Allocate needs for one customer.
	CustomerLedger(ctx context.Context, customerID string) ([]ledger.Invoice, []ledger.Payment, error)
	// ReplaceAllocations stores a fresh allocation of one customer's ledger:
	// its allocations, every invoice balance and every payment's unapplied part.
	ReplaceAllocations(ctx context.Context, customerID string, a ledger.Allocated) error
	// Allocations lists allocations of one payment or, with an invoice id, to one invoice.
	PaymentAllocations(ctx context.Context, paymentID string) ([]ledger.Allocation, error)
	CustomerAllocations(ctx context.Context, customerID string) ([]ledger.Allocation, error)
	// Unapplied sums customers' unapplied credit per currency.
	Unapplied(ctx context.Context, customerID string) (map[money.Currency]money.Wide, error)

	// OpenItems streams every invoice with an open balance as of f.AsOf.
	OpenItems(ctx context.Context, f OpenItemFilter, fn func(ledger.OpenItem) error) error
	// Sales sums invoices of currency issued from..to (inclusive), not void by to.
	Sales(ctx context.Context, currency money.Currency, from, to civil.Date) (money.Wide, error)
	// Currencies lists the currencies that invoices use.
	Currencies(ctx context.Context) ([]money.Currency, error)
	// Counts returns row counts per table (for demo and bench output).
	Counts(ctx context.Context) (map[string]int64, error)

	ImportByHash(ctx context.Context, kind, sha256 string) (*Import, error)
	InsertImport(ctx context.Context, im *Import) error
	// Uploads staged by the web UI's import page, and recent imports (staging.go).
	StagingTx
	PortalKeysTx
	PortalShortLinksTx // short portal links in reminders (portal.go)
	ARTx
	BankTx   // plan bank references and bank-statement lines (bank.go)
	OnlineTx // online payments (online.go)
	QueueTx  // queue depths for monitoring (queues.go)
	OutboxTx // staff control of the outbox and pauses (outbox.go)

	InsertToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens lists tokens in id (creation) order, revoked ones included.
	Tokens(ctx context.Context, p Page) (list []Token, next string, err error)
	// RevokeToken sets a token's RevokedAt (kept when it was revoked
	// already) and returns the token; NotFound for an unknown id.
	RevokeToken(ctx context.Context, id string, at time.Time) (*Token, error)

	AppendAudit(ctx context.Context, e *AuditEntry) error
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	Idempotency(ctx context.Context, actor, key string) (*IdempotencyRecord, error)
	// SaveIdempotency inserts a record; a second one for the same actor and
	// key is a Conflict. A record with Status 0 reserves the key while the
	// first request runs.
	SaveIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// FinishIdempotency stores the response to a reserved key (status 0 or
	// IdempotencyExecuted).
	FinishIdempotency(ctx context.Context, actor, key string, status int, body []byte) error
	// ReleaseIdempotency drops a reservation (Status 0) so the key can be retried.
	ReleaseIdempotency(ctx context.Context, actor, key string) error

	// ---- Staff users, their web sessions, and the dashboard's counts
	// (internal/web). Emails are compared lower-cased; sessions are keyed by
	// the hash of their secret.

	// InsertUser stores a new user; an email already taken is a Conflict.
	InsertUser(ctx context.Context, u *User) error
	// User finds a user by id (usr_…) or email (any case); NotFound otherwise.
	User(ctx context.Context, idOrEmail string) (*User, error)
	// Users lists users in id (creation) order.
	Users(ctx context.Context, p Page) (list []User, next string, err error)
	// UpdateUser stores Name, Role, PasswordHash and Disabled.
	UpdateUser(ctx context.Context, u *User) error
	// InsertSession stores a new session.
	InsertSession(ctx context.Context, s *Session) error
	// Session finds a session by id (the hash of its secret); NotFound otherwise.
	Session(ctx context.Context, id string) (*Session, error)
	// TouchSession sets a session's LastSeenAt.
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession removes a session (no error when it is gone already).
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions removes every session of a user (signed out
	// everywhere) and returns how many it removed.
	DeleteUserSessions(ctx context.Context, userID string) (int64, error)
	// DeleteEndedSessions removes sessions that expired before now or were
	// last seen before idleSince, and returns how many it removed.
	DeleteEndedSessions(ctx context.Context, now, idleSince time.Time) (int64, error)
	// PlanIDsByStatus lists the ids of all plans with a stored status, in id order.
	PlanIDsByStatus(ctx context.Context, status string) ([]string, error)
	// TaskCounts counts tasks per queue and status, by queue then status.
	TaskCounts(ctx context.Context) ([]TaskCount, error)
}

// User is a member of staff who signs in to the web UI.
type User struct {
	ID           string // usr_…
	Email        string // lower case, unique
	Name         string
	Role         string // admin, agent, viewer
	PasswordHash string // argon2id in PHC string format; never the password
	Disabled     bool
	CreatedAt    time.Time
}

// Session is a signed-in browser. Its ID is the SHA-256 (hex) of the
// secret in the session cookie; the secret itself is never stored.
type Session struct {
	ID         string
	UserID     string
	CSRFToken  string
	CreatedAt  time.Time
	ExpiresAt  time.Time // the absolute end
	LastSeenAt time.Time // for the idle limit
}

// TaskCount is how many tasks a queue holds in one status.
type TaskCount struct {
	Queue  string
	Status string
	Count  int64
}

// Organisation is the creditor's own details as admins saved them
// (service.Organisation fills what is unset from the configuration).
type Organisation struct {
	LegalName     string
	Address       ledger.Address
	CompanyNumber string // registration in the companies register
	VATID         string
	Phone         string
	Email         string
	Website       string
	// Bank account for transfers: free text, as the bank writes it.
	BankAccountHolder string
	BankAccountNumber string // IBAN or account number
	BankCode          string // BIC, sort code or routing number
	BankName          string
	UpdatedAt         time.Time
	UpdatedBy         string
}
