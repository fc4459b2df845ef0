package memledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/finance/memledger"
)

var (
	t0  = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ctx = context.Background()
)

func newLedger(t *testing.T) *memledger.Sim {
	t.Helper()
	return memledger.New(memledger.Config{Clock: connectortest.NewClock(t0)})
}

func gbp(s string) canonical.Money { return canonical.MustMoney(s, "GBP") }

func acme() canonical.PartyRef {
	return canonical.PartyRef{ID: "cust-acme", Name: "Acme Ltd", Email: "ap@acme.example"}
}

func date(day int) canonical.Date {
	return canonical.DateOf(time.Date(2026, 3, day, 0, 0, 0, 0, time.UTC))
}

// invoice returns a valid issued invoice of one line for amount, billing order.
func invoice(number, order, amount string) canonical.Invoice {
	m := gbp(amount)
	return canonical.Invoice{
		Number: number, Status: canonical.InvoiceIssued, IssueDate: date(2), DueDate: date(30),
		Customer: acme(), Currency: "GBP", Orders: []string{order},
		Lines: []canonical.InvoiceLine{{
			LineID: "1", SKU: "MUG-BLUE", Quantity: canonical.Qty(1, canonical.UnitOne), UnitPrice: m, Net: m,
		}},
		Totals: canonical.Totals{LineNet: m, Payable: m},
	}
}

func creditNote(number, inv, amount string) canonical.CreditNote {
	m := gbp(amount)
	return canonical.CreditNote{
		Number: number, Status: canonical.InvoiceIssued, IssueDate: date(10), Customer: acme(),
		Currency: "GBP", Invoice: inv, Reason: "damaged",
		Lines: []canonical.InvoiceLine{{
			LineID: "1", SKU: "MUG-BLUE", Quantity: canonical.Qty(1, canonical.UnitOne), UnitPrice: m, Net: m,
		}},
		Totals: canonical.Totals{LineNet: m, Payable: m},
	}
}

func payment(id, amount, reference string, allocs ...canonical.PaymentAllocation) canonical.Payment {
	return canonical.Payment{
		Meta: canonical.Meta{ID: id}, Customer: acme(), Amount: gbp(amount), Method: "bank_transfer",
		Reference: reference, ReceivedOn: date(5), Allocations: allocs,
	}
}

func alloc(inv, amount string) canonical.PaymentAllocation {
	return canonical.PaymentAllocation{Invoice: inv, Amount: gbp(amount)}
}

func write[T any](key string, version int64, e T) connector.Write[T] {
	return connector.Write[T]{
		Change:         connector.Change[T]{System: "erp", Key: key, Version: connector.SeqVersion(version), Entity: e},
		IdempotencyKey: fmt.Sprintf("erp:%s:%d", key, version),
	}
}

func mustApply[T any](t *testing.T, sink connector.Sink[T], key string, e T) connector.Result {
	t.Helper()
	r, err := sink.Apply(ctx, write(key, 1, e))
	if err != nil {
		t.Fatalf("applying %s: %v", key, err)
	}
	return r
}

func addInvoice(t *testing.T, l *memledger.Sim, inv canonical.Invoice) {
	t.Helper()
	mustApply(t, l.Invoices(), inv.Number, inv)
}

func addPayment(t *testing.T, l *memledger.Sim, p canonical.Payment) {
	t.Helper()
	mustApply(t, l.Payments(), p.ID, p)
}

// wantInvoice checks an invoice's amount due, paid amount and status.
func wantInvoice(t *testing.T, l *memledger.Sim, number, due, paid string, status canonical.InvoiceStatus) {
	t.Helper()
	got, err := l.AmountDue(ctx, number)
	if err != nil {
		t.Fatalf("AmountDue(%s): %v", number, err)
	}
	inv, _ := l.Invoice(number)
	if !got.Equal(gbp(due)) || !inv.Paid.Equal(gbp(paid)) || inv.Status != status {
		t.Errorf("%s: due %s, paid %s, %s; want due %s, paid %s, %s", number, got, inv.Paid, inv.Status, due, paid, status)
	}
}

