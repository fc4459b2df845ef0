package canonical

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// Stable codes in FieldError.Code. Struct-tag rules use the tag's name as the
// code (required, currency, country, unit, sku, email, url, oneof, min, max,
// numeric, gte); the business rules written in Go use the codes below.
const (
	CodeRequired                    = "required"                      // a mandatory value is missing
	CodeCurrency                    = "currency"                      // not an ISO 4217 code
	CodeCountry                     = "country"                       // not an ISO 3166-1 alpha-2 code
	CodeUnit                        = "unit"                          // not a Rec 20 unit code
	CodeSKU                         = "sku"                           // empty, too long, or has spaces or control characters
	CodeCurrencyMismatch            = "currency_mismatch"             // an amount is not in the document currency
	CodeUnitMismatch                = "unit_mismatch"                 // a quantity is not in the line's unit
	CodeTotalsMismatch              = "totals_mismatch"               // an amount disagrees with the amounts it sums
	CodeNotPositive                 = "not_positive"                  // must be > 0
	CodeNegative                    = "negative"                      // must be ≥ 0
	CodeOverflow                    = "overflow"                      // arithmetic exceeds 19 significant digits
	CodeOverCancelled               = "over_cancelled"                // cancelled > ordered
	CodeOverShipped                 = "over_shipped"                  // shipped + cancelled > ordered
	CodeOverAllocated               = "over_allocated"                // allocated > open quantity, or payment allocations > payment
	CodeOverReturned                = "over_returned"                 // returned > shipped
	CodeOverInvoiced                = "over_invoiced"                 // invoiced > ordered − cancelled
	CodeOverReceived                = "over_received"                 // received > requested on a return line
	CodeDuplicateLineID             = "duplicate_line_id"             // two lines share a LineID
	CodeDuplicate                   = "duplicate"                     // two entries share a key (SKU, transaction ID, invoice)
	CodeOrderMismatch               = "order_mismatch"                // a line points at another order
	CodeInvalidRange                = "invalid_range"                 // an end date is before its start date
	CodeInvalidKind                 = "invalid_kind"                  // a transaction of the wrong kind
	CodeRefundExceedsCapture        = "refund_exceeds_capture"        // Σ refunds > Σ captures + sales
	CodeCaptureExceedsAuthorization = "capture_exceeds_authorization" // Σ captures of an authorisation > its amount
	CodeRefundAmountMismatch        = "refund_amount_mismatch"        // refund amount ≠ Σ lines + shipping
	CodeRefundExceedsAmount         = "refund_exceeds_amount"         // refund transactions > refund amount
)

// embeddedSegment names an embedded struct that has no JSON name (Meta) in a
// validator namespace. JSON flattens embedded fields, so paths drop it.
const embeddedSegment = "~"

// structValidator is the one validator instance: built on first use, with the
// custom tags registered once and JSON field names in its namespaces.
var structValidator = sync.OnceValue(func() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonFieldName)
	for _, t := range customTags {
		// RegisterValidation fails only for an empty or reserved tag name or
		// a nil function; the table below has neither, and the tests exercise
		// every tag.
		_ = v.RegisterValidation(t.tag, t.fn)
	}
	return v
})

// customTags are the model's own struct-tag rules.
var customTags = []struct {
	tag string
	fn  validator.Func
}{
	{"currency", func(fl validator.FieldLevel) bool { return CurrencyCode(fl.Field().String()).Valid() }},
	{"country", func(fl validator.FieldLevel) bool { return ValidCountry(fl.Field().String()) }},
	{"unit", func(fl validator.FieldLevel) bool { return UnitCode(fl.Field().String()).Valid() }},
	{"sku", func(fl validator.FieldLevel) bool { return ValidSKU(fl.Field().String()) }},
}

