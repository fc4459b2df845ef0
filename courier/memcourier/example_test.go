package memcourier_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/courier/memcourier"
)

// A shipment to an address the carrier cannot deliver to is refused with the
// Invalid kind, naming each bad field; Problems gives the carrier's
// suggestions, ready for Shipment.Problems.
func ExampleSim_Shipments_badAddress() {
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	carrier := memcourier.New(memcourier.Config{Seed: 1, Clock: clock})

	sh := canonical.Shipment{
		Number: "SH-1001", Order: "SO-1001", Status: canonical.ShipmentPlanned,
		ShipTo: canonical.Address{Name: "Ada Lovelace", PostalCode: "sw1a1aa", Country: "UK"},
		Lines: []canonical.ShipmentLine{{
			LineID: "1", OrderLine: canonical.LineRef{Document: "SO-1001", LineID: "1"},
			SKU: "MUG-BLUE", Quantity: canonical.Qty(2, canonical.UnitOne),
		}},
	}
	_, err := carrier.Shipments().Apply(context.Background(), connector.Write[canonical.Shipment]{
		Change: connector.Change[canonical.Shipment]{Key: sh.Number, Entity: sh},
	})
	fmt.Println("kind:", connector.KindOf(err))
	var ce *connector.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Fields {
			fmt.Printf("%s (%s): %s\n", f.Path, f.Code, f.Message)
		}
	}

	// Fix the country first: then the postcode can be checked and corrected.
	sh.ShipTo.Country = "GB"
	_, err = carrier.Shipments().Apply(context.Background(), connector.Write[canonical.Shipment]{
		Change: connector.Change[canonical.Shipment]{Key: sh.Number, Entity: sh},
	})
	for _, p := range memcourier.Problems(err) {
		if p.Suggestion != "" {
			fmt.Printf("suggestion for %s: %s\n", p.Field, p.Suggestion)
		}
	}
	// Output:
	// kind: invalid
	// shipTo.country (unknown_country): "UK" is not an ISO 3166-1 alpha-2 country code (did you mean "GB"?)
	// shipTo.city (required): city is required
	// shipTo.lines (required): at least one address line is required
	// suggestion for shipTo.postalCode: SW1A 1AA
}

// Booking a shipment buys a label; Advance moves the carrier's time on, and
// every tracking event appears on the Tracking source.
func ExampleSim_Advance() {
	ctx := context.Background()
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	carrier := memcourier.New(memcourier.Config{Seed: 1, Clock: clock})

	sh := canonical.Shipment{
		Number: "SH-1001", Order: "SO-1001", Status: canonical.ShipmentPlanned, Service: "express",
		ShipTo: canonical.Address{
			Name: "Ada Lovelace", Lines: []string{"10 Downing Street"}, City: "London",
			PostalCode: "SW1A 2AA", Country: "GB",
		},
		Lines: []canonical.ShipmentLine{{
			LineID: "1", OrderLine: canonical.LineRef{Document: "SO-1001", LineID: "1"},
			SKU: "MUG-BLUE", Quantity: canonical.Qty(2, canonical.UnitOne),
		}},
	}
	res, err := carrier.Shipments().Apply(ctx, connector.Write[canonical.Shipment]{
		Change: connector.Change[canonical.Shipment]{Key: sh.Number, Entity: sh},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	booked, _ := carrier.Shipment("SH-1001")
	fmt.Println(res.Action, res.Ref.ID, booked.Label.Cost)

	if err := carrier.Advance(ctx, 24*time.Hour); err != nil {
		fmt.Println(err)
		return
	}
	for c, err := range carrier.Tracking().Changes(ctx, "") {
		if err != nil {
			fmt.Println(err)
			return
		}
		last := c.Entity.Events[len(c.Entity.Events)-1]
		fmt.Printf("%s %s %-16s %s\n", c.Key, last.At.Format("Jan 2 15:04"), c.Entity.Status, last.Description)
	}
	// Output:
	// created JN5274601051 8.95 GBP
	// SH-1001 Mar 2 09:00 label_created    Label created
	// SH-1001 Mar 2 11:00 shipped          Collected by simpost
	// SH-1001 Mar 2 13:00 in_transit       Arrived at the sorting hub
	// SH-1001 Mar 2 23:00 out_for_delivery Out for delivery
	// SH-1001 Mar 3 02:00 delivered        Delivered
}
