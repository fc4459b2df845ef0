package webhook_test

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/webhook"
)

// fakeDeliveries is an in-memory store.Deliveries that honours the TTL and
// can be told to fail.
type fakeDeliveries struct {
	mu    sync.Mutex
	seen  map[string]time.Time
	err   error
	calls int
	now   time.Time
	ttl   time.Duration
}

func (f *fakeDeliveries) SeenDelivery(_ context.Context, system, id string, now time.Time, ttl time.Duration) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.now, f.ttl = now, ttl
	if f.err != nil {
		return false, f.err
	}
	if system == "" || id == "" {
		return false, errors.New("delivery needs a system and an ID") // as memstore
	}
	if f.seen == nil {
		f.seen = map[string]time.Time{}
	}
	key := system + "\x00" + id
	if at, ok := f.seen[key]; ok && now.Sub(at) < ttl {
		return true, nil
	}
	f.seen[key] = now
	return false, nil
}

// bell records the flows rung.
type bell struct {
	mu    sync.Mutex
	flows []string
}

func (b *bell) Notify(flow string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flows = append(b.flows, flow)
}

func (b *bell) rung() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.flows...)
}

const secret = "shpss_test_secret"

type harness struct {
	h     *webhook.Handler
	bell  *bell
	store *fakeDeliveries
	clock *connectortest.Clock
	logs  *bytes.Buffer
	seen  []webhook.Delivery // via OnDelivery
}

func newHarness(t *testing.T, edit func(*webhook.Config)) *harness {
	t.Helper()
	hs := &harness{
		bell:  &bell{},
		store: &fakeDeliveries{},
		clock: connectortest.NewClock(t0),
		logs:  &bytes.Buffer{},
	}
	cfg := webhook.Config{
		Verifier: shopifyStyle(secret),
		Notify:   hs.bell.Notify,
		Router: webhook.Routes{
			"orders/create":   {"shop-orders-to-erp"},
			"orders/updated":  {"shop-orders-to-erp"},
			"products/update": {"catalog", "stock", "catalog"},
			"refunds/create":  {"audit"},
		},
		Flows:      []string{"audit"},
		Deliveries: hs.store,
		Clock:      hs.clock,
		Logger:     slog.New(slog.NewJSONHandler(hs.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		OnDelivery: func(_ context.Context, d webhook.Delivery, _ []byte) {
			hs.seen = append(hs.seen, d)
		},
	}
	if edit != nil {
		edit(&cfg)
	}
	h, err := webhook.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs.h = h
	return hs
}

// delivery builds a Shopify-style request signed with key (no signature if
// key is empty).
func delivery(key, id, topic, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://hooks.example.com/shopify", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if id != "" {
		r.Header.Set("X-Shopify-Webhook-Id", id)
	}
	if topic != "" {
		r.Header.Set("X-Shopify-Topic", topic)
	}
	if key != "" {
		r.Header.Set("X-Shopify-Hmac-Sha256", webhook.Sign(webhook.Base64, key, []byte(body)))
	}
	return r
}

func (hs *harness) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w
}

func TestNewRequires(t *testing.T) {
	if _, err := webhook.New(webhook.Config{Notify: func(string) {}}); err == nil {
		t.Error("New without Verifier: no error")
	}
	if _, err := webhook.New(webhook.Config{Verifier: shopifyStyle(secret)}); err == nil {
		t.Error("New without Notify: no error")
	}
}

