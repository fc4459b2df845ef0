package businesscentral_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// rings records the flows a webhook handler rang.
type rings struct {
	mu    sync.Mutex
	flows []string
}

func (r *rings) notify(flow string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flows = append(r.flows, flow)
}

func (r *rings) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.flows
	r.flows = nil
	slices.Sort(out)
	return out
}

// hook serves a webhook handler accepting clientState "s3cret".
func hook(t *testing.T, e *env, r *rings, mod func(*businesscentral.WebhookConfig)) *httptest.Server {
	t.Helper()
	cfg := businesscentral.WebhookConfig{
		ClientStates: []string{"s3cret"},
		Notify:       r.notify,
		Routes: map[string][]string{
			"customers":     {"customers-to-crm"},
			"salesOrders":   {"despatches", "order-status"},
			"salesInvoices": {"invoices-to-finance"},
		},
		Deliveries: memstore.New(),
		Clock:      e.clock,
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := businesscentral.NewWebhookHandler(cfg)
	must(t, err)
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs
}

func TestHandshake(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	hs := hook(t, e, &rings{}, nil)
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		req, _ := http.NewRequestWithContext(t.Context(), method, hs.URL+"?validationToken=tok-123", nil)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "tok-123" {
			t.Errorf("%s handshake: %d %q, want 200 with the token", method, resp.StatusCode, body)
		}
	}
}

func TestSubscriptionRenewal(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	hs := hook(t, e, &rings{}, nil)
	spec := businesscentral.SubscriptionSpec{NotificationURL: hs.URL, ClientState: "s3cret", EntitySets: []string{"customers", "salesOrders"}}
	steps := []struct {
		name       string
		advance    time.Duration
		handshakes int // in total
		expires    time.Duration
	}{
		{name: "created, with a handshake each", handshakes: 2, expires: 72 * time.Hour},
		{name: "fresh ones are left alone", advance: 24 * time.Hour, handshakes: 2, expires: 48 * time.Hour},
		{name: "renewed within a day of expiry", advance: 30 * time.Hour, handshakes: 4, expires: 72 * time.Hour},
		{name: "expired ones are created again", advance: 80 * time.Hour, handshakes: 6, expires: 72 * time.Hour},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		subs, err := e.bc.EnsureSubscriptions(t.Context(), spec)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(subs) != 2 || subs[0].EntitySet() != "customers" || subs[1].EntitySet() != "salesOrders" {
			t.Fatalf("%s: subscriptions %+v", s.name, subs)
		}
		if n := len(e.srv.Subscriptions()); n != 2 {
			t.Errorf("%s: the fake holds %d subscriptions, want 2", s.name, n)
		}
		if got := e.srv.Stats().Handshakes; got != s.handshakes {
			t.Errorf("%s: %d handshakes, want %d", s.name, got, s.handshakes)
		}
		if left := subs[0].Expires.Sub(e.clock.Now()); left != s.expires {
			t.Errorf("%s: expires in %s, want %s", s.name, left, s.expires)
		}
	}
}

func TestSubscribeNeedsTheHandshake(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	wrong := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "not the token") }))
	defer wrong.Close()
	_, err := e.bc.Subscribe(t.Context(), "customers", wrong.URL, "s3cret")
	if err == nil || len(e.srv.Subscriptions()) != 0 {
		t.Fatalf("a subscription without the handshake: %v, %d held", err, len(e.srv.Subscriptions()))
	}
	if _, err := e.bc.Subscribe(t.Context(), "customers", "ftp://example.com", "s3cret"); !errors.Is(err, connector.Invalid) {
		t.Errorf("a non-HTTP notification URL: %v, want Invalid", err)
	}
}

func TestKeepSubscribed(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	hs := hook(t, e, &rings{}, nil)
	spec := businesscentral.SubscriptionSpec{NotificationURL: hs.URL, ClientState: "s3cret", EntitySets: []string{"salesOrders"}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.bc.KeepSubscribed(ctx, spec, time.Minute) }()
	// The fake clock runs as fast as KeepSubscribed sleeps: wait for a
	// few renewals, then stop.
	deadline := time.Now().Add(10 * time.Second)
	for e.srv.Stats().Handshakes < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("KeepSubscribed returned %v, want context.Canceled", err)
	}
	subs := e.srv.Subscriptions()
	if len(subs) != 1 || e.srv.Stats().Handshakes < 4 {
		t.Fatalf("after renewals: %d subscriptions, %d handshakes", len(subs), e.srv.Stats().Handshakes)
	}
	if !subs[0].Expires.After(e.clock.Now()) {
		t.Errorf("the subscription expired at %s, now is %s", subs[0].Expires, e.clock.Now())
	}
}

func TestNotificationsRingFlows(t *testing.T) {
	e := newEnv(t, bctest.Options{CollectionThreshold: 3}, nil)
	r := &rings{}
	hs := hook(t, e, r, nil)
	_, err := e.bc.EnsureSubscriptions(t.Context(), businesscentral.SubscriptionSpec{NotificationURL: hs.URL, ClientState: "s3cret",
		EntitySets: []string{"customers", "salesOrders", "salesInvoices"}})
	must(t, err)

	tests := []struct {
		name   string
		change func(t *testing.T)
		notes  int
		flows  []string
	}{
		{"a customer renamed twice: one notification", func(t *testing.T) {
			must(t, e.srv.RenameCustomer("C10000", "Ng AG"))
			must(t, e.srv.RenameCustomer("C10000", "Ng SE"))
		}, 1, []string{"customers-to-crm"}},
		{"an order created and shipped, an invoice posted", func(t *testing.T) {
			_, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-W", 1, order("SHOP-W", line{"MUG-01", 2, "25.17"}), nil))
			must(t, err)
			o := e.srv.OrdersByExternal("SHOP-W")[0]
			_, err = e.srv.ShipOrder(o.Number, map[int]canonical.Decimal{10000: canonical.DecimalFromInt(1)}, true)
			must(t, err)
		}, 2, []string{"despatches", "invoices-to-finance", "order-status"}},
		{"many customers: one collection notification", func(t *testing.T) {
			addCustomers(t, e.srv, 5)
		}, 1, []string{"customers-to-crm"}},
		{"nothing changed", func(*testing.T) {}, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.change(t)
			n, err := e.srv.DeliverNotifications(t.Context())
			must(t, err)
			if n != tt.notes {
				t.Errorf("%d notifications delivered, want %d", n, tt.notes)
			}
			if got := r.take(); !slices.Equal(got, tt.flows) {
				t.Errorf("rang %q, want %q", got, tt.flows)
			}
		})
	}
	if n := len(e.srv.Subscriptions()); n != 3 {
		t.Errorf("%d subscriptions left, want 3", n)
	}
}

