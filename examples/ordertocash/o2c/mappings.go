package o2c

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/mapping"
)

// Crosswalk entity names.
const (
	entCustomer = "Customer"
	entOrder    = "SalesOrder"
	entShipment = "Shipment"
	entInvoice  = "Invoice"
)

// customerToERP prepares a shop account for the ERP. Two shop accounts with
// one email (a guest checkout beside a registered account) are one ERP
// account: the second is linked in the crosswalk to the first, so the engine
// hands the ERP the existing account to update instead of creating another.
func (in *Integration) customerToERP(ctx context.Context, env flow.Env, c canonical.Customer) (canonical.Customer, error) {
	var errs mapping.Errors
	shopRef, ok := c.Ref(Shop)
	if !ok {
		errs.Add("refs", "required", "the shop account has no shop ref", "")
	}
	out := c
	// The ERP numbers its own accounts: Business Central would otherwise
	// take the shop's customer number (Shopify's ID) as its No.
	out.Refs, out.Number = nil, ""
	out.Email = mapping.NormalizeEmail(c.Email, false)
	out.Addresses = make([]canonical.Address, len(c.Addresses))
	for i, a := range c.Addresses {
		na, err := mapping.NormalizeAddress(a)
		if err != nil {
			errs.Collect(mapping.Path("addresses", i), err)
			na = a
		}
		out.Addresses[i] = na
		if out.Phone != "" && i == 0 {
			if p, err := mapping.E164(out.Phone, na.Country); err == nil {
				out.Phone = p
			}
		}
	}
	if err := errs.Err(); err != nil {
		return out, err
	}
	if out.Email != "" {
		emailRef := canonical.ExternalRef{System: "email", ID: out.Email}
		id, found, err := env.XRef.Lookup(ctx, entCustomer, emailRef)
		if err != nil {
			return out, connector.Errorf(connector.Transient, "crosswalk", "lookup %s: %w", emailRef, err)
		}
		if !found {
			id = shopRef.String()
			if err := env.XRef.Link(ctx, entCustomer, id, emailRef); err != nil {
				return out, connector.Errorf(connector.Transient, "crosswalk", "link %s: %w", emailRef, err)
			}
		}
		// The shop's ref says it is a "customer"; the engine knows the change
		// by the feed's system and key alone, and finds the account to update
		// by that ref. Both must lead to the first account.
		for _, r := range []canonical.ExternalRef{shopRef, {System: shopRef.System, ID: shopRef.ID}} {
			if err := env.XRef.Link(ctx, entCustomer, id, r); err != nil {
				return out, connector.Errorf(connector.Transient, "crosswalk", "link %s: %w", r, err)
			}
		}
	}
	return out, nil
}

// erpCustomer resolves the ERP account of a shop order's customer, creating
// it from the order when the customer flow has not run for it yet (a guest
// checkout): resolve-or-create through the crosswalk.
func (in *Integration) erpCustomer(ctx context.Context, env flow.Env, o canonical.SalesOrder) (canonical.ExternalRef, error) {
	shopRef, ok := o.Customer.Ref(Shop)
	if !ok {
		var errs mapping.Errors
		errs.Add("customer.refs", "required", "the order names no shop customer", "")
		return canonical.ExternalRef{}, errs.Err()
	}
	ref, err := mapping.Translate(ctx, env.XRef, entCustomer, shopRef, ERP)
	if err == nil {
		return ref, nil
	}
	if !errors.Is(err, mapping.ErrUnmapped) {
		return ref, err
	}
	_, _, err = mapping.ResolveOrCreate(ctx, env.XRef, entCustomer, shopRef, func(ctx context.Context) (string, canonical.ExternalRef, error) {
		c := canonical.Customer{Name: o.Customer.Name, Email: mapping.NormalizeEmail(o.Customer.Email, false), Currency: o.Currency}
		if !o.BillTo.IsZero() {
			c.Addresses = []canonical.Address{o.BillTo}
		} else if !o.ShipTo.IsZero() {
			c.Addresses = []canonical.Address{o.ShipTo}
		}
		res, err := in.ERP.Customers().Apply(ctx, connector.Write[canonical.Customer]{
			Change:         connector.Change[canonical.Customer]{System: Shop, Key: shopRef.ID, Entity: c},
			IdempotencyKey: "o2c-customer-" + shopRef.ID,
		})
		return shopRef.String(), res.Ref, err
	})
	if err != nil {
		return canonical.ExternalRef{}, err
	}
	return mapping.Translate(ctx, env.XRef, entCustomer, shopRef, ERP)
}

