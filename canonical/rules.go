package canonical

import (
	"fmt"
	"strconv"
)

// sum adds decimals and remembers an overflow instead of failing at once, so
// validation can report it as one problem and carry on.
type sum struct {
	d        Decimal
	overflow bool
}

// add adds d to the sum.
func (s *sum) add(d Decimal) {
	if s.overflow {
		return
	}
	r, err := s.d.Add(d)
	if err != nil {
		s.overflow = true
		return
	}
	s.d = r
}

// sub subtracts d from the sum.
func (s *sum) sub(d Decimal) { s.add(d.Neg()) }

// docCheck applies the money rules of one document: its currency, its
// currency's minor units and its rounding mode.
type docCheck struct {
	r        *report
	currency CurrencyCode
	digits   int  // minor units of currency
	known    bool // currency has known minor units
	mode     RoundingMode
}

// newDocCheck prepares the money checks for a document in currency cur,
// rounding with mode (half-up when empty).
func newDocCheck(r *report, cur CurrencyCode, mode RoundingMode) docCheck {
	digits, known := cur.MinorUnits()
	if mode == "" {
		mode = HalfUp
	}
	return docCheck{r: r, currency: cur, digits: digits, known: known, mode: mode}
}

// money checks that m, at path prefix+suffix, is in the document currency.
// Money{} (zero, no currency) passes as an absent amount. The path is built
// only when there is a problem.
func (c *docCheck) money(prefix, suffix string, m Money) {
	switch {
	case m.Currency == c.currency:
	case m.Currency == "":
		if !m.Amount.IsZero() {
			c.r.add(prefix+suffix+".currency", CodeRequired, "", "is required for a non-zero amount")
		}
	case c.currency == "":
		// The document has no currency: its own required rule reports that.
	default:
		c.r.add(prefix+suffix+".currency", CodeCurrencyMismatch, string(m.Currency),
			fmt.Sprintf("is %s, but the document currency is %s", m.Currency, c.currency))
	}
}

// notNegative records a negative amount at prefix+suffix+".amount".
func (c *docCheck) notNegative(prefix, suffix string, m Money) {
	if m.Amount.IsNeg() {
		c.r.add(prefix+suffix+".amount", CodeNegative, m.Amount.String(), "must not be negative")
	}
}

// agree records a totals mismatch when got differs from the computed want.
func (c *docCheck) agree(path string, got Decimal, want sum, what string) {
	switch {
	case want.overflow:
		c.r.add(path, CodeOverflow, got.String(), what+" overflows")
	case !got.Equal(want.d):
		c.r.add(path, CodeTotalsMismatch, got.String(), fmt.Sprintf("is %s, but %s %s", got, what, want.d))
	}
}

// pricedLine is the part of an order, invoice or credit-note line that the
// amount rules read.
type pricedLine struct {
	path      string // "lines[2]"
	qtyField  string // ".ordered" or ".quantity"
	qty       Quantity
	unitPrice Money
	discounts []AllowanceCharge
	taxes     []TaxLine
	net       Money
}

// document applies the currency and totals rules to a document's lines,
// document-level allowances and charges, tax breakdown and totals. The rules
// are written out in the package documentation under "Totals".
func (c *docCheck) document(lines []pricedLine, charges []AllowanceCharge, taxes []TaxLine, t Totals, pricesIncludeTax bool) {
	var lineNet, lineTax sum
	taxedLines := 0
	for _, l := range lines {
		c.money(l.path, ".unitPrice", l.unitPrice)
		c.notNegative(l.path, ".unitPrice", l.unitPrice)
		c.money(l.path, ".net", l.net)
		var amount sum
		if a, err := l.qty.Value.Mul(l.unitPrice.Amount); err != nil {
			amount.overflow = true
		} else {
			amount.d = a
		}
		for j, d := range l.discounts {
			dp := l.path + ".discounts[" + strconv.Itoa(j) + "]"
			c.money(dp, ".amount", d.Amount)
			c.notNegative(dp, ".amount", d.Amount)
			if d.IsCharge {
				amount.add(d.Amount.Amount)
			} else {
				amount.sub(d.Amount.Amount)
			}
		}
		c.taxLines(l.path+".taxes", l.taxes)
		for _, tl := range l.taxes {
			lineTax.add(tl.Tax.Amount)
		}
		if len(l.taxes) > 0 {
			taxedLines++
		}
		if c.known {
			if !amount.overflow {
				amount.d = amount.d.Round(c.digits, c.mode)
			}
			c.agree(l.path+".net.amount", l.net.Amount, amount,
				"round("+l.qtyField[1:]+" × unit price − discounts + charges) =")
		}
		lineNet.add(l.net.Amount)
	}

	var allowances, surcharges sum
	for j, ch := range charges {
		cp := indexPath("charges", j)
		c.money(cp, ".amount", ch.Amount)
		c.notNegative(cp, ".amount", ch.Amount)
		if ch.IsCharge {
			surcharges.add(ch.Amount.Amount)
		} else {
			allowances.add(ch.Amount.Amount)
		}
	}
	c.taxLines("taxes", taxes)
	var docTax sum
	for _, tl := range taxes {
		docTax.add(tl.Tax.Amount)
	}

	c.money("totals", ".lineNet", t.LineNet)
	c.money("totals", ".allowances", t.Allowances)
	c.money("totals", ".charges", t.Charges)
	c.money("totals", ".tax", t.Tax)
	c.money("totals", ".prepaid", t.Prepaid)
	c.money("totals", ".rounding", t.Rounding)
	c.money("totals", ".payable", t.Payable)

	c.agree("totals.lineNet.amount", t.LineNet.Amount, lineNet, "the line nets add up to")
	c.agree("totals.allowances.amount", t.Allowances.Amount, allowances, "the document allowances add up to")
	c.agree("totals.charges.amount", t.Charges.Amount, surcharges, "the document charges add up to")
	switch {
	case len(taxes) > 0:
		c.agree("totals.tax.amount", t.Tax.Amount, docTax, "the tax breakdown adds up to")
	case taxedLines > 0 && c.known && !lineTax.overflow:
		// Tax rounded per line: each line may be off by up to one minor unit
		// from a tax computed on the summed base.
		diff, err := t.Tax.Amount.Sub(lineTax.d)
		tol, _ := NewDecimal(int64(taxedLines), c.digits) // digits ≤ 3, taxedLines ≤ len(lines)
		if err == nil && diff.Abs().Cmp(tol) > 0 {
			c.r.add("totals.tax.amount", CodeTotalsMismatch, t.Tax.Amount.String(),
				fmt.Sprintf("is %s, but the line taxes add up to %s (tolerance %s: one minor unit per taxed line)", t.Tax.Amount, lineTax.d, tol))
		}
	}

	var payable sum
	payable.add(t.LineNet.Amount)
	payable.sub(t.Allowances.Amount)
	payable.add(t.Charges.Amount)
	what := "lineNet − allowances + charges + tax − prepaid + rounding ="
	if pricesIncludeTax {
		what = "lineNet − allowances + charges − prepaid + rounding (prices include tax) ="
	} else {
		payable.add(t.Tax.Amount)
	}
	payable.sub(t.Prepaid.Amount)
	payable.add(t.Rounding.Amount)
	c.agree("totals.payable.amount", t.Payable.Amount, payable, what)
}

