package memerp

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// orderRec is a sales order and the ERP's bookkeeping behind its buckets.
type orderRec struct {
	order    canonical.SalesOrder
	seq      int    // creation order, for first-come allocation
	customer string // account number
	lines    map[string]*lineState
	// invoicedPayable is Σ Payable of the order's invoices.
	invoicedPayable canonical.Money
	// billedCharges and billedTaxes are what the invoices so far took of the
	// order-level charges and tax breakdown, by index.
	billedCharges []canonical.Money
	billedTaxes   []taxPart
}

// lineState is the ERP's side of one order line.
type lineState struct {
	alloc  map[string]canonical.Decimal // location -> reserved, not yet released
	picked map[string]canonical.Decimal // location -> released in planned despatches
	// shipped and invoiced are the line's Shipped and Invoiced buckets.
	shipped, invoiced canonical.Decimal
	// invNet, invDisc and invTax are what the invoices so far billed of the
	// line's net, discounts (by index) and taxes (by index).
	invNet  canonical.Money
	invDisc []canonical.Money
	invTax  []taxPart
}

// taxPart is a share of a tax line.
type taxPart struct{ taxable, tax canonical.Money }

func newLineState() *lineState {
	return &lineState{alloc: map[string]canonical.Decimal{}, picked: map[string]canonical.Decimal{}}
}

// held is what the line has reserved: allocated plus released.
func (ls *lineState) held() canonical.Decimal {
	var d canonical.Decimal
	for _, q := range ls.alloc {
		d = add(d, q)
	}
	return add(d, ls.pickedTotal())
}

// pickedTotal is what the line has in planned despatches.
func (ls *lineState) pickedTotal() canonical.Decimal {
	var d canonical.Decimal
	for _, q := range ls.picked {
		d = add(d, q)
	}
	return d
}

// sync writes the ERP's buckets into the order's lines.
func (r *orderRec) sync() {
	for i := range r.order.Lines {
		l := &r.order.Lines[i]
		ls, ok := r.lines[l.LineID]
		if !ok {
			continue
		}
		u := l.Ordered.Unit
		l.Allocated = canonical.Quantity{Value: ls.held(), Unit: u}
		l.Shipped = canonical.Quantity{Value: ls.shipped, Unit: u}
		l.Invoiced = canonical.Quantity{Value: ls.invoiced, Unit: u}
	}
}

// active reports whether the order is open for fulfilment.
func (r *orderRec) active() bool {
	return r.order.Status == canonical.OrderAccepted || r.order.Status == canonical.OrderInProgress
}

// openValue is what the order will still bill: Payable − invoiced, at least 0.
func (r *orderRec) openValue() canonical.Money {
	v := msub(r.order.Totals.Payable, r.invoicedPayable)
	if v.Amount.IsNeg() {
		return canonical.Zero(r.order.Currency)
	}
	return v
}

