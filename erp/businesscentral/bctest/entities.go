package bctest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// The fake's records. Field names follow the API v2.0 resource types:
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/resources/dynamics_customer
// (and dynamics_item, dynamics_salesorder, dynamics_salesorderline,
// dynamics_salesshipment, dynamics_salesinvoice, dynamics_itemledgerentry).

type customer struct {
	id, number, displayName, typ                          string
	addressLine1, addressLine2, city, state, country, zip string
	phone, email, website, currencyCode, taxRegNo         string
	blocked                                               string // "", "Ship", "Invoice", "All"
	creditLimit, balanceDue                               canonical.Decimal
	modified                                              time.Time
	ver                                                   int64
	cache                                                 rendered
}

type item struct {
	id, number, displayName, typ, gtin, baseUnit string
	blocked, priceIncludesTax                    bool
	unitPrice, unitCost, inventory               canonical.Decimal
	taxPercent                                   canonical.Decimal // the fake's VAT rate for lines of this item
	modified                                     time.Time
	ver                                          int64
	cache                                        rendered
}

type orderLine struct {
	id                                          string
	sequence                                    int
	lineType, objectNumber, description, uom    string
	itemID                                      string
	quantity, unitPrice, discountAmount         canonical.Decimal
	discountPercent                             canonical.Decimal
	shipped, invoiced, shipQty, invoiceQty      canonical.Decimal
	taxPercent                                  canonical.Decimal
	shipmentDate                                canonical.Date
	ver                                         int64
	amount, tax, invoiceDiscountAllocation, net canonical.Decimal // computed
	netInclTax                                  canonical.Decimal // computed
}

type address struct {
	name, contact, line1, line2, city, state, country, zip string
}

type order struct {
	id, number, extDoc     string
	cust                   *customer
	orderDate, postingDate canonical.Date
	requestedDelivery      canonical.Date
	currencyCode           string
	shipTo                 address
	phone, email           string
	discountAmount         canonical.Decimal
	lines                  []*orderLine
	nextSeq                int
	status                 string // "Draft", "In Review", "Open"
	lock                   string // why Business Central refuses changes; "" when editable
	modified               time.Time
	ver                    int64
	exclTax, tax, inclTax  canonical.Decimal // computed
	cache                  renderedDoc
}

type postedLine struct {
	id                              string
	sequence                        int
	lineType, objectNumber, descr   string
	uom                             string
	quantity, unitPrice, discount   canonical.Decimal
	taxPercent, amount, tax, amtInc canonical.Decimal
	shipmentDate                    canonical.Date
}

type shipment struct {
	id, number, orderNumber, extDoc string
	cust                            *customer
	postingDate                     canonical.Date
	currencyCode                    string
	shipTo                          address
	lines                           []*postedLine
	modified                        time.Time
	ver                             int64
	cache                           renderedDoc
}

type invoice struct {
	id, number, orderNumber, orderID, extDoc string
	cust                                     *customer
	invoiceDate, postingDate, dueDate        canonical.Date
	currencyCode                             string
	shipTo                                   address
	status                                   string // "Draft", "Open", "Paid", "Canceled"
	lines                                    []*postedLine
	exclTax, tax, inclTax, remaining         canonical.Decimal
	modified                                 time.Time
	ver                                      int64
	cache                                    renderedDoc
}

type ledgerEntry struct {
	id                                  string
	entryNumber                         int
	itemNumber                          string
	postingDate                         canonical.Date
	entryType, documentType, documentNo string
	description                         string
	quantity                            canonical.Decimal
	modified                            time.Time
	cache                               rendered
}

// keyed is an entity found by its id or its number.
type keyed interface{ keys() (id, number string) }

func (c *customer) keys() (string, string)   { return c.id, c.number }
func (it *item) keys() (string, string)      { return it.id, it.number }
func (o *order) keys() (string, string)      { return o.id, o.number }
func (inv *invoice) keys() (string, string)  { return inv.id, inv.number }
func (m *creditMemo) keys() (string, string) { return m.id, m.number }

// byID returns the entity of es with id id, compared without regard to case
// as OData keys are, or nil.
func byID[E keyed](es []E, id string) E {
	for _, e := range es {
		if eid, _ := e.keys(); strings.EqualFold(eid, id) {
			return e
		}
	}
	var none E
	return none
}

