package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

func TestRetries(t *testing.T) {
	dateAt := epoch.Add(-time.Hour) // the server's clock, an hour off ours
	tests := []struct {
		name     string
		req      httpx.Request
		cfg      func(*httpx.Config)
		handler  func(n int, w http.ResponseWriter, r *http.Request)
		wantKind connector.Kind // Unknown: success
		attempts int
		sleeps   []time.Duration
		check    func(t *testing.T, err error, reqs []seen)
	}{
		{
			name: "429 storm with Retry-After",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= 3 {
					reply(w, 429, `{"message":"slow down"}`, "Retry-After", "2")
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 4,
			sleeps:   durations("2s", "2s", "2s"),
		},
		{
			name: "429 storm without Retry-After backs off exponentially",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= 3 {
					reply(w, 429, "")
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 4,
			sleeps:   durations("100ms", "200ms", "400ms"),
		},
		{
			name: "429 forever gives up RateLimited with RetryAfter",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 429, `{"message":"quota"}`, "Retry-After", "3")
			},
			wantKind: connector.RateLimited,
			attempts: 4,
			sleeps:   durations("3s", "3s", "3s"),
			check: func(t *testing.T, err error, _ []seen) {
				var ce *connector.Error
				if !errors.As(err, &ce) || ce.RetryAfter != 3*time.Second || ce.Status != 429 {
					t.Errorf("error = %#v, want RetryAfter 3s and status 429", err)
				}
				if connector.RetryAfterOf(err) != 3*time.Second {
					t.Errorf("RetryAfterOf = %v", connector.RetryAfterOf(err))
				}
			},
		},
		{
			name: "Retry-After longer than MaxWait fails at once",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 429, "", "Retry-After", "3600")
			},
			wantKind: connector.RateLimited,
			attempts: 1,
			check: func(t *testing.T, err error, _ []seen) {
				if got := connector.RetryAfterOf(err); got != time.Hour {
					t.Errorf("RetryAfter = %v, want 1h", got)
				}
			},
		},
		{
			name: "503 then success",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 503, "")
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 2,
			sleeps:   durations("100ms"),
		},
		{
			name: "503 with Retry-After as HTTP-date, measured against Date",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 503, "", "Date", dateAt.Format(http.TimeFormat),
						"Retry-After", dateAt.Add(7*time.Second).Format(http.TimeFormat))
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 2,
			sleeps:   durations("7s"),
		},
		{
			name: "500 forever is Transient after MaxAttempts",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 500, `{"error":{"code":"Internal","message":"boom"}}`)
			},
			wantKind: connector.Transient,
			attempts: 4,
			sleeps:   durations("100ms", "200ms", "400ms"),
		},
		{
			name: "MaxElapsed bounds retries",
			cfg: func(c *httpx.Config) {
				c.Retry.MaxElapsed = 250 * time.Millisecond
				c.Retry.MaxAttempts = 10
			},
			handler:  func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 502, "") },
			wantKind: connector.Transient,
			attempts: 2, // 100ms fits in 250ms, 100ms+200ms does not
			sleeps:   durations("100ms"),
		},
		{
			name:     "404 is NotFound and not retried",
			handler:  func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 404, `{"message":"no such order"}`) },
			wantKind: connector.NotFound,
			attempts: 1,
		},
		{
			name: "422 is Invalid",
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 422, `{"errors":{"email":["is invalid"]}}`)
			},
			wantKind: connector.Invalid,
			attempts: 1,
			check: func(t *testing.T, err error, _ []seen) {
				if !strings.Contains(err.Error(), "email: is invalid") {
					t.Errorf("error %q lacks the field message", err)
				}
			},
		},
		{
			name:     "401 is Unauthorized",
			handler:  func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 401, "") },
			wantKind: connector.Unauthorized,
			attempts: 1,
		},
		{
			name: "POST without idempotency key is not retried",
			req:  httpx.Request{Method: "POST", Path: "orders", Body: map[string]int{"qty": 1}},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 503, "")
			},
			wantKind: connector.Transient,
			attempts: 1,
			check: func(t *testing.T, _ error, reqs []seen) {
				if k := reqs[0].Header.Get("Idempotency-Key"); k != "" {
					t.Errorf("unexpected key %q", k)
				}
			},
		},
		{
			name: "POST with caller's key is retried with the same key",
			req:  httpx.Request{Method: "POST", Path: "orders", Body: map[string]int{"qty": 1}, IdempotencyKey: "flow-key-42"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n < 3 {
					reply(w, 503, "")
					return
				}
				reply(w, 201, `{"id":"o-1"}`)
			},
			attempts: 3,
			sleeps:   durations("100ms", "200ms"),
			check: func(t *testing.T, _ error, reqs []seen) {
				for i, r := range reqs {
					if k := r.Header.Get("Idempotency-Key"); k != "flow-key-42" {
						t.Errorf("attempt %d key %q", i+1, k)
					}
					if r.Body != `{"qty":1}` {
						t.Errorf("attempt %d body %q", i+1, r.Body)
					}
				}
			},
		},
		{
			name: "generated key is reused on every retry",
			cfg: func(c *httpx.Config) {
				c.AutoIdempotencyKey = true
				c.IdempotencyHeader = "X-Request-Id"
			},
			req: httpx.Request{Method: "PATCH", Path: "orders/1", Body: map[string]string{"note": "x"}},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n < 3 {
					reply(w, 500, "")
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 3,
			sleeps:   durations("100ms", "200ms"),
			check: func(t *testing.T, _ error, reqs []seen) {
				key := reqs[0].Header.Get("X-Request-Id")
				if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(key) {
					t.Errorf("key %q is not a v4 UUID", key)
				}
				for i, r := range reqs {
					if r.Header.Get("X-Request-Id") != key {
						t.Errorf("attempt %d key %q, want %q", i+1, r.Header.Get("X-Request-Id"), key)
					}
				}
			},
		},
		{
			name: "Idempotent POST (a query) is retried without a key",
			req:  httpx.Request{Method: "POST", Path: "graphql", Body: map[string]string{"query": "{shop{name}}"}, Idempotent: true},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 502, "")
					return
				}
				reply(w, 200, `{}`)
			},
			attempts: 2,
			sleeps:   durations("100ms"),
		},
		{
			name: "DELETE is retried",
			req:  httpx.Request{Method: "DELETE", Path: "orders/1"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 504, "")
					return
				}
				w.WriteHeader(204)
			},
			attempts: 2,
			sleeps:   durations("100ms"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := newServer(t, tt.handler)
			c, clk := newClient(t, srv, tt.cfg)
			req := tt.req
			if req.Path == "" {
				req.Path = "orders"
			}
			resp, err := c.Do(context.Background(), &req)
			reqs := s.requests()
			if tt.wantKind == connector.Unknown {
				if err != nil {
					t.Fatalf("Do: %v", err)
				}
				if resp.Attempts != tt.attempts {
					t.Errorf("Response.Attempts = %d, want %d", resp.Attempts, tt.attempts)
				}
			} else {
				if !errors.Is(err, tt.wantKind) {
					t.Fatalf("error %v, want kind %v", err, tt.wantKind)
				}
				var ce *connector.Error
				if !errors.As(err, &ce) || ce.System != "acme" || !strings.HasPrefix(ce.Op, methodOf(req)+" /v2/") {
					t.Errorf("error fields: %#v", err)
				}
			}
			if len(reqs) != tt.attempts {
				t.Errorf("server saw %d requests, want %d", len(reqs), tt.attempts)
			}
			if got := clk.Sleeps(); !slices.Equal(got, tt.sleeps) {
				t.Errorf("sleeps = %v, want %v", got, tt.sleeps)
			}
			if tt.check != nil {
				tt.check(t, err, reqs)
			}
		})
	}
}

