package ecommerce_test

import (
	"fmt"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/ecommerce"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

// Code written against the port runs on any shop: the simulator here,
// Shopify in production.
func Example() {
	var shop ecommerce.Shop = memshop.New(memshop.Config{System: "shop"})
	fmt.Printf("orders: %+v\n", connector.CapabilitiesOf[canonical.SalesOrder](shop.Orders()))
	fmt.Printf("fulfillments: %+v\n", connector.CapabilitiesOf[canonical.Shipment](shop.Fulfillments()))
	// Output:
	// orders: {Batch:false Get:true Delete:false Webhooks:false}
	// fulfillments: {Batch:false Get:true Delete:true Webhooks:false}
}