// byNumber returns the entity of es with number n, or nil.
func byNumber[E keyed](es []E, n string) E {
	for _, e := range es {
		if _, number := e.keys(); number == n {
			return e
		}
	}
	var none E
	return none
}

// ---- rendering ----

// rendered caches an entity's rendering for one version, so that listing a
// large entity set does not render every entity on every page. A change
// that is not a new version (a balance, an inventory) resets it.
type rendered struct {
	ver   int64
	o     obj
	valid bool
}

// get returns the cached rendering of version ver, or renders and caches it.
func (r *rendered) get(ver int64, render func() obj) obj {
	if r.valid && r.ver == ver {
		return r.o
	}
	o := render()
	*r = rendered{ver: ver, o: o, valid: true}
	return o
}

// renderedDoc caches a document's rendering without and with its lines.
type renderedDoc struct{ header, withLines rendered }

// get returns the cached rendering of version ver, with or without the
// lines, or renders and caches it.
func (r *renderedDoc) get(ver int64, expandLines bool, render func(expandLines bool) obj) obj {
	if expandLines {
		return r.withLines.get(ver, func() obj { return render(true) })
	}
	return r.header.get(ver, func() obj { return render(false) })
}

// renderAll renders each of xs.
func renderAll[T any](xs []T, render func(T) obj) []obj {
	out := make([]obj, len(xs))
	for i, x := range xs {
		out[i] = render(x)
	}
	return out
}

func blockedValue(b string) string {
	if b == "" {
		return " "
	}
	return b
}

func (c *customer) obj() obj { return c.cache.get(c.ver, c.render) }

func (c *customer) render() obj {
	return obj{
		{"@odata.etag", etag(c.ver)},
		{"id", c.id},
		{"number", c.number},
		{"displayName", c.displayName},
		{"type", c.typ},
		{"addressLine1", c.addressLine1},
		{"addressLine2", c.addressLine2},
		{"city", c.city},
		{"state", c.state},
		{"country", c.country},
		{"postalCode", c.zip},
		{"phoneNumber", c.phone},
		{"email", c.email},
		{"website", c.website},
		{"salespersonCode", ""},
		{"balanceDue", c.balanceDue},
		{"creditLimit", c.creditLimit},
		{"taxLiable", false},
		{"taxAreaId", zeroGUID},
		{"taxAreaDisplayName", ""},
		{"taxRegistrationNumber", c.taxRegNo},
		{"currencyId", zeroGUID},
		{"currencyCode", c.currencyCode},
		{"paymentTermsId", zeroGUID},
		{"shipmentMethodId", zeroGUID},
		{"paymentMethodId", zeroGUID},
		{"blocked", blockedValue(c.blocked)},
		{"lastModifiedDateTime", c.modified},
	}
}

// address is the customer's address, without a name.
func (c *customer) address() address {
	return address{line1: c.addressLine1, line2: c.addressLine2, city: c.city, state: c.state, country: c.country, zip: c.zip}
}

const zeroGUID = "00000000-0000-0000-0000-000000000000"

func (it *item) obj() obj { return it.cache.get(it.ver, it.render) }

func (it *item) render() obj {
	return obj{
		{"@odata.etag", etag(it.ver)},
		{"id", it.id},
		{"number", it.number},
		{"displayName", it.displayName},
		{"type", it.typ},
		{"itemCategoryId", zeroGUID},
		{"itemCategoryCode", ""},
		{"blocked", it.blocked},
		{"gtin", it.gtin},
		{"inventory", it.inventory},
		{"unitPrice", it.unitPrice},
		{"priceIncludesTax", it.priceIncludesTax},
		{"unitCost", it.unitCost},
		{"taxGroupId", zeroGUID},
		{"taxGroupCode", ""},
		{"baseUnitOfMeasureId", zeroGUID},
		{"baseUnitOfMeasureCode", it.baseUnit},
		{"generalProductPostingGroupId", zeroGUID},
		{"generalProductPostingGroupCode", ""},
		{"inventoryPostingGroupId", zeroGUID},
		{"inventoryPostingGroupCode", ""},
		{"lastModifiedDateTime", it.modified},
	}
}

// The header fields sales documents share, in Business Central's order.

