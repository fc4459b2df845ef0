package memerp

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/sim"
)

// invoiceRec is an issued invoice and what has been credited against it.
type invoiceRec struct {
	inv      canonical.Invoice
	customer string
	credited canonical.Money
}

// share returns round(m × num / den) in m's currency, or zero when den is not
// positive.
func share(m canonical.Money, num, den canonical.Decimal, mode canonical.RoundingMode) canonical.Money {
	zero := canonical.Money{Currency: m.Currency}
	if !den.IsPos() {
		return zero
	}
	x, err := m.Amount.Mul(num)
	if err != nil {
		return zero
	}
	q, err := x.Quo(den)
	if err != nil {
		return zero
	}
	return canonical.Money{Amount: q, Currency: m.Currency}.Round(mode)
}

// nonNeg returns m, or zero if m is negative.
func nonNeg(m canonical.Money) canonical.Money {
	if m.Amount.IsNeg() {
		return canonical.Money{Currency: m.Currency}
	}
	return m
}

// issueInvoice bills exactly what a despatch shipped. Each invoice line is
// priced at the order line's unit price, with the line's discounts and taxes
// shared out by quantity: the share of a later invoice is what the
// cumulative quantity invoiced earns (rounded half-up, or as the order says)
// less what earlier invoices took, so the invoices of a line add up to its
// discounts and taxes exactly. The invoice that completes a line bills the
// rest of the line's Net, with a ROUNDING allowance or charge when rounding
// per invoice left a gap. Order-level charges, allowances and taxes are
// shared out the same way by line net.
func (e *ERP) issueInvoice(rec *orderRec, sh *shipmentRec) canonical.Invoice {
	o := &rec.order
	cur := o.Currency
	mode := o.Rounding
	if mode == "" {
		mode = canonical.HalfUp
	}
	zero := canonical.Zero(cur)
	lineNet, lineTax := zero, zero
	var lines []canonical.InvoiceLine
	for _, sl := range sh.ship.Lines {
		ol, ok := o.Line(sl.OrderLine.LineID)
		if !ok {
			continue
		}
		ls := rec.lines[ol.LineID]
		q, ordered := sl.Quantity.Value, ol.Ordered.Value
		cum := add(ls.invoiced, q)
		for len(ls.invDisc) < len(ol.Discounts) {
			ls.invDisc = append(ls.invDisc, zero)
		}
		for len(ls.invTax) < len(ol.Taxes) {
			ls.invTax = append(ls.invTax, taxPart{zero, zero})
		}
		gross, err := ol.UnitPrice.Mul(q)
		if err != nil {
			gross = zero
		}
		il := canonical.InvoiceLine{
			LineID:       strconv.Itoa(len(lines) + 1),
			OrderLine:    &canonical.LineRef{Document: o.Number, LineID: ol.LineID},
			ShipmentLine: &canonical.LineRef{Document: sh.ship.Number, LineID: sl.LineID},
			SKU:          ol.SKU,
			Description:  ol.Description,
			Quantity:     sl.Quantity,
			UnitPrice:    ol.UnitPrice,
		}
		amount := gross
		for k, d := range ol.Discounts {
			part := nonNeg(msub(share(d.Amount, cum, ordered, mode), ls.invDisc[k]))
			ls.invDisc[k] = madd(ls.invDisc[k], part)
			ac := clone(d)
			ac.Amount = part
			il.Discounts = append(il.Discounts, ac)
			if d.IsCharge {
				amount = madd(amount, part)
			} else {
				amount = msub(amount, part)
			}
		}
		for k, tl := range ol.Taxes {
			p := taxPart{
				taxable: nonNeg(msub(share(tl.Taxable, cum, ordered, mode), ls.invTax[k].taxable)),
				tax:     nonNeg(msub(share(tl.Tax, cum, ordered, mode), ls.invTax[k].tax)),
			}
			ls.invTax[k] = taxPart{madd(ls.invTax[k].taxable, p.taxable), madd(ls.invTax[k].tax, p.tax)}
			il.Taxes = append(il.Taxes, canonical.TaxLine{Category: tl.Category, Name: tl.Name, Rate: tl.Rate, Taxable: p.taxable, Tax: p.tax})
			lineTax = madd(lineTax, p.tax)
		}
		computed := amount.Round(mode)
		il.Net = computed
		if ol.Cancelled.IsZero() && cum.Cmp(ordered) >= 0 {
			il.Net = msub(ol.Net, ls.invNet)
			if diff := msub(il.Net, computed); !diff.IsZero() {
				il.Discounts = append(il.Discounts, canonical.AllowanceCharge{
					IsCharge: diff.Amount.IsPos(), Code: "ROUNDING",
					Reason: "brings the invoices of order line " + ol.LineID + " to its net",
					Amount: canonical.Money{Amount: diff.Amount.Abs(), Currency: cur},
				})
			}
		}
		ls.invoiced = cum
		ls.invNet = madd(ls.invNet, il.Net)
		lineNet = madd(lineNet, il.Net)
		lines = append(lines, il)
	}

	// Order-level charges and taxes, by the share of line net invoiced so far.
	invoicedNet := zero
	for _, ls := range rec.lines {
		invoicedNet = madd(invoicedNet, ls.invNet)
	}
	num, den := invoicedNet.Amount, o.Totals.LineNet.Amount
	if billedAll(o, rec) {
		num, den = canonical.DecimalFromInt(1), canonical.DecimalFromInt(1)
	}
	for len(rec.billedCharges) < len(o.Charges) {
		rec.billedCharges = append(rec.billedCharges, zero)
	}
	for len(rec.billedTaxes) < len(o.Taxes) {
		rec.billedTaxes = append(rec.billedTaxes, taxPart{zero, zero})
	}
	allowances, charges, docTax := zero, zero, zero
	var invCharges []canonical.AllowanceCharge
	for k, c := range o.Charges {
		part := nonNeg(msub(share(c.Amount, num, den, mode), rec.billedCharges[k]))
		if part.IsZero() {
			continue
		}
		rec.billedCharges[k] = madd(rec.billedCharges[k], part)
		ac := clone(c)
		ac.Amount = part
		invCharges = append(invCharges, ac)
		if c.IsCharge {
			charges = madd(charges, part)
		} else {
			allowances = madd(allowances, part)
		}
	}
	var invTaxes []canonical.TaxLine
	for k, tl := range o.Taxes {
		p := taxPart{
			taxable: nonNeg(msub(share(tl.Taxable, num, den, mode), rec.billedTaxes[k].taxable)),
			tax:     nonNeg(msub(share(tl.Tax, num, den, mode), rec.billedTaxes[k].tax)),
		}
		rec.billedTaxes[k] = taxPart{madd(rec.billedTaxes[k].taxable, p.taxable), madd(rec.billedTaxes[k].tax, p.tax)}
		invTaxes = append(invTaxes, canonical.TaxLine{Category: tl.Category, Name: tl.Name, Rate: tl.Rate, Taxable: p.taxable, Tax: p.tax})
		docTax = madd(docTax, p.tax)
	}
	tax := lineTax
	if len(o.Taxes) > 0 {
		tax = docTax
	}
	payable := madd(msub(lineNet, allowances), charges)
	if !o.PricesIncludeTax {
		payable = madd(payable, tax)
	}

	cust := e.customers[rec.customer]
	now := e.env.Clock.Now()
	e.invoiceCount++
	number := sim.Seq("INV", e.invoiceCount)
	issue := canonical.DateOf(now)
	inv := canonical.Invoice{
		Number:    number,
		Status:    canonical.InvoiceIssued,
		IssueDate: issue,
		DueDate:   issue.AddDays(e.paymentDays(cust)),
		Customer: canonical.PartyRef{
			ID: o.Customer.ID, Refs: []canonical.ExternalRef{e.ref(rec.customer)},
			Name: cust.Name, Email: cust.Email,
		},
		BillTo:           o.BillTo,
		Currency:         cur,
		Orders:           []string{o.Number},
		Shipments:        []string{sh.ship.Number},
		Lines:            lines,
		Charges:          invCharges,
		Taxes:            invTaxes,
		PricesIncludeTax: o.PricesIncludeTax,
		Rounding:         o.Rounding,
		Totals: canonical.Totals{
			LineNet: lineNet, Allowances: allowances, Charges: charges, Tax: tax, Payable: payable,
		},
	}
	inv.SetRef(e.ref(number))
	inv.Revision = 1
	inv.UpdatedAt = now
	inv = clone(inv)
	e.invoices[number] = &invoiceRec{inv: inv, customer: rec.customer, credited: zero}
	rec.invoicedPayable = madd(rec.invoicedPayable, payable)
	e.invoiceLog.Append(number, connector.Upsert, clone(inv))
	e.changeBalance(cust, payable)
	return inv
}

