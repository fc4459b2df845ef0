package canonical

import "time"

// ShipmentStatus is a shipment's lifecycle state; see states.go.
type ShipmentStatus string

// Shipment states.
const (
	ShipmentPlanned          ShipmentStatus = "planned"
	ShipmentLabelPending     ShipmentStatus = "label_pending"
	ShipmentLabelFailed      ShipmentStatus = "label_failed"
	ShipmentAwaitingAction   ShipmentStatus = "awaiting_action"
	ShipmentLabelCreated     ShipmentStatus = "label_created"
	ShipmentShipped          ShipmentStatus = "shipped"
	ShipmentInTransit        ShipmentStatus = "in_transit"
	ShipmentOutForDelivery   ShipmentStatus = "out_for_delivery"
	ShipmentDelivered        ShipmentStatus = "delivered"
	ShipmentException        ShipmentStatus = "exception"
	ShipmentReturnedToSender ShipmentStatus = "returned_to_sender"
	ShipmentLost             ShipmentStatus = "lost"
	ShipmentCancelled        ShipmentStatus = "cancelled"
)

// Shipment is one parcel or consignment sent to a customer. An order may ship in
// several (a split delivery); each line points at the order line it ships.
type Shipment struct {
	Meta
	// Number is the despatch number in the system of record.
	Number string `json:"number" validate:"required"`
	// Order is the sales order number the shipment belongs to.
	Order    string         `json:"order" validate:"required"`
	Status   ShipmentStatus `json:"status" validate:"required,oneof=planned label_pending label_failed awaiting_action label_created shipped in_transit out_for_delivery delivered exception returned_to_sender lost cancelled"`
	ShipFrom string         `json:"shipFrom,omitempty"`
	ShipTo   Address        `json:"shipTo"`
	Lines    []ShipmentLine `json:"lines" validate:"required,min=1,dive"`
	// Carrier and Service name the courier and its service ("dhl", "express").
	Carrier        string          `json:"carrier,omitempty"`
	Service        string          `json:"service,omitempty"`
	TrackingNumber string          `json:"trackingNumber,omitempty"`
	TrackingURL    string          `json:"trackingUrl,omitempty" validate:"omitempty,url"`
	Label          *Label          `json:"label,omitempty"`
	Weight         *Quantity       `json:"weight,omitempty"`
	Events         []TrackingEvent `json:"events,omitempty" validate:"dive"`
	// Problems lists why a label could not be bought, field by field.
	Problems  []ShippingProblem `json:"problems,omitempty"`
	ShippedAt time.Time         `json:"shippedAt,omitzero"`
}

// ShipmentLine ships a quantity of one order line.
type ShipmentLine struct {
	LineID    string   `json:"lineId" validate:"required"`
	OrderLine LineRef  `json:"orderLine"`
	SKU       string   `json:"sku" validate:"required,sku"`
	Quantity  Quantity `json:"quantity"`
}

// Label is a bought shipping label.
type Label struct {
	ID     string `json:"id"`
	Format string `json:"format,omitempty"` // "PDF", "ZPL", "PNG"
	URL    string `json:"url,omitempty"`
	Cost   *Money `json:"cost,omitempty"`
	// Voided is set when the label was voided and its cost refunded or claimed.
	Voided bool `json:"voided,omitempty"`
}

// TrackingEvent is one scan or status update from the carrier.
type TrackingEvent struct {
	At          time.Time      `json:"at"`
	Status      ShipmentStatus `json:"status"`
	Code        string         `json:"code,omitempty"`
	Description string         `json:"description,omitempty"`
	Location    string         `json:"location,omitempty"`
}

// ShippingProblem is one reason a carrier refused a shipment, naming the field
// and, where the carrier offers one, a suggested fix.
type ShippingProblem struct {
	Field      string `json:"field"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}