// customerFields are a document's customer, who is also billed.
func customerFields(c *customer) obj {
	cn, cid, cname := "", zeroGUID, ""
	if c != nil {
		cn, cid, cname = c.number, c.id, c.displayName
	}
	return obj{
		{"customerId", cid},
		{"customerNumber", cn},
		{"customerName", cname},
		{"billToName", cname},
		{"billToCustomerId", cid},
		{"billToCustomerNumber", cn},
	}
}

// sellToBillToFields are a document's sell-to and bill-to addresses: the
// customer's address.
func sellToBillToFields(c *customer) obj {
	var a address
	if c != nil {
		a = c.address()
	}
	return obj{
		{"sellToAddressLine1", a.line1},
		{"sellToAddressLine2", a.line2},
		{"sellToCity", a.city},
		{"sellToCountry", a.country},
		{"sellToState", a.state},
		{"sellToPostCode", a.zip},
		{"billToAddressLine1", a.line1},
		{"billToAddressLine2", a.line2},
		{"billToCity", a.city},
		{"billToCountry", a.country},
		{"billToState", a.state},
		{"billToPostCode", a.zip},
	}
}

// shipToFields are a document's ship-to address lines.
func shipToFields(a address) obj {
	return obj{
		{"shipToAddressLine1", a.line1},
		{"shipToAddressLine2", a.line2},
		{"shipToCity", a.city},
		{"shipToCountry", a.country},
		{"shipToState", a.state},
		{"shipToPostCode", a.zip},
	}
}

// totalsFields are a document's discount and totals.
func totalsFields(discount, exclTax, tax, inclTax canonical.Decimal) obj {
	return obj{
		{"discountAmount", discount},
		{"discountAppliedBeforeTax", true},
		{"totalAmountExcludingTax", exclTax},
		{"totalTaxAmount", tax},
		{"totalAmountIncludingTax", inclTax},
	}
}

func (o *order) obj(expandLines bool) obj { return o.cache.get(o.ver, expandLines, o.render) }

func (o *order) render(expandLines bool) obj {
	fullyShipped := len(o.lines) > 0
	for _, l := range o.lines {
		if l.shipped.Cmp(l.quantity) < 0 {
			fullyShipped = false
		}
	}
	out := slices.Concat(
		obj{
			{"@odata.etag", etag(o.ver)},
			{"id", o.id},
			{"number", o.number},
			{"externalDocumentNumber", o.extDoc},
			{"orderDate", o.orderDate},
			{"postingDate", o.postingDate},
		},
		customerFields(o.cust),
		obj{
			{"shipToName", o.shipTo.name},
			{"shipToContact", o.shipTo.contact},
		},
		sellToBillToFields(o.cust),
		shipToFields(o.shipTo),
		obj{
			{"shortcutDimension1Code", ""},
			{"shortcutDimension2Code", ""},
			{"currencyId", zeroGUID},
			{"currencyCode", o.currencyCode},
			{"pricesIncludeTax", false},
			{"paymentTermsId", zeroGUID},
			{"shipmentMethodId", zeroGUID},
			{"salesperson", ""},
			{"partialShipping", true},
			{"requestedDeliveryDate", o.requestedDelivery},
		},
		totalsFields(o.discountAmount, o.exclTax, o.tax, o.inclTax),
		obj{
			{"fullyShipped", fullyShipped},
			{"status", o.status},
			{"lastModifiedDateTime", o.modified},
			{"phoneNumber", o.phone},
			{"email", o.email},
		},
	)
	if expandLines {
		out = append(out, field{"salesOrderLines", renderAll(o.lines, func(l *orderLine) obj { return l.obj(o.id) })})
	}
	return out
}

func (l *orderLine) obj(documentID string) obj {
	itemID, accountID := zeroGUID, zeroGUID
	if l.lineType == "Item" {
		itemID = l.itemID
	}
	return obj{
		{"@odata.etag", etag(l.ver)},
		{"id", l.id},
		{"documentId", documentID},
		{"sequence", l.sequence},
		{"itemId", itemID},
		{"accountId", accountID},
		{"lineType", l.lineType},
		{"lineObjectNumber", l.objectNumber},
		{"description", l.description},
		{"unitOfMeasureId", zeroGUID},
		{"unitOfMeasureCode", l.uom},
		{"quantity", l.quantity},
		{"unitPrice", l.unitPrice},
		{"discountAmount", l.discountAmount},
		{"discountPercent", l.discountPercent},
		{"discountAppliedBeforeTax", true},
		{"amountExcludingTax", l.amount},
		{"taxCode", ""},
		{"taxPercent", l.taxPercent},
		{"totalTaxAmount", l.tax},
		{"amountIncludingTax", l.netInclTax},
		{"invoiceDiscountAllocation", l.invoiceDiscountAllocation},
		{"netAmount", l.net},
		{"netTaxAmount", l.tax},
		{"netAmountIncludingTax", l.netInclTax},
		{"shipmentDate", l.shipmentDate},
		{"shippedQuantity", l.shipped},
		{"invoicedQuantity", l.invoiced},
		{"invoiceQuantity", l.invoiceQty},
		{"shipQuantity", l.shipQty},
		{"itemVariantId", zeroGUID},
	}
}

