package businesscentral_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// drain reads a source to its end.
func drain[T any](t *testing.T, src connector.Source[T], after connector.Cursor) []connector.Change[T] {
	t.Helper()
	var out []connector.Change[T]
	for c, err := range src.Changes(t.Context(), after) {
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		out = append(out, c)
	}
	return out
}

func addCustomers(t *testing.T, srv *bctest.Server, n int) {
	t.Helper()
	for i := range n {
		_, err := srv.AddCustomer(bctest.CustomerInput{Name: fmt.Sprintf("Customer %d", i)})
		must(t, err)
	}
}

func TestServerDrivenPaging(t *testing.T) {
	tests := []struct {
		pageSize, serverMax, customers int
		requests                       int
	}{
		{pageSize: 3, serverMax: 20000, customers: 10, requests: 4}, // 11 with the seeded one
		{pageSize: 100, serverMax: 20000, customers: 10, requests: 1},
		{pageSize: 100, serverMax: 4, customers: 10, requests: 3}, // the server's page size wins when smaller
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("maxpagesize %d of %d", tt.pageSize, tt.serverMax), func(t *testing.T) {
			e := newEnv(t, bctest.Options{MaxPageSize: tt.serverMax}, func(c *businesscentral.Config) { c.PageSize = tt.pageSize })
			addCustomers(t, e.srv, tt.customers)
			before := e.srv.Stats().Requests
			got := drain(t, e.bc.CustomerChanges(), "")
			if len(got) != tt.customers+1 {
				t.Errorf("read %d customers, want %d", len(got), tt.customers+1)
			}
			if n := e.srv.Stats().Requests - before; n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
		})
	}
}

func TestCursorWithTimestampTies(t *testing.T) {
	// Every record shares one lastModifiedDateTime: the clock stands still
	// and ties are allowed, as changes within a millisecond are in Business
	// Central. The cursor must still resume exactly.
	e := newEnv(t, bctest.Options{AllowTimestampTies: true}, func(c *businesscentral.Config) { c.PageSize = 2 })
	addCustomers(t, e.srv, 6)
	src := e.bc.CustomerChanges()
	all := drain(t, src, "")
	if len(all) != 7 {
		t.Fatalf("read %d, want 7", len(all))
	}
	for i, c := range all {
		rest := drain(t, src, c.Cursor)
		if len(rest) != len(all)-i-1 {
			t.Errorf("after change %d: %d changes, want %d", i, len(rest), len(all)-i-1)
		}
		for j, r := range rest {
			if r.Key != all[i+1+j].Key {
				t.Errorf("after change %d: change %d is %s, want %s", i, j, r.Key, all[i+1+j].Key)
			}
		}
	}
	// A change at the same instant after the last read is still found.
	addCustomers(t, e.srv, 1)
	if rest := drain(t, src, all[len(all)-1].Cursor); len(rest) != 1 {
		t.Errorf("a record changed at the cursor's instant: read %d, want 1", len(rest))
	}
}

func TestRateLimitAnswered429(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter bool
	}{
		{"with Retry-After", true},
		{"without Retry-After", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The client believes it may send 1,000,000 a minute; the
			// server allows 5.
			e := newEnv(t, bctest.Options{RateLimit: bctest.RateLimit{Requests: 5, Window: time.Minute, OmitRetryAfter: !tt.retryAfter}},
				func(c *businesscentral.Config) {
					c.PageSize = 2
					c.Retry.MaxAttempts = 10
					c.Retry.MaxElapsed = time.Hour
					c.Retry.InitialInterval = 10 * time.Second
					c.Retry.MaxInterval = time.Minute
					c.Retry.MaxWait = 10 * time.Minute // above the longest jittered backoff
				})
			addCustomers(t, e.srv, 15)
			start := e.clock.Now()
			got := drain(t, e.bc.CustomerChanges(), "")
			if len(got) != 16 {
				t.Fatalf("read %d customers, want 16", len(got))
			}
			st := e.srv.Stats()
			if st.Throttled == 0 {
				t.Error("the server never answered 429; the test tests nothing")
			}
			// 9 pages at 5 a minute need at least a minute of waiting.
			if waited := e.clock.Now().Sub(start); waited < time.Minute {
				t.Errorf("waited %s in all, want at least a minute", waited)
			}
		})
	}
}

