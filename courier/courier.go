// Package courier is the port for carrier and shipping platforms: rate quotes,
// labels, voids and tracking, in canonical types. Platform packages below it
// implement Courier against real APIs; courier/memcourier simulates one.
package courier

import (
	"context"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Rate is one priced service for a shipment.
type Rate struct {
	Carrier string
	Service string
	Price   canonical.Money
	// Days is the promised transit time in days, when the carrier gives one.
	Days int
}

// Courier is a shipping platform.
type Courier interface {
	// Shipments books shipments and buys their labels (Sink): the result's ref
	// carries the tracking number. An address the carrier cannot deliver to is
	// refused with the connector.Invalid kind, naming each bad field. A Delete
	// change voids the label.
	Shipments() connector.Sink[canonical.Shipment]
	// Tracking yields shipments whenever the carrier reports new tracking
	// events (in transit, out for delivery, delivered, exception).
	Tracking() connector.Source[canonical.Shipment]
	// Quote prices a shipment with each service that can carry it.
	Quote(ctx context.Context, s canonical.Shipment) ([]Rate, error)
	// VoidLabel voids a label that has not been used; a used label is refused
	// with the connector.BusinessRule kind.
	VoidLabel(ctx context.Context, labelID string) error
	// Track returns a tracking number's events so far.
	Track(ctx context.Context, trackingNumber string) ([]canonical.TrackingEvent, error)
}
