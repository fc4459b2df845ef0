package shopifytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/connectortest"
)

// post sends one GraphQL request and decodes the answer.
func post(t *testing.T, s *Server, version, token, query string, vars map[string]any) (int, http.Header, map[string]any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, s.GraphQLURL(version), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return resp.StatusCode, resp.Header, out
}

func errCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	e, _ := errs[0].(map[string]any)
	ext, _ := e["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

func TestAuthAndVersion(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	cases := []struct {
		name, version, token string
		status               int
	}{
		{"ok", "2026-01", s.Token, 200},
		{"bad token", "2026-01", "nope", 401},
		{"unknown version", "2018-01", s.Token, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, _ := post(t, s, tc.version, tc.token, `{ shop { name } }`, nil)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
}

func TestParserErrors(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	cases := []struct{ query, code string }{
		{`{ shop { name }`, "parseError"},
		{`query { ...F } fragment F on Shop { name }`, "parseError"},
		{`{ shop { nme } }`, "undefinedField"},
		{`query Q($n: Int!) { orders(first: $n) { nodes { id } } }`, "INVALID_VARIABLE"},
		{`{ orders(first: 251) { nodes { id } } }`, "BAD_REQUEST"},
		{`{ orders(after: "zzz", first: 1) { nodes { id } } }`, "BAD_REQUEST"},
		{`{ shop { name } }`, ""},
		{"# comment\n{ s: shop { n: name, currencyCode } }", ""},
	}
	for _, tc := range cases {
		_, _, out := post(t, s, "2026-01", s.Token, tc.query, nil)
		if got := errCode(out); got != tc.code {
			t.Errorf("%s: code %q, want %q (%v)", tc.query, got, tc.code, out)
		}
	}
	_, _, out := post(t, s, "2026-01", s.Token, "# comment\n{ s: shop { n: name, currencyCode } }", nil)
	if d := out["data"].(map[string]any)["s"].(map[string]any); d["n"] != "Junction Test Shop" || d["currencyCode"] != "EUR" {
		t.Errorf("aliases: %v", d)
	}
}

// TestThrottleShape checks the THROTTLED answer against what Shopify
// documents: no data, the error code in extensions, the cost extension at
// the top level with a null actual cost.
func TestThrottleShape(t *testing.T) {
	for _, status := range []int{200, 429} {
		clock := connectortest.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		s := NewServer(Options{Clock: clock, BucketSize: 100, RestoreRate: 10, Faults: Faults{ThrottleStatus: status}})
		q := `{ orders(first: 50) { nodes { id } } }` // 52 points
		s.SetBucket(48)
		code, h, out := post(t, s, "2026-01", s.Token, q, nil)
		if code != status || errCode(out) != "THROTTLED" || out["data"] != nil {
			t.Fatalf("status %d, body %v", code, out)
		}
		cost := out["extensions"].(map[string]any)["cost"].(map[string]any)
		ts := cost["throttleStatus"].(map[string]any)
		if cost["requestedQueryCost"].(float64) != 52 || cost["actualQueryCost"] != nil || ts["currentlyAvailable"].(float64) != 48 || ts["restoreRate"].(float64) != 10 {
			t.Errorf("cost %v", cost)
		}
		if status == 429 && h.Get("Retry-After") != "0.4" {
			t.Errorf("Retry-After %q, want 0.4", h.Get("Retry-After"))
		}
		clock.Advance(400 * time.Millisecond)
		if code, _, out := post(t, s, "2026-01", s.Token, q, nil); code != 200 || errCode(out) != "" {
			t.Errorf("after the wait: %d %v", code, out)
		}
		s.Close()
	}
}

// TestCostAndPaging pages through orders with opaque cursors and checks
// the requested and actual costs.
func TestCostAndPaging(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	for range 5 {
		if _, err := s.AddOrder(OrderInput{Lines: []LineInput{{SKU: "A", Quantity: 1, Price: "1"}}}); err != nil {
			t.Fatal(err)
		}
	}
	q := `query P($after: String) { orders(first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id lineItems(first: 3) { nodes { id } } } } } }`
	var after any
	var names []string
	for range 5 {
		_, _, out := post(t, s, "2026-01", s.Token, q, map[string]any{"after": after})
		cost := out["extensions"].(map[string]any)["cost"].(map[string]any)
		if cost["requestedQueryCost"].(float64) != 2+2*(1+2+3) {
			t.Errorf("requested %v, want 14", cost["requestedQueryCost"])
		}
		conn := out["data"].(map[string]any)["orders"].(map[string]any)
		edges := conn["edges"].([]any)
		if want := 2.0 + float64(len(edges))*(1+2+1); cost["actualQueryCost"].(float64) != want {
			t.Errorf("actual %v, want %v", cost["actualQueryCost"], want)
		}
		for _, e := range edges {
			names = append(names, e.(map[string]any)["node"].(map[string]any)["id"].(string))
			if c := e.(map[string]any)["cursor"].(string); strings.Contains(c, "Order") {
				t.Errorf("cursor %q is not opaque", c)
			}
		}
		pi := conn["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			break
		}
		after = pi["endCursor"]
	}
	if len(names) != 5 {
		t.Errorf("paged %d orders, want 5: %v", len(names), names)
	}
}

func TestQueryFilter(t *testing.T) {
	cases := []struct {
		q    string
		want []term
	}{
		{`updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<='2026-02-01T00:00:00Z'`, []term{{"updated_at", ">=", "2026-01-01T00:00:00Z"}, {"updated_at", "<=", "2026-02-01T00:00:00Z"}}},
		{`name:'#1001'`, []term{{"name", "=", "#1001"}}},
		{`sku:"A B" free text`, []term{{"sku", "=", "A B"}}},
	}
	for _, tc := range cases {
		got := parseQuery(tc.q)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v", tc.q, got)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: term %d = %v, want %v", tc.q, i, got[i], tc.want[i])
			}
		}
	}
}