func TestHandlerDeliveries(t *testing.T) {
	const body = `{"id":450789469,"total_price":"598.94"}`
	tests := []struct {
		name       string
		req        func() *http.Request
		status     int
		rings      []string
		storeCalls int
	}{
		{
			name:       "signed delivery rings routed and default flows",
			req:        func() *http.Request { return delivery(secret, "d-1", "orders/create", body) },
			status:     http.StatusOK,
			rings:      []string{"shop-orders-to-erp", "audit"},
			storeCalls: 1,
		},
		{
			name:       "each flow rung once even if routed twice",
			req:        func() *http.Request { return delivery(secret, "d-1", "products/update", body) },
			status:     http.StatusOK,
			rings:      []string{"catalog", "stock", "audit"},
			storeCalls: 1,
		},
		{
			name:       "default flow listed under the topic too",
			req:        func() *http.Request { return delivery(secret, "d-1", "refunds/create", body) },
			status:     http.StatusOK,
			rings:      []string{"audit"},
			storeCalls: 1,
		},
		{
			name:       "unrouted topic rings only default flows",
			req:        func() *http.Request { return delivery(secret, "d-1", "app/uninstalled", body) },
			status:     http.StatusOK,
			rings:      []string{"audit"},
			storeCalls: 1,
		},
		{
			name:   "no delivery ID: rings without de-duplication",
			req:    func() *http.Request { return delivery(secret, "", "orders/create", body) },
			status: http.StatusOK,
			rings:  []string{"shop-orders-to-erp", "audit"},
		},
		{
			name:   "wrong secret: 401, nothing rung or recorded",
			req:    func() *http.Request { return delivery("not-the-secret", "d-1", "orders/create", body) },
			status: http.StatusUnauthorized,
		},
		{
			name:   "unsigned: 401",
			req:    func() *http.Request { return delivery("", "d-1", "orders/create", body) },
			status: http.StatusUnauthorized,
		},
		{
			name: "tampered body: 401",
			req: func() *http.Request {
				r := delivery(secret, "d-1", "orders/create", body)
				r.Body = io.NopCloser(strings.NewReader(strings.Replace(body, "598.94", "0.01", 1)))
				return r
			},
			status: http.StatusUnauthorized,
		},
		{
			name: "PUT: 405",
			req: func() *http.Request {
				r := delivery(secret, "d-1", "orders/create", body)
				r.Method = http.MethodPut
				return r
			},
			status: http.StatusMethodNotAllowed,
		},
		{
			name: "GET that is no handshake: 405",
			req: func() *http.Request {
				return httptest.NewRequest(http.MethodGet, "https://hooks.example.com/shopify", nil)
			},
			status: http.StatusMethodNotAllowed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, nil)
			w := hs.serve(tt.req())
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d (body %q)", w.Code, tt.status, w.Body)
			}
			if got := hs.bell.rung(); !slices.Equal(got, tt.rings) {
				t.Errorf("rung %v, want %v", got, tt.rings)
			}
			if hs.store.calls != tt.storeCalls {
				t.Errorf("store calls = %d, want %d", hs.store.calls, tt.storeCalls)
			}
			if tt.status == http.StatusOK {
				if w.Body.Len() != 0 {
					t.Errorf("200 body = %q, want empty (Xero requires it)", w.Body)
				}
				if len(hs.seen) != 1 {
					t.Errorf("OnDelivery called %d times, want 1", len(hs.seen))
				}
			} else if len(hs.seen) != 0 {
				t.Errorf("OnDelivery called for a refused request")
			}
			if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q, want POST", w.Header().Get("Allow"))
			}
		})
	}
}

func TestHandlerDuplicateRingsOnce(t *testing.T) {
	hs := newHarness(t, nil)
	const body = `{"id":1}`
	for i := range 3 {
		w := hs.serve(delivery(secret, "same-id", "orders/updated", body))
		if w.Code != http.StatusOK {
			t.Fatalf("attempt %d: status %d, want 200", i+1, w.Code)
		}
	}
	if got, want := hs.bell.rung(), []string{"shop-orders-to-erp", "audit"}; !slices.Equal(got, want) {
		t.Errorf("rung %v, want %v (once)", got, want)
	}
	if hs.store.now != t0 || hs.store.ttl != webhook.DefaultDedupeTTL {
		t.Errorf("store saw now=%v ttl=%v, want %v and %v", hs.store.now, hs.store.ttl, t0, webhook.DefaultDedupeTTL)
	}

	// Another ID rings again; so does the same ID once the store forgot it.
	hs.serve(delivery(secret, "other-id", "orders/updated", body))
	hs.clock.Advance(webhook.DefaultDedupeTTL + time.Second)
	hs.serve(delivery(secret, "same-id", "orders/updated", body))
	if got := len(hs.bell.rung()); got != 6 {
		t.Errorf("rung %d times after new ID and expiry, want 6", got)
	}
	if !strings.Contains(hs.logs.String(), `"outcome":"duplicate"`) {
		t.Errorf("no duplicate logged:\n%s", hs.logs)
	}
}

