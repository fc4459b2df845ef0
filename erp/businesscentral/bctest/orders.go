package bctest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// touchOrder records a change to an order or one of its lines: the totals
// are recomputed and the order gets a new ETag and modification time, as
// the salesOrder entity (a buffer over the header and its lines) does.
func (s *Server) touchOrder(o *order, change string) {
	o.recalc()
	o.modified, o.ver = s.stamp(), s.nextVersion()
	s.notify("salesOrders", o.id, change)
}

func (s *Server) orderSetters(o *order) map[string]setter {
	shipTo := &o.shipTo
	return map[string]setter{
		"externalDocumentNumber": str("externalDocumentNumber", 35, &o.extDoc),
		"orderDate":              date("orderDate", &o.orderDate),
		"postingDate":            date("postingDate", &o.postingDate),
		"requestedDeliveryDate":  date("requestedDeliveryDate", &o.requestedDelivery),
		"currencyCode":           str("currencyCode", 10, &o.currencyCode),
		"shipToName":             str("shipToName", 100, &shipTo.name),
		"shipToContact":          str("shipToContact", 100, &shipTo.contact),
		"shipToAddressLine1":     str("shipToAddressLine1", 100, &shipTo.line1),
		"shipToAddressLine2":     str("shipToAddressLine2", 50, &shipTo.line2),
		"shipToCity":             str("shipToCity", 30, &shipTo.city),
		"shipToState":            str("shipToState", 30, &shipTo.state),
		"shipToCountry":          str("shipToCountry", 10, &shipTo.country),
		"shipToPostCode":         str("shipToPostCode", 20, &shipTo.zip),
		"phoneNumber":            str("phoneNumber", 30, &o.phone),
		"email":                  str("email", 80, &o.email),
		"discountAmount":         dec("discountAmount", &o.discountAmount),
		"customerNumber": customerRef("customerNumber", "Edm.String", "No.", &o.cust,
			func(n string) *customer { return byNumber(s.customers, n) }),
		"customerId": customerRef("customerId", "Edm.Guid", "Id", &o.cust,
			func(id string) *customer { return byID(s.customers, id) }),
		"number": func(json.RawMessage) *apiError {
			return errorf(http.StatusBadRequest, "Application_DialogException",
				"You may not enter numbers manually. If you want to enter numbers manually, please activate Manual Nos. in No. Series S-ORD.")
		},
		"partialShipping": ignore, "shipmentMethodId": ignore, "paymentTermsId": ignore, "currencyId": ignore,
		"salesperson": ignore, "discountAppliedBeforeTax": ignore, "shortcutDimension1Code": ignore,
		"shortcutDimension2Code": ignore, "billToCustomerId": ignore, "billToCustomerNumber": ignore,
		"sellToAddressLine1": ignore, "sellToAddressLine2": ignore, "sellToCity": ignore, "sellToCountry": ignore,
		"sellToState": ignore, "sellToPostCode": ignore, "billToAddressLine1": ignore, "billToAddressLine2": ignore,
		"billToCity": ignore, "billToCountry": ignore, "billToState": ignore, "billToPostCode": ignore,
	}
}

// customerRef returns a setter for a property that names a customer: find
// looks the value up, and key names it in the error for no such customer.
func customerRef(name, typ, key string, dst **customer, find func(string) *customer) setter {
	return func(raw json.RawMessage) *apiError {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return typeError(name, typ, raw)
		}
		c := find(v)
		if c == nil {
			return errorf(http.StatusBadRequest, "Internal_RecordNotFound",
				"The Customer does not exist. Identification fields and values: %s='%s'", key, v)
		}
		*dst = c
		return nil
	}
}

var orderReadOnly = []string{"id", "customerName", "billToName", "pricesIncludeTax", "totalAmountExcludingTax",
	"totalTaxAmount", "totalAmountIncludingTax", "fullyShipped", "status", "lastModifiedDateTime"}

