package o2c

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// Check is one reconciliation between systems.
type Check struct {
	Name string
	// Compared is how many records were compared.
	Compared int
	// Drift lists every disagreement; empty means the systems agree.
	Drift []string
}

// OK reports whether the systems agree.
func (c Check) OK() bool { return len(c.Drift) == 0 }

// Reconcile compares the systems: stock, orders, invoices, credit notes and
// payments. Every check lists each record that disagrees.
func (in *Integration) Reconcile(ctx context.Context) []Check {
	return []Check{in.checkStock(), in.checkOrders(ctx), in.checkInvoices(), in.checkCredits(), in.checkPayments(ctx)}
}

// checkStock: what the shop can sell is what the ERP has available.
// Business Central keeps no stock per location (API v2.0 has one inventory
// per item, and no reservations): there the check compares each item's
// total, what the shop can sell at all its locations against the ERP's
// inventory.
func (in *Integration) checkStock() Check {
	if in.erpOn == OnBusinessCentral {
		return in.checkStockTotals()
	}
	c := Check{Name: "stock: shop available = ERP available"}
	for _, it := range in.Catalogue {
		for erpLoc, shopLoc := range in.Locations.All() {
			lvl := in.ERP.Level(it.ERPItem, erpLoc)
			got, ok := in.Shop.Available(it.ShopSKU, shopLoc)
			if !ok && lvl.Sequence == 0 {
				continue // never stocked there: neither system has counted it
			}
			c.Compared++
			if !ok || !got.Value.Equal(lvl.Available.Value) {
				c.Drift = append(c.Drift, fmt.Sprintf("%s@%s: shop %s, ERP %s", it.ShopSKU, shopLoc, got.Value, lvl.Available.Value))
			}
		}
	}
	sort.Strings(c.Drift)
	return c
}

func (in *Integration) checkStockTotals() Check {
	c := Check{Name: "stock: shop available = ERP available, per item (Business Central: one level over all locations)"}
	for _, it := range in.Catalogue {
		lvl := in.ERP.Level(it.ERPItem, bcStockLocation)
		total, set := canonical.Decimal{}, false
		for _, loc := range storeLocations {
			if q, ok := in.Shop.Available(it.ShopSKU, loc); ok {
				total, _ = total.Add(q.Value)
				set = true
			}
		}
		if !set && lvl.Sequence == 0 {
			continue // never stocked: neither system has counted it
		}
		c.Compared++
		if !set || !total.Equal(lvl.Available.Value) {
			c.Drift = append(c.Drift, fmt.Sprintf("%s: shop %s, ERP %s", it.ShopSKU, total, lvl.Available.Value))
		}
	}
	sort.Strings(c.Drift)
	return c
}

// checkOrders: every shop order that is not parked is in the ERP exactly
// once, with the same status and quantities. Business Central's lines are
// paired with the shop's by item, in order (see lineMatch).
func (in *Integration) checkOrders(ctx context.Context) Check {
	c := Check{Name: "orders: one ERP order per shop order, same lines"}
	parked := in.parkedKeys(ctx, FlowOrders)
	byPO := map[string]int{}
	for _, o := range in.ERP.Orders() {
		byPO[o.CustomerPO]++
	}
	for _, so := range in.Shop.ListOrders() {
		if parked[so.Number] {
			continue
		}
		c.Compared++
		switch byPO[so.Number] {
		case 0:
			if so.Status != canonical.OrderCancelled {
				c.Drift = append(c.Drift, so.Number+": missing in the ERP")
			}
			// Otherwise it was cancelled before the ERP took it: the shop
			// was read only after the cancellation (Shopify's orders show
			// what an order is now), and there is nothing to fulfil.
			continue
		case 1:
		default:
			c.Drift = append(c.Drift, fmt.Sprintf("%s: %d ERP orders", so.Number, byPO[so.Number]))
		}
		eo, _ := in.ERP.OrderByPO(so.Number)
		if (so.Status == canonical.OrderCancelled) != (eo.Status == canonical.OrderCancelled) {
			c.Drift = append(c.Drift, fmt.Sprintf("%s: shop %s, ERP %s", so.Number, so.Status, eo.Status))
			continue
		}
		if so.Status == canonical.OrderCancelled {
			// Nothing of a cancelled order ships, so its lines no longer
			// matter. They can differ: an order amended and cancelled
			// between two reads of Shopify reaches the ERP as a
			// cancellation of the version it had, and a cancelled Shopify
			// order shows a line an edit removed with its first quantity.
			continue
		}
		match := in.matchLines(so, eo)
		for _, l := range so.Lines {
			id := l.LineID
			if in.erpOn == OnBusinessCentral {
				if !l.Ordered.Value.IsPos() {
					continue // Business Central deleted the line
				}
				id, _ = match.erpLine(l.LineID)
			}
			el, ok := eo.Line(id)
			if !ok || !el.Ordered.Value.Equal(l.Ordered.Value) {
				c.Drift = append(c.Drift, fmt.Sprintf("%s line %s: shop ordered %s, ERP %v", so.Number, l.LineID, l.Ordered.Value, el))
			}
		}
	}
	return c
}