func TestJitterStaysInBounds(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 503, "") })
	c, clk := newClient(t, srv, func(c *httpx.Config) {
		c.Retry = httpx.Retry{InitialInterval: time.Second, Multiplier: 2, Jitter: 0.5, MaxAttempts: 5}
	})
	_ = c.GetJSON(context.Background(), "x", nil, nil)
	sleeps := clk.Sleeps()
	if len(sleeps) != 4 {
		t.Fatalf("sleeps %v", sleeps)
	}
	for i, d := range sleeps {
		base := time.Second << i
		if d < base/2 || d > base*3/2 {
			t.Errorf("sleep %d = %v, outside [%v, %v]", i, d, base/2, base*3/2)
		}
	}
}

func TestConnectionResets(t *testing.T) {
	tests := []struct {
		name     string
		method   string
		key      string
		resets   int
		wantErr  bool
		attempts int
	}{
		{name: "GET survives two resets", method: "GET", resets: 2, attempts: 3},
		{name: "GET gives up after MaxAttempts", method: "GET", resets: 10, wantErr: true, attempts: 4},
		{name: "POST without key is not retried", method: "POST", resets: 1, wantErr: true, attempts: 1},
		{name: "POST with key is retried", method: "POST", key: "k-1", resets: 1, attempts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= tt.resets {
					resetConn(w)
					return
				}
				reply(w, 200, `{"ok":true}`)
			})
			c, _ := newClient(t, srv, func(c *httpx.Config) { c.HTTPClient = noKeepAlive() })
			var out struct{ OK bool }
			err := c.DoJSON(context.Background(), &httpx.Request{Method: tt.method, Path: "ping", IdempotencyKey: tt.key, Body: map[string]int{}}, &out)
			if tt.wantErr {
				if !errors.Is(err, connector.Transient) {
					t.Fatalf("error %v, want Transient", err)
				}
			} else if err != nil || !out.OK {
				t.Fatalf("DoJSON = %v, %+v", err, out)
			}
			if got := len(s.requests()); got != tt.attempts {
				t.Errorf("server saw %d requests, want %d", got, tt.attempts)
			}
		})
	}
}

func TestSlowBodyTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"items":[`))
		w.(http.Flusher).Flush()
		select { // stall until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		c.Retry.MaxAttempts = 2
	})
	start := time.Now()
	err := c.GetJSON(context.Background(), "slow", nil, &struct{}{})
	if !errors.Is(err, connector.Transient) {
		t.Fatalf("error %v, want Transient", err)
	}
	if !strings.Contains(err.Error(), "read response body") {
		t.Errorf("error %q does not say the body failed", err)
	}
	if got := len(s.requests()); got != 2 {
		t.Errorf("attempts = %d, want 2", got)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("took %v", el)
	}
}

func TestOversizedBody(t *testing.T) {
	big := `{"data":"` + strings.Repeat("x", 4000) + `"}`
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if !chunked {
					w.Header().Set("Content-Length", fmt.Sprint(len(big)))
				}
				reply(w, 200, big)
			})
			c, _ := newClient(t, srv, func(c *httpx.Config) { c.MaxResponseBytes = 1024 })
			err := c.GetJSON(context.Background(), "big", nil, &struct{}{})
			if !errors.Is(err, connector.Invalid) || !strings.Contains(err.Error(), "limit of 1024 bytes") {
				t.Fatalf("error %v, want Invalid naming the limit", err)
			}
			if got := len(s.requests()); got != 1 {
				t.Errorf("attempts = %d, want 1", got)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	type order struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
		Lines []struct {
			Qty int `json:"qty"`
		} `json:"lines"`
	}
	tests := []struct {
		name     string
		bodies   []string
		wantKind connector.Kind
		attempts int
		want     []string // substrings of the message
		field    string
	}{
		{
			name:     "malformed JSON is Transient and retried",
			bodies:   []string{`{"id":"o-1","total":`, `{"id":"o-1","total":`, `{"id":"o-1","total":`, `{"id":"o-1","total":`},
			wantKind: connector.Transient,
			attempts: 4,
			want:     []string{"malformed JSON", "/v2/orders/o-1?expand=lines", "HTTP 200", "offset 20"},
		},
		{
			name:     "malformed once then fine",
			bodies:   []string{`<html>maintenance</html>`, `{"id":"o-1","total":5}`},
			attempts: 2,
		},
		{
			name:     "wrong type is Invalid with the field path",
			bodies:   []string{`{"id":"o-1","total":"12.50"}`},
			wantKind: connector.Invalid,
			attempts: 1,
			want:     []string{`field "total"`, "/v2/orders/o-1?expand=lines", "HTTP 200", "offset"},
			field:    "total",
		},
		{
			name:     "nested field path",
			bodies:   []string{`{"id":"o-1","lines":[{"qty":1},{"qty":"two"}]}`},
			wantKind: connector.Invalid,
			attempts: 1,
			want:     []string{`field "lines.qty"`},
			field:    "lines.qty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				reply(w, 200, tt.bodies[min(n, len(tt.bodies))-1])
			})
			c, _ := newClient(t, srv, nil)
			var o order
			err := c.GetJSON(context.Background(), "orders/o-1", map[string][]string{"expand": {"lines"}}, &o)
			if got := len(s.requests()); got != tt.attempts {
				t.Errorf("attempts = %d, want %d", got, tt.attempts)
			}
			if tt.wantKind == connector.Unknown {
				if err != nil || o.Total != 5 {
					t.Fatalf("GetJSON = %v, %+v", err, o)
				}
				return
			}
			if !errors.Is(err, tt.wantKind) {
				t.Fatalf("error %v, want %v", err, tt.wantKind)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var ce *connector.Error
			errors.As(err, &ce)
			if len(ce.Body) == 0 {
				t.Error("body not preserved")
			}
			if tt.field != "" && (len(ce.Fields) != 1 || ce.Fields[0].Path != tt.field) {
				t.Errorf("Fields = %+v, want path %q", ce.Fields, tt.field)
			}
		})
	}
}

func TestErrorBodies(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		ctype    string
		classify httpx.ErrorClassifier
		wantKind connector.Kind
		code     string
		message  string
	}{
		{name: "OData", status: 404, body: `{"error":{"code":"BadRequest_NotFound","message":"The customer does not exist."}}`,
			wantKind: connector.NotFound, code: "BadRequest_NotFound", message: "The customer does not exist."},
		{name: "OData v3 message object", status: 400, body: `{"odata.error":{},"error":{"code":"X","message":{"lang":"en-US","value":"Bad value"}}}`,
			wantKind: connector.Invalid, code: "X", message: "Bad value"},
		{name: "OAuth", status: 401, body: `{"error":"invalid_token","error_description":"The token expired"}`,
			wantKind: connector.Unauthorized, code: "invalid_token", message: "The token expired"},
		{name: "flat", status: 409, body: `{"code":1042,"message":"Version mismatch"}`,
			wantKind: connector.Conflict, code: "1042", message: "Version mismatch"},
		{name: "errors list", status: 400, body: `{"errors":[{"code":"E1","message":"first"},{"message":"second"}]}`,
			wantKind: connector.Invalid, code: "E1", message: "first; second"},
		{name: "plain text", status: 403, body: "no access to this shop", ctype: "text/plain; charset=utf-8",
			wantKind: connector.Forbidden, message: "no access to this shop"},
		{name: "HTML is not a message", status: 502, body: "<html>Bad gateway</html>", ctype: "text/html",
			wantKind: connector.Transient, message: "Bad Gateway"},
		{name: "platform classifier", status: 400, body: `{"error":{"code":"Customer_Blocked","message":"Customer is blocked"}}`,
			classify: func(e *connector.Error, resp *http.Response) {
				if e.Code == "Customer_Blocked" {
					e.Kind = connector.BusinessRule
				}
			},
			wantKind: connector.BusinessRule, code: "Customer_Blocked", message: "Customer is blocked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				ct := tt.ctype
				if ct == "" {
					ct = "application/json"
				}
				reply(w, tt.status, tt.body, "Content-Type", ct)
			})
			c, _ := newClient(t, srv, func(c *httpx.Config) {
				c.ClassifyError = tt.classify
				c.Retry.MaxAttempts = 1
			})
			_, err := c.Do(context.Background(), &httpx.Request{Path: "customers/c-1"})
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T %v", err, err)
			}
			if ce.Kind != tt.wantKind || ce.Code != tt.code || ce.Message != tt.message || ce.Status != tt.status {
				t.Errorf("got kind=%v code=%q message=%q status=%d", ce.Kind, ce.Code, ce.Message, ce.Status)
			}
			if string(ce.Body) != tt.body {
				t.Errorf("Body = %q, want the server's body", ce.Body)
			}
			if ce.Op != "GET /v2/customers/c-1" {
				t.Errorf("Op = %q", ce.Op)
			}
		})
	}
}

func TestErrorBodyIsCapped(t *testing.T) {
	body := strings.Repeat("e", 5000)
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 400, body) })
	c, _ := newClient(t, srv, func(c *httpx.Config) { c.MaxErrorBodyBytes = 100 })
	_, err := c.Do(context.Background(), &httpx.Request{Path: "x"})
	var ce *connector.Error
	if !errors.As(err, &ce) || string(ce.Body) != body[:100] {
		t.Fatalf("Body = %q (%d bytes)", ce.Body, len(ce.Body))
	}
}

func TestCheckResponseRetriesLogicalThrottle(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 200, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}]}`)
			return
		}
		reply(w, 200, `{"data":{"shop":{"name":"Acme"}}}`)
	})
	c, clk := newClient(t, srv, func(c *httpx.Config) {
		c.CheckResponse = func(resp *http.Response, body []byte) error {
			if strings.Contains(string(body), `"THROTTLED"`) {
				return &connector.Error{Kind: connector.RateLimited, Message: "throttled", RetryAfter: 1500 * time.Millisecond}
			}
			return nil
		}
	})
	var out struct {
		Data struct{ Shop struct{ Name string } }
	}
	err := c.DoJSON(context.Background(), &httpx.Request{Method: "POST", Path: "graphql.json", Body: map[string]string{"query": "{shop{name}}"}, Idempotent: true}, &out)
	if err != nil || out.Data.Shop.Name != "Acme" {
		t.Fatalf("DoJSON = %v, %+v", err, out)
	}
	if got := len(s.requests()); got != 2 {
		t.Errorf("attempts = %d", got)
	}
	if got := clk.Sleeps(); !slices.Equal(got, durations("1.5s")) {
		t.Errorf("sleeps = %v", got)
	}

	// A plain error from the check is Invalid and keeps the response's status.
	c2, _ := newClient(t, srv, func(c *httpx.Config) {
		c.CheckResponse = func(*http.Response, []byte) error { return errors.New("userErrors: title is blank") }
	})
	_, err = c2.Do(context.Background(), &httpx.Request{Path: "x"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Kind != connector.Invalid || ce.Status != 200 || ce.Op != "GET /v2/x" {
		t.Errorf("error = %#v", err)
	}
}

func TestAuthAndHeaders(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 401, "")
			return
		}
		if n == 2 {
			reply(w, 503, "")
			return
		}
		reply(w, 200, `{}`)
	})
	calls := 0
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.Header = http.Header{"User-Agent": {"junction-test"}, "X-Api-Version": {"2024-10"}}
		c.Auth = func(ctx context.Context, req *http.Request) error {
			calls++
			req.Header.Set("Authorization", fmt.Sprintf("Bearer t-%d", calls))
			return nil
		}
	})
	// 401 is not retried by the client.
	if _, err := c.Do(context.Background(), &httpx.Request{Path: "a"}); !errors.Is(err, connector.Unauthorized) {
		t.Fatalf("error %v", err)
	}
	// Auth runs again on the retry, so a refreshed token is used.
	if _, err := c.Do(context.Background(), &httpx.Request{Path: "b", Header: http.Header{"X-Api-Version": {"2025-01"}}}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	for i, want := range []string{"Bearer t-1", "Bearer t-2", "Bearer t-3"} {
		if got := reqs[i].Header.Get("Authorization"); got != want {
			t.Errorf("request %d Authorization %q, want %q", i+1, got, want)
		}
		if reqs[i].Header.Get("User-Agent") != "junction-test" || reqs[i].Header.Get("Accept") != "application/json" {
			t.Errorf("request %d headers %v", i+1, reqs[i].Header)
		}
	}
	if reqs[2].Header.Get("X-Api-Version") != "2025-01" || reqs[0].Header.Get("X-Api-Version") != "2024-10" {
		t.Errorf("per-request header did not override the default")
	}

	// An Auth failure stops the call before anything is sent.
	c2, _ := newClient(t, srv, func(c *httpx.Config) {
		c.Auth = func(context.Context, *http.Request) error { return errors.New("refresh token revoked") }
	})
	before := len(s.requests())
	_, err := c2.Do(context.Background(), &httpx.Request{Path: "c"})
	if !errors.Is(err, connector.Unauthorized) || len(s.requests()) != before {
		t.Errorf("error %v, %d requests sent", err, len(s.requests())-before)
	}
}

