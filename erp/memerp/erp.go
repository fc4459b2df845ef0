package memerp

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/erp"
)

// DefaultSystem is the system name an ERP reports when Config.System is empty.
const DefaultSystem = "memerp"

// Config configures an ERP. The zero value is usable: a perfect system named
// "memerp" on the wall clock, trading in EUR, with one location "main", no
// credit limits and 30 days' payment terms.
type Config struct {
	// System names the ERP instance in refs, changes and errors.
	System string
	// Seed makes the injected faults reproducible.
	Seed uint64
	// Clock stamps documents and stock levels; nil means the system clock.
	Clock connector.Clock
	// Faults are the injected failures (latency, transient errors, rate
	// limits, duplicated and reordered change events).
	Faults sim.Faults
	// Currency is the currency of a new customer account that names none
	// (default "EUR").
	Currency canonical.CurrencyCode
	// CreditLimit is the credit limit a new account gets, as an amount in the
	// account's currency; nil means new accounts have no limit.
	CreditLimit *canonical.Decimal
	// Locations are the stock locations, in the order allocation draws from
	// them (default ["main"]).
	Locations []string
	// PaymentDays are the payment terms in days for an account whose
	// PaymentTerms is not of the form "NET<days>" (default 30).
	PaymentDays int
}

// ERP is an in-memory ERP system. It implements erp.ERP with the rules of a
// real one: customer accounts with credit limits and holds, items with stock
// per location, sales orders that are deduplicated by the channel's order
// reference, credit-checked, allocated and amended line by line, despatches
// released from allocated stock, shipment confirmations that move stock out
// and issue one invoice per shipment, and credit notes against invoices.
//
// All methods are safe for concurrent use.
type ERP struct {
	cfg Config
	env *sim.Env

	customerLog *sim.Log[canonical.Customer]
	despatchLog *sim.Log[canonical.Shipment]
	invoiceLog  *sim.Log[canonical.Invoice]
	stockLog    *sim.Log[canonical.StockLevel]

	mu sync.Mutex
	// master data and stock
	items    map[string]*item
	levels   map[string]*level // by stockKey
	stockSeq int64
	// customers
	customers     map[string]*canonical.Customer // by number
	customerKeys  map[string]string              // caller's key -> number
	customerCount int
	// orders
	orders     map[string]*orderRec // by number
	orderKeys  map[string]string    // caller's key -> number
	orderPOs   map[string]string    // CustomerPO -> number
	orderCount int
	// despatches and invoices
	shipments     map[string]*shipmentRec // by number
	shipmentCount int
	invoices      map[string]*invoiceRec // by number
	invoiceCount  int
	creditNotes   map[string]*canonical.CreditNote // by number
	creditKeys    map[string]string                // caller's key -> number
	creditCount   int
	// sink bookkeeping, one per sink
	customerSink     sinkState
	orderSink        sinkState
	confirmationSink sinkState
	creditSink       sinkState
}

var _ erp.ERP = (*ERP)(nil)

// sinkState is what a sink remembers to be idempotent and to refuse stale
// writes: the result of every successful IdempotencyKey and the last version
// applied per key.
type sinkState struct {
	results  map[string]connector.Result
	versions map[string]connector.Version
}

func newSinkState() sinkState {
	return sinkState{results: map[string]connector.Result{}, versions: map[string]connector.Version{}}
}

// replay returns the remembered result of an IdempotencyKey, as Unchanged.
func (s *sinkState) replay(idem string) (connector.Result, bool) {
	if idem == "" {
		return connector.Result{}, false
	}
	r, ok := s.results[idem]
	if ok {
		r.Action = connector.Unchanged
	}
	return r, ok
}

// stale reports whether v is older than the last version applied to key.
func (s *sinkState) stale(key string, v connector.Version) bool {
	last, ok := s.versions[key]
	if !ok {
		return false
	}
	c, ok := v.Compare(last)
	return ok && c < 0
}

// done records a successful write: its result under its IdempotencyKey and
// its version as the key's newest.
func (s *sinkState) done(key string, v connector.Version, idem string, r connector.Result) {
	if idem != "" {
		s.results[idem] = r
	}
	if key == "" || v.IsZero() {
		return
	}
	if last, ok := s.versions[key]; ok {
		if c, ok := v.Compare(last); ok && c < 0 {
			return
		}
	}
	s.versions[key] = v
}

// record is done for a write of any entity type.
func record[T any](s *sinkState, w connector.Write[T], r connector.Result) {
	s.done(w.Key, w.Version, w.IdempotencyKey, r)
}

