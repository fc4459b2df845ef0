package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// maxExternalDocumentNumber is the length of Business Central's External
// Document No. (Code[35]).
const maxExternalDocumentNumber = 35

// SalesOrders returns the sink that creates, amends and cancels sales
// orders. It is also a connector.Getter (by the caller's key) and a
// connector.Deleter.
func (c *Client) SalesOrders() connector.Sink[canonical.SalesOrder] { return orderSink{c} }

type orderSink struct{ c *Client }

// SupportsDelete reports true: a Delete (or an order with status
// cancelled) deletes the sales order, which is how an order is cancelled
// in Business Central.
func (orderSink) SupportsDelete() bool { return true }

// Apply creates, amends or deletes a sales order.
//
// The order's externalDocumentNumber carries the channel's order reference
// (SalesOrder.CustomerPO, required, at most 35 characters). An order is
// found by Write.Target (its number), else by that reference, so a retry
// of a create, even after a crash, finds the order the first attempt made
// instead of creating a second one.
//
// A new order is created in one request with its lines (deep insert),
// after a credit check: a customer blocked in Business Central, or whose
// balance plus the order would exceed its credit limit, is refused with
// the BusinessRule kind (Business Central itself only warns about credit
// in its user interface; Config.SkipCreditCheck turns this off).
//
// An amendment reads the order with its lines and changes what the
// canonical revision changes: header fields by PATCH with If-Match and the
// order's ETag, lines added (POST), changed (PATCH) and removed (DELETE),
// each with its own ETag. Lines are matched by item number, in order
// (approximation: Business Central has no field for the caller's line ID,
// so two lines of one item are matched by position). Nothing is sent when
// nothing changed (Unchanged).
//
// A write whose Target carries an ETag that is no longer the order's fails
// with the Conflict kind: someone changed the order in Business Central.
// The engine then re-reads the source and, if the write is still the
// newest, applies it again; that second attempt of the same write (same
// IdempotencyKey) is applied on top of the order as Business Central now
// holds it. An If-Match refused by Business Central (409
// Request_EntityChanged or 412) is a Conflict too.
//
// An order Business Central no longer lets anyone change (released to the
// warehouse, or a line below what has shipped, a shipped line removed) is
// refused with the BusinessRule kind and Business Central's reason. An
// older write than one this Client applied for the key is reported Stale.
func (s orderSink) Apply(ctx context.Context, w connector.Write[canonical.SalesOrder]) (connector.Result, error) {
	const op = "salesOrders.apply"
	c := s.c
	if err := ctx.Err(); err != nil {
		return connector.Result{}, c.errorf(connector.Transient, op, "%w", err)
	}
	if c.orders.stale(w.Key, w.Version) {
		res := connector.Result{Action: connector.Stale}
		if w.Target != nil {
			res.Ref = *w.Target
		}
		return res, nil
	}
	in := w.Entity
	if w.Op == connector.Delete || in.Status == canonical.OrderCancelled {
		return s.cancel(ctx, w)
	}
	if err := in.Validate(); err != nil {
		return connector.Result{}, c.validation(op, "sales order", err)
	}
	if in.CustomerPO == "" {
		return connector.Result{}, c.invalid(op, "customerPo", canonical.CodeRequired, "",
			"is required: it becomes the order's externalDocumentNumber, by which a retried create finds the order")
	}
	if n := utf8.RuneCountInString(in.CustomerPO); n > maxExternalDocumentNumber {
		return connector.Result{}, c.invalid(op, "customerPo", "max", in.CustomerPO,
			fmt.Sprintf("is %d characters; Business Central's externalDocumentNumber holds %d", n, maxExternalDocumentNumber))
	}
	cust, ok := in.Customer.Ref(c.system)
	if !ok || cust.ID == "" {
		return connector.Result{}, c.invalid(op, "customer.refs", canonical.CodeRequired, "",
			"has no customer number in "+c.system+": map the customer to a Business Central customer first")
	}
	want, err := c.desiredLines(op, in)
	if err != nil {
		return connector.Result{}, err
	}
	cur, found, err := s.find(ctx, op, w)
	if err != nil {
		return connector.Result{}, err
	}
	var res connector.Result
	if !found {
		res, err = s.create(ctx, op, in, cust.ID, want)
	} else {
		res, err = s.amend(ctx, op, w, cur, cust.ID, want)
	}
	if err != nil {
		return connector.Result{}, err
	}
	c.orders.applied(w.Key, w.Version, res.Ref.ID)
	return res, nil
}

