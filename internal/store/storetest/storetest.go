// Package storetest is the conformance suite that every store.Store engine
// must pass. An engine's tests call Run with a function that opens a fresh,
// empty, migrated store whose clock is Clock:
//
//	func TestSQLite_Store(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { … })
//	}
//
// Expected values are worked out by hand in the comments beside them; where
// the suite compares the store with the in-memory ledger (OpenItems against
// ledger.OpenItemsAsOf) it does so as a second, independent method.
package storetest

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"settle/internal/apperr"
	"settle/internal/civil"
	"settle/internal/ledger"
	"settle/internal/money"
	"settle/internal/plan"
	"settle/internal/store"
)

// Now is the fixed time of Clock. It has microseconds (the finest both
// engines store) so that round trips are exact.
var Now = time.Date(2026, 7, 1, 12, 30, 45, 123456000, time.UTC)

// Clock is the clock engines must open the store with.
func Clock() time.Time { return Now }

// Run runs every conformance test, each on a fresh store from open.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Store/Basics", testBasics},
		{"Customer/InsertAndGet", testCustomerInsertGet},
		{"Customer/Update", testCustomerUpdate},
		{"Customer/DuplicateExternalRef", testCustomerDuplicateRef},
		{"Customers/Pagination", testCustomersPagination},
		{"Customers/ByRefAndWithPayments", testCustomerIDsByRefAndWithPayments},
		{"Invoice/InsertAndGet", testInvoiceInsertGet},
		{"Invoice/DuplicateNumber", testInvoiceDuplicateNumber},
		{"Invoice/ForeignKeys", testForeignKeys},
		{"Invoice/UpdateFlags", testInvoiceUpdateFlags},
		{"InsertInvoices/NoConflicts", testInsertInvoicesNoConflicts},
		{"InsertInvoices/Conflicts", testInsertInvoicesConflicts},
		{"InsertInvoices/SmallBatch", testInsertInvoicesSmall},
		{"InvoicesByNumber", testInvoicesByNumber},
		{"Invoices/Filter", testInvoicesFilter},
		{"Payments/InsertAndList", testPayments},
		{"Promises/InsertAndList", testPromises},
		{"Plans/InsertLoadUpdate", testPlans},
		{"Plans/CustomerPlans", testCustomerPlans},
		{"RowLocks", testRowLocks},
		{"OpenBalances", testOpenBalances},
		{"Budgets", testBudgets},
		{"Policies", testPolicies},
		{"Negotiations", testNegotiations},
		{"Negotiations/Rounds", testNegotiationRounds},
		{"Negotiations/RoundsAppendOnly", testNegotiationRoundsAppendOnly},
		{"Interactions", testInteractions},
		{"Messages", testMessages},
		{"Messages/Claim", testMessageClaims},
		{"Customers/Wake", testWake},
		{"Claims/Superseded", testSupersededClaims},
		{"Tasks/InvoicesAndConversations", testCollectFields},
		{"Bulk/MessagesAndTasks", testBulkMessagesAndTasks},
		{"Runs/PeekAndClaim", testRunPeekAndClaim},
		{"Store/Analyze", testAnalyze},
		{"Messages/Delivery", testMessageDelivery},
		{"Messages/ConcurrentClaims", testMessageConcurrentClaims},
		{"Messages/DeliveryRoundTrip", testMessageDeliveryRoundTrip},
		{"Runs", testRuns},
		{"Runs/Customers", testRunCustomers},
		{"Runs/ManyCustomers", testRunManyCustomers},
		{"Runs/ConcurrentClaims", testRunConcurrentClaims},
		{"CollectionSteps", testCollectionSteps},
		{"CollectionSteps/Bulk", testCollectionStepsBulk},
		{"Batch/LedgersAndCustomers", testBatchLoads},
		{"OptOuts", testOptOuts},
		{"Tasks", testTasks},
		{"Tasks/List", testTasksList},
		{"Webhooks", testWebhooks},
		{"Webhooks/For", testWebhooksFor},
		{"WebhookDeliveries/Insert", testWebhookDeliveryInsert},
		{"WebhookDeliveries/Claim", testWebhookDeliveryClaims},
		{"WebhookDeliveries/Update", testWebhookDeliveryUpdate},
		{"WebhookDeliveries/ConcurrentClaims", testWebhookDeliveryConcurrentClaims},
		{"WebhookDeliveries/List", testWebhookDeliveriesList},
		{"ReplaceAllocations", testReplaceAllocations},
		{"OpenItems/HandWorked", testOpenItemsHand},
		{"OpenItems/MatchesLedger", testOpenItemsMatchLedger},
		{"Sales", testSales},
		{"Currencies", testCurrencies},
		{"Imports", testImports},
		{"Imports/Staged", testStagedUploads},
		{"Imports/Recent", testRecentImports},
		{"Tokens", testTokens},
		{"Tokens/ListRevoke", testTokensListRevoke},
		{"Tokens/Expiry", testTokensExpiry},
		{"PortalKeys/CreateOnce", testPortalKeys},
		{"PortalShortLinks", testPortalShortLinks},
		{"Online/Customers", testOnlineCustomers},
		{"Online/Intents", testOnlineIntents},
		{"Online/Mandates", testOnlineMandates},
		{"Online/Events", testOnlineEvents},
		{"Online/Disputes", testOnlineDisputes},
		{"Audit/AppendAndList", testAuditAppendList},
		{"Audit/AppendOnly", testAuditAppendOnly},
		{"Idempotency", testIdempotency},
		{"Tx/RollbackOnError", testTxRollbackOnError},
		{"Tx/RollbackOnPanic", testTxRollbackOnPanic},
		{"ReadTx", testReadTx},
		{"Messages/Attachments", testMessageAttachments},
		{"RoundTrip/CivilDates", testRoundTripDates},
		{"RoundTrip/Money", testRoundTripMoney},
		{"RoundTrip/TimesUTC", testRoundTripTimes},
		{"Users", testUsers},
		{"Sessions", testSessions},
		{"Dashboard/Counts", testDashboardCounts},
		{"Bank/PlanRefs", testPlanBankRefs},
		{"Bank/Lines", testBankLines},
		{"Queues/Depths", testQueueDepths},
		{"Customer/AddressOwnerHold", testCustomerAddressOwnerHold},
		{"Organisation", testOrganisation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			tt.fn(t, s)
		})
	}
}

// ---- helpers -------------------------------------------------------------------

const (
	USD = money.Currency("USD")
	EUR = money.Currency("EUR")
	JPY = money.Currency("JPY")
	BHD = money.Currency("BHD")
)

// cmpAmount compares money exactly: minor units and currency.
var cmpAmount = cmp.Comparer(func(a, b money.Amount) bool { return a == b })

// day reads a YYYY-MM-DD date of any year 0001..9999: not civil.Parse,
// whose input range is narrower than what the stores must hold.
func day(s string) civil.Date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return civil.Of(t)
}

// amt builds an amount from a decimal string. It uses ParseMinor, not
// Parse, so that fixtures may go beyond money's single-amount limit: the
// store must keep any int64 (data written before the limit existed).
func amt(s string, c money.Currency) money.Amount {
	if _, err := money.ParseCurrency(string(c)); err != nil {
		panic(err)
	}
	minor, err := money.ParseMinor(s, c.Digits())
	if err != nil {
		panic(err)
	}
	return money.New(minor, c)
}

// mustTx runs fn in a transaction and fails the test if it fails.
func mustTx(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Tx(t.Context(), fn); err != nil {
		t.Fatalf("Tx: %v", err)
	}
}

// wantCode fails unless err is an apperr with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := apperr.CodeOf(err); got != code {
		t.Errorf("error %v: code %q, want %q", err, got, code)
	}
}

// wantField fails unless err is an apperr naming field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok {
		t.Errorf("error %v is not an apperr", err)
		return
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return
		}
	}
	t.Errorf("error %v does not name field %q", err, field)
}

func newCustomer(ref string) ledger.Customer {
	return ledger.Customer{
		ExternalRef: ref, Name: "Customer " + ref, Email: "ar@example.com", Phone: "+1 555 0100",
		TimeZone: "America/New_York", Locale: "en-US", Kind: ledger.KindBusiness, Jurisdiction: "US",
		Segment: "standard", Style: ledger.StyleDirect, PaymentTermsDays: 30,
	}
}

func addCustomer(t *testing.T, s store.Store, c ledger.Customer) ledger.Customer {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertCustomer(t.Context(), &c) })
	return c
}

func newInvoice(c ledger.Customer, number, issue, due string, a money.Amount) ledger.Invoice {
	return ledger.Invoice{Number: number, CustomerID: c.ID, IssueDate: day(issue), DueDate: day(due), Amount: a}
}

func addInvoice(t *testing.T, s store.Store, inv ledger.Invoice) ledger.Invoice {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertInvoice(t.Context(), &inv) })
	return inv
}

func newPayment(c ledger.Customer, received string, a money.Amount) ledger.Payment {
	return ledger.Payment{Kind: ledger.KindPayment, CustomerID: c.ID, ReceivedOn: day(received), Amount: a, Method: "bank_transfer"}
}

func addPayment(t *testing.T, s store.Store, p ledger.Payment) ledger.Payment {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPayment(t.Context(), &p) })
	return p
}

func counts(t *testing.T, s store.Store) map[string]int64 {
	t.Helper()
	var out map[string]int64
	mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.Counts(t.Context()); return err })
	return out
}

func getInvoice(t *testing.T, s store.Store, idOrNumber string) *ledger.Invoice {
	t.Helper()
	var out *ledger.Invoice
	mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.Invoice(t.Context(), idOrNumber); return err })
	return out
}

// reallocate replays one customer's stored ledger and stores the result.
func reallocate(t *testing.T, s store.Store, customerID string) ledger.Allocated {
	t.Helper()
	var a ledger.Allocated
	mustTx(t, s, func(tx store.Tx) error {
		invs, pays, err := tx.CustomerLedger(t.Context(), customerID)
		if err != nil {
			return err
		}
		a = ledger.Allocate(invs, pays)
		return tx.ReplaceAllocations(t.Context(), customerID, a)
	})
	return a
}

func openItems(t *testing.T, s store.Store, f store.OpenItemFilter) []ledger.OpenItem {
	t.Helper()
	var out []ledger.OpenItem
	mustTx(t, s, func(tx store.Tx) error {
		return tx.OpenItems(t.Context(), f, func(it ledger.OpenItem) error { out = append(out, it); return nil })
	})
	return out
}

// sortOpenItems makes open item lists comparable (the store streams them in
// no particular order).
var sortOpenItems = cmpopts.SortSlices(func(a, b ledger.OpenItem) bool {
	if a.CustomerID != b.CustomerID {
		return a.CustomerID < b.CustomerID
	}
	if a.Currency != b.Currency {
		return a.Currency < b.Currency
	}
	if c := a.DueDate.Compare(b.DueDate); c != 0 {
		return c < 0
	}
	return a.Balance < b.Balance
})

// ---- the hand-worked ledger used by several tests ---------------------------------

// handLedger:
//
//	Customer X (ref X-1), USD:
//	  I1 R-1 issued 01-01 due 01-31 100.00
//	  I2 R-2 issued 01-10 due 02-09 200.00
//	  I3 R-3 issued 03-01 due 03-31  80.00
//	  I4 R-4 issued 01-05 due 02-04  70.00, voided 01-20
//	  P1 02-01 250.00 USD → I1 100.00, I2 150.00 (oldest due first; I4 void)
//	  P2 02-15 120.00 USD → I2 50.00; 70.00 credit → I3 70.00 on 03-01
//	  P3 02-20  30.00 EUR → no EUR invoice: 30.00 EUR unapplied
//	  Final: I1 paid, I2 paid, I3 open 10.00, I4 void (balance 70.00).
//	Customer Y (no external_ref):
//	  Y1 Y-1 EUR issued 02-01 due 03-03 500.00
//	  Y2 Y-2 JPY issued 02-10 due 02-10 12000
type handLedger struct {
	X, Y           ledger.Customer
	I1, I2, I3, I4 ledger.Invoice
	Y1, Y2         ledger.Invoice
	P1, P2, P3     ledger.Payment
	XAlloc, YAlloc ledger.Allocated
}

func seedHand(t *testing.T, s store.Store) *handLedger {
	t.Helper()
	h := &handLedger{}
	h.X = addCustomer(t, s, newCustomer("X-1"))
	h.Y = addCustomer(t, s, newCustomer(""))
	h.I1 = addInvoice(t, s, newInvoice(h.X, "R-1", "2026-01-01", "2026-01-31", amt("100.00", USD)))
	h.I2 = addInvoice(t, s, newInvoice(h.X, "R-2", "2026-01-10", "2026-02-09", amt("200.00", USD)))
	h.I3 = addInvoice(t, s, newInvoice(h.X, "R-3", "2026-03-01", "2026-03-31", amt("80.00", USD)))
	i4 := newInvoice(h.X, "R-4", "2026-01-05", "2026-02-04", amt("70.00", USD))
	i4.VoidedOn, i4.VoidReason = day("2026-01-20"), "duplicate"
	h.I4 = addInvoice(t, s, i4)
	h.Y1 = addInvoice(t, s, newInvoice(h.Y, "Y-1", "2026-02-01", "2026-03-03", amt("500.00", EUR)))
	h.Y2 = addInvoice(t, s, newInvoice(h.Y, "Y-2", "2026-02-10", "2026-02-10", amt("12000", JPY)))
	h.P1 = addPayment(t, s, newPayment(h.X, "2026-02-01", amt("250.00", USD)))
	h.P2 = addPayment(t, s, newPayment(h.X, "2026-02-15", amt("120.00", USD)))
	h.P3 = addPayment(t, s, newPayment(h.X, "2026-02-20", amt("30.00", EUR)))
	h.XAlloc = reallocate(t, s, h.X.ID)
	h.YAlloc = reallocate(t, s, h.Y.ID)
	return h
}

// ---- tests ---------------------------------------------------------------------------

func testBasics(t *testing.T, s store.Store) {
	ctx := t.Context()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
		t.Errorf("SchemaVersion = %d, %v; want >= 1", v, err)
	}
	if e := s.Engine(); e != "sqlite" && e != "postgres" {
		t.Errorf("Engine = %q", e)
	}
	want := map[string]int64{"customers": 0, "invoices": 0, "payments": 0, "allocations": 0, "promises": 0, "imports": 0, "audit_log": 0}
	if diff := cmp.Diff(want, counts(t, s)); diff != "" {
		t.Errorf("Counts of a fresh store (-want +got):\n%s", diff)
	}
	mustTx(t, s, func(tx store.Tx) error {
		if !tx.Now().Equal(Now) || tx.Now().Location() != time.UTC {
			t.Errorf("Tx.Now() = %v, want %v in UTC", tx.Now(), Now)
		}
		return nil
	})
}

func testCustomerInsertGet(t *testing.T, s store.Store) {
	in := ledger.Customer{
		ExternalRef: "ACME-1", Name: "Acme Ltd", Email: "ar@acme.example", Phone: "+44 20 7946 0958",
		TimeZone: "Europe/London", Locale: "en-GB", Kind: ledger.KindBusiness, Jurisdiction: "GB",
		Segment: "smb", Style: ledger.StyleIndirect, PaymentTermsDays: 45, ImportID: "imp_test",
	}
	c := addCustomer(t, s, in)
	if !strings.HasPrefix(c.ID, "cus_") || len(c.ID) != len("cus_")+26 {
		t.Fatalf("InsertCustomer assigned id %q, want cus_ + 26 characters", c.ID)
	}
	want := in
	want.ID, want.CreatedAt, want.UpdatedAt = c.ID, Now, Now
	// A customer without external_ref (NULL): two of them must not clash.
	n1 := addCustomer(t, s, newCustomer(""))
	n2 := addCustomer(t, s, newCustomer(""))

	tests := []struct {
		name, key string
		want      *ledger.Customer
		code      string
	}{
		{"by id", c.ID, &want, ""},
		{"by external_ref", "ACME-1", &want, ""},
		{"first without ref, by id", n1.ID, &n1, ""},
		{"second without ref, by id", n2.ID, &n2, ""},
		{"unknown id", "cus_00000000000000000000000000", nil, apperr.NotFound},
		{"unknown ref", "NOPE", nil, apperr.NotFound},
		{"empty ref does not match NULL", "", nil, apperr.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *ledger.Customer
			err := s.Tx(t.Context(), func(tx store.Tx) (err error) { got, err = tx.Customer(t.Context(), tt.key); return err })
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatalf("Customer(%q): %v", tt.key, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Customer(%q) mismatch (-want +got):\n%s", tt.key, diff)
			}
		})
	}
}

func testCustomerUpdate(t *testing.T, s store.Store) {
	in := newCustomer("OLD-1")
	in.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC) // before the clock's Now
	c := addCustomer(t, s, in)

	c.ExternalRef, c.Name, c.Segment, c.Style, c.PaymentTermsDays = "NEW-1", "Renamed", "vip", ledger.StyleIndirect, 60
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdateCustomer(t.Context(), &c) })

	want := c
	want.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC) // unchanged
	want.UpdatedAt = Now                                            // the transaction's clock
	var got *ledger.Customer
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Customer(t.Context(), "NEW-1"); return err })
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("after UpdateCustomer (-want +got):\n%s", diff)
	}
	err := s.Tx(t.Context(), func(tx store.Tx) error { _, err := tx.Customer(t.Context(), "OLD-1"); return err })
	wantCode(t, err, apperr.NotFound)

	ghost := newCustomer("GHOST")
	ghost.ID = "cus_00000000000000000000000000"
	err = s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateCustomer(t.Context(), &ghost) })
	wantCode(t, err, apperr.NotFound)
}

func testCustomerDuplicateRef(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("DUP-1"))
	b := addCustomer(t, s, newCustomer("OTHER-1"))

	dup := newCustomer("DUP-1")
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertCustomer(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)
	wantField(t, err, "external_ref")

	b.ExternalRef = "DUP-1"
	err = s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateCustomer(t.Context(), &b) })
	wantCode(t, err, apperr.Conflict)
	wantField(t, err, "external_ref")

	// Nothing changed: DUP-1 is still a, OTHER-1 still b, two customers.
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.Customer(t.Context(), "DUP-1")
		if err != nil || got.ID != a.ID {
			t.Errorf("DUP-1 = %v, %v; want %s", got, err, a.ID)
		}
		got, err = tx.Customer(t.Context(), "OTHER-1")
		if err != nil || got.ID != b.ID {
			t.Errorf("OTHER-1 = %v, %v; want %s", got, err, b.ID)
		}
		return nil
	})
	if n := counts(t, s)["customers"]; n != 2 {
		t.Errorf("%d customers, want 2", n)
	}
}

func testCustomersPagination(t *testing.T, s store.Store) {
	var ids []string
	for i := range 7 {
		c := newCustomer(fmt.Sprintf("PG-%d", i))
		if i == 2 || i == 5 {
			c.Segment = "vip"
		}
		if i == 4 {
			c.Name = `Acme 50%_off \ Co`
		}
		ids = append(ids, addCustomer(t, s, c).ID)
	}
	if !slices.IsSorted(ids) {
		t.Fatalf("ids not increasing in creation order: %v", ids)
	}
	// Limit 3 over 7: pages of 3, 3, 1; the cursor is the last id of a
	// page; the last page has no next cursor.
	var pages [][]string
	cursor := ""
	for range 5 {
		var list []ledger.Customer
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) {
			list, next, err = tx.Customers(t.Context(), store.CustomerFilter{Page: store.Page{Limit: 3, Cursor: cursor}})
			return err
		})
		var page []string
		for _, c := range list {
			page = append(page, c.ID)
		}
		pages = append(pages, page)
		if next == "" {
			break
		}
		if next != page[len(page)-1] {
			t.Errorf("next cursor %q is not the page's last id %q", next, page[len(page)-1])
		}
		cursor = next
	}
	want := [][]string{ids[0:3], ids[3:6], ids[6:7]}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}

	tests := []struct {
		name string
		f    store.CustomerFilter
		want []string
	}{
		{"default limit", store.CustomerFilter{}, ids},
		{"segment", store.CustomerFilter{Segment: "vip"}, []string{ids[2], ids[5]}},
		{"segment after cursor", store.CustomerFilter{Segment: "vip", Page: store.Page{Cursor: ids[2]}}, []string{ids[5]}},
		{"past the end", store.CustomerFilter{Page: store.Page{Cursor: ids[6]}}, nil},
		{"query a name, any case", store.CustomerFilter{Query: "CUSTOMER pg-3"}, []string{ids[3]}},
		{"query a ref", store.CustomerFilter{Query: "pg-4"}, []string{ids[4]}},
		{"query with segment", store.CustomerFilter{Query: "customer", Segment: "vip"}, []string{ids[2], ids[5]}},
		{"query: % is literal", store.CustomerFilter{Query: "%"}, []string{ids[4]}},
		{"query: _ is literal", store.CustomerFilter{Query: "0%_o"}, []string{ids[4]}},
		{"query: backslash is literal", store.CustomerFilter{Query: `\ co`}, []string{ids[4]}},
		{"query: nothing", store.CustomerFilter{Query: "zzz"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list []ledger.Customer
			var next string
			mustTx(t, s, func(tx store.Tx) (err error) { list, next, err = tx.Customers(t.Context(), tt.f); return err })
			var got []string
			for _, c := range list {
				got = append(got, c.ID)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || next != "" {
				t.Errorf("Customers(%+v) next %q (-want +got):\n%s", tt.f, next, diff)
			}
		})
	}
}