// ValidSKU reports whether s can be a SKU: 1 to 64 characters of valid UTF-8
// with no whitespace and no control characters.
func ValidSKU(s string) bool {
	if s == "" || len(s) > 64*utf8.UTFMax || !utf8.ValidString(s) || utf8.RuneCountInString(s) > 64 {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// jsonFieldName names struct fields in validator namespaces as JSON does.
func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch {
	case name == "-":
		return f.Name
	case name == "" && f.Anonymous:
		return embeddedSegment
	case name == "":
		return f.Name
	}
	return name
}

// jsonPath turns a validator namespace ("SalesOrder.lines[2].sku") into a
// JSON path relative to the validated entity ("lines[2].sku").
func jsonPath(ns string) string {
	_, rest, ok := strings.Cut(ns, ".")
	if !ok {
		return ""
	}
	rest = strings.ReplaceAll(rest, embeddedSegment+".", "")
	return rest
}

// report collects every problem found in one entity.
type report struct {
	entity string
	errs   []FieldError
}

// add records one problem.
func (r *report) add(path, code, value, message string) {
	r.errs = append(r.errs, FieldError{Path: path, Code: code, Message: message, Value: value})
}

// result returns nil or the *ValidationError listing every problem.
func (r *report) result() error {
	if len(r.errs) == 0 {
		return nil
	}
	return &ValidationError{Entity: r.entity, Errors: r.errs}
}

// tags runs the struct-tag rules on v (a non-nil pointer to a struct) and
// records each failure with its JSON path.
func (r *report) tags(v any) {
	err := structValidator().Struct(v)
	if err == nil {
		return
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		r.add("", "invalid", "", err.Error())
		return
	}
	for _, fe := range verrs {
		r.add(jsonPath(fe.Namespace()), fe.Tag(), valueText(fe.Value()), tagMessage(fe))
	}
}

// tagMessage explains a struct-tag failure in words.
func tagMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "currency":
		return "is not an ISO 4217 currency code"
	case "country":
		return "is not an ISO 3166-1 alpha-2 country code"
	case "unit":
		return "is not a UN/ECE Rec 20 unit code"
	case "sku":
		return "must be 1 to 64 characters without spaces or control characters"
	case "email":
		return "is not an email address"
	case "url":
		return "is not a URL"
	case "numeric":
		return "must contain digits only"
	case "oneof":
		return "must be one of: " + fe.Param()
	case "min", "max":
		word := "at least"
		if fe.Tag() == "max" {
			word = "at most"
		}
		switch fe.Kind() {
		case reflect.Slice, reflect.Map, reflect.Array:
			return fmt.Sprintf("must have %s %s entries", word, fe.Param())
		case reflect.String:
			return fmt.Sprintf("must have %s %s characters", word, fe.Param())
		}
		return fmt.Sprintf("must be %s %s", word, fe.Param())
	case "gte":
		return "must be at least " + fe.Param()
	}
	return fmt.Sprintf("fails the %q rule", fe.Tag())
}

// valueText renders a scalar field value for FieldError.Value; composite
// values render as "".
func valueText(v any) string {
	rv := reflect.ValueOf(v)
	var s string
	switch rv.Kind() {
	case reflect.String:
		s = rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s = strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s = strconv.FormatUint(rv.Uint(), 10)
	case reflect.Bool:
		s = strconv.FormatBool(rv.Bool())
	default:
		return ""
	}
	return string(truncate([]byte(s)))
}

// nilEntity is the error for calling Validate on a nil pointer.
func nilEntity(entity string) error {
	return &ValidationError{Entity: entity, Errors: []FieldError{{Code: CodeRequired, Message: "is nil"}}}
}

// Validate checks the order and returns nil or a *ValidationError listing
// every problem, each with its JSON path and a stable code.
//
// Besides the struct tags (required fields, ISO codes, SKU shape, status
// values) it applies these business rules:
//   - Every amount in lines, charges, taxes, totals and payments is in the
//     order currency; Money{} (zero, no currency) is accepted as absent.
//   - Each line: Ordered > 0 with a unit; every bucket ≥ 0 and in the line's
//     unit; Cancelled ≤ Ordered; Shipped + Cancelled ≤ Ordered; Allocated ≤
//     Ordered − Cancelled − Shipped; Returned ≤ Shipped; Invoiced ≤ Ordered −
//     Cancelled. Line IDs are unique. Unit prices, discounts and charges are
//     ≥ 0.
//   - Amounts agree as described in the package documentation ("Totals").
//   - The payment ledger: amounts > 0 (voids ≥ 0); transaction IDs unique;
//     Σ successful refunds ≤ Σ successful captures and sales; Σ successful
//     captures of one authorisation ≤ that authorisation.
func (o *SalesOrder) Validate() error {
	if o == nil {
		return nilEntity("SalesOrder")
	}
	r := &report{entity: "SalesOrder"}
	r.tags(o)
	c := newDocCheck(r, o.Currency, o.Rounding)
	lines := make([]pricedLine, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		lp := indexPath("lines", i)
		lines[i] = pricedLine{
			path: lp, qtyField: ".ordered", qty: l.Ordered, unitPrice: l.UnitPrice,
			discounts: l.Discounts, taxes: l.Taxes, net: l.Net,
		}
		checkBuckets(r, lp, l)
	}
	uniqueIDs(r, len(o.Lines), func(i int) string { return o.Lines[i].LineID },
		func(i int) string { return indexPath("lines", i) + ".lineId" }, CodeDuplicateLineID)
	c.document(lines, o.Charges, o.Taxes, o.Totals, o.PricesIncludeTax)
	c.ledger("payments", o.Payments)
	return r.result()
}

