package memshop

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/ecommerce"
)

// Faults says how badly the shop behaves: latency, transient errors and rate
// limits on calls, duplicated and reordered events on feeds. It is the
// simulators' shared fault model, named here so that code outside this
// module can set it.
type Faults = sim.Faults

// Config configures a Shop. The zero value is a working shop named
// "memshop" with one stock location, no tax and no faults.
type Config struct {
	// System names the shop in refs, changes and errors (default "memshop").
	// It is also the Channel of every order.
	System string
	// Seed drives every random choice (injected faults, payment provider
	// references), so that a run can be reproduced.
	Seed uint64
	// Clock stamps orders, payments and changes; nil means the system clock.
	Clock connector.Clock
	// Faults says how badly the shop behaves from the start; change it later
	// with SetFaults.
	Faults Faults
	// TaxRate is one VAT rate, as a fraction (0.20 for 20 %), applied to the
	// taxable amount of every order: line nets − order discounts + charges.
	// Zero (or a negative rate) means the shop charges no tax.
	TaxRate canonical.Decimal
	// Locations names the stock locations (default ["main"]).
	Locations []string
	// Gateway names the payment gateway on payment transactions (default
	// "memshop_payments").
	Gateway string
}

// Shop is an in-memory sales channel that implements ecommerce.Shop and
// behaves like a hosted shop: it prices and numbers orders, captures payment,
// lets customers amend and cancel, refunds line by line, takes stock levels
// and fulfilments from other systems, and reports every change on its
// feeds, with the faults a real platform shows. It is safe for concurrent
// use.
type Shop struct {
	env       *sim.Env
	system    string
	taxRate   canonical.Decimal
	gateway   string
	locations []string

	orders    *sim.Log[canonical.SalesOrder]
	customers *sim.Log[canonical.Customer]
	products  *sim.Log[canonical.Product]
	refunds   *sim.Log[canonical.Refund]

	mu           sync.Mutex
	catalog      map[string]string            // every sellable SKU (products and variants) → its product's SKU
	productBySKU map[string]canonical.Product // product SKU → product
	customerByID map[string]canonical.Customer
	customerIDs  []string
	orderByNum   map[string]*orderState
	orderNums    []string
	refundByID   map[string]canonical.Refund
	refundIDs    []string
	levels       map[levelKey]*levelState
	shipments    map[string]*shipmentState
	shipmentNums []string
	invDone      map[string]connector.Result // inventory results by idempotency key
	fulDone      map[string]connector.Result // fulfilment results by idempotency key

	nextOrder, nextCustomer, nextRefund, nextTxn int
}

var _ ecommerce.Shop = (*Shop)(nil)

// New returns an empty shop configured by cfg.
func New(cfg Config) *Shop {
	if cfg.System == "" {
		cfg.System = "memshop"
	}
	if cfg.Gateway == "" {
		cfg.Gateway = "memshop_payments"
	}
	if cfg.TaxRate.IsNeg() {
		cfg.TaxRate = canonical.Decimal{}
	}
	locs := slices.Clone(cfg.Locations)
	if len(locs) == 0 {
		locs = []string{"main"}
	}
	env := sim.NewEnv(cfg.System, cfg.Seed, cfg.Clock)
	env.SetFaults(cfg.Faults)
	return &Shop{
		env:          env,
		system:       cfg.System,
		taxRate:      cfg.TaxRate,
		gateway:      cfg.Gateway,
		locations:    locs,
		orders:       sim.NewLog[canonical.SalesOrder](env),
		customers:    sim.NewLog[canonical.Customer](env),
		products:     sim.NewLog[canonical.Product](env),
		refunds:      sim.NewLog[canonical.Refund](env),
		catalog:      map[string]string{},
		productBySKU: map[string]canonical.Product{},
		customerByID: map[string]canonical.Customer{},
		orderByNum:   map[string]*orderState{},
		refundByID:   map[string]canonical.Refund{},
		levels:       map[levelKey]*levelState{},
		shipments:    map[string]*shipmentState{},
		invDone:      map[string]connector.Result{},
		fulDone:      map[string]connector.Result{},
	}
}

// System returns the shop's system name.
func (s *Shop) System() string { return s.system }

// Locations returns the shop's stock locations.
func (s *Shop) Locations() []string { return slices.Clone(s.locations) }

// SetFaults replaces the fault settings: latency, transient errors and rate
// limits on every command and sink write, duplicated and reordered events on
// every feed.
func (s *Shop) SetFaults(f Faults) { s.env.SetFaults(f) }

// Orders yields orders as customers place, amend and cancel them, and again
// whenever a fulfilment or refund changes them. The key is the order number
// ("#1001"). The source is also a connector.Getter.
func (s *Shop) Orders() connector.Source[canonical.SalesOrder] { return s.orders }

// Customers yields customer accounts as they are created and updated, keyed
// "cust-N". Two accounts may share an email (a guest and a registered one).
func (s *Shop) Customers() connector.Source[canonical.Customer] { return s.customers }

// Products yields products as they are added and updated, keyed by SKU.
func (s *Shop) Products() connector.Source[canonical.Product] { return s.products }

// Refunds yields refunds, keyed "R-N": partial refunds made with Refund and
// the refunds that cancellations and amendments issue.
func (s *Shop) Refunds() connector.Source[canonical.Refund] { return s.refunds }

// Inventory returns the sink that sets stock levels per SKU and location.
func (s *Shop) Inventory() connector.Sink[canonical.StockLevel] { return &inventorySink{s: s} }

// Fulfillments returns the sink that records shipments against orders.
func (s *Shop) Fulfillments() connector.Sink[canonical.Shipment] { return &fulfillmentSink{s: s} }

// call is the start of every simulated API call: latency and injected
// faults. Commands have no context of their own (they stand for what a
// person does in the shop), so they use the background context.
func (s *Shop) call(ctx context.Context, op string) error {
	return s.env.Call(ctx, op)
}

// errorf builds a connector error of kind for operation op.
func (s *Shop) errorf(kind connector.Kind, op, format string, args ...any) *connector.Error {
	e := connector.Errorf(kind, s.system, format, args...)
	e.Op = op
	return e
}

// invalid returns an Invalid error for what, carrying the field problems.
func (s *Shop) invalid(op, what string, fields []canonical.FieldError) error {
	e := s.errorf(connector.Invalid, op, "%s is invalid", what)
	e.Fields = fields
	return e
}

// fromValidation turns a canonical validation error into an Invalid
// connector error with the same field paths.
func (s *Shop) fromValidation(op, what string, err error) error {
	var fe interface{ FieldErrors() []canonical.FieldError }
	if errors.As(err, &fe) {
		return s.invalid(op, what, fe.FieldErrors())
	}
	return s.errorf(connector.Invalid, op, "%s is invalid: %w", what, err)
}

// fieldError builds one field problem.
func fieldError(path, code, value, format string, args ...any) canonical.FieldError {
	return canonical.FieldError{Path: path, Code: code, Value: value, Message: fmt.Sprintf(format, args...)}
}

// NewLine returns an order line for qty units (UN/ECE "C62") of sku at
// unitPrice, ready for PlaceOrder or AmendOrder.
func NewLine(sku string, qty int64, unitPrice canonical.Money) canonical.SalesOrderLine {
	return canonical.SalesOrderLine{SKU: sku, Ordered: canonical.Qty(qty, canonical.UnitOne), UnitPrice: unitPrice}
}

// normaliseEmail trims and lower-cases an email address, as shops store it.
func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// same reports whether a and b encode to the same JSON: the shop's test for
// "nothing changed".
func same[T any](a, b T) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