func testCustomerIDsByRefAndWithPayments(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("A-1"))
	b := addCustomer(t, s, newCustomer("B-1"))
	n := addCustomer(t, s, newCustomer(""))
	addPayment(t, s, newPayment(b, "2026-01-01", amt("1.00", USD)))
	addPayment(t, s, newPayment(b, "2026-01-02", amt("1.00", USD)))
	addPayment(t, s, newPayment(n, "2026-01-02", amt("1.00", USD)))
	mustTx(t, s, func(tx store.Tx) error {
		refs, err := tx.CustomerIDsByRef(t.Context())
		if err != nil {
			return err
		}
		if diff := cmp.Diff(map[string]string{"A-1": a.ID, "B-1": b.ID}, refs); diff != "" {
			t.Errorf("CustomerIDsByRef (-want +got):\n%s", diff)
		}
		with, err := tx.CustomersWithPayments(t.Context(), []string{a.ID, b.ID, n.ID, "cus_unknown"})
		if err != nil {
			return err
		}
		want := []string{b.ID, n.ID}
		slices.Sort(want)
		if diff := cmp.Diff(want, with); diff != "" {
			t.Errorf("CustomersWithPayments (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testInvoiceInsertGet(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("C-1"))
	in := ledger.Invoice{Number: "INV-0001", CustomerID: c.ID, IssueDate: day("2026-03-01"), DueDate: day("2026-03-31"),
		Amount: amt("1234.56", USD), Disputed: true, ImportID: "imp_x"}
	inv := addInvoice(t, s, in)
	if !strings.HasPrefix(inv.ID, "inv_") {
		t.Fatalf("InsertInvoice assigned id %q", inv.ID)
	}
	want := in
	want.ID, want.CreatedAt, want.Balance = inv.ID, Now, amt("1234.56", USD) // a new invoice is wholly open
	for _, key := range []string{inv.ID, "INV-0001"} {
		got := getInvoice(t, s, key)
		if diff := cmp.Diff(&want, got, cmpAmount); diff != "" {
			t.Errorf("Invoice(%q) (-want +got):\n%s", key, diff)
		}
		if got.Status() != ledger.StatusOpen {
			t.Errorf("Status = %s, want open", got.Status())
		}
	}
	for _, key := range []string{"INV-NOPE", "inv_00000000000000000000000000"} {
		err := s.Tx(t.Context(), func(tx store.Tx) error { _, err := tx.Invoice(t.Context(), key); return err })
		wantCode(t, err, apperr.NotFound)
	}
}

func testInvoiceDuplicateNumber(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("C-1"))
	first := addInvoice(t, s, newInvoice(c, "DUP-1", "2026-01-01", "2026-01-31", amt("10.00", USD)))
	dup := newInvoice(c, "DUP-1", "2026-02-01", "2026-02-28", amt("99.00", USD))
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertInvoice(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)
	wantField(t, err, "number")
	if got := getInvoice(t, s, "DUP-1"); got.ID != first.ID || got.Amount != amt("10.00", USD) {
		t.Errorf("DUP-1 = %+v, want the first invoice unchanged", got)
	}
}

func testForeignKeys(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("C-1"))
	addInvoice(t, s, newInvoice(c, "FK-1", "2026-01-01", "2026-01-31", amt("10.00", USD)))
	pay := addPayment(t, s, newPayment(c, "2026-01-05", amt("5.00", USD)))
	ghost := ledger.Customer{ID: "cus_00000000000000000000000000"}
	tests := []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"invoice for unknown customer", func(tx store.Tx) error {
			i := newInvoice(ghost, "FK-2", "2026-01-01", "2026-01-31", amt("1.00", USD))
			return tx.InsertInvoice(t.Context(), &i)
		}},
		{"payment for unknown customer", func(tx store.Tx) error {
			p := newPayment(ghost, "2026-01-01", amt("1.00", USD))
			return tx.InsertPayment(t.Context(), &p)
		}},
		{"payment naming unknown invoice", func(tx store.Tx) error {
			p := newPayment(c, "2026-01-01", amt("1.00", USD))
			p.InvoiceID = "inv_00000000000000000000000000"
			return tx.InsertPayment(t.Context(), &p)
		}},
		{"promise of unknown customer", func(tx store.Tx) error {
			p := ledger.Promise{CustomerID: "cus_00000000000000000000000000", Amount: amt("1.00", USD), PromisedOn: day("2026-01-05"), DueDate: day("2026-01-06"), Channel: "call"}
			return tx.InsertPromise(t.Context(), &p)
		}},
		{"allocation to unknown invoice", func(tx store.Tx) error {
			return tx.ReplaceAllocations(t.Context(), c.ID, ledger.Allocated{Allocations: []ledger.Allocation{
				{PaymentID: pay.ID, InvoiceID: "inv_00000000000000000000000000", Amount: amt("1.00", USD), AppliedOn: day("2026-01-05")},
			}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Tx(t.Context(), tt.fn); err == nil {
				t.Errorf("succeeded; want a foreign key error")
			}
		})
	}
	want := map[string]int64{"customers": 1, "invoices": 1, "payments": 1, "allocations": 0, "promises": 0, "imports": 0, "audit_log": 0}
	if diff := cmp.Diff(want, counts(t, s)); diff != "" {
		t.Errorf("Counts after refused writes (-want +got):\n%s", diff)
	}
}

func testInvoiceUpdateFlags(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("C-1"))
	inv := addInvoice(t, s, newInvoice(c, "F-1", "2026-01-01", "2026-01-31", amt("10.00", USD)))
	inv.Disputed = true
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdateInvoiceFlags(t.Context(), &inv) })
	if got := getInvoice(t, s, inv.ID); !got.Disputed || !got.VoidedOn.IsZero() || got.Status() != ledger.StatusOpen {
		t.Errorf("after dispute: %+v", got)
	}
	inv.Disputed, inv.VoidedOn, inv.VoidReason = false, day("2026-02-01"), "issued in error"
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdateInvoiceFlags(t.Context(), &inv) })
	got := getInvoice(t, s, inv.ID)
	if got.Disputed || got.VoidedOn != day("2026-02-01") || got.VoidReason != "issued in error" || got.Status() != ledger.StatusVoid {
		t.Errorf("after void: %+v", got)
	}
	ghost := ledger.Invoice{ID: "inv_00000000000000000000000000"}
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateInvoiceFlags(t.Context(), &ghost) })
	wantCode(t, err, apperr.NotFound)
}

// bulkBatch makes n invoices numbered B-0000… with varied dates (including
// 2028-02-29), amounts, currencies and flags, so that every column is checked
// after a bulk load.
func bulkBatch(c ledger.Customer, n int) []ledger.Invoice {
	dates := []civil.Date{day("2026-01-01"), day("2028-02-29"), day("2027-12-31"), day("2000-02-29")}
	curs := []money.Currency{USD, EUR, JPY, BHD}
	out := make([]ledger.Invoice, n)
	for i := range out {
		issue := dates[i%len(dates)].AddDays(i % 17)
		out[i] = ledger.Invoice{
			Number: fmt.Sprintf("B-%04d", i), CustomerID: c.ID,
			IssueDate: issue, DueDate: issue.AddDays(30),
			Amount:   money.New(int64(1+i*37), curs[i%len(curs)]),
			Disputed: i%11 == 0, ImportID: "imp_bulk",
		}
		if i%13 == 0 {
			out[i].VoidedOn, out[i].VoidReason = issue.AddDays(1), "void"
		}
	}
	return out
}

// expectStored is what a freshly inserted invoice reads back as.
func expectStored(in ledger.Invoice) ledger.Invoice {
	in.CreatedAt = Now
	in.Balance = in.Amount
	return in
}

func invoicesByNumber(t *testing.T, s store.Store, numbers []string) map[string]ledger.Invoice {
	t.Helper()
	var out map[string]ledger.Invoice
	mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.InvoicesByNumber(t.Context(), numbers); return err })
	return out
}

func testInsertInvoicesNoConflicts(t *testing.T, s store.Store) {
	// 1,200 rows: PostgreSQL takes its COPY fast path (>= 256 rows).
	c := addCustomer(t, s, newCustomer("C-1"))
	batch := bulkBatch(c, 1200)
	var conflicts []int
	mustTx(t, s, func(tx store.Tx) (err error) { conflicts, err = tx.InsertInvoices(t.Context(), batch); return err })
	if len(conflicts) != 0 {
		t.Fatalf("conflicts = %v, want none", conflicts)
	}
	var numbers []string
	want := map[string]ledger.Invoice{}
	for _, inv := range batch {
		if !strings.HasPrefix(inv.ID, "inv_") {
			t.Fatalf("InsertInvoices left id %q", inv.ID)
		}
		numbers = append(numbers, inv.Number)
		want[inv.Number] = expectStored(inv)
	}
	if diff := cmp.Diff(want, invoicesByNumber(t, s, numbers), cmpAmount); diff != "" {
		t.Errorf("stored batch (-want +got):\n%s", diff)
	}
	if n := counts(t, s)["invoices"]; n != 1200 {
		t.Errorf("%d invoices, want 1200", n)
	}
}

func testInsertInvoicesConflicts(t *testing.T, s store.Store) {
	// 1,200 rows with three conflicts: B-0010 and B-0730 exist already, and
	// row 1150 repeats row 600's number. PostgreSQL's COPY fails on them and
	// the generic path must find exactly [10, 730, 1150] (bulk chunks are
	// 0–499, 500–999, 1000–1199, so the conflicts span all three).
	c := addCustomer(t, s, newCustomer("C-1"))
	pre10 := addInvoice(t, s, newInvoice(c, "B-0010", "2025-01-01", "2025-01-31", amt("1.11", USD)))
	pre730 := addInvoice(t, s, newInvoice(c, "B-0730", "2025-01-01", "2025-01-31", amt("7.30", EUR)))
	batch := bulkBatch(c, 1200)
	batch[1150].Number = "B-0600"

	var conflicts []int
	mustTx(t, s, func(tx store.Tx) (err error) { conflicts, err = tx.InsertInvoices(t.Context(), batch); return err })
	if diff := cmp.Diff([]int{10, 730, 1150}, conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}

	var numbers []string
	want := map[string]ledger.Invoice{}
	for i, inv := range batch {
		numbers = append(numbers, inv.Number)
		switch i {
		case 10:
			want[inv.Number] = pre10 // untouched
		case 730:
			want[inv.Number] = pre730
		case 1150: // B-0600 is row 600's
		default:
			want[inv.Number] = expectStored(inv)
		}
	}
	if diff := cmp.Diff(want, invoicesByNumber(t, s, numbers), cmpAmount); diff != "" {
		t.Errorf("stored invoices (-want +got):\n%s", diff)
	}
	// 2 pre-existing + 1,197 inserted; B-1150 was never a number in the batch.
	if n := counts(t, s)["invoices"]; n != 1199 {
		t.Errorf("%d invoices, want 1199", n)
	}
}

func testInsertInvoicesSmall(t *testing.T, s store.Store) {
	// Under PostgreSQL's COPY threshold: rows 1 (pre-existing S-2) and 4
	// (repeats row 0's S-1) conflict.
	c := addCustomer(t, s, newCustomer("C-1"))
	pre := addInvoice(t, s, newInvoice(c, "S-2", "2026-01-01", "2026-01-31", amt("2.00", USD)))
	batch := []ledger.Invoice{
		newInvoice(c, "S-1", "2026-02-01", "2026-03-03", amt("1.00", USD)),
		newInvoice(c, "S-2", "2026-02-01", "2026-03-03", amt("9.99", USD)),
		newInvoice(c, "S-3", "2028-02-29", "2028-03-30", amt("3", JPY)),
		newInvoice(c, "S-4", "2026-02-01", "2026-03-03", amt("0.004", BHD)),
		newInvoice(c, "S-1", "2026-02-02", "2026-03-04", amt("5.00", USD)),
	}
	var conflicts []int
	mustTx(t, s, func(tx store.Tx) (err error) { conflicts, err = tx.InsertInvoices(t.Context(), batch); return err })
	if diff := cmp.Diff([]int{1, 4}, conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	want := map[string]ledger.Invoice{
		"S-1": expectStored(batch[0]), "S-2": pre, "S-3": expectStored(batch[2]), "S-4": expectStored(batch[3]),
	}
	if diff := cmp.Diff(want, invoicesByNumber(t, s, []string{"S-1", "S-2", "S-3", "S-4"}), cmpAmount); diff != "" {
		t.Errorf("stored invoices (-want +got):\n%s", diff)
	}
	// An empty batch is a no-op.
	mustTx(t, s, func(tx store.Tx) (err error) { conflicts, err = tx.InsertInvoices(t.Context(), nil); return err })
	if len(conflicts) != 0 {
		t.Errorf("empty batch: conflicts %v", conflicts)
	}
}

func testInvoicesByNumber(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("C-1"))
	a := addInvoice(t, s, newInvoice(c, "N-A", "2026-01-01", "2026-01-31", amt("1.00", USD)))
	b := addInvoice(t, s, newInvoice(c, "N-B", "2026-01-02", "2026-02-01", amt("2.00", EUR)))
	addInvoice(t, s, newInvoice(c, "N-C", "2026-01-03", "2026-02-02", amt("3.00", USD)))
	tests := []struct {
		name    string
		numbers []string
		want    map[string]ledger.Invoice
	}{
		{"some known, some not", []string{"N-A", "N-X", "N-B"}, map[string]ledger.Invoice{"N-A": a, "N-B": b}},
		{"none", nil, map[string]ledger.Invoice{}},
		{"unknown only", []string{"N-X"}, map[string]ledger.Invoice{}},
		{"duplicates asked", []string{"N-A", "N-A"}, map[string]ledger.Invoice{"N-A": a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, invoicesByNumber(t, s, tt.numbers), cmpAmount, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("InvoicesByNumber(%v) (-want +got):\n%s", tt.numbers, diff)
			}
		})
	}
}

func testInvoicesFilter(t *testing.T, s store.Store) {
	h := seedHand(t, s)
	// Statuses after allocation (see handLedger): I1 paid, I2 paid, I3 open,
	// I4 void, Y1 open, Y2 open. Ids increase in insertion order.
	tests := []struct {
		name string
		f    store.InvoiceFilter
		want []string
	}{
		{"all", store.InvoiceFilter{}, []string{h.I1.ID, h.I2.ID, h.I3.ID, h.I4.ID, h.Y1.ID, h.Y2.ID}},
		{"customer X", store.InvoiceFilter{CustomerID: h.X.ID}, []string{h.I1.ID, h.I2.ID, h.I3.ID, h.I4.ID}},
		{"open", store.InvoiceFilter{Status: ledger.StatusOpen}, []string{h.I3.ID, h.Y1.ID, h.Y2.ID}},
		{"paid", store.InvoiceFilter{Status: ledger.StatusPaid}, []string{h.I1.ID, h.I2.ID}},
		{"void", store.InvoiceFilter{Status: ledger.StatusVoid}, []string{h.I4.ID}},
		{"EUR", store.InvoiceFilter{Currency: EUR}, []string{h.Y1.ID}},
		{"USD open of X", store.InvoiceFilter{CustomerID: h.X.ID, Currency: USD, Status: ledger.StatusOpen}, []string{h.I3.ID}},
		{"Y paid", store.InvoiceFilter{CustomerID: h.Y.ID, Status: ledger.StatusPaid}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list []ledger.Invoice
			mustTx(t, s, func(tx store.Tx) (err error) { list, _, err = tx.Invoices(t.Context(), tt.f); return err })
			var got []string
			for _, inv := range list {
				got = append(got, inv.ID)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Invoices(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
	t.Run("pages of 2", func(t *testing.T) {
		f := store.InvoiceFilter{CustomerID: h.X.ID, Page: store.Page{Limit: 2}}
		var p1, p2 []ledger.Invoice
		var n1, n2 string
		mustTx(t, s, func(tx store.Tx) (err error) { p1, n1, err = tx.Invoices(t.Context(), f); return err })
		f.Cursor = n1
		mustTx(t, s, func(tx store.Tx) (err error) { p2, n2, err = tx.Invoices(t.Context(), f); return err })
		got := []string{}
		for _, inv := range append(p1, p2...) {
			got = append(got, inv.ID)
		}
		if diff := cmp.Diff([]string{h.I1.ID, h.I2.ID, h.I3.ID, h.I4.ID}, got); diff != "" || n1 != h.I2.ID || n2 != "" {
			t.Errorf("pages: next %q, %q (want %q, \"\"); ids (-want +got):\n%s", n1, n2, h.I2.ID, diff)
		}
	})
	t.Run("bad status", func(t *testing.T) {
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, _, err := tx.Invoices(t.Context(), store.InvoiceFilter{Status: "overdue"})
			return err
		})
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, "status")
	})
}

func testPlans(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("PL-A"))
	i1 := addInvoice(t, s, newInvoice(c, "PL-1", "2026-01-01", "2026-01-31", amt("300.00", EUR)))
	i2 := addInvoice(t, s, newInvoice(c, "PL-2", "2026-02-01", "2026-03-03", amt("100.50", EUR)))
	p := plan.Plan{CustomerID: c.ID, Version: 1, Status: plan.Proposed, Balance: amt("400.50", EUR),
		InvoiceIDs: []string{i1.ID, i2.ID}, Methods: []string{"bank_transfer", "card"}, Autopay: true, AnnualRate: "0.05", EarlyPayoffDiscount: "0.02",
		Rules:       plan.Rules{GraceDays: 5, LateFee: amt("15.00", EUR), DefaultAfterMissed: 2, DefaultDaysLate: 60},
		Concessions: []plan.Concession{{Kind: "fee_waived", Amount: amt("45.00", EUR), Note: "goodwill"}},
		PolicyOverride: &plan.PolicyOverride{Reason: "hardship agreed with the director", By: "user:usr_ada", Segment: "retail",
			Breaches: []plan.PolicyBreach{{Field: "installments", Message: "36 monthly installments run 36 months; the policy for segment retail allows at most 24"}}},
		Installments: []plan.Installment{
			{Seq: 1, DueDate: day("2026-02-28"), Amount: amt("100.50", EUR), Principal: amt("100.50", EUR), Interest: amt("0.00", EUR), Down: true},
			{Seq: 2, DueDate: day("2026-03-31"), Amount: amt("201.00", EUR), Principal: amt("199.34", EUR), Interest: amt("1.66", EUR)},
			{Seq: 3, DueDate: day("2026-04-30"), Amount: amt("100.80", EUR), Principal: amt("100.66", EUR), Interest: amt("0.14", EUR)},
		}}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPlan(t.Context(), &p) })
	if !strings.HasPrefix(p.ID, "pln_") {
		t.Fatalf("InsertPlan assigned id %q", p.ID)
	}
	load := func() *plan.Plan {
		var got *plan.Plan
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Plan(t.Context(), p.ID); return err })
		return got
	}
	want := p
	want.CreatedAt = Now
	want.InvoiceIDs = append([]string(nil), p.InvoiceIDs...)
	sort.Strings(want.InvoiceIDs)
	if diff := cmp.Diff(&want, load(), cmpAmount); diff != "" {
		t.Errorf("Plan (-want +got):\n%s", diff)
	}
	var open map[string]string
	mustTx(t, s, func(tx store.Tx) (err error) {
		open, err = tx.InvoicesInOpenPlans(t.Context(), []string{i1.ID, "inv_x"})
		return err
	})
	if len(open) != 1 || open[i1.ID] != p.ID {
		t.Errorf("InvoicesInOpenPlans = %v", open)
	}
	at := Now.Add(time.Hour)
	p.Status, p.Acceptance = plan.Active, &plan.Acceptance{By: "Pat", At: at, Channel: "portal", IP: "192.0.2.7"}
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePlanStatus(t.Context(), &p) })
	// Events: the same plan, kind and date once; in order of writing.
	mustTx(t, s, func(tx store.Tx) error {
		for _, e := range []store.PlanEvent{{PlanID: p.ID, Kind: "plan_accepted", On: day("2026-02-01")},
			{PlanID: p.ID, Kind: "installment_missed", On: day("2026-03-06"), Detail: `{"seq":2}`},
			{PlanID: p.ID, Kind: "plan_accepted", On: day("2026-02-01")}} {
			if err := tx.AppendPlanEvent(t.Context(), &e); err != nil {
				return err
			}
		}
		return nil
	})
	var evs []store.PlanEvent
	var active []string
	mustTx(t, s, func(tx store.Tx) (err error) {
		if evs, err = tx.PlanEvents(t.Context(), p.ID); err != nil {
			return err
		}
		active, err = tx.ActivePlans(t.Context(), c.ID)
		return err
	})
	if len(evs) != 2 || evs[0].Kind != "plan_accepted" || evs[1].Detail != `{"seq":2}` || evs[1].On != day("2026-03-06") || !evs[0].At.Equal(Now) {
		t.Errorf("PlanEvents = %+v", evs)
	}
	if len(active) != 1 || active[0] != p.ID {
		t.Errorf("ActivePlans = %v", active)
	}
	if got := load(); got.Status != plan.Active || got.Acceptance == nil || !got.Acceptance.At.Equal(at) || got.Acceptance.IP != "192.0.2.7" || got.Acceptance.At.Location() != time.UTC {
		t.Errorf("after accept: %+v %+v", got.Status, got.Acceptance)
	}
	p.Status, p.EndedAt = plan.Cancelled, &at
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePlanStatus(t.Context(), &p) })
	mustTx(t, s, func(tx store.Tx) (err error) {
		open, err = tx.InvoicesInOpenPlans(t.Context(), []string{i1.ID})
		return err
	})
	if got := load(); got.Status != plan.Cancelled || got.EndedAt == nil || len(open) != 0 {
		t.Errorf("after cancel: %s ended %v, open %v", got.Status, got.EndedAt, open)
	}
	var err error
	mustTx(t, s, func(tx store.Tx) error { _, err = tx.Plan(t.Context(), "pln_missing"); return nil })
	wantCode(t, err, apperr.NotFound)
}

func testPromises(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("PR-A"))
	b := addCustomer(t, s, newCustomer("PR-B"))
	ps := []ledger.Promise{
		{CustomerID: a.ID, Amount: amt("500.00", USD), PromisedOn: day("2026-03-01"), DueDate: day("2026-03-15"), Channel: "call", Note: "après la paie"},
		{CustomerID: b.ID, Amount: amt("7000", JPY), PromisedOn: day("2028-02-29"), DueDate: day("2028-02-29"), Channel: "portal"},
		{CustomerID: a.ID, Amount: amt("1.234", BHD), PromisedOn: day("2026-04-01"), DueDate: day("2026-05-01"), Channel: "email"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ps {
			if err := tx.InsertPromise(t.Context(), &ps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for i := range ps {
		if !strings.HasPrefix(ps[i].ID, "prm_") {
			t.Fatalf("InsertPromise assigned id %q", ps[i].ID)
		}
		ps[i].CreatedAt = Now
	}
	var all, ofA []ledger.Promise
	var next string
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		if all, _, err = tx.Promises(t.Context(), store.PromiseFilter{}); err != nil {
			return err
		}
		ofA, next, err = tx.Promises(t.Context(), store.PromiseFilter{CustomerID: a.ID, Page: store.Page{Limit: 1}})
		return err
	})
	if diff := cmp.Diff(ps, all, cmpAmount); diff != "" {
		t.Errorf("Promises (-want +got):\n%s", diff)
	}
	if len(ofA) != 1 || ofA[0].ID != ps[0].ID || next != ps[0].ID {
		t.Errorf("first page of A's promises = %+v, next %q", ofA, next)
	}
	// A promise due before it was made is refused by the database too.
	bad := ledger.Promise{CustomerID: a.ID, Amount: amt("1.00", USD), PromisedOn: day("2026-03-02"), DueDate: day("2026-03-01"), Channel: "call"}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertPromise(t.Context(), &bad) }); err == nil {
		t.Error("a promise due before it was made was stored")
	}
}

func testPayments(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("A-1"))
	b := addCustomer(t, s, newCustomer("B-1"))
	inv := addInvoice(t, s, newInvoice(a, "PI-1", "2026-01-01", "2026-01-31", amt("100.00", USD)))

	one := ledger.Payment{Kind: ledger.KindPayment, CustomerID: a.ID, ReceivedOn: day("2026-01-15"), Amount: amt("40.00", USD),
		Method: "card", Reference: "REF-1", InvoiceID: inv.ID, ImportID: "imp_p"}
	one = addPayment(t, s, one)
	if !strings.HasPrefix(one.ID, "pay_") {
		t.Fatalf("InsertPayment assigned id %q", one.ID)
	}
	batch := []ledger.Payment{
		{Kind: ledger.KindCreditNote, CustomerID: a.ID, ReceivedOn: day("2026-01-20"), Amount: amt("5.000", BHD), Method: "credit_note"},
		{Kind: ledger.KindPayment, CustomerID: b.ID, ReceivedOn: day("2028-02-29"), Amount: amt("700", JPY), Method: "cash", Reference: "R"},
		{Kind: ledger.KindPayment, CustomerID: a.ID, ReceivedOn: day("2026-01-21"), Amount: amt("0.01", USD), Method: "check"},
	}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPayments(t.Context(), batch) })

	want := func(p ledger.Payment) ledger.Payment { p.CreatedAt = Now; return p }
	all := []ledger.Payment{want(one), want(batch[0]), want(batch[1]), want(batch[2])}
	ofA := []ledger.Payment{want(one), want(batch[0]), want(batch[2])}

	mustTx(t, s, func(tx store.Tx) error {
		for _, p := range all {
			got, err := tx.Payment(t.Context(), p.ID)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&p, got, cmpAmount); diff != "" {
				t.Errorf("Payment(%s) (-want +got):\n%s", p.ID, diff)
			}
		}
		_, err := tx.Payment(t.Context(), "pay_00000000000000000000000000")
		wantCode(t, err, apperr.NotFound)

		list, next, err := tx.Payments(t.Context(), store.PaymentFilter{})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(all, list, cmpAmount); diff != "" || next != "" {
			t.Errorf("Payments() next %q (-want +got):\n%s", next, diff)
		}
		list, _, err = tx.Payments(t.Context(), store.PaymentFilter{CustomerID: a.ID})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(ofA, list, cmpAmount); diff != "" {
			t.Errorf("Payments(customer A) (-want +got):\n%s", diff)
		}
		page1, next, err := tx.Payments(t.Context(), store.PaymentFilter{Page: store.Page{Limit: 3}})
		if err != nil {
			return err
		}
		page2, next2, err := tx.Payments(t.Context(), store.PaymentFilter{Page: store.Page{Limit: 3, Cursor: next}})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(all, append(page1, page2...), cmpAmount); diff != "" || next != all[2].ID || next2 != "" {
			t.Errorf("Payments pages: next %q, %q (-want +got):\n%s", next, next2, diff)
		}

		invs, pays, err := tx.CustomerLedger(t.Context(), a.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]ledger.Invoice{expectStored(inv)}, invs, cmpAmount); diff != "" {
			t.Errorf("CustomerLedger invoices (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(ofA, pays, cmpAmount); diff != "" {
			t.Errorf("CustomerLedger payments (-want +got):\n%s", diff)
		}

		// PaymentExists matches customer, date, amount (and currency),
		// reference and kind.
		exists := []struct {
			name string
			p    ledger.Payment
			want bool
		}{
			{"same", one, true},
			{"other date", func() ledger.Payment { p := one; p.ReceivedOn = day("2026-01-16"); return p }(), false},
			{"other amount", func() ledger.Payment { p := one; p.Amount = amt("40.01", USD); return p }(), false},
			{"other currency", func() ledger.Payment { p := one; p.Amount = amt("40.00", EUR); return p }(), false},
			{"other reference", func() ledger.Payment { p := one; p.Reference = "REF-2"; return p }(), false},
			{"other kind", func() ledger.Payment { p := one; p.Kind = ledger.KindCreditNote; return p }(), false},
			{"other customer", func() ledger.Payment { p := one; p.CustomerID = b.ID; return p }(), false},
		}
		for _, e := range exists {
			got, err := tx.PaymentExists(t.Context(), &e.p)
			if err != nil {
				return err
			}
			if got != e.want {
				t.Errorf("PaymentExists(%s) = %v, want %v", e.name, got, e.want)
			}
		}
		return nil
	})
}

