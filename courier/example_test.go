package courier_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/courier"
	"github.com/junctionhq/junction/courier/memcourier"
)

// Quoting a parcel through the port.
func Example() {
	var c courier.Courier = memcourier.New(memcourier.Config{System: "courier", Seed: 1})
	w := canonical.Qty(2, canonical.UnitKilogram)
	rates, err := c.Quote(context.Background(), canonical.Shipment{
		Number: "SH-1", Order: "SO-1", Status: canonical.ShipmentPlanned, Weight: &w,
		ShipTo: canonical.Address{Lines: []string{"1 High St"}, City: "London", PostalCode: "SW1A 1AA", Country: "GB"},
		Lines:  []canonical.ShipmentLine{{LineID: "1", SKU: "MUG", Quantity: canonical.Qty(1, canonical.UnitOne)}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rates {
		fmt.Println(r.Service, r.Price.IsZero())
	}
	// Output:
	// standard false
	// express false
}
