package memshop

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

func eur(s string) canonical.Money { return canonical.MustMoney(s, "EUR") }

func qty(n int64) canonical.Quantity { return canonical.Qty(n, canonical.UnitOne) }

func dec(s string) canonical.Decimal { return canonical.MustDecimal(s) }

var berlin = canonical.Address{Name: "Ada Lovelace", Lines: []string{"Unter den Linden 1"}, City: "Berlin", PostalCode: "10117", Country: "DE"}

// newTestShop returns a shop on a fake clock with three products (TEE with
// variants TEE-S and TEE-M, MUG, CAP) and one customer, cust-1.
func newTestShop(t *testing.T, cfg Config) *Shop {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = connectortest.NewClock(t0)
	}
	s := New(cfg)
	for _, p := range []canonical.Product{
		{SKU: "TEE", Name: "T-shirt", Active: true, Variants: []canonical.Variant{{SKU: "TEE-S", Title: "S"}, {SKU: "TEE-M", Title: "M"}}},
		{SKU: "MUG", Name: "Mug", Active: true},
		{SKU: "CAP", Name: "Cap", Active: true},
	} {
		if err := s.AddProduct(p); err != nil {
			t.Fatalf("AddProduct(%s): %v", p.SKU, err)
		}
	}
	if _, err := s.AddCustomer(canonical.Customer{Name: "Ada Lovelace", Email: "Ada@Example.com", Addresses: []canonical.Address{berlin}}); err != nil {
		t.Fatalf("AddCustomer: %v", err)
	}
	return s
}

// customer is cust-1 as an order names it.
func customer(s *Shop) canonical.PartyRef {
	return canonical.PartyRef{Refs: []canonical.ExternalRef{{System: s.System(), ID: "cust-1"}}}
}

// order builds an order for cust-1 in EUR with the given lines.
func order(s *Shop, lines ...canonical.SalesOrderLine) canonical.SalesOrder {
	return canonical.SalesOrder{Customer: customer(s), Currency: "EUR", Lines: lines}
}

// place places an order and fails the test on error.
func place(t *testing.T, s *Shop, o canonical.SalesOrder) canonical.SalesOrder {
	t.Helper()
	got, err := s.PlaceOrder(o)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	return got
}

// ship builds a shipment of order number with (lineID, qty) pairs.
func ship(number, order string, lines ...any) canonical.Shipment {
	sh := canonical.Shipment{Number: number, Order: order, Status: canonical.ShipmentShipped, Carrier: "dhl", TrackingNumber: "TRK-" + number}
	for i := 0; i+1 < len(lines); i += 2 {
		sh.Lines = append(sh.Lines, canonical.ShipmentLine{
			OrderLine: canonical.LineRef{LineID: lines[i].(string)},
			Quantity:  qty(int64(lines[i+1].(int))),
		})
	}
	return sh
}

// write wraps a shipment or stock level in a Write with an idempotency key.
func write[T any](key string, v T, idem string) connector.Write[T] {
	return connector.Write[T]{Change: connector.Change[T]{System: "test", Key: key, Entity: v}, IdempotencyKey: idem}
}

// wantKind fails unless err is a *connector.Error of kind.
func wantKind(t *testing.T, err error, kind connector.Kind) *connector.Error {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v (kind %s), want kind %s", err, connector.KindOf(err), kind)
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *connector.Error", err)
	}
	return ce
}

// wantField fails unless err is Invalid and names path.
func wantField(t *testing.T, err error, path string) {
	t.Helper()
	ce := wantKind(t, err, connector.Invalid)
	var paths []string
	for _, f := range ce.Fields {
		paths = append(paths, f.Path)
	}
	if !slices.Contains(paths, path) {
		t.Fatalf("Invalid error names %q, want %q: %v", paths, path, err)
	}
}

// feed reads a whole source without faults.
func feed[T any](t *testing.T, src connector.Source[T]) []connector.Change[T] {
	t.Helper()
	var out []connector.Change[T]
	for c, err := range src.Changes(context.Background(), "") {
		if err != nil {
			t.Fatalf("Changes: %v", err)
		}
		out = append(out, c)
	}
	return out
}

// keysOf lists the keys of changes.
func keysOf[T any](cs []connector.Change[T]) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Key
	}
	return out
}

// mustValid fails if the order breaks a canonical rule.
func mustValid(t *testing.T, o canonical.SalesOrder) {
	t.Helper()
	if err := o.Validate(); err != nil {
		t.Fatalf("order %s is not valid: %v", o.Number, err)
	}
}

func isKind(err error, k connector.Kind) bool { return errors.Is(err, k) }

func ptr[T any](v T) *T { return &v }