func wantUnallocated(t *testing.T, l *memledger.Sim, id, want string) {
	t.Helper()
	got, err := l.Unallocated(id)
	if err != nil || !got.Equal(gbp(want)) {
		t.Errorf("Unallocated(%s) = %s, %v; want %s", id, got, err, want)
	}
}

func wantKind(t *testing.T, err error, kind connector.Kind, path string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got %v (kind %s), want the %s kind", err, connector.KindOf(err), kind)
	}
	if path == "" {
		return
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("%v is not a *connector.Error", err)
	}
	for _, f := range ce.Fields {
		if f.Path == path {
			return
		}
	}
	t.Errorf("%v names fields %v, want %s", err, ce.Fields, path)
}

func TestPaymentsSettleInvoicesByReference(t *testing.T) {
	tests := []struct {
		name        string
		paid        string
		reference   string
		due         string
		status      canonical.InvoiceStatus
		unallocated string
	}{
		{"in full by order", "120.00", "SO-1", "0", canonical.InvoicePaid, "0"},
		{"in full by invoice number", "120.00", "inv-1", "0", canonical.InvoicePaid, "0"},
		{"in part", "50.00", "SO-1", "70.00", canonical.InvoicePartiallyPaid, "0"},
		{"overpaid", "150.00", " so-1 ", "0", canonical.InvoicePaid, "30.00"},
		{"unknown reference", "120.00", "SO-9", "120.00", canonical.InvoiceIssued, "120.00"},
		{"no reference", "120.00", "", "120.00", canonical.InvoiceIssued, "120.00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
			addPayment(t, l, payment("PAY-1", tc.paid, tc.reference))
			wantInvoice(t, l, "INV-1", tc.due, sub(tc.paid, tc.unallocated), tc.status)
			wantUnallocated(t, l, "PAY-1", tc.unallocated)
		})
	}
}

func sub(a, b string) string {
	d, _ := gbp(a).Sub(gbp(b))
	return d.Amount.String()
}

func TestPaymentBeforeInvoiceIsAppliedOnArrival(t *testing.T) {
	l := newLedger(t)
	addPayment(t, l, payment("PAY-1", "150.00", "SO-1"))
	other := payment("PAY-2", "80.00", "SO-1")
	other.Customer = canonical.PartyRef{ID: "cust-other"}
	addPayment(t, l, other)
	wantUnallocated(t, l, "cust-acme", "150.00")

	addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
	wantInvoice(t, l, "INV-1", "0", "120.00", canonical.InvoicePaid)
	wantUnallocated(t, l, "PAY-1", "30.00")
	wantUnallocated(t, l, "ap@acme.example", "30.00")
	wantUnallocated(t, l, "PAY-2", "80.00") // another customer's money stays where it is

	p, _ := l.Payment("PAY-1")
	if len(p.Allocations) != 1 || p.Allocations[0].Invoice != "INV-1" || !p.Allocations[0].Amount.Equal(gbp("120.00")) {
		t.Errorf("allocations %+v, want 120.00 to INV-1", p.Allocations)
	}
	// An invoice for another order does not take the credit.
	addInvoice(t, l, invoice("INV-2", "SO-2", "10.00"))
	wantInvoice(t, l, "INV-2", "10.00", "0", canonical.InvoiceIssued)
	if _, err := l.Unallocated("nobody"); !errors.Is(err, connector.NotFound) {
		t.Errorf("Unallocated of an unknown customer: %v, want the NotFound kind", err)
	}
}

