package businesscentral

import (
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// Conversions from Business Central's entities to canonical ones. They
// never fail and never panic: a field Business Central leaves empty stays
// empty, and the flow's validation says what is missing.

// ref is the connector's ref for a Business Central record.
func (c *Client) ref(number, etag string) canonical.ExternalRef {
	return canonical.ExternalRef{System: c.system, ID: number, Version: etag}
}

// currency returns a document's currency: Business Central leaves
// currencyCode empty for the local currency.
func (c *Client) currency(code string) canonical.CurrencyCode {
	if code == "" {
		return c.cfg.LocalCurrency
	}
	return canonical.CurrencyCode(strings.ToUpper(code))
}

// address builds a canonical address. Business Central leaves the country
// empty for the company's own country; Config.LocalCountry fills it in.
// Without a country the address is left out, as canonical addresses need
// one.
func (c *Client) address(name, line1, line2, city, state, zip, country, phone string) canonical.Address {
	country = strings.ToUpper(strings.TrimSpace(country))
	if country == "" {
		country = c.cfg.LocalCountry
	}
	a := canonical.Address{Name: name, Lines: nonEmpty(line1, line2), City: city, Region: state, PostalCode: zip, Country: country, Phone: phone}
	if country == "" {
		return canonical.Address{}
	}
	return a
}

// shipTo converts a document's ship-to address, with the document's phone
// number if it has one.
func (c *Client) shipTo(a bcShipTo, phone string) canonical.Address {
	return c.address(a.ShipToName, a.ShipToAddressLine1, a.ShipToAddressLine2, a.ShipToCity, a.ShipToState,
		a.ShipToPostCode, a.ShipToCountry, phone)
}

// billTo converts a document's bill-to address.
func (c *Client) billTo(a bcBillTo) canonical.Address {
	return c.address(a.BillToName, a.BillToAddressLine1, a.BillToAddressLine2, a.BillToCity, a.BillToState,
		a.BillToPostCode, a.BillToCountry, "")
}

// unit maps a Business Central unit-of-measure code to a canonical unit.
func (c *Client) unit(code string) canonical.UnitCode {
	if u, ok := c.unitOf[strings.ToUpper(code)]; ok {
		return u
	}
	if u := canonical.UnitCode(strings.ToUpper(code)); u.Valid() {
		return u
	}
	return canonical.UnitOne
}

// bcUnit maps a canonical unit to a Business Central unit-of-measure code,
// or "" to let Business Central use the item's sales unit.
func (c *Client) bcUnit(u canonical.UnitCode) string { return c.cfg.Units[u] }

// creditStatus derives a customer's credit status: blocked "All" is
// blocked; "Ship" or "Invoice" (some postings refused) or a balance over a
// positive credit limit is a hold.
func creditStatus(blocked string, balance, limit canonical.Decimal) canonical.CreditStatus {
	switch strings.TrimSpace(blocked) {
	case "All":
		return canonical.CreditBlocked
	case "Ship", "Invoice":
		return canonical.CreditHold
	}
	if limit.IsPos() && balance.Cmp(limit) > 0 {
		return canonical.CreditHold
	}
	return canonical.CreditOK
}

// isBlank reports whether an enum value is Business Central's blank member
// (" ", which OData can also spell "_x0020_").
func isBlank(v string) bool { return strings.TrimSpace(v) == "" || v == "_x0020_" }

// customer converts a Business Central customer.
func (c *Client) customer(b bcCustomer) canonical.Customer {
	cur := c.currency(b.CurrencyCode)
	out := canonical.Customer{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{c.ref(b.Number, b.ETag)}, UpdatedAt: b.LastModifiedDateTime},
		Number: b.Number, Name: b.DisplayName, Email: b.Email, Phone: b.PhoneNumber, Currency: cur,
	}
	blocked := b.Blocked
	if isBlank(blocked) {
		blocked = ""
	}
	out.CreditStatus = creditStatus(blocked, b.BalanceDue, b.CreditLimit)
	bal := canonical.Money{Amount: b.BalanceDue, Currency: cur}
	out.Balance = &bal
	if b.CreditLimit.IsPos() {
		lim := canonical.Money{Amount: b.CreditLimit, Currency: cur}
		out.CreditLimit = &lim
	}
	if b.AddressLine1 != "" || b.AddressLine2 != "" || b.City != "" || b.PostalCode != "" || b.Country != "" {
		if a := c.address("", b.AddressLine1, b.AddressLine2, b.City, b.State, b.PostalCode, b.Country, ""); !a.IsZero() {
			out.Addresses = []canonical.Address{a}
		}
	}
	if b.TaxRegistrationNumber != "" {
		out.TaxIDs = []canonical.TaxID{{Scheme: "VAT", Country: strings.ToUpper(b.Country), Value: b.TaxRegistrationNumber}}
		if !canonical.ValidCountry(out.TaxIDs[0].Country) {
			out.TaxIDs[0].Country = ""
		}
	}
	return out
}