// orderToERP turns a shop order into an ERP sales order: the customer is the
// ERP account, SKUs become ERP items through the SKU table, line IDs stay so
// that amendments, shipments and invoices keep pointing at the same lines, and
// payments stay with finance.
func (in *Integration) orderToERP(ctx context.Context, env flow.Env, o canonical.SalesOrder) (canonical.SalesOrder, error) {
	var errs mapping.Errors
	out := o
	out.Refs = nil
	out.Payments = nil
	out.Lines = make([]canonical.SalesOrderLine, len(o.Lines))
	for i, l := range o.Lines {
		l.SKU = in.SKUs.Map(&errs, mapping.Path("lines", i, "sku"), l.SKU)
		l.Shipped, l.Invoiced, l.Returned, l.Allocated = canonical.Quantity{}, canonical.Quantity{}, canonical.Quantity{}, canonical.Quantity{}
		out.Lines[i] = l
	}
	if err := errs.Err(); err != nil {
		return out, err
	}
	if t, ok := taxOfTotals(o); ok {
		out.Taxes = []canonical.TaxLine{t}
	}
	ref, err := in.erpCustomer(ctx, env, o)
	if err != nil {
		return out, err
	}
	out.Customer = canonical.PartyRef{Refs: []canonical.ExternalRef{ref}, Name: o.Customer.Name, Email: o.Customer.Email}
	return out, nil
}

// taxOfTotals gives an order whose shop reports only its total tax (Shopify's
// orders carry currentTotalTaxSet, no breakdown) one document tax line, so
// the ERP invoices the VAT the customer paid: taxable is the lines less
// allowances plus charges, the rate what the tax makes of it. An order with a
// breakdown, or no tax, keeps what it has.
func taxOfTotals(o canonical.SalesOrder) (canonical.TaxLine, bool) {
	if len(o.Taxes) > 0 || !o.Totals.Tax.Amount.IsPos() {
		return canonical.TaxLine{}, false
	}
	for _, l := range o.Lines {
		if len(l.Taxes) > 0 {
			return canonical.TaxLine{}, false
		}
	}
	taxable, err := o.Totals.LineNet.Sub(o.Totals.Allowances)
	if err == nil && !o.Totals.Charges.IsZero() {
		taxable, err = taxable.Add(o.Totals.Charges)
	}
	if err != nil || !taxable.Amount.IsPos() {
		return canonical.TaxLine{}, false
	}
	rate, err := o.Totals.Tax.Amount.Quo(taxable.Amount)
	if err != nil {
		return canonical.TaxLine{}, false
	}
	return canonical.TaxLine{Category: "S", Name: "VAT", Rate: rate.Round(4, canonical.HalfUp), Taxable: taxable, Tax: o.Totals.Tax}, true
}

// despatchToCourier books the ERP's planned despatch with the carrier. An
// address an operator corrected after a failed label replaces the original.
func (in *Integration) despatchToCourier(_ context.Context, _ flow.Env, s canonical.Shipment) (canonical.Shipment, error) {
	out := s
	out.Carrier, out.Service = Courier, "standard"
	if fix, ok := in.addressFix(s.Number); ok {
		out.ShipTo = fix
	}
	return out, nil
}