func (s *Server) lineSetters(l *orderLine, itemRef *string) map[string]setter {
	return map[string]setter{
		"sequence": func(raw json.RawMessage) *apiError {
			if err := json.Unmarshal(raw, &l.sequence); err != nil || l.sequence <= 0 {
				return typeError("sequence", "Edm.Int32", raw)
			}
			return nil
		},
		"lineType":          str("lineType", 20, &l.lineType),
		"lineObjectNumber":  str("lineObjectNumber", 20, itemRef),
		"description":       str("description", 100, &l.description),
		"unitOfMeasureCode": str("unitOfMeasureCode", 10, &l.uom),
		"quantity":          dec("quantity", &l.quantity),
		"unitPrice":         dec("unitPrice", &l.unitPrice),
		"discountAmount":    dec("discountAmount", &l.discountAmount),
		"discountPercent":   dec("discountPercent", &l.discountPercent),
		"shipQuantity":      dec("shipQuantity", &l.shipQty),
		"invoiceQuantity":   dec("invoiceQuantity", &l.invoiceQty),
		"shipmentDate":      date("shipmentDate", &l.shipmentDate),
		"itemId": func(raw json.RawMessage) *apiError {
			var id string
			if err := json.Unmarshal(raw, &id); err != nil {
				return typeError("itemId", "Edm.Guid", raw)
			}
			if id == zeroGUID || id == "" {
				return nil
			}
			it := byID(s.items, id)
			if it == nil {
				return errorf(http.StatusBadRequest, "Internal_RecordNotFound", "The Item does not exist. Identification fields and values: Id='%s'", id)
			}
			*itemRef = it.number
			return nil
		},
		"accountId": ignore, "unitOfMeasureId": ignore, "taxCode": ignore, "itemVariantId": ignore,
		"discountAppliedBeforeTax": ignore, "locationId": ignore,
	}
}

var lineReadOnly = []string{"id", "documentId", "amountExcludingTax", "taxPercent", "totalTaxAmount",
	"amountIncludingTax", "invoiceDiscountAllocation", "netAmount", "netTaxAmount", "netAmountIncludingTax",
	"shippedQuantity", "invoicedQuantity"}

// setLine validates a new or changed line of o and fills what Business
// Central derives from the item.
func (s *Server) setLine(o *order, l *orderLine, prev *orderLine, itemRef string, body map[string]json.RawMessage) *apiError {
	if l.lineType == "" {
		l.lineType = "Item"
	}
	switch l.lineType {
	case "Item":
		it := byNumber(s.items, itemRef)
		if it == nil {
			return errorf(http.StatusBadRequest, "Internal_InvalidTableRelation",
				"The field No. of table Sales Line contains a value (%s) that cannot be found in the related table (Item).", itemRef)
		}
		if it.blocked {
			return errorf(http.StatusBadRequest, "Application_FieldValidationException",
				"Blocked must be equal to 'No'  in Item: No.=%s. Current value is 'Yes'.", it.number)
		}
		if prev == nil || prev.objectNumber != it.number {
			l.itemID, l.objectNumber, l.taxPercent = it.id, it.number, it.taxPercent
			if _, ok := body["description"]; !ok {
				l.description = it.displayName
			}
			if _, ok := body["unitPrice"]; !ok {
				l.unitPrice = it.unitPrice
			}
			if _, ok := body["unitOfMeasureCode"]; !ok {
				l.uom = it.baseUnit
			}
		}
	case "Account", "Resource", "Charge", "Fixed Asset":
		if itemRef == "" {
			return errorf(http.StatusBadRequest, "BadRequest_RequiredParamNotProvided", "Field 'lineObjectNumber' must not be blank or empty.")
		}
		l.objectNumber, l.itemID = itemRef, ""
	case "Comment":
		l.objectNumber, l.quantity, l.unitPrice = "", canonical.Decimal{}, canonical.Decimal{}
	default:
		return errorf(http.StatusBadRequest, "Application_EvaluateException", "The value \"%s\" can't be evaluated into type Option.", l.lineType)
	}
	if l.quantity.IsNeg() {
		return errorf(http.StatusBadRequest, "Application_FieldValidationException", "Quantity must be positive in Sales Line: Document Type=Order, Document No.=%s, Line No.=%d.", o.number, l.sequence)
	}
	if prev != nil {
		if prev.shipped.IsPos() && l.objectNumber != prev.objectNumber {
			return errorf(http.StatusBadRequest, "Application_DialogException",
				"You cannot change No. because the sales order line %d has been shipped.", l.sequence)
		}
		if l.quantity.Cmp(prev.shipped) < 0 {
			return errorf(http.StatusBadRequest, "Application_DialogException",
				"You cannot reduce Quantity to %s on sales order line %d because %s has already been shipped.", l.quantity, l.sequence, prev.shipped)
		}
	}
	var a arith
	if _, ok := body["discountPercent"]; ok && l.discountPercent.IsPos() {
		l.discountAmount = a.percent(a.mul(l.quantity, l.unitPrice), l.discountPercent)
	}
	// Qty. to Ship and Qty. to Invoice follow the outstanding quantity
	// unless set explicitly.
	if _, ok := body["shipQuantity"]; !ok {
		l.shipQty = l.toShip(&a)
	}
	if _, ok := body["invoiceQuantity"]; !ok {
		l.invoiceQty = l.toInvoice(&a)
	}
	shipped := a.add(l.shipped, l.shipQty)
	if a.err != nil {
		return overflow(a.err)
	}
	if l.shipQty.IsNeg() || shipped.Cmp(l.quantity) > 0 {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"You cannot ship more than %s units on sales order line %d.", l.toShip(&a), l.sequence)
	}
	// The order must still price with the line.
	if _, err := priceLines(withLine(o.lines, prev, l), o.discountAmount); err != nil {
		return overflow(err)
	}
	return nil
}

