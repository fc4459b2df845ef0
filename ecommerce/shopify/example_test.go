package shopify_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/ecommerce/shopify"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

// Connect to a shop and check the token. Against a real shop, set Shop
// and Token only; here the fake in shopifytest stands in for Shopify.
func Example_connect() {
	srv := shopifytest.NewServer(shopifytest.Options{ShopName: "Acme Outdoor"})
	defer srv.Close()

	shop, err := shopify.New(shopify.Config{
		Shop:       srv.Domain, // "acme" or "acme.myshopify.com" for a real shop
		Token:      srv.Token,  // an Admin API access token
		BaseURL:    srv.URL,    // only for the fake
		HTTPClient: srv.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	name, err := shop.Ping(context.Background())
	fmt.Println(name, shop.APIVersion(), err)
	// Output: Acme Outdoor 2026-01 <nil>
}

// Sync orders incrementally: read everything once, keep the last cursor,
// and read on from it after the shop changes.
func Example_syncOrders() {
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := shopifytest.NewServer(shopifytest.Options{Clock: clock})
	defer srv.Close()
	shop, _ := shopify.New(shopify.Config{Shop: srv.Domain, Token: srv.Token, BaseURL: srv.URL, HTTPClient: srv.Client(), Clock: clock})

	_, _ = srv.AddProduct(shopifytest.ProductInput{Title: "Mug", Variants: []shopifytest.VariantInput{{SKU: "MUG-1", Price: "12.50"}}})
	first, _ := srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "MUG-1", Quantity: 2}}, Shipping: "4.90"})
	_, _ = srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "MUG-1", Quantity: 1}}})
	clock.Advance(time.Minute) // reads stay a few seconds behind the present

	sync := func(after connector.Cursor) connector.Cursor {
		for c, err := range shop.Orders().Changes(context.Background(), after) {
			if err != nil {
				fmt.Println(err)
				return after
			}
			o := c.Entity
			fmt.Printf("%s %s %d line(s) payable %s\n", c.Key, o.Status, len(o.Lines), o.Totals.Payable)
			after = c.Cursor
		}
		return after
	}
	cur := sync("")
	_ = srv.CancelOrder(first.Name, "CUSTOMER") // an amendment in the shop
	clock.Advance(time.Minute)
	fmt.Println("-- after the cancellation:")
	sync(cur)
	// Output:
	// #1001 accepted 1 line(s) payable 29.90 EUR
	// #1002 accepted 1 line(s) payable 12.50 EUR
	// -- after the cancellation:
	// #1001 cancelled 1 line(s) payable 29.90 EUR
}

// Verify a webhook: the verifier checks X-Shopify-Hmac-Sha256 against the
// app's client secret and names the delivery for de-duplication.
func Example_verifyWebhook() {
	const secret = "shpss_app_secret"
	body := []byte(`{"id":5512345678901,"name":"#1042"}`)
	r := httptest.NewRequest(http.MethodPost, "/hooks/shopify", bytes.NewReader(body))
	r.Header.Set("X-Shopify-Hmac-Sha256", shopifytest.Sign(secret, body))
	r.Header.Set("X-Shopify-Topic", "orders/updated")
	r.Header.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")

	v := shopify.NewVerifier("", secret)
	d, err := v.Verify(r, body, time.Now())
	fmt.Println(d.Topic, d.ID, err)

	_, err = v.Verify(r, append(body, ' '), time.Now()) // a body changed on the way
	fmt.Println(err)
	// Output:
	// orders/updated b54557e4-bdd9-4b37-8a5f-bf7d70bcd043 <nil>
	// shopify webhook.verify: unauthorized: webhook: signature mismatch
}

// Record a shipment as a fulfilment with tracking.
func ExampleFulfillmentSink_Apply() {
	srv := shopifytest.NewServer(shopifytest.Options{})
	defer srv.Close()
	shop, _ := shopify.New(shopify.Config{Shop: srv.Domain, Token: srv.Token, BaseURL: srv.URL, HTTPClient: srv.Client()})
	_, _ = srv.AddProduct(shopifytest.ProductInput{Title: "Tent", Variants: []shopifytest.VariantInput{{SKU: "TENT-2P", Price: "199.00"}}})
	o, _ := srv.AddOrder(shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "TENT-2P", Quantity: 2}}})

	sh := canonical.Shipment{Number: "DESP-1", Order: o.Name, Status: canonical.ShipmentShipped,
		Carrier: "DHL", TrackingNumber: "JD014600006281230704",
		Lines: []canonical.ShipmentLine{{LineID: "1", OrderLine: canonical.LineRef{Document: o.Name, LineID: o.Lines[0].ID}, SKU: "TENT-2P", Quantity: canonical.Qty(1, canonical.UnitOne)}}}
	r, err := shop.Fulfillments().Apply(context.Background(), connector.Write[canonical.Shipment]{
		Change:         connector.Change[canonical.Shipment]{Key: sh.Number, Entity: sh, Version: connector.SeqVersion(1)},
		IdempotencyKey: "desp-1-v1",
	})
	fmt.Println(r.Action, err)
	got, _ := srv.Order(o.Name)
	fmt.Println(got.FulfillmentStatus, srv.Fulfillments(o.Name)[0].Tracking[0].Number)
	// Output:
	// created <nil>
	// PARTIALLY_FULFILLED JD014600006281230704
}