// cancelAsVoid turns a despatch the ERP cancelled into a Delete, which the
// carrier takes as "void the label".
func cancelAsVoid(c connector.Change[canonical.Shipment]) ([]connector.Change[canonical.Shipment], error) {
	if c.Entity.Status == canonical.ShipmentCancelled {
		c.Op = connector.Delete
	}
	return []connector.Change[canonical.Shipment]{c}, nil
}

// toBook keeps despatches waiting for a label and cancellations of booked
// ones. A planned despatch the ERP has cancelled since (the customer cancelled
// while the flow was catching up) is not booked at all: the filter re-reads it
// before buying a label nobody needs.
//
// Business Central has no planned despatch: its despatches are posted
// shipments, which have left the warehouse (and are invoiced) when the feed
// yields them, and which it never cancels through the API. Each one is booked
// with the carrier as it comes; a posted shipment never changes, so the feed
// yields it once.
func (in *Integration) toBook(_ context.Context, c connector.Change[canonical.Shipment]) (bool, string) {
	switch {
	case c.Op == connector.Delete:
		return true, ""
	case in.erpOn == OnBusinessCentral:
		if c.Entity.Status != canonical.ShipmentShipped {
			return false, "Business Central's despatches are posted shipments; this one is not"
		}
		return true, ""
	case c.Entity.Status != canonical.ShipmentPlanned:
		return false, "only planned despatches are booked with the carrier; later states come back from it"
	}
	if now, ok := in.ERP.Shipment(c.Key); ok && now.Status == canonical.ShipmentCancelled {
		return false, "the ERP cancelled the despatch before a label was bought"
	}
	return true, ""
}

// toConfirm keeps the carrier's events from collection on, and voids. A
// label bought is not yet a parcel sent: until the carrier collects it the
// label can be voided (a cancelled shipment), and the ERP, which posts a
// despatch and invoices it as soon as it hears it is sent, must not hear of it
// before. A void then reaches the ERP as a cancellation of a despatch it has
// not posted, which returns the quantities to the order for the next wave.
//
// Business Central posted the shipment (and its invoice) before the carrier
// had it: there is nothing left to confirm, and API v2.0 has no field for
// the tracking number on a posted shipment. The connector's confirmation sink
// would answer Unchanged for a posted shipment, but refuse a void, which
// Business Central undoes in its own client; the flow keeps none of it.
func (in *Integration) toConfirm(_ context.Context, c connector.Change[canonical.Shipment]) (bool, string) {
	if in.erpOn == OnBusinessCentral {
		return false, "Business Central posted the shipment before the carrier had it: nothing to confirm"
	}
	if c.Op != connector.Delete && c.Entity.Status == canonical.ShipmentLabelCreated {
		return false, "a label bought is not a parcel sent: the ERP hears of it when the carrier collects it"
	}
	return true, ""
}

// creditable keeps refunds of delivered goods. A refund with no lines and no
// shipping settles a cancellation or an amendment, which the ERP order change
// already reflects: there is no invoice to credit. So does the refund of an
// order cancelled before anything shipped, even when it names the lines it
// gave up (Shopify's cancellation refunds do).
func (in *Integration) creditable(_ context.Context, c connector.Change[canonical.Refund]) (bool, string) {
	r := c.Entity
	if len(r.Lines) == 0 && r.Shipping == nil {
		return false, "a cancellation or amendment refund has no invoice to credit"
	}
	if o, ok := in.Shop.OrderByNumber(r.Order); ok && o.Status == canonical.OrderCancelled && !shippedAny(o) {
		return false, "the refund of an order cancelled before anything shipped has no invoice to credit"
	}
	return true, ""
}

func shippedAny(o canonical.SalesOrder) bool {
	for _, l := range o.Lines {
		if l.Shipped.Value.IsPos() {
			return true
		}
	}
	return false
}

