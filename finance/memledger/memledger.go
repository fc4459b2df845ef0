// Package memledger is an in-memory accounts-receivable ledger that behaves
// like a real accounting system (Xero, QuickBooks): issued invoices are
// immutable and corrected only by credit notes, credit notes cannot credit
// more than an invoice is worth, payments are applied to the invoices they
// name or matched to the customer's open invoices by reference, and whatever
// cannot be applied stays on the customer's account as unallocated credit
// until an invoice it matches arrives.
//
// It implements finance.Ledger. Every sink is idempotent by the write's
// idempotency key and by the document's own key (invoice number, credit note
// number, payment ID), and reports older versions as connector.Stale. Faults
// (latency, outages, rate limits) are injected on every call, following
// Config.Seed.
package memledger

import (
	"strings"
	"sync"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/finance"
)

// Config configures a simulator. The zero value is usable.
type Config struct {
	// System names the simulator in refs and errors (default "memledger").
	System string
	// Seed drives the injected faults.
	Seed uint64
	// Clock is the time source; nil means the system clock.
	Clock connector.Clock
	// Faults injects latency, transient errors and rate limits.
	Faults sim.Faults
}

// Totals sums the ledger in one currency, for reconciliation. By
// construction Received = Allocated + Unallocated and Outstanding =
// Invoiced − Credited − Allocated, which is the sum of every invoice's amount
// due (negative where a credit note left money to refund).
type Totals struct {
	// Invoiced is the payable amount of every invoice.
	Invoiced canonical.Money
	// Credited is the amount of every credit note.
	Credited canonical.Money
	// Received is the amount of every payment.
	Received canonical.Money
	// Allocated is the part of the payments applied to invoices.
	Allocated canonical.Money
	// Unallocated is the part still on customers' accounts as credit.
	Unallocated canonical.Money
	// Outstanding is what customers still owe.
	Outstanding canonical.Money
}

// Sim is the simulated ledger. It is safe for concurrent use.
type Sim struct {
	cfg Config
	env *sim.Env

	mu       sync.Mutex
	invoices map[string]*invoiceRec
	credits  map[string]*creditRec
	payments map[string]*paymentRec
	arrivals int                          // arrival counter, for oldest-first matching
	done     map[string]connector.Result  // by sink and idempotency key
	versions map[string]connector.Version // by sink and record key
}

// invoiceRec is an invoice as the ledger holds it. inv.Paid and inv.Status
// are the ledger's own.
type invoiceRec struct {
	inv      canonical.Invoice
	credited canonical.Money
	arrival  int
	// version counts the ledger's changes to the invoice.
	version int64
}

type creditRec struct {
	cn canonical.CreditNote
}

// paymentRec is a payment as received, with what the ledger did with it.
type paymentRec struct {
	id          string
	received    canonical.Payment
	allocations []canonical.PaymentAllocation
	unallocated canonical.Money
	arrival     int
}

var _ finance.Ledger = (*Sim)(nil)

// New returns an empty ledger.
func New(cfg Config) *Sim {
	if cfg.System == "" {
		cfg.System = "memledger"
	}
	env := sim.NewEnv(cfg.System, cfg.Seed, cfg.Clock)
	env.SetFaults(cfg.Faults)
	return &Sim{
		cfg:      cfg,
		env:      env,
		invoices: map[string]*invoiceRec{},
		credits:  map[string]*creditRec{},
		payments: map[string]*paymentRec{},
		done:     map[string]connector.Result{},
		versions: map[string]connector.Version{},
	}
}

// System returns the simulator's system name.
func (s *Sim) System() string { return s.cfg.System }

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f sim.Faults) { s.env.SetFaults(f) }

// Invoice returns the invoice with number as the ledger holds it: Paid is
// what payments have covered, and Status is issued, partially_paid, paid or
// credited.
func (s *Sim) Invoice(number string) (canonical.Invoice, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.invoices[number]
	if !ok {
		return canonical.Invoice{}, false
	}
	return cloneInvoice(r.inv), true
}

// Credited returns the total of the credit notes applied to an invoice.
func (s *Sim) Credited(invoice string) (canonical.Money, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.invoices[invoice]
	if !ok {
		return canonical.Money{}, false
	}
	return r.credited, true
}

// CreditNote returns the credit note with number.
func (s *Sim) CreditNote(number string) (canonical.CreditNote, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.credits[number]
	if !ok {
		return canonical.CreditNote{}, false
	}
	return cloneCreditNote(r.cn), true
}

// Payment returns the payment with id as received, with Allocations listing
// what the ledger applied it to, in order, explicit and matched alike.
func (s *Sim) Payment(id string) (canonical.Payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.payments[id]
	if !ok {
		return canonical.Payment{}, false
	}
	p := r.received
	p.Refs = append([]canonical.ExternalRef(nil), p.Refs...)
	p.Allocations = append([]canonical.PaymentAllocation(nil), r.allocations...)
	return p, true
}

