// Command stocksync keeps a shop's stock in step with the ERP, offline, on the
// in-memory simulators: the ERP (memerp) owns stock, and one flow carries
// every change of a stock level to the shop's inventory (memshop), translating
// ERP item numbers to shop SKUs through a lookup table loaded from a CSV sheet
// (skus.csv, embedded) that operations staff maintain.
//
// It walks through the cases a stock sync meets in its first week:
//
//  1. a dry run before go-live, reporting the creates and updates the flow
//     would make, with diffs, and the changes it would park, without writing;
//  2. the first full sync;
//  3. a late stock update: the ERP's feed delivers two counts of one item out
//     of order (a Reorder fault), and the older one is skipped as stale;
//  4. items missing from the SKU sheet, parked with the field path "sku";
//     once the sheet is corrected the table is reloaded (the mapping function
//     reads the current table on every call), a newer count goes straight
//     through because stock levels are snapshots (ContinuePastParked), and the
//     parked changes are replayed;
//  5. a final check that the shop sells exactly what the ERP has available.
//
// Run it with
//
//	go run ./examples/stocksync
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/sim"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/ecommerce/memshop"
	"github.com/junctionhq/junction/erp/memerp"
	"github.com/junctionhq/junction/mapping"
)

//go:embed skus.csv
var skusCSV string

// newRange is what operations staff add to skus.csv once they notice that the
// ERP stocks a new range of mugs the sheet does not know yet.
const newRange = "100301,MUG-ENM-WHT,Enamel mug white\n100302,MUG-ENM-BLU,Enamel mug blue\n"

const (
	flowName = "erp-stock→shop"
	location = "main" // the one warehouse; both systems call it "main"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stocksync:", err)
		os.Exit(1)
	}
}

// item is one product both systems stock: the ERP's item number, the shop's
// SKU, a name and a price.
type item struct{ erp, sku, name, price string }

// catalogue is what the ERP and the shop sell. The two mugs are new: the shop
// lists them, but skus.csv does not map them yet.
func catalogue() []item {
	return []item{
		{"100101", "TEE-BLK-S", "Classic tee black S", "19.90"},
		{"100102", "TEE-BLK-M", "Classic tee black M", "19.90"},
		{"100103", "TEE-BLK-L", "Classic tee black L", "19.90"},
		{"100201", "HOOD-GRY-M", "Hoodie grey M", "49.00"},
		{"100202", "HOOD-GRY-L", "Hoodie grey L", "49.00"},
		{"100301", "MUG-ENM-WHT", "Enamel mug white", "12.50"},
		{"100302", "MUG-ENM-BLU", "Enamel mug blue", "12.50"},
	}
}

// stockSync is the integration: the two systems, the engine and the SKU table.
type stockSync struct {
	w     io.Writer
	clock *connectortest.Clock
	erp   *memerp.ERP
	shop  *memshop.Shop
	st    *memstore.Store
	eng   *flow.Engine
	// skus maps ERP item numbers to shop SKUs. It is swapped whole when the
	// sheet is reloaded; the mapping function loads it on every call.
	skus atomic.Pointer[mapping.Table[string, string]]

	printed int // outcomes of the flow printed so far
	orders  int // trade-counter orders taken in the ERP
}

func run(ctx context.Context, w io.Writer) error {
	s, err := setup(ctx, w)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "junction stocksync: ERP stock → shop inventory, item numbers mapped to SKUs by skus.csv")
	fmt.Fprintf(w, "  the ERP stocks %d items; skus.csv maps %d of them\n", len(catalogue()), s.skus.Load().Len())
	for _, step := range []func(context.Context) error{s.dryRun, s.firstSync, s.lateUpdate, s.fixAndReplay, s.check} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// setup builds the ERP with its opening stock and a few trade-counter sales,