// trackingToShop turns the carrier's view of a parcel into the shop's
// fulfilment: the ERP order becomes the shop order, ERP items become shop
// SKUs, and ERP order lines the shop's (see lineMatch).
func (in *Integration) trackingToShop(ctx context.Context, env flow.Env, s canonical.Shipment) (canonical.Shipment, error) {
	var errs mapping.Errors
	out := s
	out.Refs = nil
	shopOrder, err := mapping.Translate(ctx, env.XRef, entOrder, canonical.ExternalRef{System: ERP, ID: s.Order}, Shop)
	if err != nil {
		return out, err
	}
	match, err := in.despatchLines(s.Number, shopOrder.ID, s.Order)
	if err != nil {
		return out, err
	}
	out.Order = shopOrder.ID
	out.Lines = make([]canonical.ShipmentLine, len(s.Lines))
	for i, l := range s.Lines {
		l.SKU = in.erpSKUs.Map(&errs, mapping.Path("lines", i, "sku"), l.SKU)
		l.OrderLine.Document = shopOrder.ID
		if id, ok := match.shopLine(l.OrderLine.LineID); ok {
			l.OrderLine.LineID = id
		} else {
			errs.Add(mapping.Path("lines", i, "orderLine", "lineId"), "unmatched", fmt.Sprintf(
				"ERP line %s of order %s matches no line of shop order %s", l.OrderLine.LineID, s.Order, shopOrder.ID), l.OrderLine.LineID)
		}
		out.Lines[i] = l
	}
	if err := errs.Err(); err != nil {
		// Pair the lines afresh when the change is replayed.
		in.mu.Lock()
		delete(in.shipmentLines, s.Number)
		in.mu.Unlock()
		return out, err
	}
	return out, nil
}

// lineMatch pairs the lines of a shop order with those of its ERP order.
// memerp keeps the shop's line IDs, so the zero lineMatch, which pairs every
// line ID with itself, serves it. Business Central numbers its own lines
// (10000, 20000, ...) and has no field for the shop's line ID: its connector
// matches an amended order's lines by item, in order, so the k-th shop line
// selling an item is the k-th Business Central line selling it. Lines of
// quantity zero are left out on both sides (Shopify drops a line edited to
// zero, Business Central posts nothing of one).
type lineMatch struct{ toShop, toERP map[string]string }

// shopLine returns the shop's line ID of an ERP line.
func (m lineMatch) shopLine(erpLine string) (string, bool) {
	if m.toShop == nil {
		return erpLine, true
	}
	id, ok := m.toShop[erpLine]
	return id, ok
}

// erpLine returns the ERP's line ID of a shop line.
func (m lineMatch) erpLine(shopLine string) (string, bool) {
	if m.toERP == nil {
		return shopLine, true
	}
	id, ok := m.toERP[shopLine]
	return id, ok
}

// matchLines pairs a shop order's lines with its ERP order's.
func (in *Integration) matchLines(shop, erpOrder canonical.SalesOrder) lineMatch {
	if in.erpOn != OnBusinessCentral {
		return lineMatch{}
	}
	m := lineMatch{toShop: map[string]string{}, toERP: map[string]string{}}
	queue := map[string][]string{} // ERP item → shop line IDs, in order
	for _, l := range shop.Lines {
		if !l.Ordered.Value.IsPos() {
			continue
		}
		if item, ok := in.SKUs.Get(l.SKU); ok {
			queue[item] = append(queue[item], l.LineID)
		}
	}
	lines := slices.Clone(erpOrder.Lines)
	seq := func(l canonical.SalesOrderLine) int { n, _ := strconv.Atoi(l.LineID); return n }
	slices.SortStableFunc(lines, func(a, b canonical.SalesOrderLine) int { return cmp.Compare(seq(a), seq(b)) })
	for _, l := range lines {
		if q := queue[l.SKU]; l.Ordered.Value.IsPos() && len(q) > 0 {
			m.toShop[l.LineID], m.toERP[q[0]] = q[0], l.LineID
			queue[l.SKU] = q[1:]
		}
	}
	return m
}

