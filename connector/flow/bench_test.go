package flow_test

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store/memstore"
)

// benchOrder builds a valid order with n lines.
func benchOrder(n int) canonical.SalesOrder {
	o := canonical.SalesOrder{
		Number: "#1001", CustomerPO: "#1001", Currency: "EUR", Status: canonical.OrderSubmitted,
		Customer: canonical.PartyRef{Name: "Ada Lovelace", Email: "ada@example.com",
			Refs: []canonical.ExternalRef{{System: "shop", ID: "cust-1"}}},
		ShipTo: canonical.Address{Name: "Ada Lovelace", Lines: []string{"1 High St"}, City: "London", PostalCode: "SW1A 1AA", Country: "GB"},
	}
	total := canonical.Zero("EUR")
	for i := range n {
		price := canonical.MustMoney("12.50", "EUR")
		net, _ := price.Mul(canonical.DecimalFromInt(int64(i%3 + 1)))
		total, _ = total.Add(net)
		o.Lines = append(o.Lines, canonical.SalesOrderLine{
			LineID: "L" + strconv.Itoa(i+1), SKU: fmt.Sprintf("SKU-%03d", i),
			Ordered: canonical.Qty(int64(i%3+1), canonical.UnitOne), UnitPrice: price, Net: net,
		})
	}
	o.Totals = canonical.Totals{LineNet: total, Payable: total}
	return o
}

// benchMap is a realistic mapping: SKUs through a table, the customer ref
// swapped for the ERP's, the channel stamped.
func benchMap(skus map[string]string) flow.MapFunc[canonical.SalesOrder, canonical.SalesOrder] {
	return func(_ context.Context, _ flow.Env, in canonical.SalesOrder) (canonical.SalesOrder, error) {
		out := in
		out.Channel = "shop"
		out.Customer.Refs = []canonical.ExternalRef{{System: "erp", ID: "C-000001"}}
		out.Lines = make([]canonical.SalesOrderLine, len(in.Lines))
		for i, l := range in.Lines {
			l.SKU = skus[l.SKU]
			out.Lines[i] = l
		}
		return out, nil
	}
}

type sliceSource []connector.Change[canonical.SalesOrder]

func (s sliceSource) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[canonical.SalesOrder], error] {
	return func(yield func(connector.Change[canonical.SalesOrder], error) bool) {
		start, _ := strconv.Atoi(string(after))
		for _, c := range s[start:] {
			if !yield(c, nil) {
				return
			}
		}
	}
}

type discardSink struct{}

func (discardSink) Apply(_ context.Context, w connector.Write[canonical.SalesOrder]) (connector.Result, error) {
	return connector.Result{Action: connector.Created, Ref: canonical.ExternalRef{System: "erp", ID: w.Key}}, nil
}

func benchFixture(n int) (sliceSource, map[string]string) {
	o := benchOrder(20)
	skus := map[string]string{}
	for _, l := range o.Lines {
		skus[l.SKU] = "ERP-" + l.SKU
	}
	src := make(sliceSource, n)
	for i := range src {
		src[i] = connector.Change[canonical.SalesOrder]{
			System: "shop", Key: strconv.Itoa(i), Version: connector.SeqVersion(1),
			Cursor: connector.Cursor(strconv.Itoa(i + 1)), Entity: o,
		}
	}
	return src, skus
}

// BenchmarkBareLoop is the baseline: the same map and validate, in a loop,
// with no engine.
func BenchmarkBareLoop(b *testing.B) {
	src, skus := benchFixture(b.N)
	m := benchMap(skus)
	b.ReportAllocs()
	b.ResetTimer()
	for _, c := range src {
		out, err := m(context.Background(), flow.Env{}, c.Entity)
		if err != nil {
			b.Fatal(err)
		}
		if err := out.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngine moves 20-line orders from a memory source through map,
// validate and a memory sink with memstore: per-key ordering, ledger,
// idempotency keys, outcomes and checkpoints included.
func BenchmarkEngine(b *testing.B) {
	for _, conc := range []int{1, 4} {
		b.Run(fmt.Sprintf("concurrency=%d", conc), func(b *testing.B) {
			src, skus := benchFixture(b.N)
			eng := flow.NewEngine(memstore.New(), flow.WithLogger(quiet))
			err := flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
				Name: "orders", Source: src, Map: benchMap(skus), Sink: discardSink{}, Concurrency: conc,
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			rep, err := eng.RunOnce(context.Background(), "orders")
			if err != nil || rep.Applied != b.N {
				b.Fatalf("applied %d of %d: %v", rep.Applied, b.N, err)
			}
		})
	}
}
