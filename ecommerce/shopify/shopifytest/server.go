package shopifytest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
)

// Defaults for Options fields left zero.
const (
	// DefaultToken is the access token the fake accepts unless Options.Token
	// says otherwise.
	DefaultToken = "shpat_test_token"
	// DefaultBucketSize and DefaultRestoreRate are the leaky bucket of
	// Shopify's older Standard plan (1,000 points refilling at 50 a second);
	// the fake makes both configurable because Shopify has changed them.
	DefaultBucketSize  = 1000
	DefaultRestoreRate = 50
	// DefaultMaxQueryCost is the single-query cost cap.
	DefaultMaxQueryCost = 1000
	// DefaultCurrency is the shop's currency.
	DefaultCurrency = "EUR"
	// DefaultLocation names the one stock location the fake has by default.
	DefaultLocation = "Main warehouse"
)

// DefaultVersions are the API versions the fake serves unless
// Options.Versions lists others.
var defaultVersions = []string{"2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "unstable"}

// Options configures a Server. The zero value is a working shop.
type Options struct {
	// Shop is the shop's handle; the domain is Shop + ".myshopify.com".
	// Default "junction-test".
	Shop string
	// ShopName is the shop's display name (default "Junction Test Shop").
	ShopName string
	// Token is the one access token accepted (default DefaultToken).
	Token string
	// Versions are the API versions served (default 2025-01 to 2026-04 and
	// unstable). A request for another version answers 404.
	Versions []string
	// Currency is the shop currency (default DefaultCurrency).
	Currency string
	// Locations names the stock locations (default [DefaultLocation]).
	Locations []string
	// BucketSize is the leaky bucket's capacity in cost points (default
	// DefaultBucketSize).
	BucketSize int
	// RestoreRate is the points restored per second (default
	// DefaultRestoreRate).
	RestoreRate int
	// MaxQueryCost is the highest cost one query may request (default
	// DefaultMaxQueryCost).
	MaxQueryCost int
	// Clock stamps records and drives the leaky bucket (default the system
	// clock). Share a connectortest.Clock with the client under test to run
	// hours of throttling in microseconds.
	Clock connector.Clock
	// WebhookSecret is the app's client secret that signs webhooks
	// (default "shpss_test_secret").
	WebhookSecret string
	// Faults are the initial fault switches; change them with SetFaults.
	Faults Faults
}

// Faults are switches that make the fake misbehave the way Shopify can.
type Faults struct {
	// ThrottleStatus is the HTTP status of a THROTTLED answer: 200 (the
	// default, with the error in the body, as Shopify's GraphQL API answers)
	// or 429 (with a Retry-After header as well).
	ThrottleStatus int
	// ServerErrors makes the next n requests fail with 503 before they are
	// looked at, as a burst of 5xx does.
	ServerErrors int
	// Latency delays every answer by that much real time (not the Clock), so
	// client timeouts can be exercised.
	Latency time.Duration
	// DuplicateWebhooks sends every webhook twice with the same
	// X-Shopify-Webhook-Id, as Shopify's retries do.
	DuplicateWebhooks bool
}

// Stats counts what the fake has served.
type Stats struct {
	// Requests counts GraphQL requests that reached the API (after auth).
	Requests int
	// Throttled counts THROTTLED answers.
	Throttled int
	// ServerErrors counts injected 5xx answers.
	ServerErrors int
	// PointsRequested and PointsCharged sum the requested and the actual
	// cost of the queries that ran.
	PointsRequested, PointsCharged int
	// FirstRequest and LastRequest are the Clock times of the first and the
	// last request that ran.
	FirstRequest, LastRequest time.Time
	// Webhooks counts webhook deliveries sent (duplicates included).
	Webhooks int
}

// Server is a fake Shopify shop serving the GraphQL Admin API over HTTP, for
// tests. Create one with NewServer and Close it when done. All methods are
// safe for concurrent use.
type Server struct {
	// URL is the base URL of the fake, such as "http://127.0.0.1:1234"; the
	// API lives at URL + "/admin/api/{version}/graphql.json".
	URL string
	// Domain is the shop's myshopify.com domain.
	Domain string
	// Token is the access token the fake accepts.
	Token string
	// WebhookSecret signs the webhooks the fake sends.
	WebhookSecret string

	hs    *httptest.Server
	opts  Options
	clock connector.Clock

	mu        sync.Mutex
	started   time.Time
	faults    Faults
	stats     Stats
	avail     float64
	availAt   time.Time
	lastID    int64
	locations []*shopLocation
	products  []*product
	items     map[int64]*invItem
	bySKU     map[string]*variant
	customers []*customer
	orders    []*order
	orderByID map[int64]*order
	orderByFO map[int64]*order
	idem      map[string]idemResult
	subs      []subscription
	nextOrder int
}

type idemResult struct {
	args   string
	result any
}

type subscription struct {
	url    string
	topics []string
}

// NewServer starts a fake shop. Close it when done.
func NewServer(opts Options) *Server {
	if opts.Shop == "" {
		opts.Shop = "junction-test"
	}
	if opts.ShopName == "" {
		opts.ShopName = "Junction Test Shop"
	}
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if len(opts.Versions) == 0 {
		opts.Versions = defaultVersions
	}
	if opts.Currency == "" {
		opts.Currency = DefaultCurrency
	}
	if len(opts.Locations) == 0 {
		opts.Locations = []string{DefaultLocation}
	}
	if opts.BucketSize <= 0 {
		opts.BucketSize = DefaultBucketSize
	}
	if opts.RestoreRate <= 0 {
		opts.RestoreRate = DefaultRestoreRate
	}
	if opts.MaxQueryCost <= 0 {
		opts.MaxQueryCost = DefaultMaxQueryCost
	}
	if opts.Clock == nil {
		opts.Clock = connector.SystemClock()
	}
	if opts.WebhookSecret == "" {
		opts.WebhookSecret = "shpss_test_secret"
	}
	s := &Server{
		Domain:        opts.Shop + ".myshopify.com",
		Token:         opts.Token,
		WebhookSecret: opts.WebhookSecret,
		opts:          opts,
		clock:         opts.Clock,
		faults:        opts.Faults,
		items:         map[int64]*invItem{},
		bySKU:         map[string]*variant{},
		orderByID:     map[int64]*order{},
		orderByFO:     map[int64]*order{},
		idem:          map[string]idemResult{},
		lastID:        5_000_000_000_000,
		nextOrder:     1001,
	}
	s.started = s.clock.Now()
	s.avail, s.availAt = float64(opts.BucketSize), s.started
	for _, n := range opts.Locations {
		s.locations = append(s.locations, &shopLocation{id: s.newID(), name: n})
	}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// Client returns an *http.Client that reaches the server.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// GraphQLURL returns the endpoint for an API version.
func (s *Server) GraphQLURL(version string) string {
	return s.URL + "/admin/api/" + version + "/graphql.json"
}

// SetFaults replaces the fault switches.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Stats returns what the server has counted so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// SetBucket sets the points currently available in the leaky bucket, as if
// other apps or earlier calls had spent the rest.
func (s *Server) SetBucket(available int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.avail, s.availAt = float64(min(available, s.opts.BucketSize)), s.clock.Now()
}

func (s *Server) newID() int64 {
	s.lastID++
	return s.lastID
}

// now returns the clock's time in whole seconds, as Shopify stamps records.
func (s *Server) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// touch returns a new updated-at for a record last stamped prev: now, or a
// second after prev if now is not later, so every change to one record
// gets a newer timestamp.
func (s *Server) touch(prev time.Time) time.Time {
	t := s.now()
	if !t.After(prev) {
		t = prev.Add(time.Second)
	}
	return t
}

func (s *Server) touchOrder(o *order) { o.updated = s.touch(o.updated) }

func (s *Server) locationByID(id int64) *shopLocation {
	for _, l := range s.locations {
		if l.id == id {
			return l
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ---- HTTP ----

type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.faults
	fail := f.ServerErrors > 0
	if fail {
		s.faults.ServerErrors--
		s.stats.ServerErrors++
	}
	s.mu.Unlock()
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if fail {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errors": "Service Unavailable (injected fault)"})
		return
	}
	version, ok := strings.CutPrefix(r.URL.Path, "/admin/api/")
	version, ok2 := strings.CutSuffix(version, "/graphql.json")
	if !ok || !ok2 || !s.serves(version) {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"errors": "Method Not Allowed"})
		return
	}
	if r.Header.Get("X-Shopify-Access-Token") != s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": "unreadable body"})
		return
	}
	var req gqlRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(ct, "application/graphql") {
		req.Query = string(body)
	} else if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": []string{"Required parameter missing or invalid"}}})
		return
	}
	status, resp, header := s.execute(version, req)
	for k, v := range header {
		w.Header()[k] = v
	}
	writeJSON(w, status, resp)
}

