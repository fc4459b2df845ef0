package memerp

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// item is an item card: what can be ordered and stocked.
type item struct {
	sku   string
	name  string
	price canonical.Money
	unit  canonical.UnitCode
}

// level is the stock of one SKU at one location, in the item's unit.
type level struct {
	sku, location string
	unit          canonical.UnitCode
	onHand        canonical.Decimal
	allocated     canonical.Decimal // reserved for orders, released or not
	seq           int64             // Sequence of the last logged snapshot
	asOf          time.Time         // when the last snapshot was logged
}

// stockKey is the key of a stock level in the Stock log: "sku@location".
func stockKey(sku, location string) string { return sku + "@" + location }

// touched collects the stock levels an operation changed, so that each gets
// one new snapshot in the Stock log when the operation ends.
type touched map[string]bool

// AddItem creates the item sku, or renames and reprices it if it exists.
// Items are stocked and sold in units of one (canonical.UnitOne). The unit
// price is the ERP's list price, reported by Price; orders carry their own.
func (e *ERP) AddItem(sku, name string, unitPrice canonical.Money) error {
	const op = "items.add"
	switch {
	case !canonical.ValidSKU(sku):
		return e.invalidField(op, "sku", canonical.CodeSKU, sku, "must be 1 to 64 characters without spaces or control characters")
	case name == "":
		return e.invalidField(op, "name", canonical.CodeRequired, "", "is required")
	case !unitPrice.Currency.Valid():
		return e.invalidField(op, "unitPrice.currency", canonical.CodeCurrency, string(unitPrice.Currency), "is not an ISO 4217 currency code")
	case unitPrice.Amount.IsNeg():
		return e.invalidField(op, "unitPrice.amount", canonical.CodeNegative, unitPrice.Amount.String(), "must not be negative")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if it, ok := e.items[sku]; ok {
		it.name, it.price = name, unitPrice
		return nil
	}
	e.items[sku] = &item{sku: sku, name: name, price: unitPrice, unit: canonical.UnitOne}
	return nil
}

// Price returns the list price of an item.
func (e *ERP) Price(sku string) (canonical.Money, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.items[sku]
	if !ok {
		return canonical.Money{}, false
	}
	return it.price, true
}

// Receive books a goods receipt: qty of sku arrives at location. The new
// stock first fills backordered order lines, oldest order first; the Stock
// log gets a snapshot of every level that changed.
func (e *ERP) Receive(ctx context.Context, sku, location string, qty canonical.Quantity) error {
	const op = "stock.receive"
	if err := e.call(ctx, op); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	it, ok := e.items[sku]
	if !ok {
		return e.errorf(connector.NotFound, op, "no item %q", sku)
	}
	if !slices.Contains(e.cfg.Locations, location) {
		return e.invalidField(op, "location", "unknown", location, "is not a location of "+e.cfg.System)
	}
	if qty.Unit != it.unit {
		return e.invalidField(op, "quantity.unit", canonical.CodeUnitMismatch, string(qty.Unit), "item "+sku+" is stocked in "+string(it.unit))
	}
	if !qty.Value.IsPos() {
		return e.invalidField(op, "quantity.value", canonical.CodeNotPositive, qty.Value.String(), "must be greater than zero")
	}
	t := touched{}
	lv := e.level(it, location)
	lv.onHand = add(lv.onHand, qty.Value)
	t[stockKey(sku, location)] = true
	e.fillBackorders(sku, t)
	e.flushStock(t)
	return nil
}

// Level returns the current stock level of sku at location. Its Sequence and
// AsOf are those of the last snapshot in the Stock log; a level that never
// changed is zero with Sequence 0.
func (e *ERP) Level(sku, location string) canonical.StockLevel {
	e.mu.Lock()
	defer e.mu.Unlock()
	if lv, ok := e.levels[stockKey(sku, location)]; ok {
		return e.snapshot(lv)
	}
	unit := canonical.UnitOne
	if it, ok := e.items[sku]; ok {
		unit = it.unit
	}
	zero := canonical.Qty(0, unit)
	return canonical.StockLevel{SKU: sku, Location: location, OnHand: zero, Allocated: zero, Available: zero, Source: e.cfg.System}
}

// level returns the stock level of an item at a location, creating it empty.
func (e *ERP) level(it *item, location string) *level {
	k := stockKey(it.sku, location)
	lv, ok := e.levels[k]
	if !ok {
		lv = &level{sku: it.sku, location: location, unit: it.unit}
		e.levels[k] = lv
	}
	return lv
}

// snapshot returns the level as a canonical StockLevel.
func (e *ERP) snapshot(lv *level) canonical.StockLevel {
	s := canonical.StockLevel{SKU: lv.sku, Location: lv.location, AsOf: lv.asOf, Source: e.cfg.System}
	s.OnHand = canonical.Quantity{Value: lv.onHand, Unit: lv.unit}
	s.Allocated = canonical.Quantity{Value: lv.allocated, Unit: lv.unit}
	s.Available = canonical.Quantity{Value: sub(lv.onHand, lv.allocated), Unit: lv.unit}
	s.Sequence = lv.seq
	return s
}

// flushStock appends one snapshot per changed level to the Stock log, in key
// order, each with the next Sequence of the ERP.
func (e *ERP) flushStock(t touched) {
	now := e.env.Clock.Now()
	for _, k := range slices.Sorted(maps.Keys(t)) {
		lv, ok := e.levels[k]
		if !ok {
			continue
		}
		e.stockSeq++
		lv.seq = e.stockSeq
		lv.asOf = now
		e.stockLog.Append(k, connector.Upsert, e.snapshot(lv))
	}
}

// allocate brings a line's reservation to its open quantity: it reserves
// what is missing from the locations in configured order, or frees what is
// no longer needed from the unreleased reservation, last location first.
func (e *ERP) allocate(l *canonical.SalesOrderLine, ls *lineState, t touched) {
	it, ok := e.items[l.SKU]
	if !ok {
		return
	}
	open := sub(sub(l.Ordered.Value, l.Cancelled.Value), ls.shipped)
	need := sub(open, ls.held())
	switch need.Sign() {
	case 1:
		for _, loc := range e.cfg.Locations {
			lv, ok := e.levels[stockKey(l.SKU, loc)]
			if !ok {
				continue
			}
			avail := sub(lv.onHand, lv.allocated)
			if !avail.IsPos() {
				continue
			}
			take := minDec(avail, need)
			ls.alloc[loc] = add(ls.alloc[loc], take)
			lv.allocated = add(lv.allocated, take)
			t[stockKey(l.SKU, loc)] = true
			if need = sub(need, take); !need.IsPos() {
				break
			}
		}
	case -1:
		e.free(it.sku, ls, need.Neg(), t)
	}
}

// free releases up to qty of a line's unreleased reservation, last location
// first.
func (e *ERP) free(sku string, ls *lineState, qty canonical.Decimal, t touched) {
	for i := len(e.cfg.Locations) - 1; i >= 0 && qty.IsPos(); i-- {
		loc := e.cfg.Locations[i]
		a := ls.alloc[loc]
		if !a.IsPos() {
			continue
		}
		take := minDec(a, qty)
		ls.alloc[loc] = sub(a, take)
		if lv, ok := e.levels[stockKey(sku, loc)]; ok {
			lv.allocated = sub(lv.allocated, take)
			t[stockKey(sku, loc)] = true
		}
		qty = sub(qty, take)
	}
}

// fillBackorders allocates free stock of sku to open order lines that are
// short of it, oldest order first.
func (e *ERP) fillBackorders(sku string, t touched) {
	for _, rec := range e.openOrders() {
		changed := false
		for i := range rec.order.Lines {
			l := &rec.order.Lines[i]
			if l.SKU != sku {
				continue
			}
			ls := rec.lines[l.LineID]
			before := ls.held()
			e.allocate(l, ls, t)
			if !ls.held().Equal(before) {
				changed = true
			}
		}
		if changed {
			rec.sync()
		}
	}
}

// add returns a + b. Quantities and amounts are validated on the way in, far
// inside Decimal's 19 digits, so an overflow cannot happen here; if it did,
// a would be returned unchanged rather than a wrong sum.
func add(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Add(b)
	if err != nil {
		return a
	}
	return r
}

// sub returns a − b; see add.
func sub(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Sub(b)
	if err != nil {
		return a
	}
	return r
}

// minDec returns the smaller of a and b.
func minDec(a, b canonical.Decimal) canonical.Decimal {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}