func TestMatchingPaysTheOldestInvoiceFirst(t *testing.T) {
	l := newLedger(t)
	later := invoice("INV-2", "SO-1", "100.00") // a split delivery billed twice
	later.IssueDate = date(6)
	addInvoice(t, l, later)
	addInvoice(t, l, invoice("INV-1", "SO-1", "100.00"))
	addPayment(t, l, payment("PAY-1", "150.00", "SO-1"))
	wantInvoice(t, l, "INV-1", "0", "100.00", canonical.InvoicePaid)
	wantInvoice(t, l, "INV-2", "50.00", "50.00", canonical.InvoicePartiallyPaid)
	wantUnallocated(t, l, "PAY-1", "0")
}

func TestExplicitAllocations(t *testing.T) {
	setup := func(t *testing.T) *memledger.Sim {
		l := newLedger(t)
		addInvoice(t, l, invoice("INV-1", "SO-1", "100.00"))
		addInvoice(t, l, invoice("INV-2", "SO-2", "50.00"))
		eur := invoice("INV-3", "SO-3", "70.00")
		eur.Currency = "EUR"
		eur.Lines[0].UnitPrice, eur.Lines[0].Net = canonical.MustMoney("70.00", "EUR"), canonical.MustMoney("70.00", "EUR")
		eur.Totals = canonical.Totals{LineNet: eur.Lines[0].Net, Payable: eur.Lines[0].Net}
		addInvoice(t, l, eur)
		return l
	}
	t.Run("applied as given, rest kept", func(t *testing.T) {
		l := setup(t)
		addPayment(t, l, payment("PAY-1", "200.00", "SO-1", alloc("INV-1", "40.00"), alloc("INV-2", "50.00")))
		wantInvoice(t, l, "INV-1", "60.00", "40.00", canonical.InvoicePartiallyPaid)
		wantInvoice(t, l, "INV-2", "0", "50.00", canonical.InvoicePaid)
		wantUnallocated(t, l, "PAY-1", "110.00")
	})
	tests := []struct {
		name string
		p    canonical.Payment
		kind connector.Kind
		path string
	}{
		{"more than the invoice's due", payment("PAY-1", "200.00", "", alloc("INV-2", "10.00"), alloc("INV-1", "100.01")),
			connector.BusinessRule, ""},
		{"more than the payment", payment("PAY-1", "100.00", "", alloc("INV-1", "60.00"), alloc("INV-2", "50.00")),
			connector.Invalid, "allocations"},
		{"an invoice not recorded yet", payment("PAY-1", "100.00", "", alloc("INV-2", "10.00"), alloc("INV-9", "10.00")),
			connector.NotFound, ""},
		{"an invoice in another currency", payment("PAY-1", "100.00", "", alloc("INV-3", "10.00")),
			connector.Invalid, "allocations[0].amount.currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := setup(t)
			_, err := l.Payments().Apply(ctx, write("PAY-1", 1, tc.p))
			wantKind(t, err, tc.kind, tc.path)
			// All or nothing: no allocation of the refused payment was applied.
			wantInvoice(t, l, "INV-1", "100.00", "0", canonical.InvoiceIssued)
			wantInvoice(t, l, "INV-2", "50.00", "0", canonical.InvoiceIssued)
			if _, ok := l.Payment("PAY-1"); ok {
				t.Error("the refused payment was recorded")
			}
		})
	}
}

func TestMatchedPaymentInAnotherCurrencyIsInvalid(t *testing.T) {
	l := newLedger(t)
	addInvoice(t, l, invoice("INV-1", "SO-1", "100.00"))
	p := payment("PAY-1", "100.00", "SO-1")
	p.Amount.Currency = "EUR"
	_, err := l.Payments().Apply(ctx, write("PAY-1", 1, p))
	wantKind(t, err, connector.Invalid, "amount.currency")
	wantInvoice(t, l, "INV-1", "100.00", "0", canonical.InvoiceIssued)
}