func (s *Server) serves(version string) bool {
	for _, v := range s.opts.Versions {
		if v == version {
			return true
		}
	}
	return false
}

func errorsOnly(errs ...*gqlError) map[string]any {
	return map[string]any{"errors": errs}
}

// execute runs one GraphQL request: parse, check, charge the bucket, run.
func (s *Server) execute(version string, req gqlRequest) (int, any, http.Header) {
	doc, err := parse(req.Query)
	if err != nil {
		e := &gqlError{Message: err.Error(), Extensions: map[string]any{"code": "parseError"}}
		if se, ok := err.(*syntaxError); ok {
			e.Locations = []location{{Line: se.line, Column: se.col}}
		}
		return http.StatusOK, errorsOnly(e), nil
	}
	op := doc.ops[0]
	if len(doc.ops) > 1 {
		op = nil
		for _, o := range doc.ops {
			if o.name == req.OperationName {
				op = o
			}
		}
		if op == nil {
			return http.StatusOK, errorsOnly(&gqlError{Message: "An operation name is required"}), nil
		}
	}
	vars := map[string]any{}
	for _, d := range op.vars {
		v, ok := req.Variables[d.name]
		switch {
		case ok:
			vars[d.name] = v
		case d.has:
			vars[d.name] = d.def
		}
		if (vars[d.name] == nil) && strings.HasSuffix(d.typ, "!") {
			return http.StatusOK, errorsOnly(&gqlError{
				Message:    fmt.Sprintf("Variable $%s of type %s was provided invalid value", d.name, d.typ),
				Extensions: map[string]any{"code": "INVALID_VARIABLE"},
			}), nil
		}
	}
	if op.kind == "mutation" {
		for _, f := range op.sel {
			for _, d := range f.dirs {
				if d.name == "idempotent" && version < "2026-01" && version != "unstable" {
					return http.StatusOK, errorsOnly(&gqlError{
						Message:    "Directive 'idempotent' is not defined",
						Extensions: map[string]any{"code": "undefinedDirective", "directiveName": "idempotent"},
					}), nil
				}
			}
		}
	}
	requested := requestedCost(op, vars)
	if requested > s.opts.MaxQueryCost {
		return http.StatusOK, errorsOnly(&gqlError{
			Message:    fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%d).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n", requested, s.opts.MaxQueryCost),
			Extensions: map[string]any{"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": s.opts.MaxQueryCost},
		}), nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.refill(now)
	if float64(requested) > s.avail {
		s.stats.Throttled++
		status := s.faults.ThrottleStatus
		if status == 0 {
			status = http.StatusOK
		}
		var h http.Header
		if status == http.StatusTooManyRequests {
			wait := (float64(requested) - s.avail) / float64(s.opts.RestoreRate)
			h = http.Header{"Retry-After": {strconv.FormatFloat(math.Ceil(wait*10)/10, 'f', 1, 64)}}
		}
		return status, map[string]any{
			"errors": []*gqlError{{
				Message:    "Throttled",
				Extensions: map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
			}},
			"extensions": s.costExtension(requested, nil),
		}, h
	}
	s.avail -= float64(requested)
	s.stats.Requests++
	s.stats.PointsRequested += requested
	if s.stats.FirstRequest.IsZero() {
		s.stats.FirstRequest = now
	}
	s.stats.LastRequest = now

	x := &executor{vars: vars}
	var data *ordered
	var gerr error
	if op.kind == "mutation" {
		data, gerr = s.runMutation(x, op, version)
	} else {
		data, gerr = x.selection(op.sel, s.queryRoot(), nil)
	}
	actual := x.actual
	if op.kind == "mutation" {
		actual = requested
	}
	actual = min(actual, requested)
	s.avail += float64(requested - actual)
	s.stats.PointsCharged += actual
	resp := map[string]any{"extensions": s.costExtension(requested, &actual)}
	if gerr != nil {
		ge, ok := gerr.(*gqlError)
		if !ok {
			ge = &gqlError{Message: gerr.Error()}
		}
		resp["errors"] = []*gqlError{ge}
		resp["data"] = nil
		return http.StatusOK, resp, nil
	}
	resp["data"] = data
	return http.StatusOK, resp, nil
}

