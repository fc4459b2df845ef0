package webhook_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/webhook"
)

// A Shopify-style endpoint: the handler verifies the HMAC, answers 200 and
// rings the flows that listen to the topic. A fake platform signs its
// deliveries with the same HMAC value.
func Example() {
	verifier := webhook.HMAC{
		System:      "shopify",
		Header:      "X-Shopify-Hmac-Sha256",
		Encoding:    webhook.Base64,
		Secrets:     []string{"shpss_current", "shpss_previous"},
		IDHeader:    "X-Shopify-Webhook-Id",
		TopicHeader: "X-Shopify-Topic",
	}

	// notify stands in for the engine's Notify method.
	var mu sync.Mutex
	var rung []string
	notify := func(flow string) {
		mu.Lock()
		defer mu.Unlock()
		rung = append(rung, flow)
	}

	h, err := webhook.New(webhook.Config{
		Verifier: verifier,
		Notify:   notify,
		Router: webhook.Routes{
			"orders/create":  {"shop-orders-to-erp"},
			"orders/updated": {"shop-orders-to-erp"},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	send := func(body string, sign bool) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
		req.Header.Set("X-Shopify-Topic", "orders/create")
		if sign {
			if err := verifier.SignRequest(req, []byte(body)); err != nil {
				fmt.Println(err)
				return
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		fmt.Println(resp.StatusCode, rung)
	}
	send(`{"id":820982911946154508}`, true)
	send(`{"id":820982911946154508}`, false)
	// Output:
	// 200 [shop-orders-to-erp]
	// 401 [shop-orders-to-erp]
}

func ExampleSign() {
	body := []byte(`{"id":1}`)
	fmt.Println(webhook.Sign(webhook.Base64, "secret", body))
	fmt.Println(webhook.Sign(webhook.Hex, "secret", body))
	// Output:
	// A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=
	// 03def589620c813f198fd03d7967e292b163ef0435ebf43071ce0e9519763cb7
}

// HubSpot v3 signs the method, the full URL, the body and a millisecond
// timestamp, and deliveries older than five minutes must be refused.
func ExampleHMAC_signedPayload() {
	hubspot := webhook.HMAC{
		System:          "hubspot",
		Header:          "X-HubSpot-Signature-v3",
		Secrets:         []string{"client-secret"},
		TimestampHeader: "X-HubSpot-Request-Timestamp",
		Tolerance:       5 * time.Minute,
		Payload: func(r *http.Request, body []byte) ([]byte, error) {
			url := "https://" + r.Host + r.URL.RequestURI()
			ts := r.Header.Get("X-HubSpot-Request-Timestamp")
			return []byte(r.Method + url + string(body) + ts), nil
		},
	}
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	body := []byte(`[{"eventId":1,"subscriptionType":"contact.creation","objectId":123}]`)

	req := httptest.NewRequest(http.MethodPost, "https://hooks.example.com/hubspot", nil)
	req.Header.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(clock.Now().UnixMilli(), 10))
	if err := hubspot.SignRequest(req, body); err != nil {
		fmt.Println(err)
		return
	}

	_, err := hubspot.Verify(req, body, clock.Now())
	fmt.Println("fresh:", err == nil)

	clock.Advance(6 * time.Minute)
	_, err = hubspot.Verify(req, body, clock.Now())
	fmt.Println("six minutes later:", err)
	// Output:
	// fresh: true
	// six minutes later: hubspot webhook.verify: unauthorized: webhook: timestamp missing or outside tolerance: 2026-03-02T10:00:00Z is 6m0s from now, tolerance 5m0s
}

// Business Central confirms a subscription by calling the endpoint with a
// validationToken query parameter, which must come back as the body.
func ExampleValidationToken() {
	h, err := webhook.New(webhook.Config{
		Verifier:  webhook.HMAC{}, // the platform package's verifier goes here
		Notify:    func(string) {},
		Handshake: webhook.ValidationToken("validationToken"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hooks/bc?validationToken=token-123", nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"), w.Body.String())
	// Output:
	// 200 text/plain; charset=utf-8 token-123
}

// Routes and the default Flows together pick the flows to ring.
func ExampleRoutes() {
	routes := webhook.Routes{
		"orders/create":   {"shop-orders-to-erp"},
		"products/update": {"catalog", "stock-levels"},
	}
	for _, topic := range []string{"products/update", "customers/create"} {
		fmt.Println(topic, routes.Route(webhook.Delivery{Topic: topic}))
	}
	// Output:
	// products/update [catalog stock-levels]
	// customers/create []
}
