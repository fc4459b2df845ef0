package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/httpx"
)

// A client for a made-up customer API that allows 2 requests a second, says so
// in its RateLimit-Policy header, and answers the first call with a 429. The
// fake clock makes the waits visible (and instant); in production leave Clock
// unset to use the wall clock.
func Example() {
	var calls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Policy", "2;w=1")
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprintf(w, `{"id":%q,"name":"Customer %s"}`, r.URL.Path[len("/v1/customers/"):], r.URL.Path[len("/v1/customers/"):])
	}))
	defer api.Close()

	clock := connectortest.NewClock(time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC))
	c, err := httpx.New(httpx.Config{
		System:  "crmapi",
		BaseURL: api.URL + "/v1",
		Clock:   clock,
		Auth: func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+"token-from-a-token-source")
			return nil
		},
	})
	if err != nil {
		panic(err)
	}

	ctx := context.Background()
	for _, id := range []string{"c-1", "c-2", "c-3"} {
		var cust struct{ ID, Name string }
		if err := c.GetJSON(ctx, "customers/"+id, nil, &cust); err != nil {
			panic(err)
		}
		fmt.Println(cust.Name)
	}
	fmt.Println("requests sent:", calls.Load())
	fmt.Println("waits:", clock.Sleeps())
	fmt.Println("learned rate:", c.Limiter().Rate(), "req/s")
	// Output:
	// Customer c-1
	// Customer c-2
	// Customer c-3
	// requests sent: 4
	// waits: [3s 526.315789ms 526.315789ms]
	// learned rate: 1.9 req/s
}

// Paging through every order of an API that links its pages with RFC 8288 Link
// headers.
func ExamplePaginate() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		if page < 3 {
			w.Header().Set("Link", fmt.Sprintf(`</orders?page=%d>; rel="next"`, page+1))
		}
		fmt.Fprintf(w, `[{"number":"SO-%d01"},{"number":"SO-%d02"}]`, page, page)
	}))
	defer api.Close()

	c, err := httpx.New(httpx.Config{System: "shop", BaseURL: api.URL})
	if err != nil {
		panic(err)
	}
	type order struct {
		Number string `json:"number"`
	}
	for o, err := range httpx.Paginate[order](context.Background(), c, &httpx.Request{Path: "orders"}, httpx.LinkHeader{}) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Print(o.Number, " ")
	}
	fmt.Println()
	// Output:
	// SO-101 SO-102 SO-201 SO-202 SO-301 SO-302
}

// Classifying a failure by kind. The API answers with an OData error body; a
// platform package refines the kind from the system's own error code.
func ExampleClient_Do() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"code":"Customer_Blocked","message":"Customer C-7 is blocked for sales."}}`)
	}))
	defer api.Close()

	c, err := httpx.New(httpx.Config{
		System:  "erp",
		BaseURL: api.URL + "/api/v2.0",
		ClassifyError: func(e *connector.Error, _ *http.Response) {
			if e.Code == "Customer_Blocked" {
				e.Kind = connector.BusinessRule // a person must act; retrying will not help
			}
		},
	})
	if err != nil {
		panic(err)
	}

	_, err = c.Do(context.Background(), &httpx.Request{
		Method:         http.MethodPost,
		Path:           "salesOrders",
		Body:           map[string]string{"customerNumber": "C-7"},
		IdempotencyKey: "flow-shop-orders-to-erp/SO-1001",
	})
	switch {
	case errors.Is(err, connector.RateLimited), errors.Is(err, connector.Transient):
		fmt.Println("retry later")
	case errors.Is(err, connector.BusinessRule):
		fmt.Println("park for a person")
	}
	var ce *connector.Error
	if errors.As(err, &ce) {
		fmt.Println(ce.Status, ce.Code, ce.Op)
		fmt.Println(ce)
	}
	// Output:
	// park for a person
	// 400 Customer_Blocked POST /api/v2.0/salesOrders
	// erp POST /api/v2.0/salesOrders: business-rule (HTTP 400): Customer C-7 is blocked for sales.
}