// billedAll reports whether every line of the order has invoiced all of
// Ordered (nothing cancelled), so the last shares are the remainders.
func billedAll(o *canonical.SalesOrder, rec *orderRec) bool {
	for _, l := range o.Lines {
		ls := rec.lines[l.LineID]
		if !l.Cancelled.IsZero() || ls == nil || ls.invoiced.Cmp(l.Ordered.Value) < 0 {
			return false
		}
	}
	return true
}

// paymentDays returns an account's payment terms in days: n for "NET<n>",
// else the configured default.
func (e *ERP) paymentDays(c *canonical.Customer) int {
	if c != nil {
		if s, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(c.PaymentTerms)), "NET"); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && n >= 0 {
				return n
			}
		}
	}
	return e.cfg.PaymentDays
}

// changeBalance adds delta to an account's balance and logs the account.
func (e *ERP) changeBalance(c *canonical.Customer, delta canonical.Money) {
	if c == nil || delta.IsZero() {
		return
	}
	b := canonical.Zero(c.Currency)
	if c.Balance != nil {
		b = *c.Balance
	}
	b = madd(b, delta)
	c.Balance = &b
	e.touchCustomer(c)
}

// Invoice returns the invoice with the given number.
func (e *ERP) Invoice(number string) (canonical.Invoice, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.invoices[number]
	if !ok {
		return canonical.Invoice{}, false
	}
	return clone(r.inv), true
}