// openOrders returns the active orders, oldest first.
func (e *ERP) openOrders() []*orderRec {
	var recs []*orderRec
	for _, r := range e.orders {
		if r.active() {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, func(a, b *orderRec) int { return a.seq - b.seq })
	return recs
}

// orderSink is the SalesOrders sink.
type orderSink struct{ e *ERP }

// SupportsDelete reports true: a Delete cancels the order.
func (orderSink) SupportsDelete() bool { return true }

// Apply creates, amends or cancels a sales order.
//
// The order is found by Write.Target (this ERP's order number), else by the
// caller's key of an earlier write, else by CustomerPO: a retry never makes
// a second order. A Delete, or an entity with Status cancelled, cancels it.
func (s orderSink) Apply(ctx context.Context, w connector.Write[canonical.SalesOrder]) (connector.Result, error) {
	const op = "salesOrders.apply"
	e := s.e
	if err := e.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.orderSink.replay(w.IdempotencyKey); ok {
		return r, nil
	}
	rec, err := e.findOrder(op, w)
	if err != nil {
		return connector.Result{}, err
	}
	if e.orderSink.stale(w.Key, w.Version) {
		res := connector.Result{Action: connector.Stale}
		if rec != nil {
			res.Ref = e.ref(rec.order.Number)
		}
		return res, nil
	}
	var res connector.Result
	switch {
	case w.Op == connector.Delete || w.Entity.Status == canonical.OrderCancelled:
		res, err = e.cancelOrder(op, rec, w.Entity.CancelReason)
	case rec == nil:
		res, err = e.createOrder(op, w.Entity)
	default:
		res, err = e.amendOrder(op, rec, w.Entity)
	}
	if err != nil {
		return connector.Result{}, err
	}
	if w.Key != "" && res.Ref.ID != "" {
		e.orderKeys[w.Key] = res.Ref.ID
	}
	record(&e.orderSink, w, res)
	return res, nil
}

// findOrder finds the order a write is for, or nil for a new one.
func (e *ERP) findOrder(op string, w connector.Write[canonical.SalesOrder]) (*orderRec, error) {
	if t := w.Target; t != nil && t.System == e.cfg.System && t.ID != "" {
		rec, ok := e.orders[t.ID]
		if !ok {
			return nil, e.errorf(connector.NotFound, op, "no sales order %s", t.ID)
		}
		return rec, nil
	}
	if n, ok := e.orderKeys[w.Key]; ok && w.Key != "" {
		return e.orders[n], nil
	}
	if po := w.Entity.CustomerPO; po != "" {
		if n, ok := e.orderPOs[po]; ok {
			return e.orders[n], nil
		}
	}
	return nil, nil
}

// createOrder checks and books a new order, reserving its stock.
func (e *ERP) createOrder(op string, in canonical.SalesOrder) (connector.Result, error) {
	number := sim.Seq("SO", e.orderCount+1)
	cand, cust, err := e.prepareOrder(op, in, nil, number)
	if err != nil {
		return connector.Result{}, err
	}
	if err := e.creditCheck(op, cust, "", cand.Totals.Payable); err != nil {
		return connector.Result{}, err
	}
	e.orderCount++
	rec := &orderRec{
		order: cand, seq: e.orderCount, customer: cust.Number, lines: map[string]*lineState{},
		invoicedPayable: canonical.Zero(cand.Currency),
	}
	t := touched{}
	for i := range rec.order.Lines {
		ls := newLineState()
		rec.lines[rec.order.Lines[i].LineID] = ls
		e.allocate(&rec.order.Lines[i], ls, t)
	}
	rec.sync()
	e.orders[number] = rec
	if cand.CustomerPO != "" {
		e.orderPOs[cand.CustomerPO] = number
	}
	e.flushStock(t)
	return connector.Result{Action: connector.Created, Ref: e.ref(number)}, nil
}

// amendOrder applies a new revision of an order: lines are matched by
// LineID and added, changed or removed; nothing shipped may change.
func (e *ERP) amendOrder(op string, rec *orderRec, in canonical.SalesOrder) (connector.Result, error) {
	o := &rec.order
	ref := e.ref(o.Number)
	if o.Status == canonical.OrderCancelled {
		return connector.Result{}, e.errorf(connector.BusinessRule, op, "order %s is cancelled", o.Number)
	}
	cand, cust, err := e.prepareOrder(op, in, rec, o.Number)
	if err != nil {
		return connector.Result{}, err
	}
	if sameOrder(cand, *o) {
		return connector.Result{Action: connector.Unchanged, Ref: ref}, nil
	}
	if o.Status == canonical.OrderCompleted || o.Status == canonical.OrderClosed {
		return connector.Result{}, e.errorf(connector.BusinessRule, op, "order %s is locked: fully shipped", o.Number)
	}
	if cust.Number != rec.customer {
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"order %s belongs to customer %s; it cannot move to %s", o.Number, rec.customer, cust.Number)
	}
	if n, ok := e.orderPOs[cand.CustomerPO]; ok && n != o.Number {
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"order %s cannot take CustomerPO %q: it is order %s's", o.Number, cand.CustomerPO, n)
	}
	if c, err := cand.Totals.Payable.Cmp(o.Totals.Payable); err == nil && c > 0 {
		open := msub(cand.Totals.Payable, rec.invoicedPayable)
		if err := e.creditCheck(op, cust, o.Number, open); err != nil {
			return connector.Result{}, err
		}
	}
	// Commit: drop removed lines and lines whose SKU changed, then reserve.
	t := touched{}
	oldSKU := map[string]string{}
	for _, l := range o.Lines {
		oldSKU[l.LineID] = l.SKU
	}
	for id, ls := range rec.lines {
		nl, ok := cand.Line(id)
		if ok && nl.SKU == oldSKU[id] {
			continue
		}
		e.free(oldSKU[id], ls, ls.held(), t)
		delete(rec.lines, id)
	}
	cand.Revision = o.Revision + 1
	if o.CustomerPO != cand.CustomerPO {
		delete(e.orderPOs, o.CustomerPO)
		if cand.CustomerPO != "" {
			e.orderPOs[cand.CustomerPO] = o.Number
		}
	}
	rec.order = cand
	for i := range rec.order.Lines {
		l := &rec.order.Lines[i]
		ls, ok := rec.lines[l.LineID]
		if !ok {
			ls = newLineState()
			rec.lines[l.LineID] = ls
		}
		e.allocate(l, ls, t)
	}
	rec.sync()
	e.refill(t)
	e.flushStock(t)
	return connector.Result{Action: connector.Updated, Ref: ref}, nil
}