// despatchLines pairs the lines of an ERP despatch's order with the shop
// order's. On Business Central the pairing of a despatch is made once, when
// its first tracking event arrives, and kept: a later amendment of what is
// left of the order must not move the lines of a parcel already sent.
func (in *Integration) despatchLines(despatch, shopOrder, erpOrder string) (lineMatch, error) {
	if in.erpOn != OnBusinessCentral {
		return lineMatch{}, nil
	}
	in.mu.Lock()
	m, ok := in.shipmentLines[despatch]
	in.mu.Unlock()
	if ok {
		return m, nil
	}
	so, ok := in.Shop.OrderByNumber(shopOrder)
	if !ok {
		return m, connector.Errorf(connector.Transient, Shop, "read order %s to pair the lines of despatch %s", shopOrder, despatch)
	}
	eo, ok := in.ERP.Order(erpOrder)
	if !ok {
		return m, connector.Errorf(connector.Transient, ERP, "read order %s to pair the lines of despatch %s", erpOrder, despatch)
	}
	m = in.matchLines(so, eo)
	in.mu.Lock()
	in.shipmentLines[despatch] = m
	in.mu.Unlock()
	return m, nil
}

// unposted keeps the shop order changes Business Central has something to
// do with. Business Central deletes a sales order once it is fully shipped
// and invoiced; the shop goes on changing the order after that (it records
// the fulfilments), and a version whose lines are what Business Central
// posted has nothing left to change there: sent, it would find no order to
// amend and park. A version that does change the lines goes on, to be
// refused as the business rule it is.
func (in *Integration) unposted(_ context.Context, c connector.Change[canonical.SalesOrder]) (bool, string) {
	so := c.Entity
	if c.Op == connector.Delete || so.Status == canonical.OrderCancelled {
		return true, ""
	}
	eo, ok := in.ERP.OrderByPO(so.CustomerPO)
	if !ok || eo.Status != canonical.OrderCompleted {
		return true, ""
	}
	m := in.matchLines(so, eo)
	n := 0
	for _, l := range so.Lines {
		if !l.Ordered.Value.IsPos() {
			continue
		}
		n++
		id, _ := m.erpLine(l.LineID)
		if el, ok := eo.Line(id); !ok || !el.Ordered.Value.Equal(l.Ordered.Value) {
			return true, ""
		}
	}
	for _, l := range eo.Lines {
		if l.Ordered.Value.IsPos() {
			n--
		}
	}
	if n != 0 {
		return true, "" // a line added since
	}
	return false, "Business Central deleted the order once fully shipped and invoiced, and this version changes none of its lines"
}

// paymentIn is one captured payment of a shop order, split out of the order
// feed so each capture is its own change.
type paymentIn struct {
	Order    string                       `json:"order"`
	Customer canonical.PartyRef           `json:"customer"`
	Txn      canonical.PaymentTransaction `json:"txn"`
	// Cancelled says the order was cancelled when the capture was read.
	Cancelled bool `json:"cancelled,omitempty"`
}

// captures splits an order change into its successful captures. A capture
// never changes, so it has version 1 and the engine skips it as a duplicate
// when a later version of the order repeats it.
func captures(c connector.Change[canonical.SalesOrder]) ([]connector.Change[paymentIn], error) {
	var out []connector.Change[paymentIn]
	for _, t := range c.Entity.Payments {
		if t.Status != canonical.TxnSuccess || (t.Kind != canonical.TxnSale && t.Kind != canonical.TxnCapture) {
			continue
		}
		out = append(out, connector.Change[paymentIn]{
			Key: t.ID, Version: connector.SeqVersion(1), Raw: c.Raw,
			Entity: paymentIn{Order: c.Entity.Number, Customer: c.Entity.Customer, Txn: t, Cancelled: c.Entity.Status == canonical.OrderCancelled},
		})
	}
	return out, nil
}