func testReplaceAllocations(t *testing.T, s store.Store) {
	h := seedHand(t, s)
	// Hand-worked (see handLedger), ordered by applied_on, payment, invoice:
	want := []ledger.Allocation{
		{PaymentID: h.P1.ID, InvoiceID: h.I1.ID, Amount: amt("100.00", USD), AppliedOn: day("2026-02-01")},
		{PaymentID: h.P1.ID, InvoiceID: h.I2.ID, Amount: amt("150.00", USD), AppliedOn: day("2026-02-01")},
		{PaymentID: h.P2.ID, InvoiceID: h.I2.ID, Amount: amt("50.00", USD), AppliedOn: day("2026-02-15")},
		{PaymentID: h.P2.ID, InvoiceID: h.I3.ID, Amount: amt("70.00", USD), AppliedOn: day("2026-03-01")},
	}
	check := func(t *testing.T) {
		t.Helper()
		mustTx(t, s, func(tx store.Tx) error {
			got, err := tx.CustomerAllocations(t.Context(), h.X.ID)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
				t.Errorf("CustomerAllocations (-want +got):\n%s", diff)
			}
			for _, p := range []struct {
				id   string
				want []ledger.Allocation
			}{{h.P1.ID, want[0:2]}, {h.P2.ID, want[2:4]}, {h.P3.ID, nil}} {
				got, err := tx.PaymentAllocations(t.Context(), p.id)
				if err != nil {
					return err
				}
				if diff := cmp.Diff(p.want, got, cmpAmount, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("PaymentAllocations(%s) (-want +got):\n%s", p.id, diff)
				}
			}
			un, err := tx.Unapplied(t.Context(), h.X.ID)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(map[money.Currency]int64{EUR: 3000}, narrow(t, un)); diff != "" {
				t.Errorf("Unapplied(X) (-want +got):\n%s", diff)
			}
			un, err = tx.Unapplied(t.Context(), h.Y.ID)
			if err != nil {
				return err
			}
			if len(un) != 0 {
				t.Errorf("Unapplied(Y) = %v, want empty", un)
			}
			for _, w := range []struct {
				inv     ledger.Invoice
				balance money.Amount
				status  string
			}{
				{h.I1, amt("0", USD), ledger.StatusPaid},
				{h.I2, amt("0", USD), ledger.StatusPaid},
				{h.I3, amt("10.00", USD), ledger.StatusOpen},
				{h.I4, amt("70.00", USD), ledger.StatusVoid},
				{h.Y1, amt("500.00", EUR), ledger.StatusOpen},
				{h.Y2, amt("12000", JPY), ledger.StatusOpen},
			} {
				got, err := tx.Invoice(t.Context(), w.inv.ID)
				if err != nil {
					return err
				}
				if got.Balance != w.balance || got.Status() != w.status {
					t.Errorf("invoice %s: balance %v status %s, want %v %s", w.inv.Number, got.Balance, got.Status(), w.balance, w.status)
				}
			}
			return nil
		})
	}
	check(t)
	// Replacing again with the same allocation leaves the same rows (no duplicates).
	reallocate(t, s, h.X.ID)
	check(t)
	if n := counts(t, s)["allocations"]; n != 4 {
		t.Errorf("%d allocation rows, want 4", n)
	}
	// A new 10.00 USD payment on 03-05 pays off I3: the next replacement
	// adds exactly that allocation.
	p4 := addPayment(t, s, newPayment(h.X, "2026-03-05", amt("15.00", USD)))
	reallocate(t, s, h.X.ID)
	want = append(want, ledger.Allocation{PaymentID: p4.ID, InvoiceID: h.I3.ID, Amount: amt("10.00", USD), AppliedOn: day("2026-03-05")})
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.CustomerAllocations(t.Context(), h.X.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got, cmpAmount); diff != "" {
			t.Errorf("after new payment, CustomerAllocations (-want +got):\n%s", diff)
		}
		un, err := tx.Unapplied(t.Context(), h.X.ID)
		if err != nil {
			return err
		}
		// P4 keeps 5.00 USD; P3 still 30.00 EUR.
		if diff := cmp.Diff(map[money.Currency]int64{EUR: 3000, USD: 500}, narrow(t, un)); diff != "" {
			t.Errorf("Unapplied after new payment (-want +got):\n%s", diff)
		}
		inv, err := tx.Invoice(t.Context(), h.I3.ID)
		if err != nil {
			return err
		}
		if inv.Status() != ledger.StatusPaid {
			t.Errorf("I3 status %s, want paid", inv.Status())
		}
		return nil
	})
	// An empty replacement clears the customer's allocations and resets
	// unapplied amounts; customer Y is untouched throughout.
	mustTx(t, s, func(tx store.Tx) error {
		return tx.ReplaceAllocations(t.Context(), h.X.ID, ledger.Allocated{})
	})
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.CustomerAllocations(t.Context(), h.X.ID)
		if err != nil {
			return err
		}
		un, err := tx.Unapplied(t.Context(), h.X.ID)
		if err != nil {
			return err
		}
		if len(got) != 0 || len(un) != 0 {
			t.Errorf("after empty replacement: allocations %v, unapplied %v", got, un)
		}
		return nil
	})
}

func testOpenItemsHand(t *testing.T, s store.Store) {
	h := seedHand(t, s)
	x := func(cur money.Currency, due string, minor int64) ledger.OpenItem {
		return ledger.OpenItem{CustomerID: h.X.ID, ExternalRef: "X-1", Currency: cur, DueDate: day(due), Balance: minor}
	}
	y := func(cur money.Currency, due string, minor int64) ledger.OpenItem {
		return ledger.OpenItem{CustomerID: h.Y.ID, Currency: cur, DueDate: day(due), Balance: minor}
	}
	tests := []struct {
		name string
		f    store.OpenItemFilter
		want []ledger.OpenItem
	}{
		// Nothing issued yet.
		{"2025-12-31", store.OpenItemFilter{AsOf: day("2025-12-31")}, nil},
		// I1, I2 issued and unpaid; I4 issued 01-05 and void only from 01-20.
		{"2026-01-15", store.OpenItemFilter{AsOf: day("2026-01-15")},
			[]ledger.OpenItem{x(USD, "2026-01-31", 10000), x(USD, "2026-02-09", 20000), x(USD, "2026-02-04", 7000)}},
		// Void by its void date: I4 gone.
		{"2026-01-20", store.OpenItemFilter{AsOf: day("2026-01-20")},
			[]ledger.OpenItem{x(USD, "2026-01-31", 10000), x(USD, "2026-02-09", 20000)}},
		// P1 on 02-01 counts on 02-01: I1 paid, I2 200−150 = 50.00; Y1 issued today.
		{"2026-02-01", store.OpenItemFilter{AsOf: day("2026-02-01")},
			[]ledger.OpenItem{x(USD, "2026-02-09", 5000), y(EUR, "2026-03-03", 50000)}},
		// 02-28: I2 paid by P2 (02-15); Y1 and Y2 open.
		{"2026-02-28", store.OpenItemFilter{AsOf: day("2026-02-28")},
			[]ledger.OpenItem{y(EUR, "2026-03-03", 50000), y(JPY, "2026-02-10", 12000)}},
		// 03-01: I3 issued, takes 70.00 credit the same day: 10.00 open.
		{"2026-03-01", store.OpenItemFilter{AsOf: day("2026-03-01")},
			[]ledger.OpenItem{x(USD, "2026-03-31", 1000), y(EUR, "2026-03-03", 50000), y(JPY, "2026-02-10", 12000)}},
		{"2026-03-01 USD", store.OpenItemFilter{AsOf: day("2026-03-01"), Currency: USD},
			[]ledger.OpenItem{x(USD, "2026-03-31", 1000)}},
		{"2026-03-01 customer Y", store.OpenItemFilter{AsOf: day("2026-03-01"), CustomerID: h.Y.ID},
			[]ledger.OpenItem{y(EUR, "2026-03-03", 50000), y(JPY, "2026-02-10", 12000)}},
		{"2026-03-01 customer Y in JPY", store.OpenItemFilter{AsOf: day("2026-03-01"), CustomerID: h.Y.ID, Currency: JPY},
			[]ledger.OpenItem{y(JPY, "2026-02-10", 12000)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := openItems(t, s, tt.f)
			if diff := cmp.Diff(tt.want, got, sortOpenItems, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OpenItems(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
}

// testOpenItemsMatchLedger stores random ledgers (fixed seed) for several
// customers and checks, for many dates, that the store's aging query equals
// the in-memory ledger.OpenItemsAsOf over the same data.
func testOpenItemsMatchLedger(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(2026, 7))
	type book struct {
		c      ledger.Customer
		invs   []ledger.Invoice
		allocs []ledger.Allocation
	}
	var books []book
	base := day("2026-01-01")
	dates := map[civil.Date]bool{base.AddDays(-1): true, base.AddDays(400): true}
	for ci := range 5 {
		ref := fmt.Sprintf("R-%d", ci)
		if ci == 4 {
			ref = "" // NULL external_ref
		}
		c := addCustomer(t, s, newCustomer(ref))
		var invs []ledger.Invoice
		var pays []ledger.Payment
		mustTx(t, s, func(tx store.Tx) error {
			for i := range 3 + rng.IntN(10) {
				issue := base.AddDays(rng.IntN(120))
				inv := ledger.Invoice{
					Number: fmt.Sprintf("M-%d-%02d", ci, i), CustomerID: c.ID, IssueDate: issue, DueDate: issue.AddDays(rng.IntN(60)),
					Amount: money.New(1+rng.Int64N(100_000), []money.Currency{USD, USD, EUR}[rng.IntN(3)]), Disputed: rng.IntN(6) == 0,
				}
				if rng.IntN(6) == 0 {
					inv.VoidedOn = issue.AddDays(rng.IntN(40))
				}
				if err := tx.InsertInvoice(t.Context(), &inv); err != nil {
					return err
				}
				invs = append(invs, inv)
				dates[inv.IssueDate], dates[inv.DueDate] = true, true
				if !inv.VoidedOn.IsZero() {
					dates[inv.VoidedOn], dates[inv.VoidedOn.AddDays(-1)] = true, true
				}
			}
			for range rng.IntN(9) {
				p := ledger.Payment{Kind: ledger.KindPayment, CustomerID: c.ID, ReceivedOn: base.AddDays(rng.IntN(150)),
					Amount: money.New(1+rng.Int64N(120_000), []money.Currency{USD, USD, EUR}[rng.IntN(3)]), Method: "bank_transfer"}
				if rng.IntN(3) == 0 {
					p.InvoiceID = invs[rng.IntN(len(invs))].ID
				}
				if err := tx.InsertPayment(t.Context(), &p); err != nil {
					return err
				}
				pays = append(pays, p)
				dates[p.ReceivedOn], dates[p.ReceivedOn.AddDays(-1)] = true, true
			}
			return nil
		})
		// In memory: allocate the ledger as built here; in the store: the
		// same allocation, stored.
		a := ledger.Allocate(invs, pays)
		mustTx(t, s, func(tx store.Tx) error { return tx.ReplaceAllocations(t.Context(), c.ID, a) })
		books = append(books, book{c: c, invs: invs, allocs: a.Allocations})
	}
	var asOfs []civil.Date
	for d := range dates {
		asOfs = append(asOfs, d)
	}
	slices.SortFunc(asOfs, civil.Date.Compare)
	nonEmpty := 0
	for _, asOf := range asOfs {
		for _, f := range []store.OpenItemFilter{
			{AsOf: asOf},
			{AsOf: asOf, Currency: EUR},
			{AsOf: asOf, CustomerID: books[1].c.ID},
			{AsOf: asOf, CustomerID: books[4].c.ID, Currency: USD},
		} {
			var want []ledger.OpenItem
			for _, b := range books {
				if f.CustomerID != "" && f.CustomerID != b.c.ID {
					continue
				}
				for _, it := range ledger.OpenItemsAsOf(asOf, &b.c, b.invs, b.allocs) {
					if f.Currency == "" || it.Currency == f.Currency {
						want = append(want, it)
					}
				}
			}
			if len(want) > 0 {
				nonEmpty++
			}
			got := openItems(t, s, f)
			if diff := cmp.Diff(want, got, sortOpenItems, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("OpenItems(%s, currency %q, customer %q): (-ledger.OpenItemsAsOf +store):\n%s", asOf, f.Currency, f.CustomerID, diff)
			}
		}
	}
	t.Logf("%d dates × 4 filters compared, %d comparisons with open items", len(asOfs), nonEmpty)
	if nonEmpty == 0 {
		t.Fatal("no date had open items: the comparison proved nothing")
	}

	// AgingTotals, many dates at once, against an AgingReport over the
	// in-memory open items of each date — on every date above and on
	// each bucket's edges (due + 0/1, 30/31, 60/61, 90/91 days).
	edges := map[civil.Date]bool{}
	for d := range dates {
		edges[d] = true
	}
	for _, b := range books {
		for _, inv := range b.invs {
			for _, n := range []int{0, 1, 30, 31, 60, 61, 90, 91} {
				edges[inv.DueDate.AddDays(n)] = true
			}
		}
	}
	var all []civil.Date
	for d := range edges {
		all = append(all, d)
	}
	slices.SortFunc(all, civil.Date.Compare)
	checked, withMoney := 0, 0
	for start := 0; start < len(all); start += store.MaxAgingDates {
		batch := all[start:min(start+store.MaxAgingDates, len(all))]
		var got map[civil.Date][]ledger.Buckets
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.AgingTotals(t.Context(), batch); return err })
		for _, asOf := range batch {
			r := ledger.NewAgingReport(asOf)
			for _, b := range books {
				for _, it := range ledger.OpenItemsAsOf(asOf, &b.c, b.invs, b.allocs) {
					r.Add(it)
				}
			}
			want := r.Totals()
			if len(want) > 0 {
				withMoney++
			}
			if diff := cmp.Diff(want, got[asOf], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("AgingTotals(%s) (-aging report +store):\n%s", asOf, diff)
			}
			checked++
		}
	}
	t.Logf("AgingTotals: %d dates compared, %d with money open", checked, withMoney)
	if withMoney == 0 {
		t.Fatal("AgingTotals: no date had money open")
	}
	var empty map[civil.Date][]ledger.Buckets
	mustTx(t, s, func(tx store.Tx) (err error) { empty, err = tx.AgingTotals(t.Context(), nil); return err })
	if len(empty) != 0 {
		t.Errorf("AgingTotals(no dates) = %v", empty)
	}
	err := s.ReadTx(t.Context(), func(tx store.Tx) error {
		_, err := tx.AgingTotals(t.Context(), all[:min(len(all), store.MaxAgingDates+1)])
		return err
	})
	if len(all) > store.MaxAgingDates && err == nil {
		t.Errorf("AgingTotals over %d dates: no error", store.MaxAgingDates+1)
	}
}

func testSales(t *testing.T, s store.Store) {
	seedHand(t, s)
	tests := []struct {
		name     string
		cur      money.Currency
		from, to string
		want     int64
	}{
		// I1 100.00 + I2 200.00; I4 (70.00) is void by 01-31.
		{"USD January", USD, "2026-01-01", "2026-01-31", 30000},
		// I4 voided 01-20 is not void by 01-15: 100 + 200 + 70.
		{"USD to before the void", USD, "2026-01-01", "2026-01-15", 37000},
		// Only I4 issued 01-05 (I1 on 01-01 < from, I2 on 01-10 > to).
		{"inclusive bounds exclude outside", USD, "2026-01-02", "2026-01-09", 7000},
		{"one day", USD, "2026-01-10", "2026-01-10", 20000},
		{"USD year", USD, "2026-01-01", "2026-12-31", 38000},
		{"EUR year", EUR, "2026-01-01", "2026-12-31", 50000},
		{"JPY one day", JPY, "2026-02-10", "2026-02-10", 12000},
		{"currency without invoices", "GBP", "2026-01-01", "2026-12-31", 0},
		{"period without invoices", USD, "2027-01-01", "2027-12-31", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wide money.Wide
			mustTx(t, s, func(tx store.Tx) (err error) {
				wide, err = tx.Sales(t.Context(), tt.cur, day(tt.from), day(tt.to))
				return err
			})
			if got, ok := wide.Int64(); !ok || got != tt.want {
				t.Errorf("Sales(%s, %s, %s) = %d, want %d", tt.cur, tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func testCurrencies(t *testing.T, s store.Store) {
	var got []money.Currency
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Currencies(t.Context()); return err })
	if len(got) != 0 {
		t.Errorf("empty store: Currencies = %v", got)
	}
	seedHand(t, s) // USD, EUR, JPY invoices; a EUR payment adds nothing new
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Currencies(t.Context()); return err })
	if diff := cmp.Diff([]money.Currency{EUR, JPY, USD}, got); diff != "" {
		t.Errorf("Currencies (-want +got):\n%s", diff)
	}
}

func testImports(t *testing.T, s store.Store) {
	im := store.Import{Kind: "invoices", SHA256: strings.Repeat("ab", 32), Filename: "inv.csv", Rows: 10, Inserted: 7, Updated: 2, Unchanged: 1, Actor: "cli:test"}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertImport(t.Context(), &im) })
	if !strings.HasPrefix(im.ID, "imp_") {
		t.Fatalf("InsertImport assigned id %q", im.ID)
	}
	want := im
	want.CreatedAt = Now
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.ImportByHash(t.Context(), "invoices", im.SHA256)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("ImportByHash (-want +got):\n%s", diff)
		}
		for _, k := range []struct{ kind, sha string }{{"payments", im.SHA256}, {"invoices", strings.Repeat("cd", 32)}} {
			got, err := tx.ImportByHash(t.Context(), k.kind, k.sha)
			if err != nil || got != nil {
				t.Errorf("ImportByHash(%s, %s…) = %v, %v; want nil, nil", k.kind, k.sha[:4], got, err)
			}
		}
		return nil
	})
	dup := store.Import{Kind: "invoices", SHA256: im.SHA256, Actor: "cli:test"}
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertImport(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)
	// The same file as another kind is a different import.
	other := store.Import{Kind: "payments", SHA256: im.SHA256, Actor: "cli:test"}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertImport(t.Context(), &other) })
}

func testTokens(t *testing.T, s store.Store) {
	tok := store.Token{Name: "ci", Role: "agent", Hash: strings.Repeat("9f", 32)}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertToken(t.Context(), &tok) })
	if !strings.HasPrefix(tok.ID, "tok_") {
		t.Fatalf("InsertToken assigned id %q", tok.ID)
	}
	want := store.Token{ID: tok.ID, Name: "ci", Role: "agent", Hash: tok.Hash, CreatedAt: Now}
	mustTx(t, s, func(tx store.Tx) error {
		got, err := tx.TokenByHash(t.Context(), tok.Hash)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("TokenByHash (-want +got):\n%s", diff)
		}
		_, err = tx.TokenByHash(t.Context(), strings.Repeat("00", 32))
		wantCode(t, err, apperr.Unauthorized)
		_, err = tx.TokenByHash(t.Context(), "")
		wantCode(t, err, apperr.Unauthorized)
		return nil
	})
	bad := store.Token{Name: "x", Role: "superuser", Hash: "h2"}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertToken(t.Context(), &bad) }); err == nil {
		t.Errorf("InsertToken with role superuser succeeded; want a CHECK violation")
	}
}

func listAudit(t *testing.T, s store.Store, f store.AuditFilter) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.Audit(t.Context(), f); return err })
	return out
}

