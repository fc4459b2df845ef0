package httpx_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/httpx"
)

type benchOrder struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Total    string `json:"total"`
	Currency string `json:"currency"`
	Lines    []struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	} `json:"lines"`
}

const benchPayload = `{"id":"o-1001","status":"open","total":"129.90","currency":"EUR",` +
	`"lines":[{"sku":"A-1","qty":2},{"sku":"B-2","qty":1},{"sku":"C-3","qty":7}]}`

// BenchmarkOverhead compares a GET with JSON decoding through the Client (limiter,
// semaphore, signals, classification, logging switched off) with the same GET
// and decode on a bare http.Client.
func BenchmarkOverhead(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchPayload)
	}))
	defer srv.Close()
	ctx := context.Background()

	hc := srv.Client()
	bare := func() {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v2/orders/o-1001", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Accept", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var o benchOrder
		err = json.NewDecoder(resp.Body).Decode(&o)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || o.ID == "" {
			b.Fatal(err, resp.StatusCode)
		}
	}
	c, err := httpx.New(httpx.Config{System: "bench", BaseURL: srv.URL + "/v2", HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	client := func() {
		var o benchOrder
		if err := c.GetJSON(ctx, "orders/o-1001", nil, &o); err != nil || o.ID == "" {
			b.Fatal(err)
		}
	}

	// cpu-ns/op is the process's CPU time (client, server and runtime) per
	// request: on a busy machine it varies far less than wall time.
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			bare()
		}
		b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	b.Run("httpx", func(b *testing.B) {
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			client()
		}
		b.ReportMetric(float64((processCPU()-cpu).Nanoseconds())/float64(b.N), "cpu-ns/op")
	})
	// Alternating the two in one loop exposes both to the same background
	// load, which makes the ratio far steadier than two separate runs on a
	// busy machine.
	b.Run("interleaved", func(b *testing.B) {
		var tBare, tClient time.Duration
		for b.Loop() {
			t0 := time.Now()
			bare()
			t1 := time.Now()
			client()
			tClient += time.Since(t1)
			tBare += t1.Sub(t0)
		}
		n := float64(b.N)
		b.ReportMetric(float64(tBare.Nanoseconds())/n, "bare-ns/op")
		b.ReportMetric(float64(tClient.Nanoseconds())/n, "httpx-ns/op")
		b.ReportMetric(float64(tClient)/float64(tBare), "ratio")
	})
}
