package businesscentral

import (
	"time"

	"github.com/junctionhq/junction/canonical"
)

// The API v2.0 entities as Business Central sends them. Amounts and
// quantities are JSON numbers; canonical.Decimal decodes them from their
// text, never through float64. Field names are those of the resource
// types: https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/

// bcCustomer is a customer.
type bcCustomer struct {
	ETag                  string            `json:"@odata.etag"`
	ID                    string            `json:"id"`
	Number                string            `json:"number"`
	DisplayName           string            `json:"displayName"`
	Type                  string            `json:"type"`
	AddressLine1          string            `json:"addressLine1"`
	AddressLine2          string            `json:"addressLine2"`
	City                  string            `json:"city"`
	State                 string            `json:"state"`
	Country               string            `json:"country"`
	PostalCode            string            `json:"postalCode"`
	PhoneNumber           string            `json:"phoneNumber"`
	Email                 string            `json:"email"`
	Website               string            `json:"website"`
	BalanceDue            canonical.Decimal `json:"balanceDue"`
	CreditLimit           canonical.Decimal `json:"creditLimit"`
	TaxRegistrationNumber string            `json:"taxRegistrationNumber"`
	CurrencyCode          string            `json:"currencyCode"`
	Blocked               string            `json:"blocked"`
	LastModifiedDateTime  time.Time         `json:"lastModifiedDateTime"`
}

// bcItem is an item.
type bcItem struct {
	ETag                  string            `json:"@odata.etag"`
	ID                    string            `json:"id"`
	Number                string            `json:"number"`
	DisplayName           string            `json:"displayName"`
	Type                  string            `json:"type"`
	Blocked               bool              `json:"blocked"`
	GTIN                  string            `json:"gtin"`
	Inventory             canonical.Decimal `json:"inventory"`
	UnitPrice             canonical.Decimal `json:"unitPrice"`
	BaseUnitOfMeasureCode string            `json:"baseUnitOfMeasureCode"`
	LastModifiedDateTime  time.Time         `json:"lastModifiedDateTime"`
}

// bcLedgerEntry is an item ledger entry.
type bcLedgerEntry struct {
	EntryNumber int64             `json:"entryNumber"`
	ItemNumber  string            `json:"itemNumber"`
	Quantity    canonical.Decimal `json:"quantity"`
}

// bcOrder is a sales order, with its lines when expanded.
type bcOrder struct {
	ETag                    string            `json:"@odata.etag"`
	ID                      string            `json:"id"`
	Number                  string            `json:"number"`
	ExternalDocumentNumber  string            `json:"externalDocumentNumber"`
	OrderDate               bcDate            `json:"orderDate"`
	RequestedDeliveryDate   bcDate            `json:"requestedDeliveryDate"`
	CustomerID              string            `json:"customerId"`
	CustomerNumber          string            `json:"customerNumber"`
	CustomerName            string            `json:"customerName"`
	CurrencyCode            string            `json:"currencyCode"`
	PricesIncludeTax        bool              `json:"pricesIncludeTax"`
	DiscountAmount          canonical.Decimal `json:"discountAmount"`
	TotalAmountExcludingTax canonical.Decimal `json:"totalAmountExcludingTax"`
	TotalTaxAmount          canonical.Decimal `json:"totalTaxAmount"`
	TotalAmountIncludingTax canonical.Decimal `json:"totalAmountIncludingTax"`
	FullyShipped            bool              `json:"fullyShipped"`
	Status                  string            `json:"status"`
	LastModifiedDateTime    time.Time         `json:"lastModifiedDateTime"`
	PhoneNumber             string            `json:"phoneNumber"`
	Email                   string            `json:"email"`
	Lines                   []bcLine          `json:"salesOrderLines"`
	bcShipTo
	bcBillTo
}

