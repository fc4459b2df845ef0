package shopify

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/connector/webhook"
	"github.com/junctionhq/junction/ecommerce/shopify/shopifytest"
)

func signed(secret string, body []byte, mutate func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/hooks/shopify", bytes.NewReader(body))
	r.Header.Set(HeaderHmac, shopifytest.Sign(secret, body))
	r.Header.Set(HeaderTopic, "orders/updated")
	r.Header.Set(HeaderWebhookID, "wh-1")
	r.Header.Set(HeaderTriggered, "2026-03-02T10:00:00.123Z")
	if mutate != nil {
		mutate(r)
	}
	return r
}

func TestVerifier(t *testing.T) {
	body := []byte(`{"id":1,"admin_graphql_api_id":"gid://shopify/Order/1"}`)
	cases := []struct {
		name    string
		secrets []string
		req     *http.Request
		body    []byte
		want    error
	}{
		{"good", []string{"s3cret"}, signed("s3cret", body, nil), body, nil},
		{"rotated: old secret still verifies", []string{"new", "s3cret"}, signed("s3cret", body, nil), body, nil},
		{"wrong secret", []string{"other"}, signed("s3cret", body, nil), body, webhook.ErrBadSignature},
		{"body changed", []string{"s3cret"}, signed("s3cret", body, nil), append([]byte(" "), body...), webhook.ErrBadSignature},
		{"no signature", []string{"s3cret"}, signed("s3cret", body, func(r *http.Request) { r.Header.Del(HeaderHmac) }), body, webhook.ErrNoSignature},
		{"no secret", nil, signed("s3cret", body, nil), body, webhook.ErrNoSecret},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewVerifier("", tc.secrets...).Verify(tc.req, tc.body, epoch)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err != nil {
				if !errors.Is(err, connector.Unauthorized) {
					t.Errorf("kind %s, want unauthorized", connector.KindOf(err))
				}
				return
			}
			if d.System != DefaultSystem || d.ID != "wh-1" || d.Topic != "orders/updated" || !d.Timestamp.Equal(time.Date(2026, 3, 2, 10, 0, 0, 123e6, time.UTC)) {
				t.Errorf("delivery %+v", d)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	r := Routes(map[Stream][]string{StreamOrders: {"orders-to-erp"}, StreamRefunds: {"refunds-to-finance", "orders-to-erp"}})
	cases := map[string][]string{
		"orders/create":    {"orders-to-erp"},
		"refunds/create":   {"refunds-to-finance", "orders-to-erp"},
		"orders/cancelled": {"orders-to-erp", "refunds-to-finance"},
		"products/update":  nil,
	}
	for topic, want := range cases {
		got := r.Route(webhook.Delivery{Topic: topic})
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s rings %v, want %v", topic, got, want)
		}
	}
	if !slices.Contains(e2eTopics(), "orders/edited") {
		t.Error("the orders source does not list orders/edited")
	}
}

func e2eTopics() []string { return (&OrderSource{}).Topics() }

// TestWebhookEndToEnd: the fake sends signed webhooks, twice each with the
// duplicate fault; the handler built from the verifier rings the flow once
// per delivery.
func TestWebhookEndToEnd(t *testing.T) {
	e := newEnv(t, shopifytest.Options{Faults: shopifytest.Faults{DuplicateWebhooks: true}}, Config{})
	var mu sync.Mutex
	var rung []string
	h, err := webhook.New(webhook.Config{
		Verifier:   e.shop.Verifier(e.srv.WebhookSecret),
		Notify:     func(flow string) { mu.Lock(); rung = append(rung, flow); mu.Unlock() },
		Router:     Routes(map[Stream][]string{StreamOrders: {"orders"}}),
		Deliveries: memstore.New(),
		Clock:      e.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(h)
	defer hook.Close()
	e.srv.Subscribe(hook.URL, "orders/create", "orders/updated")
	o := e.order(t, shopifytest.OrderInput{Lines: []shopifytest.LineInput{{SKU: "W", Quantity: 1, Price: "1"}}})
	if err := e.srv.TouchOrder(o.Name, "note"); err != nil {
		t.Fatal(err)
	}
	if got := e.srv.Stats().Webhooks; got != 4 {
		t.Errorf("sent %d webhooks, want 4 (two deliveries, each twice)", got)
	}
	if len(rung) != 2 {
		t.Errorf("rang %v, want the orders flow once per delivery", rung)
	}
	status, err := e.srv.SendWebhook(context.Background(), hook.URL, "orders/create", map[string]any{"id": 1})
	if err != nil || status != http.StatusOK {
		t.Errorf("send: %d %v", status, err)
	}
}

// FuzzVerifier: arbitrary bodies and signature headers never panic, a
// signature made with the secret always verifies, and any other header
// value only verifies if it decodes to the same MAC.
func FuzzVerifier(f *testing.F) {
	f.Add([]byte(`{"id":1}`), "", "wh-1")
	f.Add([]byte{}, "AAAA", "")
	f.Add([]byte("\x00\xff"), "not base64!", "x")
	v := NewVerifier("", "s3cret")
	f.Fuzz(func(t *testing.T, body []byte, sig, id string) {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set(HeaderWebhookID, id)
		good := shopifytest.Sign("s3cret", body)
		r.Header.Set(HeaderHmac, good)
		if _, err := v.Verify(r, body, epoch); err != nil {
			t.Fatalf("a correct signature failed: %v", err)
		}
		r.Header.Set(HeaderHmac, sig)
		_, err := v.Verify(r, body, epoch)
		if err == nil && sig != good && sig != trimPad(good) {
			t.Fatalf("signature %q verified for a body whose MAC is %q", sig, good)
		}
		if err != nil && !errors.Is(err, connector.Unauthorized) {
			t.Fatalf("kind %s, want unauthorized", connector.KindOf(err))
		}
	})
}

func trimPad(s string) string { return string(bytes.TrimRight([]byte(s), "=")) }
