package shopifytest_test

import (
	"context"
	"fmt"

	"github.com/junctionhq/junction/ecommerce/shopify"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// A test of code that talks to Shopify runs against the fake over real HTTP:
// seed an order, read it back through the connector.
func Example() {
	srv := shopifytest.NewServer(shopifytest.Options{})
	defer srv.Close()
	if _, err := srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "MUG", Quantity: 2, Price: "9.50"}}}); err != nil {
		fmt.Println(err)
		return
	}
	shop, err := shopify.New(shopify.Config{Shop: srv.Domain, Token: srv.Token, BaseURL: srv.URL, HTTPClient: srv.Client(), Settle: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for ch, err := range shop.Orders().Changes(context.Background(), "") {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(ch.Key, ch.Entity.Lines[0].SKU, ch.Entity.Lines[0].Ordered, ch.Entity.Totals.Payable)
	}
	// Output:
	// #1001 MUG 2 C62 19.00 EUR
}