// checkInvoices: every ERP invoice is in the ledger with the same amount.
func (in *Integration) checkInvoices() Check {
	c := Check{Name: "invoices: ledger = ERP"}
	erpTotal := canonical.Zero(Currency)
	for _, o := range in.ERP.Orders() {
		for _, inv := range in.ERP.InvoicesOf(o.Number) {
			c.Compared++
			erpTotal, _ = erpTotal.Add(inv.Totals.Payable)
			got, ok := in.Ledger.Invoice(inv.Number)
			if !ok {
				c.Drift = append(c.Drift, inv.Number+": missing in the ledger")
			} else if !got.Totals.Payable.Equal(inv.Totals.Payable) {
				c.Drift = append(c.Drift, fmt.Sprintf("%s: ERP %s, ledger %s", inv.Number, inv.Totals.Payable, got.Totals.Payable))
			}
		}
	}
	if t := in.Ledger.Totals(Currency); !t.Invoiced.Equal(erpTotal) {
		c.Drift = append(c.Drift, fmt.Sprintf("total invoiced: ERP %s, ledger %s", erpTotal, t.Invoiced))
	}
	return c
}

// checkCredits: every refund became one credit note in the ERP and one in
// the ledger, for the refunded amount.
func (in *Integration) checkCredits() Check {
	c := Check{Name: "credit notes: refunds = ERP credits = ledger credits"}
	refunded := canonical.Zero(Currency)
	for _, so := range in.Shop.ListOrders() {
		for _, r := range in.Shop.RefundsOf(so.Number) {
			if len(r.Lines) == 0 && r.Shipping == nil {
				continue // a cancellation or amendment refund: nothing invoiced to credit
			}
			id := refundID(r)
			if id == "" {
				continue
			}
			if _, ok := in.Ledger.CreditNote("CN-" + id); !ok {
				continue // parked: reported with the exceptions
			}
			c.Compared++
			refunded, _ = refunded.Add(r.Amount)
		}
	}
	if t := in.Ledger.Totals(Currency); !t.Credited.Equal(refunded) {
		c.Drift = append(c.Drift, fmt.Sprintf("credited: refunds %s, ledger %s", refunded, t.Credited))
	}
	return c
}

// checkPayments: the ledger received what the shop captured.
func (in *Integration) checkPayments(ctx context.Context) Check {
	c := Check{Name: "payments: ledger received = shop captured"}
	parked := in.parkedKeys(ctx, FlowPayments)
	captured := canonical.Zero(Currency)
	for _, so := range in.Shop.ListOrders() {
		if _, ok := in.erpRef(ctx, entOrder, so.Number); !ok && so.Status == canonical.OrderCancelled {
			continue // cancelled before the ERP took it: refunded in full, not for the ledger
		}
		for _, t := range so.Payments {
			if t.Status == canonical.TxnSuccess && (t.Kind == canonical.TxnSale || t.Kind == canonical.TxnCapture) && !parked[t.ID] {
				c.Compared++
				captured, _ = captured.Add(t.Amount)
			}
		}
	}
	if t := in.Ledger.Totals(Currency); !t.Received.Equal(captured) {
		c.Drift = append(c.Drift, fmt.Sprintf("received: shop captured %s, ledger %s", captured, t.Received))
	}
	return c
}

func (in *Integration) parkedKeys(ctx context.Context, flowName string) map[string]bool {
	out := map[string]bool{}
	for ex, err := range in.Store.Exceptions(ctx, store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err == nil {
			out[ex.Key] = true
		}
	}
	return out
}

