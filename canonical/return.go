package canonical

// ReturnStatus is a return's lifecycle state; see states.go.
type ReturnStatus string

// Return states.
const (
	ReturnRequested      ReturnStatus = "requested"
	ReturnAuthorized     ReturnStatus = "authorized"
	ReturnDeclined       ReturnStatus = "declined"
	ReturnAwaitingReturn ReturnStatus = "awaiting_return"
	ReturnInTransit      ReturnStatus = "in_transit"
	ReturnReceived       ReturnStatus = "received"
	ReturnInspected      ReturnStatus = "inspected"
	ReturnResolved       ReturnStatus = "resolved"
	ReturnClosed         ReturnStatus = "closed"
	ReturnCancelled      ReturnStatus = "cancelled"
)

// Disposition says what happens to a returned item.
type Disposition string

// Dispositions.
const (
	DispositionRestock Disposition = "restock"
	DispositionScrap   Disposition = "scrap"
	DispositionRepair  Disposition = "repair"
	DispositionVendor  Disposition = "return_to_vendor"
)

// Return is a return merchandise authorisation (RMA).
type Return struct {
	Meta
	Number string       `json:"number" validate:"required"`
	Order  string       `json:"order" validate:"required"`
	Status ReturnStatus `json:"status" validate:"required,oneof=requested authorized declined awaiting_return in_transit received inspected resolved closed cancelled"`
	Lines  []ReturnLine `json:"lines" validate:"required,min=1,dive"`
}

// ReturnLine returns a quantity of one order line.
type ReturnLine struct {
	LineID      string      `json:"lineId" validate:"required"`
	OrderLine   LineRef     `json:"orderLine"`
	SKU         string      `json:"sku,omitempty" validate:"omitempty,sku"`
	Requested   Quantity    `json:"requested"`
	Received    Quantity    `json:"received,omitzero"`
	Reason      string      `json:"reason,omitempty"`
	Disposition Disposition `json:"disposition,omitempty" validate:"omitempty,oneof=restock scrap repair return_to_vendor"`
}