func testAuditAppendList(t *testing.T, s store.Store) {
	at := time.Date(2026, 2, 3, 4, 5, 6, 7000, time.UTC)
	entries := []store.AuditEntry{
		{Actor: "token:tok_1", Action: "customer.create", ObjectType: "customer", ObjectID: "cus_1", Detail: `{"name":"A"}`},
		{Actor: "system", Action: "invoice.void", ObjectType: "invoice", ObjectID: "inv_1", At: at},
		{Actor: "cli:ops", Action: "customer.update", ObjectType: "customer", ObjectID: "cus_1", Detail: `{"name":"B"}`},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range entries {
			if err := tx.AppendAudit(t.Context(), &entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if !(entries[0].Seq > 0 && entries[0].Seq < entries[1].Seq && entries[1].Seq < entries[2].Seq) {
		t.Fatalf("Seq not increasing: %d, %d, %d", entries[0].Seq, entries[1].Seq, entries[2].Seq)
	}
	want := []store.AuditEntry{
		{Seq: entries[0].Seq, At: Now, Actor: "token:tok_1", Action: "customer.create", ObjectType: "customer", ObjectID: "cus_1", Detail: `{"name":"A"}`},
		{Seq: entries[1].Seq, At: at, Actor: "system", Action: "invoice.void", ObjectType: "invoice", ObjectID: "inv_1", Detail: `{}`},
		{Seq: entries[2].Seq, At: Now, Actor: "cli:ops", Action: "customer.update", ObjectType: "customer", ObjectID: "cus_1", Detail: `{"name":"B"}`},
	}
	tests := []struct {
		name string
		f    store.AuditFilter
		want []store.AuditEntry
	}{
		{"all", store.AuditFilter{}, want},
		{"by object", store.AuditFilter{ObjectID: "cus_1"}, []store.AuditEntry{want[0], want[2]}},
		{"after seq", store.AuditFilter{AfterSeq: want[0].Seq}, want[1:]},
		{"limit", store.AuditFilter{Limit: 2}, want[:2]},
		{"object after seq", store.AuditFilter{ObjectID: "cus_1", AfterSeq: want[1].Seq}, want[2:]},
		{"unknown object", store.AuditFilter{ObjectID: "cus_9"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, listAudit(t, s, tt.f), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Audit(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
}

func testAuditAppendOnly(t *testing.T, s store.Store) {
	e := store.AuditEntry{Actor: "system", Action: "x.y", ObjectType: "x", ObjectID: "x_1"}
	mustTx(t, s, func(tx store.Tx) error { return tx.AppendAudit(t.Context(), &e) })
	before := listAudit(t, s, store.AuditFilter{})

	h, ok := s.(interface{ SQL() *sql.DB })
	if !ok {
		t.Fatalf("%T has no SQL() *sql.DB", s)
	}
	db := h.SQL()
	stmts := []string{
		fmt.Sprintf("UPDATE audit_log SET actor = 'mallory' WHERE seq = %d", e.Seq),
		"UPDATE audit_log SET detail = '{}'",
		fmt.Sprintf("DELETE FROM audit_log WHERE seq = %d", e.Seq),
		"DELETE FROM audit_log",
	}
	if s.Engine() == "postgres" {
		stmts = append(stmts, "TRUNCATE audit_log")
	}
	for _, q := range stmts {
		t.Run(q, func(t *testing.T) {
			if _, err := db.ExecContext(t.Context(), q); err == nil {
				t.Errorf("%s succeeded; audit_log must be append-only", q)
			} else if !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s failed with %v; want the append-only trigger's error", q, err)
			}
		})
	}
	if diff := cmp.Diff(before, listAudit(t, s, store.AuditFilter{})); diff != "" {
		t.Errorf("audit log changed (-before +after):\n%s", diff)
	}
}

func testIdempotency(t *testing.T, s store.Store) {
	get := func(t *testing.T, actor, key string) *store.IdempotencyRecord {
		t.Helper()
		var r *store.IdempotencyRecord
		mustTx(t, s, func(tx store.Tx) (err error) { r, err = tx.Idempotency(t.Context(), actor, key); return err })
		return r
	}
	if r := get(t, "tok_a", "k1"); r != nil {
		t.Fatalf("unknown key: %+v, want nil", r)
	}
	rec := store.IdempotencyRecord{Actor: "tok_a", Key: "k1", Method: "POST", Path: "/v1/customers",
		RequestHash: strings.Repeat("0a", 32), Status: 201, Body: []byte(`{"id":"cus_1"}` + "\x00\xff")}
	mustTx(t, s, func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &rec) })
	want := rec
	want.CreatedAt = Now
	if diff := cmp.Diff(&want, get(t, "tok_a", "k1")); diff != "" {
		t.Errorf("Idempotency (-want +got):\n%s", diff)
	}
	dup := rec
	dup.Status = 500
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)
	if diff := cmp.Diff(&want, get(t, "tok_a", "k1")); diff != "" {
		t.Errorf("after duplicate save, record changed (-want +got):\n%s", diff)
	}
	// Keys are per actor.
	other := rec
	other.Actor = "tok_b"
	mustTx(t, s, func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &other) })
	if r := get(t, "tok_b", "k1"); r == nil || r.Actor != "tok_b" {
		t.Errorf("tok_b's k1 = %+v", r)
	}

	// A response without a body (e.g. 204 No Content) must be storable: the
	// HTTP middleware passes bytes.Buffer.Bytes() of an empty buffer, which
	// is nil.
	t.Run("reserve, finish, release", func(t *testing.T) {
		res := store.IdempotencyRecord{Actor: "tok_r", Key: "r1", Method: "POST", Path: "/v1/payments", RequestHash: "h"}
		mustTx(t, s, func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &res) })
		if r := get(t, "tok_r", "r1"); r == nil || r.Status != 0 || len(r.Body) != 0 {
			t.Fatalf("reservation = %+v", r)
		}
		mustTx(t, s, func(tx store.Tx) error {
			return tx.FinishIdempotency(t.Context(), "tok_r", "r1", 201, []byte(`{"id":"pay_1"}`))
		})
		if r := get(t, "tok_r", "r1"); r == nil || r.Status != 201 || string(r.Body) != `{"id":"pay_1"}` {
			t.Fatalf("finished = %+v", r)
		}
		// A finished record is neither finished again nor released.
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.FinishIdempotency(t.Context(), "tok_r", "r1", 500, nil) })
		wantCode(t, err, apperr.Conflict)
		mustTx(t, s, func(tx store.Tx) error { return tx.ReleaseIdempotency(t.Context(), "tok_r", "r1") })
		if r := get(t, "tok_r", "r1"); r == nil || r.Status != 201 {
			t.Fatalf("after release of a finished key = %+v", r)
		}
		// A reservation is released, and the key is free again.
		res2 := store.IdempotencyRecord{Actor: "tok_r", Key: "r2", Method: "POST", Path: "/", RequestHash: "h"}
		mustTx(t, s, func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &res2) })
		mustTx(t, s, func(tx store.Tx) error { return tx.ReleaseIdempotency(t.Context(), "tok_r", "r2") })
		if r := get(t, "tok_r", "r2"); r != nil {
			t.Fatalf("released key still stored: %+v", r)
		}
	})
	t.Run("empty body", func(t *testing.T) {
		for _, body := range [][]byte{{}, nil} {
			key := fmt.Sprintf("empty-%v", body == nil)
			r := store.IdempotencyRecord{Actor: "tok_a", Key: key, Method: "DELETE", Path: "/v1/x", RequestHash: "h", Status: 204, Body: body}
			if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.SaveIdempotency(t.Context(), &r) }); err != nil {
				t.Errorf("SaveIdempotency with body %#v: %v", body, err)
				continue
			}
			if got := get(t, "tok_a", key); got == nil || len(got.Body) != 0 || got.Status != 204 {
				t.Errorf("Idempotency(%s) = %+v", key, got)
			}
		}
	})
}

var errRollback = errors.New("storetest: roll back")

// writeEverything writes one row of each kind in tx.
func writeEverything(t *testing.T, tx store.Tx) error {
	ctx := t.Context()
	c := newCustomer("RB-1")
	if err := tx.InsertCustomer(ctx, &c); err != nil {
		return err
	}
	inv := newInvoice(c, "RB-INV", "2026-01-01", "2026-01-31", amt("1.00", USD))
	if err := tx.InsertInvoice(ctx, &inv); err != nil {
		return err
	}
	p := newPayment(c, "2026-01-02", amt("1.00", USD))
	if err := tx.InsertPayment(ctx, &p); err != nil {
		return err
	}
	pr := ledger.Promise{CustomerID: p.CustomerID, Amount: p.Amount, PromisedOn: p.ReceivedOn, DueDate: p.ReceivedOn, Channel: "call"}
	if err := tx.InsertPromise(ctx, &pr); err != nil {
		return err
	}
	a := ledger.Allocate([]ledger.Invoice{inv}, []ledger.Payment{p})
	if err := tx.ReplaceAllocations(ctx, c.ID, a); err != nil {
		return err
	}
	if err := tx.InsertImport(ctx, &store.Import{Kind: "invoices", SHA256: "rb", Actor: "t"}); err != nil {
		return err
	}
	if err := tx.InsertToken(ctx, &store.Token{Name: "rb", Role: "admin", Hash: "rb-hash"}); err != nil {
		return err
	}
	if err := tx.AppendAudit(ctx, &store.AuditEntry{Actor: "t", Action: "a", ObjectType: "o", ObjectID: "o_1"}); err != nil {
		return err
	}
	return tx.SaveIdempotency(ctx, &store.IdempotencyRecord{Actor: "t", Key: "rb", Method: "POST", Path: "/", RequestHash: "h", Status: 200, Body: []byte("{}")})
}

func assertNothingLeft(t *testing.T, s store.Store) {
	t.Helper()
	want := map[string]int64{"customers": 0, "invoices": 0, "payments": 0, "allocations": 0, "promises": 0, "imports": 0, "audit_log": 0}
	if diff := cmp.Diff(want, counts(t, s)); diff != "" {
		t.Errorf("rows left after rollback (-want +got):\n%s", diff)
	}
	mustTx(t, s, func(tx store.Tx) error {
		_, err := tx.TokenByHash(t.Context(), "rb-hash")
		wantCode(t, err, apperr.Unauthorized)
		r, err := tx.Idempotency(t.Context(), "t", "rb")
		if err != nil || r != nil {
			t.Errorf("idempotency record left: %+v, %v", r, err)
		}
		return nil
	})
}

func testTxRollbackOnError(t *testing.T, s store.Store) {
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		if err := writeEverything(t, tx); err != nil {
			t.Fatalf("writes inside the transaction failed: %v", err)
		}
		return fmt.Errorf("wrapped: %w", errRollback)
	})
	if !errors.Is(err, errRollback) {
		t.Errorf("Tx returned %v, want fn's error", err)
	}
	assertNothingLeft(t, s)
	// The store still works afterwards.
	addCustomer(t, s, newCustomer("AFTER"))
}

// A message's attachments come back byte for byte.
func testMessageAttachments(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("ATT"))
	ics := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n\x00\xff")
	m := &store.Message{CustomerID: c.ID, Channel: "email", Step: "follow_up", Tone: "direct", Locale: "en", ScheduledFor: time.Now(),
		Status: store.MessageQueued, Subject: "s", Body: "b",
		Attachments: []store.MessageAttachment{{Name: "invite.ics", ContentType: "text/calendar; method=REQUEST", Data: ics}}}
	var plain *store.Message
	err := s.Tx(t.Context(), func(tx store.Tx) error {
		if _, _, err := tx.InsertMessage(t.Context(), m); err != nil {
			return err
		}
		plain = &store.Message{CustomerID: c.ID, Channel: "email", Step: "x", ScheduledFor: time.Now(), Status: store.MessageQueued}
		_, _, err := tx.InsertMessage(t.Context(), plain)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Tx(t.Context(), func(tx store.Tx) error {
		got, err := tx.Message(t.Context(), m.ID)
		if err != nil {
			return err
		}
		if len(got.Attachments) != 1 || got.Attachments[0].Name != "invite.ics" || string(got.Attachments[0].Data) != string(ics) ||
			got.Attachments[0].ContentType != "text/calendar; method=REQUEST" {
			t.Errorf("attachments = %+v", got.Attachments)
		}
		p, err := tx.Message(t.Context(), plain.ID)
		if err != nil {
			return err
		}
		if len(p.Attachments) != 0 {
			t.Errorf("a message without attachments read back %+v", p.Attachments)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// claimConcurrently has workers claim at the same time, each in its own
// transaction, and checks that no two get the same id and none gets more
// than limit; it returns who claimed what. On PostgreSQL every worker
// keeps its transaction open until all have claimed, so the claims
// overlap (FOR UPDATE SKIP LOCKED passes over the rows another holds);
// SQLite runs one write transaction at a time, so there they follow one
// another. noun names the things claimed in messages.
func claimConcurrently(t *testing.T, s store.Store, workers, limit, want int, noun string, claim func(tx store.Tx, worker string) ([]string, error)) map[string]int {
	t.Helper()
	overlap := s.Engine() != "sqlite"
	claimed := make([][]string, workers)
	errs := make([]error, workers)
	var arrived, finished sync.WaitGroup
	arrived.Add(workers)
	allIn := make(chan struct{})
	go func() { arrived.Wait(); close(allIn) }()
	for w := range workers {
		finished.Add(1)
		go func() {
			defer finished.Done()
			errs[w] = s.Tx(t.Context(), func(tx store.Tx) error {
				ids, err := claim(tx, fmt.Sprintf("w%d", w))
				arrived.Done()
				if err != nil {
					return err
				}
				claimed[w] = ids
				if overlap {
					select {
					case <-allIn:
					case <-time.After(20 * time.Second):
						return errors.New("timed out waiting for the other workers to claim (a claim blocked?)")
					}
				}
				return nil
			})
		}()
	}
	finished.Wait()
	seen := map[string]int{}
	total := 0
	for w := range workers {
		if errs[w] != nil {
			t.Errorf("worker %d: %v", w, errs[w])
		}
		if len(claimed[w]) > limit {
			t.Errorf("worker %d claimed %d, limit %d", w, len(claimed[w]), limit)
		}
		for _, id := range claimed[w] {
			if prev, ok := seen[id]; ok {
				t.Errorf("%s claimed by workers %d and %d", id, prev, w)
			}
			seen[id] = w
		}
		total += len(claimed[w])
	}
	if total != want || len(seen) != want {
		t.Errorf("claimed %d %s (%d distinct), want %d: %v", total, noun, len(seen), want, claimed)
	}
	return seen
}

// ReadTx sees committed data, refuses writes, and does not wait for an
// open write transaction (it reads the snapshot before it).
func testReadTx(t *testing.T, s store.Store) {
	addCustomer(t, s, newCustomer("READ-1"))
	err := s.ReadTx(t.Context(), func(tx store.Tx) error {
		c, err := tx.Customer(t.Context(), "READ-1")
		if err != nil {
			return err
		}
		if c.Name == "" {
			t.Errorf("read back %+v", c)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadTx: %v", err)
	}
	err = s.ReadTx(t.Context(), func(tx store.Tx) error {
		c := newCustomer("READ-2")
		return tx.InsertCustomer(t.Context(), &c)
	})
	if err == nil {
		t.Error("a write inside ReadTx succeeded")
	}
	// A reader while a writer holds its transaction open.
	inWrite, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Tx(t.Context(), func(tx store.Tx) error {
			c := newCustomer("READ-3")
			if err := tx.InsertCustomer(t.Context(), &c); err != nil {
				return err
			}
			close(inWrite)
			<-release
			return nil
		})
	}()
	<-inWrite
	readDone := make(chan error, 1)
	go func() {
		readDone <- s.ReadTx(t.Context(), func(tx store.Tx) error {
			_, err := tx.Customer(t.Context(), "READ-3")
			if apperr.CodeOf(err) != apperr.NotFound {
				return fmt.Errorf("uncommitted customer visible to a reader: %v", err)
			}
			return nil
		})
	}()
	select {
	case err := <-readDone:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Error("ReadTx waited for the writer")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func testTxRollbackOnPanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if r := recover(); r != "storetest boom" {
				t.Errorf("recovered %v, want the fn's panic to propagate", r)
			}
		}()
		_ = s.Tx(t.Context(), func(tx store.Tx) error {
			if err := writeEverything(t, tx); err != nil {
				t.Fatalf("writes inside the transaction failed: %v", err)
			}
			panic("storetest boom")
		})
	}()
	assertNothingLeft(t, s)
	addCustomer(t, s, newCustomer("AFTER"))
}

// roundTripDates are stored and read back exactly: leap days, year ends and
// the ends of what a civil.Date and the stores hold (years 0001..9999).
// Input is bounded to civil.MinDate..MaxDate by civil.Parse, but rows
// stored before that bound still load, so the stores keep the full range.
var roundTripDates = []string{"2028-02-29", "2000-02-29", "1999-12-31", "2026-01-01", "2027-12-31", "2100-02-28", "0001-01-01", "9999-12-31"}

func testRoundTripDates(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("D-1"))
	for _, ds := range roundTripDates {
		t.Run(ds, func(t *testing.T) {
			d := day(ds)
			inv := addInvoice(t, s, ledger.Invoice{Number: "D-" + ds, CustomerID: c.ID, IssueDate: d, DueDate: d, Amount: amt("1.00", USD)})
			p := addPayment(t, s, ledger.Payment{Kind: ledger.KindPayment, CustomerID: c.ID, ReceivedOn: d, Amount: amt("0.40", USD), Method: "x", InvoiceID: inv.ID})
			mustTx(t, s, func(tx store.Tx) error {
				// Void a second copy on the same date.
				v := ledger.Invoice{Number: "DV-" + ds, CustomerID: c.ID, IssueDate: d, DueDate: d, Amount: amt("1.00", USD)}
				if err := tx.InsertInvoice(t.Context(), &v); err != nil {
					return err
				}
				v.VoidedOn = d
				if err := tx.UpdateInvoiceFlags(t.Context(), &v); err != nil {
					return err
				}
				got, err := tx.Invoice(t.Context(), v.ID)
				if err != nil {
					return err
				}
				if got.VoidedOn != d {
					t.Errorf("voided_on %v, want %v", got.VoidedOn, d)
				}
				got, err = tx.Invoice(t.Context(), inv.ID)
				if err != nil {
					return err
				}
				if got.IssueDate != d || got.DueDate != d {
					t.Errorf("issue/due %v/%v, want %v", got.IssueDate, got.DueDate, d)
				}
				gp, err := tx.Payment(t.Context(), p.ID)
				if err != nil {
					return err
				}
				if gp.ReceivedOn != d {
					t.Errorf("received_on %v, want %v", gp.ReceivedOn, d)
				}
				// An allocation dated d.
				a := ledger.Allocated{Allocations: []ledger.Allocation{{PaymentID: p.ID, InvoiceID: inv.ID, Amount: amt("0.40", USD), AppliedOn: d}}}
				if err := tx.ReplaceAllocations(t.Context(), c.ID, a); err != nil {
					return err
				}
				al, err := tx.PaymentAllocations(t.Context(), p.ID)
				if err != nil {
					return err
				}
				if len(al) != 1 || al[0].AppliedOn != d {
					t.Errorf("allocations %+v, want one applied on %v", al, d)
				}
				// The aging query compares and returns the date.
				var items []ledger.OpenItem
				err = tx.OpenItems(t.Context(), store.OpenItemFilter{AsOf: d, CustomerID: c.ID}, func(it ledger.OpenItem) error {
					items = append(items, it)
					return nil
				})
				if err != nil {
					return err
				}
				want := []ledger.OpenItem{{CustomerID: c.ID, ExternalRef: "D-1", Currency: USD, DueDate: d, Balance: 60}}
				// Earlier round trips' invoices are open too when dated
				// before d; keep only this date's.
				var mine []ledger.OpenItem
				for _, it := range items {
					if it.DueDate == d {
						mine = append(mine, it)
					}
				}
				if diff := cmp.Diff(want, mine); diff != "" {
					t.Errorf("OpenItems as of %s (-want +got):\n%s", d, diff)
				}
				return nil
			})
		})
	}
	t.Run("bulk", func(t *testing.T) {
		// 300 rows: PostgreSQL's COPY path converts dates itself.
		c2 := addCustomer(t, s, newCustomer("D-2"))
		batch := make([]ledger.Invoice, 300)
		for i := range batch {
			d := day(roundTripDates[i%len(roundTripDates)])
			batch[i] = ledger.Invoice{Number: fmt.Sprintf("DB-%03d", i), CustomerID: c2.ID, IssueDate: d, DueDate: d, Amount: amt("1.00", USD)}
			if i%2 == 0 {
				batch[i].VoidedOn = d
			}
		}
		mustTx(t, s, func(tx store.Tx) error {
			conflicts, err := tx.InsertInvoices(t.Context(), batch)
			if len(conflicts) != 0 {
				t.Errorf("conflicts %v", conflicts)
			}
			return err
		})
		var numbers []string
		for _, inv := range batch {
			numbers = append(numbers, inv.Number)
		}
		got := invoicesByNumber(t, s, numbers)
		for i, inv := range batch {
			g := got[inv.Number]
			if g.IssueDate != inv.IssueDate || g.DueDate != inv.DueDate || g.VoidedOn != inv.VoidedOn {
				t.Errorf("row %d: issue/due/void %v/%v/%v, want %v/%v/%v", i, g.IssueDate, g.DueDate, g.VoidedOn, inv.IssueDate, inv.DueDate, inv.VoidedOn)
			}
		}
	})
}

func testRoundTripMoney(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("M-1"))
	tests := []struct {
		name  string
		a     money.Amount
		minor int64
		text  string
	}{
		{"JPY has no minor unit", amt("1234567", JPY), 1234567, "1234567"},
		{"BHD has three digits", amt("1.234", BHD), 1234, "1.234"},
		{"BHD one fils", amt("0.001", BHD), 1, "0.001"},
		{"USD cent", amt("0.01", USD), 1, "0.01"},
		{"USD beyond float64 precision", amt("90071992547409.93", USD), 9007199254740993, "90071992547409.93"},
		{"USD int64 max", amt("92233720368547758.07", USD), math.MaxInt64, "92233720368547758.07"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a.Minor() != tt.minor || tt.a.String() != tt.text {
				t.Fatalf("fixture: %v is %d minor", tt.a, tt.a.Minor())
			}
			inv := addInvoice(t, s, ledger.Invoice{Number: fmt.Sprintf("M-%d", i), CustomerID: c.ID,
				IssueDate: day("2026-01-01"), DueDate: day("2026-01-31"), Amount: tt.a})
			p := addPayment(t, s, ledger.Payment{Kind: ledger.KindPayment, CustomerID: c.ID, ReceivedOn: day("2026-01-01"), Amount: tt.a, Method: "x"})
			mustTx(t, s, func(tx store.Tx) error {
				got, err := tx.Invoice(t.Context(), inv.ID)
				if err != nil {
					return err
				}
				if got.Amount != tt.a || got.Balance != tt.a || got.Amount.String() != tt.text {
					t.Errorf("invoice amount %v balance %v, want %v (%s)", got.Amount, got.Balance, tt.a, tt.text)
				}
				gp, err := tx.Payment(t.Context(), p.ID)
				if err != nil {
					return err
				}
				if gp.Amount != tt.a {
					t.Errorf("payment amount %v, want %v", gp.Amount, tt.a)
				}
				var items []ledger.OpenItem
				err = tx.OpenItems(t.Context(), store.OpenItemFilter{AsOf: day("2026-01-01"), Currency: tt.a.Currency()}, func(it ledger.OpenItem) error {
					items = append(items, it)
					return nil
				})
				if err != nil {
					return err
				}
				found := false
				for _, it := range items {
					found = found || it.Balance == tt.minor
				}
				if !found {
					t.Errorf("OpenItems: no item with balance %d in %v", tt.minor, items)
				}
				return nil
			})
		})
	}
	t.Run("allocation and unapplied in BHD", func(t *testing.T) {
		b := addCustomer(t, s, newCustomer("M-2"))
		inv := addInvoice(t, s, newInvoice(b, "MB-1", "2026-01-01", "2026-01-31", amt("1.234", BHD)))
		addPayment(t, s, newPayment(b, "2026-01-02", amt("2.000", BHD)))
		reallocate(t, s, b.ID)
		mustTx(t, s, func(tx store.Tx) error {
			al, err := tx.CustomerAllocations(t.Context(), b.ID)
			if err != nil {
				return err
			}
			if len(al) != 1 || al[0].Amount != amt("1.234", BHD) {
				t.Errorf("allocations %+v, want one of 1.234 BHD", al)
			}
			un, err := tx.Unapplied(t.Context(), b.ID)
			if err != nil {
				return err
			}
			// 2.000 − 1.234 = 0.766 BHD = 766 fils.
			if diff := cmp.Diff(map[money.Currency]int64{BHD: 766}, narrow(t, un)); diff != "" {
				t.Errorf("Unapplied (-want +got):\n%s", diff)
			}
			got, err := tx.Invoice(t.Context(), inv.ID)
			if err != nil {
				return err
			}
			if got.Balance != money.Zero(BHD) {
				t.Errorf("balance %v, want 0.000 BHD", got.Balance)
			}
			return nil
		})
	})
}

func testRoundTripTimes(t *testing.T, s store.Store) {
	// An instant written in a non-UTC zone reads back as the same instant,
	// in UTC (microsecond precision).
	jst := time.FixedZone("JST", 9*3600)
	at := time.Date(2026, 3, 4, 9, 8, 7, 654321000, jst) // 2026-03-04 00:08:07.654321 UTC
	wantUTC := time.Date(2026, 3, 4, 0, 8, 7, 654321000, time.UTC)
	c := addCustomer(t, s, newCustomer("T-1"))

	tests := []struct {
		name string
		// write stores a row with time at; read returns its times.
		rt func(tx store.Tx, at time.Time) ([]time.Time, error)
	}{
		{"customer created/updated", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			x := newCustomer("T-2")
			x.CreatedAt = at
			if err := tx.InsertCustomer(t.Context(), &x); err != nil {
				return nil, err
			}
			got, err := tx.Customer(t.Context(), x.ID)
			if err != nil {
				return nil, err
			}
			return []time.Time{got.CreatedAt, got.UpdatedAt}, nil
		}},
		{"invoice created", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			inv := newInvoice(c, "T-INV", "2026-01-01", "2026-01-31", amt("1.00", USD))
			inv.CreatedAt = at
			if err := tx.InsertInvoice(t.Context(), &inv); err != nil {
				return nil, err
			}
			got, err := tx.Invoice(t.Context(), inv.ID)
			if err != nil {
				return nil, err
			}
			return []time.Time{got.CreatedAt}, nil
		}},
		{"payment created", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			p := newPayment(c, "2026-01-01", amt("1.00", USD))
			p.CreatedAt = at
			if err := tx.InsertPayment(t.Context(), &p); err != nil {
				return nil, err
			}
			got, err := tx.Payment(t.Context(), p.ID)
			if err != nil {
				return nil, err
			}
			return []time.Time{got.CreatedAt}, nil
		}},
		{"import created", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			im := store.Import{Kind: "customers", SHA256: "t", Actor: "t", CreatedAt: at}
			if err := tx.InsertImport(t.Context(), &im); err != nil {
				return nil, err
			}
			got, err := tx.ImportByHash(t.Context(), "customers", "t")
			if err != nil {
				return nil, err
			}
			return []time.Time{got.CreatedAt}, nil
		}},
		{"token created", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			tok := store.Token{Name: "t", Role: "viewer", Hash: "t-hash", CreatedAt: at}
			if err := tx.InsertToken(t.Context(), &tok); err != nil {
				return nil, err
			}
			got, err := tx.TokenByHash(t.Context(), "t-hash")
			if err != nil {
				return nil, err
			}
			return []time.Time{got.CreatedAt}, nil
		}},
		{"audit at", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			e := store.AuditEntry{At: at, Actor: "t", Action: "t", ObjectType: "t", ObjectID: "t_1"}
			if err := tx.AppendAudit(t.Context(), &e); err != nil {
				return nil, err
			}
			got, err := tx.Audit(t.Context(), store.AuditFilter{ObjectID: "t_1"})
			if err != nil || len(got) != 1 {
				return nil, fmt.Errorf("audit: %v, %d entries", err, len(got))
			}
			return []time.Time{got[0].At}, nil
		}},
		{"idempotency created", func(tx store.Tx, at time.Time) ([]time.Time, error) {
			r := store.IdempotencyRecord{Actor: "t", Key: "t", Method: "POST", Path: "/", RequestHash: "h", Status: 200, Body: []byte("{}"), CreatedAt: at}
			if err := tx.SaveIdempotency(t.Context(), &r); err != nil {
				return nil, err
			}
			got, err := tx.Idempotency(t.Context(), "t", "t")
			if err != nil || got == nil {
				return nil, fmt.Errorf("idempotency: %v, %v", got, err)
			}
			return []time.Time{got.CreatedAt}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []time.Time
			mustTx(t, s, func(tx store.Tx) (err error) { got, err = tt.rt(tx, at); return err })
			for i, g := range got {
				if !g.Equal(wantUTC) {
					t.Errorf("time %d = %v, want the instant %v", i, g, wantUTC)
				}
				if g.Location() != time.UTC {
					t.Errorf("time %d = %v has location %q, want UTC", i, g, g.Location())
				}
			}
		})
	}
}