// WriteReport prints per-flow outcome counts, the parked exceptions with
// their reasons, and the reconciliation.
func (in *Integration) WriteReport(ctx context.Context, w io.Writer, st Story) error {
	if in.erpOn == OnBusinessCentral {
		fmt.Fprint(w, bcDifferences)
	}
	fmt.Fprintf(w, "\nThe day: %d orders, %d amended, %d cancelled, %d partly refunded, %d duplicate customer accounts,\n",
		st.Orders, st.Amended, st.Cancelled, st.Refunded, st.DuplicateCustomers)
	fmt.Fprintf(w, "         %d accounts on credit hold, %d undeliverable addresses, %d stock receipts\n",
		st.CreditHolds, st.BadAddresses, st.Receipts)

	fmt.Fprintf(w, "\n%-20s %7s %8s %8s %7s %8s  %s\n", "flow", "read", "applied", "skipped", "parked", "retries", "skipped by reason")
	for _, f := range Flows {
		s, err := in.Engine.Stats(f)
		if err != nil {
			return err
		}
		var skipped int64
		var reasons []string
		for r, n := range s.Skipped {
			skipped += n
			reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
		}
		sort.Strings(reasons)
		var parked int64
		for _, n := range s.Parked {
			parked += n
		}
		fmt.Fprintf(w, "%-20s %7d %8d %8d %7d %8d  %s\n", f, s.Read, s.Applied, skipped, parked, s.Retries, strings.Join(reasons, ", "))
	}

	type group struct {
		flow string
		kind connector.Kind
	}
	open := map[group][]store.Exception{}
	closed := map[group][]store.Exception{}
	for ex, err := range in.Store.Exceptions(ctx, store.ExceptionFilter{}) {
		if err != nil {
			return err
		}
		g := group{ex.Flow, ex.Kind}
		if ex.Status == store.Open {
			open[g] = append(open[g], ex)
		} else {
			closed[g] = append(closed[g], ex)
		}
	}
	list := func(title string, groups map[group][]store.Exception, show int) {
		var keys []group
		n := 0
		for g, exs := range groups {
			keys = append(keys, g)
			n += len(exs)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].flow != keys[j].flow {
				return keys[i].flow < keys[j].flow
			}
			return keys[i].kind < keys[j].kind
		})
		fmt.Fprintf(w, "\n%s: %d\n", title, n)
		for _, g := range keys {
			exs := groups[g]
			fmt.Fprintf(w, "  %-20s %-14s %4d\n", g.flow, g.kind, len(exs))
			for i, ex := range exs {
				if i == show {
					break
				}
				msg := ex.Message
				if len(ex.Fields) > 0 {
					msg = ex.Fields[0].Path + ": " + ex.Fields[0].Message
				}
				fmt.Fprintf(w, "      e.g. %s %s: %s", ex.ID, ex.Key, msg)
				if ex.Resolution != "" {
					fmt.Fprintf(w, " [%s]", ex.Resolution)
				}
				fmt.Fprintln(w)
			}
		}
	}
	list("Exceptions parked during the day, then fixed and replayed", closed, 1)
	list("Exceptions still open", open, 3)

	fmt.Fprintln(w, "\nReconciliation:")
	for _, c := range in.Reconcile(ctx) {
		mark := "ok   "
		if !c.OK() {
			mark = "DRIFT"
		}
		fmt.Fprintf(w, "  %s %s (%d compared)\n", mark, c.Name, c.Compared)
		for i, d := range c.Drift {
			if i == 5 {
				fmt.Fprintf(w, "        ... and %d more\n", len(c.Drift)-5)
				break
			}
			fmt.Fprintf(w, "        %s\n", d)
		}
	}
	t := in.Ledger.Totals(Currency)
	fmt.Fprintf(w, "\nLedger: invoiced %s, credited %s, received %s, outstanding %s\n", t.Invoiced, t.Credited, t.Received, t.Outstanding)
	fmt.Fprintf(w, "        (customers pay at checkout, so credit notes on paid invoices leave a negative balance: the shop refunded it to the card)\n")
	if s, ok := in.Shop.(interface{ summary() string }); ok {
		fmt.Fprintf(w, "\n%s\n", s.summary())
	}
	if s, ok := in.ERP.(interface{ summary() string }); ok {
		fmt.Fprintf(w, "\n%s\n", s.summary())
	}
	return nil
}

// bcDifferences says where the day on Business Central differs from the day
// on memerp, for the report's header (bcBack and the flows say it in code).
const bcDifferences = `
The ERP is the Business Central fake (bctest), reached through the connector over HTTP. Where it differs from memerp:
  - no allocation (API v2.0 exposes no reservations): an order takes no stock until a warehouse wave posts its shipment,
    oldest order first from what is on hand; the shop sells what is on hand
  - one stock level per item, the total over all locations: the shop sells it from its warehouse, and the stock check
    compares totals per item
  - despatches are posted shipments, shipped and invoiced at once (one invoice each); the carrier books them after, so
    a refused label waits on a parcel already invoiced, and tracking→erp has nothing to confirm (all filtered)
  - Business Central numbers its order lines and matches amended ones by item, in order: so do the flows and checks
  - a fully posted order is deleted (the shop's later versions of it are filtered), a cancelled one too: the
    read-backs show them from the last view a warehouse wave had
  - a credit hold is the customer blocked for shipping; new accounts have no credit limit
  - shipping is a line on G/L account ` + bcChargeAccount + ` that the fake charges no VAT on, so its invoices are 20% of the
    shipping less than the shop charged; refunds are credited on G/L account ` + bcCreditAccount + `
`
