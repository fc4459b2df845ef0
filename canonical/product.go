package canonical

import "time"

// Product is a sellable item: one SKU per stock-keeping variant. A product with
// variants (sizes, colours) lists them; each variant has its own SKU.
type Product struct {
	Meta
	// SKU is the stock-keeping unit, the key most systems share.
	SKU  string `json:"sku" validate:"required,sku"`
	Name string `json:"name" validate:"required"`
	// GTIN is the barcode (EAN-13, UPC-A, GTIN-14), when the item has one.
	GTIN        string `json:"gtin,omitempty" validate:"omitempty,numeric,min=8,max=14"`
	Description string `json:"description,omitempty"`
	// BaseUnit is the unit stock is counted in.
	BaseUnit    UnitCode         `json:"baseUnit,omitempty" validate:"omitempty,unit"`
	Conversions []UnitConversion `json:"conversions,omitempty" validate:"dive"`
	// TaxCategory is the tax category code (for example "standard", "zero").
	TaxCategory string    `json:"taxCategory,omitempty"`
	Variants    []Variant `json:"variants,omitempty" validate:"dive"`
	// Weight is the shipping weight of one base unit.
	Weight *Quantity `json:"weight,omitempty"`
	Active bool      `json:"active"`
}

// Variant is one stock-keeping variant of a product.
type Variant struct {
	Meta
	SKU     string            `json:"sku" validate:"required,sku"`
	GTIN    string            `json:"gtin,omitempty" validate:"omitempty,numeric,min=8,max=14"`
	Title   string            `json:"title,omitempty"`
	Options map[string]string `json:"options,omitempty"`
	Price   *Money            `json:"price,omitempty"`
	Weight  *Quantity         `json:"weight,omitempty"`
}

// UnitConversion says how many base units one alternative unit holds: a box of
// 12 is {Unit: "BX", Factor: 12}.
type UnitConversion struct {
	Unit   UnitCode `json:"unit" validate:"required,unit"`
	Factor Decimal  `json:"factor"`
}

// StockLevel is a snapshot of one SKU at one location. Snapshots are applied
// only when their Sequence is newer than the last applied one, so a late update
// never overwrites a newer count.
type StockLevel struct {
	SKU      string `json:"sku" validate:"required,sku"`
	Location string `json:"location" validate:"required"`
	// OnHand is what is physically there.
	OnHand Quantity `json:"onHand"`
	// Allocated is reserved for orders not yet shipped.
	Allocated Quantity `json:"allocated"`
	// Available is what can be sold: OnHand - Allocated, as the source computes it.
	Available Quantity  `json:"available"`
	AsOf      time.Time `json:"asOf" validate:"required"`
	// Source names the system that counted.
	Source string `json:"source,omitempty"`
	// Sequence orders snapshots from one source; higher is newer.
	Sequence int64 `json:"sequence"`
}

// PriceList is a set of prices: a customer's contract prices, a channel's
// price book, or the standard list.
type PriceList struct {
	Meta
	Name     string       `json:"name" validate:"required"`
	Currency CurrencyCode `json:"currency" validate:"required,currency"`
	// Customer restricts the list to one customer, when set.
	Customer *PartyRef `json:"customer,omitempty"`
	// TaxIncluded says whether the prices include tax.
	TaxIncluded bool    `json:"taxIncluded,omitempty"`
	Prices      []Price `json:"prices" validate:"dive"`
}

// Price is the price of a SKU, possibly from a minimum quantity (a quantity
// break) and within validity dates.
type Price struct {
	SKU       string `json:"sku" validate:"required,sku"`
	UnitPrice Money  `json:"unitPrice"`
	// MinQuantity is the smallest order quantity the price applies to.
	MinQuantity *Quantity `json:"minQuantity,omitempty"`
	ValidFrom   Date      `json:"validFrom,omitzero"`
	ValidTo     Date      `json:"validTo,omitzero"`
}

// ValidOn reports whether the price applies on day d.
func (p Price) ValidOn(d Date) bool {
	if !p.ValidFrom.IsZero() && d.Before(p.ValidFrom) {
		return false
	}
	if !p.ValidTo.IsZero() && p.ValidTo.Before(d) {
		return false
	}
	return true
}