func TestRequestBuilding(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	c, _ := newClient(t, srv, nil)
	ctx := context.Background()
	steps := []struct {
		req             httpx.Request
		url, body, ctyp string
	}{
		{httpx.Request{Path: "orders", Query: map[string][]string{"status": {"open"}}}, "/v2/orders?status=open", "", ""},
		{httpx.Request{Path: "/orders/?page=2", Query: map[string][]string{"limit": {"50"}}}, "/v2/orders/?page=2&limit=50", "", ""},
		{httpx.Request{Path: srv.URL + "/other/x?y=1"}, "/other/x?y=1", "", ""},
		{httpx.Request{Method: "put", Path: "orders/1", Body: struct {
			Note string `json:"note"`
		}{"hi"}}, "/v2/orders/1", `{"note":"hi"}`, "application/json"},
		{httpx.Request{Method: "POST", Path: "token", Body: map[string][]string{"grant_type": {"client_credentials"}}}, "/v2/token", `{"grant_type":["client_credentials"]}`, "application/json"},
		{httpx.Request{Method: "POST", Path: "raw", Body: []byte(`[1,2]`), Header: http.Header{"Content-Type": {"application/vnd.api+json"}}}, "/v2/raw", `[1,2]`, "application/vnd.api+json"},
	}
	for _, st := range steps {
		if _, err := c.Do(ctx, &st.req); err != nil {
			t.Fatal(err)
		}
	}
	// url.Values is sent as a form.
	if _, err := c.Do(ctx, &httpx.Request{Method: "POST", Path: "form", Body: formValues("grant_type", "refresh_token")}); err != nil {
		t.Fatal(err)
	}
	reqs := s.requests()
	for i, st := range steps {
		r := reqs[i]
		if r.URL != st.url || r.Body != st.body || r.Header.Get("Content-Type") != st.ctyp {
			t.Errorf("step %d: got %s %q body %q ctype %q", i, r.Method, r.URL, r.Body, r.Header.Get("Content-Type"))
		}
	}
	last := reqs[len(reqs)-1]
	if last.Body != "grant_type=refresh_token" || last.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("form: %+v", last)
	}
	if reqs[3].Method != "PUT" {
		t.Errorf("method %q", reqs[3].Method)
	}

	// A base URL without a path still yields absolute request paths.
	c2, _ := newClient(t, srv, func(c *httpx.Config) { c.BaseURL = srv.URL })
	if _, err := c2.Do(ctx, &httpx.Request{Path: "y"}); err != nil {
		t.Fatal(err)
	}
	if got := s.requests()[len(reqs)].URL; got != "/y" {
		t.Errorf("bare base URL: request URL %q", got)
	}

	if _, err := httpx.New(httpx.Config{BaseURL: "not a url"}); err == nil {
		t.Error("New accepted a relative BaseURL")
	}
	c3, _ := httpx.New(httpx.Config{})
	if _, err := c3.Do(ctx, &httpx.Request{Path: "relative"}); !errors.Is(err, connector.Invalid) {
		t.Errorf("relative path without BaseURL: %v", err)
	}
	_, err := c3.Do(ctx, &httpx.Request{Path: "/bad%zz?api_key=s3cr3t"})
	if !errors.Is(err, connector.Invalid) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("unparsable path: %v", err)
	}
}

