package canonical

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// exactDecimal compares decimals by value and scale: a JSON round trip keeps
// "12.30" as 12.30, not 12.3.
var exactDecimal = cmp.Comparer(func(a, b Decimal) bool { return a.Equal(b) && a.Scale() == b.Scale() })

// roundTrip marshals v, unmarshals the bytes into a new value of the same
// type, and returns the JSON and the decoded value.
func roundTrip[T any](t *testing.T, v T) ([]byte, T) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("Unmarshal: %v\n%s", err, b)
	}
	return b, out
}

// numbersAsStrings walks decoded JSON and checks that every amount, quantity
// value and rate is a JSON string. It returns how many amounts and quantities
// it saw.
func numbersAsStrings(t *testing.T, path string, v any) (amounts, quantities int) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["currency"]; ok {
			// A Refund has a currency and an amount that is itself Money.
			if a, ok := x["amount"]; ok && !isObject(a) {
				amounts++
				if _, isString := a.(string); !isString {
					t.Errorf("%s.amount is %T (%v), want a JSON string", path, a, a)
				}
			}
		}
		if _, ok := x["unit"]; ok {
			if q, ok := x["value"]; ok {
				quantities++
				if _, isString := q.(string); !isString {
					t.Errorf("%s.value is %T (%v), want a JSON string", path, q, q)
				}
			}
		}
		for _, k := range []string{"rate", "factor", "percent"} {
			if r, ok := x[k]; ok {
				if _, isString := r.(string); !isString {
					t.Errorf("%s.%s is %T (%v), want a JSON string", path, k, r, r)
				}
			}
		}
		for k, e := range x {
			a, q := numbersAsStrings(t, path+"."+k, e)
			amounts, quantities = amounts+a, quantities+q
		}
	case []any:
		for i, e := range x {
			a, q := numbersAsStrings(t, path+"["+strconv.Itoa(i)+"]", e)
			amounts, quantities = amounts+a, quantities+q
		}
	}
	return amounts, quantities
}

func isObject(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}

// checkRoundTrip round-trips v and compares, and checks the JSON's numbers.
func checkRoundTrip[T any](t *testing.T, v T, minAmounts, minQuantities int) {
	t.Helper()
	b, got := roundTrip(t, v)
	if diff := cmp.Diff(v, got, exactDecimal); diff != "" {
		t.Errorf("round trip changed the value (-before +after):\n%s", diff)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	amounts, quantities := numbersAsStrings(t, "$", generic)
	if amounts < minAmounts || quantities < minQuantities {
		t.Errorf("saw %d amounts and %d quantities in %s; want at least %d and %d", amounts, quantities, b, minAmounts, minQuantities)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Run("SalesOrder", func(t *testing.T) { checkRoundTrip(t, validOrder(), 25, 11) })
	t.Run("Customer", func(t *testing.T) { checkRoundTrip(t, validCustomer(), 2, 0) })
	t.Run("Product", func(t *testing.T) { checkRoundTrip(t, validProduct(), 2, 3) })
	t.Run("StockLevel", func(t *testing.T) { checkRoundTrip(t, validStockLevel(), 0, 3) })
	t.Run("PriceList", func(t *testing.T) { checkRoundTrip(t, validPriceList(), 3, 1) })
	t.Run("Shipment", func(t *testing.T) { checkRoundTrip(t, validShipment(), 1, 3) })
	t.Run("Invoice", func(t *testing.T) { checkRoundTrip(t, validInvoice(), 15, 2) })
	t.Run("CreditNote", func(t *testing.T) { checkRoundTrip(t, validCreditNote(), 6, 1) })
	t.Run("Payment", func(t *testing.T) { checkRoundTrip(t, validPayment(), 3, 0) })
	t.Run("Refund", func(t *testing.T) { checkRoundTrip(t, validRefund(), 4, 1) })
	t.Run("Return", func(t *testing.T) { checkRoundTrip(t, validReturn(), 0, 2) })
}

func TestJSONShape(t *testing.T) {
	b, err := json.Marshal(validOrder())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"unitPrice":{"amount":"19.99","currency":"EUR"}`,
		`"ordered":{"value":"1.5","unit":"KGM"}`,
		`"payable":{"amount":"129.92","currency":"EUR"}`,
		`"id":"01J9ZK3V8Q6W5X2Y7T4R1N0M9B"`, // Meta is flattened
		`"status":"in_progress"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	// Empty buckets and absent totals are omitted, not written as zeros.
	for _, absent := range []string{`"prepaid"`, `"rounding":{`, `"Meta"`} {
		if strings.Contains(s, absent) {
			t.Errorf("JSON has %s", absent)
		}
	}
}

// TestDecodeGarbage decodes malformed and ill-typed input into every entity:
// decoding must fail with an error, never panic, and Validate must cope with
// whatever was decoded before the error.
func TestDecodeGarbage(t *testing.T) {
	inputs := []string{
		``, `not json`, `{`, `}`, `[]`, `"order"`, `42`, `null`, `{"lines":"x"}`, `{"lines":[1,2]}`,
		`{"lines":[{"ordered":{"value":{}}}]}`, `{"lines":[{"unitPrice":{"amount":"1,5"}}]}`,
		`{"totals":{"payable":[]}}`, `{"status":7}`, `{"updatedAt":"yesterday"}`, `{"refs":[{"system":true}]}`,
		`{"issueDate":"2026-13-01"}`, `{"amount":{"amount":"NaN","currency":"EUR"}}`,
		`{"onHand":{"value":"1e999","unit":"C62"}}`, `{"prices":[{"unitPrice":"free"}]}`,
		`{"variants":[{"options":{"size":1}}]}`, `{"allocations":[{"amount":{"amount":"--1"}}]}`,
		`{"lines":[{"requested":{"value":"1","unit":{}}}]}`, `{"events":[{"at":5}]}`,
		`{"dueDate":"` + strings.Repeat("9", 400) + `"}`,
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 50 {
		b := make([]byte, rng.IntN(64))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		inputs = append(inputs, string(b))
	}
	entities := []func() interface{ Validate() error }{
		func() interface{ Validate() error } { return new(SalesOrder) },
		func() interface{ Validate() error } { return new(Customer) },
		func() interface{ Validate() error } { return new(Product) },
		func() interface{ Validate() error } { return new(StockLevel) },
		func() interface{ Validate() error } { return new(PriceList) },
		func() interface{ Validate() error } { return new(Shipment) },
		func() interface{ Validate() error } { return new(Invoice) },
		func() interface{ Validate() error } { return new(CreditNote) },
		func() interface{ Validate() error } { return new(Payment) },
		func() interface{ Validate() error } { return new(Refund) },
		func() interface{ Validate() error } { return new(Return) },
	}
	for _, mk := range entities {
		name := reflect.TypeOf(mk()).Elem().Name()
		for _, in := range inputs {
			v := mk()
			err := json.Unmarshal([]byte(in), v)
			if err == nil && in != `null` && !json.Valid([]byte(in)) {
				t.Errorf("%s: invalid JSON %q decoded without error", name, in)
			}
			_ = v.Validate() // must not panic on a half-decoded value
		}
	}
}