// checkBuckets applies the quantity rules of one order line.
func checkBuckets(r *report, lp string, l *SalesOrderLine) {
	unit := l.Ordered.Unit
	if unit == "" {
		r.add(lp+".ordered.unit", CodeRequired, "", "is required")
	}
	if !l.Ordered.Value.IsPos() {
		r.add(lp+".ordered.value", CodeNotPositive, l.Ordered.Value.String(), "must be greater than zero")
	}
	buckets := [...]struct {
		name string
		q    Quantity
	}{
		{".allocated", l.Allocated}, {".shipped", l.Shipped}, {".cancelled", l.Cancelled},
		{".invoiced", l.Invoiced}, {".returned", l.Returned},
	}
	sameUnit := unit != ""
	for _, b := range buckets {
		if !quantityInUnit(r, lp+b.name, b.q, unit) {
			sameUnit = false
		}
		if b.q.Value.IsNeg() {
			r.add(lp+b.name+".value", CodeNegative, b.q.Value.String(), "must not be negative")
		}
	}
	if !sameUnit || !l.Ordered.Value.IsPos() {
		return // the invariants need one unit and a valid Ordered
	}
	ordered, cancelled, shipped := l.Ordered.Value, l.Cancelled.Value, l.Shipped.Value
	if cancelled.Cmp(ordered) > 0 {
		r.add(lp+".cancelled.value", CodeOverCancelled, cancelled.String(),
			fmt.Sprintf("cancelled %s exceeds ordered %s", cancelled, ordered))
	}
	remaining, err1 := ordered.Sub(cancelled)
	open, err2 := remaining.Sub(shipped)
	if err1 != nil || err2 != nil {
		r.add(lp+".ordered.value", CodeOverflow, ordered.String(), "quantities overflow")
		return
	}
	if open.IsNeg() && cancelled.Cmp(ordered) <= 0 {
		r.add(lp+".shipped.value", CodeOverShipped, shipped.String(),
			fmt.Sprintf("shipped %s + cancelled %s exceeds ordered %s", shipped, cancelled, ordered))
	}
	if open.IsNeg() {
		open = Decimal{}
	}
	if l.Allocated.Value.Cmp(open) > 0 {
		r.add(lp+".allocated.value", CodeOverAllocated, l.Allocated.Value.String(),
			fmt.Sprintf("allocated %s exceeds the open quantity %s (ordered − cancelled − shipped)", l.Allocated.Value, open))
	}
	if l.Returned.Value.Cmp(shipped) > 0 {
		r.add(lp+".returned.value", CodeOverReturned, l.Returned.Value.String(),
			fmt.Sprintf("returned %s exceeds shipped %s", l.Returned.Value, shipped))
	}
	if l.Invoiced.Value.Cmp(remaining) > 0 {
		r.add(lp+".invoiced.value", CodeOverInvoiced, l.Invoiced.Value.String(),
			fmt.Sprintf("invoiced %s exceeds ordered − cancelled %s", l.Invoiced.Value, remaining))
	}
}

// quantityInUnit reports whether q is in unit, or is the empty quantity (zero,
// no unit). It records the problem when not.
func quantityInUnit(r *report, path string, q Quantity, unit UnitCode) bool {
	switch {
	case q.Unit == unit:
		return true
	case q.Unit == "":
		if q.Value.IsZero() {
			return true
		}
		r.add(path+".unit", CodeRequired, "", "is required for a non-zero quantity")
		return false
	case unit == "":
		return false // the missing reference unit is reported elsewhere
	}
	r.add(path+".unit", CodeUnitMismatch, string(q.Unit), fmt.Sprintf("is %s, but the line is in %s", q.Unit, unit))
	return false
}