// orderStatus maps a sales order's status to the canonical lifecycle:
// Business Central's "In Review" is pending approval (submitted); an order
// in Business Central is otherwise accepted, in progress once a line has
// shipped, and completed when fully shipped.
func orderStatus(b bcOrder) canonical.OrderStatus {
	switch {
	case b.FullyShipped:
		return canonical.OrderCompleted
	case b.Status == "In Review":
		return canonical.OrderSubmitted
	}
	for _, l := range b.Lines {
		if l.ShippedQuantity.IsPos() {
			return canonical.OrderInProgress
		}
	}
	return canonical.OrderAccepted
}

// lineID is the canonical ID of a Business Central document line: its
// sequence (line number), which a posted shipment or invoice line keeps.
func lineID(seq int) string { return strconv.Itoa(seq) }

// order converts a sales order with its lines.
func (c *Client) order(b bcOrder) canonical.SalesOrder {
	cur := c.currency(b.CurrencyCode)
	money := func(d canonical.Decimal) canonical.Money { return canonical.Money{Amount: d, Currency: cur} }
	o := canonical.SalesOrder{
		Meta:       canonical.Meta{Refs: []canonical.ExternalRef{c.ref(b.Number, b.ETag)}, UpdatedAt: b.LastModifiedDateTime},
		Number:     b.Number,
		CustomerPO: b.ExternalDocumentNumber,
		Customer: canonical.PartyRef{Name: b.CustomerName, Email: b.Email,
			Refs: []canonical.ExternalRef{{System: c.system, ID: b.CustomerNumber}}},
		ShipTo:           c.shipTo(b.bcShipTo, b.PhoneNumber),
		BillTo:           c.billTo(b.bcBillTo),
		Currency:         cur,
		Status:           orderStatus(b),
		PricesIncludeTax: b.PricesIncludeTax,
	}
	if !b.OrderDate.IsZero() {
		o.OrderedAt = b.OrderDate.In(time.UTC)
	}
	var lineNet sum
	for _, l := range b.Lines {
		switch l.LineType {
		case "Item":
		case "Account", "Charge", "Resource", "Fixed Asset":
			// Charges booked to an account become order-level charges.
			if l.LineType == "Account" && l.LineObjectNumber == c.cfg.ChargeAccount && c.cfg.ChargeAccount != "" {
				amount := l.AmountExcludingTax
				o.Charges = append(o.Charges, canonical.AllowanceCharge{IsCharge: true, Reason: l.Description, Amount: money(amount)})
				continue
			}
		default:
			continue // comments carry no quantity
		}
		u := c.unit(l.UnitOfMeasureCode)
		ol := canonical.SalesOrderLine{
			LineID: lineID(l.Sequence), ExternalLineID: l.ID, SKU: l.LineObjectNumber, Description: l.Description,
			Ordered:   canonical.Quantity{Value: l.Quantity, Unit: u},
			Shipped:   canonical.Quantity{Value: l.ShippedQuantity, Unit: u},
			Invoiced:  canonical.Quantity{Value: l.InvoicedQuantity, Unit: u},
			UnitPrice: money(l.UnitPrice),
			Net:       money(l.AmountExcludingTax),
		}
		if !l.DiscountAmount.IsZero() {
			ol.Discounts = append(ol.Discounts, canonical.AllowanceCharge{Reason: "line discount", Amount: money(l.DiscountAmount)})
		}
		if !l.TaxPercent.IsZero() || !l.TotalTaxAmount.IsZero() {
			ol.Taxes = []canonical.TaxLine{{Category: taxCategory(l.TaxCode), Rate: l.TaxPercent, Taxable: money(l.NetAmount), Tax: money(l.TotalTaxAmount)}}
		}
		lineNet.add(ol.Net.Amount)
		o.Lines = append(o.Lines, ol)
	}
	var charges sum
	for _, ch := range o.Charges {
		charges.add(ch.Amount.Amount)
	}
	o.Totals = canonical.Totals{
		LineNet:    lineNet.money(cur),
		Allowances: money(b.DiscountAmount),
		Charges:    charges.money(cur),
		Tax:        money(b.TotalTaxAmount),
		Payable:    money(b.TotalAmountIncludingTax),
	}
	if !b.DiscountAmount.IsZero() {
		o.Charges = append(o.Charges, canonical.AllowanceCharge{Reason: "invoice discount", Amount: money(b.DiscountAmount)})
	}
	return o
}