func (sh *shipment) obj(expandLines bool) obj { return sh.cache.get(sh.ver, expandLines, sh.render) }

func (sh *shipment) render(expandLines bool) obj {
	cn, cname := "", ""
	if sh.cust != nil {
		cn, cname = sh.cust.number, sh.cust.displayName
	}
	out := slices.Concat(
		obj{
			{"@odata.etag", etag(sh.ver)},
			{"id", sh.id},
			{"number", sh.number},
			{"externalDocumentNumber", sh.extDoc},
			{"invoiceDate", sh.postingDate},
			{"postingDate", sh.postingDate},
			{"dueDate", sh.postingDate},
			{"customerPurchaseOrderReference", sh.extDoc},
			{"customerNumber", cn},
			{"customerName", cname},
			{"billToName", cname},
			{"billToCustomerNumber", cn},
			{"shipToName", sh.shipTo.name},
			{"shipToContact", sh.shipTo.contact},
		},
		shipToFields(sh.shipTo),
		obj{
			{"currencyCode", sh.currencyCode},
			{"orderNumber", sh.orderNumber},
			{"paymentTermsCode", ""},
			{"shipmentMethodCode", ""},
			{"salesperson", ""},
			{"pricesIncludeTax", false},
			{"lastModifiedDateTime", sh.modified},
			{"phoneNumber", ""},
			{"email", ""},
		},
	)
	if expandLines {
		out = append(out, field{"salesShipmentLines", renderAll(sh.lines, func(l *postedLine) obj {
			return obj{
				{"@odata.etag", etag(sh.ver)},
				{"id", l.id},
				{"documentId", sh.id},
				{"documentNo", sh.number},
				{"sequence", l.sequence},
				{"lineType", l.lineType},
				{"lineObjectNumber", l.objectNumber},
				{"description", l.descr},
				{"unitOfMeasureCode", l.uom},
				{"unitPrice", l.unitPrice},
				{"quantity", l.quantity},
				{"discountPercent", canonical.Decimal{}},
				{"taxPercent", l.taxPercent},
				{"shipmentDate", l.shipmentDate},
			}
		})})
	}
	return out
}

func (inv *invoice) obj(expandLines bool) obj { return inv.cache.get(inv.ver, expandLines, inv.render) }

func (inv *invoice) render(expandLines bool) obj {
	out := slices.Concat(
		obj{
			{"@odata.etag", etag(inv.ver)},
			{"id", inv.id},
			{"number", inv.number},
			{"externalDocumentNumber", inv.extDoc},
			{"invoiceDate", inv.invoiceDate},
			{"postingDate", inv.postingDate},
			{"dueDate", inv.dueDate},
			{"customerPurchaseOrderReference", inv.extDoc},
		},
		customerFields(inv.cust),
		obj{
			{"shipToName", inv.shipTo.name},
			{"shipToContact", inv.shipTo.contact},
		},
		sellToBillToFields(inv.cust),
		shipToFields(inv.shipTo),
		obj{
			{"currencyId", zeroGUID},
			{"shortcutDimension1Code", ""},
			{"shortcutDimension2Code", ""},
			{"currencyCode", inv.currencyCode},
			{"orderId", inv.orderID},
			{"orderNumber", inv.orderNumber},
			{"paymentTermsId", zeroGUID},
			{"shipmentMethodId", zeroGUID},
			{"salesperson", ""},
			{"pricesIncludeTax", false},
			{"remainingAmount", inv.remaining},
		},
		totalsFields(canonical.Decimal{}, inv.exclTax, inv.tax, inv.inclTax),
		obj{
			{"status", inv.status},
			{"lastModifiedDateTime", inv.modified},
			{"phoneNumber", ""},
			{"email", ""},
		},
	)
	if expandLines {
		out = append(out, field{"salesInvoiceLines", renderAll(inv.lines, func(l *postedLine) obj { return l.obj(inv.id, inv.ver) })})
	}
	return out
}

