package shopify

import (
	"encoding/json"
	"testing"
)

const seedOrder = `{"id":"gid://shopify/Order/5512345678901","name":"#1042","email":"ada@example.com","note":null,
"createdAt":"2026-03-02T10:15:00Z","updatedAt":"2026-03-02T10:16:00Z","cancelledAt":null,"cancelReason":null,
"currencyCode":"EUR","taxesIncluded":false,"displayFinancialStatus":"PAID","displayFulfillmentStatus":"PARTIALLY_FULFILLED",
"customer":{"id":"gid://shopify/Customer/1","firstName":"Ada","lastName":"Lovelace"},
"shippingAddress":{"name":"Ada","address1":"1 Main St","city":"London","zip":"N1","countryCodeV2":"GB"},"billingAddress":null,
"currentSubtotalPriceSet":{"shopMoney":{"amount":"50.90","currencyCode":"EUR"}},
"currentShippingPriceSet":{"shopMoney":{"amount":"4.90","currencyCode":"EUR"}},
"currentTotalTaxSet":{"shopMoney":{"amount":"11.16","currencyCode":"EUR"}},
"currentTotalPriceSet":{"shopMoney":{"amount":"66.96","currencyCode":"EUR"}},
"totalRefundedSet":{"shopMoney":{"amount":"0.00","currencyCode":"EUR"}},
"transactions":[{"id":"gid://shopify/OrderTransaction/9","kind":"SALE","status":"SUCCESS","gateway":"bogus","processedAt":"2026-03-02T10:15:00Z","amountSet":{"shopMoney":{"amount":"66.96","currencyCode":"EUR"}},"parentTransaction":null}],
"lineItems":{"pageInfo":{"hasNextPage":false,"endCursor":null},"nodes":[
{"id":"gid://shopify/LineItem/11","sku":"MUG-1","title":"Mug","quantity":3,"currentQuantity":3,"unfulfilledQuantity":1,"variant":{"id":"gid://shopify/ProductVariant/2","sku":"MUG-1"},"originalUnitPriceSet":{"shopMoney":{"amount":"12.50","currencyCode":"EUR"}},"totalDiscountSet":{"shopMoney":{"amount":"1.50","currencyCode":"EUR"}}},
{"id":"gid://shopify/LineItem/12","sku":null,"title":"Engraving","quantity":1,"currentQuantity":1,"unfulfilledQuantity":1,"variant":null,"originalUnitPriceSet":{"shopMoney":{"amount":"14.90","currencyCode":"EUR"}},"totalDiscountSet":{"shopMoney":{"amount":"0.00","currencyCode":"EUR"}}}]}}`

func TestSeedOrderDecodes(t *testing.T) {
	var n orderNode
	if err := json.Unmarshal([]byte(seedOrder), &n); err != nil {
		t.Fatal(err)
	}
	o, err := mapOrder(DefaultSystem, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatalf("the seed order does not validate: %v", err)
	}
	if o.Lines[1].SKU != "shopify-line-12" || !o.Totals.Rounding.IsZero() || o.Status != "in_progress" {
		t.Errorf("lines %+v rounding %s", o.Lines, o.Totals.Rounding)
	}
}

// FuzzDecodeOrder feeds arbitrary JSON to the order decoder: it never
// panics, and an order it maps keeps its name, never has more lines than
// Shopify sent, and pays what Shopify says the order costs.
func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(seedOrder))
	f.Add([]byte(`{"name":"#1","updatedAt":"2026-01-01T00:00:00Z","lineItems":{"nodes":[{"id":"x","quantity":-1}]}}`))
	f.Add([]byte(`{"name":"#1","updatedAt":"2026-01-01T00:00:00Z","cancelledAt":"2026-01-01T00:00:00Z","lineItems":{"nodes":[{"id":"gid://shopify/LineItem/1","quantity":2,"currentQuantity":0,"originalUnitPriceSet":{"shopMoney":{"amount":"1e18"}}}]}}`))
	f.Add([]byte(`{"name":"#1","updatedAt":"bad"}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var n orderNode
		if json.Unmarshal(raw, &n) != nil {
			return
		}
		o, err := mapOrder(DefaultSystem, n)
		if err != nil {
			return
		}
		if o.Number != n.Name || len(o.Lines) > len(n.LineItems.Nodes) {
			t.Fatalf("number %q lines %d from %q and %d nodes", o.Number, len(o.Lines), n.Name, len(n.LineItems.Nodes))
		}
		if n.CurrentTotalPriceSet.ShopMoney.Amount != "" && o.Totals.Payable.Amount.String() == "" {
			t.Fatal("payable lost")
		}
		for _, l := range o.Lines {
			if l.LineID == "" || !l.Ordered.Value.IsPos() || l.Shipped.Value.Cmp(l.Ordered.Value) > 0 {
				t.Fatalf("line %+v", l)
			}
		}
	})
}