// lockError is the answer to a change of an order Business Central no
// longer lets anyone change.
func lockError(o *order) *apiError {
	return errorf(http.StatusBadRequest, "Application_FieldValidationException", "%s", o.lock)
}

func (s *Server) serveOrders(w http.ResponseWriter, r *http.Request, segs []segment) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !segs[0].hasKey {
		return serveDocumentSet(s, w, r, segs, "salesOrders", "salesOrderLines", s.orders, s.createOrder)
	}
	o := byID(s.orders, segs[0].key)
	if o == nil {
		return notFound("sales order")
	}
	if len(segs) == 1 {
		switch r.Method {
		case http.MethodGet:
			return getDocument(w, r, "salesOrderLines", o)
		case http.MethodPatch:
			return s.patchOrder(w, r, o)
		case http.MethodDelete:
			if e := s.checkIfMatch(r, o.ver); e != nil {
				return e
			}
			if o.lock != "" {
				return lockError(o)
			}
			for _, l := range o.lines {
				if l.shipped.IsPos() {
					return errorf(http.StatusBadRequest, "Application_DialogException",
						"You cannot delete Order %s because line %d has been shipped.", o.number, l.sequence)
				}
			}
			s.orders = slices.DeleteFunc(s.orders, func(x *order) bool { return x == o })
			s.notify("salesOrders", o.id, "deleted")
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		return methodNotAllowed(r)
	}
	switch segs[1].name {
	case "salesOrderLines":
		return s.serveLines(w, r, o, segs[1:])
	case "Microsoft.NAV.shipAndInvoice":
		if r.Method != http.MethodPost || len(segs) > 2 {
			return methodNotAllowed(r)
		}
		if im := r.Header.Get("If-Match"); im != "" {
			if e := s.checkIfMatch(r, o.ver); e != nil {
				return e
			}
		}
		if e := s.post(o, true); e != nil {
			return e
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return segmentNotFound(segs[1].name)
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) *apiError {
	body, e := readBody(r)
	if e != nil {
		return e
	}
	o := &order{id: newGUID(), status: "Draft", nextSeq: 10000}
	rawLines, deep := body["salesOrderLines"]
	delete(body, "salesOrderLines")
	if e := apply("salesOrder", body, s.orderSetters(o), orderReadOnly); e != nil {
		return e
	}
	if o.cust == nil {
		return errorf(http.StatusBadRequest, "Application_DialogException", "A customerNumber or a customerID must be provided.")
	}
	if o.cust.blocked == "All" {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"You cannot create this type of document when Customer %s is blocked with type All", o.cust.number)
	}
	if o.currencyCode == "" {
		o.currencyCode = o.cust.currencyCode
	}
	if o.orderDate.IsZero() {
		o.orderDate = s.today()
	}
	if o.postingDate.IsZero() {
		o.postingDate = o.orderDate
	}
	if o.shipTo == (address{}) {
		o.shipTo = o.cust.address()
		o.shipTo.name = o.cust.displayName
	}
	if deep {
		// Deep insert: the lines come in the same request and are created
		// with the order, or nothing is.
		// https://learn.microsoft.com/training/modules/work-with-api/4-limits
		var lines []map[string]json.RawMessage
		if err := json.Unmarshal(rawLines, &lines); err != nil {
			return typeError("salesOrderLines", "Collection(Microsoft.NAV.salesOrderLine)", rawLines)
		}
		for _, lb := range lines {
			for k := range lb {
				if strings.HasPrefix(k, "@") {
					delete(lb, k)
				}
			}
			if _, e := s.addLine(o, lb); e != nil {
				return e
			}
		}
	}
	o.number = s.number("order")
	s.orders = append(s.orders, o)
	s.touchOrder(o, "created")
	w.Header().Set("Location", s.companyURL()+"/salesOrders("+o.id+")")
	writeJSON(w, http.StatusCreated, o.obj(deep))
	return nil
}

// addLine adds a line to o from a request body.
func (s *Server) addLine(o *order, body map[string]json.RawMessage) (*orderLine, *apiError) {
	l := &orderLine{id: newGUID()}
	var itemRef string
	if e := apply("salesOrderLine", body, s.lineSetters(l, &itemRef), lineReadOnly); e != nil {
		return nil, e
	}
	if l.sequence == 0 {
		l.sequence = o.nextSeq
	}
	for _, x := range o.lines {
		if x.sequence == l.sequence {
			return nil, errorf(http.StatusBadRequest, "Internal_EntityWithSameKeyExists",
				"The Sales Line already exists. Identification fields and values: Document Type='Order',Document No.='%s',Line No.='%d'", o.number, l.sequence)
		}
	}
	if e := s.setLine(o, l, nil, itemRef, body); e != nil {
		return nil, e
	}
	l.ver = s.nextVersion()
	o.lines = append(o.lines, l)
	slices.SortFunc(o.lines, func(a, b *orderLine) int { return a.sequence - b.sequence })
	// The next line goes 10000 after the last.
	o.nextSeq = (o.lines[len(o.lines)-1].sequence/10000 + 1) * 10000
	return l, nil
}

func (s *Server) patchOrder(w http.ResponseWriter, r *http.Request, o *order) *apiError {
	body, e := s.readPatch(r, o.ver)
	if e != nil {
		return e
	}
	if o.lock != "" {
		return lockError(o)
	}
	if _, ok := body["salesOrderLines"]; ok {
		return errorf(http.StatusBadRequest, "BadRequest_InvalidOperation", "Navigation properties cannot be changed with PATCH; use the salesOrderLines entity set.")
	}
	next := *o
	if e := apply("salesOrder", body, s.orderSetters(&next), orderReadOnly); e != nil {
		return e
	}
	if next.cust != o.cust && anyShipped(o) {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"You cannot change Sell-to Customer No. because the order %s has been shipped.", o.number)
	}
	if _, err := priceLines(next.lines, next.discountAmount); err != nil {
		return overflow(err)
	}
	*o = next
	s.touchOrder(o, "updated")
	writeJSON(w, http.StatusOK, o.obj(false))
	return nil
}