// Unallocated returns the credit not yet applied to any invoice: of the
// payment with ID id, or else the sum over the payments of the customer
// whose canonical ID, email or ref ID is id. Neither is connector.NotFound;
// a customer with credit in several currencies is connector.Conflict.
func (s *Sim) Unallocated(id string) (canonical.Money, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.payments[id]; ok {
		return r.unallocated, nil
	}
	var (
		sum   canonical.Money
		found bool
	)
	for _, r := range s.paymentsOldestFirst() {
		if !partyIs(r.received.Customer, id) {
			continue
		}
		found = true
		next, err := sum.Add(r.unallocated)
		if err != nil {
			return canonical.Money{}, connector.Errorf(connector.Conflict, s.cfg.System,
				"customer %s holds credit in several currencies: %w", id, err)
		}
		sum = next
	}
	if !found {
		return canonical.Money{}, connector.Errorf(connector.NotFound, s.cfg.System, "no payment or customer %q", id)
	}
	return sum, nil
}

// Totals sums the ledger's documents in currency c.
func (s *Sim) Totals(c canonical.CurrencyCode) Totals {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Totals{
		Invoiced: canonical.Zero(c), Credited: canonical.Zero(c), Received: canonical.Zero(c),
		Allocated: canonical.Zero(c), Unallocated: canonical.Zero(c), Outstanding: canonical.Zero(c),
	}
	add := func(to *canonical.Money, m canonical.Money) {
		if m.Currency == c {
			*to, _ = to.Add(m) // same currency
		}
	}
	for _, r := range s.invoices {
		add(&t.Invoiced, r.inv.Totals.Payable)
		add(&t.Credited, r.credited)
		if r.inv.Currency == c {
			if due, err := r.due(); err == nil {
				add(&t.Outstanding, due)
			}
		}
	}
	for _, r := range s.payments {
		add(&t.Received, r.received.Amount)
		add(&t.Unallocated, r.unallocated)
		for _, a := range r.allocations {
			add(&t.Allocated, a.Amount)
		}
	}
	return t
}

// due is Payable − Paid − credited: negative when more was paid or credited
// than the invoice is worth.
func (r *invoiceRec) due() (canonical.Money, error) {
	d, err := r.inv.Totals.Payable.Sub(r.inv.Paid)
	if err != nil {
		return canonical.Money{}, err
	}
	d, err = d.Sub(r.credited)
	if err != nil {
		return canonical.Money{}, err
	}
	d.Currency = r.inv.Currency
	return d, nil
}

// partyIs reports whether id names the party: its canonical ID, its email
// or the ID of one of its refs.
func partyIs(p canonical.PartyRef, id string) bool {
	if id == "" {
		return false
	}
	if p.ID == id || (p.Email != "" && strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(id))) {
		return true
	}
	for _, r := range p.Refs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// sameParty reports whether two party refs name the same customer: the
// same canonical ID, a shared system ref, or the same email.
func sameParty(a, b canonical.PartyRef) bool {
	if a.ID != "" && b.ID != "" {
		return a.ID == b.ID
	}
	for _, ra := range a.Refs {
		for _, rb := range b.Refs {
			if ra.System == rb.System && ra.ID == rb.ID {
				return true
			}
		}
	}
	ea, eb := strings.TrimSpace(a.Email), strings.TrimSpace(b.Email)
	return ea != "" && strings.EqualFold(ea, eb)
}

// noParty reports whether p names nobody.
func noParty(p canonical.PartyRef) bool {
	return p.ID == "" && len(p.Refs) == 0 && strings.TrimSpace(p.Email) == ""
}

func cloneInvoice(inv canonical.Invoice) canonical.Invoice {
	out := inv
	out.Refs = append([]canonical.ExternalRef(nil), inv.Refs...)
	out.Customer.Refs = append([]canonical.ExternalRef(nil), inv.Customer.Refs...)
	out.BillTo.Lines = append([]string(nil), inv.BillTo.Lines...)
	out.Orders = append([]string(nil), inv.Orders...)
	out.Shipments = append([]string(nil), inv.Shipments...)
	out.Lines = append([]canonical.InvoiceLine(nil), inv.Lines...)
	out.Charges = append([]canonical.AllowanceCharge(nil), inv.Charges...)
	out.Taxes = append([]canonical.TaxLine(nil), inv.Taxes...)
	return out
}

func cloneCreditNote(cn canonical.CreditNote) canonical.CreditNote {
	out := cn
	out.Refs = append([]canonical.ExternalRef(nil), cn.Refs...)
	out.Lines = append([]canonical.InvoiceLine(nil), cn.Lines...)
	out.Taxes = append([]canonical.TaxLine(nil), cn.Taxes...)
	return out
}
