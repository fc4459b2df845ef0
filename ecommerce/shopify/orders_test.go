package shopify

import (
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

func TestOrdersMapping(t *testing.T) {
	e := newEnv(t, shopifytest.Options{}, Config{})
	e.product(t, "MUG-1", "12.50")
	cust := e.srv.AddCustomer(shopifytest.CustomerInput{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"})
	o := e.order(t, shopifytest.OrderInput{CustomerID: cust, Shipping: "4.90", TaxRate: "0.2",
		Lines:  []shopifytest.LineInput{{SKU: "MUG-1", Quantity: 3, Discount: "0.50"}, {SKU: "CUSTOM", Title: "Engraving", Quantity: 1, Price: "5"}},
		ShipTo: &shopifytest.Address{FirstName: "Ada", Address1: "1 Main St", City: "London", Zip: "N1", Country: "GB"}})
	e.settle()
	got := readAll(t, e.shop.Orders(), "")
	if len(got) != 1 {
		t.Fatalf("got %d changes, want 1", len(got))
	}
	so := got[0].Entity
	if err := so.Validate(); err != nil {
		t.Fatalf("mapped order does not validate: %v\n%+v", err, so)
	}
	if got[0].Key != o.Name || so.Number != o.Name || so.Status != canonical.OrderAccepted {
		t.Errorf("key %q number %q status %q", got[0].Key, so.Number, so.Status)
	}
	if so.Totals.Payable.Amount.String() != o.Total {
		t.Errorf("payable %s, want %s", so.Totals.Payable.Amount, o.Total)
	}
	if len(so.Lines) != 2 || so.Lines[0].ExternalLineID != o.Lines[0].ID || so.Lines[0].SKU != "MUG-1" {
		t.Errorf("lines %+v", so.Lines)
	}
	if ps := so.PaymentStatus(); ps != canonical.PaymentPaid {
		t.Errorf("payment status %s", ps)
	}
}