func TestMaxInFlight(t *testing.T) {
	var mu = make(chan struct{}, 1)
	cur, peak := 0, 0
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		mu <- struct{}{}
		cur++
		peak = max(peak, cur)
		<-mu
		time.Sleep(20 * time.Millisecond)
		mu <- struct{}{}
		cur--
		<-mu
		reply(w, 200, `{}`)
	})
	c, _ := newClient(t, srv, func(c *httpx.Config) { c.MaxInFlight = 2 })
	errs := make(chan error, 6)
	for range 6 {
		go func() { errs <- c.GetJSON(context.Background(), "x", nil, nil) }()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	mu <- struct{}{}
	defer func() { <-mu }()
	if peak > 2 || peak < 1 {
		t.Errorf("peak in flight = %d, want at most 2", peak)
	}
}

func TestContextCancelStopsWaiting(t *testing.T) {
	t.Run("fake clock", func(t *testing.T) {
		srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 503, "", "Retry-After", "30") })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, clk := newClient(t, srv, func(c *httpx.Config) {
			c.OnResponse = func(a *httpx.Attempt) { cancel() }
		})
		_, err := c.Do(ctx, &httpx.Request{Path: "x"})
		if !errors.Is(err, context.Canceled) || len(s.requests()) != 1 || len(clk.Sleeps()) != 0 {
			t.Errorf("err %v, %d requests, sleeps %v", err, len(s.requests()), clk.Sleeps())
		}
	})
	t.Run("system clock, cancelled mid-wait", func(t *testing.T) {
		srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 429, "", "Retry-After", "30") })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, err := httpx.New(httpx.Config{BaseURL: srv.URL, HTTPClient: srv.Client(),
			// Cancel shortly after the 429 arrives, while the client waits 30s.
			OnResponse: func(*httpx.Attempt) { time.AfterFunc(20*time.Millisecond, cancel) }})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Do(ctx, &httpx.Request{Path: "x"})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, connector.Transient) {
			t.Errorf("err = %v", err)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("cancel took %v to stop a 30s wait", el)
		}
		if len(s.requests()) != 1 {
			t.Errorf("%d requests", len(s.requests()))
		}
		// The shared limiter is paused; a call with a done context fails at once.
		_, err = c.Do(ctx, &httpx.Request{Path: "y"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("second call err = %v", err)
		}
	})
}