// find reads the order a write is for, with its lines.
func (s orderSink) find(ctx context.Context, op string, w connector.Write[canonical.SalesOrder]) (bcOrder, bool, error) {
	c := s.c
	if t := w.Target; t != nil && t.System == c.system && t.ID != "" {
		o, ok, err := c.getOrder(ctx, "number eq "+quote(t.ID))
		if err != nil {
			return bcOrder{}, false, err
		}
		if !ok {
			return bcOrder{}, false, c.errorf(connector.BusinessRule, op,
				"sales order %s is no longer in Business Central: it was deleted, or fully shipped and invoiced (posted orders are removed)", t.ID)
		}
		return o, true, nil
	}
	return c.getOrder(ctx, "externalDocumentNumber eq "+quote(w.Entity.CustomerPO))
}

// getOrder reads the first sales order matching filter, with its lines.
func (c *Client) getOrder(ctx context.Context, filter string) (bcOrder, bool, error) {
	var page struct {
		Value []bcOrder `json:"value"`
	}
	q := url.Values{"$filter": {filter}, "$expand": {"salesOrderLines"}, "$top": {"1"}}
	if err := c.http.DoJSON(ctx, &httpx.Request{Path: c.CompanyPath("salesOrders"), Query: q}, &page); err != nil {
		return bcOrder{}, false, err
	}
	if len(page.Value) == 0 {
		return bcOrder{}, false, nil
	}
	return page.Value[0], true, nil
}

// wantLine is a line as the connector wants it in Business Central.
type wantLine struct {
	path        string // the canonical field path, for errors
	lineType    string // "Item" or "Account"
	number      string // item number or G/L account
	description string
	quantity    canonical.Decimal
	unitPrice   canonical.Decimal
	discount    canonical.Decimal
	uom         string
}

// desiredLines turns the canonical lines and charges into Business Central
// lines: items, and charges as lines on Config.ChargeAccount.
func (c *Client) desiredLines(op string, in canonical.SalesOrder) ([]wantLine, error) {
	var out []wantLine
	for i, l := range in.Lines {
		path := fmt.Sprintf("lines[%d]", i)
		disc, err := c.lineDiscount(op, path, l.Discounts)
		if err != nil {
			return nil, err
		}
		qty, err := l.Ordered.Value.Sub(l.Cancelled.Value)
		if err != nil {
			return nil, c.overflow(op, path+".cancelled", "the quantity ordered less the quantity cancelled")
		}
		out = append(out, wantLine{path: path, lineType: "Item", number: l.SKU,
			description: truncate(l.Description, 100), quantity: qty, unitPrice: l.UnitPrice.Amount,
			discount: disc, uom: c.bcUnit(l.Ordered.Unit)})
	}
	for i, ch := range in.Charges {
		if !ch.IsCharge {
			continue // allowances become the order's discountAmount
		}
		if c.cfg.ChargeAccount == "" {
			return nil, c.invalid(op, fmt.Sprintf("charges[%d]", i), "unsupported", ch.Code,
				"an order-level charge needs Config.ChargeAccount, the G/L account it is booked to")
		}
		desc := ch.Reason
		if desc == "" {
			desc = ch.Code
		}
		out = append(out, wantLine{path: fmt.Sprintf("charges[%d]", i), lineType: "Account", number: c.cfg.ChargeAccount,
			description: truncate(desc, 100), quantity: canonical.DecimalFromInt(1), unitPrice: ch.Amount.Amount})
	}
	return out, nil
}

// lineDiscount is what a line's discounts take off its amount, less its
// charges: Business Central's line discountAmount.
func (c *Client) lineDiscount(op, path string, discounts []canonical.AllowanceCharge) (canonical.Decimal, error) {
	var d sum
	for _, ac := range discounts {
		if ac.IsCharge {
			d.sub(ac.Amount.Amount)
		} else {
			d.add(ac.Amount.Amount)
		}
	}
	if d.overflow {
		return canonical.Decimal{}, c.overflow(op, path+".discounts", "the discounts less the charges")
	}
	return d.d, nil
}

