package o2c

import (
	"context"
	"fmt"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

func TestScratch(t *testing.T) {
	ctx := context.Background()
	in, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	in.ERP.Receive(ctx, "100101", "WH1", canonical.Qty(10, canonical.UnitOne))
	in.ERP.Receive(ctx, "100201", "WH1", canonical.Qty(10, canonical.UnitOne))
	addr := canonical.Address{Name: "Ada", Lines: []string{"10 Downing Street"}, City: "London", PostalCode: "SW1A 2AA", Country: "GB"}
	key, err := in.Shop.AddCustomer(canonical.Customer{Name: "Ada", Email: "ada@example.com", Currency: Currency, Addresses: []canonical.Address{addr}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := in.Shop.PlaceOrder(canonical.SalesOrder{Currency: Currency,
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: Shop, ID: key}}},
		Charges:  []canonical.AllowanceCharge{{IsCharge: true, Code: "SHIPPING", Amount: canonical.MustMoney("4.95", Currency)}},
		Lines:    []canonical.SalesOrderLine{memshop.NewLine("TEE-BLK-S", 2, canonical.MustMoney("19.90", Currency))}})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(o.Number, o.Totals.Payable)
	if err := in.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	in.Release(ctx)
	if err := in.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range Flows {
		s, _ := in.Engine.Stats(f)
		fmt.Println(f, s.Read, s.Applied, s.Skipped, s.Parked)
	}
	for ex := range in.Store.Exceptions(ctx, store.ExceptionFilter{}) {
		fmt.Println("EX", ex.Flow, ex.Key, ex.Kind, ex.Message)
	}
	fmt.Printf("%+v\n", in.ERP.ShipmentsOf("SO-000001"))
	fmt.Println(in.ERP.InvoicesOf("SO-000001"))
	if err := in.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	so, _ := in.Shop.OrderByNumber(o.Number)
	fmt.Println(so.Status, so.FulfillmentStatus(), so.Lines[0].Shipped)
	for _, c := range in.Reconcile(ctx) {
		fmt.Println(c.Name, c.OK(), c.Drift)
	}
}