func TestHooks(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 500, `{"message":"oops"}`)
			return
		}
		if r.Header.Get("Traceparent") == "" {
			reply(w, 400, "")
			return
		}
		reply(w, 200, `{"ok":true}`)
	})
	var log []string
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.OnRequest = func(a *httpx.Attempt) {
			a.Request.Header.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
			log = append(log, fmt.Sprintf("req %s #%d", a.Op, a.Number))
		}
		c.OnResponse = func(a *httpx.Attempt) {
			log = append(log, fmt.Sprintf("resp #%d %d %s err=%v wait=%v", a.Number, a.Response.StatusCode, a.Body, a.Err != nil, a.Wait))
		}
	})
	if err := c.GetJSON(context.Background(), "x", nil, nil); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"req GET /v2/x #1",
		`resp #1 500 {"message":"oops"} err=true wait=0s`,
		"req GET /v2/x #2",
		`resp #2 200 {"ok":true} err=false wait=100ms`,
	}
	if !slices.Equal(log, want) {
		t.Errorf("hooks:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecretsNeverLogged(t *testing.T) {
	secrets := []string{"s3cr3t-bearer", "tok-123", "key-456", "cs-789", "sig-000", "pw-111"}
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 500, `{"message":"try again"}`)
			return
		}
		reply(w, 200, `{}`)
	})
	var buf syncBuffer
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.Logger = debugLogger(&buf)
		c.Header = http.Header{"X-Api-Key": {"key-456"}}
		c.Auth = func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer s3cr3t-bearer")
			return nil
		}
	})
	q := map[string][]string{
		"access_token": {"tok-123"}, "api_key": {"key-456"}, "client_secret": {"cs-789"},
		"signature": {"sig-000"}, "password": {"pw-111"}, "page": {"2"},
	}
	if err := c.GetJSON(context.Background(), "orders", q, nil); err != nil {
		t.Fatal(err)
	}
	// A transport error quotes the URL; it must come out redacted too.
	dead, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { resetConn(w) })
	c2, _ := newClient(t, dead, func(c *httpx.Config) {
		c.Logger = debugLogger(&buf)
		c.HTTPClient = noKeepAlive()
	})
	_, err := c2.Do(context.Background(), &httpx.Request{Path: "x?access_token=tok-123&api_key=key-456"})
	if err == nil {
		t.Fatal("want an error from the resetting server")
	}
	out := buf.String() + "\n" + err.Error()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("secret %q leaked:\n%s", s, out)
		}
	}
	for _, want := range []string{"access_token=REDACTED", "page=2", "status=500", "attempt=2", "retry_in=100ms", "level=DEBUG", "level=INFO", "level=WARN", "kind=transient"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRedaction(t *testing.T) {
	for name, want := range map[string]bool{
		"access_token": true, "X-Api-Key": true, "Authorization": true, "client_secret": true,
		"password": true, "sig": true, "Signature": true, "code": true, "Cookie": true,
		"page": false, "limit": false, "status": false, "Accept": false,
	} {
		if got := httpx.IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v", name, got)
		}
	}
	h := httpx.RedactHeader(http.Header{"Authorization": {"Bearer x"}, "Accept": {"a/b"}, "X-Shopify-Access-Token": {"y"}})
	if h.Get("Authorization") != "REDACTED" || h.Get("X-Shopify-Access-Token") != "REDACTED" || h.Get("Accept") != "a/b" {
		t.Errorf("RedactHeader = %v", h)
	}
	if got := httpx.RedactURL(mustURL("https://u:p@h/a%20b?x=1&api_key=k&flag")); got != "/a%20b?x=1&api_key=REDACTED&flag" {
		t.Errorf("RedactURL = %q", got)
	}
}

