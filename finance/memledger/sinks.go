package memledger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Sink names, which also scope idempotency keys and versions.
const (
	invoicesSink = "invoices"
	creditsSink  = "credit-notes"
	paymentsSink = "payments"
)

// Invoices records issued invoices, keyed by invoice number; see
// finance.Ledger. An invoice is immutable once recorded: the same content
// again is Unchanged, a change of anything but its amounts (due date,
// dispute flag, references) is Updated, and a change of its amounts, lines,
// currency, customer or issue date is refused with connector.BusinessRule.
// On arrival it takes the unallocated credit of its customer's payments
// whose Reference names one of its orders. Delete is connector.Unsupported.
// The sink is also a connector.Getter.
func (s *Sim) Invoices() connector.Sink[canonical.Invoice] { return invoiceSink{s} }

// CreditNotes records credit notes, keyed by credit note number, and applies
// each to the invoice it names (connector.NotFound until that invoice is
// recorded). A credit note cannot credit more than the invoice's amount due
// plus what was paid on it (connector.BusinessRule); once recorded it is
// immutable as an invoice is. Delete is connector.Unsupported.
func (s *Sim) CreditNotes() connector.Sink[canonical.CreditNote] { return creditSink{s} }

// Payments records payments, keyed by payment ID. Explicit allocations are
// applied to the invoices they name (connector.NotFound for an invoice not
// recorded yet, connector.BusinessRule for more than an invoice's amount due,
// connector.Invalid for another currency), all or none. A payment without
// allocations is matched to its customer's open invoices whose orders (or
// number) match Payment.Reference, oldest first. What is left stays on the
// customer's account as unallocated credit. A recorded payment's amount,
// customer, reference and allocations cannot change (connector.BusinessRule;
// use AllocatePayment). Delete is connector.Unsupported.
func (s *Sim) Payments() connector.Sink[canonical.Payment] { return paymentSink{s} }

type invoiceSink struct{ s *Sim }
type creditSink struct{ s *Sim }
type paymentSink struct{ s *Sim }