// runMutation runs each root field of a mutation, replaying the result of
// an @idempotent key that was used before.
func (s *Server) runMutation(x *executor, op *operation, version string) (*ordered, error) {
	out := &ordered{}
	root := s.mutationRoot(version)
	for _, f := range op.sel {
		var key string
		for _, d := range f.dirs {
			if d.name == "idempotent" {
				v, _ := bind(d.args["key"], x.vars)
				key = str(v)
			}
		}
		if key == "" && f.name == "inventorySetQuantities" && usesChangeFrom(version) {
			return nil, &gqlError{
				Message:    "The @idempotent directive is required for this mutation.",
				Path:       []any{f.key()},
				Extensions: map[string]any{"code": "IDEMPOTENCY_KEY_REQUIRED"},
			}
		}
		args, _ := bind(map[string]any(f.args), x.vars)
		ab, _ := json.Marshal(args)
		fp := fmt.Sprintf("%s:%x", f.name, sha256.Sum256(ab))
		if key != "" {
			if prev, ok := s.idem[key]; ok {
				if prev.args != fp {
					return nil, &gqlError{
						Message:    "The same idempotency key was used with different parameters.",
						Path:       []any{f.key()},
						Extensions: map[string]any{"code": "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"},
					}
				}
				out.set(f.key(), prev.result)
				continue
			}
		}
		r, err := x.selection([]*field{f}, root, nil)
		if err != nil {
			return nil, err
		}
		v := r.vals[f.key()]
		if key != "" {
			s.idem[key] = idemResult{args: fp, result: v}
		}
		out.set(f.key(), v)
	}
	return out, nil
}

