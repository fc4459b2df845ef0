package junction_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/ecommerce/memshop"
	"github.com/junctionhq/junction/erp/memerp"
)

// The quick start: shop orders into the ERP. The ERP refuses the order of an
// account on credit hold; the engine parks it with the reason, and after the
// credit controller releases the hold a replay applies it once.
func Example() {
	ctx := context.Background()
	shop := memshop.New(memshop.Config{System: "shop"})
	erp := memerp.New(memerp.Config{System: "erp"})
	_ = shop.AddProduct(canonical.Product{SKU: "MUG", Name: "Logo mug", Active: true})
	_ = erp.AddItem("MUG", "Logo mug", canonical.MustMoney("9.95", "EUR"))
	_ = erp.Receive(ctx, "MUG", "main", canonical.Qty(10, canonical.UnitOne))
	cust, _ := shop.AddCustomer(canonical.Customer{Name: "Ada Lovelace", Email: "ada@example.com",
		Addresses: []canonical.Address{{Lines: []string{"1 High St"}, City: "London", PostalCode: "SW1A 1AA", Country: "GB"}}})
	order, _ := shop.PlaceOrder(canonical.SalesOrder{Currency: "EUR",
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: "shop", ID: cust}}, Name: "Ada Lovelace"},
		Lines:    []canonical.SalesOrderLine{memshop.NewLine("MUG", 2, canonical.MustMoney("9.95", "EUR"))}})

	// The ERP account, on credit hold.
	acct, _ := erp.Customers().Apply(ctx, writeCustomer("Ada Lovelace"))
	_ = erp.SetCreditStatus(ctx, acct.Ref.ID, canonical.CreditHold)

	st := memstore.New()
	eng := flow.NewEngine(st, flow.WithLogger(slog.New(slog.DiscardHandler)))
	_ = flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
		Name:   "shop-orders-to-erp",
		Source: shop.Orders(),
		Map: func(_ context.Context, _ flow.Env, o canonical.SalesOrder) (canonical.SalesOrder, error) {
			o.Customer.Refs = []canonical.ExternalRef{acct.Ref} // a real mapping resolves this through the crosswalk
			o.Payments = nil
			return o, nil
		},
		Sink: erp.SalesOrders(),
	})
	rep, _ := eng.RunOnce(ctx, "shop-orders-to-erp")
	fmt.Println("applied", rep.Applied, "parked", rep.Parked)
	for ex := range st.Exceptions(ctx, store.ExceptionFilter{Flow: "shop-orders-to-erp", Status: store.Open}) {
		fmt.Println(ex.Key, ex.Kind)
		_ = erp.SetCreditStatus(ctx, acct.Ref.ID, canonical.CreditOK)
		outs, _ := eng.Replay(ctx, ex.ID)
		fmt.Println("replayed:", outs[0].Result)
	}
	so, _ := erp.OrderByPO(order.Number)
	fmt.Println(so.Number, so.Status, so.Lines[0].Allocated)
	// Output:
	// applied 0 parked 1
	// #1001 business-rule
	// replayed: applied
	// SO-000001 accepted 2 C62
}