// ---- plans of a customer, open balances ----------------------------------------------

// addPlan stores a minimal proposed plan of c created at createdAt (zero: the clock).
func addPlan(t *testing.T, s store.Store, c ledger.Customer, createdAt time.Time) plan.Plan {
	t.Helper()
	p := plan.Plan{CustomerID: c.ID, Version: 1, Status: plan.Proposed, Balance: amt("100.00", USD),
		Methods: []string{"bank_transfer"}, CreatedAt: createdAt,
		Installments: []plan.Installment{{Seq: 1, DueDate: day("2026-08-01"), Amount: amt("100.00", USD), Principal: amt("100.00", USD), Interest: amt("0", USD)}}}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPlan(t.Context(), &p) })
	return p
}

func testCustomerPlans(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("CP-A"))
	b := addCustomer(t, s, newCustomer("CP-B"))
	// Inserted in this order; ordered by created_at, then id (ids grow in
	// insertion order): p2 and p4 share 2026-01-01, p2 first.
	p1 := addPlan(t, s, a, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	p2 := addPlan(t, s, a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	p3 := addPlan(t, s, a, time.Time{}) // Now: 2026-07-01
	p4 := addPlan(t, s, a, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	pb := addPlan(t, s, b, time.Time{})
	// Status does not matter: cancel p1.
	p1.Status = plan.Cancelled
	mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePlanStatus(t.Context(), &p1) })
	tests := []struct {
		name, customer string
		want           []string
	}{
		{"A oldest first", a.ID, []string{p2.ID, p4.ID, p1.ID, p3.ID}},
		{"B", b.ID, []string{pb.ID}},
		{"customer without plans", "cus_00000000000000000000000000", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.CustomerPlans(t.Context(), tt.customer); return err })
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CustomerPlans (-want +got):\n%s", diff)
			}
		})
	}
}

func testOpenBalances(t *testing.T, s store.Store) {
	get := func(t *testing.T) map[money.Currency]int64 {
		t.Helper()
		var out map[money.Currency]money.Wide
		mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.OpenBalances(t.Context()); return err })
		return narrow(t, out)
	}
	if got := get(t); len(got) != 0 {
		t.Errorf("empty store: OpenBalances = %v", got)
	}
	h := seedHand(t, s)
	// After allocation (see handLedger): I1, I2 paid (0), I3 open 10.00 USD,
	// I4 void (its stored balance 70.00 USD is not counted), Y1 500.00 EUR,
	// Y2 12000 JPY. A disputed invoice still counts: +5.00 USD.
	d := newInvoice(h.Y, "OB-1", "2026-04-01", "2026-05-01", amt("5.00", USD))
	d.Disputed = true
	addInvoice(t, s, d)
	want := map[money.Currency]int64{USD: 1000 + 500, EUR: 50000, JPY: 12000}
	if diff := cmp.Diff(want, get(t)); diff != "" {
		t.Errorf("OpenBalances (-want +got):\n%s", diff)
	}
	if got := getInvoice(t, s, h.I4.ID); got.Balance.Minor() != 7000 {
		t.Fatalf("fixture: void I4 has stored balance %v, want 70.00 (so that excluding it is tested)", got.Balance)
	}

	// The same per customer: X owes I3's 10.00 USD (void I4 not counted);
	// Y the rest. A customer with nothing open, or unknown, is absent; so
	// is a balance below atLeast. A few customers, and thousands (asked in
	// chunks).
	many := []string{h.X.ID, h.Y.ID}
	for i := range 2500 {
		many = append(many, fmt.Sprintf("cus_unknown%d", i))
	}
	for _, tc := range []struct {
		name    string
		ids     []string
		atLeast int64
		want    map[string]map[money.Currency]int64
	}{
		{"few, all", []string{h.X.ID, h.Y.ID, "cus_nobody"}, 0, map[string]map[money.Currency]int64{h.X.ID: {USD: 1000}, h.Y.ID: {USD: 500, EUR: 50000, JPY: 12000}}},
		{"few, at least 1000", []string{h.X.ID, h.Y.ID}, 1000, map[string]map[money.Currency]int64{h.X.ID: {USD: 1000}, h.Y.ID: {EUR: 50000, JPY: 12000}}},
		{"few, at least 1001", []string{h.X.ID, h.Y.ID}, 1001, map[string]map[money.Currency]int64{h.Y.ID: {EUR: 50000, JPY: 12000}}},
		{"only Y", []string{h.Y.ID}, 0, map[string]map[money.Currency]int64{h.Y.ID: {USD: 500, EUR: 50000, JPY: 12000}}},
		{"many, all", many, 0, map[string]map[money.Currency]int64{h.X.ID: {USD: 1000}, h.Y.ID: {USD: 500, EUR: 50000, JPY: 12000}}},
		{"many, at least 1001", many, 1001, map[string]map[money.Currency]int64{h.Y.ID: {EUR: 50000, JPY: 12000}}},
		{"many without X and Y", many[2:], 0, map[string]map[money.Currency]int64{}},
	} {
		var per map[string]map[money.Currency]money.Wide
		mustTx(t, s, func(tx store.Tx) (err error) {
			per, err = tx.CustomerOpenBalances(t.Context(), tc.ids, tc.atLeast)
			return err
		})
		got := map[string]map[money.Currency]int64{}
		for id, m := range per {
			got[id] = narrow(t, m)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("CustomerOpenBalances %s (-want +got):\n%s", tc.name, diff)
		}
	}
}

// ---- budgets ------------------------------------------------------------------------

func testBudgets(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("BG-A"))
	b := addCustomer(t, s, newCustomer("BG-B"))
	get := func(t *testing.T, customerID string) (*store.Budget, error) {
		t.Helper()
		var out *store.Budget
		err := s.Tx(t.Context(), func(tx store.Tx) (err error) { out, err = tx.Budget(t.Context(), customerID); return err })
		return out, err
	}
	_, err := get(t, a.ID)
	wantCode(t, err, apperr.NotFound)

	first := store.Budget{CustomerID: a.ID, Currency: USD, Body: []byte(`{"income":"3000.00","expenses":"2500.00"}`), UpdatedBy: "cli:ops"}
	mustTx(t, s, func(tx store.Tx) error { return tx.PutBudget(t.Context(), &first) })
	want := first
	want.UpdatedAt = Now
	got, err := get(t, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Budget after first put (-want +got):\n%s", diff)
	}

	// A second put replaces every field.
	at := time.Date(2026, 7, 2, 8, 0, 0, 1000, time.FixedZone("CEST", 2*3600))
	second := store.Budget{CustomerID: a.ID, Currency: EUR, Body: []byte(`{"income":"2800.00"}`), UpdatedAt: at, UpdatedBy: "token:tok_2"}
	mustTx(t, s, func(tx store.Tx) error { return tx.PutBudget(t.Context(), &second) })
	want = second
	want.UpdatedAt = at.UTC()
	got, err = get(t, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Budget after replacement (-want +got):\n%s", diff)
	}
	if got.UpdatedAt.Location() != time.UTC {
		t.Errorf("UpdatedAt %v not in UTC", got.UpdatedAt)
	}
	_, err = get(t, b.ID)
	wantCode(t, err, apperr.NotFound)

	ghost := store.Budget{CustomerID: "cus_00000000000000000000000000", Currency: USD, Body: []byte(`{}`)}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.PutBudget(t.Context(), &ghost) }); err == nil {
		t.Error("a budget for an unknown customer was stored; want a foreign key error")
	}
}

// ---- policies -----------------------------------------------------------------------

func testPolicies(t *testing.T, s store.Store) {
	get := func(t *testing.T, key string) (*store.Policy, error) {
		t.Helper()
		var out *store.Policy
		err := s.Tx(t.Context(), func(tx store.Tx) (err error) { out, err = tx.Policy(t.Context(), key); return err })
		return out, err
	}
	created := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	std := store.Policy{Segment: "standard", Body: []byte(`{"max_months":12}`), CreatedAt: created}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPolicy(t.Context(), &std) })
	if !strings.HasPrefix(std.ID, "pol_") || std.Version != 1 {
		t.Fatalf("InsertPolicy: id %q version %d, want pol_… and 1", std.ID, std.Version)
	}
	want := store.Policy{ID: std.ID, Segment: "standard", Body: []byte(`{"max_months":12}`), Version: 1, CreatedAt: created, UpdatedAt: created}
	for _, key := range []string{std.ID, "standard"} {
		got, err := get(t, key)
		if err != nil {
			t.Fatalf("Policy(%q): %v", key, err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("Policy(%q) (-want +got):\n%s", key, diff)
		}
	}
	for _, key := range []string{"pol_00000000000000000000000000", "gold", ""} {
		_, err := get(t, key)
		wantCode(t, err, apperr.NotFound)
	}

	t.Run("duplicate segment", func(t *testing.T) {
		dup := store.Policy{Segment: "standard", Body: []byte(`{}`)}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertPolicy(t.Context(), &dup) })
		wantCode(t, err, apperr.Conflict)
		if err != nil && !strings.Contains(err.Error(), `"standard"`) {
			t.Errorf("conflict %q does not name the segment", err)
		}
	})

	vip := store.Policy{Segment: "vip", Body: []byte(`{"max_months":24}`)}
	mustTx(t, s, func(tx store.Tx) error { return tx.InsertPolicy(t.Context(), &vip) })
	if !vip.CreatedAt.Equal(Now) || !vip.UpdatedAt.Equal(Now) {
		t.Errorf("vip created/updated %v/%v, want the clock's %v", vip.CreatedAt, vip.UpdatedAt, Now)
	}

	t.Run("update bumps version", func(t *testing.T) {
		up := want
		up.Body = []byte(`{"max_months":18}`)
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePolicy(t.Context(), &up) })
		if up.Version != 2 || !up.UpdatedAt.Equal(Now) {
			t.Errorf("after update: version %d updated %v, want 2 and %v", up.Version, up.UpdatedAt, Now)
		}
		w := want
		w.Body, w.Version, w.UpdatedAt = []byte(`{"max_months":18}`), 2, Now // created_at unchanged
		got, err := get(t, "standard")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&w, got); diff != "" {
			t.Errorf("after update (-want +got):\n%s", diff)
		}
		// Renaming the segment: found by the new one, not the old.
		up.Segment = "smb"
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdatePolicy(t.Context(), &up) })
		if up.Version != 3 {
			t.Errorf("after second update: version %d, want 3", up.Version)
		}
		if got, err := get(t, "smb"); err != nil || got.ID != std.ID || got.Version != 3 {
			t.Errorf("Policy(smb) = %+v, %v", got, err)
		}
		_, err = get(t, "standard")
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("update to a taken segment", func(t *testing.T) {
		up := want
		up.Segment = "vip"
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdatePolicy(t.Context(), &up) })
		wantCode(t, err, apperr.Conflict)
		if got, err := get(t, "vip"); err != nil || got.ID != vip.ID || got.Version != 1 {
			t.Errorf("vip after refused update = %+v, %v", got, err)
		}
		if got, err := get(t, std.ID); err != nil || got.Segment != "smb" || got.Version != 3 {
			t.Errorf("the renamed policy after refused update = %+v, %v", got, err)
		}
	})

	t.Run("update unknown", func(t *testing.T) {
		ghost := store.Policy{ID: "pol_00000000000000000000000000", Segment: "ghost", Body: []byte(`{}`)}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdatePolicy(t.Context(), &ghost) })
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("pages", func(t *testing.T) {
		third := store.Policy{Segment: "enterprise", Body: []byte(`{}`)}
		mustTx(t, s, func(tx store.Tx) error { return tx.InsertPolicy(t.Context(), &third) })
		all := []string{std.ID, vip.ID, third.ID}
		var p1, p2 []store.Policy
		var n1, n2 string
		mustTx(t, s, func(tx store.Tx) (err error) {
			if p1, n1, err = tx.Policies(t.Context(), store.Page{Limit: 2}); err != nil {
				return err
			}
			p2, n2, err = tx.Policies(t.Context(), store.Page{Limit: 2, Cursor: n1})
			return err
		})
		var got []string
		for _, p := range append(p1, p2...) {
			got = append(got, p.ID)
		}
		if diff := cmp.Diff(all, got); diff != "" || n1 != vip.ID || n2 != "" {
			t.Errorf("Policies pages: next %q, %q (want %q, \"\") (-want +got):\n%s", n1, n2, vip.ID, diff)
		}
		if len(p1) > 0 && (p1[0].Segment != "smb" || p1[0].Version != 3 || string(p1[0].Body) != `{"max_months":18}`) {
			t.Errorf("listed policy %+v", p1[0])
		}
	})
}

// ---- negotiations -------------------------------------------------------------------

func getNegotiation(t *testing.T, s store.Store, id string, forUpdate bool) (*store.Negotiation, error) {
	t.Helper()
	var out *store.Negotiation
	err := s.Tx(t.Context(), func(tx store.Tx) (err error) { out, err = tx.Negotiation(t.Context(), id, forUpdate); return err })
	return out, err
}

func testNegotiations(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("NG-A"))
	b := addCustomer(t, s, newCustomer("NG-B"))
	pl := addPlan(t, s, a, time.Time{})
	ns := []store.Negotiation{
		{CustomerID: a.ID, Currency: USD, Status: store.NegotiationOpen, AsOf: day("2026-07-01"), ExpiresOn: day("2026-07-15"), State: []byte(`{"round":0}`)},
		{CustomerID: a.ID, Currency: EUR, Status: store.NegotiationClosed, Round: 2, AsOf: day("2028-02-29"), ExpiresOn: day("2028-03-14"), State: []byte(`{"round":2}`)},
		{CustomerID: b.ID, Currency: JPY, Status: store.NegotiationOpen, AsOf: day("2026-06-30"), ExpiresOn: day("2026-07-14"), State: []byte(`{}`)},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ns {
			if err := tx.InsertNegotiation(t.Context(), &ns[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for i, n := range ns {
		if !strings.HasPrefix(n.ID, "neg_") || !n.CreatedAt.Equal(Now) || !n.UpdatedAt.Equal(Now) {
			t.Fatalf("InsertNegotiation %d: id %q created %v updated %v", i, n.ID, n.CreatedAt, n.UpdatedAt)
		}
	}
	for _, forUpdate := range []bool{false, true} {
		got, err := getNegotiation(t, s, ns[0].ID, forUpdate)
		if err != nil {
			t.Fatalf("Negotiation(forUpdate=%v): %v", forUpdate, err)
		}
		if diff := cmp.Diff(&ns[0], got); diff != "" {
			t.Errorf("Negotiation(forUpdate=%v) (-want +got):\n%s", forUpdate, diff)
		}
	}
	_, err := getNegotiation(t, s, "neg_00000000000000000000000000", false)
	wantCode(t, err, apperr.NotFound)

	t.Run("update with the right round", func(t *testing.T) {
		n := ns[0]
		n.Status, n.Round, n.State = store.NegotiationAgreed, 1, []byte(`{"round":1}`)
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateNegotiation(t.Context(), &n, 0) })
		got, err := getNegotiation(t, s, n.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&n, got); diff != "" {
			t.Errorf("after update (-want +got):\n%s", diff)
		}
		ns[0] = n
	})
	t.Run("update with a stale round", func(t *testing.T) {
		n := ns[0]
		n.Status, n.Round, n.State = store.NegotiationFinal, 1, []byte(`{"stale":true}`)
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateNegotiation(t.Context(), &n, 0) })
		wantCode(t, err, apperr.Conflict)
		if err != nil && !strings.Contains(err.Error(), n.ID) {
			t.Errorf("conflict %q does not name the negotiation", err)
		}
		got, err := getNegotiation(t, s, n.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&ns[0], got); diff != "" {
			t.Errorf("a stale update changed the negotiation (-want +got):\n%s", diff)
		}
	})
	t.Run("update unknown", func(t *testing.T) {
		n := ns[0]
		n.ID = "neg_00000000000000000000000000"
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateNegotiation(t.Context(), &n, 1) })
		wantCode(t, err, apperr.NotFound)
	})
	t.Run("accepted with a plan", func(t *testing.T) {
		n := ns[0]
		n.Status, n.PlanID = store.NegotiationAccepted, pl.ID
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateNegotiation(t.Context(), &n, 1) })
		got, err := getNegotiation(t, s, n.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.PlanID != pl.ID || got.Status != store.NegotiationAccepted || got.Round != 1 {
			t.Errorf("after accept: %+v", got)
		}
		ns[0] = n
		bad := n
		bad.PlanID = "pln_00000000000000000000000000"
		if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateNegotiation(t.Context(), &bad, 1) }); err == nil {
			t.Error("an unknown plan id was stored; want a foreign key error")
		}
	})

	t.Run("list", func(t *testing.T) {
		tests := []struct {
			name string
			f    store.NegotiationFilter
			want []store.Negotiation
		}{
			{"all", store.NegotiationFilter{}, ns},
			{"customer A", store.NegotiationFilter{CustomerID: a.ID}, ns[:2]},
			{"open", store.NegotiationFilter{Status: store.NegotiationOpen}, ns[2:]},
			{"A closed", store.NegotiationFilter{CustomerID: a.ID, Status: store.NegotiationClosed}, ns[1:2]},
			{"B accepted", store.NegotiationFilter{CustomerID: b.ID, Status: store.NegotiationAccepted}, nil},
			{"A after the first", store.NegotiationFilter{CustomerID: a.ID, Page: store.Page{Cursor: ns[0].ID}}, ns[1:2]},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []store.Negotiation
				var next string
				mustTx(t, s, func(tx store.Tx) (err error) { got, next, err = tx.Negotiations(t.Context(), tt.f); return err })
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || next != "" {
					t.Errorf("Negotiations(%+v) next %q (-want +got):\n%s", tt.f, next, diff)
				}
			})
		}
		var page []store.Negotiation
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) {
			page, next, err = tx.Negotiations(t.Context(), store.NegotiationFilter{Page: store.Page{Limit: 2}})
			return err
		})
		if len(page) != 2 || next != ns[1].ID {
			t.Errorf("first page of 2: %d items, next %q; want 2 and %q", len(page), next, ns[1].ID)
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, _, err := tx.Negotiations(t.Context(), store.NegotiationFilter{Status: "pending"})
			return err
		})
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, "status")
	})

	t.Run("refused by the database", func(t *testing.T) {
		for name, n := range map[string]store.Negotiation{
			"unknown customer": {CustomerID: "cus_00000000000000000000000000", Currency: USD, Status: store.NegotiationOpen, AsOf: day("2026-07-01"), ExpiresOn: day("2026-07-02")},
			"unknown status":   {CustomerID: a.ID, Currency: USD, Status: "pending", AsOf: day("2026-07-01"), ExpiresOn: day("2026-07-02")},
		} {
			if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertNegotiation(t.Context(), &n) }); err == nil {
				t.Errorf("%s: stored", name)
			}
		}
	})
}

func testNegotiationRounds(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("NR-A"))
	n := store.Negotiation{CustomerID: c.ID, Currency: USD, Status: store.NegotiationOpen, AsOf: day("2026-07-01"), ExpiresOn: day("2026-07-15")}
	other := n
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.InsertNegotiation(t.Context(), &n); err != nil {
			return err
		}
		return tx.InsertNegotiation(t.Context(), &other)
	})
	if string(n.State) != "{}" {
		t.Errorf("an empty state is stored as %q, want {}", n.State)
	}
	jst := time.FixedZone("JST", 9*3600)
	at := time.Date(2026, 7, 2, 9, 0, 0, 500000000, jst)
	// Appended out of order (0, 2, 1): read back in round order.
	rounds := []store.NegotiationRound{
		{NegotiationID: n.ID, Round: 0, Decision: "open", Response: []byte(`{"offer":{"months":6}}`), Actor: "token:tok_1"},
		{NegotiationID: n.ID, Round: 2, Decision: "accept", Request: []byte(`{"months":9}`), Response: []byte(`{"accepted":true}`), Actor: "portal:cus", At: at},
		{NegotiationID: n.ID, Round: 1, Decision: "counter", Request: []byte(`{"months":12}`), Response: []byte(`{"offer":{"months":9}}`), Actor: "portal:cus"},
		{NegotiationID: other.ID, Round: 0, Decision: "open", Request: []byte(`{}`), Response: []byte(`{}`), Actor: "system"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range rounds {
			if err := tx.AppendNegotiationRound(t.Context(), &rounds[i]); err != nil {
				return err
			}
		}
		return nil
	})
	want := []store.NegotiationRound{rounds[0], rounds[2], rounds[1]}
	want[0].Request, want[0].At = []byte(`{}`), Now // the opening's request is "{}"
	want[1].At = Now
	want[2].At = at.UTC()
	var got []store.NegotiationRound
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.NegotiationRounds(t.Context(), n.ID); return err })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NegotiationRounds (-want +got):\n%s", diff)
	}
	for _, r := range got {
		if r.At.Location() != time.UTC {
			t.Errorf("round %d at %v not in UTC", r.Round, r.At)
		}
	}

	dup := store.NegotiationRound{NegotiationID: n.ID, Round: 1, Decision: "reject", Actor: "x"}
	err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.AppendNegotiationRound(t.Context(), &dup) })
	wantCode(t, err, apperr.Conflict)
	mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.NegotiationRounds(t.Context(), n.ID); return err })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after a duplicate round (-want +got):\n%s", diff)
	}
	mustTx(t, s, func(tx store.Tx) (err error) {
		got, err = tx.NegotiationRounds(t.Context(), "neg_00000000000000000000000000")
		return err
	})
	if len(got) != 0 {
		t.Errorf("rounds of an unknown negotiation: %+v", got)
	}
	ghost := store.NegotiationRound{NegotiationID: "neg_00000000000000000000000000", Round: 0, Decision: "open", Actor: "x"}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.AppendNegotiationRound(t.Context(), &ghost) }); err == nil {
		t.Error("a round of an unknown negotiation was stored; want a foreign key error")
	}
}