// InvoicesOf returns the invoices of an order, by number.
func (e *ERP) InvoicesOf(order string) []canonical.Invoice {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []canonical.Invoice
	for _, n := range slices.Sorted(maps.Keys(e.invoices)) {
		if r := e.invoices[n]; slices.Contains(r.inv.Orders, order) {
			out = append(out, clone(r.inv))
		}
	}
	return out
}

// CreditNote returns the credit note with the given number.
func (e *ERP) CreditNote(number string) (canonical.CreditNote, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cn, ok := e.creditNotes[number]
	if !ok {
		return canonical.CreditNote{}, false
	}
	return clone(*cn), true
}

// creditNoteSink is the CreditNotes sink.
type creditNoteSink struct{ e *ERP }

// Apply issues a credit note against an invoice. The invoice must exist
// (NotFound otherwise) and the credit may not exceed what is left of the
// invoice after earlier credit notes (BusinessRule). The credit note gets
// the ERP's number, the invoice's customer and currency, and reduces the
// account's balance; an invoice credited in full becomes credited. An issued
// credit note cannot change: a newer version that differs is a BusinessRule
// error, and a Delete is Unsupported.
func (s creditNoteSink) Apply(ctx context.Context, w connector.Write[canonical.CreditNote]) (connector.Result, error) {
	const op = "creditNotes.apply"
	e := s.e
	if err := e.call(ctx, op); err != nil {
		return connector.Result{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.creditSink.replay(w.IdempotencyKey); ok {
		return r, nil
	}
	var existing *canonical.CreditNote
	if t := w.Target; t != nil && t.System == e.cfg.System && t.ID != "" {
		existing = e.creditNotes[t.ID]
		if existing == nil {
			return connector.Result{}, e.errorf(connector.NotFound, op, "no credit note %s", t.ID)
		}
	} else if n, ok := e.creditKeys[w.Key]; ok && w.Key != "" {
		existing = e.creditNotes[n]
	}
	if e.creditSink.stale(w.Key, w.Version) {
		res := connector.Result{Action: connector.Stale}
		if existing != nil {
			res.Ref = e.ref(existing.Number)
		}
		return res, nil
	}
	if w.Op == connector.Delete {
		return connector.Result{}, e.errorf(connector.Unsupported, op, "an issued credit note cannot be deleted")
	}
	in := w.Entity
	if existing != nil {
		ref := e.ref(existing.Number)
		if in.Invoice == existing.Invoice && equal(in.Totals.Payable, existing.Totals.Payable) {
			res := connector.Result{Action: connector.Unchanged, Ref: ref}
			record(&e.creditSink, w, res)
			return res, nil
		}
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"credit note %s is issued and cannot change; issue another credit note", existing.Number)
	}
	if in.Invoice == "" {
		return connector.Result{}, e.invalidField(op, "invoice", canonical.CodeRequired, "", "is required: the invoice to credit")
	}
	ir, ok := e.invoices[in.Invoice]
	if !ok {
		return connector.Result{}, e.errorf(connector.NotFound, op, "no invoice %s", in.Invoice)
	}
	inv := &ir.inv
	cn := clone(in)
	if cn.Currency == "" {
		cn.Currency = inv.Currency
	}
	if cn.Currency != inv.Currency {
		return connector.Result{}, e.invalidField(op, "currency", canonical.CodeCurrencyMismatch, string(cn.Currency),
			fmt.Sprintf("is %s, but invoice %s is in %s", cn.Currency, inv.Number, inv.Currency))
	}
	number := sim.Seq("CN", e.creditCount+1)
	now := e.env.Clock.Now()
	cn.Number = number
	cn.SetRef(e.ref(number))
	cn.Revision = 1
	cn.UpdatedAt = now
	cn.Status = canonical.InvoiceIssued
	if cn.IssueDate.IsZero() {
		cn.IssueDate = canonical.DateOf(now)
	}
	cn.Customer = inv.Customer
	if cn.Order == "" && len(inv.Orders) > 0 {
		cn.Order = inv.Orders[0]
	}
	if err := cn.Validate(); err != nil {
		return connector.Result{}, e.validation(op, "credit note", err)
	}
	left := msub(inv.Totals.Payable, ir.credited)
	if c, err := cn.Totals.Payable.Cmp(left); err != nil || c > 0 {
		return connector.Result{}, e.errorf(connector.BusinessRule, op,
			"credit note of %s exceeds what is left to credit on invoice %s: %s of %s",
			cn.Totals.Payable, inv.Number, left, inv.Totals.Payable)
	}
	e.creditCount++
	e.creditNotes[number] = &cn
	if w.Key != "" {
		e.creditKeys[w.Key] = number
	}
	ir.credited = madd(ir.credited, cn.Totals.Payable)
	e.changeBalance(e.customers[ir.customer], cn.Totals.Payable.Neg())
	if ir.credited.Equal(inv.Totals.Payable) && inv.Transition(canonical.InvoiceCredited) == nil {
		inv.Revision++
		inv.UpdatedAt = now
		e.invoiceLog.Append(inv.Number, connector.Upsert, clone(*inv))
	}
	res := connector.Result{Action: connector.Created, Ref: e.ref(number)}
	record(&e.creditSink, w, res)
	return res, nil
}