// taxCategory names a line's tax category: its tax code, or "S"
// (standard) when Business Central gives none.
func taxCategory(code string) string {
	if code == "" {
		return "S"
	}
	return code
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// shipment converts a posted sales shipment. Posted shipments have left
// the warehouse, so their status is shipped.
func (c *Client) shipment(b bcShipment) canonical.Shipment {
	sh := canonical.Shipment{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{c.ref(b.Number, b.ETag)}, UpdatedAt: b.LastModifiedDateTime},
		Number: b.Number, Order: b.OrderNumber, Status: canonical.ShipmentShipped,
		ShipTo:  c.shipTo(b.bcShipTo, ""),
		Service: b.ShipmentMethodCode,
	}
	if !b.PostingDate.IsZero() {
		sh.ShippedAt = b.PostingDate.In(time.UTC)
	}
	for _, l := range b.Lines {
		if l.LineType != "Item" || l.Quantity.IsZero() {
			continue
		}
		sh.Lines = append(sh.Lines, canonical.ShipmentLine{
			LineID:    lineID(l.Sequence),
			OrderLine: canonical.LineRef{Document: b.OrderNumber, LineID: lineID(l.Sequence)},
			SKU:       l.LineObjectNumber,
			Quantity:  canonical.Quantity{Value: l.Quantity, Unit: c.unit(l.UnitOfMeasureCode)},
		})
	}
	return sh
}

// invoiceStatus maps a sales invoice's status; a partly paid open invoice
// is partially_paid.
func invoiceStatus(b bcInvoice) canonical.InvoiceStatus {
	switch b.Status {
	case "Paid":
		return canonical.InvoicePaid
	case "Canceled":
		return canonical.InvoiceCancelled
	case "Corrective":
		return canonical.InvoiceCredited
	case "Open":
		if b.RemainingAmount.Cmp(b.TotalAmountIncludingTax) < 0 && b.RemainingAmount.IsPos() {
			return canonical.InvoicePartiallyPaid
		}
		return canonical.InvoiceIssued
	}
	return canonical.InvoiceDraft
}

// isPosted reports whether a sales invoice status is a posted one.
func isPosted(status string) bool {
	switch status {
	case "Open", "Paid", "Canceled", "Corrective":
		return true
	}
	return false
}