func testNegotiationRoundsAppendOnly(t *testing.T, s store.Store) {
	c := addCustomer(t, s, newCustomer("NA-A"))
	n := store.Negotiation{CustomerID: c.ID, Currency: USD, Status: store.NegotiationOpen, AsOf: day("2026-07-01"), ExpiresOn: day("2026-07-15")}
	r := store.NegotiationRound{Round: 0, Decision: "open", Actor: "system"}
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.InsertNegotiation(t.Context(), &n); err != nil {
			return err
		}
		r.NegotiationID = n.ID
		return tx.AppendNegotiationRound(t.Context(), &r)
	})
	list := func() []store.NegotiationRound {
		var out []store.NegotiationRound
		mustTx(t, s, func(tx store.Tx) (err error) { out, err = tx.NegotiationRounds(t.Context(), n.ID); return err })
		return out
	}
	before := list()
	h, ok := s.(interface{ SQL() *sql.DB })
	if !ok {
		t.Fatalf("%T has no SQL() *sql.DB", s)
	}
	db := h.SQL()
	stmts := []string{
		fmt.Sprintf("UPDATE negotiation_rounds SET decision = 'accept' WHERE negotiation_id = '%s'", n.ID),
		"UPDATE negotiation_rounds SET response = '{}'",
		fmt.Sprintf("DELETE FROM negotiation_rounds WHERE negotiation_id = '%s'", n.ID),
		"DELETE FROM negotiation_rounds",
	}
	if s.Engine() == "postgres" {
		stmts = append(stmts, "TRUNCATE negotiation_rounds")
	}
	for _, q := range stmts {
		t.Run(q, func(t *testing.T) {
			if _, err := db.ExecContext(t.Context(), q); err == nil {
				t.Errorf("%s succeeded; negotiation_rounds must be append-only", q)
			} else if !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s failed with %v; want the append-only trigger's error", q, err)
			}
		})
	}
	if diff := cmp.Diff(before, list()); diff != "" {
		t.Errorf("rounds changed (-before +after):\n%s", diff)
	}
}

// ---- interactions -------------------------------------------------------------------

func testInteractions(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("IN-A"))
	b := addCustomer(t, s, newCustomer("IN-B"))
	i1 := addInvoice(t, s, newInvoice(a, "IN-1", "2026-05-01", "2026-05-31", amt("100.00", USD)))
	i2 := addInvoice(t, s, newInvoice(a, "IN-2", "2026-06-01", "2026-06-30", amt("50.00", USD)))
	jst := time.FixedZone("JST", 9*3600)
	in := []store.Interaction{
		{CustomerID: a.ID, Kind: "call", Direction: "inbound", OccurredAt: time.Date(2026, 6, 30, 18, 0, 0, 250000000, jst),
			Summary: "Says invoice IN-2 never arrived; pays IN-1 next week", ReasonCategory: "not_received", Claim: "unverified",
			InvoiceIDs: []string{i2.ID, i1.ID}, FollowUp: "resend_invoice:msg_01", Actor: "token:tok_1"},
		{CustomerID: a.ID, Kind: "note", Summary: "Looked at the bank statement", Claim: "fact", Evidence: "bank statement", Actor: "cli:ops"},
		{CustomerID: b.ID, Kind: "email", Direction: "outbound", OccurredAt: time.Date(2026, 6, 29, 8, 0, 0, 0, time.UTC), Summary: "Reminder", Actor: "system"},
		{CustomerID: a.ID, Kind: "meeting", Direction: "outbound", OccurredAt: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), Summary: "Visit",
			ReasonCategory: "cash_flow", InvoiceIDs: []string{i1.ID}, Actor: "cli:ops"},
		{CustomerID: a.ID, Kind: "sms", Direction: "inbound", OccurredAt: time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC), Summary: "ok", InvoiceIDs: []string{}, Actor: "system"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range in {
			if err := tx.InsertInteraction(t.Context(), &in[i]); err != nil {
				return err
			}
		}
		return nil
	})
	want := make([]store.Interaction, len(in))
	for i, x := range in {
		if !strings.HasPrefix(x.ID, "int_") {
			t.Fatalf("InsertInteraction assigned id %q", x.ID)
		}
		x.CreatedAt, x.OccurredAt = Now, x.OccurredAt.UTC()
		if len(x.InvoiceIDs) == 0 {
			x.InvoiceIDs = nil // an empty list reads back as nil
		}
		want[i] = x
	}
	if !in[1].OccurredAt.Equal(Now) {
		t.Errorf("a zero OccurredAt became %v, want the clock's %v", in[1].OccurredAt, Now)
	}
	// Customer A's four, in pages of 2, 2 (and no third).
	ofA := []store.Interaction{want[0], want[1], want[3], want[4]}
	var got []store.Interaction
	var nexts []string
	cursor := ""
	for range 4 {
		var list []store.Interaction
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) {
			list, next, err = tx.Interactions(t.Context(), store.InteractionFilter{CustomerID: a.ID, Page: store.Page{Limit: 2, Cursor: cursor}})
			return err
		})
		got, nexts = append(got, list...), append(nexts, next)
		if next == "" {
			break
		}
		cursor = next
	}
	if diff := cmp.Diff(ofA, got); diff != "" {
		t.Errorf("Interactions(A) pages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{want[1].ID, ""}, nexts); diff != "" {
		t.Errorf("Interactions(A) next cursors (-want +got):\n%s", diff)
	}
	for _, g := range got {
		if g.OccurredAt.Location() != time.UTC || g.CreatedAt.Location() != time.UTC {
			t.Errorf("interaction %s times %v / %v not in UTC", g.ID, g.OccurredAt, g.CreatedAt)
		}
	}
	var all []store.Interaction
	mustTx(t, s, func(tx store.Tx) (err error) {
		all, _, err = tx.Interactions(t.Context(), store.InteractionFilter{})
		return err
	})
	if diff := cmp.Diff(want, all); diff != "" {
		t.Errorf("Interactions() (-want +got):\n%s", diff)
	}
	ghost := store.Interaction{CustomerID: "cus_00000000000000000000000000", Kind: "note", Actor: "x"}
	if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.InsertInteraction(t.Context(), &ghost) }); err == nil {
		t.Error("an interaction with an unknown customer was stored; want a foreign key error")
	}
}

// ---- messages (the outbox) ----------------------------------------------------------

func testMessages(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("MS-A"))
	b := addCustomer(t, s, newCustomer("MS-B"))
	utc := func(h, m, sec, nsec int, d int) time.Time { return time.Date(2026, 7, d, h, m, sec, nsec, time.UTC) }
	sent := utc(8, 0, 3, 0, 1)
	ms := []store.Message{
		// 0: A, queued, 07-02 09:00:00, deduplicated.
		{CustomerID: a.ID, Channel: "email", Step: "reminder_-3", Tone: "direct", Locale: "en-US", ScheduledFor: utc(9, 0, 0, 0, 2),
			Status: store.MessageQueued, Subject: "Invoice INV-1 is due soon", Body: "Dear …\n", InvoiceNumbers: []string{"INV-1"}, DedupeKey: "reminder_-3:INV-1"},
		// 1: A, sent, 07-01 08:00:00.
		{CustomerID: a.ID, Channel: "sms", Step: "firm_7", Tone: "direct", Locale: "en-US", ScheduledFor: utc(8, 0, 0, 0, 1),
			Status: store.MessageSent, Body: "Pay now", InvoiceNumbers: []string{"INV-1", "INV-2"}, Attempts: 1, SentAt: &sent},
		// 2: B, queued, 07-03 00:00:00, given in JST.
		{CustomerID: b.ID, Channel: "letter", Step: "invoice_resend", Tone: "indirect", Locale: "ja-JP",
			ScheduledFor: time.Date(2026, 7, 3, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)), Status: store.MessageQueued, Subject: "請求書"},
		// 3: A, failed, 07-02 09:00:00.5 (half a second after 0).
		{CustomerID: a.ID, Channel: "email", Step: "reminder_0", Tone: "indirect", Locale: "en-GB", ScheduledFor: utc(9, 0, 0, 500000000, 2),
			Status: store.MessageFailed, Attempts: 3, LastError: "smtp: 550 mailbox unavailable", DedupeKey: "reminder_0:INV-1"},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ms {
			id, created, err := tx.InsertMessage(t.Context(), &ms[i])
			if err != nil {
				return err
			}
			if !created || id != ms[i].ID || !strings.HasPrefix(id, "msg_") {
				t.Errorf("InsertMessage %d = %q, %v; want a new msg_ id (m.ID %q)", i, id, created, ms[i].ID)
			}
		}
		return nil
	})
	want := make([]store.Message, len(ms))
	for i, m := range ms {
		m.CreatedAt, m.ScheduledFor = Now, m.ScheduledFor.UTC()
		want[i] = m
	}

	t.Run("dedupe", func(t *testing.T) {
		again := store.Message{CustomerID: a.ID, Channel: "email", Step: "reminder_-3", ScheduledFor: utc(10, 0, 0, 0, 2),
			Status: store.MessageQueued, Subject: "another subject", DedupeKey: "reminder_-3:INV-1"}
		mustTx(t, s, func(tx store.Tx) error {
			id, created, err := tx.InsertMessage(t.Context(), &again)
			if err != nil {
				return err
			}
			if created || id != ms[0].ID {
				t.Errorf("InsertMessage with a stored dedupe key = %q, %v; want %q, false", id, created, ms[0].ID)
			}
			// The transaction is still usable (no failed statement in it).
			m, err := tx.Message(t.Context(), id)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&want[0], m); diff != "" {
				t.Errorf("the deduplicated message changed (-want +got):\n%s", diff)
			}
			return nil
		})
		var n int
		mustTx(t, s, func(tx store.Tx) error {
			list, _, err := tx.Messages(t.Context(), store.MessageFilter{})
			n = len(list)
			return err
		})
		if n != len(ms) {
			t.Errorf("%d messages stored, want %d", n, len(ms))
		}
	})

	t.Run("get", func(t *testing.T) {
		for i := range want {
			var got *store.Message
			mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Message(t.Context(), want[i].ID); return err })
			if diff := cmp.Diff(&want[i], got); diff != "" {
				t.Errorf("Message(%d) (-want +got):\n%s", i, diff)
			}
			if got.ScheduledFor.Location() != time.UTC || (got.SentAt != nil && got.SentAt.Location() != time.UTC) {
				t.Errorf("Message(%d) times not in UTC: %v %v", i, got.ScheduledFor, got.SentAt)
			}
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.Message(t.Context(), "msg_00000000000000000000000000")
			return err
		})
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("filters", func(t *testing.T) {
		cest := time.FixedZone("CEST", 2*3600)
		tests := []struct {
			name string
			f    store.MessageFilter
			want []store.Message
		}{
			{"all", store.MessageFilter{}, want},
			{"customer A", store.MessageFilter{CustomerID: a.ID}, []store.Message{want[0], want[1], want[3]}},
			{"queued", store.MessageFilter{Status: store.MessageQueued}, []store.Message{want[0], want[2]}},
			{"A queued", store.MessageFilter{CustomerID: a.ID, Status: store.MessageQueued}, want[:1]},
			{"bounced", store.MessageFilter{Status: store.MessageBounced}, nil},
			// Since is inclusive: 0 is at 09:00:00 exactly.
			{"since 07-02 09:00", store.MessageFilter{Since: utc(9, 0, 0, 0, 2)}, []store.Message{want[0], want[2], want[3]}},
			// Until is exclusive: 0 is not before 09:00:00.
			{"until 07-02 09:00", store.MessageFilter{Until: utc(9, 0, 0, 0, 2)}, want[1:2]},
			{"09:00 to 09:00:00.5", store.MessageFilter{Since: utc(9, 0, 0, 0, 2), Until: utc(9, 0, 0, 500000000, 2)}, want[:1]},
			{"09:00:00.000001 to 09:00:01", store.MessageFilter{Since: utc(9, 0, 0, 1000, 2), Until: utc(9, 0, 1, 0, 2)}, want[3:4]},
			// The same instants given in another zone.
			{"since in CEST", store.MessageFilter{Since: time.Date(2026, 7, 2, 11, 0, 0, 500000000, cest)}, []store.Message{want[2], want[3]}},
			{"queued until 07-03", store.MessageFilter{Status: store.MessageQueued, Until: utc(0, 0, 0, 0, 3)}, want[:1]},
			{"A after the first", store.MessageFilter{CustomerID: a.ID, Page: store.Page{Cursor: want[0].ID}}, []store.Message{want[1], want[3]}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []store.Message
				var next string
				mustTx(t, s, func(tx store.Tx) (err error) { got, next, err = tx.Messages(t.Context(), tt.f); return err })
				if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || next != "" {
					t.Errorf("Messages next %q (-want +got):\n%s", next, diff)
				}
			})
		}
		var p1, p2 []store.Message
		var n1, n2 string
		mustTx(t, s, func(tx store.Tx) (err error) {
			if p1, n1, err = tx.Messages(t.Context(), store.MessageFilter{Page: store.Page{Limit: 3}}); err != nil {
				return err
			}
			p2, n2, err = tx.Messages(t.Context(), store.MessageFilter{Page: store.Page{Limit: 3, Cursor: n1}})
			return err
		})
		if diff := cmp.Diff(want, append(p1, p2...)); diff != "" || n1 != want[2].ID || n2 != "" {
			t.Errorf("pages of 3: next %q, %q (-want +got):\n%s", n1, n2, diff)
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, _, err := tx.Messages(t.Context(), store.MessageFilter{Status: "delivered"})
			return err
		})
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, "status")
	})

	t.Run("refused by the database", func(t *testing.T) {
		for name, m := range map[string]store.Message{
			"unknown customer": {CustomerID: "cus_00000000000000000000000000", Channel: "email", ScheduledFor: Now, Status: store.MessageQueued},
			"unknown status":   {CustomerID: a.ID, Channel: "email", ScheduledFor: Now, Status: "delivered"},
		} {
			if err := s.Tx(t.Context(), func(tx store.Tx) error { _, _, err := tx.InsertMessage(t.Context(), &m); return err }); err == nil {
				t.Errorf("%s: stored", name)
			}
		}
	})
}

// ---- message delivery: claims and results -------------------------------------------

// addMessages stores the messages in one transaction (their ids are set).
func addMessages(t *testing.T, s store.Store, ms []store.Message) {
	t.Helper()
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ms {
			if _, created, err := tx.InsertMessage(t.Context(), &ms[i]); err != nil || !created {
				return fmt.Errorf("message %d: created %v, %w", i, created, err)
			}
		}
		return nil
	})
}

// getMessage reads one message in its own transaction.
func getMessage(t *testing.T, s store.Store, id string) *store.Message {
	t.Helper()
	var m *store.Message
	mustTx(t, s, func(tx store.Tx) (err error) { m, err = tx.Message(t.Context(), id); return err })
	return m
}

// claimMessages claims messages of a channel in its own transaction.
func claimMessages(t *testing.T, s store.Store, channel, worker string, now, staleBefore time.Time, limit int) []store.Message {
	t.Helper()
	var out []store.Message
	mustTx(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ClaimMessages(t.Context(), channel, worker, now, staleBefore, limit)
		return err
	})
	return out
}

func messageIDs(ms []store.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// storedMessage is m as the store returns it: created at the clock, times
// in UTC.
func storedMessage(m store.Message) store.Message {
	m.CreatedAt, m.ScheduledFor = Now, m.ScheduledFor.UTC()
	for _, p := range []**time.Time{&m.SentAt, &m.NextAttemptAt, &m.ClaimedAt} {
		if *p != nil {
			u := (*p).UTC()
			*p = &u
		}
	}
	return m
}

// claimedBy is m claimed by worker at the clock.
func claimedBy(m store.Message, worker string) store.Message {
	at := Now
	m.ClaimedBy, m.ClaimedAt = worker, &at
	return m
}

func testMessageClaims(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("MC-A"))
	at := func(d time.Duration) *time.Time { x := Now.Add(d); return &x }
	q := func(channel string, scheduled time.Duration) store.Message {
		return store.Message{CustomerID: a.ID, Channel: channel, Step: "reminder_0", Locale: "en-US",
			ScheduledFor: Now.Add(scheduled), Status: store.MessageQueued, Subject: "Reminder", Body: "Please pay"}
	}
	ms := []store.Message{
		0:  q("email", -2*time.Hour),
		1:  q("email", -time.Hour), // retry held back until Now+10m
		2:  q("email", -3*time.Hour),
		3:  q("email", 0),                // due at now exactly
		4:  q("email", time.Microsecond), // due a microsecond after now
		5:  q("sms", -5*time.Hour),       // another channel
		6:  q("email", -4*time.Hour),     // sent
		7:  q("email", -4*time.Hour),     // failed
		8:  q("email", -4*time.Hour),     // bounced
		9:  q("email", -time.Hour),       // retry due at now exactly
		10: q("email", -2*time.Hour),     // same time as 0: id order
		11: q("email", -6*time.Hour),     // claimed 5 minutes ago by a worker
	}
	ms[1].NextAttemptAt, ms[1].Attempts, ms[1].LastError = at(10*time.Minute), 1, "smtp: 421 try again later"
	// Given in another zone: the same instant.
	ms[9].NextAttemptAt = new(Now.In(time.FixedZone("JST", 9*3600)))
	ms[6].Status, ms[6].SentAt, ms[6].Attempts = store.MessageSent, at(-4*time.Hour), 1
	ms[7].Status, ms[7].Attempts = store.MessageFailed, 3
	ms[8].Status, ms[8].Attempts = store.MessageBounced, 1
	ms[11].ClaimedBy, ms[11].ClaimedAt = "w0", at(-5*time.Minute)
	addMessages(t, s, ms)
	want := make([]store.Message, len(ms))
	for i, m := range ms {
		want[i] = storedMessage(m)
	}
	// 0 and 10 are scheduled at the same time: the smaller id goes first.
	tie0, tie1 := want[0], want[10]
	if tie1.ID < tie0.ID {
		tie0, tie1 = tie1, tie0
	}

	// Every claim is made at the transaction's clock, Now. A claim is stale
	// when it was made before staleBefore (strictly).
	fresh := Now.Add(-10 * time.Minute)
	steps := []struct {
		name            string
		channel, worker string
		now, stale      time.Time
		limit           int
		want            []store.Message
	}{
		{"due and queued, oldest first, limit 2", "email", "w1", Now, fresh, 2,
			[]store.Message{claimedBy(want[2], "w1"), claimedBy(tie0, "w1")}},
		{"the rest that is due; claimed ones are skipped", "email", "w2", Now, fresh, 10,
			[]store.Message{claimedBy(tie1, "w2"), claimedBy(want[9], "w2"), claimedBy(want[3], "w2")}},
		{"nothing left that is due and free", "email", "w3", Now, fresh, 10, nil},
		{"a claim made at staleBefore is not stale", "email", "w4", Now, Now.Add(-5 * time.Minute), 10, nil},
		{"a claim made before staleBefore is taken over", "email", "w4", Now, Now, 10,
			[]store.Message{claimedBy(want[11], "w4")}},
		{"later: the held back retry and the later message", "email", "w5", Now.Add(10 * time.Minute), Now, 10,
			[]store.Message{claimedBy(want[1], "w5"), claimedBy(want[4], "w5")}},
		{"channels are separate", "sms", "w6", Now, fresh, 10, []store.Message{claimedBy(want[5], "w6")}},
		{"limit 0", "email", "w7", Now.Add(time.Hour), Now.Add(time.Hour), 0, nil},
		{"unknown channel", "fax", "w7", Now.Add(time.Hour), Now.Add(time.Hour), 10, nil},
		{"all stale: taken over in order, limit 3", "email", "w8", Now.Add(time.Hour), Now.Add(time.Microsecond), 3,
			[]store.Message{claimedBy(want[11], "w8"), claimedBy(want[2], "w8"), claimedBy(tie0, "w8")}},
	}
	for _, st := range steps {
		got := claimMessages(t, s, st.channel, st.worker, st.now, st.stale, st.limit)
		if diff := cmp.Diff(st.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: ClaimMessages (-want +got):\n%s", st.name, diff)
		}
		for _, m := range got {
			if m.ClaimedAt.Location() != time.UTC || m.ScheduledFor.Location() != time.UTC {
				t.Errorf("%s: claimed %s with times not in UTC: %v %v", st.name, m.ID, m.ScheduledFor, m.ClaimedAt)
			}
		}
	}

	// The claims are stored; messages that are not queued are never claimed.
	stored := map[int]store.Message{
		0: claimedBy(want[0], "w2"), 10: claimedBy(want[10], "w2"), // one of them was taken over by w8 below
		1: claimedBy(want[1], "w5"), 2: claimedBy(want[2], "w8"), 3: claimedBy(want[3], "w2"), 4: claimedBy(want[4], "w5"),
		5: claimedBy(want[5], "w6"), 6: want[6], 7: want[7], 8: want[8], 9: claimedBy(want[9], "w2"), 11: claimedBy(want[11], "w8"),
	}
	if tie0.ID == want[0].ID {
		stored[0] = claimedBy(want[0], "w8")
	} else {
		stored[10] = claimedBy(want[10], "w8")
	}
	for i, w := range stored {
		if diff := cmp.Diff(&w, getMessage(t, s, w.ID)); diff != "" {
			t.Errorf("message %d as stored (-want +got):\n%s", i, diff)
		}
	}

	t.Run("a claim without a time is free", func(t *testing.T) {
		m := []store.Message{q("letter", -time.Hour)}
		m[0].ClaimedBy = "w0"
		addMessages(t, s, m)
		got := claimMessages(t, s, "letter", "w9", Now, fresh, 10)
		if diff := cmp.Diff(messageIDs(m), messageIDs(got)); diff != "" {
			t.Errorf("claimed (-want +got):\n%s", diff)
		}
	})

	t.Run("refused", func(t *testing.T) {
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.ClaimMessages(t.Context(), "email", "", Now.Add(time.Hour), Now.Add(time.Hour), 10)
			return err
		})
		if err == nil {
			t.Error("a claim without a worker: no error")
		}
	})
}

func testMessageDelivery(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("MD-A"))
	jst := time.FixedZone("JST", 9*3600)
	ms := []store.Message{
		{CustomerID: a.ID, Channel: "email", Step: "reminder_0", ScheduledFor: Now.Add(-time.Hour), Status: store.MessageQueued, Subject: "1"},
		{CustomerID: a.ID, Channel: "email", Step: "firm_7", ScheduledFor: Now.Add(-time.Minute), Status: store.MessageQueued, Subject: "2"},
		{CustomerID: a.ID, Channel: "email", Step: "firm_14", ScheduledFor: Now.Add(time.Hour), Status: store.MessageQueued, Subject: "3"},
	}
	addMessages(t, s, ms)
	claimed := claimMessages(t, s, "email", "w1", Now, Now.Add(-time.Minute), 10)
	if diff := cmp.Diff([]string{ms[0].ID, ms[1].ID}, messageIDs(claimed)); diff != "" {
		t.Fatalf("claimed (-want +got):\n%s", diff)
	}
	update := func(t *testing.T, m *store.Message) {
		t.Helper()
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateMessageDelivery(t.Context(), m) })
	}

	t.Run("sent", func(t *testing.T) {
		m := claimed[0]
		sentAt := time.Date(2026, 7, 1, 21, 30, 45, 654321000, jst) // 12:30:45.654321 UTC
		m.Status, m.Attempts, m.SentAt, m.LastError = store.MessageSent, 1, &sentAt, ""
		update(t, &m)
		if m.ClaimedBy != "" || m.ClaimedAt != nil {
			t.Errorf("after the update m still holds the claim %q %v", m.ClaimedBy, m.ClaimedAt)
		}
		want := storedMessage(ms[0])
		sentUTC := sentAt.UTC()
		want.Status, want.Attempts, want.SentAt = store.MessageSent, 1, &sentUTC
		got := getMessage(t, s, ms[0].ID)
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("sent message (-want +got):\n%s", diff)
		}
		if got.SentAt.Location() != time.UTC {
			t.Errorf("SentAt %v not in UTC", got.SentAt)
		}
	})

	t.Run("retry later, then bounced", func(t *testing.T) {
		m := claimed[1]
		next := Now.Add(15 * time.Minute).In(jst)
		m.Status, m.Attempts, m.LastError, m.NextAttemptAt = store.MessageQueued, 1, "smtp: 421 try again later", &next
		update(t, &m)
		want := storedMessage(ms[1])
		nextUTC := next.UTC()
		want.Attempts, want.LastError, want.NextAttemptAt = 1, "smtp: 421 try again later", &nextUTC
		if diff := cmp.Diff(&want, getMessage(t, s, ms[1].ID)); diff != "" {
			t.Errorf("message to retry (-want +got):\n%s", diff)
		}
		// Not before next_attempt_at; then free (the claim is cleared, so
		// even a fresh staleBefore lets it be claimed), with the later one.
		if got := claimMessages(t, s, "email", "w2", Now.Add(15*time.Minute-time.Microsecond), Now.Add(-time.Hour), 10); got != nil {
			t.Errorf("claimed before its next attempt: %v", messageIDs(got))
		}
		got := claimMessages(t, s, "email", "w2", Now.Add(time.Hour), Now.Add(-time.Hour), 10)
		if diff := cmp.Diff([]store.Message{claimedBy(want, "w2"), claimedBy(storedMessage(ms[2]), "w2")}, got); diff != "" {
			t.Errorf("claimed at its next attempt (-want +got):\n%s", diff)
		}

		m = got[0]
		m.Status, m.Attempts, m.LastError, m.NextAttemptAt = store.MessageBounced, 2, "smtp: 550 mailbox unavailable", nil
		update(t, &m)
		want.Status, want.Attempts, want.LastError, want.NextAttemptAt = store.MessageBounced, 2, "smtp: 550 mailbox unavailable", nil
		if diff := cmp.Diff(&want, getMessage(t, s, ms[1].ID)); diff != "" {
			t.Errorf("bounced message (-want +got):\n%s", diff)
		}
	})

	t.Run("failed", func(t *testing.T) {
		m := *getMessage(t, s, ms[2].ID) // claimed by w2
		m.Status, m.Attempts, m.LastError = store.MessageFailed, 5, "gave up"
		update(t, &m)
		want := storedMessage(ms[2])
		want.Status, want.Attempts, want.LastError = store.MessageFailed, 5, "gave up"
		if diff := cmp.Diff(&want, getMessage(t, s, ms[2].ID)); diff != "" {
			t.Errorf("failed message (-want +got):\n%s", diff)
		}
		// Sent, bounced and failed messages are never claimed again.
		if got := claimMessages(t, s, "email", "w3", Now.Add(24*time.Hour), Now.Add(24*time.Hour), 10); got != nil {
			t.Errorf("claimed after delivery: %v", messageIDs(got))
		}
	})

	t.Run("refused", func(t *testing.T) {
		before := getMessage(t, s, ms[2].ID)
		for _, status := range []string{"", "delivered"} {
			m := *before
			m.Status, m.Attempts = status, 9
			err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateMessageDelivery(t.Context(), &m) })
			wantCode(t, err, apperr.Invalid)
			wantField(t, err, "status")
		}
		if diff := cmp.Diff(before, getMessage(t, s, ms[2].ID)); diff != "" {
			t.Errorf("refused updates changed the message (-want +got):\n%s", diff)
		}
		ghost := store.Message{ID: "msg_00000000000000000000000000", Status: store.MessageSent}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateMessageDelivery(t.Context(), &ghost) })
		wantCode(t, err, apperr.NotFound)
		if err != nil && !strings.Contains(err.Error(), ghost.ID) {
			t.Errorf("%v does not name %s", err, ghost.ID)
		}
	})
}