// the shop with its catalogue, the engine and the flow.
func setup(ctx context.Context, w io.Writer) (*stockSync, error) {
	clock := connectortest.NewClock(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC))
	s := &stockSync{
		w:     w,
		clock: clock,
		erp:   memerp.New(memerp.Config{System: "erp", Seed: 1, Clock: clock, Locations: []string{location}}),
		shop:  memshop.New(memshop.Config{System: "shop", Seed: 1, Clock: clock, Locations: []string{location}}),
		st:    memstore.New(),
	}
	table, err := mapping.LoadCSV("skus.csv", strings.NewReader(skusCSV))
	if err != nil {
		return nil, err
	}
	s.skus.Store(table)

	opening := map[string]int64{"100101": 40, "100102": 60, "100103": 35, "100201": 20, "100202": 15, "100301": 24, "100302": 18}
	for _, it := range catalogue() {
		if err := s.erp.AddItem(it.erp, it.name, canonical.MustMoney(it.price, "EUR")); err != nil {
			return nil, err
		}
		if err := s.shop.AddProduct(canonical.Product{SKU: it.sku, Name: it.name, Active: true}); err != nil {
			return nil, err
		}
		if err := s.erp.Receive(ctx, it.erp, location, units(opening[it.erp])); err != nil {
			return nil, err
		}
	}
	// The trade counter sells before go-live: each order allocates stock, so
	// the ERP reports a second, lower count for the item.
	if _, err := s.erp.Customers().Apply(ctx, connector.Write[canonical.Customer]{
		Change:         connector.Change[canonical.Customer]{Key: "trade-counter", Entity: canonical.Customer{Name: "Trade counter"}},
		IdempotencyKey: "setup:trade-counter",
	}); err != nil {
		return nil, err
	}
	if err := errors.Join(s.sell(ctx, "100102", 3), s.sell(ctx, "100201", 2)); err != nil {
		return nil, err
	}

	s.eng = flow.NewEngine(s.st, flow.WithClock(clock), flow.WithLogger(slog.New(slog.DiscardHandler)))
	err = flow.Add(s.eng, flow.Flow[canonical.StockLevel, canonical.StockLevel]{
		Name:   flowName,
		Source: s.erp.Stock(),
		Map:    s.toShop,
		Sink:   s.shop.Inventory(),
		// Stock levels are snapshots: the newest count wins. A parked older
		// count must not hold back a newer one; replayed later, it is stale.
		Parked: flow.ContinuePastParked,
		// One key at a time, so that exception IDs come out the same on every
		// run of this example; a real stock flow keeps the default.
		Concurrency: 1,
	})
	return s, err
}

// toShop maps an ERP stock level to the shop: the item number becomes the
// shop's SKU through the current table. A missing row is recorded at the
// path "sku", so the change is parked with that field and the item number.
func (s *stockSync) toShop(_ context.Context, _ flow.Env, l canonical.StockLevel) (canonical.StockLevel, error) {
	errs := mapping.Errors{System: s.erp.System(), Entity: "StockLevel", Key: l.SKU + "@" + l.Location}
	out := l
	out.SKU = s.skus.Load().Map(&errs, "sku", l.SKU)
	return out, errs.Err()
}

// sell takes a trade-counter order for qty of an ERP item: the ERP allocates
// the stock, and its available quantity drops.
func (s *stockSync) sell(ctx context.Context, erpItem string, qty int64) error {
	s.orders++
	po := fmt.Sprintf("COUNTER-%d", s.orders)
	price, ok := s.erp.Price(erpItem)
	if !ok {
		return fmt.Errorf("no ERP item %s", erpItem)
	}
	net, err := price.Mul(canonical.DecimalFromInt(qty))
	if err != nil {
		return err
	}
	order := canonical.SalesOrder{
		CustomerPO: po, Currency: "EUR", Status: canonical.OrderSubmitted,
		Customer: canonical.PartyRef{Name: "Trade counter", Refs: []canonical.ExternalRef{{System: s.erp.System(), ID: "C-000001"}}},
		Lines:    []canonical.SalesOrderLine{{LineID: "L1", SKU: erpItem, Ordered: units(qty), UnitPrice: price, Net: net}},
		Totals:   canonical.Totals{LineNet: net, Payable: net},
	}
	_, err = s.erp.SalesOrders().Apply(ctx, connector.Write[canonical.SalesOrder]{
		Change:         connector.Change[canonical.SalesOrder]{Key: po, Version: connector.SeqVersion(1), Entity: order},
		IdempotencyKey: "counter:" + po,
	})
	return err
}

