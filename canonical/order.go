package canonical

import "time"

// OrderStatus is a sales order's lifecycle state. Holds and amendments are
// overlays: they never change it. See the SalesOrder state machine in
// states.go for the allowed transitions.
type OrderStatus string

// Sales order states.
const (
	OrderDraft      OrderStatus = "draft"
	OrderSubmitted  OrderStatus = "submitted"
	OrderAccepted   OrderStatus = "accepted"
	OrderRejected   OrderStatus = "rejected"
	OrderInProgress OrderStatus = "in_progress"
	OrderCompleted  OrderStatus = "completed"
	OrderClosed     OrderStatus = "closed"
	OrderCancelled  OrderStatus = "cancelled"
)

// SalesOrder is a customer's order. Its lines keep quantity buckets (ordered,
// allocated, shipped, cancelled, invoiced, returned) from which the fulfilment,
// billing and payment statuses are derived, never stored.
type SalesOrder struct {
	Meta
	// Number is the seller's order number in the system of record.
	Number string `json:"number" validate:"required"`
	// CustomerPO is the buyer's purchase-order number or the channel's order
	// name (Shopify "#1001"), carried to the ERP as the external document number.
	CustomerPO string `json:"customerPo,omitempty"`
	// Channel names where the order was captured ("web", "shopify", "edi").
	Channel  string       `json:"channel,omitempty"`
	Customer PartyRef     `json:"customer"`
	BillTo   Address      `json:"billTo,omitzero" validate:"omitempty"`
	ShipTo   Address      `json:"shipTo,omitzero" validate:"omitempty"`
	Currency CurrencyCode `json:"currency" validate:"required,currency"`
	Status   OrderStatus  `json:"status" validate:"required,oneof=draft submitted accepted rejected in_progress completed closed cancelled"`
	// Holds is the set of holds on the order.
	Holds []Hold           `json:"holds,omitempty" validate:"dive"`
	Lines []SalesOrderLine `json:"lines" validate:"required,min=1,dive"`
	// Charges are order-level allowances (discounts) and charges (shipping).
	Charges []AllowanceCharge `json:"charges,omitempty" validate:"dive"`
	// Taxes is the document's tax breakdown by category.
	Taxes []TaxLine `json:"taxes,omitempty" validate:"dive"`
	// PricesIncludeTax says whether unit prices include tax.
	PricesIncludeTax bool `json:"pricesIncludeTax,omitempty"`
	// Rounding is the document's rounding rule for totals; empty means half-up.
	Rounding RoundingMode `json:"rounding,omitempty" validate:"omitempty,oneof=half_up half_even"`
	Totals   Totals       `json:"totals"`
	// Payments is the payment ledger of the order: authorisations, captures,
	// voids and refunds. The payment status is derived from it.
	Payments  []PaymentTransaction `json:"payments,omitempty" validate:"dive"`
	OrderedAt time.Time            `json:"orderedAt,omitzero"`
	// CancelReason is set when the order is cancelled.
	CancelReason string `json:"cancelReason,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Line returns the line with the given ID.
func (o *SalesOrder) Line(id string) (*SalesOrderLine, bool) {
	for i := range o.Lines {
		if o.Lines[i].LineID == id {
			return &o.Lines[i], true
		}
	}
	return nil, false
}

// SalesOrderLine is one line of a sales order. LineID is stable across
// amendments: shipment, invoice and return lines point at it.
type SalesOrderLine struct {
	LineID string `json:"lineId" validate:"required"`
	// ExternalLineID is the line's ID in the other system (Shopify line item ID).
	ExternalLineID string `json:"externalLineId,omitempty"`
	SKU            string `json:"sku" validate:"required,sku"`
	Description    string `json:"description,omitempty"`
	// Ordered is the quantity the customer asked for.
	Ordered Quantity `json:"ordered"`
	// Allocated is stock reserved for the line and not yet shipped.
	Allocated Quantity `json:"allocated,omitzero"`
	Shipped   Quantity `json:"shipped,omitzero"`
	Cancelled Quantity `json:"cancelled,omitzero"`
	Invoiced  Quantity `json:"invoiced,omitzero"`
	Returned  Quantity `json:"returned,omitzero"`
	// UnitPrice is the price of one unit, before line discounts.
	UnitPrice Money `json:"unitPrice"`
	// Discounts are line-level allowances.
	Discounts []AllowanceCharge `json:"discounts,omitempty" validate:"dive"`
	Taxes     []TaxLine         `json:"taxes,omitempty" validate:"dive"`
	// Net is Ordered × UnitPrice − Discounts, rounded to the currency.
	Net Money `json:"net"`
}

// Open returns the quantity still to ship: Ordered − Cancelled − Shipped.
func (l SalesOrderLine) Open() (Quantity, error) {
	q, err := l.Ordered.Sub(l.Cancelled)
	if err != nil {
		return Quantity{}, err
	}
	return q.Sub(l.Shipped)
}

// AllowanceCharge is a discount (allowance) or a surcharge (charge), at order or
// line level: a promotion code, a shipping fee.
type AllowanceCharge struct {
	// IsCharge is true for a charge (adds to the total), false for an allowance.
	IsCharge bool   `json:"isCharge"`
	Reason   string `json:"reason,omitempty"`
	// Code is the reason code, such as a promotion code or "SHIPPING".
	Code   string `json:"code,omitempty"`
	Amount Money  `json:"amount"`
	// Percent is the rate the amount came from, when it was a percentage.
	Percent *Decimal `json:"percent,omitempty"`
	// TaxCategory is the tax category that applies to a charge.
	TaxCategory string `json:"taxCategory,omitempty"`
}

// TaxLine is the tax of one category: the base it applies to, the rate, the tax.
type TaxLine struct {
	// Category is the tax category code, such as "S" (standard) or "Z" (zero).
	Category string `json:"category" validate:"required"`
	// Name is the tax's display name, such as "VAT" or "CA State Tax".
	Name    string  `json:"name,omitempty"`
	Rate    Decimal `json:"rate"`
	Taxable Money   `json:"taxable"`
	Tax     Money   `json:"tax"`
}

// Totals are a document's computed amounts, as the system of record computed
// them. Payable = LineNet − Allowances + Charges + Tax − Prepaid + Rounding.
type Totals struct {
	LineNet    Money `json:"lineNet"`
	Allowances Money `json:"allowances,omitzero"`
	Charges    Money `json:"charges,omitzero"`
	Tax        Money `json:"tax,omitzero"`
	Prepaid    Money `json:"prepaid,omitzero"`
	Rounding   Money `json:"rounding,omitzero"`
	Payable    Money `json:"payable"`
}