// testMessageConcurrentClaims: workers claiming a channel's messages at the
// same time never get the same one (as testRunConcurrentClaims: the claims
// overlap on PostgreSQL, follow one another on SQLite).
func testMessageConcurrentClaims(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("MCC-A"))
	tests := []struct {
		name, channel        string
		workers, limit, want int
	}{
		{"two workers", "email", 2, 4, 8},
		{"four workers", "sms", 4, 3, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms := make([]store.Message, 10)
			for i := range ms {
				ms[i] = store.Message{CustomerID: a.ID, Channel: tt.channel, ScheduledFor: Now.Add(time.Duration(i-10) * time.Minute), Status: store.MessageQueued}
			}
			addMessages(t, s, ms)
			seen := claimConcurrently(t, s, tt.workers, tt.limit, tt.want, "messages", func(tx store.Tx, worker string) ([]string, error) {
				got, err := tx.ClaimMessages(t.Context(), tt.channel, worker, Now, Now.Add(-time.Minute), tt.limit)
				return messageIDs(got), err
			})
			// Each claim is stored for its worker; what is left is exactly
			// what nobody claimed.
			var rest []string
			for _, m := range ms {
				w, ok := seen[m.ID]
				if !ok {
					rest = append(rest, m.ID)
					continue
				}
				if got := getMessage(t, s, m.ID).ClaimedBy; got != fmt.Sprintf("w%d", w) {
					t.Errorf("%s claimed by worker %d is stored as claimed by %q", m.ID, w, got)
				}
			}
			got := claimMessages(t, s, tt.channel, "after", Now, Now.Add(-time.Minute), 10)
			if diff := cmp.Diff(rest, messageIDs(got)); diff != "" {
				t.Errorf("afterwards claimed (-want the unclaimed +got):\n%s", diff)
			}
		})
	}
}

// testMessageDeliveryRoundTrip: the delivery fields, given in other zones,
// read back in UTC through Message and Messages.
func testMessageDeliveryRoundTrip(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("MRT-A"))
	cest, nzst := time.FixedZone("CEST", 2*3600), time.FixedZone("NZST", 12*3600)
	next := time.Date(2026, 7, 2, 8, 15, 0, 999999000, cest)
	claimedAt := time.Date(2026, 7, 2, 0, 0, 0, 1000, nzst)
	ms := []store.Message{
		{CustomerID: a.ID, Channel: "email", ScheduledFor: Now, Status: store.MessageQueued, Attempts: 2, LastError: "timeout",
			NextAttemptAt: &next, ClaimedBy: "host-1:4242", ClaimedAt: &claimedAt},
		{CustomerID: a.ID, Channel: "sms", ScheduledFor: Now, Status: store.MessageQueued},
	}
	addMessages(t, s, ms)
	want := []store.Message{storedMessage(ms[0]), storedMessage(ms[1])}
	if !want[0].NextAttemptAt.Equal(next) || want[0].NextAttemptAt.Location() != time.UTC {
		t.Fatal("fixture: storedMessage")
	}
	for i := range want {
		got := getMessage(t, s, want[i].ID)
		if diff := cmp.Diff(&want[i], got); diff != "" {
			t.Errorf("Message(%d) (-want +got):\n%s", i, diff)
		}
		for _, p := range []*time.Time{got.NextAttemptAt, got.ClaimedAt} {
			if p != nil && p.Location() != time.UTC {
				t.Errorf("Message(%d): %v not in UTC", i, p)
			}
		}
	}
	var list []store.Message
	mustTx(t, s, func(tx store.Tx) (err error) {
		list, _, err = tx.Messages(t.Context(), store.MessageFilter{CustomerID: a.ID})
		return err
	})
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("Messages (-want +got):\n%s", diff)
	}
}

// ---- collections: runs, their customers, ladder steps, tasks ------------------------

// addRun stores the run of a date.
func addRun(t *testing.T, s store.Store, asOf string) *store.Run {
	t.Helper()
	var r *store.Run
	mustTx(t, s, func(tx store.Tx) (err error) {
		r, _, err = tx.InsertRun(t.Context(), &store.Run{AsOf: day(asOf)})
		return err
	})
	return r
}

func getRun(t *testing.T, s store.Store, idOrDate string) *store.Run {
	t.Helper()
	var r *store.Run
	mustTx(t, s, func(tx store.Tx) (err error) { r, err = tx.Run(t.Context(), idOrDate); return err })
	return r
}

// addCustomers stores n customers in one transaction and returns their
// ids, ascending (ids grow in creation order).
func addCustomers(t testing.TB, s store.Store, prefix string, n int) []string {
	t.Helper()
	out := make([]string, 0, n)
	for start := 0; start < n; start += 10000 {
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			for i := start; i < min(start+10000, n); i++ {
				c := newCustomer(fmt.Sprintf("%s-%06d", prefix, i))
				if err := tx.InsertCustomer(t.Context(), &c); err != nil {
					return err
				}
				out = append(out, c.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("adding customers: %v", err)
		}
	}
	if !slices.IsSorted(out) {
		t.Fatalf("fixture: customer ids not ascending")
	}
	return out
}

func testRuns(t *testing.T, s store.Store) {
	jst := time.FixedZone("JST", 9*3600)
	var first store.Run
	mustTx(t, s, func(tx store.Tx) error {
		r := store.Run{AsOf: day("2026-07-01"), Customers: 5}
		got, created, err := tx.InsertRun(t.Context(), &r)
		if err != nil {
			return err
		}
		// Status defaults to running and StartedAt to the clock.
		want := store.Run{ID: r.ID, AsOf: day("2026-07-01"), Status: store.RunRunning, Customers: 5, StartedAt: Now}
		if diff := cmp.Diff(&want, got); diff != "" || !created || !strings.HasPrefix(r.ID, "run_") {
			t.Errorf("InsertRun: created %v, id %q (-want +got):\n%s", created, r.ID, diff)
		}
		first = *got
		return nil
	})

	t.Run("same date again", func(t *testing.T) {
		fin := Now.Add(time.Hour)
		again := store.Run{AsOf: day("2026-07-01"), Status: store.RunDone, Customers: 9, Done: 9, StartedAt: Now.Add(-time.Hour), FinishedAt: &fin}
		mustTx(t, s, func(tx store.Tx) error {
			got, created, err := tx.InsertRun(t.Context(), &again)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&first, got); diff != "" || created || again.ID != first.ID {
				t.Errorf("InsertRun for a date with a run: created %v, r.ID %q (-want the stored run +got):\n%s", created, again.ID, diff)
			}
			return nil
		})
		if diff := cmp.Diff(&first, getRun(t, s, first.ID)); diff != "" {
			t.Errorf("the stored run changed (-want +got):\n%s", diff)
		}
	})

	// A run of another date, started at 2026-07-02 09:00 JST = 00:00 UTC.
	var second *store.Run
	mustTx(t, s, func(tx store.Tx) (err error) {
		var created bool
		second, created, err = tx.InsertRun(t.Context(), &store.Run{AsOf: day("2026-07-02"), StartedAt: time.Date(2026, 7, 2, 9, 0, 0, 0, jst)})
		if err == nil && (!created || second.ID == first.ID) {
			t.Errorf("InsertRun for 2026-07-02: created %v, id %q (first %q)", created, second.ID, first.ID)
		}
		return err
	})
	if want := time.Date(2026, 7, 2, 0, 0, 0, 0, time.UTC); second.StartedAt != want {
		t.Errorf("StartedAt %v, want %v", second.StartedAt, want)
	}

	t.Run("get", func(t *testing.T) {
		tests := []struct {
			name, key string
			want      *store.Run
		}{
			{"by id", first.ID, &first},
			{"by date", "2026-07-01", &first},
			{"second by date", "2026-07-02", second},
			{"date without a run", "2026-07-03", nil},
			{"unknown id", "run_00000000000000000000000000", nil},
			{"not a date", "07/01/2026", nil},
			{"impossible date", "2026-02-30", nil},
			{"empty", "", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got *store.Run
				err := s.Tx(t.Context(), func(tx store.Tx) (err error) { got, err = tx.Run(t.Context(), tt.key); return err })
				if tt.want == nil {
					wantCode(t, err, apperr.NotFound)
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Run(%q) (-want +got):\n%s", tt.key, diff)
				}
			})
		}
	})

	t.Run("counts", func(t *testing.T) {
		update := func(t *testing.T, done, messages, tasks, events int, status string, fin *time.Time) {
			t.Helper()
			mustTx(t, s, func(tx store.Tx) error {
				return tx.UpdateRunCounts(t.Context(), first.ID, done, messages, tasks, events, status, fin)
			})
		}
		update(t, 3, 2, 1, 4, store.RunRunning, nil)
		update(t, 1, 0, 2, 0, "", nil) // empty status: unchanged
		want := first
		want.Done, want.Messages, want.Tasks, want.Events = 4, 2, 3, 4
		if diff := cmp.Diff(&want, getRun(t, s, first.ID)); diff != "" {
			t.Errorf("after two updates (-want +got):\n%s", diff)
		}
		// Finished at 2026-07-01 22:00 JST = 13:00 UTC.
		fin := time.Date(2026, 7, 1, 22, 0, 0, 0, jst)
		update(t, 1, 0, 0, 0, store.RunDone, &fin)
		finUTC := fin.UTC()
		want.Done, want.Status, want.FinishedAt = 5, store.RunDone, &finUTC
		got := getRun(t, s, "2026-07-01")
		if diff := cmp.Diff(&want, got); diff != "" || got.FinishedAt.Location() != time.UTC {
			t.Errorf("after finishing (-want +got):\n%s", diff)
		}
		update(t, 0, 1, 0, 0, "", nil) // nil finishedAt keeps it
		want.Messages = 3
		if diff := cmp.Diff(&want, getRun(t, s, first.ID)); diff != "" {
			t.Errorf("after a late update (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(second, getRun(t, s, second.ID)); diff != "" {
			t.Errorf("the other run changed (-want +got):\n%s", diff)
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			return tx.UpdateRunCounts(t.Context(), "run_00000000000000000000000000", 1, 0, 0, 0, store.RunRunning, nil)
		})
		wantCode(t, err, apperr.NotFound)
		err = s.Tx(t.Context(), func(tx store.Tx) error {
			return tx.UpdateRunCounts(t.Context(), first.ID, 0, 0, 0, 0, "paused", nil)
		})
		if err == nil {
			t.Error("status paused stored")
		}
	})
}

// claim claims customers of a run in its own transaction.
func claim(t *testing.T, s store.Store, runID, worker string, limit int, staleBefore time.Time) []string {
	t.Helper()
	var out []string
	mustTx(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ClaimRunCustomers(t.Context(), runID, worker, limit, staleBefore)
		return err
	})
	return out
}

func testRunCustomers(t *testing.T, s store.Store) {
	cs := addCustomers(t, s, "RC", 7)
	run := addRun(t, s, "2026-07-01")
	other := addRun(t, s, "2026-07-02")
	mustTx(t, s, func(tx store.Tx) error {
		ctx := t.Context()
		if err := tx.AddRunCustomers(ctx, run.ID, cs[:5]); err != nil {
			return err
		}
		// 3 and 4 are in the run already; 6 twice.
		if err := tx.AddRunCustomers(ctx, run.ID, []string{cs[4], cs[6], cs[3], cs[5], cs[6]}); err != nil {
			return err
		}
		if err := tx.AddRunCustomers(ctx, run.ID, nil); err != nil {
			return err
		}
		return tx.AddRunCustomers(ctx, other.ID, cs[:2])
	})
	// Customers counts the customers added, once each.
	if r := getRun(t, s, run.ID); r.Customers != 7 || r.Done != 0 {
		t.Errorf("run: %d customers, %d done; want 7, 0", r.Customers, r.Done)
	}
	if r := getRun(t, s, other.ID); r.Customers != 2 {
		t.Errorf("other run: %d customers, want 2", r.Customers)
	}

	// Every claim is made at the transaction's clock, Now. A claim is stale
	// when it was made before staleBefore (strictly).
	fresh := Now.Add(-10 * time.Minute)
	steps := []struct {
		name        string
		run, worker string
		limit       int
		staleBefore time.Time
		want        []string
	}{
		{"first three in id order", run.ID, "w1", 3, fresh, cs[0:3]},
		{"claimed ones are skipped", run.ID, "w2", 3, fresh, cs[3:6]},
		{"a claim made at staleBefore is not stale", run.ID, "w3", 3, Now, cs[6:7]},
		{"nothing left", run.ID, "w4", 3, fresh, nil},
		{"runs are separate", other.ID, "w5", 10, fresh, cs[0:2]},
		{"limit 0", other.ID, "w5", 0, Now.Add(time.Hour), nil},
		{"unknown run", "run_00000000000000000000000000", "w5", 10, fresh, nil},
	}
	for _, st := range steps {
		if got := claim(t, s, st.run, st.worker, st.limit, st.staleBefore); !slices.Equal(got, st.want) {
			t.Errorf("%s: claimed %v, want %v", st.name, got, st.want)
		}
	}

	mustTx(t, s, func(tx store.Tx) error {
		for _, id := range []string{cs[0], cs[3], cs[3]} { // finishing twice is harmless
			if err := tx.FinishRunCustomer(t.Context(), run.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	for name, key := range map[string][2]string{
		"customer not in the run": {other.ID, cs[4]},
		"unknown run":             {"run_00000000000000000000000000", cs[0]},
	} {
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.FinishRunCustomer(t.Context(), key[0], key[1]) })
		wantCode(t, err, apperr.NotFound)
		if err != nil && !strings.Contains(err.Error(), key[1]) {
			t.Errorf("%s: %v does not name %s", name, err, key[1])
		}
	}

	// A worker died: claims made before staleBefore and never finished are
	// claimed again; finished ones never are.
	if got, want := claim(t, s, run.ID, "w6", 10, Now.Add(time.Microsecond)), []string{cs[1], cs[2], cs[4], cs[5], cs[6]}; !slices.Equal(got, want) {
		t.Errorf("stale claims: claimed %v, want %v", got, want)
	}
	if got := claim(t, s, run.ID, "w7", 2, Now.Add(time.Microsecond)); !slices.Equal(got, []string{cs[1], cs[2]}) {
		t.Errorf("stale claims with limit 2: claimed %v, want %v", got, cs[1:3])
	}
	mustTx(t, s, func(tx store.Tx) error {
		for _, id := range []string{cs[1], cs[2], cs[4], cs[5], cs[6]} {
			if err := tx.FinishRunCustomer(t.Context(), run.ID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if got := claim(t, s, run.ID, "w8", 10, Now.Add(24*time.Hour)); got != nil {
		t.Errorf("all done: claimed %v", got)
	}
	// The other run's claims are untouched by this run's.
	if got := claim(t, s, other.ID, "w9", 10, Now.Add(time.Microsecond)); !slices.Equal(got, cs[0:2]) {
		t.Errorf("other run, stale: claimed %v, want %v", got, cs[0:2])
	}

	t.Run("refused", func(t *testing.T) {
		for name, fn := range map[string]func(tx store.Tx) error{
			"unknown customer": func(tx store.Tx) error {
				return tx.AddRunCustomers(t.Context(), run.ID, []string{"cus_00000000000000000000000000"})
			},
			"unknown run": func(tx store.Tx) error {
				return tx.AddRunCustomers(t.Context(), "run_00000000000000000000000000", cs[:1])
			},
			"claim without a worker": func(tx store.Tx) error {
				_, err := tx.ClaimRunCustomers(t.Context(), other.ID, "", 10, Now.Add(time.Hour))
				return err
			},
		} {
			if err := s.Tx(t.Context(), fn); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
		if r := getRun(t, s, run.ID); r.Customers != 7 {
			t.Errorf("run: %d customers after refused adds, want 7", r.Customers)
		}
	})
}

// testRunManyCustomers crosses the 500-row batches of AddRunCustomers and
// claims several batches.
func testRunManyCustomers(t *testing.T, s store.Store) {
	const n = 1234
	cs := addCustomers(t, s, "RM", n)
	run := addRun(t, s, "2026-07-01")
	// Every 7th customer twice, some at batch edges (500 and 1000 rows in).
	in := make([]string, 0, n+n/7)
	for i, id := range cs {
		in = append(in, id)
		if i%7 == 0 {
			in = append(in, id)
		}
	}
	mustTx(t, s, func(tx store.Tx) error {
		if err := tx.AddRunCustomers(t.Context(), run.ID, in); err != nil {
			return err
		}
		// The second half again, reversed: all kept as they are.
		back := slices.Clone(cs[n/2:])
		slices.Reverse(back)
		return tx.AddRunCustomers(t.Context(), run.ID, back)
	})
	if r := getRun(t, s, run.ID); r.Customers != n {
		t.Errorf("run: %d customers, want %d", r.Customers, n)
	}
	var got []string
	for _, want := range []int{500, 500, 234, 0} {
		ids := claim(t, s, run.ID, "w", 500, Now.Add(-time.Minute))
		if len(ids) != want {
			t.Errorf("claim of 500: %d customers, want %d", len(ids), want)
		}
		got = append(got, ids...)
	}
	if !slices.Equal(got, cs) {
		t.Errorf("claims in order do not give every customer once in id order (%d claimed)", len(got))
	}
}

// testRunConcurrentClaims: workers claiming from one run at the same time
// never get the same customer. On PostgreSQL every worker keeps its
// transaction open until all have claimed, so the claims overlap (FOR
// UPDATE SKIP LOCKED passes over the rows another holds); SQLite runs one
// write transaction at a time, so there they follow one another.
func testRunConcurrentClaims(t *testing.T, s store.Store) {
	cs := addCustomers(t, s, "RCC", 10)
	tests := []struct {
		name, asOf           string
		workers, limit, want int
	}{
		{"two workers", "2026-07-01", 2, 4, 8},
		{"four workers", "2026-07-02", 4, 3, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := addRun(t, s, tt.asOf)
			mustTx(t, s, func(tx store.Tx) error { return tx.AddRunCustomers(t.Context(), run.ID, cs) })
			seen := claimConcurrently(t, s, tt.workers, tt.limit, tt.want, "customers", func(tx store.Tx, worker string) ([]string, error) {
				return tx.ClaimRunCustomers(t.Context(), run.ID, worker, tt.limit, Now.Add(-time.Minute))
			})
			// What is left is exactly what nobody claimed.
			var rest []string
			for _, id := range cs {
				if _, ok := seen[id]; !ok {
					rest = append(rest, id)
				}
			}
			if got := claim(t, s, run.ID, "after", 10, Now.Add(-time.Minute)); !slices.Equal(got, rest) {
				t.Errorf("afterwards claimed %v, want the unclaimed %v", got, rest)
			}
		})
	}
}

// InsertCollectionSteps: one statement for many; created per row; a step
// stored already, or listed twice, is not created again; more rows than
// one statement takes.
func testCollectionStepsBulk(t *testing.T, s store.Store) {
	r := addRun(t, s, "2026-07-01")
	on := day("2026-07-01")
	mustTx(t, s, func(tx store.Tx) error {
		_, err := tx.InsertCollectionStep(t.Context(), &store.CollectionStep{SubjectID: "inv_OLD", Step: "firm", RunID: r.ID, On: on})
		return err
	})
	var rows []store.CollectionStep
	for i := range 200 {
		rows = append(rows, store.CollectionStep{SubjectID: fmt.Sprintf("inv_%03d", i), Step: "reminder", RunID: r.ID, On: on})
	}
	rows = append(rows, store.CollectionStep{SubjectID: "inv_OLD", Step: "firm", RunID: r.ID, On: on},
		store.CollectionStep{SubjectID: "inv_000", Step: "reminder", RunID: r.ID, On: on})
	var created []bool
	mustTx(t, s, func(tx store.Tx) error {
		var err error
		if created, err = tx.InsertCollectionSteps(t.Context(), rows); err != nil {
			return err
		}
		// The transaction is still usable after the conflicts.
		_, err = tx.InsertCollectionStep(t.Context(), &store.CollectionStep{SubjectID: "inv_NEW", Step: "firm", RunID: r.ID, On: on})
		return err
	})
	if len(created) != len(rows) {
		t.Fatalf("%d flags for %d rows", len(created), len(rows))
	}
	for i := range 200 {
		if !created[i] {
			t.Errorf("row %d not created", i)
		}
	}
	if created[200] || created[201] {
		t.Errorf("a stored step or a repeat was created again: %v %v", created[200], created[201])
	}
	mustTx(t, s, func(tx store.Tx) error {
		m, err := tx.CollectionSteps(t.Context(), []string{"inv_000", "inv_199", "inv_NEW", "inv_OLD"})
		if err != nil {
			return err
		}
		if len(m) != 4 || len(m["inv_000"]) != 1 {
			t.Errorf("steps %v", m)
		}
		return nil
	})
}

// Opt-outs: set, repeated, lifted, per customer.
func testOptOuts(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("OA"))
	b := addCustomer(t, s, newCustomer("OB"))
	mustTx(t, s, func(tx store.Tx) error {
		for _, ch := range []string{"sms", "email", "sms"} {
			if err := tx.SetOptOut(t.Context(), a.ID, ch, true, "portal"); err != nil {
				return err
			}
		}
		return tx.SetOptOut(t.Context(), b.ID, "call", true, "call")
	})
	mustTx(t, s, func(tx store.Tx) error { return tx.SetOptOut(t.Context(), a.ID, "email", false, "") })
	mustTx(t, s, func(tx store.Tx) error {
		m, err := tx.OptOuts(t.Context(), []string{a.ID, b.ID})
		if err != nil {
			return err
		}
		if !m[a.ID]["sms"] || m[a.ID]["email"] || len(m[a.ID]) != 1 || !m[b.ID]["call"] {
			t.Errorf("opt-outs %v", m)
		}
		return nil
	})
}

// CustomersByIDs and CustomerLedgers load many customers at once.
func testBatchLoads(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("BA"))
	b := addCustomer(t, s, newCustomer("BB"))
	addCustomer(t, s, newCustomer("BC"))
	i1 := addInvoice(t, s, newInvoice(a, "BA-1", "2026-01-01", "2026-01-31", money.New(1000, USD)))
	addInvoice(t, s, newInvoice(a, "BA-2", "2026-01-02", "2026-02-01", money.New(2000, USD)))
	addInvoice(t, s, newInvoice(b, "BB-1", "2026-01-03", "2026-02-02", money.New(3000, USD)))
	mustTx(t, s, func(tx store.Tx) error {
		p := ledger.Payment{CustomerID: a.ID, ReceivedOn: day("2026-02-05"), Amount: money.New(500, USD), InvoiceID: i1.ID}
		p.Normalize()
		return tx.InsertPayment(t.Context(), &p)
	})
	mustTx(t, s, func(tx store.Tx) error {
		cs, err := tx.CustomersByIDs(t.Context(), []string{a.ID, b.ID, "cus_UNKNOWN"})
		if err != nil {
			return err
		}
		if len(cs) != 2 || cs[a.ID].ExternalRef != "BA" || cs[b.ID].ExternalRef != "BB" {
			t.Errorf("customers %v", cs)
		}
		invs, pays, err := tx.CustomerLedgers(t.Context(), []string{a.ID, b.ID})
		if err != nil {
			return err
		}
		if len(invs[a.ID]) != 2 || len(invs[b.ID]) != 1 || len(pays[a.ID]) != 1 || len(pays[b.ID]) != 0 {
			t.Errorf("ledgers: %d/%d invoices, %d/%d payments", len(invs[a.ID]), len(invs[b.ID]), len(pays[a.ID]), len(pays[b.ID]))
		}
		pr := ledger.Promise{CustomerID: b.ID, Amount: money.New(100, USD), PromisedOn: day("2026-02-01"), DueDate: day("2026-02-10"), Channel: "call"}
		if err := tx.InsertPromise(t.Context(), &pr); err != nil {
			return err
		}
		for _, k := range []string{"call", "note"} {
			it := store.Interaction{CustomerID: a.ID, Kind: k, Summary: "s"}
			if k == "call" {
				it.Direction = "outbound"
			}
			if err := tx.InsertInteraction(t.Context(), &it); err != nil {
				return err
			}
		}
		proms, err := tx.PromisesFor(t.Context(), []string{a.ID, b.ID})
		if err != nil {
			return err
		}
		calls, err := tx.CallsFor(t.Context(), []string{a.ID, b.ID})
		if err != nil {
			return err
		}
		plans, err := tx.ActivePlansFor(t.Context(), []string{a.ID, b.ID})
		if err != nil {
			return err
		}
		if len(proms[b.ID]) != 1 || len(proms[a.ID]) != 0 || len(calls[a.ID]) != 1 || calls[a.ID][0].Kind != "call" || len(plans) != 0 {
			t.Errorf("promises %v, calls %v, plans %v", proms, calls, plans)
		}
		one, onePays, err := tx.CustomerLedger(t.Context(), a.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(one, invs[a.ID]) || len(onePays) != len(pays[a.ID]) {
			t.Errorf("CustomerLedgers differs from CustomerLedger")
		}
		return nil
	})
}

func testCollectionSteps(t *testing.T, s store.Store) {
	r1 := addRun(t, s, "2026-07-01")
	r2 := addRun(t, s, "2026-07-02")
	steps := []store.CollectionStep{
		{SubjectID: "inv_A", Step: "reminder", RunID: r1.ID, On: day("2026-07-01"), MessageID: "msg_1"},
		{SubjectID: "inv_A", Step: "firm", RunID: r2.ID, On: day("2026-07-02"), TaskID: "tsk_1"},
		{SubjectID: "inv_A", Step: "courtesy", RunID: r2.ID, On: day("2026-07-02")},
		{SubjectID: "pln_X#2", Step: "installment_missed", RunID: r1.ID, On: day("2026-07-01")},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range steps {
			created, err := tx.InsertCollectionStep(t.Context(), &steps[i])
			if err != nil {
				return err
			}
			if !created {
				t.Errorf("step %d: created false", i)
			}
		}
		return nil
	})

	t.Run("once", func(t *testing.T) {
		// The same subject and step again, from another run: nothing is
		// written, and the transaction goes on (PostgreSQL would abort it
		// after a failed statement).
		mustTx(t, s, func(tx store.Tx) error {
			ctx := t.Context()
			created, err := tx.InsertCollectionStep(ctx, &store.CollectionStep{SubjectID: "inv_A", Step: "reminder", RunID: r2.ID, On: day("2026-07-02"), MessageID: "msg_2"})
			if err != nil {
				return err
			}
			if created {
				t.Error("a second inv_A reminder was created")
			}
			if created, err = tx.InsertCollectionStep(ctx, &store.CollectionStep{SubjectID: "inv_B", Step: "reminder", RunID: r2.ID, On: day("2026-07-02")}); err != nil || !created {
				return fmt.Errorf("a step after the duplicate: created %v, %w", created, err)
			}
			return tx.AppendAudit(ctx, &store.AuditEntry{Actor: "t", Action: "step", ObjectType: "run", ObjectID: r2.ID})
		})
		var audit []store.AuditEntry
		mustTx(t, s, func(tx store.Tx) (err error) {
			audit, err = tx.Audit(t.Context(), store.AuditFilter{ObjectID: r2.ID})
			return err
		})
		if len(audit) != 1 {
			t.Errorf("audit after the duplicate step: %d entries, want 1 (the transaction committed)", len(audit))
		}
	})

	t.Run("steps of subjects", func(t *testing.T) {
		var got map[string][]store.CollectionStep
		mustTx(t, s, func(tx store.Tx) (err error) {
			got, err = tx.CollectionSteps(t.Context(), []string{"inv_A", "pln_X#2", "inv_B", "inv_none", "inv_A"})
			return err
		})
		// By date, then step: courtesy and firm share 2026-07-02.
		want := map[string][]store.CollectionStep{
			"inv_A":   {steps[0], steps[2], steps[1]},
			"pln_X#2": {steps[3]},
			"inv_B":   {{SubjectID: "inv_B", Step: "reminder", RunID: r2.ID, On: day("2026-07-02")}},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("CollectionSteps (-want +got):\n%s", diff)
		}
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.CollectionSteps(t.Context(), nil); return err })
		if len(got) != 0 {
			t.Errorf("CollectionSteps(nil) = %v", got)
		}
	})

	t.Run("many subjects", func(t *testing.T) {
		const n = 1100 // three IN lists of at most 500
		var subjects []string
		mustTx(t, s, func(tx store.Tx) error {
			for i := range n {
				subj := fmt.Sprintf("inv_M%04d", i)
				subjects = append(subjects, subj, fmt.Sprintf("inv_none%04d", i))
				if _, err := tx.InsertCollectionStep(t.Context(), &store.CollectionStep{SubjectID: subj, Step: "reminder", RunID: r1.ID, On: day("2026-07-01")}); err != nil {
					return err
				}
			}
			return nil
		})
		var got map[string][]store.CollectionStep
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.CollectionSteps(t.Context(), subjects); return err })
		if len(got) != n {
			t.Errorf("CollectionSteps of %d subjects: %d with steps, want %d", len(subjects), len(got), n)
		}
		for subj, list := range got {
			if !strings.HasPrefix(subj, "inv_M") || len(list) != 1 || list[0].Step != "reminder" {
				t.Errorf("%s: %+v", subj, list)
			}
		}
	})

	t.Run("refused", func(t *testing.T) {
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, err := tx.InsertCollectionStep(t.Context(), &store.CollectionStep{SubjectID: "inv_C", Step: "reminder", RunID: "run_00000000000000000000000000", On: day("2026-07-01")})
			return err
		})
		if err == nil {
			t.Error("a step of an unknown run was stored")
		}
	})
}

