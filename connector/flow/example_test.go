package flow_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

// A flow from one system to another: stock levels from an ERP to a shop,
// with SKUs renamed on the way. The engine records one outcome per change.
func Example() {
	ctx := context.Background()
	erp := connectortest.NewMemory[canonical.StockLevel]("erp")
	shop := connectortest.NewMemory[canonical.StockLevel]("shop")
	erp.Put("100101@WH1", level("100101", 12))
	erp.Put("100102@WH1", level("100102", 3))

	skus := map[string]string{"100101": "TEE-BLK-S", "100102": "TEE-BLK-M"}
	eng := flow.NewEngine(memstore.New(), flow.WithLogger(slog.New(slog.DiscardHandler)))
	err := flow.Add(eng, flow.Flow[canonical.StockLevel, canonical.StockLevel]{
		Name:   "stock",
		Source: erp,
		Map: func(_ context.Context, _ flow.Env, in canonical.StockLevel) (canonical.StockLevel, error) {
			in.SKU = skus[in.SKU]
			return in, nil
		},
		Sink: shop,
	})
	if err != nil {
		panic(err)
	}
	rep, err := eng.RunOnce(ctx, "stock")
	if err != nil {
		panic(err)
	}
	fmt.Printf("read %d, applied %d\n", rep.Read, rep.Applied)
	v, _ := shop.Value("100102@WH1")
	fmt.Println(v.SKU, v.Available)
	// Output:
	// read 2, applied 2
	// TEE-BLK-M 3 C62
}

// A change the sink refuses as bad data is parked with its field paths; after
// the fix, Replay runs it through the current mapping.
func ExampleEngine_Replay() {
	ctx := context.Background()
	src := connectortest.NewMemory[canonical.Customer]("shop")
	dst := connectortest.NewMemory[canonical.Customer]("erp")
	src.Put("cust-1", canonical.Customer{Name: "Ada Lovelace", Email: "ADA@example.com "})

	st := memstore.New()
	eng := flow.NewEngine(st, flow.WithLogger(slog.New(slog.DiscardHandler)))
	trim := false // the mapping's bug: it does not clean up emails yet
	_ = flow.Add(eng, flow.Flow[canonical.Customer, canonical.Customer]{
		Name: "customers", Source: src, Sink: dst,
		Map: func(_ context.Context, _ flow.Env, c canonical.Customer) (canonical.Customer, error) {
			if trim {
				c.Email = strings.ToLower(strings.TrimSpace(c.Email))
			}
			return c, nil
		},
	})
	rep, _ := eng.RunOnce(ctx, "customers")
	fmt.Println("parked:", rep.Parked)
	for ex := range st.Exceptions(ctx, store.ExceptionFilter{Flow: "customers", Status: store.Open}) {
		fmt.Println(ex.ID, ex.Kind, ex.Fields[0].Path, ex.Fields[0].Code)
		trim = true // the fix is deployed
		outs, _ := eng.Replay(ctx, ex.ID)
		fmt.Println("replayed:", outs[0].Result)
	}
	c, _ := dst.Value("cust-1")
	fmt.Println(c.Email)
	// Output:
	// parked: 1
	// ex-000001 invalid email email
	// replayed: applied
	// ada@example.com
}

// A dry run shows what a flow would do, with diffs, and writes nothing: the
// way to go live in phases.
func ExampleEngine_DryRun() {
	ctx := context.Background()
	src := connectortest.NewMemory[canonical.StockLevel]("erp")
	dst := connectortest.NewMemory[canonical.StockLevel]("shop")
	eng := flow.NewEngine(memstore.New(), flow.WithLogger(slog.New(slog.DiscardHandler)))
	_ = flow.Add(eng, flow.Flow[canonical.StockLevel, canonical.StockLevel]{
		Name: "stock", Source: src, Map: flow.Identity[canonical.StockLevel], Sink: dst,
	})
	src.Put("MUG@WH1", level("MUG", 5))
	_, _ = eng.RunOnce(ctx, "stock")
	src.Put("MUG@WH1", level("MUG", 4))
	src.Put("CAP@WH1", level("CAP", 9))

	rep, _ := eng.DryRun(ctx, "stock")
	for _, e := range rep.Entries {
		fmt.Println(e.Action, e.Key)
		for _, c := range e.Changes {
			fmt.Println("   ", c)
		}
	}
	fmt.Println("shop writes:", dst.Writes("CAP@WH1"))
	// Output:
	// update MUG@WH1
	//     onHand.value: 5 → 4
	//     available.value: 5 → 4
	// create CAP@WH1
	// shop writes: 0
}

// With an ownership policy, a change never writes the fields its source does
// not own: here the ERP owns the price, so the shop's price is dropped.
func ExampleOwnership() {
	ctx := context.Background()
	shop := connectortest.NewMemory[canonical.Product]("shop")
	crm := connectortest.NewMemory[canonical.Product]("pim")
	st := memstore.New()
	eng := flow.NewEngine(st, flow.WithLogger(slog.New(slog.DiscardHandler)))
	_ = flow.Add(eng, flow.Flow[canonical.Product, canonical.Product]{
		Name: "products", Source: shop, Map: flow.Identity[canonical.Product], Sink: crm,
		Ownership: &flow.Ownership{Default: "shop", Fields: map[string]string{"weight": "erp"}},
	})
	w := canonical.Qty(2, canonical.UnitKilogram)
	shop.Put("MUG", canonical.Product{SKU: "MUG", Name: "Logo mug", Weight: &w, Active: true})
	_, _ = eng.RunOnce(ctx, "products")
	for o := range st.Outcomes(ctx, store.OutcomeFilter{Flow: "products"}) {
		fmt.Println(o.Result, o.Reason, o.Detail)
	}
	p, _ := crm.Value("MUG")
	fmt.Println(p.Name, p.Weight == nil)
	// Output:
	// applied not-owner created; fields not owned by shop: weight
	// Logo mug true
}

// Errors by kind decide what the engine does; a flow stopped by refused
// credentials waits for Resume.
func ExampleStoppedError() {
	ctx := context.Background()
	src := connectortest.NewMemory[canonical.Customer]("shop")
	dst := connectortest.NewMemory[canonical.Customer]("erp")
	src.Put("cust-1", canonical.Customer{Name: "Ada"})
	dst.FailNext(1, connector.Errorf(connector.Unauthorized, "erp", "token expired"))
	eng := flow.NewEngine(memstore.New(), flow.WithLogger(slog.New(slog.DiscardHandler)))
	_ = flow.Add(eng, flow.Flow[canonical.Customer, canonical.Customer]{
		Name: "customers", Source: src, Map: flow.Identity[canonical.Customer], Sink: dst,
	})
	_, err := eng.RunOnce(ctx, "customers")
	var stopped *flow.StoppedError
	fmt.Println(errors.As(err, &stopped), errors.Is(err, connector.Unauthorized))
	_ = eng.Resume("customers") // after the credentials are renewed
	rep, _ := eng.RunOnce(ctx, "customers")
	fmt.Println("applied after resume:", rep.Applied)
	// Output:
	// true true
	// applied after resume: 1
}

// level is a stock level of n units at WH1, as an ERP reports it.
func level(sku string, n int64) canonical.StockLevel {
	q := canonical.Qty(n, canonical.UnitOne)
	return canonical.StockLevel{SKU: sku, Location: "WH1", OnHand: q, Available: q,
		Allocated: canonical.Qty(0, canonical.UnitOne), AsOf: epoch}
}