// TestIdempotentReplay: a mutation with @idempotent and a key used before
// returns the first result and changes nothing; other parameters with the
// same key are refused; the directive is unknown before 2026-01.
func TestIdempotentReplay(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	p, _ := s.AddProduct(ProductInput{Title: "X", Variants: []VariantInput{{SKU: "X", Price: "1", Available: 5}}})
	loc, _ := s.LocationID(DefaultLocation)
	m := `mutation M($q: Int!, $c: Int) { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: [{inventoryItemId: "` + p.Variants[0].InventoryItemID + `", locationId: "` + loc + `", quantity: $q, compareQuantity: $c}]}) @idempotent(key: "k-1") { inventoryAdjustmentGroup { changes { delta quantityAfterChange } } userErrors { code field message } } }`
	_, _, first := post(t, s, "2026-01", s.Token, m, map[string]any{"q": 9, "c": 5})
	_, _, again := post(t, s, "2026-01", s.Token, m, map[string]any{"q": 9, "c": 5})
	a, _ := json.Marshal(first["data"])
	b, _ := json.Marshal(again["data"])
	if string(a) != string(b) || !strings.Contains(string(a), `"quantityAfterChange":9`) {
		t.Errorf("first %s, replay %s", a, b)
	}
	if l, _ := s.Inventory("X", DefaultLocation); l.Available != 9 {
		t.Errorf("available %d, want 9", l.Available)
	}
	if _, _, out := post(t, s, "2026-01", s.Token, m, map[string]any{"q": 3, "c": 9}); errCode(out) != "IDEMPOTENCY_KEY_PARAMETER_MISMATCH" {
		t.Errorf("other parameters: %v", out)
	}
	if _, _, out := post(t, s, "2025-01", s.Token, m, map[string]any{"q": 3, "c": 9}); errCode(out) != "undefinedDirective" {
		t.Errorf("2025-01: %v", out)
	}
	// A stale compare quantity is a user error, not a top-level one.
	m2 := strings.Replace(m, `@idempotent(key: "k-1")`, "", 1)
	_, _, out := post(t, s, "2026-01", s.Token, m2, map[string]any{"q": 1, "c": 4})
	if !strings.Contains(jsonOf(out), "COMPARE_QUANTITY_STALE") {
		t.Errorf("stale compare: %v", out)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFaults(t *testing.T) {
	s := NewServer(Options{Faults: Faults{ServerErrors: 2}})
	defer s.Close()
	for i, want := range []int{503, 503, 200} {
		if code, _, _ := post(t, s, "2026-01", s.Token, `{ shop { name } }`, nil); code != want {
			t.Errorf("request %d: %d, want %d", i, code, want)
		}
	}
	if st := s.Stats(); st.ServerErrors != 2 || st.Requests != 1 {
		t.Errorf("stats %+v", st)
	}
}
