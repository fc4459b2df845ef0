// Package memcrm is an in-memory CRM that behaves like a real one (HubSpot,
// Salesforce): contacts are unique by email, so a second customer record
// with a known email updates the existing contact instead of creating a
// duplicate; marketing consent belongs to the CRM and no write can change
// it; and every sales order becomes one deal of its customer's contact,
// whose amount and stage follow the order.
//
// It implements crm.CRM. Its ContactChanges source is a change log of the
// changes made in the CRM itself (consent), which, with faults switched on,
// delivers some changes twice or out of order. Every sink is idempotent by
// the write's idempotency key and by the record's natural key, and reports
// older versions as connector.Stale. Faults are injected on every call,
// following Config.Seed.
package memcrm

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/crm"
)

// Deal stages.
const (
	StageOpen = "open" // the order is being decided or fulfilled
	StageWon  = "won"  // the order is in progress or done
	StageLost = "lost" // the order was cancelled or rejected
)

// Config configures a simulator. The zero value is usable.
type Config struct {
	// System names the simulator in refs and changes (default "memcrm").
	System string
	// Seed drives the injected faults.
	Seed uint64
	// Clock is the time source; nil means the system clock.
	Clock connector.Clock
	// Faults injects latency, transient errors, rate limits and duplicated or
	// reordered contact changes.
	Faults sim.Faults
}

// Contact is a CRM contact: one per email address.
type Contact struct {
	// ID is the CRM's ID, "contact-1", "contact-2", ...
	ID string
	// Email is the contact's email, trimmed and in lower case.
	Email string
	// Consent is the contact's marketing consent, owned by the CRM.
	Consent bool
	// Aliases are the keys of every customer record written to the contact,
	// in the order they were first seen.
	Aliases []string
	// Customer is the customer as last written, with the CRM's ref and, on
	// the Contacts entry for Email (added if the write had none), the CRM's
	// consent.
	Customer canonical.Customer
}

// Deal is a sales order as a CRM deal.
type Deal struct {
	// ID is the CRM's ID, "deal-1", "deal-2", ...
	ID string
	// Order is the sales order number.
	Order string
	// Contact is the ID of the contact whose deal it is.
	Contact string
	// Amount is the order's payable total.
	Amount canonical.Money
	// Stage is StageOpen, StageWon or StageLost.
	Stage string
	// UpdatedAt is when the CRM last changed the deal.
	UpdatedAt time.Time
}

// Sim is the simulated CRM. It is safe for concurrent use.
type Sim struct {
	cfg Config
	env *sim.Env
	log *sim.Log[canonical.Customer]

	mu       sync.Mutex
	contacts []*contactRec
	byEmail  map[string]*contactRec
	byAlias  map[string]*contactRec
	deals    []*Deal
	byOrder  map[string]*Deal
	done     map[string]connector.Result  // by sink and idempotency key
	versions map[string]connector.Version // by sink and record key
}

type contactRec struct {
	id       string
	email    string
	consent  bool
	aliases  []string
	customer canonical.Customer
}

var _ crm.CRM = (*Sim)(nil)

// New returns an empty CRM.
func New(cfg Config) *Sim {
	if cfg.System == "" {
		cfg.System = "memcrm"
	}
	env := sim.NewEnv(cfg.System, cfg.Seed, cfg.Clock)
	env.SetFaults(cfg.Faults)
	return &Sim{
		cfg:      cfg,
		env:      env,
		log:      sim.NewLog[canonical.Customer](env),
		byEmail:  map[string]*contactRec{},
		byAlias:  map[string]*contactRec{},
		byOrder:  map[string]*Deal{},
		done:     map[string]connector.Result{},
		versions: map[string]connector.Version{},
	}
}

// System returns the simulator's system name.
func (s *Sim) System() string { return s.cfg.System }

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f sim.Faults) { s.env.SetFaults(f) }

// ContactChanges yields a contact, keyed by its ID, whenever it is changed
// in the CRM (SetConsent). Writes through Contacts are not echoed back. It
// is also a connector.Getter.
func (s *Sim) ContactChanges() connector.Source[canonical.Customer] { return s.log }

// Contact returns the contact with email, in any case and with surrounding
// space.
func (s *Sim) Contact(email string) (Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.byEmail[normEmail(email)]
	if !ok {
		return Contact{}, false
	}
	return r.view(), true
}

// ContactCount returns the number of contacts.
func (s *Sim) ContactCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.contacts)
}

// Deal returns the deal of a sales order.
func (s *Sim) Deal(order string) (Deal, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.byOrder[order]
	if !ok {
		return Deal{}, false
	}
	return *d, true
}

// AllDeals returns every deal, in the order they were created.
func (s *Sim) AllDeals() []Deal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Deal, len(s.deals))
	for i, d := range s.deals {
		out[i] = *d
	}
	return out
}

func (r *contactRec) view() Contact {
	return Contact{
		ID: r.id, Email: r.email, Consent: r.consent,
		Aliases: slices.Clone(r.aliases), Customer: cloneCustomer(r.customer),
	}
}

// normEmail is the key contacts are unique by: trimmed, lower case.
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// validEmail is the CRM's check: one @ with something on both sides, a dot
// in the domain, no spaces.
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(e, " \t") &&
		!strings.Contains(domain, "@") && strings.Contains(domain, ".") &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func cloneCustomer(c canonical.Customer) canonical.Customer {
	out := c
	out.Refs = slices.Clone(c.Refs)
	out.Addresses = slices.Clone(c.Addresses)
	for i := range out.Addresses {
		out.Addresses[i].Lines = slices.Clone(out.Addresses[i].Lines)
	}
	out.Contacts = slices.Clone(c.Contacts)
	for i := range out.Contacts {
		out.Contacts[i].Refs = slices.Clone(out.Contacts[i].Refs)
	}
	out.TaxIDs = slices.Clone(c.TaxIDs)
	if c.CreditLimit != nil {
		m := *c.CreditLimit
		out.CreditLimit = &m
	}
	if c.Balance != nil {
		m := *c.Balance
		out.Balance = &m
	}
	return out
}