// obj renders a line of posted invoice or credit memo documentID, at the
// document's version ver.
func (l *postedLine) obj(documentID string, ver int64) obj {
	return obj{
		{"@odata.etag", etag(ver)},
		{"id", l.id},
		{"documentId", documentID},
		{"sequence", l.sequence},
		{"itemId", zeroGUID},
		{"accountId", zeroGUID},
		{"lineType", l.lineType},
		{"lineObjectNumber", l.objectNumber},
		{"description", l.descr},
		{"unitOfMeasureId", zeroGUID},
		{"unitOfMeasureCode", l.uom},
		{"unitPrice", l.unitPrice},
		{"quantity", l.quantity},
		{"discountAmount", l.discount},
		{"discountPercent", canonical.Decimal{}},
		{"discountAppliedBeforeTax", true},
		{"amountExcludingTax", l.amount},
		{"taxCode", ""},
		{"taxPercent", l.taxPercent},
		{"totalTaxAmount", l.tax},
		{"amountIncludingTax", l.amtInc},
		{"invoiceDiscountAllocation", canonical.Decimal{}},
		{"netAmount", l.amount},
		{"netTaxAmount", l.tax},
		{"netAmountIncludingTax", l.amtInc},
		{"shipmentDate", l.shipmentDate},
		{"itemVariantId", zeroGUID},
	}
}

func (e *ledgerEntry) obj() obj { return e.cache.get(0, e.render) }

func (e *ledgerEntry) render() obj {
	return obj{
		{"@odata.etag", etag(int64(e.entryNumber))},
		{"id", e.id},
		{"entryNumber", e.entryNumber},
		{"itemNumber", e.itemNumber},
		{"postingDate", e.postingDate},
		{"entryType", e.entryType},
		{"sourceNumber", ""},
		{"sourceType", " "},
		{"documentNumber", e.documentNo},
		{"documentType", e.documentType},
		{"description", e.description},
		{"quantity", e.quantity},
		{"salesAmountActual", canonical.Decimal{}},
		{"costAmountActual", canonical.Decimal{}},
		{"lastModifiedDateTime", e.modified},
	}
}

// ---- arithmetic ----

// arith is the fake's decimal arithmetic. canonical.Decimal holds 19
// significant digits, far more than the amounts of any test, but a request
// or a seed can carry any number: rather than go on with a wrong result,
// arith keeps the first overflow in err, and the caller refuses what it was
// computing before it changes anything.
type arith struct{ err error }

func (a *arith) add(x, y canonical.Decimal) canonical.Decimal { return a.check(x.Add(y)) }
func (a *arith) sub(x, y canonical.Decimal) canonical.Decimal { return a.check(x.Sub(y)) }
func (a *arith) mul(x, y canonical.Decimal) canonical.Decimal { return a.check(x.Mul(y)) }
func (a *arith) quo(x, y canonical.Decimal) canonical.Decimal { return a.check(x.Quo(y)) }

// percent is pct percent of x, rounded to cents: a tax or a discount.
func (a *arith) percent(x, pct canonical.Decimal) canonical.Decimal {
	return a.quo(a.mul(x, pct), hundred).Round(2, canonical.HalfUp)
}

// check returns r and keeps err if it is the first.
func (a *arith) check(r canonical.Decimal, err error) canonical.Decimal {
	if err != nil && a.err == nil {
		a.err = err
	}
	return r
}

var hundred = canonical.DecimalFromInt(100)

// overflow is the answer to a request whose amounts the fake cannot
// compute.
func overflow(err error) *apiError {
	return errorf(http.StatusBadRequest, "BadRequest", "The amounts are too large: %v.", err)
}

// orderPrice is what an order's lines come to.
type orderPrice struct {
	lines                 []linePrice
	exclTax, tax, inclTax canonical.Decimal
}

// linePrice is what one line comes to: its amount (quantity × unit price −
// line discount), its share of the order discount, its net amount after
// that, and the tax on it.
type linePrice struct {
	amount, discountShare, net, tax, netInclTax canonical.Decimal
}