// positiveQuantity checks a mandatory quantity: a unit and a value > 0.
func positiveQuantity(r *report, path string, q Quantity) {
	if q.Unit == "" {
		r.add(path+".unit", CodeRequired, "", "is required")
	}
	if !q.Value.IsPos() {
		r.add(path+".value", CodeNotPositive, q.Value.String(), "must be greater than zero")
	}
}

// indexPath returns "name[i]".
func indexPath(name string, i int) string {
	return name + "[" + strconv.Itoa(i) + "]"
}

// uniqueIDs records every entry whose non-empty key repeats an earlier one.
func uniqueIDs(r *report, n int, key, path func(i int) string, code string) {
	if n < 2 {
		return
	}
	seen := make(map[string]struct{}, n)
	for i := range n {
		k := key(i)
		if k == "" {
			continue
		}
		if _, dup := seen[k]; dup {
			r.add(path(i), code, k, fmt.Sprintf("%q is used by an earlier entry", k))
			continue
		}
		seen[k] = struct{}{}
	}
}

// Validate checks the customer's struct tags (a name; valid emails, countries,
// currency and tax IDs) and that its credit limit and balance are in the
// customer's currency, with a credit limit ≥ 0.
func (c *Customer) Validate() error {
	if c == nil {
		return nilEntity("Customer")
	}
	r := &report{entity: "Customer"}
	r.tags(c)
	cur := c.Currency
	if cur == "" && c.CreditLimit != nil {
		cur = c.CreditLimit.Currency
	}
	d := newDocCheck(r, cur, "")
	if c.CreditLimit != nil {
		d.money("creditLimit", "", *c.CreditLimit)
		if c.CreditLimit.Amount.IsNeg() {
			r.add("creditLimit.amount", CodeNegative, c.CreditLimit.Amount.String(), "must not be negative")
		}
	}
	if c.Balance != nil {
		d.money("balance", "", *c.Balance)
	}
	return r.result()
}

// Validate checks the product's struct tags and that variant SKUs are unique,
// unit conversions have a factor > 0 and distinct units, weights are ≥ 0 with
// a unit, and variant prices are ≥ 0.
func (p *Product) Validate() error {
	if p == nil {
		return nilEntity("Product")
	}
	r := &report{entity: "Product"}
	r.tags(p)
	for i, cv := range p.Conversions {
		if !cv.Factor.IsPos() {
			r.add(indexPath("conversions", i)+".factor", CodeNotPositive, cv.Factor.String(), "must be greater than zero")
		}
	}
	uniqueIDs(r, len(p.Conversions), func(i int) string { return string(p.Conversions[i].Unit) },
		func(i int) string { return indexPath("conversions", i) + ".unit" }, CodeDuplicate)
	weight(r, "weight", p.Weight)
	for i := range p.Variants {
		v := &p.Variants[i]
		vp := indexPath("variants", i)
		weight(r, vp+".weight", v.Weight)
		if v.Price != nil {
			if v.Price.Currency == "" {
				r.add(vp+".price.currency", CodeRequired, "", "is required")
			}
			if v.Price.Amount.IsNeg() {
				r.add(vp+".price.amount", CodeNegative, v.Price.Amount.String(), "must not be negative")
			}
		}
	}
	uniqueIDs(r, len(p.Variants), func(i int) string { return p.Variants[i].SKU },
		func(i int) string { return indexPath("variants", i) + ".sku" }, CodeDuplicate)
	return r.result()
}

// weight checks an optional weight: ≥ 0 with a unit.
func weight(r *report, path string, w *Quantity) {
	if w == nil {
		return
	}
	if w.Unit == "" {
		r.add(path+".unit", CodeRequired, "", "is required")
	}
	if w.Value.IsNeg() {
		r.add(path+".value", CodeNegative, w.Value.String(), "must not be negative")
	}
}

