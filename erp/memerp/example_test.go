package memerp_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/erp/memerp"
)

// exampleOrder is a shop order for account C-000001: qty widgets at 12.50.
func exampleOrder(po string, qty int64) canonical.SalesOrder {
	price := canonical.MustMoney("12.50", "EUR")
	net, _ := price.Mul(canonical.DecimalFromInt(qty))
	return canonical.SalesOrder{
		CustomerPO: po, Currency: "EUR", Status: canonical.OrderSubmitted,
		Customer: canonical.PartyRef{Name: "Acme Ltd", Refs: []canonical.ExternalRef{{System: "memerp", ID: "C-000001"}}},
		ShipTo:   canonical.Address{Name: "Acme Ltd", City: "Leeds", Country: "GB"},
		Lines: []canonical.SalesOrderLine{{
			LineID: "L1", SKU: "WIDGET", Ordered: canonical.Qty(qty, canonical.UnitOne), UnitPrice: price, Net: net,
		}},
		Totals: canonical.Totals{LineNet: net, Payable: net},
	}
}

// An order from an account on credit hold is refused with a business-rule
// error, which a flow parks. Once credit control releases the account, the
// parked write is replayed as it was and the order is created.
func Example_creditHold() {
	ctx := context.Background()
	erp := memerp.New(memerp.Config{Seed: 1, Clock: connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))})
	_ = erp.AddItem("WIDGET", "Widget", canonical.MustMoney("12.50", "EUR"))
	_, _ = erp.Customers().Apply(ctx, connector.Write[canonical.Customer]{
		Change:         connector.Change[canonical.Customer]{Key: "shop-cust-1", Entity: canonical.Customer{Name: "Acme Ltd"}},
		IdempotencyKey: "customers:shop-cust-1:1",
	})
	_ = erp.SetCreditStatus(ctx, "C-000001", canonical.CreditHold)

	w := connector.Write[canonical.SalesOrder]{
		Change:         connector.Change[canonical.SalesOrder]{Key: "shop-1001", Version: connector.SeqVersion(1), Entity: exampleOrder("#1001", 2)},
		IdempotencyKey: "orders:shop-1001:1",
	}
	_, err := erp.SalesOrders().Apply(ctx, w)
	fmt.Println(err)
	fmt.Println("business rule:", errors.Is(err, connector.BusinessRule))

	_ = erp.SetCreditStatus(ctx, "C-000001", canonical.CreditOK)
	res, err := erp.SalesOrders().Apply(ctx, w)
	fmt.Println(res.Action, res.Ref, err)
	// Output:
	// memerp salesOrders.apply: business-rule: customer C-000001 is on credit hold
	// business rule: true
	// created memerp:SO-000001 <nil>
}

// Stock for only part of an order ships first; the rest ships after the
// next goods receipt, in a second shipment with its own invoice. The two
// invoices add up to the order.
func Example_splitDelivery() {
	ctx := context.Background()
	erp := memerp.New(memerp.Config{Seed: 1, Clock: connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))})
	_ = erp.AddItem("WIDGET", "Widget", canonical.MustMoney("12.50", "EUR"))
	_, _ = erp.Customers().Apply(ctx, connector.Write[canonical.Customer]{
		Change:         connector.Change[canonical.Customer]{Key: "shop-cust-1", Entity: canonical.Customer{Name: "Acme Ltd"}},
		IdempotencyKey: "customers:shop-cust-1:1",
	})
	_ = erp.Receive(ctx, "WIDGET", "main", canonical.Qty(3, canonical.UnitOne))
	_, _ = erp.SalesOrders().Apply(ctx, connector.Write[canonical.SalesOrder]{
		Change:         connector.Change[canonical.SalesOrder]{Key: "shop-1001", Version: connector.SeqVersion(1), Entity: exampleOrder("#1001", 5)},
		IdempotencyKey: "orders:shop-1001:1",
	})

	ship := func() {
		shs, _ := erp.Release(ctx)
		for _, sh := range shs {
			// The courier flow confirms the parcel with its tracking number.
			_, _ = erp.ShipmentConfirmations().Apply(ctx, connector.Write[canonical.Shipment]{
				Change: connector.Change[canonical.Shipment]{Key: sh.Number, Entity: canonical.Shipment{
					Number: sh.Number, Status: canonical.ShipmentShipped, Carrier: "dhl", TrackingNumber: "JD" + sh.Number,
				}},
				IdempotencyKey: "confirm:" + sh.Number,
			})
			fmt.Printf("%s ships %s of line %s\n", sh.Number, sh.Lines[0].Quantity, sh.Lines[0].OrderLine.LineID)
		}
	}
	ship()
	_ = erp.Receive(ctx, "WIDGET", "main", canonical.Qty(10, canonical.UnitOne))
	ship()

	for _, inv := range erp.InvoicesOf("SO-000001") {
		fmt.Printf("%s for %s: %s, due %s\n", inv.Number, inv.Shipments[0], inv.Totals.Payable, inv.DueDate)
	}
	o, _ := erp.Order("SO-000001")
	c, _ := erp.Customer("C-000001")
	fmt.Println(o.Number, o.Status, "payable", o.Totals.Payable, "balance", c.Balance)
	// Output:
	// SH-000001 ships 3 C62 of line L1
	// SH-000002 ships 2 C62 of line L1
	// INV-000001 for SH-000001: 37.50 EUR, due 2026-04-01
	// INV-000002 for SH-000002: 25.00 EUR, due 2026-04-01
	// SO-000001 completed payable 62.50 EUR balance 62.50 EUR
}