// refill offers stock that an operation freed to other orders' backorders.
func (e *ERP) refill(t touched) {
	skus := map[string]bool{}
	for k := range t {
		if lv, ok := e.levels[k]; ok {
			skus[lv.sku] = true
		}
	}
	for _, sku := range slices.Sorted(maps.Keys(skus)) {
		e.fillBackorders(sku, t)
	}
}

// cancelOrder cancels an order that has not shipped: its planned despatches
// are cancelled and its stock freed.
func (e *ERP) cancelOrder(op string, rec *orderRec, reason string) (connector.Result, error) {
	if rec == nil {
		// Nothing to cancel: the order never reached the ERP.
		return connector.Result{Action: connector.Unchanged}, nil
	}
	o := &rec.order
	ref := e.ref(o.Number)
	if o.Status == canonical.OrderCancelled {
		return connector.Result{Action: connector.Deleted, Ref: ref}, nil
	}
	for _, l := range o.Lines {
		if ls := rec.lines[l.LineID]; ls != nil && ls.shipped.IsPos() {
			return connector.Result{}, e.errorf(connector.BusinessRule, op,
				"order %s cannot be cancelled: line %s has shipped %s", o.Number, l.LineID, ls.shipped)
		}
	}
	if err := o.CheckTransition(canonical.OrderCancelled); err != nil {
		return connector.Result{}, e.errorf(connector.BusinessRule, op, "order %s cannot be cancelled: %w", o.Number, err)
	}
	if reason == "" {
		reason = "cancelled"
	}
	t := touched{}
	for _, sh := range e.orderShipments(o.Number) {
		if !sh.posted && sh.ship.Status != canonical.ShipmentCancelled {
			e.cancelShipment(sh)
		}
	}
	for _, l := range o.Lines {
		ls := rec.lines[l.LineID]
		e.free(l.SKU, ls, ls.held(), t)
	}
	rec.sync()
	if err := o.Cancel(reason); err != nil {
		// CheckTransition allowed it above; Cancel applies the same table.
		return connector.Result{}, e.errorf(connector.BusinessRule, op, "order %s cannot be cancelled: %w", o.Number, err)
	}
	o.Revision++
	o.UpdatedAt = e.env.Clock.Now()
	e.refill(t)
	e.flushStock(t)
	return connector.Result{Action: connector.Deleted, Ref: ref}, nil
}