// Validate checks the snapshot's struct tags (SKU, location, as-of time) and
// that OnHand has a unit, Allocated and Available are in the same unit,
// Allocated ≥ 0 and Sequence ≥ 0. OnHand and Available may be negative:
// systems report oversold stock that way.
func (s *StockLevel) Validate() error {
	if s == nil {
		return nilEntity("StockLevel")
	}
	r := &report{entity: "StockLevel"}
	r.tags(s)
	if s.OnHand.Unit == "" {
		r.add("onHand.unit", CodeRequired, "", "is required")
	}
	quantityInUnit(r, "allocated", s.Allocated, s.OnHand.Unit)
	quantityInUnit(r, "available", s.Available, s.OnHand.Unit)
	if s.Allocated.Value.IsNeg() {
		r.add("allocated.value", CodeNegative, s.Allocated.Value.String(), "must not be negative")
	}
	if s.Sequence < 0 {
		r.add("sequence", CodeNegative, strconv.FormatInt(s.Sequence, 10), "must not be negative")
	}
	return r.result()
}

// Validate checks the price list's struct tags and that every price is in the
// list currency and ≥ 0, a minimum quantity is > 0 with a unit, ValidTo is not
// before ValidFrom, and no two prices share SKU, minimum quantity and start
// date.
func (pl *PriceList) Validate() error {
	if pl == nil {
		return nilEntity("PriceList")
	}
	r := &report{entity: "PriceList"}
	r.tags(pl)
	d := newDocCheck(r, pl.Currency, "")
	for i := range pl.Prices {
		p := &pl.Prices[i]
		pp := indexPath("prices", i)
		d.money(pp, ".unitPrice", p.UnitPrice)
		if p.UnitPrice.Amount.IsNeg() {
			r.add(pp+".unitPrice.amount", CodeNegative, p.UnitPrice.Amount.String(), "must not be negative")
		}
		if p.MinQuantity != nil {
			positiveQuantity(r, pp+".minQuantity", *p.MinQuantity)
		}
		if !p.ValidFrom.IsZero() && !p.ValidTo.IsZero() && p.ValidTo.Before(p.ValidFrom) {
			r.add(pp+".validTo", CodeInvalidRange, p.ValidTo.String(), "is before validFrom "+p.ValidFrom.String())
		}
	}
	uniqueIDs(r, len(pl.Prices), func(i int) string {
		p := &pl.Prices[i]
		k := p.SKU + "\x00" + p.ValidFrom.String()
		if p.MinQuantity != nil {
			// Numerically equal quantities must collide: 10 and 10.0 are one break.
			k += "\x00" + p.MinQuantity.Value.d.Trim(0).String() + string(p.MinQuantity.Unit)
		}
		return k
	}, func(i int) string { return indexPath("prices", i) }, CodeDuplicate)
	return r.result()
}

// Validate checks the shipment's struct tags and that every line ships a
// quantity > 0 with a unit, line IDs are unique, every line points at the
// shipment's order, and a weight is ≥ 0 with a unit.
func (s *Shipment) Validate() error {
	if s == nil {
		return nilEntity("Shipment")
	}
	r := &report{entity: "Shipment"}
	r.tags(s)
	for i := range s.Lines {
		l := &s.Lines[i]
		lp := indexPath("lines", i)
		positiveQuantity(r, lp+".quantity", l.Quantity)
		orderRef(r, lp+".orderLine.document", l.OrderLine.Document, s.Order)
	}
	uniqueIDs(r, len(s.Lines), func(i int) string { return s.Lines[i].LineID },
		func(i int) string { return indexPath("lines", i) + ".lineId" }, CodeDuplicateLineID)
	weight(r, "weight", s.Weight)
	return r.result()
}

// orderRef records a line that points at another order than its document.
func orderRef(r *report, path, got, want string) {
	if got != "" && want != "" && got != want {
		r.add(path, CodeOrderMismatch, got, "points at order "+got+", but the document is for order "+want)
	}
}

// issued reports whether an invoice or credit note in state s needs an
// issue date.
func issued(s InvoiceStatus) bool {
	return s != InvoiceDraft && s != InvoiceCancelled && s != ""
}