// 1. The dry run: what the first sync would do, with nothing written.
func (s *stockSync) dryRun(ctx context.Context) error {
	fmt.Fprintln(s.w, "\n1. Before go-live: a dry run reads the ERP's stock feed and writes nothing")
	rep, err := s.eng.DryRun(ctx, flowName)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "   %d changes would give: %s\n", len(rep.Entries), counts(rep.Counts))
	for _, e := range rep.Entries {
		switch {
		case e.Action == "update":
			fmt.Fprintf(s.w, "   update %s @ %s, against the create before it in this run:\n", e.Key, e.Version)
			for _, c := range e.Changes {
				fmt.Fprintf(s.w, "     %s\n", c)
			}
		case strings.HasPrefix(e.Action, "park:"):
			fmt.Fprintf(s.w, "   %s %s @ %s: %s\n", e.Action, e.Key, e.Version, e.Detail)
		}
	}
	if n, _ := s.st.Checkpoint(ctx, flowName); n == "" {
		fmt.Fprintln(s.w, "   (checkpoint still empty, shop untouched)")
	}
	return nil
}

// 2. The first full sync.
func (s *stockSync) firstSync(ctx context.Context) error {
	fmt.Fprintln(s.w, "\n2. Go-live: the first full sync")
	s.clock.Advance(time.Hour)
	rep, err := s.eng.RunOnce(ctx, flowName)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "   read %d, applied %d, skipped %d, parked %d; checkpoint %s\n", rep.Read, rep.Applied, rep.Skipped, rep.Parked, rep.Checkpoint)
	s.printed = len(s.outcomes(ctx))
	var shop []string
	for _, it := range catalogue() {
		if q, ok := s.shop.Available(it.sku, location); ok {
			shop = append(shop, it.sku+" "+q.Value.String())
		}
	}
	fmt.Fprintf(s.w, "   shop sells: %s\n", strings.Join(shop, ", "))
	for ex, err := range s.st.Exceptions(ctx, store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err != nil {
			return err
		}
		for _, f := range ex.Fields {
			fmt.Fprintf(s.w, "   parked %s %s @ %s: %s, field %q %s (value %q)\n", ex.ID, ex.Key, ex.Version, ex.Kind, f.Path, f.Code, f.Value)
		}
	}
	return nil
}

// 3. A late stock update: the ERP's feed swaps two counts of one item.
func (s *stockSync) lateUpdate(ctx context.Context) error {
	fmt.Fprintln(s.w, "\n3. A late update: a delivery of 12 TEE-BLK-S, then a sale of 2; the ERP's feed swaps the two counts")
	s.clock.Advance(time.Hour)
	s.erp.SetFaults(sim.Faults{Reorder: 1}) // every event comes after the next one
	defer s.erp.SetFaults(sim.Faults{})
	if err := s.erp.Receive(ctx, "100101", location, units(12)); err != nil {
		return err
	}
	if err := s.sell(ctx, "100101", 2); err != nil {
		return err
	}
	if _, err := s.eng.RunOnce(ctx, flowName); err != nil {
		return err
	}
	for _, o := range s.newOutcomes(ctx) {
		fmt.Fprintf(s.w, "   read %s @ %s: %s\n", o.Key, o.Version, s.describe(ctx, o))
	}
	q, _ := s.shop.Available("TEE-BLK-S", location)
	fmt.Fprintf(s.w, "   shop TEE-BLK-S available %s, ERP %s: the older count never overwrote the newer\n",
		q.Value, s.erp.Level("100101", location).Available.Value)
	return nil
}

// 4. The sheet is fixed, a newer count passes the parked ones, and the parked
// changes are replayed.
func (s *stockSync) fixAndReplay(ctx context.Context) error {
	fmt.Fprintln(s.w, "\n4. Ops add the enamel mugs to skus.csv; the table is reloaded, no deploy")
	table, err := mapping.LoadCSV("skus.csv", strings.NewReader(skusCSV+newRange))
	if err != nil {
		return err
	}
	before := s.skus.Swap(table).Len()
	fmt.Fprintf(s.w, "   table: %d rows → %d rows\n", before, table.Len())

	s.clock.Advance(time.Hour)
	if err := s.erp.Receive(ctx, "100301", location, units(12)); err != nil {
		return err
	}
	fmt.Fprintln(s.w, "   12 more white mugs arrive while the mug's older count is still parked")
	rep, err := s.eng.RunOnce(ctx, flowName)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "   pass: read %d, applied %d, skipped %d, parked %d\n", rep.Read, rep.Applied, rep.Skipped, rep.Parked)
	for _, o := range s.newOutcomes(ctx) {
		fmt.Fprintf(s.w, "   read %s @ %s: %s\n", o.Key, o.Version, s.describe(ctx, o))
	}
	fmt.Fprintln(s.w, "   (ContinuePastParked: a newer count is not held behind a parked older one)")

	var open []store.Exception
	for ex, err := range s.st.Exceptions(ctx, store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err != nil {
			return err
		}
		open = append(open, ex)
	}
	for _, ex := range open {
		outs, err := s.eng.Replay(ctx, ex.ID)
		if err != nil {
			return err
		}
		for _, o := range outs {
			closed, err := s.st.Exception(ctx, ex.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.w, "   replay %s (%s @ %s): %s; exception %s\n", ex.ID, o.Key, o.Version, s.describe(ctx, o), closed.Status)
		}
	}
	return nil
}