func TestHandlerSameIDOtherSystemIsNotDuplicate(t *testing.T) {
	store := &fakeDeliveries{}
	b := &bell{}
	mk := func(system string) *webhook.Handler {
		v := shopifyStyle(secret)
		v.System = system
		h, err := webhook.New(webhook.Config{Verifier: v, Notify: b.Notify, Flows: []string{system}, Deliveries: store})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	for _, h := range []*webhook.Handler{mk("shop-eu"), mk("shop-us")} {
		h.ServeHTTP(httptest.NewRecorder(), delivery(secret, "42", "orders/create", "{}"))
	}
	if got, want := b.rung(), []string{"shop-eu", "shop-us"}; !slices.Equal(got, want) {
		t.Errorf("rung %v, want %v", got, want)
	}
}

func TestHandlerStoreFailure(t *testing.T) {
	hs := newHarness(t, nil)
	hs.store.err = errors.New("database is locked")
	w := hs.serve(delivery(secret, "d-1", "orders/create", `{}`))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503 so the platform retries", w.Code)
	}
	if got := hs.bell.rung(); len(got) != 0 {
		t.Errorf("rung %v on store failure", got)
	}
	if len(hs.seen) != 0 {
		t.Error("OnDelivery called on store failure")
	}
	if !strings.Contains(hs.logs.String(), `"outcome":"store-error"`) {
		t.Errorf("store error not logged:\n%s", hs.logs)
	}

	// The platform's retry succeeds once the store is back.
	hs.store.err = nil
	if w := hs.serve(delivery(secret, "d-1", "orders/create", `{}`)); w.Code != http.StatusOK {
		t.Fatalf("retry status = %d, want 200", w.Code)
	}
	if got := hs.bell.rung(); len(got) != 2 {
		t.Errorf("retry rung %v, want two flows", got)
	}
}

func TestHandlerTransientVerifierError(t *testing.T) {
	hs := newHarness(t, func(c *webhook.Config) {
		c.Verifier = webhook.VerifierFunc(func(*http.Request, []byte, time.Time) (webhook.Delivery, error) {
			return webhook.Delivery{}, connector.Errorf(connector.Transient, "sns", "fetch signing certificate: timeout")
		})
	})
	if w := hs.serve(delivery(secret, "d-1", "orders/create", `{}`)); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503", w.Code)
	}
	if len(hs.bell.rung()) != 0 {
		t.Error("rang on a transient verifier error")
	}
}

func TestHandlerBodyLimit(t *testing.T) {
	const limit = 64
	fits := strings.Repeat("a", limit)
	over := strings.Repeat("a", limit+1)
	tests := []struct {
		name          string
		body          string
		unknownLength bool
		status        int
	}{
		{"at the limit", fits, false, http.StatusOK},
		{"over the limit", over, false, http.StatusRequestEntityTooLarge},
		{"over the limit, chunked", over, true, http.StatusRequestEntityTooLarge},
		{"at the limit, chunked", fits, true, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *webhook.Config) { c.MaxBody = limit })
			r := delivery(secret, "d-1", "orders/create", tt.body)
			if tt.unknownLength {
				r.ContentLength = -1
			}
			w := hs.serve(r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.status != http.StatusOK && len(hs.bell.rung()) != 0 {
				t.Error("rang for an oversized body")
			}
		})
	}
}

func TestHandlerDefaultBodyLimit(t *testing.T) {
	hs := newHarness(t, nil)
	big := strings.Repeat("x", int(webhook.DefaultMaxBody)+1)
	if w := hs.serve(delivery(secret, "d-1", "orders/create", big)); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", w.Code)
	}
}