// orderDiscount is the sum of the order-level allowances.
func (c *Client) orderDiscount(op string, in canonical.SalesOrder) (canonical.Decimal, error) {
	var d sum
	for _, ch := range in.Charges {
		if !ch.IsCharge {
			d.add(ch.Amount.Amount)
		}
	}
	if d.overflow {
		return canonical.Decimal{}, c.overflow(op, "charges", "the order's allowances")
	}
	return d.d, nil
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// lineBody is the JSON of a new line.
func lineBody(l wantLine) map[string]any {
	b := map[string]any{
		"lineType":         l.lineType,
		"lineObjectNumber": l.number,
		"quantity":         jsonNumber(l.quantity),
		"unitPrice":        jsonNumber(l.unitPrice),
	}
	if l.description != "" {
		b["description"] = l.description
	}
	if !l.discount.IsZero() {
		b["discountAmount"] = jsonNumber(l.discount)
	}
	if l.uom != "" {
		b["unitOfMeasureCode"] = l.uom
	}
	return b
}

// jsonNumber writes a decimal as a bare JSON number, as Business Central
// expects Edm.Decimal values.
type jsonNumber canonical.Decimal

// MarshalJSON writes the decimal's digits.
func (n jsonNumber) MarshalJSON() ([]byte, error) { return []byte(canonical.Decimal(n).String()), nil }

// headerBody is what the connector writes on the order header.
func (c *Client) headerBody(in canonical.SalesOrder) map[string]any {
	b := map[string]any{
		"externalDocumentNumber": in.CustomerPO,
		"shipToName":             truncate(firstNonEmpty(in.ShipTo.Name, in.ShipTo.Company), 100),
		"shipToAddressLine1":     truncate(at(in.ShipTo.Lines, 0), 100),
		"shipToAddressLine2":     truncate(at(in.ShipTo.Lines, 1), 50),
		"shipToCity":             truncate(in.ShipTo.City, 30),
		"shipToState":            truncate(in.ShipTo.Region, 30),
		"shipToPostCode":         truncate(in.ShipTo.PostalCode, 20),
		"shipToCountry":          in.ShipTo.Country,
	}
	if in.ShipTo.IsZero() {
		b = map[string]any{"externalDocumentNumber": in.CustomerPO}
	}
	if e := firstNonEmpty(in.ShipTo.Email, in.Customer.Email); e != "" {
		b["email"] = truncate(e, 80)
	}
	if in.ShipTo.Phone != "" {
		b["phoneNumber"] = truncate(in.ShipTo.Phone, 30)
	}
	return b
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}

// creditCheck refuses new business for a customer Business Central blocks,
// or whose balance plus amount would exceed a positive credit limit.
func (c *Client) creditCheck(ctx context.Context, op, number string, amount canonical.Decimal) (bcCustomer, error) {
	cust, ok, err := c.getCustomer(ctx, "number eq "+quote(number))
	if err != nil {
		return bcCustomer{}, err
	}
	if !ok {
		return bcCustomer{}, c.invalid(op, "customer.refs", "unknown", number, "names no customer of "+c.system)
	}
	if c.cfg.SkipCreditCheck {
		return cust, nil
	}
	switch b := cust.Blocked; {
	case b == "All":
		return cust, c.errorf(connector.BusinessRule, op, "customer %s is blocked (All) in Business Central", number)
	case b == "Ship" || b == "Invoice":
		return cust, c.errorf(connector.BusinessRule, op, "customer %s is on hold: blocked for %s in Business Central", number, b)
	}
	if cust.CreditLimit.IsPos() {
		total, err := cust.BalanceDue.Add(amount)
		if err != nil {
			return cust, c.overflow(op, "totals.payable.amount", "customer "+number+"'s balance plus this amount")
		}
		if total.Cmp(cust.CreditLimit) > 0 {
			return cust, c.errorf(connector.BusinessRule, op,
				"customer %s is over its credit limit: balance %s + this order %s = %s exceeds the limit %s",
				number, cust.BalanceDue, amount, total, cust.CreditLimit)
		}
	}
	return cust, nil
}

// create posts a new order with its lines in one request.
func (s orderSink) create(ctx context.Context, op string, in canonical.SalesOrder, customer string, want []wantLine) (connector.Result, error) {
	c := s.c
	if _, err := c.creditCheck(ctx, op, customer, in.Totals.Payable.Amount); err != nil {
		return connector.Result{}, err
	}
	body := c.headerBody(in)
	body["customerNumber"] = customer
	if in.Currency != "" && in.Currency != c.cfg.LocalCurrency {
		body["currencyCode"] = string(in.Currency)
	}
	if !in.OrderedAt.IsZero() {
		body["orderDate"] = canonical.DateOf(in.OrderedAt.UTC()).String()
	}
	d, err := c.orderDiscount(op, in)
	if err != nil {
		return connector.Result{}, err
	}
	if !d.IsZero() {
		body["discountAmount"] = jsonNumber(d)
	}
	lines := make([]map[string]any, len(want))
	for i, l := range want {
		lines[i] = lineBody(l)
	}
	// Deep insert: the lines are created with the order in one request.
	// https://learn.microsoft.com/training/modules/work-with-api/4-limits
	body["salesOrderLines"] = lines
	var out bcOrder
	// Not retried by the client: a POST that reached Business Central but
	// lost its answer is found by externalDocumentNumber when the engine
	// retries the write.
	err = c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: c.CompanyPath("salesOrders"), Body: body}, &out)
	if err != nil {
		return connector.Result{}, c.lineError(err, want)
	}
	return connector.Result{Action: connector.Created, Ref: c.ref(out.Number, out.ETag)}, nil
}