// bcLine is a line of a sales order, shipment or invoice (each has a
// subset of these fields).
type bcLine struct {
	ETag                      string            `json:"@odata.etag"`
	ID                        string            `json:"id"`
	Sequence                  int               `json:"sequence"`
	LineType                  string            `json:"lineType"`
	LineObjectNumber          string            `json:"lineObjectNumber"`
	Description               string            `json:"description"`
	UnitOfMeasureCode         string            `json:"unitOfMeasureCode"`
	Quantity                  canonical.Decimal `json:"quantity"`
	UnitPrice                 canonical.Decimal `json:"unitPrice"`
	DiscountAmount            canonical.Decimal `json:"discountAmount"`
	AmountExcludingTax        canonical.Decimal `json:"amountExcludingTax"`
	TaxCode                   string            `json:"taxCode"`
	TaxPercent                canonical.Decimal `json:"taxPercent"`
	TotalTaxAmount            canonical.Decimal `json:"totalTaxAmount"`
	InvoiceDiscountAllocation canonical.Decimal `json:"invoiceDiscountAllocation"`
	NetAmount                 canonical.Decimal `json:"netAmount"`
	NetTaxAmount              canonical.Decimal `json:"netTaxAmount"`
	ShippedQuantity           canonical.Decimal `json:"shippedQuantity"`
	InvoicedQuantity          canonical.Decimal `json:"invoicedQuantity"`
	ShipQuantity              canonical.Decimal `json:"shipQuantity"`
	ShipmentDate              bcDate            `json:"shipmentDate"`
}

// bcShipment is a posted sales shipment.
type bcShipment struct {
	ETag                   string    `json:"@odata.etag"`
	ID                     string    `json:"id"`
	Number                 string    `json:"number"`
	ExternalDocumentNumber string    `json:"externalDocumentNumber"`
	PostingDate            bcDate    `json:"postingDate"`
	CustomerNumber         string    `json:"customerNumber"`
	OrderNumber            string    `json:"orderNumber"`
	ShipmentMethodCode     string    `json:"shipmentMethodCode"`
	LastModifiedDateTime   time.Time `json:"lastModifiedDateTime"`
	Lines                  []bcLine  `json:"salesShipmentLines"`
	bcShipTo
}

// bcInvoice is a sales invoice.
type bcInvoice struct {
	ETag                    string            `json:"@odata.etag"`
	ID                      string            `json:"id"`
	Number                  string            `json:"number"`
	ExternalDocumentNumber  string            `json:"externalDocumentNumber"`
	InvoiceDate             bcDate            `json:"invoiceDate"`
	DueDate                 bcDate            `json:"dueDate"`
	CustomerNumber          string            `json:"customerNumber"`
	CustomerName            string            `json:"customerName"`
	CurrencyCode            string            `json:"currencyCode"`
	OrderNumber             string            `json:"orderNumber"`
	PricesIncludeTax        bool              `json:"pricesIncludeTax"`
	RemainingAmount         canonical.Decimal `json:"remainingAmount"`
	DiscountAmount          canonical.Decimal `json:"discountAmount"`
	TotalAmountExcludingTax canonical.Decimal `json:"totalAmountExcludingTax"`
	TotalTaxAmount          canonical.Decimal `json:"totalTaxAmount"`
	TotalAmountIncludingTax canonical.Decimal `json:"totalAmountIncludingTax"`
	Status                  string            `json:"status"`
	LastModifiedDateTime    time.Time         `json:"lastModifiedDateTime"`
	Lines                   []bcLine          `json:"salesInvoiceLines"`
	bcBillTo
}

// bcShipTo is the ship-to address of a sales order or shipment.
type bcShipTo struct {
	ShipToName         string `json:"shipToName"`
	ShipToContact      string `json:"shipToContact"`
	ShipToAddressLine1 string `json:"shipToAddressLine1"`
	ShipToAddressLine2 string `json:"shipToAddressLine2"`
	ShipToCity         string `json:"shipToCity"`
	ShipToCountry      string `json:"shipToCountry"`
	ShipToState        string `json:"shipToState"`
	ShipToPostCode     string `json:"shipToPostCode"`
}

// bcBillTo is the bill-to address of a sales order or invoice.
type bcBillTo struct {
	BillToName         string `json:"billToName"`
	BillToAddressLine1 string `json:"billToAddressLine1"`
	BillToAddressLine2 string `json:"billToAddressLine2"`
	BillToCity         string `json:"billToCity"`
	BillToCountry      string `json:"billToCountry"`
	BillToState        string `json:"billToState"`
	BillToPostCode     string `json:"billToPostCode"`
}

// bcDate is an Edm.Date: "2026-03-02". Business Central writes
// "0001-01-01" for no date.
type bcDate struct{ canonical.Date }

// UnmarshalJSON reads "2006-01-02"; "", null and "0001-01-01" are no date.
func (d *bcDate) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` || s == `"0001-01-01"` {
		d.Date = canonical.Date{}
		return nil
	}
	return d.Date.UnmarshalJSON(b)
}