func anyShipped(o *order) bool {
	for _, l := range o.lines {
		if l.shipped.IsPos() {
			return true
		}
	}
	return false
}

func (s *Server) serveLines(w http.ResponseWriter, r *http.Request, o *order, segs []segment) *apiError {
	if len(segs) > 1 {
		return segmentNotFound(segs[1].name)
	}
	if !segs[0].hasKey {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, "salesOrderLines", renderAll(o.lines, func(l *orderLine) obj { return l.obj(o.id) }))
			return nil
		case http.MethodPost:
			body, e := readBody(r)
			if e != nil {
				return e
			}
			if o.lock != "" {
				return lockError(o)
			}
			l, e := s.addLine(o, body)
			if e != nil {
				return e
			}
			s.touchOrder(o, "updated")
			writeJSON(w, http.StatusCreated, l.obj(o.id))
			return nil
		}
		return methodNotAllowed(r)
	}
	i := slices.IndexFunc(o.lines, func(l *orderLine) bool { return strings.EqualFold(l.id, segs[0].key) })
	if i < 0 {
		return notFound("sales order line")
	}
	l := o.lines[i]
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, l.obj(o.id))
		return nil
	case http.MethodPatch:
		body, e := s.readPatch(r, l.ver)
		if e != nil {
			return e
		}
		if o.lock != "" {
			return lockError(o)
		}
		next := *l
		itemRef := l.objectNumber
		if e := apply("salesOrderLine", body, s.lineSetters(&next, &itemRef), lineReadOnly); e != nil {
			return e
		}
		if next.sequence != l.sequence {
			return errorf(http.StatusBadRequest, "BadRequest_InvalidOperation", "Control 'sequence' cannot be changed.")
		}
		if e := s.setLine(o, &next, l, itemRef, body); e != nil {
			return e
		}
		next.ver = s.nextVersion()
		*l = next
		s.touchOrder(o, "updated")
		writeJSON(w, http.StatusOK, l.obj(o.id))
		return nil
	case http.MethodDelete:
		if e := s.checkIfMatch(r, l.ver); e != nil {
			return e
		}
		if o.lock != "" {
			return lockError(o)
		}
		if l.shipped.IsPos() {
			return errorf(http.StatusBadRequest, "Application_DialogException",
				"You cannot delete sales order line %d because %s has been shipped.", l.sequence, l.shipped)
		}
		rest := slices.Delete(slices.Clone(o.lines), i, i+1)
		if _, err := priceLines(rest, o.discountAmount); err != nil {
			return overflow(err)
		}
		o.lines = rest
		s.touchOrder(o, "updated")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return methodNotAllowed(r)
}

