// Command webhooks shows the rule "webhooks ring the doorbell, the poll is the
// truth" on a real HTTP server on the loopback interface.
//
// A shop (the memshop simulator) sends Shopify-style webhooks: the body is
// signed with HMAC-SHA256 under a shared secret and the signature travels
// base64-encoded in X-Shopify-Hmac-Sha256, beside X-Shopify-Webhook-Id (the
// delivery ID) and X-Shopify-Topic. A connector/webhook Handler verifies
// each delivery, drops repeats by delivery ID and rings the flow routed to
// the topic "orders/updated". The flow has no schedule: the engine, running
// in the background with Run, passes over it only when it is rung, and then
// reads the shop's orders from its checkpoint into an order management
// system (a connectortest.Memory). The webhook's body is never used as data.
//
// The example sends a signed delivery (accepted, the flow runs), the same
// delivery again (a duplicate: accepted, nothing rung), a delivery whose body
// was tampered with (401, nothing rung), and finally places two orders but
// delivers only the second one's webhook: both orders arrive, because the
// pass reads everything after the checkpoint.
//
// Run it with
//
//	go run ./examples/webhooks
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/connector/webhook"
	"github.com/junctionhq/junction/ecommerce/memshop"
)

const (
	flowName = "shop-orders→oms"
	hookPath = "/webhooks/shopify"
	// secret is the webhook signing secret the shop and the receiver share.
	// A real service reads it from its configuration, never from code.
	secret = "shpss_example_secret"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks:", err)
		os.Exit(1)
	}
}

// receiver is the service under demonstration: the engine, its flow, and the
// webhook endpoint that rings it.
type receiver struct {
	w      io.Writer
	shop   *memshop.Shop
	oms    *connectortest.Memory[canonical.SalesOrder]
	eng    *flow.Engine
	passes chan flow.Stats // one value after every pass of the engine
	last   flow.Stats      // the stats after the last pass seen
	rings  atomic.Int64    // how often the handler rang the flow
	srv    *httptest.Server
	// verifier describes the platform's signing scheme. The receiver verifies
	// with it; the shop's side of this example signs with it (SignRequest),
	// as a platform's fake server would.
	verifier webhook.HMAC
}

func run(ctx context.Context, w io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r, err := newReceiver(w)
	if err != nil {
		return err
	}
	defer r.srv.Close()

	fmt.Fprintln(w, "junction webhooks: Shopify-style deliveries ring the doorbell, the poll is the truth")
	fmt.Fprintf(w, "  endpoint %s on 127.0.0.1; flow %q has no schedule and runs only when rung\n", hookPath, flowName)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		_ = r.eng.Run(ctx) // until ctx is cancelled; it returns ctx's error
	}()
	defer func() { cancel(); <-stopped }() // stop the engine and wait for it
	first, err := r.nextPass(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  engine started: its first pass read %d orders\n", first.Read)

	steps := []func(context.Context) error{r.signed, r.duplicate, r.tampered, r.missed}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}

	st, err := r.eng.Stats(flowName)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nSummary: the OMS holds %s; %d rings, %d passes, %d orders read, %d applied\n",
		strings.Join(r.oms.Keys(), ", "), r.rings.Load(), st.Passes, st.Read, st.Applied)
	return nil
}

// newReceiver builds the shop, the OMS, the engine with its flow, and the
// webhook endpoint on a loopback HTTP server.
func newReceiver(w io.Writer) (*receiver, error) {
	st := memstore.New()
	r := &receiver{
		w:      w,
		shop:   memshop.New(memshop.Config{System: "shop", Seed: 1}),
		oms:    connectortest.NewMemory[canonical.SalesOrder]("oms"),
		passes: make(chan flow.Stats, 16),
		verifier: webhook.HMAC{
			System:      "shopify",
			Header:      "X-Shopify-Hmac-Sha256",
			Encoding:    webhook.Base64,
			Secrets:     []string{secret},
			IDHeader:    "X-Shopify-Webhook-Id",
			TopicHeader: "X-Shopify-Topic",
		},
	}
	for _, sku := range []string{"TEE-BLK-M", "MUG-ENM-WHT"} {
		if err := r.shop.AddProduct(canonical.Product{SKU: sku, Name: sku, Active: true}); err != nil {
			return nil, err
		}
	}
	if _, err := r.shop.AddCustomer(canonical.Customer{
		Name: "Ada Lovelace", Email: "ada@example.com",
		Addresses: []canonical.Address{{Name: "Ada Lovelace", Lines: []string{"1 Main St"}, City: "Dublin", Country: "IE"}},
	}); err != nil {
		return nil, err
	}

	r.eng = flow.NewEngine(st,
		flow.WithLogger(slog.New(slog.DiscardHandler)),
		flow.WithStatsHook(func(s flow.Stats) {
			select {
			case r.passes <- s:
			default: // nobody is waiting for that many passes; never block the engine
			}
		}),
	)
	if err := flow.Add(r.eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
		Name:   flowName,
		Source: r.shop.Orders(),
		Map:    flow.Identity[canonical.SalesOrder],
		Sink:   r.oms,
		// Every is zero: no schedule, the flow runs only on Notify.
	}); err != nil {
		return nil, err
	}

	h, err := webhook.New(webhook.Config{
		Verifier: r.verifier,
		Notify: func(name string) {
			r.rings.Add(1)
			r.eng.Notify(name)
		},
		Router:     webhook.Routes{"orders/updated": {flowName}},
		Deliveries: st, // de-duplicates by (System, delivery ID)
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+hookPath, h)
	r.srv = httptest.NewServer(mux) // listens on 127.0.0.1, a free port
	return r, nil
}

