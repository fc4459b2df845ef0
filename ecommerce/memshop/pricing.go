package memshop

import (
	"fmt"

	"github.com/junctionhq/junction/canonical"
)

// calc does decimal arithmetic and remembers the first overflow, so that a
// computation reads straight and reports one problem at the end.
type calc struct{ err error }

func (c *calc) add(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Add(b)
	if err != nil && c.err == nil {
		c.err = err
	}
	return r
}

func (c *calc) sub(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Sub(b)
	if err != nil && c.err == nil {
		c.err = err
	}
	return r
}

func (c *calc) mul(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Mul(b)
	if err != nil && c.err == nil {
		c.err = err
	}
	return r
}

func (c *calc) quo(a, b canonical.Decimal) canonical.Decimal {
	r, err := a.Quo(b)
	if err != nil && c.err == nil {
		c.err = err
	}
	return r
}

// hundred turns a percentage into a fraction.
var hundred = canonical.DecimalFromInt(100)

// checkLine checks one order line a customer asks for against the catalogue
// and the order currency, and fills what the shop knows: the unit (the
// product's base unit, "C62" when it has none) and the description.
func (s *Shop) checkLine(cur canonical.CurrencyCode, i int, l *canonical.SalesOrderLine) []canonical.FieldError {
	var fe []canonical.FieldError
	lp := fmt.Sprintf("lines[%d]", i)
	if owner, ok := s.catalog[l.SKU]; !ok {
		fe = append(fe, fieldError(lp+".sku", "unknown_sku", l.SKU, "no product with SKU %q in the catalogue", l.SKU))
	} else {
		p := s.productBySKU[owner]
		unit := p.BaseUnit
		if unit == "" {
			unit = canonical.UnitOne
		}
		switch l.Ordered.Unit {
		case "":
			l.Ordered.Unit = unit
		case unit:
		default:
			fe = append(fe, fieldError(lp+".ordered.unit", canonical.CodeUnitMismatch, string(l.Ordered.Unit),
				"is %s, but the shop sells %s in %s", l.Ordered.Unit, l.SKU, unit))
		}
		if l.Description == "" {
			l.Description = p.Name
		}
	}
	if !l.Ordered.Value.IsPos() {
		fe = append(fe, fieldError(lp+".ordered.value", canonical.CodeNotPositive, l.Ordered.Value.String(), "must be greater than zero"))
	}
	switch {
	case l.UnitPrice.Currency == cur:
	case l.UnitPrice.Currency == "" && l.UnitPrice.IsZero():
		l.UnitPrice.Currency = cur // a free item
	default:
		fe = append(fe, fieldError(lp+".unitPrice.currency", canonical.CodeCurrencyMismatch, string(l.UnitPrice.Currency),
			"is %s, but the order currency is %s", l.UnitPrice.Currency, cur))
	}
	if l.UnitPrice.Amount.IsNeg() {
		fe = append(fe, fieldError(lp+".unitPrice.amount", canonical.CodeNegative, l.UnitPrice.Amount.String(), "must not be negative"))
	}
	return fe
}

// resolveCharge fills the amount of a discount or charge given as a
// percentage of base, and checks the currency and sign of one given as an
// amount. path is the charge's path, such as "lines[0].discounts[1]".
func resolveCharge(c *calc, ac *canonical.AllowanceCharge, base canonical.Decimal, cur canonical.CurrencyCode, digits int, path string) []canonical.FieldError {
	if ac.Percent != nil {
		if ac.Percent.IsNeg() {
			return []canonical.FieldError{fieldError(path+".percent", canonical.CodeNegative, ac.Percent.String(), "must not be negative")}
		}
		amt := c.quo(c.mul(base, *ac.Percent), hundred).Round(digits, canonical.HalfUp)
		ac.Amount = canonical.Money{Amount: amt, Currency: cur}
		return nil
	}
	var fe []canonical.FieldError
	switch {
	case ac.Amount.Currency == cur:
	case ac.Amount.Currency == "" && ac.Amount.IsZero():
		ac.Amount.Currency = cur
	default:
		fe = append(fe, fieldError(path+".amount.currency", canonical.CodeCurrencyMismatch, string(ac.Amount.Currency),
			"is %s, but the order currency is %s", ac.Amount.Currency, cur))
	}
	if ac.Amount.Amount.IsNeg() {
		fe = append(fe, fieldError(path+".amount.amount", canonical.CodeNegative, ac.Amount.Amount.String(), "must not be negative"))
	}
	return fe
}