// Validate checks the invoice's struct tags and that: every amount is in the
// invoice currency; every line bills a quantity > 0 with a unit; line IDs are
// unique; amounts agree (see the package documentation, "Totals"); Paid is
// ≥ 0; an issued invoice has an issue date; the due date is not before it.
func (inv *Invoice) Validate() error {
	if inv == nil {
		return nilEntity("Invoice")
	}
	r := &report{entity: "Invoice"}
	r.tags(inv)
	c := newDocCheck(r, inv.Currency, inv.Rounding)
	c.document(invoiceLines(r, inv.Lines), inv.Charges, inv.Taxes, inv.Totals, inv.PricesIncludeTax)
	c.money("paid", "", inv.Paid)
	if inv.Paid.Amount.IsNeg() {
		r.add("paid.amount", CodeNegative, inv.Paid.Amount.String(), "must not be negative")
	}
	if issued(inv.Status) && inv.IssueDate.IsZero() {
		r.add("issueDate", CodeRequired, "", "is required once the invoice is issued")
	}
	if !inv.IssueDate.IsZero() && !inv.DueDate.IsZero() && inv.DueDate.Before(inv.IssueDate) {
		r.add("dueDate", CodeInvalidRange, inv.DueDate.String(), "is before issueDate "+inv.IssueDate.String())
	}
	return r.result()
}

// invoiceLines checks the quantities and IDs of invoice or credit-note lines
// and returns them for the amount checks.
func invoiceLines(r *report, ls []InvoiceLine) []pricedLine {
	lines := make([]pricedLine, len(ls))
	for i := range ls {
		l := &ls[i]
		lp := indexPath("lines", i)
		positiveQuantity(r, lp+".quantity", l.Quantity)
		lines[i] = pricedLine{
			path: lp, qtyField: ".quantity", qty: l.Quantity, unitPrice: l.UnitPrice,
			discounts: l.Discounts, taxes: l.Taxes, net: l.Net,
		}
	}
	uniqueIDs(r, len(ls), func(i int) string { return ls[i].LineID },
		func(i int) string { return indexPath("lines", i) + ".lineId" }, CodeDuplicateLineID)
	return lines
}

// Validate checks a credit note like an invoice (currency, line quantities,
// line IDs, totals) and that its payable amount is ≥ 0: a credit note states
// the credit as a positive amount.
func (cn *CreditNote) Validate() error {
	if cn == nil {
		return nilEntity("CreditNote")
	}
	r := &report{entity: "CreditNote"}
	r.tags(cn)
	c := newDocCheck(r, cn.Currency, cn.Rounding)
	c.document(invoiceLines(r, cn.Lines), nil, cn.Taxes, cn.Totals, cn.PricesIncludeTax)
	if cn.Totals.Payable.Amount.IsNeg() {
		r.add("totals.payable.amount", CodeNegative, cn.Totals.Payable.Amount.String(),
			"must not be negative: a credit note states the credit as a positive amount")
	}
	if issued(cn.Status) && cn.IssueDate.IsZero() {
		r.add("issueDate", CodeRequired, "", "is required once the credit note is issued")
	}
	return r.result()
}

// Validate checks the payment's struct tags and that its amount is > 0 with a
// currency, it has a receipt date, every allocation is > 0 in the payment's
// currency, no invoice is allocated twice, and the allocations do not exceed
// the amount.
func (p *Payment) Validate() error {
	if p == nil {
		return nilEntity("Payment")
	}
	r := &report{entity: "Payment"}
	r.tags(p)
	if p.Amount.Currency == "" {
		r.add("amount.currency", CodeRequired, "", "is required")
	}
	if !p.Amount.Amount.IsPos() {
		r.add("amount.amount", CodeNotPositive, p.Amount.Amount.String(), "must be greater than zero")
	}
	if p.ReceivedOn.IsZero() {
		r.add("receivedOn", CodeRequired, "", "is required")
	}
	d := newDocCheck(r, p.Amount.Currency, "")
	var allocated sum
	for i, a := range p.Allocations {
		ap := indexPath("allocations", i)
		d.money(ap, ".amount", a.Amount)
		if !a.Amount.Amount.IsPos() {
			r.add(ap+".amount.amount", CodeNotPositive, a.Amount.Amount.String(), "must be greater than zero")
		}
		allocated.add(a.Amount.Amount)
	}
	uniqueIDs(r, len(p.Allocations), func(i int) string { return p.Allocations[i].Invoice },
		func(i int) string { return indexPath("allocations", i) + ".invoice" }, CodeDuplicate)
	switch {
	case allocated.overflow:
		r.add("allocations", CodeOverflow, "", "the allocations overflow")
	case allocated.d.Cmp(p.Amount.Amount) > 0:
		r.add("allocations", CodeOverAllocated, allocated.d.String(),
			fmt.Sprintf("allocations total %s, more than the payment's %s", allocated.d, p.Amount.Amount))
	}
	return r.result()
}