func TestIssuedInvoicesAreImmutable(t *testing.T) {
	l := newLedger(t)
	inv := invoice("INV-1", "SO-1", "120.00")
	sink := l.Invoices()
	first := mustApply(t, sink, "INV-1", inv)
	if first.Action != connector.Created || first.Ref != (canonical.ExternalRef{System: "memledger", ID: "INV-1"}) {
		t.Fatalf("first write: %+v", first)
	}
	addPayment(t, l, payment("PAY-1", "20.00", "SO-1"))

	tests := []struct {
		name   string
		edit   func(*canonical.Invoice)
		action connector.Action
		kind   connector.Kind
	}{
		{"same content", func(*canonical.Invoice) {}, connector.Unchanged, 0},
		{"sender's status and paid are ignored", func(i *canonical.Invoice) {
			i.Status, i.Paid = canonical.InvoicePaid, gbp("120.00")
		}, connector.Unchanged, 0},
		{"same amounts written differently", func(i *canonical.Invoice) {
			i.Totals.Payable = gbp("120.0")
		}, connector.Updated, 0},
		{"new due date", func(i *canonical.Invoice) { i.DueDate = date(31) }, connector.Updated, 0},
		{"disputed", func(i *canonical.Invoice) { i.Disputed = true }, connector.Updated, 0},
		{"new amount", func(i *canonical.Invoice) {
			m := gbp("100.00")
			i.Lines[0].UnitPrice, i.Lines[0].Net, i.Totals = m, m, canonical.Totals{LineNet: m, Payable: m}
		}, 0, connector.BusinessRule},
		{"another line", func(i *canonical.Invoice) {
			i.Lines = append(i.Lines, canonical.InvoiceLine{LineID: "2", Quantity: canonical.Qty(1, canonical.UnitOne), UnitPrice: gbp("0"), Net: gbp("0")})
		}, 0, connector.BusinessRule},
		{"another currency", func(i *canonical.Invoice) {
			m := canonical.MustMoney("120.00", "EUR")
			i.Currency, i.Lines[0].UnitPrice, i.Lines[0].Net, i.Totals = "EUR", m, m, canonical.Totals{LineNet: m, Payable: m}
		}, 0, connector.BusinessRule},
		{"another customer", func(i *canonical.Invoice) { i.Customer = canonical.PartyRef{ID: "cust-other"} }, 0, connector.BusinessRule},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := invoice("INV-1", "SO-1", "120.00")
			tc.edit(&in)
			r, err := sink.Apply(ctx, write("INV-1", int64(i+2), in))
			if tc.kind != 0 {
				wantKind(t, err, tc.kind, "")
				if !strings.Contains(err.Error(), "credit note") {
					t.Errorf("the refusal %q does not say to send a credit note", err)
				}
				return
			}
			if err != nil || r.Action != tc.action || r.Ref != first.Ref {
				t.Errorf("got %+v, %v; want %s %v", r, err, tc.action, first.Ref)
			}
		})
	}
	// Whatever was written, the ledger's own figures stand.
	wantInvoice(t, l, "INV-1", "100.00", "20.00", canonical.InvoicePartiallyPaid)
	if got, _ := l.Invoice("INV-1"); !got.Disputed {
		t.Errorf("the last accepted update was not kept: %+v", got)
	}
}

func TestInvoicesAreValidated(t *testing.T) {
	tests := []struct {
		name string
		edit func(*canonical.Invoice)
		path string
	}{
		{"totals disagree", func(i *canonical.Invoice) { i.Totals.Payable = gbp("99.00") }, "totals.payable.amount"},
		{"no lines", func(i *canonical.Invoice) { i.Lines = nil }, "lines"},
		{"a draft", func(i *canonical.Invoice) { i.Status = canonical.InvoiceDraft }, "status"},
		{"no customer", func(i *canonical.Invoice) { i.Customer = canonical.PartyRef{Name: "Acme"} }, "customer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			in := invoice("INV-1", "SO-1", "120.00")
			tc.edit(&in)
			_, err := l.Invoices().Apply(ctx, write("INV-1", 1, in))
			wantKind(t, err, connector.Invalid, tc.path)
			if _, ok := l.Invoice("INV-1"); ok {
				t.Error("an invalid invoice was recorded")
			}
		})
	}
}