// price computes, in place, every line's Net (Ordered × UnitPrice −
// discounts + line charges, rounded half-up to the currency), the amounts of
// discounts and charges given as percentages (of the line amount, or of the
// line nets for order-level ones), the tax breakdown (one VAT line at the
// shop's rate on line nets − order discounts + order charges) and the
// Totals. It reports amounts it cannot accept: wrong currency, negative, or
// discounts larger than what they discount.
func (s *Shop) price(o *canonical.SalesOrder) []canonical.FieldError {
	cur := o.Currency
	digits, ok := cur.MinorUnits()
	if !ok {
		return []canonical.FieldError{fieldError("currency", canonical.CodeCurrency, string(cur), "is not an ISO 4217 currency")}
	}
	round := func(d canonical.Decimal) canonical.Decimal { return d.Round(digits, canonical.HalfUp) }
	money := func(d canonical.Decimal) canonical.Money { return canonical.Money{Amount: d, Currency: cur} }
	var c calc
	var fe []canonical.FieldError
	var lineNet canonical.Decimal
	for i := range o.Lines {
		l := &o.Lines[i]
		lp := fmt.Sprintf("lines[%d]", i)
		base := c.mul(l.Ordered.Value, l.UnitPrice.Amount)
		amount := base
		for j := range l.Discounts {
			d := &l.Discounts[j]
			fe = append(fe, resolveCharge(&c, d, base, cur, digits, fmt.Sprintf("%s.discounts[%d]", lp, j))...)
			if d.IsCharge {
				amount = c.add(amount, d.Amount.Amount)
			} else {
				amount = c.sub(amount, d.Amount.Amount)
			}
		}
		net := round(amount)
		if net.IsNeg() {
			fe = append(fe, fieldError(lp+".discounts", "discount_exceeds_amount", net.String(),
				"the discounts exceed the line amount %s", round(base)))
		}
		l.Net = money(net)
		l.Taxes = nil // the shop taxes the document, not the lines
		lineNet = c.add(lineNet, net)
	}
	var allowances, charges canonical.Decimal
	for j := range o.Charges {
		ch := &o.Charges[j]
		fe = append(fe, resolveCharge(&c, ch, lineNet, cur, digits, fmt.Sprintf("charges[%d]", j))...)
		if ch.IsCharge {
			charges = c.add(charges, ch.Amount.Amount)
		} else {
			allowances = c.add(allowances, ch.Amount.Amount)
		}
	}
	taxable := c.add(c.sub(lineNet, allowances), charges)
	if taxable.IsNeg() {
		fe = append(fe, fieldError("charges", "discount_exceeds_amount", allowances.String(),
			"the order discounts %s exceed the line nets and charges", allowances))
	}
	var tax canonical.Decimal
	o.Taxes = nil
	if s.taxRate.IsPos() {
		tax = round(c.mul(taxable, s.taxRate))
		o.Taxes = []canonical.TaxLine{{Category: "S", Name: "VAT", Rate: s.taxRate, Taxable: money(taxable), Tax: money(tax)}}
	}
	o.PricesIncludeTax = false
	o.Rounding = ""
	o.Totals = canonical.Totals{
		LineNet:    money(lineNet),
		Allowances: money(allowances),
		Charges:    money(charges),
		Tax:        money(tax),
		Payable:    money(c.add(taxable, tax)),
	}
	if c.err != nil {
		fe = append(fe, fieldError("totals", canonical.CodeOverflow, "", "the amounts overflow: %v", c.err))
	}
	return fe
}

// paidShares splits what the customer paid for an order (Totals.Payable)
// into what each line is worth in full and what shipping is worth: the
// order charges with their tax go to shipping, and the rest is allocated
// over the lines in proportion to their nets, to the minor unit, so that the
// parts add up to Payable exactly. Refunds are computed from these shares.
func paidShares(o *canonical.SalesOrder) (lines []canonical.Decimal, shipping canonical.Decimal, err error) {
	var c calc
	digits, _ := o.Currency.MinorUnits()
	payable := o.Totals.Payable.Amount
	shipping = o.Totals.Charges.Amount
	if len(o.Taxes) > 0 {
		shipping = c.add(shipping, c.mul(shipping, o.Taxes[0].Rate).Round(digits, canonical.HalfUp))
	}
	if shipping.Cmp(payable) > 0 {
		shipping = payable
	}
	goods := c.sub(payable, shipping)
	if c.err != nil {
		return nil, canonical.Decimal{}, c.err
	}
	lines = make([]canonical.Decimal, len(o.Lines))
	weights := make([]canonical.Decimal, len(o.Lines))
	var total canonical.Decimal
	for i, l := range o.Lines {
		if l.Net.Amount.IsPos() {
			weights[i] = l.Net.Amount
			total = c.add(total, l.Net.Amount)
		}
	}
	if !goods.IsPos() || !total.IsPos() || c.err != nil {
		return lines, shipping, c.err
	}
	parts, err := canonical.Money{Amount: goods, Currency: o.Currency}.Allocate(weights...)
	if err != nil {
		return nil, canonical.Decimal{}, err
	}
	for i, p := range parts {
		lines[i] = p.Amount
	}
	return lines, shipping, nil
}