// 5. The check: the shop sells what the ERP has available, item by item.
func (s *stockSync) check(ctx context.Context) error {
	fmt.Fprintln(s.w, "\n5. Check: shop available = ERP available for every SKU")
	fmt.Fprintf(s.w, "   %-8s %-12s %5s %5s\n", "ERP item", "shop SKU", "ERP", "shop")
	bad := 0
	for _, it := range catalogue() {
		sku, err := s.skus.Load().Lookup(it.erp)
		if err != nil {
			return err
		}
		erpQty := s.erp.Level(it.erp, location).Available
		shopQty, ok := s.shop.Available(sku, location)
		verdict := "ok"
		if c, err := erpQty.Cmp(shopQty); !ok || err != nil || c != 0 {
			verdict, bad = "MISMATCH", bad+1
		}
		fmt.Fprintf(s.w, "   %-8s %-12s %5s %5s  %s\n", it.erp, sku, erpQty.Value, shopQty.Value, verdict)
	}
	stats, err := s.eng.Stats(flowName)
	if err != nil {
		return err
	}
	open := 0
	for _, err := range s.st.Exceptions(ctx, store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err != nil {
			return err
		}
		open++
	}
	skipped := make(map[string]int)
	for r, n := range stats.Skipped {
		skipped[string(r)] = int(n)
	}
	fmt.Fprintf(s.w, "   flow totals: read %d, applied %d, skipped %s, open exceptions %d\n", stats.Read, stats.Applied, counts(skipped), open)
	if bad > 0 {
		return fmt.Errorf("%d SKUs differ between the shop and the ERP", bad)
	}
	fmt.Fprintln(s.w, "   in step: every SKU matches")
	return nil
}

// outcomes returns every outcome the flow has recorded, in order.
func (s *stockSync) outcomes(ctx context.Context) []store.Outcome {
	var all []store.Outcome
	for o, err := range s.st.Outcomes(ctx, store.OutcomeFilter{Flow: flowName}) {
		if err != nil {
			break
		}
		all = append(all, o)
	}
	return all
}

// newOutcomes returns the outcomes recorded since the last call. A replay
// replaces a parked outcome in place, so new changes are always at the end.
func (s *stockSync) newOutcomes(ctx context.Context) []store.Outcome {
	all := s.outcomes(ctx)
	fresh := all[min(s.printed, len(all)):]
	s.printed = len(all)
	return fresh
}

// describe says what happened to one change. What an applied change wrote
// is read from the ledger (the outcome log keeps decisions, not entities); it
// is the key's latest write, which is this change's in this story.
func (s *stockSync) describe(ctx context.Context, o store.Outcome) string {
	switch o.Result {
	case store.Applied:
		var l canonical.StockLevel
		e, ok, err := s.st.LastApplied(ctx, flowName, o.Key)
		if err == nil && ok && json.Unmarshal(e.Entity, &l) == nil {
			return fmt.Sprintf("applied as %s, available %s (%s)", l.SKU, l.Available.Value, o.Detail)
		}
		return "applied (" + o.Detail + ")"
	case store.Skipped:
		return fmt.Sprintf("skipped, %s: %s", o.Reason, o.Detail)
	default:
		return fmt.Sprintf("parked as %s: %s", o.Exception, o.Detail)
	}
}

// counts renders action tallies in a stable order: "create 7, update 2".
func counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// units is a quantity of n pieces.
func units(n int64) canonical.Quantity { return canonical.Qty(n, canonical.UnitOne) }