// lineError adds the canonical field path to an Invalid error about a line
// whose item Business Central does not know.
func (c *Client) lineError(err error, want []wantLine) error {
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || len(ce.Fields) > 0 {
		return err
	}
	for _, l := range want {
		if l.lineType == "Item" && l.number != "" && containsFold(ce.Message, "("+l.number+")") {
			ce.Fields = []canonical.FieldError{{Path: l.path + ".sku", Code: "unknown", Value: l.number, Message: ce.Message}}
			return ce
		}
	}
	ce.Fields = []canonical.FieldError{{Path: "lines", Code: "rejected", Message: ce.Message}}
	return ce
}

func containsFold(s, sub string) bool {
	return len(sub) > 0 && len(s) >= len(sub) && (indexFold(s, sub) >= 0)
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lineOp is one change to an order's lines.
type lineOp struct {
	kind string // "delete", "patch", "post"
	have bcLine
	want wantLine
	body map[string]any
}

// planLines matches the wanted lines to the order's lines (by type and
// number, in order) and returns the changes, refusing those Business
// Central would: a shipped line removed or below what shipped.
func (c *Client) planLines(op string, cur bcOrder, want []wantLine) ([]lineOp, error) {
	var have []bcLine
	for _, l := range cur.Lines {
		if l.LineType == "Item" || l.LineType == "Account" {
			have = append(have, l)
		}
	}
	used := make([]bool, len(have))
	var ops []lineOp
	for _, w := range want {
		j := slices.IndexFunc(have, func(h bcLine) bool { return h.LineType == w.lineType && h.LineObjectNumber == w.number })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(have[j+1:], func(h bcLine) bool { return h.LineType == w.lineType && h.LineObjectNumber == w.number })
			if k < 0 {
				j = -1
				break
			}
			j += k + 1
		}
		if w.lineType == "Account" && j >= 0 && have[j].Description != w.description {
			// Charges are told apart by description.
			j = slices.IndexFunc(have, func(h bcLine) bool {
				return h.LineType == "Account" && h.LineObjectNumber == w.number && h.Description == w.description
			})
			if j >= 0 && used[j] {
				j = -1
			}
		}
		if j < 0 {
			ops = append(ops, lineOp{kind: "post", want: w})
			continue
		}
		used[j] = true
		h := have[j]
		if w.quantity.Cmp(h.ShippedQuantity) < 0 {
			return nil, c.errorf(connector.BusinessRule, op,
				"sales order %s line %d (%s) has shipped %s; %s cannot go below that", cur.Number, h.Sequence, h.LineObjectNumber, h.ShippedQuantity, w.path)
		}
		body := map[string]any{}
		if !w.quantity.Equal(h.Quantity) {
			body["quantity"] = jsonNumber(w.quantity)
		}
		if !w.unitPrice.Equal(h.UnitPrice) {
			body["unitPrice"] = jsonNumber(w.unitPrice)
		}
		if !w.discount.Equal(h.DiscountAmount) {
			body["discountAmount"] = jsonNumber(w.discount)
		}
		if w.description != "" && w.description != h.Description {
			body["description"] = w.description
		}
		if len(body) > 0 {
			ops = append(ops, lineOp{kind: "patch", have: h, want: w, body: body})
		}
	}
	for j, h := range have {
		if used[j] {
			continue
		}
		if h.ShippedQuantity.IsPos() {
			return nil, c.errorf(connector.BusinessRule, op,
				"sales order %s line %d (%s) has shipped %s; it cannot be removed", cur.Number, h.Sequence, h.LineObjectNumber, h.ShippedQuantity)
		}
		ops = append([]lineOp{{kind: "delete", have: h}}, ops...)
	}
	return ops, nil
}

