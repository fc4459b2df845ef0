package businesscentral

import (
	"encoding/json"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// fuzzClient is a Client for decoding only; it sends no request.
func fuzzClient(tb testing.TB) *Client {
	c, err := New(Config{CompanyID: "c", Environment: "production", TokenSource: StaticToken("t"),
		LocalCurrency: "EUR", LocalCountry: "DE", ChargeAccount: "6110",
		Units: map[canonical.UnitCode]string{canonical.UnitOne: "PCS"}})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// The order from Business Central's documentation, as the seed.
const seedOrder = `{"@odata.etag":"W/\"JzIwOzE0NjI4NzY1MjM4NzY1MjE0NTYxMTswMDsn\"",
 "id":"b6f4017a-b749-ee11-ad0b-a1422c0f7f1f","number":"101005","externalDocumentNumber":"SHOP-1042",
 "orderDate":"2026-03-02","customerNumber":"C00010","customerName":"Ng GmbH","currencyCode":"EUR",
 "totalAmountExcludingTax":50.34,"totalTaxAmount":9.56,"totalAmountIncludingTax":59.90,
 "status":"Open","fullyShipped":false,"lastModifiedDateTime":"2026-03-02T10:16:03.41Z",
 "salesOrderLines":[{"@odata.etag":"W/\"JzE5OzEyJw==\"","id":"1e8cb9c0-44e3-ea11-bb43-000d3a2feca1",
 "documentId":"b6f4017a-b749-ee11-ad0b-a1422c0f7f1f","sequence":10000,"lineType":"Item",
 "lineObjectNumber":"MUG-01","description":"Mug","unitOfMeasureCode":"PCS","quantity":2,"unitPrice":25.17,
 "amountExcludingTax":50.34,"taxPercent":19,"totalTaxAmount":9.56,"netAmount":50.34,"shippedQuantity":0}]}`

// numbers are the amounts of an order read as json.Number: their exact
// text, never a float64.
type numbers struct {
	Payable json.Number `json:"totalAmountIncludingTax"`
	Lines   []struct {
		Quantity  json.Number `json:"quantity"`
		UnitPrice json.Number `json:"unitPrice"`
	} `json:"salesOrderLines"`
}

// FuzzDecodeOrder feeds arbitrary JSON to the sales order decoder. It must
// never panic, and every amount it keeps must equal, as a decimal, the
// number Business Central sent, digit for digit.
func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(seedOrder))
	f.Add([]byte(`{"totalAmountIncludingTax":0.1,"salesOrderLines":[{"lineType":"Item","quantity":1e2,"unitPrice":-0.000000001}]}`))
	f.Add([]byte(`{"currencyCode":"","orderDate":"0001-01-01","salesOrderLines":[{"lineType":"Account","lineObjectNumber":"6110","amountExcludingTax":4.90}]}`))
	f.Add([]byte(`{"salesOrderLines":null,"status":"In Review","fullyShipped":true,"discountAmount":99999999999999999999}`))
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var b bcOrder
		if json.Unmarshal(data, &b) != nil {
			return
		}
		o := c.order(b)
		if _, err := json.Marshal(o); err != nil {
			t.Fatalf("the decoded order does not encode: %v", err)
		}
		var n numbers
		if json.Unmarshal(data, &n) != nil {
			return
		}
		same := func(what string, got canonical.Decimal, sent json.Number) {
			if sent == "" {
				return
			}
			want, err := canonical.ParseDecimal(sent.String())
			if err != nil {
				return // a number the decimal cannot hold made Unmarshal fail above
			}
			if !got.Equal(want) {
				t.Fatalf("%s: decoded %s from %s", what, got, sent)
			}
		}
		same("payable", o.Totals.Payable.Amount, n.Payable)
		items := 0
		for i, l := range b.Lines {
			if l.LineType != "Item" || i >= len(n.Lines) {
				continue
			}
			if items >= len(o.Lines) {
				t.Fatalf("item line %d was dropped", i)
			}
			same("quantity", o.Lines[items].Ordered.Value, n.Lines[i].Quantity)
			same("unit price", o.Lines[items].UnitPrice.Amount, n.Lines[i].UnitPrice)
			items++
		}
	})
}

// FuzzDecodeInvoice feeds arbitrary JSON to the invoice and shipment
// decoders, which must never panic and must encode what they return.
func FuzzDecodeInvoice(f *testing.F) {
	f.Add([]byte(`{"number":"103001","status":"Open","remainingAmount":10,"totalAmountIncludingTax":29.95,"orderNumber":"101001",
		"salesInvoiceLines":[{"sequence":10000,"lineType":"Item","lineObjectNumber":"MUG-01","quantity":1,"unitPrice":25.17,"netAmount":25.17,"invoiceDiscountAllocation":0,"taxPercent":19,"totalTaxAmount":4.78}]}`))
	f.Add([]byte(`{"status":"Paid","dueDate":"2026-13-45","salesInvoiceLines":[{"lineType":"Comment"}]}`))
	c := fuzzClient(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var inv bcInvoice
		if json.Unmarshal(data, &inv) == nil {
			if _, err := json.Marshal(c.invoice(inv)); err != nil {
				t.Fatalf("the decoded invoice does not encode: %v", err)
			}
		}
		var sh bcShipment
		if json.Unmarshal(data, &sh) == nil {
			if _, err := json.Marshal(c.shipment(sh)); err != nil {
				t.Fatalf("the decoded shipment does not encode: %v", err)
			}
		}
		var cu bcCustomer
		if json.Unmarshal(data, &cu) == nil {
			if _, err := json.Marshal(c.customer(cu)); err != nil {
				t.Fatalf("the decoded customer does not encode: %v", err)
			}
		}
	})
}

// FuzzCursor checks that a feed cursor that parses encodes back to one
// that parses to the same position.
func FuzzCursor(f *testing.F) {
	f.Add("t1:2026-03-02T10:16:03.41Z|b6f4017a-b749-ee11-ad0b-a1422c0f7f1f,1e8cb9c0-44e3-ea11-bb43-000d3a2feca1")
	f.Add("t1:2026-03-02T10:16:03Z|")
	f.Add("")
	f.Add("e42")
	f.Fuzz(func(t *testing.T, s string) {
		fc, err := parseCursor(connector.Cursor(s))
		if err != nil {
			return
		}
		again, err := parseCursor(fc.encode())
		if err != nil {
			t.Fatalf("the cursor %q re-encodes to %q, which does not parse: %v", s, fc.encode(), err)
		}
		if !again.at.Equal(fc.at) || len(again.ids) != len(fc.ids) {
			t.Fatalf("the cursor %q re-encodes to a different position", s)
		}
	})
}