func TestHandlerHandshake(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		target   string
		signed   bool
		status   int
		wantBody string
		rings    int
	}{
		{"GET validation token echoed", http.MethodGet, "/bc?validationToken=Abc%2B123", false, http.StatusOK, "Abc+123", 0},
		{"POST validation token echoed", http.MethodPost, "/bc?validationToken=tok", false, http.StatusOK, "tok", 0},
		{"GET without token", http.MethodGet, "/bc", false, http.StatusMethodNotAllowed, "", 0},
		{"POST without token is a delivery", http.MethodPost, "/bc", true, http.StatusOK, "", 1},
		{"unsigned POST without token refused", http.MethodPost, "/bc", false, http.StatusUnauthorized, "", 0},
		{"DELETE with token still 405", http.MethodDelete, "/bc?validationToken=tok", false, http.StatusMethodNotAllowed, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, func(c *webhook.Config) {
				c.Handshake = webhook.ValidationToken("validationToken")
				c.Router, c.Flows = nil, []string{"bc-orders"}
			})
			r := httptest.NewRequest(tt.method, "https://hooks.example.com"+tt.target, strings.NewReader("{}"))
			if tt.signed {
				r.Header.Set("X-Shopify-Hmac-Sha256", webhook.Sign(webhook.Base64, secret, []byte("{}")))
			}
			w := hs.serve(r)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.wantBody != "" {
				if w.Body.String() != tt.wantBody {
					t.Errorf("body = %q, want %q", w.Body, tt.wantBody)
				}
				if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type = %q, want text/plain", ct)
				}
			}
			if got := len(hs.bell.rung()); got != tt.rings {
				t.Errorf("rang %d times, want %d", got, tt.rings)
			}
			if tt.status == http.StatusMethodNotAllowed && w.Header().Get("Allow") != "GET, POST" {
				t.Errorf("Allow = %q, want GET, POST", w.Header().Get("Allow"))
			}
		})
	}
}

// bcVerifier checks a Business Central notification the way the platform
// package would: no HMAC, the subscription's clientState is the shared secret.
func bcVerifier(clientState string) webhook.Verifier {
	return webhook.VerifierFunc(func(_ *http.Request, body []byte, _ time.Time) (webhook.Delivery, error) {
		d := webhook.Delivery{System: "businesscentral"}
		var n struct {
			Value []struct {
				ClientState string `json:"clientState"`
				Resource    string `json:"resource"`
			} `json:"value"`
		}
		if err := json.Unmarshal(body, &n); err != nil || len(n.Value) == 0 {
			return d, connector.Errorf(connector.Unauthorized, "businesscentral", "not a notification")
		}
		for _, v := range n.Value {
			if subtle.ConstantTimeCompare([]byte(v.ClientState), []byte(clientState)) != 1 {
				return d, connector.Errorf(connector.Unauthorized, "businesscentral", "clientState mismatch")
			}
		}
		if strings.Contains(n.Value[0].Resource, "/salesOrders") {
			d.Topic = "salesOrders"
		}
		return d, nil
	})
}

func TestHandlerClientStateVerifier(t *testing.T) {
	const note = `{"value":[{"subscriptionId":"s1","clientState":"%s","resource":"api/v2.0/companies(1)/salesOrders(9)","changeType":"updated"}]}`
	tests := []struct {
		state  string
		status int
		rings  []string
	}{
		{"shared-state", http.StatusOK, []string{"erp-orders"}},
		{"guess", http.StatusUnauthorized, nil},
	}
	for _, tt := range tests {
		hs := newHarness(t, func(c *webhook.Config) {
			c.Verifier = bcVerifier("shared-state")
			c.Handshake = webhook.ValidationToken("validationToken")
			c.Router, c.Flows = webhook.Routes{"salesOrders": {"erp-orders"}}, nil
		})
		body := strings.ReplaceAll(note, "%s", tt.state)
		w := hs.serve(httptest.NewRequest(http.MethodPost, "/bc", strings.NewReader(body)))
		if w.Code != tt.status {
			t.Errorf("clientState %q: status %d, want %d", tt.state, w.Code, tt.status)
		}
		if got := hs.bell.rung(); !slices.Equal(got, tt.rings) {
			t.Errorf("clientState %q: rung %v, want %v", tt.state, got, tt.rings)
		}
	}
}

func TestHandlerRouterFunc(t *testing.T) {
	hs := newHarness(t, func(c *webhook.Config) {
		c.Router = webhook.RouterFunc(func(d webhook.Delivery) []string {
			if strings.HasPrefix(d.Topic, "orders/") {
				return []string{"orders"}
			}
			return nil
		})
		c.Flows = nil
	})
	for _, topic := range []string{"orders/create", "orders/cancelled", "customers/update"} {
		hs.serve(delivery(secret, topic, topic, "{}"))
	}
	if got, want := hs.bell.rung(), []string{"orders", "orders"}; !slices.Equal(got, want) {
		t.Errorf("rung %v, want %v", got, want)
	}
}