// prepareOrder checks an incoming order against the ERP (its customer
// account, its items, and for an amendment what has shipped) and returns the
// order as the ERP would hold it, with the account.
func (e *ERP) prepareOrder(op string, in canonical.SalesOrder, rec *orderRec, number string) (canonical.SalesOrder, *canonical.Customer, error) {
	var fields []canonical.FieldError
	bad := func(path, code, value, msg string) {
		fields = append(fields, canonical.FieldError{Path: path, Code: code, Value: value, Message: msg})
	}
	var cust *canonical.Customer
	if r, ok := in.Customer.Ref(e.cfg.System); !ok {
		bad("customer.refs", canonical.CodeRequired, "",
			"has no account in "+e.cfg.System+": map the customer to an ERP account first")
	} else if cust = e.customers[r.ID]; cust == nil {
		bad("customer.refs", "unknown", r.ID, "names no account of "+e.cfg.System)
	}
	if cust != nil && in.Currency != "" && in.Currency != cust.Currency {
		bad("currency", canonical.CodeCurrencyMismatch, string(in.Currency),
			fmt.Sprintf("is %s, but account %s trades in %s", in.Currency, cust.Number, cust.Currency))
	}
	for i, l := range in.Lines {
		it, ok := e.items[l.SKU]
		switch {
		case !ok:
			bad(fmt.Sprintf("lines[%d].sku", i), "unknown", l.SKU, "is not an item of "+e.cfg.System)
		case l.Ordered.Unit != "" && l.Ordered.Unit != it.unit:
			bad(fmt.Sprintf("lines[%d].ordered.unit", i), canonical.CodeUnitMismatch, string(l.Ordered.Unit),
				fmt.Sprintf("item %s is sold in %s", l.SKU, it.unit))
		}
	}
	if len(fields) > 0 {
		return canonical.SalesOrder{}, nil, e.invalid(op, "sales order is invalid", fields)
	}

	cand := clone(in)
	cand.Number = number
	cand.SetRef(e.ref(number))
	cand.UpdatedAt = e.env.Clock.Now()
	cand.Status = canonical.OrderAccepted
	cand.Revision = 1
	cand.CancelReason = ""
	if cand.OrderedAt.IsZero() {
		cand.OrderedAt = cand.UpdatedAt
	}
	if rec != nil {
		cand.Status = rec.order.Status
		cand.Revision = rec.order.Revision
		cand.UpdatedAt = rec.order.UpdatedAt
		if in.OrderedAt.IsZero() {
			cand.OrderedAt = rec.order.OrderedAt
		}
	}
	for i := range cand.Lines {
		l := &cand.Lines[i]
		u := l.Ordered.Unit
		l.Allocated, l.Shipped, l.Invoiced = canonical.Quantity{}, canonical.Quantity{}, canonical.Quantity{}
		if rec == nil {
			l.Returned = canonical.Quantity{}
			continue
		}
		if old, ok := rec.order.Line(l.LineID); ok && old.SKU == l.SKU {
			ls := rec.lines[l.LineID]
			l.Shipped = canonical.Quantity{Value: ls.shipped, Unit: u}
			l.Invoiced = canonical.Quantity{Value: ls.invoiced, Unit: u}
			l.Returned = old.Returned
		} else {
			l.Returned = canonical.Quantity{}
		}
	}
	if rec != nil {
		if err := e.checkLocks(op, rec, &cand); err != nil {
			return canonical.SalesOrder{}, nil, err
		}
	}
	if err := cand.Validate(); err != nil {
		return canonical.SalesOrder{}, nil, e.validation(op, "sales order", err)
	}
	if rec != nil {
		// Allocation is re-worked on commit; show what is held until then.
		for i := range cand.Lines {
			if ls, ok := rec.lines[cand.Lines[i].LineID]; ok {
				cand.Lines[i].Allocated = canonical.Quantity{Value: ls.held(), Unit: cand.Lines[i].Ordered.Unit}
			}
		}
	}
	return cand, cust, nil
}

// checkLocks refuses an amendment that would change what has shipped or
// what is in a planned despatch.
func (e *ERP) checkLocks(op string, rec *orderRec, cand *canonical.SalesOrder) error {
	o := &rec.order
	for _, old := range o.Lines {
		ls := rec.lines[old.LineID]
		shipped, picked := ls.shipped, ls.pickedTotal()
		locked := func(why string) error {
			return e.errorf(connector.BusinessRule, op, "order %s line %s is locked: %s shipped%s", o.Number, old.LineID, shipped, why)
		}
		inDespatch := func() error {
			return e.errorf(connector.BusinessRule, op, "order %s line %s is in despatch %s: %s released to the warehouse",
				o.Number, old.LineID, e.despatchOf(o.Number, old.LineID), picked)
		}
		nl, ok := cand.Line(old.LineID)
		switch {
		case !ok || nl.SKU != old.SKU:
			if shipped.IsPos() {
				return locked("")
			}
			if picked.IsPos() {
				return inDespatch()
			}
			continue
		}
		remaining := sub(nl.Ordered.Value, nl.Cancelled.Value)
		if remaining.Cmp(shipped) < 0 {
			return locked("")
		}
		if sub(remaining, shipped).Cmp(picked) < 0 {
			return inDespatch()
		}
		if shipped.IsPos() && !equal(nl.UnitPrice, old.UnitPrice) {
			return locked("; its unit price cannot change")
		}
	}
	return nil
}