func TestCreditNotes(t *testing.T) {
	t.Run("reduce the amount due", func(t *testing.T) {
		l := newLedger(t)
		addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
		r := mustApply(t, l.CreditNotes(), "CN-1", creditNote("CN-1", "INV-1", "20.00"))
		if r.Action != connector.Created || r.Ref.ID != "CN-1" {
			t.Errorf("result %+v", r)
		}
		wantInvoice(t, l, "INV-1", "100.00", "0", canonical.InvoiceIssued)
		// The same credit note again is not applied twice.
		w := write("CN-1", 2, creditNote("CN-1", "INV-1", "20.00"))
		if r, err := l.CreditNotes().Apply(ctx, w); err != nil || r.Action != connector.Unchanged {
			t.Errorf("repeat: %+v, %v", r, err)
		}
		wantInvoice(t, l, "INV-1", "100.00", "0", canonical.InvoiceIssued)
		// Nor can it change its amount.
		_, err := l.CreditNotes().Apply(ctx, write("CN-1", 3, creditNote("CN-1", "INV-1", "25.00")))
		wantKind(t, err, connector.BusinessRule, "")
		mustApply(t, l.CreditNotes(), "CN-2", creditNote("CN-2", "INV-1", "100.00"))
		wantInvoice(t, l, "INV-1", "0", "0", canonical.InvoiceCredited)
		if c, _ := l.Credited("INV-1"); !c.Equal(gbp("120.00")) {
			t.Errorf("credited %s, want 120.00", c)
		}
	})
	t.Run("after a part payment, up to what was paid", func(t *testing.T) {
		l := newLedger(t)
		addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
		addPayment(t, l, payment("PAY-1", "50.00", "SO-1"))
		_, err := l.CreditNotes().Apply(ctx, write("CN-1", 1, creditNote("CN-1", "INV-1", "120.01")))
		wantKind(t, err, connector.BusinessRule, "")
		wantInvoice(t, l, "INV-1", "70.00", "50.00", canonical.InvoicePartiallyPaid)
		// Crediting the whole invoice leaves the 50.00 paid to refund.
		mustApply(t, l.CreditNotes(), "CN-1", creditNote("CN-1", "INV-1", "120.00"))
		wantInvoice(t, l, "INV-1", "-50.00", "50.00", canonical.InvoiceCredited)
		_, err = l.CreditNotes().Apply(ctx, write("CN-2", 1, creditNote("CN-2", "INV-1", "0.01")))
		wantKind(t, err, connector.BusinessRule, "")
	})
	t.Run("a paid invoice stays paid", func(t *testing.T) {
		l := newLedger(t)
		addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
		addPayment(t, l, payment("PAY-1", "120.00", "SO-1"))
		mustApply(t, l.CreditNotes(), "CN-1", creditNote("CN-1", "INV-1", "20.00"))
		wantInvoice(t, l, "INV-1", "-20.00", "120.00", canonical.InvoicePaid)
	})
	tests := []struct {
		name string
		cn   canonical.CreditNote
		kind connector.Kind
		path string
	}{
		{"for an invoice not recorded yet", creditNote("CN-1", "INV-9", "10.00"), connector.NotFound, ""},
		{"naming no invoice", creditNote("CN-1", "", "10.00"), connector.Invalid, "invoice"},
		{"for more than the invoice", creditNote("CN-1", "INV-1", "120.01"), connector.BusinessRule, ""},
		{"for nothing", creditNote("CN-1", "INV-1", "0"), connector.Invalid, "totals.payable.amount"},
		{"in another currency", func() canonical.CreditNote {
			cn := creditNote("CN-1", "INV-1", "10.00")
			m := canonical.MustMoney("10.00", "EUR")
			cn.Currency, cn.Lines[0].UnitPrice, cn.Lines[0].Net, cn.Totals = "EUR", m, m, canonical.Totals{LineNet: m, Payable: m}
			return cn
		}(), connector.Invalid, "currency"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
			_, err := l.CreditNotes().Apply(ctx, write("CN-1", 1, tc.cn))
			wantKind(t, err, tc.kind, tc.path)
			wantInvoice(t, l, "INV-1", "120.00", "0", canonical.InvoiceIssued)
			if _, ok := l.CreditNote("CN-1"); ok {
				t.Error("a refused credit note was recorded")
			}
		})
	}
}

