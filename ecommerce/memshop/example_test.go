package memshop_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

// newShop returns a shop on a fake clock with two products and one customer.
func newShop() (*memshop.Shop, canonical.PartyRef) {
	shop := memshop.New(memshop.Config{
		Seed:    1,
		Clock:   connectortest.NewClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)),
		TaxRate: canonical.MustDecimal("0.20"),
	})
	_ = shop.AddProduct(canonical.Product{SKU: "MUG", Name: "Mug", Active: true})
	_ = shop.AddProduct(canonical.Product{SKU: "CAP", Name: "Cap", Active: true})
	key, _ := shop.AddCustomer(canonical.Customer{
		Name: "Ada Lovelace", Email: "Ada@Example.com",
		Addresses: []canonical.Address{{Name: "Ada Lovelace", Lines: []string{"1 Main St"}, City: "Berlin", Country: "DE"}},
	})
	return shop, canonical.PartyRef{Refs: []canonical.ExternalRef{{System: shop.System(), ID: key}}}
}

func eur(s string) canonical.Money { return canonical.MustMoney(s, "EUR") }

// A customer places an order, then amends it: one mug fewer and a cap more.
// The shop re-prices the order, takes the difference as a second payment and
// reports the new revision on the orders feed.
func ExampleShop_AmendOrder() {
	shop, customer := newShop()
	o, err := shop.PlaceOrder(canonical.SalesOrder{
		Customer: customer,
		Currency: "EUR",
		Lines:    []canonical.SalesOrderLine{memshop.NewLine("MUG", 2, eur("12.50"))},
		Charges:  []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Amount: eur("4.90")}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Number, o.Status, "payable", o.Totals.Payable, o.PaymentStatus())

	o, err = shop.AmendOrder(o.Number, func(o *canonical.SalesOrder) error {
		o.Lines[0].Ordered = canonical.Qty(1, canonical.UnitOne)
		o.Lines = append(o.Lines, memshop.NewLine("CAP", 1, eur("18.00")))
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(o.Number, "revision", o.Revision, "payable", o.Totals.Payable)
	for _, l := range o.Lines {
		fmt.Println(" ", l.LineID, l.SKU, l.Ordered, l.Net)
	}
	for _, p := range o.Payments {
		fmt.Println(" ", p.ID, p.Kind, p.Amount)
	}
	for c, err := range shop.Orders().Changes(context.Background(), "") {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("feed:", c.Key, "revision", c.Entity.Revision)
	}
	// Output:
	// #1001 submitted payable 35.88 EUR paid
	// #1001 revision 2 payable 42.48 EUR
	//   L1 MUG 1 C62 12.50 EUR
	//   L2 CAP 1 C62 18.00 EUR
	//   txn-1 sale 35.88 EUR
	//   txn-2 sale 6.60 EUR
	// feed: #1001 revision 1
	// feed: #1001 revision 2
}

// The ERP sends stock snapshots with a sequence number. A snapshot that
// arrives late, after a newer one, is reported stale and changes nothing.
func ExampleShop_Inventory() {
	shop, _ := newShop()
	inv := shop.Inventory()
	apply := func(available, seq int64) {
		res, err := inv.Apply(context.Background(), connector.Write[canonical.StockLevel]{
			Change: connector.Change[canonical.StockLevel]{
				Key: "MUG@main",
				Entity: canonical.StockLevel{
					SKU: "MUG", Location: "main",
					OnHand:    canonical.Qty(available, canonical.UnitOne),
					Available: canonical.Qty(available, canonical.UnitOne),
					AsOf:      time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), Sequence: seq,
				},
			},
			IdempotencyKey: fmt.Sprintf("erp-stock:MUG@main:%d", seq),
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		q, _ := shop.Available("MUG", "main")
		fmt.Printf("sequence %d: %s, available %s\n", seq, res.Action, q)
	}
	apply(40, 12)
	apply(55, 11) // the late update
	apply(38, 13)

	_, err := inv.Apply(context.Background(), connector.Write[canonical.StockLevel]{
		Change: connector.Change[canonical.StockLevel]{Entity: canonical.StockLevel{
			SKU: "MUG", Location: "warehouse-9", OnHand: canonical.Qty(1, canonical.UnitOne), AsOf: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
		}},
	})
	fmt.Println(connector.KindOf(err), errors.Is(err, connector.Invalid))
	// Output:
	// sequence 12: created, available 40 C62
	// sequence 11: stale, available 40 C62
	// sequence 13: updated, available 38 C62
	// invalid true
}

// The warehouse ships an order in two parcels. A parcel with more than is
// left to ship is refused as a business rule, for a person to look at.
func ExampleShop_Fulfillments() {
	shop, customer := newShop()
	o, _ := shop.PlaceOrder(canonical.SalesOrder{
		Customer: customer, Currency: "EUR",
		Lines: []canonical.SalesOrderLine{memshop.NewLine("MUG", 3, eur("12.50"))},
	})
	parcel := func(number string, n int64) connector.Write[canonical.Shipment] {
		return connector.Write[canonical.Shipment]{
			Change: connector.Change[canonical.Shipment]{Key: number, Entity: canonical.Shipment{
				Number: number, Order: o.Number, Status: canonical.ShipmentShipped, Carrier: "dhl", TrackingNumber: "JD" + number,
				Lines: []canonical.ShipmentLine{{OrderLine: canonical.LineRef{LineID: "L1"}, Quantity: canonical.Qty(n, canonical.UnitOne)}},
			}},
			IdempotencyKey: "erp-despatch:" + number,
		}
	}
	for _, w := range []connector.Write[canonical.Shipment]{parcel("D1", 2), parcel("D2", 2), parcel("D2", 1)} {
		res, err := shop.Fulfillments().Apply(context.Background(), w)
		if err != nil {
			fmt.Println(w.Key, connector.KindOf(err))
			continue
		}
		got, _ := shop.OrderByNumber(o.Number)
		fmt.Println(w.Key, res.Action, "shipped", got.Lines[0].Shipped, got.FulfillmentStatus())
	}
	// Output:
	// D1 created shipped 2 C62 partial
	// D2 business-rule
	// D2 created shipped 3 C62 fulfilled
}

// The merchant refunds one of three mugs. The refund is the mug's share of
// what the customer paid, tax included, and finance reads it from the
// refunds feed.
func ExampleShop_Refund() {
	shop, customer := newShop()
	o, _ := shop.PlaceOrder(canonical.SalesOrder{
		Customer: customer, Currency: "EUR",
		Lines: []canonical.SalesOrderLine{memshop.NewLine("MUG", 3, eur("12.50"))},
	})
	r, err := shop.Refund(o.Number, []canonical.RefundLine{
		{OrderLine: canonical.LineRef{LineID: "L1"}, Quantity: canonical.Qty(1, canonical.UnitOne)},
	}, nil, "arrived broken")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Order, r.Amount, r.Reason)
	got, _ := shop.OrderByNumber(o.Number)
	fmt.Println(got.Totals.Payable, got.PaymentStatus())
	for c := range shop.Refunds().Changes(context.Background(), "") {
		fmt.Println("feed:", c.Key, c.Entity.Amount)
	}
	// Output:
	// #1001 15.00 EUR arrived broken
	// 45.00 EUR partially_refunded
	// feed: R-1 15.00 EUR
}