// invoice converts a sales invoice. Each line's Net is its net amount
// after the invoice discount, which is listed among its discounts, so that
// Totals.LineNet is the total excluding tax.
func (c *Client) invoice(b bcInvoice) canonical.Invoice {
	cur := c.currency(b.CurrencyCode)
	money := func(d canonical.Decimal) canonical.Money { return canonical.Money{Amount: d, Currency: cur} }
	inv := canonical.Invoice{
		Meta:   canonical.Meta{Refs: []canonical.ExternalRef{c.ref(b.Number, b.ETag)}, UpdatedAt: b.LastModifiedDateTime},
		Number: b.Number, Status: invoiceStatus(b), IssueDate: b.InvoiceDate.Date, DueDate: b.DueDate.Date,
		Customer:         canonical.PartyRef{Name: b.CustomerName, Refs: []canonical.ExternalRef{{System: c.system, ID: b.CustomerNumber}}},
		BillTo:           c.billTo(b.bcBillTo),
		Currency:         cur,
		PricesIncludeTax: b.PricesIncludeTax,
	}
	// Paid is left out unless the invoice is open or paid, and when the
	// total less the remaining amount overflows (an invoice's amounts are
	// not negative, so that takes nonsense from Business Central).
	if paid, err := b.TotalAmountIncludingTax.Sub(b.RemainingAmount); err == nil && (b.Status == "Open" || b.Status == "Paid") {
		inv.Paid = money(paid)
	}
	if b.OrderNumber != "" {
		inv.Orders = []string{b.OrderNumber}
	}
	var lineNet sum
	for _, l := range b.Lines {
		if l.LineType == "Comment" || l.LineType == "" {
			continue
		}
		net := l.NetAmount
		if net.IsZero() && !l.AmountExcludingTax.IsZero() {
			net = l.AmountExcludingTax
		}
		il := canonical.InvoiceLine{
			LineID: lineID(l.Sequence), Description: l.Description,
			Quantity:  canonical.Quantity{Value: l.Quantity, Unit: c.unit(l.UnitOfMeasureCode)},
			UnitPrice: money(l.UnitPrice),
			Net:       money(net),
		}
		if l.LineType == "Item" {
			il.SKU = l.LineObjectNumber
		}
		if b.OrderNumber != "" {
			il.OrderLine = &canonical.LineRef{Document: b.OrderNumber, LineID: lineID(l.Sequence)}
		}
		if !l.DiscountAmount.IsZero() {
			il.Discounts = append(il.Discounts, canonical.AllowanceCharge{Reason: "line discount", Amount: money(l.DiscountAmount)})
		}
		if !l.InvoiceDiscountAllocation.IsZero() {
			il.Discounts = append(il.Discounts, canonical.AllowanceCharge{Reason: "invoice discount", Amount: money(l.InvoiceDiscountAllocation)})
		}
		if !l.TaxPercent.IsZero() || !l.TotalTaxAmount.IsZero() {
			il.Taxes = []canonical.TaxLine{{Category: taxCategory(l.TaxCode), Rate: l.TaxPercent, Taxable: money(net), Tax: money(l.TotalTaxAmount)}}
		}
		lineNet.add(net)
		inv.Lines = append(inv.Lines, il)
	}
	inv.Totals = canonical.Totals{
		LineNet: lineNet.money(cur),
		Tax:     money(b.TotalTaxAmount),
		Payable: money(b.TotalAmountIncludingTax),
	}
	return inv
}

// sum adds decimals and remembers an overflow (more than 19 significant
// digits) instead of turning it into a wrong number.
type sum struct {
	d        canonical.Decimal
	overflow bool
}

// add adds d to the sum.
func (s *sum) add(d canonical.Decimal) {
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
func (s *sum) sub(d canonical.Decimal) { s.add(d.Neg()) }

// money returns the sum in currency cur, or no amount (Money{}) when it
// overflowed: a decoded document's total is then left out, and the
// document's validation, which adds the same amounts, reports the overflow.
func (s sum) money(cur canonical.CurrencyCode) canonical.Money {
	if s.overflow {
		return canonical.Money{}
	}
	return canonical.Money{Amount: s.d, Currency: cur}
}