func TestRecordedPaymentsDoNotChange(t *testing.T) {
	l := newLedger(t)
	addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
	addPayment(t, l, payment("PAY-1", "50.00", "SO-1"))
	// A redelivery under a new version applies nothing twice.
	r, err := l.Payments().Apply(ctx, write("PAY-1", 2, payment("PAY-1", "50.00", "SO-1")))
	if err != nil || r.Action != connector.Unchanged {
		t.Errorf("redelivery: %+v, %v; want unchanged", r, err)
	}
	p := payment("PAY-1", "50.00", "SO-1")
	p.Method = "card"
	if r, err := l.Payments().Apply(ctx, write("PAY-1", 3, p)); err != nil || r.Action != connector.Updated {
		t.Errorf("new method: %+v, %v; want updated", r, err)
	}
	_, err = l.Payments().Apply(ctx, write("PAY-1", 4, payment("PAY-1", "60.00", "SO-1")))
	wantKind(t, err, connector.BusinessRule, "")
	wantInvoice(t, l, "INV-1", "70.00", "50.00", canonical.InvoicePartiallyPaid)
}

func TestAllocatePayment(t *testing.T) {
	tests := []struct {
		name    string
		payment string
		invoice string
		amount  canonical.Money
		kind    connector.Kind
		path    string
	}{
		{"part of the credit", "PAY-1", "INV-2", gbp("30.00"), 0, ""},
		{"all of the credit", "PAY-1", "INV-2", gbp("50.00"), 0, ""},
		{"more than the credit", "PAY-1", "INV-2", gbp("50.01"), connector.BusinessRule, ""},
		{"more than is due", "PAY-1", "INV-3", gbp("20.01"), connector.BusinessRule, ""},
		{"nothing", "PAY-1", "INV-2", gbp("0"), connector.Invalid, "amount.amount"},
		{"another currency", "PAY-1", "INV-2", canonical.MustMoney("10.00", "EUR"), connector.Invalid, "amount.currency"},
		{"unknown payment", "PAY-9", "INV-2", gbp("10.00"), connector.NotFound, ""},
		{"unknown invoice", "PAY-1", "INV-9", gbp("10.00"), connector.NotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLedger(t)
			addInvoice(t, l, invoice("INV-1", "SO-1", "100.00"))
			addInvoice(t, l, invoice("INV-2", "SO-2", "80.00"))
			addInvoice(t, l, invoice("INV-3", "SO-3", "20.00"))
			addPayment(t, l, payment("PAY-1", "150.00", "SO-1"))
			err := l.AllocatePayment(ctx, tc.payment, tc.invoice, tc.amount)
			if tc.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				wantUnallocated(t, l, "PAY-1", sub("50.00", tc.amount.Amount.String()))
				wantInvoice(t, l, "INV-2", sub("80.00", tc.amount.Amount.String()), tc.amount.Amount.String(), canonical.InvoicePartiallyPaid)
				return
			}
			wantKind(t, err, tc.kind, tc.path)
			wantUnallocated(t, l, "PAY-1", "50.00")
		})
	}
}