// Get returns the invoice with number key as the ledger holds it.
func (k invoiceSink) Get(ctx context.Context, key string) (connector.Change[canonical.Invoice], error) {
	s := k.s
	if err := s.env.Call(ctx, "invoices.get"); err != nil {
		return connector.Change[canonical.Invoice]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.invoices[key]
	if !ok {
		return connector.Change[canonical.Invoice]{}, connector.Errorf(connector.NotFound, s.cfg.System, "no invoice %q", key)
	}
	return connector.Change[canonical.Invoice]{
		System: s.cfg.System, Key: key, Version: connector.SeqVersion(r.version),
		Entity: cloneInvoice(r.inv), At: r.inv.UpdatedAt,
	}, nil
}

// write records one write of a sink under key with the steps every write
// shares: with s.mu held, a repeated idempotency key returns the first
// result, a Delete is unsupported and a version older than the last applied
// one is stale; otherwise record runs, and a success is remembered for the
// key and the idempotency key.
func write[T any](s *Sim, sink, key string, w connector.Write[T], record func() (connector.Result, error)) (connector.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w.IdempotencyKey != "" {
		if r, ok := s.done[sink+"\x00"+w.IdempotencyKey]; ok {
			r.Action = connector.Unchanged
			return r, nil
		}
	}
	if w.Op == connector.Delete {
		return connector.Result{}, connector.Errorf(connector.Unsupported, s.cfg.System,
			"%s cannot be deleted: issue a credit note or a refund instead", sink)
	}
	if last, ok := s.versions[sink+"\x00"+key]; ok && !w.Version.IsZero() {
		if c, ok := w.Version.Compare(last); ok && c < 0 {
			return connector.Result{Action: connector.Stale, Ref: s.ref(key)}, nil
		}
	}
	res, err := record()
	if err != nil {
		return connector.Result{}, err
	}
	if !w.Version.IsZero() {
		s.versions[sink+"\x00"+key] = w.Version
	}
	if w.IdempotencyKey != "" {
		s.done[sink+"\x00"+w.IdempotencyKey] = res
	}
	return res, nil
}

func (s *Sim) ref(id string) canonical.ExternalRef {
	return canonical.ExternalRef{System: s.cfg.System, ID: id}
}

// invalid turns a validation error into the connector's Invalid error.
func (s *Sim) invalid(op string, err error) error {
	ce := connector.Errorf(connector.Invalid, s.cfg.System, "%w", err)
	ce.Op, ce.Status = op, 400
	var fe interface{ FieldErrors() []canonical.FieldError }
	if errors.As(err, &fe) {
		ce.Fields = fe.FieldErrors()
	}
	return ce
}

// fieldError builds an Invalid error for one field.
func (s *Sim) fieldError(op, path, code, value, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	ce := connector.Errorf(connector.Invalid, s.cfg.System, "%s", msg)
	ce.Op, ce.Status = op, 400
	ce.Fields = []canonical.FieldError{{Path: path, Code: code, Message: msg, Value: value}}
	return ce
}

func (s *Sim) businessRule(op, format string, args ...any) error {
	ce := connector.Errorf(connector.BusinessRule, s.cfg.System, format, args...)
	ce.Op, ce.Status = op, 409
	return ce
}

// Apply records an invoice.
func (k invoiceSink) Apply(ctx context.Context, w connector.Write[canonical.Invoice]) (connector.Result, error) {
	s := k.s
	const op = "invoices.apply"
	if err := s.env.Call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	number := cmp.Or(w.Entity.Number, w.Key)
	return write(s, invoicesSink, number, w, func() (connector.Result, error) {
		return s.recordInvoice(op, number, cloneInvoice(w.Entity))
	})
}

// recordInvoice records invoice number, or checks a repeat of it against
// the recorded one. Callers hold s.mu.
func (s *Sim) recordInvoice(op, number string, in canonical.Invoice) (connector.Result, error) {
	if err := in.Validate(); err != nil {
		return connector.Result{}, s.invalid(op, err)
	}
	if in.Status == canonical.InvoiceDraft || in.Status == canonical.InvoiceCancelled {
		return connector.Result{}, s.fieldError(op, "status", "not_issued", string(in.Status),
			"the ledger records issued invoices, not %s ones", in.Status)
	}
	if noParty(in.Customer) {
		return connector.Result{}, s.fieldError(op, "customer", canonical.CodeRequired, "",
			"the customer needs an ID, a ref or an email")
	}
	now := s.env.Stamp()
	rec := s.invoices[number]
	var res connector.Result
	if rec == nil {
		in.Status = canonical.InvoiceIssued
		in.Paid = canonical.Zero(in.Currency)
		in.UpdatedAt = now
		in.SetRef(s.ref(number))
		s.arrivals++
		rec = &invoiceRec{inv: in, credited: canonical.Zero(in.Currency), arrival: s.arrivals, version: 1}
		s.invoices[number] = rec
		if err := s.applyCredit(rec); err != nil {
			return connector.Result{}, err
		}
		res = connector.Result{Action: connector.Created, Ref: s.ref(number)}
	} else {
		if diff := invoiceDiff(rec.inv, in); diff != "" {
			return connector.Result{}, s.businessRule(op,
				"invoice %s is issued and issued invoices are immutable (%s); send a credit note", number, diff)
		}
		in.Status, in.Paid, in.Refs, in.UpdatedAt = rec.inv.Status, rec.inv.Paid, rec.inv.Refs, rec.inv.UpdatedAt
		res = connector.Result{Action: connector.Unchanged, Ref: s.ref(number)}
		if invoiceView(in) != invoiceView(rec.inv) {
			in.UpdatedAt = now
			rec.inv = in
			rec.version++
			res.Action = connector.Updated
		}
	}
	return res, nil
}

// applyCredit applies the unallocated credit of the invoice's customer whose
// payment reference matches the invoice, oldest payment first. Callers hold
// s.mu.
func (s *Sim) applyCredit(rec *invoiceRec) error {
	for _, p := range s.paymentsOldestFirst() {
		due, err := rec.due()
		if err != nil || !due.Amount.IsPos() {
			return err
		}
		if !p.unallocated.Amount.IsPos() || p.unallocated.Currency != rec.inv.Currency ||
			!sameParty(p.received.Customer, rec.inv.Customer) || !refMatches(p.received.Reference, rec.inv) {
			continue
		}
		if err := s.allocate(p, rec, minMoney(due, p.unallocated)); err != nil {
			return err
		}
	}
	return nil
}

// allocate moves amt of p's unallocated credit to rec. Callers hold s.mu and
// have checked that amt fits both and shares their currency.
func (s *Sim) allocate(p *paymentRec, rec *invoiceRec, amt canonical.Money) error {
	left, err := p.unallocated.Sub(amt)
	if err != nil {
		return s.invalid("payments.allocate", err)
	}
	paid, err := rec.inv.Paid.Add(amt)
	if err != nil {
		return s.invalid("payments.allocate", err)
	}
	p.unallocated = left
	p.allocations = append(p.allocations, canonical.PaymentAllocation{Invoice: rec.inv.Number, Amount: amt})
	rec.inv.Paid = paid
	return s.settle(rec, false)
}

// settle sets the invoice's status from what is due: paid, or credited when
// a credit note settled it; partially_paid while part is paid. Callers hold
// s.mu.
func (s *Sim) settle(rec *invoiceRec, byCredit bool) error {
	due, err := rec.due()
	if err != nil {
		return s.invalid("invoices.settle", err)
	}
	open := rec.inv.Status == canonical.InvoiceIssued || rec.inv.Status == canonical.InvoicePartiallyPaid
	switch {
	case open && !due.Amount.IsPos() && byCredit:
		rec.inv.Status = canonical.InvoiceCredited
	case open && !due.Amount.IsPos():
		rec.inv.Status = canonical.InvoicePaid
	case rec.inv.Status == canonical.InvoiceIssued && rec.inv.Paid.Amount.IsPos():
		rec.inv.Status = canonical.InvoicePartiallyPaid
	}
	rec.inv.UpdatedAt = s.env.Stamp()
	rec.version++
	return nil
}

// Apply records a credit note and applies it to its invoice.
func (k creditSink) Apply(ctx context.Context, w connector.Write[canonical.CreditNote]) (connector.Result, error) {
	s := k.s
	const op = "credit-notes.apply"
	if err := s.env.Call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	number := cmp.Or(w.Entity.Number, w.Key)
	return write(s, creditsSink, number, w, func() (connector.Result, error) {
		return s.recordCredit(op, number, cloneCreditNote(w.Entity))
	})
}

// recordCredit records credit note number and applies it to its invoice,
// or checks a repeat of it against the recorded one. Callers hold s.mu.
func (s *Sim) recordCredit(op, number string, cn canonical.CreditNote) (connector.Result, error) {
	if err := cn.Validate(); err != nil {
		return connector.Result{}, s.invalid(op, err)
	}
	if cn.Invoice == "" {
		return connector.Result{}, s.fieldError(op, "invoice", canonical.CodeRequired, "",
			"a credit note must name the invoice it credits")
	}
	amount := cn.Totals.Payable
	if !amount.Amount.IsPos() {
		return connector.Result{}, s.fieldError(op, "totals.payable.amount", canonical.CodeNotPositive,
			amount.Amount.String(), "a credit note must credit more than zero")
	}
	if old := s.credits[number]; old != nil {
		if diff := creditDiff(old.cn, cn); diff != "" {
			return connector.Result{}, s.businessRule(op,
				"credit note %s is issued and immutable (%s); send another credit note", number, diff)
		}
		cn.Status, cn.UpdatedAt = old.cn.Status, old.cn.UpdatedAt
		cn.Refs = old.cn.Refs
		res := connector.Result{Action: connector.Unchanged, Ref: s.ref(number)}
		if creditView(cn) != creditView(old.cn) {
			cn.UpdatedAt = s.env.Stamp()
			old.cn = cn
			res.Action = connector.Updated
		}
		return res, nil
	}
	rec := s.invoices[cn.Invoice]
	if rec == nil {
		return connector.Result{}, connector.Errorf(connector.NotFound, s.cfg.System,
			"credit note %s credits invoice %s, which is not recorded", number, cn.Invoice)
	}
	if cn.Currency != rec.inv.Currency {
		return connector.Result{}, s.fieldError(op, "currency", canonical.CodeCurrencyMismatch, string(cn.Currency),
			"credit note in %s for invoice %s in %s", cn.Currency, rec.inv.Number, rec.inv.Currency)
	}
	room, err := rec.inv.Totals.Payable.Sub(rec.credited) // due + paid
	if err != nil {
		return connector.Result{}, s.invalid(op, err)
	}
	if amount.Amount.Cmp(room.Amount) > 0 {
		due, _ := rec.due()
		return connector.Result{}, s.businessRule(op,
			"credit note %s for %s exceeds what invoice %s has left to credit: %s (due %s + paid %s)",
			number, amount, rec.inv.Number, room, due, rec.inv.Paid)
	}
	credited, err := rec.credited.Add(amount)
	if err != nil {
		return connector.Result{}, s.invalid(op, err)
	}
	rec.credited = credited
	if err := s.settle(rec, true); err != nil {
		return connector.Result{}, err
	}
	cn.Status = canonical.InvoiceIssued
	cn.UpdatedAt = s.env.Stamp()
	cn.SetRef(s.ref(number))
	s.credits[number] = &creditRec{cn: cn}
	return connector.Result{Action: connector.Created, Ref: s.ref(number)}, nil
}

// Apply records a payment and applies it.
func (k paymentSink) Apply(ctx context.Context, w connector.Write[canonical.Payment]) (connector.Result, error) {
	s := k.s
	const op = "payments.apply"
	if err := s.env.Call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	id := cmp.Or(w.Key, w.Entity.ID)
	if id == "" && w.Op == connector.Upsert {
		return connector.Result{}, s.fieldError(op, "id", canonical.CodeRequired, "", "a payment needs an ID")
	}
	p := w.Entity
	p.Refs = append([]canonical.ExternalRef(nil), p.Refs...)
	p.Allocations = append([]canonical.PaymentAllocation(nil), p.Allocations...)
	return write(s, paymentsSink, id, w, func() (connector.Result, error) {
		return s.recordPayment(op, id, p)
	})
}

// recordPayment records payment id and applies it, or checks a repeat of it
// against the recorded one. Callers hold s.mu.
func (s *Sim) recordPayment(op, id string, p canonical.Payment) (connector.Result, error) {
	if err := p.Validate(); err != nil {
		return connector.Result{}, s.invalid(op, err)
	}
	if noParty(p.Customer) {
		return connector.Result{}, s.fieldError(op, "customer", canonical.CodeRequired, "",
			"the customer needs an ID, a ref or an email")
	}
	if old := s.payments[id]; old != nil {
		if diff := paymentDiff(old.received, p); diff != "" {
			return connector.Result{}, s.businessRule(op,
				"payment %s is recorded and cannot change (%s); use AllocatePayment to apply its credit", id, diff)
		}
		p.Refs = old.received.Refs
		res := connector.Result{Action: connector.Unchanged, Ref: s.ref(id)}
		if paymentView(p) != paymentView(old.received) {
			old.received = p
			res.Action = connector.Updated
		}
		return res, nil
	}

	// Decide every allocation before applying any.
	type plan struct {
		rec *invoiceRec
		amt canonical.Money
	}
	var plans []plan
	cur := p.Amount.Currency
	if len(p.Allocations) > 0 {
		for i, a := range p.Allocations {
			rec := s.invoices[a.Invoice]
			if rec == nil {
				return connector.Result{}, connector.Errorf(connector.NotFound, s.cfg.System,
					"payment %s is allocated to invoice %s, which is not recorded", id, a.Invoice)
			}
			if rec.inv.Currency != cur {
				return connector.Result{}, s.fieldError(op, fmt.Sprintf("allocations[%d].amount.currency", i),
					canonical.CodeCurrencyMismatch, string(cur),
					"payment in %s allocated to invoice %s in %s", cur, rec.inv.Number, rec.inv.Currency)
			}
			due, err := rec.due()
			if err != nil {
				return connector.Result{}, s.invalid(op, err)
			}
			if a.Amount.Amount.Cmp(due.Amount) > 0 {
				return connector.Result{}, s.businessRule(op,
					"payment %s allocates %s to invoice %s, which has %s due", id, a.Amount, rec.inv.Number, due)
			}
			plans = append(plans, plan{rec, a.Amount})
		}
	} else {
		left := p.Amount
		for _, rec := range s.invoicesOldestFirst() {
			if !sameParty(rec.inv.Customer, p.Customer) || !refMatches(p.Reference, rec.inv) {
				continue
			}
			due, err := rec.due()
			if err != nil {
				return connector.Result{}, s.invalid(op, err)
			}
			if !due.Amount.IsPos() {
				continue
			}
			if rec.inv.Currency != cur {
				return connector.Result{}, s.fieldError(op, "amount.currency", canonical.CodeCurrencyMismatch, string(cur),
					"payment %s in %s matches invoice %s in %s", id, cur, rec.inv.Number, rec.inv.Currency)
			}
			if !left.Amount.IsPos() {
				continue
			}
			amt := minMoney(due, left)
			if left, err = left.Sub(amt); err != nil {
				return connector.Result{}, s.invalid(op, err)
			}
			plans = append(plans, plan{rec, amt})
		}
	}
	s.arrivals++
	p.SetRef(s.ref(id))
	rec := &paymentRec{id: id, received: p, unallocated: p.Amount, arrival: s.arrivals}
	for _, pl := range plans {
		if err := s.allocate(rec, pl.rec, pl.amt); err != nil {
			return connector.Result{}, err
		}
	}
	s.payments[id] = rec
	return connector.Result{Action: connector.Created, Ref: s.ref(id)}, nil
}

// AllocatePayment applies amount of a recorded payment's unallocated credit
// to an invoice. An unknown payment or invoice is connector.NotFound; an
// amount that is not positive or not in the payment's and invoice's currency
// is connector.Invalid; more than the payment has unallocated or the invoice
// has due is connector.BusinessRule. It is a command, not an idempotent
// write: calling it twice allocates twice.
func (s *Sim) AllocatePayment(ctx context.Context, paymentID, invoice string, amount canonical.Money) error {
	const op = "payments.allocate"
	if err := s.env.Call(ctx, op); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[paymentID]
	if p == nil {
		return connector.Errorf(connector.NotFound, s.cfg.System, "no payment %q", paymentID)
	}
	rec := s.invoices[invoice]
	if rec == nil {
		return connector.Errorf(connector.NotFound, s.cfg.System, "no invoice %q", invoice)
	}
	if !amount.Amount.IsPos() {
		return s.fieldError(op, "amount.amount", canonical.CodeNotPositive, amount.Amount.String(), "must be greater than zero")
	}
	if amount.Currency != p.unallocated.Currency || amount.Currency != rec.inv.Currency {
		return s.fieldError(op, "amount.currency", canonical.CodeCurrencyMismatch, string(amount.Currency),
			"payment %s is in %s and invoice %s in %s", paymentID, p.unallocated.Currency, invoice, rec.inv.Currency)
	}
	if amount.Amount.Cmp(p.unallocated.Amount) > 0 {
		return s.businessRule(op, "payment %s has %s unallocated, less than %s", paymentID, p.unallocated, amount)
	}
	due, err := rec.due()
	if err != nil {
		return s.invalid(op, err)
	}
	if amount.Amount.Cmp(due.Amount) > 0 {
		return s.businessRule(op, "invoice %s has %s due, less than %s", invoice, due, amount)
	}
	return s.allocate(p, rec, amount)
}

// AmountDue returns what is still owed on an invoice: its payable amount
// less payments and credit notes (negative when a credit note left money to
// refund). An unknown invoice is connector.NotFound.
func (s *Sim) AmountDue(ctx context.Context, invoice string) (canonical.Money, error) {
	if err := s.env.Call(ctx, "invoices.due"); err != nil {
		return canonical.Money{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.invoices[invoice]
	if rec == nil {
		return canonical.Money{}, connector.Errorf(connector.NotFound, s.cfg.System, "no invoice %q", invoice)
	}
	due, err := rec.due()
	if err != nil {
		return canonical.Money{}, s.invalid("invoices.due", err)
	}
	return due, nil
}

// invoicesOldestFirst orders invoices by issue date, then arrival. Callers
// hold s.mu.
func (s *Sim) invoicesOldestFirst() []*invoiceRec {
	out := slices.Collect(maps.Values(s.invoices))
	slices.SortFunc(out, func(a, b *invoiceRec) int {
		return oldestFirst(a.inv.IssueDate, b.inv.IssueDate, a.arrival, b.arrival)
	})
	return out
}

// paymentsOldestFirst orders payments by receipt date, then arrival. Callers
// hold s.mu.
func (s *Sim) paymentsOldestFirst() []*paymentRec {
	out := slices.Collect(maps.Values(s.payments))
	slices.SortFunc(out, func(a, b *paymentRec) int {
		return oldestFirst(a.received.ReceivedOn, b.received.ReceivedOn, a.arrival, b.arrival)
	})
	return out
}

// oldestFirst compares two records by date, then by arrival.
func oldestFirst(da, db canonical.Date, arrivalA, arrivalB int) int {
	switch {
	case da.Before(db):
		return -1
	case db.Before(da):
		return 1
	}
	return arrivalA - arrivalB
}

// refMatches reports whether a payment reference names one of the invoice's
// orders or the invoice itself, ignoring case and surrounding space.
func refMatches(ref string, inv canonical.Invoice) bool {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return false
	}
	if strings.EqualFold(ref, inv.Number) {
		return true
	}
	for _, o := range inv.Orders {
		if strings.EqualFold(ref, strings.TrimSpace(o)) {
			return true
		}
	}
	return false
}

// minMoney returns the smaller of two amounts of one currency.
func minMoney(a, b canonical.Money) canonical.Money {
	if b.Amount.Cmp(a.Amount) < 0 {
		return b
	}
	return a
}

// moneyEq compares amounts by value; zero equals zero in any currency.
func moneyEq(a, b canonical.Money) bool {
	return a.Amount.Equal(b.Amount) && (a.Currency == b.Currency || a.Amount.IsZero())
}

func qtyEq(a, b canonical.Quantity) bool { return a.Value.Equal(b.Value) && a.Unit == b.Unit }

// invoiceDiff names the first amount, line, currency, customer or date in
// which b differs from a, or returns "".
func invoiceDiff(a, b canonical.Invoice) string {
	switch {
	case a.Currency != b.Currency:
		return fmt.Sprintf("currency %s, now %s", a.Currency, b.Currency)
	case !sameParty(a.Customer, b.Customer):
		return "another customer"
	case a.IssueDate != b.IssueDate:
		return fmt.Sprintf("issueDate %s, now %s", a.IssueDate, b.IssueDate)
	}
	if d := totalsDiff(a.Totals, b.Totals); d != "" {
		return d
	}
	return linesDiff(a.Lines, b.Lines)
}

func creditDiff(a, b canonical.CreditNote) string {
	switch {
	case a.Invoice != b.Invoice:
		return fmt.Sprintf("invoice %s, now %s", a.Invoice, b.Invoice)
	case a.Currency != b.Currency:
		return fmt.Sprintf("currency %s, now %s", a.Currency, b.Currency)
	}
	if d := totalsDiff(a.Totals, b.Totals); d != "" {
		return d
	}
	return linesDiff(a.Lines, b.Lines)
}

func totalsDiff(a, b canonical.Totals) string {
	fields := []struct {
		name string
		a, b canonical.Money
	}{
		{"lineNet", a.LineNet, b.LineNet}, {"allowances", a.Allowances, b.Allowances},
		{"charges", a.Charges, b.Charges}, {"tax", a.Tax, b.Tax}, {"prepaid", a.Prepaid, b.Prepaid},
		{"rounding", a.Rounding, b.Rounding}, {"payable", a.Payable, b.Payable},
	}
	for _, f := range fields {
		if !moneyEq(f.a, f.b) {
			return fmt.Sprintf("totals.%s %s, now %s", f.name, f.a, f.b)
		}
	}
	return ""
}

func linesDiff(a, b []canonical.InvoiceLine) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%d lines, now %d", len(a), len(b))
	}
	for i := range a {
		switch {
		case !qtyEq(a[i].Quantity, b[i].Quantity):
			return fmt.Sprintf("lines[%d].quantity %s, now %s", i, a[i].Quantity, b[i].Quantity)
		case !moneyEq(a[i].UnitPrice, b[i].UnitPrice):
			return fmt.Sprintf("lines[%d].unitPrice %s, now %s", i, a[i].UnitPrice, b[i].UnitPrice)
		case !moneyEq(a[i].Net, b[i].Net):
			return fmt.Sprintf("lines[%d].net %s, now %s", i, a[i].Net, b[i].Net)
		}
	}
	return ""
}