func TestRateLimitWithinBudget(t *testing.T) {
	// Configured with the server's budget, the client never meets a 429.
	rl := bctest.RateLimit{Requests: 10, Window: time.Minute}
	e := newEnv(t, bctest.Options{RateLimit: rl}, func(c *businesscentral.Config) {
		c.PageSize = 2
		c.Limits = businesscentral.Limits{Requests: rl.Requests, Window: rl.Window, MaxInFlight: 5}
	})
	addCustomers(t, e.srv, 40)
	drain(t, e.bc.CustomerChanges(), "")
	if st := e.srv.Stats(); st.Throttled != 0 {
		t.Errorf("%d answers 429 within the configured budget", st.Throttled)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	e.srv.SetFaults(bctest.Faults{ServerErrors: 2})
	if _, err := e.bc.CustomerChanges().(connector.Getter[canonical.Customer]).Get(t.Context(), "C10000"); err != nil {
		t.Fatalf("a GET after two 503s: %v", err)
	}
	if st := e.srv.Stats(); st.ServerErrors != 2 {
		t.Errorf("%d injected 503s served, want 2", st.ServerErrors)
	}
	// A POST is not retried by the client: Business Central has no
	// idempotency key; the engine retries the write, which finds the order
	// by its reference.
	posts := &failPOSTs{next: e.srv.Client().Transport, fail: 1}
	e2 := newEnvOn(t, e.srv, func(c *businesscentral.Config) { c.HTTPClient = &http.Client{Transport: posts} })
	_, err := e2.SalesOrders().Apply(t.Context(), write("SHOP-E", 1, order("SHOP-E", line{"MUG-01", 1, "25.17"}), nil))
	if !errors.Is(err, connector.Transient) {
		t.Fatalf("got %v, want Transient", err)
	}
	if n := posts.count.Load(); n != 1 {
		t.Errorf("the POST was sent %d times, want once", n)
	}
}

// failPOSTs answers the first fail POSTs 503 itself (those whose path
// ends in only, when set), and counts them.
type failPOSTs struct {
	next  http.RoundTripper
	fail  int64
	only  string
	count atomic.Int64
}

func (f *failPOSTs) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || strings.HasSuffix(r.URL.Path, "/token") || (f.only != "" && !strings.HasSuffix(r.URL.Path, f.only)) {
		return f.next.RoundTrip(r)
	}
	if f.count.Add(1) <= f.fail {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
	return f.next.RoundTrip(r)
}

func TestKindForCode(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   connector.Kind
	}{
		{409, "Request_EntityChanged", connector.Conflict},
		{412, "", connector.Conflict},
		{400, "Internal_EntityWithSameKeyExists", connector.Conflict},
		{401, "Authentication_InvalidCredentials", connector.Unauthorized},
		{401, "Authenciation_InvalidCredentials", connector.Unauthorized},
		{403, "Authorization_InsufficientPermissions", connector.Forbidden},
		{404, "Internal_CompanyNotFound", connector.Forbidden},
		{400, "Application_DialogException", connector.BusinessRule},
		{400, "Application_FieldValidationException", connector.BusinessRule},
		{400, "Application_StringExceededLength", connector.Invalid},
		{400, "Application_EvaluateException", connector.Invalid},
		{400, "Internal_InvalidTableRelation", connector.Invalid},
		{400, "Internal_RecordNotFound", connector.NotFound},
		{404, "BadRequest_NotFound", connector.NotFound},
		{400, "BadRequest_NotFound", connector.Invalid},
		{400, "BadRequest_InvalidToken", connector.Invalid},
		{405, "BadRequest_MethodNotAllowed", connector.Unsupported},
		{400, "Internal_ServerError", connector.Transient},
		{429, "Application_DialogException", connector.RateLimited},
		{503, "Application_DialogException", connector.Transient},
		{408, "", connector.Transient},
		{502, "", connector.Transient},
		{400, "", connector.Invalid},
	}
	for _, tt := range tests {
		if got := businesscentral.KindForCode(tt.status, tt.code); got != tt.want {
			t.Errorf("KindForCode(%d, %q) = %s, want %s", tt.status, tt.code, got, tt.want)
		}
	}
}

