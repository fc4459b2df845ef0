package o2c

import (
	"context"
	"errors"
	"fmt"
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
	out.Refs = nil // the ERP numbers its own accounts
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
func (in *Integration) toBook(_ context.Context, c connector.Change[canonical.Shipment]) (bool, string) {
	switch {
	case c.Op == connector.Delete:
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
func toConfirm(_ context.Context, c connector.Change[canonical.Shipment]) (bool, string) {
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
// fulfilment: the ERP order becomes the shop order and ERP items become shop
// SKUs.
func (in *Integration) trackingToShop(ctx context.Context, env flow.Env, s canonical.Shipment) (canonical.Shipment, error) {
	var errs mapping.Errors
	out := s
	out.Refs = nil
	shopOrder, err := mapping.Translate(ctx, env.XRef, entOrder, canonical.ExternalRef{System: ERP, ID: s.Order}, Shop)
	if err != nil {
		return out, err
	}
	out.Order = shopOrder.ID
	out.Lines = make([]canonical.ShipmentLine, len(s.Lines))
	for i, l := range s.Lines {
		l.SKU = in.erpSKUs.Map(&errs, mapping.Path("lines", i, "sku"), l.SKU)
		l.OrderLine.Document = shopOrder.ID
		out.Lines[i] = l
	}
	return out, errs.Err()
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
	pick := func(r canonical.Refund) (string, bool) {
		lines := map[string]bool{}
		for _, l := range r.Lines {
			lines[l.OrderLine.LineID] = true
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
