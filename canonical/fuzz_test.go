package canonical

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// omitzeroField reports whether the last step of p is a struct field that
// JSON omits when zero (`json:",omitzero"`).
func omitzeroField(p cmp.Path) bool {
	sf, ok := p.Last().(cmp.StructField)
	if !ok || len(p) < 2 {
		return false
	}
	parent := p.Index(-2).Type()
	f, ok := parent.FieldByName(sf.Name())
	return ok && strings.Contains(f.Tag.Get("json"), "omitzero")
}

// decodedEqual is equality after a JSON round trip. Decimals compare by value.
// A field tagged omitzero is left out when its amount or quantity is zero, so
// {"amount":"0","currency":"EUR"} comes back as Money{}: in such fields, and
// only there, a zero compares equal to the empty value, which is how the
// model's arithmetic and validation treat it. Nil and empty slices and maps
// are equal (an empty "refs":[] is omitted).
var decodedEqual = cmp.Options{
	cmp.Comparer(func(a, b Decimal) bool { return a.Equal(b) }),
	cmp.FilterPath(omitzeroField, cmp.Options{
		cmp.Comparer(func(a, b Money) bool {
			if a.Amount.IsZero() && b.Amount.IsZero() && (a.Currency == "" || b.Currency == "") {
				return true
			}
			return a.Equal(b)
		}),
		cmp.Comparer(func(a, b Quantity) bool {
			if a.Value.IsZero() && b.Value.IsZero() && (a.Unit == "" || b.Unit == "") {
				return true
			}
			return a.Unit == b.Unit && a.Value.Equal(b.Value)
		}),
	}),
	cmpopts.EquateEmpty(),
}

// FuzzDecodeSalesOrder decodes arbitrary bytes into a SalesOrder. Decoding may
// fail, but nothing may panic; a decoded order must validate and derive its
// statuses without panicking, re-encode, decode to the same value, and encode
// to the same bytes again.
func FuzzDecodeSalesOrder(f *testing.F) {
	for _, o := range []SalesOrder{validOrder(), bigOrder(f, 3)} {
		b, err := json.Marshal(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"number":"SO-1","currency":"JPY","status":"draft","lines":[{"lineId":"1","sku":"X","ordered":{"value":1e2,"unit":"C62"},"unitPrice":{"amount":"1.5","currency":"JPY"},"net":{"amount":150,"currency":"JPY"}}],"totals":{"lineNet":{"amount":"150","currency":"JPY"},"payable":{"amount":"150","currency":"JPY"}}}`))
	f.Add([]byte(`{"lines":[{"allocated":{"value":"0","unit":"C62"},"shipped":{"value":"-0.000","unit":""}}],"totals":{"tax":{"amount":"0.00","currency":"XXX"}},"shipTo":{"phone":"1"}}`))
	f.Add([]byte(`{"payments":[{"id":"a","kind":"refund","status":"success","amount":{"amount":"9999999999999999999","currency":"EUR"}},{"id":"b","kind":"refund","status":"success","amount":{"amount":"9999999999999999999","currency":"EUR"}}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var o SalesOrder
		if err := json.Unmarshal(data, &o); err != nil {
			return
		}
		if err := o.Validate(); err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("Validate returned %T: %v", err, err)
			}
		}
		_, _, _ = o.FulfillmentStatus(), o.BillingStatus(), o.PaymentStatus()

		enc, err := json.Marshal(o)
		if err != nil {
			t.Fatalf("re-encoding a decoded order: %v", err)
		}
		var again SalesOrder
		if err := json.Unmarshal(enc, &again); err != nil {
			t.Fatalf("decoding a re-encoded order: %v\n%s", err, enc)
		}
		if !cmp.Equal(o, again, decodedEqual) {
			diff := cmp.Diff(o, again, decodedEqual)
			t.Fatalf("decode → encode → decode changed the order (-first +second):\n%s\nre-encoded: %s", diff, enc)
		}
		enc2, err := json.Marshal(again)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable (%v):\n%s\n%s", err, enc, enc2)
		}
	})
}

// FuzzMoneyJSON checks that Money's fast decoder agrees with encoding/json on
// every valid JSON input it accepts.
func FuzzMoneyJSON(f *testing.F) {
	for _, s := range []string{
		`{"amount":"12.30","currency":"EUR"}`, `{"currency":"JPY","amount":1500}`, ` { "amount" : -0.5e1 , "currency" : null } `,
		`{}`, `{"amount":null}`, `{"amount":"1","amount":null}`, `{"Amount":"1"}`, `{"amount":"\u0031"}`,
		`{"amount":"1","currency":"EUR","x":1}`, `{"amount":01}`, `{"currency":"€"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeMoneyFast(data)
		if !ok || !json.Valid(data) {
			return
		}
		general, err := decodeMoneyGeneral(data)
		if err != nil {
			t.Fatalf("fast path accepted %q, encoding/json says %v", data, err)
		}
		if fast.Currency != general.Currency || !fast.Amount.Equal(general.Amount) || fast.Amount.Scale() != general.Amount.Scale() {
			t.Fatalf("%q: fast %v, encoding/json %v", data, fast, general)
		}
	})
}