// priceLines prices lines under an order discount: line amount = quantity ×
// unit price − line discount, the order discount shared over the lines,
// tax per line at the line's rate, all rounded to cents. It fails when an
// amount overflows.
func priceLines(lines []*orderLine, discount canonical.Decimal) (orderPrice, error) {
	var a arith
	p := orderPrice{lines: make([]linePrice, len(lines))}
	var total canonical.Decimal
	for i, l := range lines {
		p.lines[i].amount = a.sub(a.mul(l.quantity, l.unitPrice), l.discountAmount).Round(2, canonical.HalfUp)
		total = a.add(total, p.lines[i].amount)
	}
	if !discount.IsZero() && total.IsPos() {
		weights := make([]canonical.Decimal, len(lines))
		for i, lp := range p.lines {
			weights[i] = lp.amount
			if lp.amount.IsNeg() {
				weights[i] = canonical.Decimal{}
			}
		}
		// With a positive total and no negative weight, Allocate fails
		// only when the discount overflows.
		parts, err := (canonical.Money{Amount: discount, Currency: "EUR"}).Allocate(weights...)
		a.check(canonical.Decimal{}, err)
		for i, part := range parts {
			p.lines[i].discountShare = part.Amount
		}
	}
	for i, l := range lines {
		lp := &p.lines[i]
		lp.net = a.sub(lp.amount, lp.discountShare)
		lp.tax = a.percent(lp.net, l.taxPercent)
		lp.netInclTax = a.add(lp.net, lp.tax)
		p.exclTax = a.add(p.exclTax, lp.net)
		p.tax = a.add(p.tax, lp.tax)
	}
	p.inclTax = a.add(p.exclTax, p.tax)
	return p, a.err
}

// recalc sets the line amounts and the order's totals (see priceLines).
func (o *order) recalc() {
	p, err := priceLines(o.lines, o.discountAmount)
	if err != nil {
		// Cannot happen: every change to an order's lines or discount is
		// priced before it is made (setLine, patchOrder, serveLines,
		// AddOrder, SetLineQuantity).
		return
	}
	for i, l := range o.lines {
		lp := p.lines[i]
		l.amount, l.invoiceDiscountAllocation, l.net, l.tax, l.netInclTax = lp.amount, lp.discountShare, lp.net, lp.tax, lp.netInclTax
	}
	o.exclTax, o.tax, o.inclTax = p.exclTax, p.tax, p.inclTax
}

// withLine returns a copy of lines with l in place of prev, or l added when
// prev is not among them.
func withLine(lines []*orderLine, prev, l *orderLine) []*orderLine {
	lines = slices.Clone(lines)
	if i := slices.Index(lines, prev); i >= 0 {
		lines[i] = l
		return lines
	}
	return append(lines, l)
}

// toShip is what of the line has not shipped: Business Central's default
// Qty. to Ship.
func (l *orderLine) toShip(a *arith) canonical.Decimal { return a.sub(l.quantity, l.shipped) }

// toInvoice is what of the line will have shipped once Qty. to Ship has,
// and is not invoiced: the default Qty. to Invoice.
func (l *orderLine) toInvoice(a *arith) canonical.Decimal {
	return a.sub(a.add(l.shipped, l.shipQty), l.invoiced)
}

// posted is the posted line for qty of l.
func (l *orderLine) posted(qty canonical.Decimal, shipmentDate canonical.Date) *postedLine {
	return &postedLine{id: newGUID(), sequence: l.sequence, lineType: l.lineType, objectNumber: l.objectNumber,
		descr: l.description, uom: l.uom, quantity: qty, unitPrice: l.unitPrice, taxPercent: l.taxPercent,
		shipmentDate: shipmentDate}
}

// inventories follows what stock moves do to the items' inventory, to check
// a posting's moves before any is booked.
type inventories map[*item]canonical.Decimal

// move adds qty to the inventory of item itemNo, if the fake has it.
func (inv inventories) move(s *Server, a *arith, itemNo string, qty canonical.Decimal) {
	it := byNumber(s.items, itemNo)
	if it == nil {
		return
	}
	cur, ok := inv[it]
	if !ok {
		cur = it.inventory
	}
	inv[it] = a.add(cur, qty)
}