// payable keeps the captures of orders the ERP took. An order placed and
// cancelled between two reads of the shop (Shopify's orders show only what
// an order is now) is first seen cancelled, and the ERP does not take an
// order it would only cancel: the shop refunded the capture in full and no
// invoice will ask for it, so the ledger hears of neither.
func (in *Integration) payable(ctx context.Context, c connector.Change[paymentIn]) (bool, string) {
	if !c.Entity.Cancelled {
		return true, ""
	}
	if _, ok := in.erpRef(ctx, entOrder, c.Entity.Order); ok {
		return true, ""
	}
	return false, "the order was cancelled before the ERP took it: the shop refunded the capture in full"
}

// paymentToLedger records a capture as a payment by the ERP account, with the
// ERP order number as reference so the ledger matches it to the invoices.
func (in *Integration) paymentToLedger(ctx context.Context, env flow.Env, p paymentIn) (canonical.Payment, error) {
	// The order and the account must be in the ERP first; until then the
	// payment parks with the field that is missing, and is replayed.
	var errs mapping.Errors
	order, err := mapping.Translate(ctx, env.XRef, entOrder, canonical.ExternalRef{System: Shop, ID: p.Order}, ERP)
	if err := errs.Collect("reference", err); err != nil {
		return canonical.Payment{}, err
	}
	cust, err := mapping.Translate(ctx, env.XRef, entCustomer, mustRef(p.Customer, Shop), ERP)
	if err := errs.Collect("customer", err); err != nil {
		return canonical.Payment{}, err
	}
	if err := errs.Err(); err != nil {
		return canonical.Payment{}, err
	}
	at := p.Txn.At
	if at.IsZero() {
		at = env.Clock.Now()
	}
	return canonical.Payment{
		Meta:       canonical.Meta{ID: p.Txn.ID},
		Customer:   canonical.PartyRef{Refs: []canonical.ExternalRef{cust}, Email: p.Customer.Email},
		Amount:     p.Txn.Amount,
		Method:     "card",
		Reference:  order.ID,
		ReceivedOn: canonical.DateOf(at),
	}, nil
}

func mustRef(p canonical.PartyRef, system string) canonical.ExternalRef {
	r, _ := p.Ref(system)
	return r
}

// refundToCreditNote turns a shop refund into a credit note against the ERP
// invoice it refunds. A refund of an order not invoiced yet is a business
// rule: the ERP order is amended instead, by a person.
func (in *Integration) refundToCreditNote(ctx context.Context, env flow.Env, r canonical.Refund) (canonical.CreditNote, error) {
	order, err := mapping.Translate(ctx, env.XRef, entOrder, canonical.ExternalRef{System: Shop, ID: r.Order}, ERP)
	if err != nil {
		return canonical.CreditNote{}, err
	}
	invoice, ok := in.invoiceFor(order.ID, r)
	if !ok {
		return canonical.CreditNote{}, connector.Errorf(connector.BusinessRule, ERP,
			"refund %s of order %s (%s): no invoice of %s has %s left to credit", refundID(r), r.Order, order.ID, order.ID, r.Amount)
	}
	cn := canonical.CreditNote{
		Number: "CN-" + refundID(r), Status: canonical.InvoiceIssued, IssueDate: canonical.DateOf(env.Clock.Now()),
		Customer: canonical.PartyRef{}, Currency: r.Currency, Invoice: invoice, Order: order.ID,
		Reason: r.Reason, Refund: refundID(r),
	}
	if inv, ok := in.ERP.Invoice(invoice); ok {
		cn.Customer = inv.Customer
	}
	total := canonical.Zero(r.Currency)
	for i, l := range r.Lines {
		ol := canonical.LineRef{Document: order.ID, LineID: l.OrderLine.LineID}
		cn.Lines = append(cn.Lines, canonical.InvoiceLine{
			LineID: fmt.Sprintf("C%d", i+1), OrderLine: &ol,
			Description: fmt.Sprintf("refund of %s of line %s", l.Quantity.Value, l.OrderLine.LineID),
			Quantity:    canonical.Qty(1, canonical.UnitOne), UnitPrice: l.Amount, Net: l.Amount,
		})
		total, _ = total.Add(l.Amount)
	}
	if r.Shipping != nil && !r.Shipping.IsZero() {
		cn.Lines = append(cn.Lines, canonical.InvoiceLine{
			LineID: fmt.Sprintf("C%d", len(cn.Lines)+1), Description: "shipping refund",
			Quantity: canonical.Qty(1, canonical.UnitOne), UnitPrice: *r.Shipping, Net: *r.Shipping,
		})
		total, _ = total.Add(*r.Shipping)
	}
	cn.Totals = canonical.Totals{LineNet: total, Payable: total}
	return cn, nil
}

