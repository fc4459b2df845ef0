package shopify

import (
	"slices"

	"github.com/junctionhq/junction/connector/webhook"
)

// Webhook headers Shopify sends with every HTTPS delivery.
// https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
const (
	HeaderHmac       = "X-Shopify-Hmac-Sha256"
	HeaderTopic      = "X-Shopify-Topic"
	HeaderWebhookID  = "X-Shopify-Webhook-Id"
	HeaderTriggered  = "X-Shopify-Triggered-At"
	HeaderShopDomain = "X-Shopify-Shop-Domain"
	HeaderAPIVersion = "X-Shopify-API-Version"
)

// NewVerifier returns the webhook.Verifier for Shopify deliveries to an
// app with the given client secrets: X-Shopify-Hmac-Sha256 must be the
// base64 HMAC-SHA256 of the raw body under one of them (list the new secret
// first during a rotation; Shopify may sign with the old one for up to an
// hour). The Delivery's ID is X-Shopify-Webhook-Id, which the handler uses
// to drop duplicates, its topic X-Shopify-Topic and its time
// X-Shopify-Triggered-At. system names the shop (DefaultSystem if empty).
func NewVerifier(system string, secrets ...string) webhook.Verifier {
	if system == "" {
		system = DefaultSystem
	}
	return webhook.HMAC{
		System:          system,
		Header:          HeaderHmac,
		Encoding:        webhook.Base64,
		Secrets:         slices.Clone(secrets),
		IDHeader:        HeaderWebhookID,
		TopicHeader:     HeaderTopic,
		TimestampHeader: HeaderTriggered,
	}
}

// Verifier returns NewVerifier for the client's system.
func (c *Client) Verifier(secrets ...string) webhook.Verifier {
	return NewVerifier(c.system, secrets...)
}

// Stream names one of the shop's change streams, which webhook topics ring.
type Stream string

// Streams.
const (
	StreamOrders    Stream = "orders"
	StreamCustomers Stream = "customers"
	StreamProducts  Stream = "products"
	StreamRefunds   Stream = "refunds"
)

// topicStreams maps each webhook topic to the streams with news after it.
// Fulfilments and refunds change the order, so they ring the orders stream
// too. https://shopify.dev/docs/api/webhooks
var topicStreams = map[string][]Stream{
	"orders/create":              {StreamOrders},
	"orders/updated":             {StreamOrders},
	"orders/edited":              {StreamOrders},
	"orders/cancelled":           {StreamOrders, StreamRefunds},
	"orders/paid":                {StreamOrders},
	"orders/fulfilled":           {StreamOrders},
	"orders/partially_fulfilled": {StreamOrders},
	"orders/delete":              {StreamOrders},
	"fulfillments/create":        {StreamOrders},
	"fulfillments/update":        {StreamOrders},
	"refunds/create":             {StreamRefunds, StreamOrders},
	"customers/create":           {StreamCustomers},
	"customers/update":           {StreamCustomers},
	"customers/delete":           {StreamCustomers},
	"products/create":            {StreamProducts},
	"products/update":            {StreamProducts},
	"products/delete":            {StreamProducts},
}

// Topics returns every webhook topic the connector knows, sorted.
func Topics() []string {
	out := make([]string, 0, len(topicStreams))
	for t := range topicStreams {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// TopicsFor returns the topics that ring a stream, sorted.
func TopicsFor(s Stream) []string {
	var out []string
	for t, ss := range topicStreams {
		if slices.Contains(ss, s) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// Routes maps every webhook topic to the flows that read the streams it
// rings, for webhook.Config.Router:
//
//	shopify.Routes(map[shopify.Stream][]string{shopify.StreamOrders: {"shop-orders-to-erp"}})
func Routes(flows map[Stream][]string) webhook.Routes {
	r := webhook.Routes{}
	for t, ss := range topicStreams {
		var names []string
		for _, s := range ss {
			for _, f := range flows[s] {
				if !slices.Contains(names, f) {
					names = append(names, f)
				}
			}
		}
		if len(names) > 0 {
			r[t] = names
		}
	}
	return r
}