// taxLines checks the currency of tax lines and that rates are ≥ 0.
func (c *docCheck) taxLines(prefix string, taxes []TaxLine) {
	for k, tl := range taxes {
		tp := indexPath(prefix, k)
		c.money(tp, ".taxable", tl.Taxable)
		c.money(tp, ".tax", tl.Tax)
		if tl.Rate.IsNeg() {
			c.r.add(tp+".rate", CodeNegative, tl.Rate.String(), "must not be negative")
		}
	}
}

// transactions applies the per-transaction rules: currency, amount > 0 (a
// void may be 0) and unique IDs.
func (c *docCheck) transactions(prefix string, txns []PaymentTransaction) {
	for i, t := range txns {
		tp := indexPath(prefix, i)
		c.money(tp, ".amount", t.Amount)
		switch {
		case t.Kind == TxnVoid:
			c.notNegative(tp, ".amount", t.Amount)
		case !t.Amount.Amount.IsPos():
			c.r.add(tp+".amount.amount", CodeNotPositive, t.Amount.Amount.String(), "must be greater than zero")
		}
	}
	uniqueIDs(c.r, len(txns), func(i int) string { return txns[i].ID },
		func(i int) string { return indexPath(prefix, i) + ".id" }, CodeDuplicate)
}

// ledger applies the payment-ledger rules of an order: the per-transaction
// rules, Σ successful refunds ≤ Σ successful captures and sales, and for each
// successful authorisation Σ successful captures taking it ≤ its amount.
func (c *docCheck) ledger(prefix string, txns []PaymentTransaction) {
	c.transactions(prefix, txns)
	var captured, refunded sum
	for _, t := range txns {
		if t.Status != TxnSuccess {
			continue
		}
		switch t.Kind {
		case TxnCapture, TxnSale:
			captured.add(t.Amount.Amount)
		case TxnRefund:
			refunded.add(t.Amount.Amount)
		}
	}
	switch {
	case captured.overflow || refunded.overflow:
		c.r.add(prefix, CodeOverflow, "", "the ledger amounts overflow")
	case refunded.d.Cmp(captured.d) > 0:
		c.r.add(prefix, CodeRefundExceedsCapture, refunded.d.String(),
			fmt.Sprintf("successful refunds total %s, more than the %s captured", refunded.d, captured.d))
	}
	for i, auth := range txns {
		if auth.Kind != TxnAuthorization || auth.Status != TxnSuccess || auth.ID == "" {
			continue
		}
		var taken sum
		for j, t := range txns {
			if t.Kind != TxnCapture || t.Status != TxnSuccess || t.ParentID != auth.ID {
				continue
			}
			taken.add(t.Amount.Amount)
			if taken.overflow || taken.d.Cmp(auth.Amount.Amount) > 0 {
				c.r.add(indexPath(prefix, j)+".amount.amount", CodeCaptureExceedsAuthorization, t.Amount.Amount.String(),
					fmt.Sprintf("captures of authorisation %s (%s[%d]) total %s, more than its %s",
						auth.ID, prefix, i, taken.d, auth.Amount.Amount))
				break
			}
		}
	}
}