// New returns an empty ERP: no items, no stock, no customers.
func New(cfg Config) *ERP {
	if cfg.System == "" {
		cfg.System = DefaultSystem
	}
	if cfg.Currency == "" {
		cfg.Currency = "EUR"
	}
	if len(cfg.Locations) == 0 {
		cfg.Locations = []string{"main"}
	} else {
		cfg.Locations = append([]string(nil), cfg.Locations...)
	}
	if cfg.PaymentDays <= 0 {
		cfg.PaymentDays = 30
	}
	env := sim.NewEnv(cfg.System, cfg.Seed, cfg.Clock)
	env.SetFaults(cfg.Faults)
	cfg.Clock = env.Clock
	return &ERP{
		cfg:              cfg,
		env:              env,
		customerLog:      sim.NewLog[canonical.Customer](env),
		despatchLog:      sim.NewLog[canonical.Shipment](env),
		invoiceLog:       sim.NewLog[canonical.Invoice](env),
		stockLog:         sim.NewLog[canonical.StockLevel](env),
		items:            map[string]*item{},
		levels:           map[string]*level{},
		customers:        map[string]*canonical.Customer{},
		customerKeys:     map[string]string{},
		orders:           map[string]*orderRec{},
		orderKeys:        map[string]string{},
		orderPOs:         map[string]string{},
		shipments:        map[string]*shipmentRec{},
		invoices:         map[string]*invoiceRec{},
		creditNotes:      map[string]*canonical.CreditNote{},
		creditKeys:       map[string]string{},
		customerSink:     newSinkState(),
		orderSink:        newSinkState(),
		confirmationSink: newSinkState(),
		creditSink:       newSinkState(),
	}
}

// System returns the ERP's system name, the System of its refs and changes.
func (e *ERP) System() string { return e.cfg.System }

// SetFaults replaces the injected faults.
func (e *ERP) SetFaults(f sim.Faults) { e.env.SetFaults(f) }

// Customers returns the sink that creates and updates customer accounts.
func (e *ERP) Customers() connector.Sink[canonical.Customer] { return customerSink{e} }

// CustomerChanges returns the log of account changes: creation, master data,
// credit limit, credit status and balance. Its keys are account numbers.
func (e *ERP) CustomerChanges() connector.Source[canonical.Customer] { return e.customerLog }

// SalesOrders returns the sink that creates, amends and cancels sales orders.
func (e *ERP) SalesOrders() connector.Sink[canonical.SalesOrder] { return orderSink{e} }

// Despatches returns the log of shipments: planned by Release, then every
// later state. Its keys are shipment numbers.
func (e *ERP) Despatches() connector.Source[canonical.Shipment] { return e.despatchLog }

// ShipmentConfirmations returns the sink that records shipments as sent or
// cancelled.
func (e *ERP) ShipmentConfirmations() connector.Sink[canonical.Shipment] {
	return confirmationSink{e}
}

// Invoices returns the log of invoices as they are issued and credited. Its
// keys are invoice numbers.
func (e *ERP) Invoices() connector.Source[canonical.Invoice] { return e.invoiceLog }

// CreditNotes returns the sink that issues credit notes against invoices.
func (e *ERP) CreditNotes() connector.Sink[canonical.CreditNote] { return creditNoteSink{e} }

// Stock returns the log of stock levels, one entry per change of a SKU at a
// location, keyed "sku@location", with a Sequence that rises across the ERP.
func (e *ERP) Stock() connector.Source[canonical.StockLevel] { return e.stockLog }

// ref returns this ERP's ref for a document number.
func (e *ERP) ref(id string) canonical.ExternalRef {
	return canonical.ExternalRef{System: e.cfg.System, ID: id}
}

// errorf builds a connector error of this ERP for operation op.
func (e *ERP) errorf(kind connector.Kind, op, format string, args ...any) *connector.Error {
	err := connector.Errorf(kind, e.cfg.System, format, args...)
	err.Op = op
	return err
}

// invalid builds an Invalid error naming the bad fields.
func (e *ERP) invalid(op, what string, fields []canonical.FieldError) *connector.Error {
	err := e.errorf(connector.Invalid, op, "%s", what)
	err.Fields = fields
	return err
}

// invalidField builds an Invalid error for one field.
func (e *ERP) invalidField(op, path, code, value, message string) *connector.Error {
	return e.invalid(op, "invalid "+path, []canonical.FieldError{{Path: path, Code: code, Value: value, Message: message}})
}

// validation turns a canonical validation error into an Invalid error with
// its field paths; other errors are returned as they are.
func (e *ERP) validation(op, entity string, err error) error {
	var fe interface{ FieldErrors() []canonical.FieldError }
	if err == nil {
		return nil
	}
	if errors.As(err, &fe) {
		return e.invalid(op, entity+" is invalid", fe.FieldErrors())
	}
	return err
}

// call starts a simulated API call: latency and injected faults.
func (e *ERP) call(ctx context.Context, op string) error { return e.env.Call(ctx, op) }

// clone returns a deep copy of v, so that what the ERP hands out or logs
// never shares memory with what it keeps. Canonical entities round-trip
// through JSON exactly.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}