// Validate checks the refund's struct tags and that: the amount is > 0 in the
// refund currency; each line refunds a quantity > 0 of a line of the refund's
// order, with an amount ≥ 0; when lines or shipping are given, Amount = Σ line
// amounts + shipping; the transactions are refunds whose successful amounts
// do not exceed Amount.
func (rf *Refund) Validate() error {
	if rf == nil {
		return nilEntity("Refund")
	}
	r := &report{entity: "Refund"}
	r.tags(rf)
	d := newDocCheck(r, rf.Currency, "")
	d.money("amount", "", rf.Amount)
	if !rf.Amount.Amount.IsPos() {
		r.add("amount.amount", CodeNotPositive, rf.Amount.Amount.String(), "must be greater than zero")
	}
	var parts sum
	for i := range rf.Lines {
		l := &rf.Lines[i]
		lp := indexPath("lines", i)
		positiveQuantity(r, lp+".quantity", l.Quantity)
		orderRef(r, lp+".orderLine.document", l.OrderLine.Document, rf.Order)
		d.money(lp, ".amount", l.Amount)
		if l.Amount.Amount.IsNeg() {
			r.add(lp+".amount.amount", CodeNegative, l.Amount.Amount.String(), "must not be negative")
		}
		parts.add(l.Amount.Amount)
	}
	if rf.Shipping != nil {
		d.money("shipping", "", *rf.Shipping)
		if rf.Shipping.Amount.IsNeg() {
			r.add("shipping.amount", CodeNegative, rf.Shipping.Amount.String(), "must not be negative")
		}
		parts.add(rf.Shipping.Amount)
	}
	if len(rf.Lines) > 0 || rf.Shipping != nil {
		switch {
		case parts.overflow:
			r.add("lines", CodeOverflow, "", "the line amounts overflow")
		case !parts.d.Equal(rf.Amount.Amount):
			r.add("amount.amount", CodeRefundAmountMismatch, rf.Amount.Amount.String(),
				fmt.Sprintf("is %s, but lines and shipping add up to %s", rf.Amount.Amount, parts.d))
		}
	}
	d.transactions("transactions", rf.Transactions)
	var refunded sum
	for i, t := range rf.Transactions {
		if t.Kind != TxnRefund {
			r.add(indexPath("transactions", i)+".kind", CodeInvalidKind, string(t.Kind), "must be refund")
			continue
		}
		if t.Status == TxnSuccess {
			refunded.add(t.Amount.Amount)
		}
	}
	if !refunded.overflow && refunded.d.Cmp(rf.Amount.Amount) > 0 {
		r.add("transactions", CodeRefundExceedsAmount, refunded.d.String(),
			fmt.Sprintf("successful refund transactions total %s, more than the refund's %s", refunded.d, rf.Amount.Amount))
	}
	return r.result()
}

// Validate checks the return's struct tags and that every line requests a
// quantity > 0 with a unit, receives ≥ 0 in the same unit and no more than
// requested, points at the return's order, and has a unique line ID.
func (rt *Return) Validate() error {
	if rt == nil {
		return nilEntity("Return")
	}
	r := &report{entity: "Return"}
	r.tags(rt)
	for i := range rt.Lines {
		l := &rt.Lines[i]
		lp := indexPath("lines", i)
		positiveQuantity(r, lp+".requested", l.Requested)
		orderRef(r, lp+".orderLine.document", l.OrderLine.Document, rt.Order)
		if l.Received.Value.IsNeg() {
			r.add(lp+".received.value", CodeNegative, l.Received.Value.String(), "must not be negative")
		}
		if quantityInUnit(r, lp+".received", l.Received, l.Requested.Unit) && l.Received.Value.Cmp(l.Requested.Value) > 0 {
			r.add(lp+".received.value", CodeOverReceived, l.Received.Value.String(),
				fmt.Sprintf("received %s exceeds requested %s", l.Received.Value, l.Requested.Value))
		}
	}
	uniqueIDs(r, len(rt.Lines), func(i int) string { return rt.Lines[i].LineID },
		func(i int) string { return indexPath("lines", i) + ".lineId" }, CodeDuplicateLineID)
	return r.result()
}