// refill restores points for the time since the last request. The caller
// holds s.mu.
func (s *Server) refill(now time.Time) {
	if d := now.Sub(s.availAt); d > 0 {
		s.avail = math.Min(float64(s.opts.BucketSize), s.avail+d.Seconds()*float64(s.opts.RestoreRate))
	}
	s.availAt = now
}

func (s *Server) costExtension(requested int, actual *int) map[string]any {
	var a any
	if actual != nil {
		a = *actual
	}
	return map[string]any{"cost": map[string]any{
		"requestedQueryCost": requested,
		"actualQueryCost":    a,
		"throttleStatus": map[string]any{
			"maximumAvailable":   float64(s.opts.BucketSize),
			"currentlyAvailable": int(math.Floor(s.avail)),
			"restoreRate":        float64(s.opts.RestoreRate),
		},
	}}
}

// ---- webhooks ----

// Subscribe registers url for webhooks on topics (such as "orders/create",
// "orders/updated"); the seed methods that change data then deliver them.
func (s *Server) Subscribe(url string, topics ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, subscription{url: url, topics: topics})
}

// SendWebhook POSTs one webhook to url as Shopify delivers it: the JSON
// payload, signed with X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw
// body under the webhook secret), with X-Shopify-Topic,
// X-Shopify-Shop-Domain, X-Shopify-API-Version, X-Shopify-Webhook-Id,
// X-Shopify-Event-Id and X-Shopify-Triggered-At. With the
// DuplicateWebhooks fault it is sent twice with the same webhook ID. It
// returns the status of the (last) answer.
func (s *Server) SendWebhook(ctx context.Context, url, topic string, payload any) (int, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	id := s.newID()
	dup := s.faults.DuplicateWebhooks
	now := s.clock.Now()
	s.mu.Unlock()
	times := 1
	if dup {
		times = 2
	}
	status := 0
	for range times {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Topic", topic)
		req.Header.Set("X-Shopify-Shop-Domain", s.Domain)
		req.Header.Set("X-Shopify-API-Version", s.opts.Versions[len(s.opts.Versions)-1])
		req.Header.Set("X-Shopify-Webhook-Id", fmt.Sprintf("b54557e4-bdd9-4b37-8a5f-%012d", id%1_000_000_000_000))
		req.Header.Set("X-Shopify-Event-Id", fmt.Sprintf("98880550-7158-44d4-b7cd-%012d", id%1_000_000_000_000))
		req.Header.Set("X-Shopify-Triggered-At", now.UTC().Format(time.RFC3339Nano))
		req.Header.Set("X-Shopify-Hmac-Sha256", Sign(s.WebhookSecret, body))
		resp, err := s.Client().Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		status = resp.StatusCode
		s.mu.Lock()
		s.stats.Webhooks++
		s.mu.Unlock()
	}
	return status, nil
}

// notify delivers topic to every subscriber of it. It is called without
// s.mu held.
func (s *Server) notify(topic string, payload any) {
	s.mu.Lock()
	var urls []string
	for _, sub := range s.subs {
		for _, t := range sub.topics {
			if t == topic {
				urls = append(urls, sub.url)
			}
		}
	}
	s.mu.Unlock()
	for _, u := range urls {
		_, _ = s.SendWebhook(context.Background(), u, topic, payload)
	}
}

// Available returns the points the leaky bucket holds now.
func (s *Server) Available() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refill(s.clock.Now())
	return s.avail
}
