package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
)

// TestRun runs the whole example and checks the lines that tell its story.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		"engine started: its first pass read 0 orders",
		// 1. signed: accepted and rung; the pass applies the order
		"   → 200 OK; rings so far: 1\n   the ring started pass 2: it read 1 order change(s) after its checkpoint and applied 1",
		"OMS holds #1001: 2 × TEE-BLK-M, 39.80 EUR",
		// 2. duplicate: accepted, not rung
		"→ 200 OK, de-duplicated by its delivery ID: no ring (rings still 1, passes still 2)",
		// 3. tampered: refused, not rung
		"→ 401 Unauthorized: the signature does not match the body; nothing rung (rings still 1)",
		// 4. the missed webhook loses nothing
		"delivery d-4 for #1003 → 200 OK; rings so far: 2",
		"the ring started pass 3: it read 2 order change(s) after its checkpoint and applied 2",
		"OMS holds #1002: 1 × TEE-BLK-M, 19.90 EUR",
		"#1002 arrived too",
		"Summary: the OMS holds #1001, #1002, #1003; 2 rings, 3 passes, 3 orders read, 3 applied",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
}

// TestEndpoint drives the endpoint directly: the answers the platform gets,
// and that only accepted, new deliveries of a routed topic ring the flow.
func TestEndpoint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := newReceiver(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.srv.Close()
	go func() { _ = r.eng.Run(ctx) }()
	if _, err := r.nextPass(ctx); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"name":"#1001"}`)
	for _, c := range []struct {
		name, id, topic string
		tamper          bool
		status          string
		rings           int64
	}{
		{"signed", "x-1", "orders/updated", false, "200 OK", 1},
		{"repeat", "x-1", "orders/updated", false, "200 OK", 1},
		{"tampered", "x-2", "orders/updated", true, "401 Unauthorized", 1},
		{"unrouted topic", "x-3", "products/update", false, "200 OK", 1},
		{"second", "x-4", "orders/updated", false, "200 OK", 2},
	} {
		status, err := r.deliver(ctx, c.id, c.topic, body, c.tamper)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if status != c.status || r.rings.Load() != c.rings {
			t.Errorf("%s: %s with %d rings, want %s with %d", c.name, status, r.rings.Load(), c.status, c.rings)
		}
	}

	// An unsigned request is refused.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, r.srv.URL+hookPath, bytes.NewReader(body))
	req.Header.Set("X-Shopify-Webhook-Id", "x-5")
	req.Header.Set("X-Shopify-Topic", "orders/updated")
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %s, want 401", resp.Status)
	}
}

// TestMissedWebhookLosesNothing places orders with no webhook at all: the
// next ring, for any order, brings every one of them.
func TestMissedWebhookLosesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := newReceiver(&bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.srv.Close()
	go func() { _ = r.eng.Run(ctx) }()
	if _, err := r.nextPass(ctx); err != nil {
		t.Fatal(err)
	}
	var last canonical.SalesOrder
	for i := range 5 {
		if last, err = r.place(int64(i + 1)); err != nil {
			t.Fatal(err)
		}
	}
	if status, err := r.deliver(ctx, "only-one", "orders/updated", orderBody(last), false); err != nil || status != "200 OK" {
		t.Fatalf("deliver: %s, %v", status, err)
	}
	if _, err := r.nextPass(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.oms.Keys(); len(got) != 5 {
		t.Errorf("the OMS holds %v, want all 5 orders", got)
	}
}