func testTasks(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("TK-A"))
	b := addCustomer(t, s, newCustomer("TK-B"))
	run := addRun(t, s, "2026-07-01")
	jst := time.FixedZone("JST", 9*3600)
	at := func(d, h int) time.Time { return time.Date(2026, 7, d, h, 0, 0, 0, time.UTC) }
	claimedAt, doneAt := at(1, 10), time.Date(2026, 7, 1, 20, 30, 0, 250000000, jst) // 11:30:00.25 UTC
	ts := []store.Task{
		{CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: at(2, 9), Priority: 500, Status: store.TaskOpen,
			Reason: "45 days late", RunID: run.ID, DedupeKey: "ladder:2026-07-01:a:call"},
		{CustomerID: a.ID, Queue: "legal", Kind: "legal_review", DueAt: at(3, 9), Priority: 900, Status: store.TaskClaimed,
			ClaimedBy: "token:tok_1", ClaimedAt: &claimedAt},
		// Status defaults to open; due 2026-07-02 18:00 JST = 09:00 UTC.
		{CustomerID: b.ID, Queue: "tier1", Kind: "call", DueAt: time.Date(2026, 7, 2, 18, 0, 0, 0, jst), Priority: 500},
		{CustomerID: b.ID, Queue: "tier2", Kind: "review", DueAt: at(1, 9), Priority: -3, Status: store.TaskDone,
			ClaimedBy: "cli:ann", ClaimedAt: &claimedAt, Outcome: "promise_made", Note: "pays Friday", DoneAt: &doneAt},
	}
	mustTx(t, s, func(tx store.Tx) error {
		for i := range ts {
			id, created, err := tx.InsertTask(t.Context(), &ts[i])
			if err != nil {
				return err
			}
			if !created || id != ts[i].ID || !strings.HasPrefix(id, "tsk_") {
				t.Errorf("InsertTask %d = %q, %v; want a new tsk_ id (t.ID %q)", i, id, created, ts[i].ID)
			}
		}
		return nil
	})
	want := make([]store.Task, len(ts))
	for i, k := range ts {
		k.CreatedAt, k.DueAt = Now, k.DueAt.UTC()
		if k.DoneAt != nil {
			d := k.DoneAt.UTC()
			k.DoneAt = &d
		}
		want[i] = k
	}
	if want[2].Status != store.TaskOpen {
		t.Errorf("empty status stored as %q, want open", want[2].Status)
	}

	get := func(t *testing.T, id string) *store.Task {
		t.Helper()
		var got *store.Task
		mustTx(t, s, func(tx store.Tx) (err error) { got, err = tx.Task(t.Context(), id); return err })
		return got
	}

	t.Run("get", func(t *testing.T) {
		for i := range want {
			got := get(t, want[i].ID)
			if diff := cmp.Diff(&want[i], got); diff != "" {
				t.Errorf("Task(%d) (-want +got):\n%s", i, diff)
			}
			if got.DueAt.Location() != time.UTC || got.CreatedAt.Location() != time.UTC ||
				(got.DoneAt != nil && got.DoneAt.Location() != time.UTC) || (got.ClaimedAt != nil && got.ClaimedAt.Location() != time.UTC) {
				t.Errorf("Task(%d) times not in UTC: %+v", i, got)
			}
		}
		const unknown = "tsk_00000000000000000000000000"
		err := s.Tx(t.Context(), func(tx store.Tx) error { _, err := tx.Task(t.Context(), unknown); return err })
		wantCode(t, err, apperr.NotFound)
		if err != nil && !strings.Contains(err.Error(), unknown) {
			t.Errorf("error %v does not name %s", err, unknown)
		}
	})

	t.Run("dedupe", func(t *testing.T) {
		again := store.Task{CustomerID: b.ID, Queue: "tier2", Kind: "review", DueAt: at(5, 9), Priority: 1, DedupeKey: ts[0].DedupeKey}
		mustTx(t, s, func(tx store.Tx) error {
			id, created, err := tx.InsertTask(t.Context(), &again)
			if err != nil {
				return err
			}
			if created || id != ts[0].ID || again.ID != ts[0].ID {
				t.Errorf("InsertTask with a stored dedupe key = %q, %v (t.ID %q); want %q, false", id, created, again.ID, ts[0].ID)
			}
			// The transaction is still usable.
			got, err := tx.Task(t.Context(), id)
			if err != nil {
				return err
			}
			if diff := cmp.Diff(&want[0], got); diff != "" {
				t.Errorf("the deduplicated task changed (-want +got):\n%s", diff)
			}
			return nil
		})
		var n int
		mustTx(t, s, func(tx store.Tx) error {
			list, _, err := tx.Tasks(t.Context(), store.TaskFilter{})
			n = len(list)
			return err
		})
		if n != len(ts) {
			t.Errorf("%d tasks stored, want %d", n, len(ts))
		}
	})

	t.Run("update", func(t *testing.T) {
		// Claim task 2, then finish it. Only status, claim, outcome, note
		// and done time are stored.
		k := want[2]
		claimed := time.Date(2026, 7, 2, 19, 0, 0, 0, jst) // 10:00 UTC
		k.Status, k.ClaimedBy, k.ClaimedAt = store.TaskClaimed, "token:tok_2", &claimed
		k.Priority, k.Queue, k.Reason = 1, "tier9", "changed" // not stored
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateTask(t.Context(), &k) })
		w := want[2]
		claimedUTC := claimed.UTC()
		w.Status, w.ClaimedBy, w.ClaimedAt = store.TaskClaimed, "token:tok_2", &claimedUTC
		if diff := cmp.Diff(&w, get(t, k.ID)); diff != "" {
			t.Errorf("after claiming (-want +got):\n%s", diff)
		}
		done := at(2, 11)
		k.Status, k.Outcome, k.Note, k.DoneAt = store.TaskDone, "no_answer", "voicemail", &done
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateTask(t.Context(), &k) })
		w.Status, w.Outcome, w.Note, w.DoneAt = store.TaskDone, "no_answer", "voicemail", &done
		if diff := cmp.Diff(&w, get(t, k.ID)); diff != "" {
			t.Errorf("after finishing (-want +got):\n%s", diff)
		}
		// Reopened: the claim and done time are cleared.
		k.Status, k.ClaimedBy, k.ClaimedAt, k.DoneAt = store.TaskOpen, "", nil, nil
		mustTx(t, s, func(tx store.Tx) error { return tx.UpdateTask(t.Context(), &k) })
		w.Status, w.ClaimedBy, w.ClaimedAt, w.DoneAt = store.TaskOpen, "", nil, nil
		if diff := cmp.Diff(&w, get(t, k.ID)); diff != "" {
			t.Errorf("after reopening (-want +got):\n%s", diff)
		}
		want[2] = w
		if diff := cmp.Diff(&want[3], get(t, want[3].ID)); diff != "" {
			t.Errorf("another task changed (-want +got):\n%s", diff)
		}
		unknown := store.Task{ID: "tsk_00000000000000000000000000", Status: store.TaskDone}
		err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateTask(t.Context(), &unknown) })
		wantCode(t, err, apperr.NotFound)
		bad := want[0]
		bad.Status = "cancelled"
		if err := s.Tx(t.Context(), func(tx store.Tx) error { return tx.UpdateTask(t.Context(), &bad) }); err == nil {
			t.Error("status cancelled stored")
		}
	})

	t.Run("refused by the database", func(t *testing.T) {
		for name, k := range map[string]store.Task{
			"unknown customer": {CustomerID: "cus_00000000000000000000000000", Queue: "tier1", Kind: "call", DueAt: Now},
			"unknown status":   {CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: Now, Status: "cancelled"},
			"unknown run":      {CustomerID: a.ID, Queue: "tier1", Kind: "call", DueAt: Now, RunID: "run_00000000000000000000000000"},
		} {
			if err := s.Tx(t.Context(), func(tx store.Tx) error { _, _, err := tx.InsertTask(t.Context(), &k); return err }); err == nil {
				t.Errorf("%s: stored", name)
			}
		}
	})
}

// testTasksList: tasks by priority (highest first), then due time, then
// id, in pages whose boundaries fall inside runs of equal priority and
// equal due time.
func testTasksList(t *testing.T, s store.Store) {
	a := addCustomer(t, s, newCustomer("TL-A"))
	b := addCustomer(t, s, newCustomer("TL-B"))
	base := time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC)
	// Due times a microsecond and half a second apart: 0 → 09:00:00,
	// 1 → 09:00:00.000001, 2 → 09:00:00.5, 3 → 09:00:01.
	due := []time.Time{base, base.Add(time.Microsecond), base.Add(500 * time.Millisecond), base.Add(time.Second)}
	type spec struct {
		cust     ledger.Customer
		queue    string
		prio     int64
		due      int
		status   string
		position int // in the list of all tasks
	}
	// Inserted in this order (ids ascending). Expected order of all:
	//   prio 300: #1 (due 0), #6 (due 0, later id), #3 (due 1), #9 (due 2), #0 (due 3)
	//   prio 200: #4 (due 0), #7 (due 0)
	//   prio 100: #2 (due 2), #5 (due 3), #10 (due 3)
	//   prio 0:   #8 (due 0)
	//   prio -5:  #11 (due 0)
	specs := []spec{
		{a, "tier1", 300, 3, store.TaskOpen, 4},
		{b, "tier1", 300, 0, store.TaskOpen, 0},
		{a, "tier2", 100, 2, store.TaskDone, 7},
		{a, "tier1", 300, 1, store.TaskClaimed, 2},
		{b, "tier2", 200, 0, store.TaskOpen, 5},
		{b, "tier1", 100, 3, store.TaskOpen, 8},
		{a, "tier1", 300, 0, store.TaskOpen, 1},
		{a, "tier2", 200, 0, store.TaskOpen, 6},
		{b, "legal", 0, 0, store.TaskOpen, 10},
		{b, "tier1", 300, 2, store.TaskOpen, 3},
		{a, "tier1", 100, 3, store.TaskOpen, 9},
		{a, "tier1", -5, 0, store.TaskDone, 11},
	}
	all := make([]store.Task, len(specs))
	mustTx(t, s, func(tx store.Tx) error {
		for _, sp := range specs {
			k := store.Task{CustomerID: sp.cust.ID, Queue: sp.queue, Kind: "call", DueAt: due[sp.due], Priority: sp.prio, Status: sp.status}
			if _, _, err := tx.InsertTask(t.Context(), &k); err != nil {
				return err
			}
			k.CreatedAt = Now
			all[sp.position] = k
		}
		return nil
	})
	// The same order, worked out by sorting: a second method.
	sorted := slices.Clone(all)
	slices.SortFunc(sorted, func(x, y store.Task) int {
		if x.Priority != y.Priority {
			return -cmpInt64(x.Priority, y.Priority)
		}
		if c := x.DueAt.Compare(y.DueAt); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	if diff := cmp.Diff(sorted, all); diff != "" {
		t.Fatalf("fixture: hand-worked order differs from sorting (-sorted +hand):\n%s", diff)
	}
	where := func(keep func(store.Task) bool) []store.Task {
		var out []store.Task
		for _, k := range all {
			if keep(k) {
				out = append(out, k)
			}
		}
		return out
	}
	list := func(t *testing.T, f store.TaskFilter) ([]store.Task, string) {
		t.Helper()
		var got []store.Task
		var next string
		mustTx(t, s, func(tx store.Tx) (err error) { got, next, err = tx.Tasks(t.Context(), f); return err })
		return got, next
	}
	filters := []struct {
		name string
		f    store.TaskFilter
		want []store.Task
	}{
		{"all", store.TaskFilter{}, all},
		{"tier1", store.TaskFilter{Queue: "tier1"}, where(func(k store.Task) bool { return k.Queue == "tier1" })},
		{"open", store.TaskFilter{Status: store.TaskOpen}, where(func(k store.Task) bool { return k.Status == store.TaskOpen })},
		{"customer B", store.TaskFilter{CustomerID: b.ID}, where(func(k store.Task) bool { return k.CustomerID == b.ID })},
		{"tier1 open of A", store.TaskFilter{Queue: "tier1", Status: store.TaskOpen, CustomerID: a.ID},
			where(func(k store.Task) bool {
				return k.Queue == "tier1" && k.Status == store.TaskOpen && k.CustomerID == a.ID
			})},
		{"empty queue", store.TaskFilter{Queue: "tier3"}, nil},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			got, next := list(t, tt.f)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" || next != "" {
				t.Errorf("Tasks next %q (-want +got):\n%s", next, diff)
			}
			// Page by page, with every page size: the same list.
			for size := 1; size <= len(tt.want); size++ {
				var paged []store.Task
				f := tt.f
				f.Limit = size
				for pages := 0; ; pages++ {
					got, next := list(t, f)
					paged = append(paged, got...)
					if next == "" {
						break
					}
					if pages > len(tt.want) {
						t.Fatalf("size %d: more pages than tasks", size)
					}
					f.Cursor = next
				}
				if diff := cmp.Diff(tt.want, paged, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("in pages of %d (-want +got):\n%s", size, diff)
				}
			}
		})
	}
	t.Run("cursor is opaque and exact", func(t *testing.T) {
		// A page of 1 ends with #1; #6 has the same priority and due time
		// and a later id: it comes next.
		p1, n1 := list(t, store.TaskFilter{Page: store.Page{Limit: 1}})
		if diff := cmp.Diff(all[:1], p1); diff != "" || n1 == "" {
			t.Fatalf("first page (next %q) (-want +got):\n%s", n1, diff)
		}
		if strings.Contains(n1, "tsk_") {
			t.Errorf("cursor %q shows the id", n1)
		}
		p2, _ := list(t, store.TaskFilter{Page: store.Page{Limit: 2, Cursor: n1}})
		if diff := cmp.Diff(all[1:3], p2); diff != "" {
			t.Errorf("second page (-want +got):\n%s", diff)
		}
		// A full last page has no next cursor.
		_, n := list(t, store.TaskFilter{Page: store.Page{Limit: len(all)}})
		if n != "" {
			t.Errorf("a page with every task: next %q", n)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		const tsk = "tsk_00000000000000000000000000"
		for name, cursor := range map[string]string{
			"not base64":    "not a cursor!",
			"an id":         tsk,
			"two parts":     enc("1|2026-07-02T09:00:00Z"),
			"bad priority":  enc("high|2026-07-02T09:00:00Z|" + tsk),
			"bad time":      enc("1|yesterday|" + tsk),
			"not a task id": enc("1|2026-07-02T09:00:00Z|msg_00000000000000000000000000"),
		} {
			t.Run(name, func(t *testing.T) {
				err := s.Tx(t.Context(), func(tx store.Tx) error {
					_, _, err := tx.Tasks(t.Context(), store.TaskFilter{Page: store.Page{Cursor: cursor}})
					return err
				})
				wantCode(t, err, apperr.Invalid)
				wantField(t, err, "cursor")
			})
		}
		err := s.Tx(t.Context(), func(tx store.Tx) error {
			_, _, err := tx.Tasks(t.Context(), store.TaskFilter{Status: "cancelled"})
			return err
		})
		wantCode(t, err, apperr.Invalid)
		wantField(t, err, "status")
	})
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// BenchAddRunCustomers measures AddRunCustomers of n customers in one
// transaction (a new run each time), on a store that it first fills with
// n customers. Engines call it from a benchmark with a fresh store.
func BenchAddRunCustomers(b *testing.B, s store.Store, n int) {
	cs := addCustomers(b, s, "BENCH", n)
	start := day("2026-01-01")
	i := 0
	for ; b.Loop(); i++ {
		err := s.Tx(b.Context(), func(tx store.Tx) error {
			r, _, err := tx.InsertRun(b.Context(), &store.Run{AsOf: start.AddDays(i)})
			if err != nil {
				return err
			}
			return tx.AddRunCustomers(b.Context(), r.ID, cs)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(i)/b.Elapsed().Seconds(), "customers/s")
}

// narrow converts per-currency sums that must fit in an int64.
func narrow(t *testing.T, m map[money.Currency]money.Wide) map[money.Currency]int64 {
	t.Helper()
	if m == nil {
		return nil
	}
	out := map[money.Currency]int64{}
	for c, w := range m {
		v, ok := w.Int64()
		if !ok {
			t.Fatalf("%s sum %s does not fit in an int64", c, w.Text(c))
		}
		out[c] = v
	}
	return out
}