// despatchOf names the planned despatch that holds an order line.
func (e *ERP) despatchOf(order, lineID string) string {
	for _, sh := range e.orderShipments(order) {
		if sh.posted || sh.ship.Status == canonical.ShipmentCancelled {
			continue
		}
		for _, l := range sh.ship.Lines {
			if l.OrderLine.LineID == lineID {
				return sh.ship.Number
			}
		}
	}
	return "?"
}

// creditCheck refuses new business for an account on hold or blocked, or
// whose exposure (balance + open orders other than except) plus amount
// exceeds its credit limit.
func (e *ERP) creditCheck(op string, cust *canonical.Customer, except string, amount canonical.Money) error {
	switch cust.CreditStatus {
	case canonical.CreditHold:
		return e.errorf(connector.BusinessRule, op, "customer %s is on credit hold", cust.Number)
	case canonical.CreditBlocked:
		return e.errorf(connector.BusinessRule, op, "customer %s is blocked", cust.Number)
	}
	if cust.CreditLimit == nil {
		return nil
	}
	balance := canonical.Zero(cust.Currency)
	if cust.Balance != nil {
		balance = *cust.Balance
	}
	open := canonical.Zero(cust.Currency)
	for _, r := range e.orders {
		if r.customer == cust.Number && r.order.Number != except && r.active() {
			open = madd(open, r.openValue())
		}
	}
	exposure := madd(balance, open)
	total := madd(exposure, amount)
	if c, err := total.Cmp(*cust.CreditLimit); err != nil || c > 0 {
		return e.errorf(connector.BusinessRule, op,
			"customer %s is over its credit limit: balance %s + open orders %s + this order %s = %s exceeds the limit %s",
			cust.Number, balance.Amount, open.Amount, amount.Amount, total.Amount, cust.CreditLimit)
	}
	return nil
}

// Order returns the sales order with the given number.
func (e *ERP) Order(number string) (canonical.SalesOrder, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	rec, ok := e.orders[number]
	if !ok {
		return canonical.SalesOrder{}, false
	}
	return clone(rec.order), true
}

// OrderByPO returns the sales order with the given CustomerPO (the channel's
// order reference).
func (e *ERP) OrderByPO(po string) (canonical.SalesOrder, bool) {
	e.mu.Lock()
	n, ok := e.orderPOs[po]
	e.mu.Unlock()
	if !ok || po == "" {
		return canonical.SalesOrder{}, false
	}
	return e.Order(n)
}

// Orders returns every sales order, cancelled ones included, by number.
func (e *ERP) Orders() []canonical.SalesOrder {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]canonical.SalesOrder, 0, len(e.orders))
	for _, n := range slices.Sorted(maps.Keys(e.orders)) {
		out = append(out, clone(e.orders[n].order))
	}
	return out
}

// sameOrder reports whether an amendment changes nothing the customer
// controls: bookkeeping (revision, update time, allocation) is ignored.
func sameOrder(a, b canonical.SalesOrder) bool {
	norm := func(o canonical.SalesOrder) canonical.SalesOrder {
		o = clone(o)
		o.Revision, o.UpdatedAt = 0, time.Time{}
		for i := range o.Lines {
			o.Lines[i].Allocated = canonical.Quantity{}
		}
		return o
	}
	return equal(norm(a), norm(b))
}

// equal compares two values with go-cmp, decimals numerically (12.3 equals
// 12.30) and empty slices equal to nil ones.
func equal[T any](a, b T) bool {
	return cmp.Equal(a, b,
		cmp.Comparer(func(a, b canonical.Decimal) bool { return a.Equal(b) }),
		cmpopts.EquateEmpty())
}

// madd returns a + b; see add.
func madd(a, b canonical.Money) canonical.Money {
	r, err := a.Add(b)
	if err != nil {
		return a
	}
	return r
}

// msub returns a − b; see add.
func msub(a, b canonical.Money) canonical.Money {
	r, err := a.Sub(b)
	if err != nil {
		return a
	}
	return r
}