func paymentDiff(a, b canonical.Payment) string {
	switch {
	case !moneyEq(a.Amount, b.Amount) || a.Amount.Currency != b.Amount.Currency:
		return fmt.Sprintf("amount %s, now %s", a.Amount, b.Amount)
	case !sameParty(a.Customer, b.Customer):
		return "another customer"
	case strings.TrimSpace(a.Reference) != strings.TrimSpace(b.Reference):
		return fmt.Sprintf("reference %q, now %q", a.Reference, b.Reference)
	case len(a.Allocations) != len(b.Allocations):
		return fmt.Sprintf("%d allocations, now %d", len(a.Allocations), len(b.Allocations))
	}
	for i := range a.Allocations {
		if a.Allocations[i].Invoice != b.Allocations[i].Invoice || !moneyEq(a.Allocations[i].Amount, b.Allocations[i].Amount) {
			return fmt.Sprintf("allocations[%d]", i)
		}
	}
	return ""
}

// The views render a document without the fields the ledger owns, to tell
// an update from a repeat.

func invoiceView(inv canonical.Invoice) string {
	inv.Status, inv.Paid, inv.Refs, inv.UpdatedAt = "", canonical.Money{}, nil, time.Time{}
	b, _ := json.Marshal(inv)
	return string(b)
}

func creditView(cn canonical.CreditNote) string {
	cn.Status, cn.Refs, cn.UpdatedAt = "", nil, time.Time{}
	b, _ := json.Marshal(cn)
	return string(b)
}

func paymentView(p canonical.Payment) string {
	p.Refs, p.UpdatedAt = nil, time.Time{}
	b, _ := json.Marshal(p)
	return string(b)
}