func TestOlderVersionsAreStale(t *testing.T) {
	l := newLedger(t)
	inv := invoice("INV-1", "SO-1", "120.00")
	inv.Disputed = true
	if _, err := l.Invoices().Apply(ctx, write("INV-1", 5, inv)); err != nil {
		t.Fatal(err)
	}
	inv.Disputed = false
	r, err := l.Invoices().Apply(ctx, write("INV-1", 4, inv))
	if err != nil || r.Action != connector.Stale {
		t.Errorf("older invoice: %+v, %v; want stale", r, err)
	}
	if got, _ := l.Invoice("INV-1"); !got.Disputed {
		t.Error("the older version overwrote the newer")
	}
	if _, err := l.Payments().Apply(ctx, write("PAY-1", 3, payment("PAY-1", "10.00", ""))); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Payments().Apply(ctx, write("PAY-1", 2, payment("PAY-1", "99.00", ""))); err != nil || r.Action != connector.Stale {
		t.Errorf("older payment: %+v, %v; want stale", r, err)
	}
	mustApply(t, l.CreditNotes(), "CN-1", creditNote("CN-1", "INV-1", "10.00"))
	if r, err := l.CreditNotes().Apply(ctx, write("CN-1", 0, creditNote("CN-1", "INV-1", "10.00"))); err != nil || r.Action != connector.Unchanged {
		t.Errorf("unversioned repeat of a credit note: %+v, %v; want unchanged", r, err)
	}
}

func TestDeletesAreUnsupported(t *testing.T) {
	l := newLedger(t)
	addInvoice(t, l, invoice("INV-1", "SO-1", "120.00"))
	w := write("INV-1", 2, canonical.Invoice{})
	w.Op = connector.Delete
	_, err := l.Invoices().Apply(ctx, w)
	wantKind(t, err, connector.Unsupported, "")
	if _, ok := l.Invoice("INV-1"); !ok {
		t.Error("the invoice is gone")
	}
}

func TestTotalsReconcile(t *testing.T) {
	l := newLedger(t)
	addPayment(t, l, payment("PAY-0", "30.00", "SO-1")) // before its invoice
	addInvoice(t, l, invoice("INV-1", "SO-1", "100.00"))
	addInvoice(t, l, invoice("INV-2", "SO-2", "80.00"))
	addPayment(t, l, payment("PAY-1", "100.00", "SO-2"))
	mustApply(t, l.CreditNotes(), "CN-1", creditNote("CN-1", "INV-1", "10.00"))
	if err := l.AllocatePayment(ctx, "PAY-1", "INV-1", gbp("5.00")); err != nil {
		t.Fatal(err)
	}
	got := l.Totals("GBP")
	want := memledger.Totals{
		Invoiced: gbp("180.00"), Credited: gbp("10.00"), Received: gbp("130.00"),
		Allocated: gbp("115.00"), Unallocated: gbp("15.00"), Outstanding: gbp("55.00"),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("totals\n got %+v\nwant %+v", got, want)
	}
	var due canonical.Money
	for _, n := range []string{"INV-1", "INV-2"} {
		d, _ := l.AmountDue(ctx, n)
		due, _ = due.Add(d)
	}
	if !due.Equal(got.Outstanding) {
		t.Errorf("the invoices' amounts due add up to %s, but Outstanding is %s", due, got.Outstanding)
	}
	if eur := l.Totals("EUR"); !eur.Invoiced.IsZero() || !eur.Received.IsZero() {
		t.Errorf("EUR totals %+v, want zero", eur)
	}
}

func TestInjectedFaults(t *testing.T) {
	l := memledger.New(memledger.Config{Clock: connectortest.NewClock(t0), Faults: sim.Faults{Transient: 1}})
	_, err := l.Invoices().Apply(ctx, write("INV-1", 1, invoice("INV-1", "SO-1", "1.00")))
	wantKind(t, err, connector.Transient, "")
	_, err = l.AmountDue(ctx, "INV-1")
	wantKind(t, err, connector.Transient, "")
	l.SetFaults(sim.Faults{})
	if _, ok := l.Invoice("INV-1"); ok {
		t.Error("a failed call recorded the invoice")
	}
	_, err = l.AmountDue(ctx, "INV-1")
	wantKind(t, err, connector.NotFound, "")
}