// invoiceFor chooses the invoice a refund credits: the first invoice of the
// order, preferring those that billed the refunded lines, with enough left
// after the order's earlier refunds. The choice depends only on the order's
// invoices and refunds, so the ERP and the ledger flows agree on it whenever
// they run.
func (in *Integration) invoiceFor(erpOrder string, r canonical.Refund) (string, bool) {
	invs := in.ERP.InvoicesOf(erpOrder)
	left := map[string]canonical.Money{}
	for _, inv := range invs {
		left[inv.Number] = inv.Totals.Payable
	}
	var match lineMatch
	if in.erpOn == OnBusinessCentral {
		// The invoices' lines are Business Central's; the refund's the shop's.
		so, _ := in.Shop.OrderByNumber(r.Order)
		eo, _ := in.ERP.Order(erpOrder)
		match = in.matchLines(so, eo)
	}
	pick := func(r canonical.Refund) (string, bool) {
		lines := map[string]bool{}
		for _, l := range r.Lines {
			if id, ok := match.erpLine(l.OrderLine.LineID); ok {
				lines[id] = true
			}
		}
		fits := func(inv canonical.Invoice) bool {
			c, err := left[inv.Number].Cmp(r.Amount)
			return err == nil && c >= 0
		}
		for _, inv := range invs {
			for _, l := range inv.Lines {
				if l.OrderLine != nil && lines[l.OrderLine.LineID] && fits(inv) {
					return inv.Number, true
				}
			}
		}
		for _, inv := range invs {
			if fits(inv) {
				return inv.Number, true
			}
		}
		return "", false
	}
	for _, prev := range in.Shop.RefundsOf(r.Order) {
		if len(prev.Lines) == 0 && prev.Shipping == nil {
			continue
		}
		n, ok := pick(prev)
		if refundID(prev) == refundID(r) {
			return n, ok
		}
		if ok {
			left[n], _ = left[n].Sub(prev.Amount)
		}
	}
	return pick(r)
}

// refundID is the shop's ID of a refund, which numbers its credit notes. A
// platform's global ID ("gid://shopify/Refund/7") gives its numeric tail.
func refundID(r canonical.Refund) string {
	id := r.ID
	if ref, ok := r.Ref(Shop); ok {
		id = ref.ID
	}
	if strings.HasPrefix(id, "gid://") {
		id = id[strings.LastIndexByte(id, '/')+1:]
	}
	return id
}

// stockToShop maps an ERP stock level to the shop's SKU and location.
func (in *Integration) stockToShop(_ context.Context, _ flow.Env, l canonical.StockLevel) (canonical.StockLevel, error) {
	var errs mapping.Errors
	out := l
	out.SKU = in.erpSKUs.Map(&errs, "sku", l.SKU)
	out.Location = in.Locations.Map(&errs, "location", l.Location)
	return out, errs.Err()
}