// amend changes an existing order to the canonical revision.
func (s orderSink) amend(ctx context.Context, op string, w connector.Write[canonical.SalesOrder], cur bcOrder, customer string, want []wantLine) (connector.Result, error) {
	c := s.c
	in := w.Entity
	if w.Target != nil && w.Target.Version != "" && w.Target.Version != cur.ETag && !c.orders.retrying(w.IdempotencyKey) {
		c.orders.conflicted(w.IdempotencyKey)
		return connector.Result{}, c.errorf(connector.Conflict, op,
			"sales order %s changed in Business Central since version %s (now %s)", cur.Number, w.Target.Version, cur.ETag)
	}
	if customer != cur.CustomerNumber {
		return connector.Result{}, c.errorf(connector.BusinessRule, op,
			"sales order %s belongs to customer %s; it cannot move to %s", cur.Number, cur.CustomerNumber, customer)
	}
	if cur.ExternalDocumentNumber != in.CustomerPO && w.Target == nil {
		return connector.Result{}, c.errorf(connector.BusinessRule, op,
			"sales order %s carries the reference %q, not %q", cur.Number, cur.ExternalDocumentNumber, in.CustomerPO)
	}
	ops, err := c.planLines(op, cur, want)
	if err != nil {
		return connector.Result{}, err
	}
	header := changedFields(c.headerBody(in), c.headerBody(c.order(cur)))
	d, err := c.orderDiscount(op, in)
	if err != nil {
		return connector.Result{}, err
	}
	if !d.Equal(cur.DiscountAmount) {
		header["discountAmount"] = jsonNumber(d)
	}
	if len(header) == 0 && len(ops) == 0 {
		return connector.Result{Action: connector.Unchanged, Ref: c.ref(cur.Number, cur.ETag)}, nil
	}
	if !c.cfg.SkipCreditCheck && in.Totals.Payable.Amount.Cmp(cur.TotalAmountIncludingTax) > 0 {
		raise, err := in.Totals.Payable.Amount.Sub(cur.TotalAmountIncludingTax)
		if err != nil {
			return connector.Result{}, c.overflow(op, "totals.payable.amount", "the raise over sales order "+cur.Number)
		}
		if _, err := c.creditCheck(ctx, op, customer, raise); err != nil {
			return connector.Result{}, err
		}
	}
	etag := cur.ETag
	if len(header) > 0 {
		var out bcOrder
		err := c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPatch, Path: c.entityPath("salesOrders", cur.ID),
			Header: ifMatch(etag), Body: header, Idempotent: true}, &out)
		if err != nil {
			return connector.Result{}, err
		}
		etag = out.ETag
	}
	linesPath := c.entityPath("salesOrders", cur.ID) + "/salesOrderLines"
	for _, o := range ops {
		var err error
		switch o.kind {
		case "delete":
			_, err = c.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: linesPath + "(" + o.have.ID + ")", Header: ifMatch(o.have.ETag)})
		case "patch":
			err = c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPatch, Path: linesPath + "(" + o.have.ID + ")",
				Header: ifMatch(o.have.ETag), Body: o.body, Idempotent: true}, nil)
		case "post":
			err = c.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: linesPath, Body: lineBody(o.want)}, nil)
		}
		if err != nil {
			return connector.Result{}, c.lineError(err, want)
		}
	}
	if len(ops) > 0 {
		// Line changes give the order a new ETag.
		now, ok, err := c.getOrder(ctx, "number eq "+quote(cur.Number))
		if err != nil {
			return connector.Result{}, err
		}
		if ok {
			etag = now.ETag
		}
	}
	return connector.Result{Action: connector.Updated, Ref: c.ref(cur.Number, etag)}, nil
}