func TestHandlerNeverGetsTheSubscriptionDeleted(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	r := &rings{}
	// The handler knows only the rotated clientState, not the one the
	// subscription was made with.
	hs := hook(t, e, r, func(c *businesscentral.WebhookConfig) { c.ClientStates = []string{"new-secret"} })
	_, err := e.bc.Subscribe(t.Context(), "customers", hs.URL, "old-secret")
	must(t, err)
	must(t, e.srv.RenameCustomer("C10000", "Renamed"))
	if _, err := e.srv.DeliverNotifications(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := r.take(); len(got) != 0 {
		t.Errorf("a notification with an unknown clientState rang %q", got)
	}
	if n := len(e.srv.Subscriptions()); n != 1 {
		t.Fatalf("the refused delivery got the subscription deleted (%d left)", n)
	}

	requests := []struct {
		name   string
		method string
		body   string
	}{
		{"garbage body", http.MethodPost, "{"},
		{"unknown clientState", http.MethodPost, `{"value":[{"clientState":"forged","resource":"api/v2.0/companies(x)/customers(y)","changeType":"updated"}]}`},
		{"GET without a token", http.MethodGet, ""},
		{"PUT", http.MethodPut, "{}"},
		{"over the body limit", http.MethodPost, `{"value":[` + strings.Repeat(" ", 5<<20) + `]}`},
	}
	for _, rq := range requests {
		req, _ := http.NewRequestWithContext(t.Context(), rq.method, hs.URL, strings.NewReader(rq.body))
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: answered %d; Business Central deletes a subscription for anything but 2xx, 408, 429 and 5xx", rq.name, resp.StatusCode)
		}
	}
}

// failingDeliveries is a de-duplication store that is down.
type failingDeliveries struct{}

func (failingDeliveries) SeenDelivery(context.Context, string, string, time.Time, time.Duration) (bool, error) {
	return false, errors.New("database down")
}

func TestNotificationRetriedWhenNotRecorded(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	r := &rings{}
	down := true
	var mu sync.Mutex
	hs := hook(t, e, r, func(c *businesscentral.WebhookConfig) {
		c.Deliveries = deliveriesFunc(func(ctx context.Context, sys, id string, now time.Time, ttl time.Duration) (bool, error) {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return failingDeliveries{}.SeenDelivery(ctx, sys, id, now, ttl)
			}
			return false, nil
		})
	})
	_, err := e.bc.Subscribe(t.Context(), "customers", hs.URL, "s3cret")
	must(t, err)
	must(t, e.srv.RenameCustomer("C10000", "Renamed"))
	if n, _ := e.srv.DeliverNotifications(t.Context()); n != 0 {
		t.Errorf("%d delivered while the store was down, want 0 (answered 503)", n)
	}
	if subs := e.srv.Subscriptions(); len(subs) != 1 || subs[0].Pending != 1 {
		t.Fatalf("after a 503: %+v, want the subscription with its notification pending", subs)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	if n, _ := e.srv.DeliverNotifications(t.Context()); n != 1 {
		t.Errorf("%d delivered on the retry, want 1", n)
	}
	if got := r.take(); !slices.Equal(got, []string{"customers-to-crm"}) {
		t.Errorf("rang %q", got)
	}
}

type deliveriesFunc func(ctx context.Context, system, id string, now time.Time, ttl time.Duration) (bool, error)

func (f deliveriesFunc) SeenDelivery(ctx context.Context, system, id string, now time.Time, ttl time.Duration) (bool, error) {
	return f(ctx, system, id, now, ttl)
}

func TestFakeDeletesSubscriptionOnOtherStatuses(t *testing.T) {
	// What the handler protects against: a subscriber that answers 404 (or
	// 401) loses its subscription.
	e := newEnv(t, bctest.Options{}, nil)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			_, _ = io.WriteString(w, tok)
			return
		}
		http.NotFound(w, r)
	}))
	defer plain.Close()
	_, err := e.bc.Subscribe(t.Context(), "customers", plain.URL, "s3cret")
	must(t, err)
	must(t, e.srv.RenameCustomer("C10000", "Renamed"))
	_, _ = e.srv.DeliverNotifications(t.Context())
	if n := len(e.srv.Subscriptions()); n != 0 {
		t.Errorf("%d subscriptions after a 404, want 0", n)
	}
}

func TestWebhookConfigRequired(t *testing.T) {
	if _, err := businesscentral.NewWebhookHandler(businesscentral.WebhookConfig{Notify: func(string) {}}); err == nil {
		t.Error("a handler without a clientState")
	}
	if _, err := businesscentral.NewWebhookHandler(businesscentral.WebhookConfig{ClientStates: []string{"x"}}); err == nil {
		t.Error("a handler without Notify")
	}
}