// post ships (and, with invoice, invoices) the lines' Qty. to Ship and
// Qty. to Invoice, as the shipAndInvoice action does: a posted sales
// shipment, item ledger entries that take the stock out, a posted sales
// invoice on the customer's balance. A fully shipped and invoiced order is
// deleted, as Business Central deletes fully posted orders.
func (s *Server) post(o *order, doInvoice bool) *apiError {
	c := o.cust
	if c != nil && (c.blocked == "Ship" || c.blocked == "All") {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"You cannot ship this document when Customer %s is blocked with type %s", c.number, c.blocked)
	}
	if c != nil && doInvoice && c.blocked == "Invoice" {
		return errorf(http.StatusBadRequest, "Application_DialogException",
			"You cannot invoice this document when Customer %s is blocked with type Invoice", c.number)
	}
	o.recalc()
	// What the posting invoices is priced, and what it does to the items'
	// inventory and the customer's balance is checked, before anything is
	// booked: an amount that overflows refuses the posting.
	today := s.today()
	var a arith
	stock := inventories{}
	invoiced := make([]*postedLine, len(o.lines)) // by order line
	var exclTax, tax canonical.Decimal
	for i, l := range o.lines {
		if l.lineType == "Comment" {
			continue
		}
		shipped := l.shipped
		if l.shipQty.IsPos() {
			if l.lineType == "Item" {
				stock.move(s, &a, l.objectNumber, l.shipQty.Neg())
			}
			shipped = a.add(shipped, l.shipQty)
		}
		if !doInvoice {
			continue
		}
		q := l.invoiceQty
		if q.Cmp(a.sub(shipped, l.invoiced)) > 0 {
			q = a.sub(shipped, l.invoiced)
		}
		if !q.IsPos() {
			continue
		}
		// The line's net (after line and order discounts) in proportion to
		// the quantity invoiced.
		il := l.posted(q, today)
		il.amount = a.quo(a.mul(l.net, q), l.quantity).Round(2, canonical.HalfUp)
		il.tax = a.percent(il.amount, l.taxPercent)
		il.amtInc = a.add(il.amount, il.tax)
		il.discount = a.sub(a.mul(q, l.unitPrice).Round(2, canonical.HalfUp), il.amount)
		invoiced[i] = il
		exclTax, tax = a.add(exclTax, il.amount), a.add(tax, il.tax)
	}
	inclTax := a.add(exclTax, tax)
	var balance canonical.Decimal
	if c != nil {
		balance = a.add(c.balanceDue, inclTax)
	}
	if a.err != nil {
		return overflow(a.err)
	}

	// Book it. What ships and is invoiced stays within each line's
	// quantity, so the lines' quantities cannot overflow below.
	now := s.stamp()
	var sh *shipment
	var inv *invoice
	for i, l := range o.lines {
		if l.lineType == "Comment" {
			continue
		}
		if l.shipQty.IsPos() {
			if sh == nil {
				sh = &shipment{id: newGUID(), number: s.number("shipment"), orderNumber: o.number, extDoc: o.extDoc,
					cust: c, postingDate: today, currencyCode: o.currencyCode, shipTo: o.shipTo, modified: now, ver: s.nextVersion()}
			}
			sh.lines = append(sh.lines, l.posted(l.shipQty, today))
			if l.lineType == "Item" {
				s.moveStock(l.objectNumber, l.shipQty.Neg(), "Sale", "Sales Shipment", sh.number, l.description)
			}
			l.shipped = a.add(l.shipped, l.shipQty)
		}
		il := invoiced[i]
		if il == nil {
			continue
		}
		if inv == nil {
			inv = &invoice{id: newGUID(), number: s.number("invoice"), orderNumber: o.number, orderID: o.id, extDoc: o.extDoc,
				cust: c, invoiceDate: today, postingDate: today, dueDate: today.AddDays(30), currencyCode: o.currencyCode,
				shipTo: o.shipTo, status: "Open", modified: now, ver: s.nextVersion()}
		}
		inv.lines = append(inv.lines, il)
		l.invoiced = a.add(l.invoiced, il.quantity)
	}
	if sh == nil && inv == nil {
		return errorf(http.StatusBadRequest, "Application_DialogException", "There is nothing to post for Order %s.", o.number)
	}
	if sh != nil {
		s.shipments = append(s.shipments, sh)
	}
	if inv != nil {
		inv.exclTax, inv.tax, inv.inclTax = exclTax, tax, inclTax
		inv.remaining = inv.inclTax
		s.invoices = append(s.invoices, inv)
		if c != nil {
			c.balanceDue = balance
			c.cache.valid = false
		}
		s.notify("salesInvoices", inv.id, "created")
	}
	done := true
	for _, l := range o.lines {
		l.shipQty = l.toShip(&a)
		l.invoiceQty = l.toInvoice(&a)
		l.ver = s.nextVersion()
		if l.lineType != "Comment" && (l.shipped.Cmp(l.quantity) < 0 || l.invoiced.Cmp(l.quantity) < 0) {
			done = false
		}
	}
	if done {
		s.orders = slices.DeleteFunc(s.orders, func(x *order) bool { return x == o })
		s.notify("salesOrders", o.id, "deleted")
		return nil
	}
	s.touchOrder(o, "updated")
	return nil
}

// moveStock books an item ledger entry and changes the item's inventory.
// The item record itself is not modified (its lastModifiedDateTime stays),
// as in Business Central, where inventory is a sum over the ledger. The
// caller has checked that the inventory does not overflow (inventories,
// AdjustInventory), or it cannot (a new item's opening stock).
func (s *Server) moveStock(itemNo string, qty canonical.Decimal, entryType, docType, docNo, descr string) {
	it := byNumber(s.items, itemNo)
	if it == nil || qty.IsZero() {
		return
	}
	it.inventory, _ = it.inventory.Add(qty)
	it.cache.valid = false
	s.ledger = append(s.ledger, &ledgerEntry{id: newGUID(), entryNumber: len(s.ledger) + 1, itemNumber: itemNo,
		postingDate: s.today(), entryType: entryType, documentType: docType, documentNo: docNo,
		description: descr, quantity: qty, modified: s.stamp()})
}
