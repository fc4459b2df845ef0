package memerp_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/erp/memerp"
)

// TestConformanceSalesOrders runs the conformance suite against the
// SalesOrders sink. The suite's key is the order's CustomerPO, as a shop's
// order reference would be; the revision is the ordered quantity.
func TestConformanceSalesOrders(t *testing.T) {
	clock := connectortest.NewClock(t0)
	e := newERP(t, memerp.Config{Clock: clock})
	entity := func(key string, rev int) canonical.SalesOrder {
		return order("C-000001", key, line{id: "L1", sku: "WIDGET", qty: int64(rev), price: "10.00"})
	}
	live := func(key string) []canonical.SalesOrder {
		var out []canonical.SalesOrder
		for _, o := range e.Orders() {
			if o.CustomerPO == key && o.Status != canonical.OrderCancelled {
				out = append(out, o)
			}
		}
		return out
	}
	connectortest.Run(t, connectortest.Harness[canonical.SalesOrder]{
		System: memerp.DefaultSystem,
		Sink:   e.SalesOrders(),
		Entity: entity,
		Count: func(_ context.Context, key string) (int, error) {
			return len(live(key)), nil
		},
		Revision: func(_ context.Context, key string) (int, error) {
			o, ok := e.OrderByPO(key)
			if !ok {
				return 0, fmt.Errorf("no order with CustomerPO %q", key)
			}
			n, _ := o.Lines[0].Ordered.Value.Int64(0)
			return int(n), nil
		},
		Invalid: func(key string) canonical.SalesOrder {
			o := entity(key, 1)
			o.Lines[0].SKU = "NO-SUCH-ITEM"
			return o
		},
		Clock: clock,
	})
}

// TestConformanceCustomers runs the conformance suite against the Customers
// sink; the revision is in the name.
func TestConformanceCustomers(t *testing.T) {
	clock := connectortest.NewClock(t0)
	e := newERP(t, memerp.Config{Clock: clock})
	// The suite's keys are the caller's keys; find the account through its ref.
	account := func(key string) (canonical.Customer, bool) {
		for i := 1; ; i++ {
			c, ok := e.Customer(fmt.Sprintf("C-%06d", i))
			if !ok {
				return canonical.Customer{}, false
			}
			if r, ok := c.Ref("conformance"); ok && r.ID == key {
				return c, true
			}
		}
	}
	entity := func(key string, rev int) canonical.Customer {
		return canonical.Customer{
			Name: fmt.Sprintf("%s rev %d", key, rev), Email: "c@example.com",
			Meta: canonical.Meta{Refs: []canonical.ExternalRef{{System: "conformance", ID: key}}},
		}
	}
	connectortest.Run(t, connectortest.Harness[canonical.Customer]{
		System: memerp.DefaultSystem,
		Sink:   e.Customers(),
		Entity: entity,
		Count: func(_ context.Context, key string) (int, error) {
			n := 0
			for i := 1; ; i++ {
				c, ok := e.Customer(fmt.Sprintf("C-%06d", i))
				if !ok {
					return n, nil
				}
				if r, ok := c.Ref("conformance"); ok && r.ID == key {
					n++
				}
			}
		},
		Revision: func(_ context.Context, key string) (int, error) {
			c, ok := account(key)
			if !ok {
				return 0, fmt.Errorf("no account for %q", key)
			}
			_, rev, _ := strings.Cut(c.Name, " rev ")
			return strconv.Atoi(rev)
		},
		Invalid: func(key string) canonical.Customer {
			c := entity(key, 1)
			c.Name = ""
			return c
		},
		Clock: clock,
	})
}