func TestHandlerOnDeliverySeesVerifiedBody(t *testing.T) {
	var gotBody string
	var got webhook.Delivery
	hs := newHarness(t, func(c *webhook.Config) {
		c.OnDelivery = func(_ context.Context, d webhook.Delivery, body []byte) {
			got, gotBody = d, string(body)
		}
	})
	hs.serve(delivery(secret, "d-9", "orders/create", `{"id":9}`))
	want := webhook.Delivery{System: "shopify", ID: "d-9", Topic: "orders/create"}
	if got != want || gotBody != `{"id":9}` {
		t.Errorf("OnDelivery got %+v %q, want %+v %q", got, gotBody, want, `{"id":9}`)
	}
}

func TestHandlerLogs(t *testing.T) {
	hs := newHarness(t, nil)
	good := delivery(secret, "d-1", "orders/create", `{"id":1}`)
	bad := delivery("forged-key", "d-2", "orders/create", `{"id":2}`)
	signatures := []string{good.Header.Get("X-Shopify-Hmac-Sha256"), bad.Header.Get("X-Shopify-Hmac-Sha256")}
	hs.serve(good)
	hs.serve(bad)

	var lines []map[string]any
	dec := json.NewDecoder(bytes.NewReader(hs.logs.Bytes()))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("log line: %v", err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("%d log lines, want 2:\n%s", len(lines), hs.logs)
	}
	want := []map[string]string{
		{"system": "shopify", "topic": "orders/create", "id": "d-1", "outcome": "accepted", "level": "INFO"},
		{"system": "shopify", "topic": "orders/create", "id": "d-2", "outcome": "rejected", "level": "WARN"},
	}
	for i, w := range want {
		for k, v := range w {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %q", i, k, lines[i][k], v)
			}
		}
	}
	for _, s := range append(signatures, secret, "forged-key") {
		if strings.Contains(hs.logs.String(), s) {
			t.Errorf("logs contain secret or signature %q:\n%s", s, hs.logs)
		}
	}
}

func TestHandlerDeliveryWithoutSystemIsNotDeduplicated(t *testing.T) {
	hs := newHarness(t, func(c *webhook.Config) {
		c.Verifier = webhook.VerifierFunc(func(*http.Request, []byte, time.Time) (webhook.Delivery, error) {
			return webhook.Delivery{ID: "evt-1", Topic: "orders/create"}, nil
		})
	})
	for range 2 {
		if w := hs.serve(delivery(secret, "evt-1", "orders/create", "{}")); w.Code != http.StatusOK {
			t.Fatalf("status = %d, want 200", w.Code)
		}
	}
	if hs.store.calls != 0 {
		t.Errorf("store called %d times for a delivery without a system", hs.store.calls)
	}
	if got := len(hs.bell.rung()); got != 4 {
		t.Errorf("rung %d times, want 4 (two flows, twice)", got)
	}
}

// Xero's intent-to-receive check is plain deliveries with no events, some
// signed correctly and some not: the HMAC verifier answers it without a
// handshake hook, 200 with an empty body or 401.
func TestHandlerXeroIntentToReceive(t *testing.T) {
	xero := webhook.HMAC{System: "xero", Header: "x-xero-signature", Secrets: []string{"webhook-key"}}
	hs := newHarness(t, func(c *webhook.Config) {
		c.Verifier = xero
		c.Router, c.Flows = nil, []string{"xero-invoices"}
	})
	const body = `{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":"KSMAAHPEUAWVOPRXSCAW"}`
	tests := []struct {
		key    string
		status int
	}{
		{"webhook-key", http.StatusOK},
		{"wrong-key", http.StatusUnauthorized},
		{"", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodPost, "/hooks/xero", strings.NewReader(body))
		if tt.key != "" {
			r.Header.Set("x-xero-signature", webhook.Sign(webhook.Base64, tt.key, []byte(body)))
		}
		w := hs.serve(r)
		if w.Code != tt.status {
			t.Errorf("key %q: status %d, want %d", tt.key, w.Code, tt.status)
		}
		if tt.status == http.StatusOK && (w.Body.Len() != 0 || w.Header().Get("Set-Cookie") != "") {
			t.Errorf("key %q: 200 with body %q or cookies; Xero wants neither", tt.key, w.Body)
		}
	}
}