// cancel deletes the order, which is how Business Central cancels one. An
// order that is not there is already cancelled.
func (s orderSink) cancel(ctx context.Context, w connector.Write[canonical.SalesOrder]) (connector.Result, error) {
	const op = "salesOrders.cancel"
	c := s.c
	var filter string
	switch {
	case w.Target != nil && w.Target.System == c.system && w.Target.ID != "":
		filter = "number eq " + quote(w.Target.ID)
	case w.Entity.CustomerPO != "":
		filter = "externalDocumentNumber eq " + quote(w.Entity.CustomerPO)
	default:
		if n, ok := c.orders.number(w.Key); ok {
			filter = "number eq " + quote(n)
		}
	}
	if filter == "" {
		return connector.Result{Action: connector.Unchanged}, nil
	}
	cur, ok, err := c.getOrder(ctx, filter)
	if err != nil {
		return connector.Result{}, err
	}
	if !ok {
		res := connector.Result{Action: connector.Unchanged}
		if w.Target != nil {
			res = connector.Result{Action: connector.Deleted, Ref: *w.Target}
		}
		return res, nil
	}
	if w.Target != nil && w.Target.Version != "" && w.Target.Version != cur.ETag && !c.orders.retrying(w.IdempotencyKey) {
		c.orders.conflicted(w.IdempotencyKey)
		return connector.Result{}, c.errorf(connector.Conflict, op,
			"sales order %s changed in Business Central since version %s", cur.Number, w.Target.Version)
	}
	for _, l := range cur.Lines {
		if l.ShippedQuantity.IsPos() {
			return connector.Result{}, c.errorf(connector.BusinessRule, op,
				"sales order %s cannot be cancelled: line %d (%s) has shipped %s", cur.Number, l.Sequence, l.LineObjectNumber, l.ShippedQuantity)
		}
	}
	if _, err := c.http.Do(ctx, &httpx.Request{Method: http.MethodDelete, Path: c.entityPath("salesOrders", cur.ID), Header: ifMatch(cur.ETag)}); err != nil {
		if connector.KindOf(err) == connector.NotFound {
			return connector.Result{Action: connector.Deleted, Ref: c.ref(cur.Number, "")}, nil
		}
		return connector.Result{}, err
	}
	c.orders.applied(w.Key, w.Version, cur.Number)
	return connector.Result{Action: connector.Deleted, Ref: c.ref(cur.Number, "")}, nil
}

// Get reads the sales order written for key: the order this Client wrote
// for the key, else the order whose externalDocumentNumber is key, else
// the order numbered key.
func (s orderSink) Get(ctx context.Context, key string) (connector.Change[canonical.SalesOrder], error) {
	c := s.c
	var zero connector.Change[canonical.SalesOrder]
	filters := []string{"externalDocumentNumber eq " + quote(key), "number eq " + quote(key)}
	if n, ok := c.orders.number(key); ok {
		filters = append([]string{"number eq " + quote(n)}, filters...)
	}
	for _, f := range filters {
		o, ok, err := c.getOrder(ctx, f)
		if err != nil {
			return zero, err
		}
		if ok {
			return connector.Change[canonical.SalesOrder]{System: c.system, Key: key, Op: connector.Upsert,
				Version: connector.Version{At: o.LastModifiedDateTime, Tag: o.ETag}, Entity: c.order(o), At: o.LastModifiedDateTime}, nil
		}
	}
	return zero, c.errorf(connector.NotFound, "salesOrders.get", "no sales order for %q", key)
}