// TestConformanceStock runs the source checks against the Stock log: a
// record is a new item received at "main"; an update is another receipt.
func TestConformanceStock(t *testing.T) {
	e := newERP(t, memerp.Config{})
	n := 0
	connectortest.Run(t, connectortest.Harness[canonical.StockLevel]{
		System: memerp.DefaultSystem,
		Source: e.Stock(),
		Create: func(ctx context.Context, count int) ([]string, error) {
			var keys []string
			for range count {
				n++
				sku := fmt.Sprintf("ITEM-%d", n)
				if err := e.AddItem(sku, "Item", canonical.MustMoney("1.00", "EUR")); err != nil {
					return nil, err
				}
				if err := e.Receive(ctx, sku, "main", canonical.Qty(5, canonical.UnitOne)); err != nil {
					return nil, err
				}
				keys = append(keys, sku+"@main")
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			sku, _, _ := strings.Cut(key, "@")
			return e.Receive(ctx, sku, "main", canonical.Qty(1, canonical.UnitOne))
		},
	})
}

// TestConformanceInvoices runs the source checks against the Invoices log:
// a record is an order shipped in full; an update credits the invoice.
func TestConformanceInvoices(t *testing.T) {
	e := newERP(t, memerp.Config{})
	n := 0
	connectortest.Run(t, connectortest.Harness[canonical.Invoice]{
		System: memerp.DefaultSystem,
		Source: e.Invoices(),
		Create: func(ctx context.Context, count int) ([]string, error) {
			var keys []string
			for range count {
				n++
				po := fmt.Sprintf("#%d", n)
				if err := e.Receive(ctx, "WIDGET", "main", canonical.Qty(1, canonical.UnitOne)); err != nil {
					return nil, err
				}
				o := order("C-000001", po, line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
				if _, err := e.SalesOrders().Apply(ctx, write(po, 1, o)); err != nil {
					return nil, err
				}
				shs, err := e.Release(ctx)
				if err != nil || len(shs) != 1 {
					return nil, fmt.Errorf("release: %d shipments, %v", len(shs), err)
				}
				res, err := e.ShipmentConfirmations().Apply(ctx, confirmation(shs[0].Number, canonical.ShipmentShipped, 1))
				if err != nil {
					return nil, err
				}
				sh, _ := e.Shipment(res.Ref.ID)
				invs := e.InvoicesOf(sh.Order)
				keys = append(keys, invs[0].Number)
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			inv, ok := e.Invoice(key)
			if !ok {
				return fmt.Errorf("no invoice %s", key)
			}
			cn := canonical.CreditNote{
				Invoice: key,
				Lines: []canonical.InvoiceLine{{LineID: "1", Quantity: canonical.Qty(1, canonical.UnitOne),
					UnitPrice: inv.Totals.Payable, Net: inv.Totals.Payable}},
				Totals: canonical.Totals{LineNet: inv.Totals.Payable, Payable: inv.Totals.Payable},
			}
			_, err := e.CreditNotes().Apply(ctx, write("refund-"+key, 1, cn))
			return err
		},
	})
}

// TestConformanceDespatches runs the source checks against the Despatches
// log: a record is a released order; an update is its confirmation.
func TestConformanceDespatches(t *testing.T) {
	e := newERP(t, memerp.Config{})
	n := 0
	connectortest.Run(t, connectortest.Harness[canonical.Shipment]{
		System: memerp.DefaultSystem,
		Source: e.Despatches(),
		Create: func(ctx context.Context, count int) ([]string, error) {
			var keys []string
			for range count {
				n++
				po := fmt.Sprintf("#%d", n)
				if err := e.Receive(ctx, "WIDGET", "main", canonical.Qty(1, canonical.UnitOne)); err != nil {
					return nil, err
				}
				o := order("C-000001", po, line{id: "L1", sku: "WIDGET", qty: 1, price: "10.00"})
				if _, err := e.SalesOrders().Apply(ctx, write(po, 1, o)); err != nil {
					return nil, err
				}
				shs, err := e.Release(ctx)
				if err != nil || len(shs) != 1 {
					return nil, fmt.Errorf("release: %d shipments, %v", len(shs), err)
				}
				keys = append(keys, shs[0].Number)
			}
			return keys, nil
		},
		Update: func(ctx context.Context, key string) error {
			_, err := e.ShipmentConfirmations().Apply(ctx, confirmation(key, canonical.ShipmentShipped, 1))
			return err
		},
	})
}
