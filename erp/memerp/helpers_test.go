package memerp_test

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
	"github.com/junctionhq/junction/erp/memerp"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// line describes an order line for the tests: qty units of sku at price,
// less an optional line discount.
type line struct {
	id, sku  string
	qty      int64
	price    string
	discount string
}

// newERP returns an ERP on a fake clock with items WIDGET (10.00) and GADGET
// (3.33), and one customer account "C-000001" opened through the sink.
func newERP(t testing.TB, cfg memerp.Config) *memerp.ERP {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = connectortest.NewClock(t0)
	}
	e := memerp.New(cfg)
	for _, it := range []struct{ sku, name, price string }{
		{"WIDGET", "Widget", "10.00"}, {"GADGET", "Gadget", "3.33"}, {"BOLT", "Bolt", "0.125"},
	} {
		if err := e.AddItem(it.sku, it.name, canonical.MustMoney(it.price, "EUR")); err != nil {
			t.Fatalf("AddItem(%s): %v", it.sku, err)
		}
	}
	openAccount(t, e, "shop-cust-1", "Acme Ltd")
	return e
}

// openAccount opens an account through the Customers sink and returns its number.
func openAccount(t testing.TB, e *memerp.ERP, key, name string) string {
	t.Helper()
	res, err := e.Customers().Apply(context.Background(), write(key, 1, canonical.Customer{Name: name, Email: "buyer@example.com"}))
	if err != nil {
		t.Fatalf("opening account %s: %v", name, err)
	}
	return res.Ref.ID
}

// write builds the Write a flow would send for version ver of key.
func write[T any](key string, ver int64, v T) connector.Write[T] {
	return connector.Write[T]{
		Change: connector.Change[T]{
			System: "shop", Key: key, Op: connector.Upsert, Version: connector.SeqVersion(ver), Entity: v,
		},
		IdempotencyKey: fmt.Sprintf("flow:%s:%d", key, ver),
	}
}

// del builds a Delete write.
func del[T any](key string, ver int64, v T) connector.Write[T] {
	w := write(key, ver, v)
	w.Op = connector.Delete
	w.IdempotencyKey += ":delete"
	return w
}

// order builds a consistent order for account cust with the channel
// reference po: line nets and totals agree.
func order(cust, po string, lines ...line) canonical.SalesOrder {
	o := canonical.SalesOrder{
		CustomerPO: po, Channel: "web", Currency: "EUR", Status: canonical.OrderSubmitted,
		Customer: canonical.PartyRef{Name: "Acme Ltd", Refs: []canonical.ExternalRef{
			{System: "shop", ID: "shop-cust-1"}, {System: memerp.DefaultSystem, ID: cust},
		}},
		ShipTo: canonical.Address{Name: "Acme Ltd", Lines: []string{"1 High St"}, City: "Leeds", PostalCode: "LS1 1AA", Country: "GB"},
	}
	total := canonical.Zero("EUR")
	for _, l := range lines {
		price := canonical.MustMoney(l.price, "EUR")
		gross, _ := price.Mul(canonical.DecimalFromInt(l.qty))
		ol := canonical.SalesOrderLine{
			LineID: l.id, SKU: l.sku, Ordered: canonical.Qty(l.qty, canonical.UnitOne), UnitPrice: price,
		}
		if l.discount != "" {
			d := canonical.MustMoney(l.discount, "EUR")
			ol.Discounts = []canonical.AllowanceCharge{{Code: "PROMO", Amount: d}}
			gross, _ = gross.Sub(d)
		}
		ol.Net = gross.Round(canonical.HalfUp)
		total, _ = total.Add(ol.Net)
		o.Lines = append(o.Lines, ol)
	}
	o.Totals = canonical.Totals{LineNet: total, Payable: total}
	return o
}

// withShipping adds an order-level shipping charge.
func withShipping(o canonical.SalesOrder, amount string) canonical.SalesOrder {
	c := canonical.MustMoney(amount, "EUR")
	o.Charges = append(o.Charges, canonical.AllowanceCharge{IsCharge: true, Code: "SHIPPING", Amount: c})
	o.Totals.Charges, _ = o.Totals.Charges.Add(c)
	o.Totals.Payable, _ = o.Totals.Payable.Add(c)
	return o
}

// receive books a goods receipt or fails the test.
func receive(t testing.TB, e *memerp.ERP, sku, loc string, n int64) {
	t.Helper()
	if err := e.Receive(context.Background(), sku, loc, canonical.Qty(n, canonical.UnitOne)); err != nil {
		t.Fatalf("Receive(%s, %s, %d): %v", sku, loc, n, err)
	}
}

// apply applies w to the SalesOrders sink and requires success.
func apply(t testing.TB, e *memerp.ERP, w connector.Write[canonical.SalesOrder]) connector.Result {
	t.Helper()
	res, err := e.SalesOrders().Apply(context.Background(), w)
	if err != nil {
		t.Fatalf("Apply(%s v%s): %v", w.Key, w.Version, err)
	}
	return res
}

// release runs Release and requires success.
func release(t testing.TB, e *memerp.ERP) []canonical.Shipment {
	t.Helper()
	shs, err := e.Release(context.Background())
	if err != nil {
		t.Fatalf("Release: %v", err)
	}
	return shs
}

// confirm confirms a despatch as shipped with a tracking number.
func confirm(t testing.TB, e *memerp.ERP, number string) connector.Result {
	t.Helper()
	res, err := e.ShipmentConfirmations().Apply(context.Background(), confirmation(number, canonical.ShipmentShipped, 1))
	if err != nil {
		t.Fatalf("confirming %s: %v", number, err)
	}
	return res
}

// confirmation builds a confirmation write of a despatch in a status.
func confirmation(number string, s canonical.ShipmentStatus, ver int64) connector.Write[canonical.Shipment] {
	w := write("courier-"+number, ver, canonical.Shipment{
		Number: number, Status: s, Carrier: "dhl", TrackingNumber: "JD0001" + number,
	})
	w.IdempotencyKey += ":" + string(s)
	return w
}

// wantKind requires err to be a connector error of kind, with a message
// containing msg.
func wantKind(t testing.TB, err error, kind connector.Kind, msg string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v (kind %s), want kind %s", err, connector.KindOf(err), kind)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not say %q", err, msg)
	}
}

// wantField requires err to be Invalid and to name the field path.
func wantField(t testing.TB, err error, path string) {
	t.Helper()
	wantKind(t, err, connector.Invalid, "")
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *connector.Error", err)
	}
	var paths []string
	for _, f := range ce.Fields {
		if f.Path == path {
			return
		}
		paths = append(paths, f.Path)
	}
	t.Errorf("error %v names %q, want %q", err, paths, path)
}

// qty returns a bucket's value as text.
func qty(q canonical.Quantity) string { return q.Value.String() }

// money returns an amount as text.
func money(m canonical.Money) string { return m.Amount.String() }

// readAll reads a source from the beginning.
func readAll[T any](t testing.TB, s connector.Source[T]) []connector.Change[T] {
	t.Helper()
	var out []connector.Change[T]
	for c, err := range s.Changes(context.Background(), "") {
		if err != nil {
			t.Fatalf("reading changes: %v", err)
		}
		out = append(out, c)
	}
	return out
}