func TestNewIdempotencyKey(t *testing.T) {
	seen := map[string]bool{}
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for range 100 {
		k := httpx.NewIdempotencyKey()
		if !re.MatchString(k) || seen[k] {
			t.Fatalf("bad or repeated key %q", k)
		}
		seen[k] = true
	}
}

func methodOf(r httpx.Request) string {
	if r.Method == "" {
		return "GET"
	}
	return strings.ToUpper(r.Method)
}

func formValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// Admit runs before every attempt, retries included; its wait happens on the
// injected clock, and an error fails the call with its kind, Transient when
// it has none, without sending the request.
func TestAdmit(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 503, "")
			return
		}
		reply(w, 200, `{}`)
	})
	admitted := 0
	var refuse error
	c, clock := newClient(t, srv, func(c *httpx.Config) {
		c.Admit = func(ctx context.Context, req *http.Request) error {
			if refuse != nil {
				return refuse
			}
			admitted++
			return c.Clock.Sleep(ctx, 3*time.Second)
		}
	})
	if _, err := c.Do(context.Background(), &httpx.Request{Path: "a"}); err != nil {
		t.Fatal(err)
	}
	if admitted != 2 || len(s.requests()) != 2 {
		t.Fatalf("admitted %d attempts for %d requests, want 2 and 2", admitted, len(s.requests()))
	}
	waits := 0
	for _, d := range clock.Sleeps() {
		if d == 3*time.Second {
			waits++
		}
	}
	if waits != 2 {
		t.Errorf("admission waits %v, want two of 3s", clock.Sleeps())
	}
	refuse = errors.New("bucket model broken")
	_, err := c.Do(context.Background(), &httpx.Request{Path: "b"})
	if !errors.Is(err, connector.Transient) || len(s.requests()) != 2 {
		t.Errorf("refused admission: %v after %d requests, want a transient error and no request", err, len(s.requests()))
	}
}
