package canonical

// InvoiceStatus is an invoice's or credit note's lifecycle state; see states.go.
// Overdue is derived from the due date, not stored.
type InvoiceStatus string

// Invoice states.
const (
	InvoiceDraft         InvoiceStatus = "draft"
	InvoiceIssued        InvoiceStatus = "issued"
	InvoicePartiallyPaid InvoiceStatus = "partially_paid"
	InvoicePaid          InvoiceStatus = "paid"
	InvoiceCredited      InvoiceStatus = "credited"
	InvoiceCancelled     InvoiceStatus = "cancelled"
)

// Invoice is a bill to a customer. Once issued it is immutable: corrections are
// credit notes.
type Invoice struct {
	Meta
	Number    string        `json:"number" validate:"required"`
	Status    InvoiceStatus `json:"status" validate:"required,oneof=draft issued partially_paid paid credited cancelled"`
	IssueDate Date          `json:"issueDate"`
	DueDate   Date          `json:"dueDate,omitzero"`
	Customer  PartyRef      `json:"customer"`
	BillTo    Address       `json:"billTo,omitzero" validate:"omitempty"`
	Currency  CurrencyCode  `json:"currency" validate:"required,currency"`
	// Orders are the sales orders the invoice bills.
	Orders []string `json:"orders,omitempty"`
	// Shipments are the shipments it bills, when billing follows despatch.
	Shipments []string          `json:"shipments,omitempty"`
	Lines     []InvoiceLine     `json:"lines" validate:"required,min=1,dive"`
	Charges   []AllowanceCharge `json:"charges,omitempty" validate:"dive"`
	Taxes     []TaxLine         `json:"taxes,omitempty" validate:"dive"`
	// PricesIncludeTax says whether unit prices and line nets include tax; if
	// so, Totals.Tax is part of LineNet and not added again to Payable.
	PricesIncludeTax bool         `json:"pricesIncludeTax,omitempty"`
	Rounding         RoundingMode `json:"rounding,omitempty" validate:"omitempty,oneof=half_up half_even"`
	Totals           Totals       `json:"totals"`
	// Paid is what has been paid against the invoice so far.
	Paid Money `json:"paid,omitzero"`
	// Disputed flags an invoice the customer disputes; it does not change Status.
	Disputed bool `json:"disputed,omitempty"`
}

// InvoiceLine bills a quantity, pointing at the order line (and the shipment
// line, when billing follows despatch) it comes from.
type InvoiceLine struct {
	LineID       string            `json:"lineId" validate:"required"`
	OrderLine    *LineRef          `json:"orderLine,omitempty"`
	ShipmentLine *LineRef          `json:"shipmentLine,omitempty"`
	SKU          string            `json:"sku,omitempty" validate:"omitempty,sku"`
	Description  string            `json:"description,omitempty"`
	Quantity     Quantity          `json:"quantity"`
	UnitPrice    Money             `json:"unitPrice"`
	Discounts    []AllowanceCharge `json:"discounts,omitempty" validate:"dive"`
	Taxes        []TaxLine         `json:"taxes,omitempty" validate:"dive"`
	Net          Money             `json:"net"`
}

// CreditNote reduces what a customer owes: a partial refund, a return, a price
// correction. It credits one invoice and may point at the lines it credits.
type CreditNote struct {
	Meta
	Number    string        `json:"number" validate:"required"`
	Status    InvoiceStatus `json:"status" validate:"required,oneof=draft issued partially_paid paid credited cancelled"`
	IssueDate Date          `json:"issueDate"`
	Customer  PartyRef      `json:"customer"`
	Currency  CurrencyCode  `json:"currency" validate:"required,currency"`
	// Invoice is the number of the invoice credited.
	Invoice string `json:"invoice,omitempty"`
	// Order is the sales order the credit relates to.
	Order  string `json:"order,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Refund is the canonical ID of the refund that caused it, if any.
	Refund string        `json:"refund,omitempty"`
	Lines  []InvoiceLine `json:"lines" validate:"required,min=1,dive"`
	Taxes  []TaxLine     `json:"taxes,omitempty" validate:"dive"`
	// PricesIncludeTax says whether unit prices and line nets include tax.
	PricesIncludeTax bool         `json:"pricesIncludeTax,omitempty"`
	Rounding         RoundingMode `json:"rounding,omitempty" validate:"omitempty,oneof=half_up half_even"`
	Totals           Totals       `json:"totals"`
}