func TestStockFollowsTheLedger(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	src := e.bc.Stock()
	first := drain(t, src, "")
	levels := map[string]string{}
	for _, c := range first {
		levels[c.Key] = c.Entity.OnHand.Value.String()
	}
	if levels["MUG-01@all"] != "100" || levels["TEE-01@all"] != "50" {
		t.Fatalf("opening stock %v", levels)
	}
	it, _ := e.srv.Item("MUG-01")
	// A sale takes stock out without touching the item record.
	o, err := e.srv.AddOrder(bctest.OrderInput{CustomerNumber: "C10000", Lines: []bctest.OrderLineInput{{Item: "MUG-01", Quantity: canonical.DecimalFromInt(3)}}})
	must(t, err)
	_, err = e.srv.ShipOrder(o.Number, nil, true)
	must(t, err)
	if now, _ := e.srv.Item("MUG-01"); !now.LastModified.Equal(it.LastModified) {
		t.Fatal("the fake touched the item record on posting")
	}
	next := drain(t, src, first[len(first)-1].Cursor)
	if len(next) != 1 || next[0].Key != "MUG-01@all" || next[0].Entity.OnHand.Value.String() != "97" {
		t.Fatalf("after a sale of 3: %+v", next)
	}
	if c, ok := next[0].Version.Compare(first[0].Version); !ok || c <= 0 {
		t.Errorf("version %s is not newer than %s", next[0].Version, first[0].Version)
	}
	if err := next[0].Entity.Validate(); err != nil {
		t.Errorf("stock level: %v", err)
	}
}

func TestDocumentsDecode(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	res, err := e.bc.SalesOrders().Apply(t.Context(), write("SHOP-D", 1, order("SHOP-D", line{"MUG-01", 2, "25.17"}, line{"TEE-01", 1, "12.50"}), nil))
	must(t, err)
	_, err = e.srv.ShipOrder(res.Ref.ID, map[int]canonical.Decimal{10000: canonical.DecimalFromInt(1)}, true)
	must(t, err)

	ships := drain(t, e.bc.Despatches(), "")
	if len(ships) != 1 {
		t.Fatalf("%d shipments", len(ships))
	}
	sh := ships[0].Entity
	if sh.Order != res.Ref.ID || sh.Status != canonical.ShipmentShipped || len(sh.Lines) != 1 || sh.Lines[0].SKU != "MUG-01" ||
		sh.Lines[0].OrderLine != (canonical.LineRef{Document: res.Ref.ID, LineID: "10000"}) {
		t.Errorf("shipment %+v", sh)
	}
	if err := sh.Validate(); err != nil {
		t.Errorf("shipment: %v", err)
	}
	invs := drain(t, e.bc.Invoices(), "")
	if len(invs) != 1 {
		t.Fatalf("%d invoices", len(invs))
	}
	inv := invs[0].Entity
	// One mug: 25.17 + 19% VAT 4.78 = 29.95.
	if inv.Status != canonical.InvoiceIssued || inv.Totals.Payable.String() != "29.95 EUR" || inv.Orders[0] != res.Ref.ID {
		t.Errorf("invoice %+v", inv)
	}
	if err := inv.Validate(); err != nil {
		t.Errorf("invoice: %v", err)
	}
	// The order read back shows what shipped and what was invoiced.
	ch, err := e.bc.SalesOrders().(connector.Getter[canonical.SalesOrder]).Get(t.Context(), "SHOP-D")
	must(t, err)
	if ch.Entity.Status != canonical.OrderInProgress || !ch.Entity.Lines[0].Shipped.Value.Equal(canonical.DecimalFromInt(1)) {
		t.Errorf("order read back: %+v", ch.Entity)
	}
	if err := ch.Entity.Validate(); err != nil {
		t.Errorf("order read back: %v", err)
	}
}
