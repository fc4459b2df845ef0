package bctest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// call sends a request to the fake and returns the status and body.
func call(t *testing.T, srv *bctest.Server, method, path, token string, body string, header map[string]string) (int, http.Header, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	u := path
	if !strings.HasPrefix(path, "http") {
		u = srv.APIURL + path
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// token fetches an access token from the fake's token endpoint.
func token(t *testing.T, srv *bctest.Server, form url.Values) (int, string) {
	t.Helper()
	resp, err := srv.Client().PostForm(srv.TokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if out.AccessToken == "" {
		return resp.StatusCode, out.Error
	}
	return resp.StatusCode, out.AccessToken
}

func credentials(srv *bctest.Server) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {srv.ClientID},
		"client_secret": {srv.ClientSecret}, "scope": {srv.Scope}}
}

func TestTokenEndpoint(t *testing.T) {
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	tests := []struct {
		name   string
		edit   func(v url.Values)
		status int
		errStr string
	}{
		{"valid", func(url.Values) {}, http.StatusOK, ""},
		{"wrong secret", func(v url.Values) { v.Set("client_secret", "x") }, http.StatusUnauthorized, "invalid_client"},
		{"wrong grant", func(v url.Values) { v.Set("grant_type", "password") }, http.StatusBadRequest, "unsupported_grant_type"},
		{"wrong scope", func(v url.Values) { v.Set("scope", "api://other/.default") }, http.StatusBadRequest, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := credentials(srv)
			tt.edit(form)
			status, got := token(t, srv, form)
			if status != tt.status || (tt.errStr != "" && got != tt.errStr) {
				t.Errorf("got %d %q, want %d %q", status, got, tt.status, tt.errStr)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := bctest.NewServer(bctest.Options{Clock: clock, TokenLifetime: time.Hour})
	defer srv.Close()
	if _, err := srv.AddCustomer(bctest.CustomerInput{Number: "C10000", Name: "Ng GmbH"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddItem(bctest.ItemInput{Number: "MUG-01", Name: "Mug", UnitPrice: canonical.MustDecimal("25.17"), Inventory: canonical.DecimalFromInt(5)}); err != nil {
		t.Fatal(err)
	}
	_, tok := token(t, srv, credentials(srv))
	company := "/companies(" + srv.CompanyID + ")"
	tests := []struct {
		name         string
		method, path string
		noToken      bool
		body         string
		header       map[string]string
		status       int
		contains     string
	}{
		{name: "no token", method: "GET", path: company + "/customers", noToken: true, status: 401, contains: "Authentication_"},
		{name: "companies", method: "GET", path: "/companies", status: 200, contains: srv.CompanyID},
		{name: "unknown company", method: "GET", path: "/companies(00000000-0000-0000-0000-000000000000)/customers", status: 404, contains: "Internal_CompanyNotFound"},
		{name: "amounts are JSON numbers", method: "GET", path: company + "/items", status: 200, contains: `"unitPrice":25.17`},
		{name: "filter", method: "GET", path: company + "/customers?$filter=" + url.QueryEscape("number eq 'C10000'"), status: 200, contains: `"number":"C10000"`},
		{name: "bad filter", method: "GET", path: company + "/customers?$filter=" + url.QueryEscape("number eq"), status: 400, contains: "BadRequest"},
		{name: "select", method: "GET", path: company + "/items?$select=number", status: 200, contains: `"value":[{"@odata.etag":`},
		{name: "top and skip", method: "GET", path: company + "/items?$top=0", status: 200, contains: `"value":[]`},
		{name: "unsupported option", method: "GET", path: company + "/items?$apply=x", status: 400, contains: "not supported"},
		{name: "unknown property", method: "POST", path: company + "/customers", body: `{"displayName":"X","favouriteColour":"red"}`, status: 400, contains: "does not exist"},
		{name: "read-only property", method: "POST", path: company + "/customers", body: `{"displayName":"X","balanceDue":5}`, status: 400, contains: "read-only"},
		{name: "too long", method: "POST", path: company + "/customers", body: `{"displayName":"` + strings.Repeat("x", 101) + `"}`, status: 400, contains: "Application_StringExceededLength"},
		{name: "manual order number", method: "POST", path: company + "/salesOrders", body: `{"customerNumber":"C10000","number":"X1"}`, status: 400, contains: "You may not enter numbers manually"},
		{name: "deep insert with a bad line creates nothing", method: "POST", path: company + "/salesOrders",
			body:   `{"customerNumber":"C10000","salesOrderLines":[{"lineObjectNumber":"MUG-01","quantity":1},{"lineObjectNumber":"NOPE","quantity":1}]}`,
			status: 400, contains: "Internal_InvalidTableRelation"},
		{name: "PATCH without If-Match", method: "PATCH", path: company + "/customers(" + "%s" + ")", body: `{"email":"a@b.example"}`, status: 400, contains: "BadRequest_InvalidToken"},
		{name: "PATCH with a stale If-Match", method: "PATCH", path: company + "/customers(" + "%s" + ")", body: `{"email":"a@b.example"}`,
			header: map[string]string{"If-Match": `W/"stale"`}, status: 409, contains: "Request_EntityChanged"},
		{name: "PATCH with If-Match *", method: "PATCH", path: company + "/customers(" + "%s" + ")", body: `{"email":"a@b.example"}`,
			header: map[string]string{"If-Match": "*"}, status: 200, contains: `"email":"a@b.example"`},
		{name: "POST on a posted document", method: "POST", path: company + "/salesShipments", body: `{}`, status: 405, contains: "BadRequest_MethodNotAllowed"},
	}
	cust, _ := srv.Customer("C10000")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := tok
			if tt.noToken {
				tk = ""
			}
			path := strings.Replace(tt.path, "%s", cust.ID, 1)
			status, _, body := call(t, srv, tt.method, path, tk, tt.body, tt.header)
			if status != tt.status || !strings.Contains(body, tt.contains) {
				t.Errorf("%s %s: %d %s; want %d containing %q", tt.method, path, status, body, tt.status, tt.contains)
			}
		})
	}
	if n := len(srv.Orders()); n != 0 {
		t.Errorf("%d orders after the failed creates", n)
	}
	// Tokens expire on the clock.
	clock.Advance(time.Hour)
	if status, _, body := call(t, srv, "GET", "/companies", tok, "", nil); status != 401 || !strings.Contains(body, "Authentication_TokenExpired") {
		t.Errorf("an expired token: %d %s", status, body)
	}
}

func TestPaging(t *testing.T) {
	srv := bctest.NewServer(bctest.Options{MaxPageSize: 4})
	defer srv.Close()
	for range 10 {
		if _, err := srv.AddCustomer(bctest.CustomerInput{Name: "C"}); err != nil {
			t.Fatal(err)
		}
	}
	_, tok := token(t, srv, credentials(srv))
	tests := []struct {
		name   string
		query  string
		prefer string
		pages  int
		total  int
	}{
		{name: "server-driven", pages: 3, total: 10},
		{name: "smaller pages asked for", prefer: "odata.maxpagesize=3", pages: 4, total: 10},
		{name: "larger pages than the server serves", prefer: "odata.maxpagesize=50", pages: 3, total: 10},
		{name: "with $top", query: "?$top=6", pages: 2, total: 6},
		{name: "with $skip and $orderby", query: "?$skip=2&$orderby=" + url.QueryEscape("number desc"), pages: 2, total: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := srv.APIURL + "/companies(" + srv.CompanyID + ")/customers" + tt.query
			pages, total := 0, 0
			for next != "" && pages < 20 {
				h := map[string]string{}
				if tt.prefer != "" {
					h["Prefer"] = tt.prefer
				}
				status, header, body := call(t, srv, "GET", next, tok, "", h)
				if status != 200 {
					t.Fatalf("page %d: %d %s", pages, status, body)
				}
				if tt.prefer == "odata.maxpagesize=3" && header.Get("Preference-Applied") != "odata.maxpagesize=3" {
					t.Errorf("Preference-Applied %q", header.Get("Preference-Applied"))
				}
				var page struct {
					Value    []json.RawMessage `json:"value"`
					NextLink string            `json:"@odata.nextLink"`
				}
				if err := json.Unmarshal([]byte(body), &page); err != nil {
					t.Fatal(err)
				}
				pages++
				total += len(page.Value)
				next = page.NextLink
			}
			if pages != tt.pages || total != tt.total {
				t.Errorf("%d pages, %d entities; want %d, %d", pages, total, tt.pages, tt.total)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	clock := connectortest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	srv := bctest.NewServer(bctest.Options{Clock: clock, RateLimit: bctest.RateLimit{Requests: 3, Window: time.Minute}})
	defer srv.Close()
	_, tok := token(t, srv, credentials(srv))
	want := []int{200, 200, 200, 429}
	for i, w := range want {
		status, h, _ := call(t, srv, "GET", "/companies", tok, "", nil)
		if status != w {
			t.Fatalf("request %d: %d, want %d", i+1, status, w)
		}
		if status == 429 && h.Get("Retry-After") != "60" {
			t.Errorf("Retry-After %q, want 60", h.Get("Retry-After"))
		}
	}
	clock.Advance(time.Minute)
	if status, _, _ := call(t, srv, "GET", "/companies", tok, "", nil); status != 200 {
		t.Errorf("after the window: %d", status)
	}
	if st := srv.Stats(); st.Requests != 4 || st.Throttled != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestPostingDeletesFullyPostedOrder(t *testing.T) {
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	if _, err := srv.AddCustomer(bctest.CustomerInput{Number: "C1", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddItem(bctest.ItemInput{Number: "I1", Name: "I", UnitPrice: canonical.DecimalFromInt(10), Inventory: canonical.DecimalFromInt(3)}); err != nil {
		t.Fatal(err)
	}
	o, err := srv.AddOrder(bctest.OrderInput{CustomerNumber: "C1", Lines: []bctest.OrderLineInput{{Item: "I1", Quantity: canonical.DecimalFromInt(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.ShipOrder(o.Number, map[int]canonical.Decimal{10000: canonical.DecimalFromInt(1)}, true); err != nil {
		t.Fatal(err)
	}
	if got, ok := srv.Order(o.Number); !ok || !got.Lines[0].Shipped.Equal(canonical.DecimalFromInt(1)) {
		t.Fatalf("after a partial posting: %+v", got)
	}
	if _, err := srv.ShipOrder(o.Number, nil, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := srv.Order(o.Number); ok {
		t.Error("a fully shipped and invoiced order is still there")
	}
	it, _ := srv.Item("I1")
	c, _ := srv.Customer("C1")
	if !it.Inventory.Equal(canonical.DecimalFromInt(1)) || !c.Balance.Equal(canonical.DecimalFromInt(20)) ||
		len(srv.Shipments()) != 2 || len(srv.Invoices()) != 2 || srv.LedgerEntries() != 3 {
		t.Errorf("inventory %s, balance %s, %d shipments, %d invoices, %d ledger entries",
			it.Inventory, c.Balance, len(srv.Shipments()), len(srv.Invoices()), srv.LedgerEntries())
	}
}