// 1. A correctly signed delivery rings the flow.
func (r *receiver) signed(ctx context.Context) error {
	o, err := r.place(2)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "\n1. Order %s placed; the shop sends delivery d-1 (orders/updated), signed\n", o.Number)
	fmt.Fprintf(r.w, "   X-Shopify-Hmac-Sha256: %s\n", webhook.Sign(webhook.Base64, secret, orderBody(o)))
	status, err := r.deliver(ctx, "d-1", "orders/updated", orderBody(o), false)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "   → %s; rings so far: %d\n", status, r.rings.Load())
	return r.reportPass(ctx)
}

// 2. The same delivery again is a duplicate: accepted, not rung.
func (r *receiver) duplicate(ctx context.Context) error {
	fmt.Fprintln(r.w, "\n2. The shop retries delivery d-1 (it did not see our answer in time)")
	before, err := r.eng.Stats(flowName)
	if err != nil {
		return err
	}
	o, _ := r.shop.OrderByNumber("#1001")
	status, err := r.deliver(ctx, "d-1", "orders/updated", orderBody(o), false)
	if err != nil {
		return err
	}
	after, err := r.eng.Stats(flowName)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "   → %s, de-duplicated by its delivery ID: no ring (rings still %d, passes still %d)\n",
		status, r.rings.Load(), after.Passes)
	if r.rings.Load() != 1 || after.Passes != before.Passes {
		return fmt.Errorf("a duplicate delivery rang the flow")
	}
	return nil
}

// 3. A tampered body fails verification: 401, not rung.
func (r *receiver) tampered(ctx context.Context) error {
	fmt.Fprintln(r.w, "\n3. Delivery d-2 arrives with its body changed after it was signed")
	o, _ := r.shop.OrderByNumber("#1001")
	status, err := r.deliver(ctx, "d-2", "orders/updated", orderBody(o), true)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "   → %s: the signature does not match the body; nothing rung (rings still %d)\n", status, r.rings.Load())
	if r.rings.Load() != 1 {
		return fmt.Errorf("a tampered delivery rang the flow")
	}
	return nil
}

// 4. A missed webhook loses nothing: the pass reads from the checkpoint.
func (r *receiver) missed(ctx context.Context) error {
	a, err := r.place(1)
	if err != nil {
		return err
	}
	b, err := r.place(3)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "\n4. Orders %s and %s placed; the webhook for %s is lost on the way\n", a.Number, b.Number, a.Number)
	status, err := r.deliver(ctx, "d-4", "orders/updated", orderBody(b), false)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "   delivery d-4 for %s → %s; rings so far: %d\n", b.Number, status, r.rings.Load())
	if err := r.reportPass(ctx); err != nil {
		return err
	}
	if _, ok := r.oms.Value(a.Number); !ok {
		return fmt.Errorf("order %s, whose webhook was lost, did not reach the OMS", a.Number)
	}
	fmt.Fprintf(r.w, "   %s arrived too: the pass read everything after the checkpoint, not the webhook's body\n", a.Number)
	return nil
}

// place has the customer order qty tees.
func (r *receiver) place(qty int64) (canonical.SalesOrder, error) {
	return r.shop.PlaceOrder(canonical.SalesOrder{
		Customer: canonical.PartyRef{Refs: []canonical.ExternalRef{{System: r.shop.System(), ID: "cust-1"}}},
		Currency: "EUR",
		Lines:    []canonical.SalesOrderLine{memshop.NewLine("TEE-BLK-M", qty, canonical.MustMoney("19.90", "EUR"))},
	})
}

// orderBody is the webhook payload, shaped like Shopify's order JSON. The
// receiver never reads it as data; it only has to carry the signature.
func orderBody(o canonical.SalesOrder) []byte {
	return fmt.Appendf(nil, `{"name":%q,"email":"ada@example.com","total_price":%q,"currency":"EUR"}`,
		o.Number, o.Totals.Payable.Amount.String())
}

// deliver POSTs a webhook as the shop would: the body signed with the shared
// secret. With tamper a field is added to the body after signing. It returns
// the response status. The handler rings the flows before it returns, so the
// ring, if any, has happened when the response arrives.
func (r *receiver) deliver(ctx context.Context, id, topic string, body []byte, tamper bool) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.srv.URL+hookPath, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Webhook-Id", id)
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", "acme-apparel.myshopify.com")
	if err := r.verifier.SignRequest(req, body); err != nil {
		return "", err
	}
	if tamper { // a field slipped into the JSON after it was signed
		body = append(bytes.TrimSuffix(bytes.Clone(body), []byte("}")), `,"note":"refund to IBAN XX00"}`...)
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Status, nil
}

// nextPass waits for the engine's next pass and returns the flow's stats
// after it.
func (r *receiver) nextPass(ctx context.Context) (flow.Stats, error) {
	select {
	case s := <-r.passes:
		r.last = s
		return s, nil
	case <-time.After(5 * time.Second):
		return flow.Stats{}, errors.New("no pass within 5s of the ring")
	case <-ctx.Done():
		return flow.Stats{}, ctx.Err()
	}
}

// reportPass waits for the pass a ring started and prints what it did.
func (r *receiver) reportPass(ctx context.Context) error {
	prev := r.last
	s, err := r.nextPass(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, "   the ring started pass %d: it read %d order change(s) after its checkpoint and applied %d\n",
		s.Passes, s.Read-prev.Read, s.Applied-prev.Applied)
	for _, k := range r.oms.Keys() {
		o, _ := r.oms.Value(k)
		fmt.Fprintf(r.w, "   OMS holds %s: %s × %s, %s\n", k, qty(o), o.Lines[0].SKU, o.Totals.Payable)
	}
	return nil
}

// qty is the quantity ordered on an order's first line, as a whole number.
func qty(o canonical.SalesOrder) string { return o.Lines[0].Ordered.Value.String() }
