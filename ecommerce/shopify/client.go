package shopify

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/ecommerce"
)

// DefaultAPIVersion is the Admin API version the client speaks unless
// Config.APIVersion names another. 2026-01 is a stable version that has the
// @idempotent directive (optional there, mandatory from 2026-04 for
// inventorySetQuantities) and still names the compare field
// compareQuantity; the client adapts its documents to 2026-04's
// changeFromQuantity when asked for that version or later.
// https://shopify.dev/docs/api/usage/versioning
const DefaultAPIVersion = "2026-01"

// DefaultSystem is the system name in changes, refs and errors.
const DefaultSystem = "shopify"

// Defaults for Config fields left zero.
const (
	// DefaultMaxQueryCost is Shopify's cap on the requested cost of a single
	// query.
	DefaultMaxQueryCost = 1000
	// DefaultLinesPerOrder is how many line items an orders page asks for
	// per order; an order with more is completed with follow-up queries.
	DefaultLinesPerOrder = 10
	// DefaultSettle is how far behind the present an incremental read
	// stops: a record stamped in the last few seconds may not be in
	// Shopify's search index yet, and a later change in the same second
	// could otherwise fall behind the checkpoint.
	DefaultSettle = 5 * time.Second
	// DefaultInventoryReason is the reason given to inventorySetQuantities.
	DefaultInventoryReason = "correction"
	// MetafieldNamespace is the namespace of the order metafields in which
	// the fulfilment sink records which Shopify fulfilment each shipment
	// number became.
	MetafieldNamespace = "junction"
)

// PlanLimits describe the shop's GraphQL rate limit. Leave them zero to
// learn them from the first response's extensions.cost.throttleStatus,
// which every response carries.
type PlanLimits struct {
	// BucketSize is the bucket's capacity in cost points.
	BucketSize int
	// RestoreRate is the points restored per second: 100 on Standard, 200
	// on Advanced, 1,000 on Plus and 2,000 on Commerce Components.
	// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
	RestoreRate int
	// MaxQueryCost caps the requested cost of one query (default
	// DefaultMaxQueryCost). Page sizes are chosen to stay under it.
	MaxQueryCost int
}

// Config configures a Client. Shop and Token are required.
type Config struct {
	// Shop is the shop's handle ("acme") or domain ("acme.myshopify.com").
	Shop string
	// Token is the Admin API access token, sent as X-Shopify-Access-Token.
	Token string
	// APIVersion is the Admin API version, such as "2026-01" (default
	// DefaultAPIVersion).
	APIVersion string
	// BaseURL overrides https://{shop}.myshopify.com, for the fake in
	// shopifytest or a proxy.
	BaseURL string
	// HTTPClient sends the requests (default: httpx's client with a timeout).
	HTTPClient *http.Client
	// Logger receives one record per attempt and the connector's decisions
	// (default: discard).
	Logger *slog.Logger
	// Clock times every wait (default the system clock).
	Clock connector.Clock
	// Limits describe the rate limit; zero fields are learned or defaulted.
	Limits PlanLimits
	// Retry bounds httpx's retries of transient failures and throttles.
	Retry httpx.Retry
	// System names the shop in changes, refs and errors (default "shopify").
	System string

	// Locations maps canonical location codes to Shopify location IDs
	// ("gid://shopify/Location/1"). A location not in the map is looked up
	// by name; a code that is itself a location GID is used as it is.
	Locations map[string]string
	// InventoryName is the quantity the inventory sink sets: "available"
	// (default, taken from StockLevel.Available) or "on_hand" (from
	// StockLevel.OnHand).
	InventoryName string
	// InventoryReason is the reason for the quantity change (default
	// DefaultInventoryReason).
	InventoryReason string
	// NotifyCustomer asks Shopify to email the customer about new
	// fulfilments and tracking updates.
	NotifyCustomer bool
	// LinesPerOrder is how many line items an orders page fetches per order
	// (default DefaultLinesPerOrder).
	LinesPerOrder int
	// Settle keeps incremental reads this far behind the present (default
	// DefaultSettle; a negative value disables it).
	Settle time.Duration
}

// Client is a Shopify shop reached through the GraphQL Admin API. It
// implements ecommerce.Shop. It is safe for concurrent use; create one per
// shop and share it.
type Client struct {
	cfg     Config
	system  string
	version string
	http    *httpx.Client
	clock   connector.Clock
	log     *slog.Logger
	pace    *pacer
	stats   struct{ requests, throttled, waits atomic.Int64 }

	locMu    sync.Mutex
	locs     map[string]string // location name → GID, loaded once
	currency string            // the shop currency, loaded once
}

var _ ecommerce.Shop = (*Client)(nil)

// New returns a Client for cfg. It fails when Shop or Token is missing or
// the base URL does not parse.
func New(cfg Config) (*Client, error) {
	if cfg.Shop == "" && cfg.BaseURL == "" {
		return nil, errors.New("shopify: Config.Shop is required")
	}
	if cfg.Token == "" {
		return nil, errors.New("shopify: Config.Token is required")
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.System == "" {
		cfg.System = DefaultSystem
	}
	if cfg.Clock == nil {
		cfg.Clock = connector.SystemClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Limits.MaxQueryCost <= 0 {
		cfg.Limits.MaxQueryCost = DefaultMaxQueryCost
	}
	if cfg.InventoryName == "" {
		cfg.InventoryName = "available"
	}
	if cfg.InventoryReason == "" {
		cfg.InventoryReason = DefaultInventoryReason
	}
	if cfg.LinesPerOrder <= 0 {
		cfg.LinesPerOrder = DefaultLinesPerOrder
	}
	if cfg.Settle == 0 {
		cfg.Settle = DefaultSettle
	}
	if cfg.BaseURL == "" {
		shop := strings.TrimSuffix(strings.TrimPrefix(cfg.Shop, "https://"), "/")
		if !strings.Contains(shop, ".") {
			shop += ".myshopify.com"
		}
		cfg.BaseURL = "https://" + shop
	}
	c := &Client{cfg: cfg, system: cfg.System, version: cfg.APIVersion, clock: cfg.Clock, log: cfg.Logger}
	c.pace = newPacer(cfg.Limits)
	hc, err := httpx.New(httpx.Config{
		System:        cfg.System,
		BaseURL:       strings.TrimSuffix(cfg.BaseURL, "/"),
		HTTPClient:    cfg.HTTPClient,
		Clock:         cfg.Clock,
		Logger:        cfg.Logger,
		Limiter:       httpx.NewLimiter(rate.Inf, 1),
		Signals:       []httpx.Signal{httpx.RetryAfter},
		Retry:         cfg.Retry,
		Auth:          c.authorize,
		Admit:         c.admit,
		Header:        http.Header{"User-Agent": {"junction-shopify/1"}},
		ClassifyError: c.classifyStatus,
		CheckResponse: checkGraphQL,
		OnResponse:    c.observe,
	})
	if err != nil {
		return nil, fmt.Errorf("shopify: %w", err)
	}
	c.http = hc
	return c, nil
}

// System returns the system name.
func (c *Client) System() string { return c.system }

// APIVersion returns the Admin API version in use.
func (c *Client) APIVersion() string { return c.version }

// Stats counts the client's GraphQL calls.
type Stats struct {
	// Requests counts attempts sent; Throttled those answered THROTTLED.
	Requests, Throttled int64
	// Waits counts the times the pacer held a request back so as not to
	// drain the bucket.
	Waits int64
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	return Stats{Requests: c.stats.requests.Load(), Throttled: c.stats.throttled.Load(), Waits: c.stats.waits.Load()}
}

// Ping checks the token and the version with the cheapest query there is
// and returns the shop's name.
func (c *Client) Ping(ctx context.Context) (string, error) {
	var out struct {
		Shop struct {
			Name string `json:"name"`
		} `json:"shop"`
	}
	if err := c.query(ctx, "shop.get", docShop, nil, costShop, &out); err != nil {
		return "", err
	}
	return out.Shop.Name, nil
}

// GraphQL runs any query or mutation document against the Admin API and
// decodes its data into out: the escape hatch for what the connector does
// not map. It is paced like every other call (the pacer learns the
// document's cost from its first answer), throttles are retried, queries
// are retried on transient failures and mutations are not, and errors are
// classified as for the connector's own calls. userErrors are data here:
// select and check them yourself.
func (c *Client) GraphQL(ctx context.Context, doc string, vars map[string]any, out any) error {
	h := sha256.Sum256([]byte(doc))
	mutation := strings.HasPrefix(strings.TrimSpace(doc), "mutation")
	_, err := c.run(ctx, call{op: fmt.Sprintf("graphql.%x", h[:4]), doc: doc, vars: vars, mutation: mutation}, out)
	return err
}

// Orders, Customers, Products, Refunds, Inventory and Fulfillments implement
// ecommerce.Shop; see the types they return.

// Orders returns the orders source.
func (c *Client) Orders() connector.Source[canonical.SalesOrder] { return &OrderSource{c: c} }

// Customers returns the customers source.
func (c *Client) Customers() connector.Source[canonical.Customer] { return &CustomerSource{c: c} }

// Products returns the products source.
func (c *Client) Products() connector.Source[canonical.Product] { return &ProductSource{c: c} }

// Refunds returns the refunds source.
func (c *Client) Refunds() connector.Source[canonical.Refund] { return &RefundSource{c: c} }

// Inventory returns the inventory sink.
func (c *Client) Inventory() connector.Sink[canonical.StockLevel] { return &InventorySink{c: c} }

// Fulfillments returns the fulfilment sink.
func (c *Client) Fulfillments() connector.Sink[canonical.Shipment] { return &FulfillmentSink{c: c} }

// ---- GraphQL calls ----

// callKey carries a call's pacing state through the request context, so
// that Admit (before each attempt) and OnResponse (after it) can find it.
type callKey struct{}

type callState struct {
	op       string
	cost     float64 // the call's requested cost
	reserved bool    // an attempt holds a reservation
	held     float64 // the points it holds
}

// authorize sets the access token on each attempt.
func (c *Client) authorize(_ context.Context, req *http.Request) error {
	req.Header.Set("X-Shopify-Access-Token", c.cfg.Token)
	return nil
}

// admit paces each attempt: it waits until the cost bucket, as the last
// response described it, holds the call's requested cost.
func (c *Client) admit(ctx context.Context, _ *http.Request) error {
	st, _ := ctx.Value(callKey{}).(*callState)
	if st == nil {
		return nil
	}
	reserved, waited, err := c.pace.reserve(ctx, c.clock, st.op, st.cost)
	if err != nil {
		return connector.Errorf(connector.KindOf(err), c.system, "waiting for the cost bucket: %w", err)
	}
	if waited > 0 {
		c.stats.waits.Add(1)
	}
	st.reserved, st.held = true, reserved
	c.stats.requests.Add(1)
	return nil
}

// observe feeds each attempt's cost extension to the pacer.
func (c *Client) observe(a *httpx.Attempt) {
	if a.Request == nil {
		return
	}
	st, _ := a.Request.Context().Value(callKey{}).(*callState)
	if st == nil || !st.reserved {
		return
	}
	st.reserved = false
	var env struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
		Extensions struct {
			Cost *costInfo `json:"cost"`
		} `json:"extensions"`
	}
	_ = json.Unmarshal(a.Body, &env)
	for _, e := range env.Errors {
		if e.Extensions.Code == "THROTTLED" {
			c.stats.throttled.Add(1)
			c.log.Warn("shopify: throttled", "op", st.op, "requested", st.cost)
		}
	}
	c.pace.observe(st.op, st.held, env.Extensions.Cost, c.clock.Now())
}

// costInfo is a response's extensions.cost.
type costInfo struct {
	RequestedQueryCost float64  `json:"requestedQueryCost"`
	ActualQueryCost    *float64 `json:"actualQueryCost"`
	ThrottleStatus     struct {
		MaximumAvailable   float64 `json:"maximumAvailable"`
		CurrentlyAvailable float64 `json:"currentlyAvailable"`
		RestoreRate        float64 `json:"restoreRate"`
	} `json:"throttleStatus"`
}

// gqlError is one entry of a response's top-level errors.
type gqlError struct {
	Message    string `json:"message"`
	Path       []any  `json:"path"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// envelope is a GraphQL response with its data decoded into Data.
type envelope struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost *costInfo `json:"cost"`
	} `json:"extensions"`
}

// throttleWait is how long until the bucket holds the requested cost.
func throttleWait(ci *costInfo) time.Duration {
	if ci == nil || ci.ThrottleStatus.RestoreRate <= 0 {
		return time.Second
	}
	need := ci.RequestedQueryCost - ci.ThrottleStatus.CurrentlyAvailable
	if need <= 0 {
		return 100 * time.Millisecond
	}
	return time.Duration(need / ci.ThrottleStatus.RestoreRate * float64(time.Second)).Round(time.Millisecond)
}

// checkGraphQL turns top-level GraphQL errors in a 200 response into a
// *connector.Error: THROTTLED is RateLimited with the wait the bucket
// needs, ACCESS_DENIED Forbidden, INTERNAL_SERVER_ERROR Transient, and
// anything else (a query the schema refuses, MAX_COST_EXCEEDED) Invalid.
// The body is kept in the error.
func checkGraphQL(_ *http.Response, body []byte) error {
	if !jsonHasKey(body, `"errors"`) {
		return nil
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || len(env.Errors) == 0 {
		return nil // a decode problem is reported when the data is decoded
	}
	return graphQLError(env.Errors, env.Extensions.Cost, body)
}

func jsonHasKey(body []byte, key string) bool { return strings.Contains(string(body), key) }

func graphQLError(errs []gqlError, ci *costInfo, body []byte) *connector.Error {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	code := errs[0].Extensions.Code
	e := &connector.Error{Kind: connector.Invalid, Code: code, Message: strings.Join(msgs, "; "), Body: body}
	switch code {
	case "THROTTLED":
		e.Kind = connector.RateLimited
		e.RetryAfter = throttleWait(ci)
	case "ACCESS_DENIED":
		e.Kind = connector.Forbidden
	case "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT":
		e.Kind = connector.Transient
	case "NOT_FOUND":
		e.Kind = connector.NotFound
	}
	return e
}

// classifyStatus refines errors for non-2xx answers: a 429 carrying
// THROTTLED waits what the bucket needs; 402 (shop frozen for payment) and
// 423 (shop locked) are business-rule stops a person must resolve.
func (c *Client) classifyStatus(e *connector.Error, resp *http.Response) {
	switch resp.StatusCode {
	case http.StatusPaymentRequired, http.StatusLocked:
		e.Kind = connector.BusinessRule
	case http.StatusTooManyRequests:
		var env envelope
		if json.Unmarshal(e.Body, &env) == nil && len(env.Errors) > 0 {
			e.Code = env.Errors[0].Extensions.Code
			if e.RetryAfter <= 0 {
				e.RetryAfter = throttleWait(env.Extensions.Cost)
			}
		}
	}
}

// call is one GraphQL operation.
type call struct {
	op       string // for logs and errors, such as "orders.list"
	doc      string
	vars     map[string]any
	cost     int  // the requested cost, as Shopify computes it
	mutation bool // mutations are retried only with an idempotency key
	key      string
}

// query runs a query and decodes its data into out.
func (c *Client) query(ctx context.Context, op, doc string, vars map[string]any, cost int, out any) error {
	_, err := c.run(ctx, call{op: op, doc: doc, vars: vars, cost: cost}, out)
	return err
}

// maxThrottleRetries bounds the retries of a throttled mutation that httpx
// does not retry itself (one without an idempotency key).
const maxThrottleRetries = 5

// run sends a call, decodes its data into out and returns the raw body.
// Every error is a *connector.Error whose Op names the operation.
func (c *Client) run(ctx context.Context, k call, out any) ([]byte, error) {
	if k.cost > c.cfg.Limits.MaxQueryCost {
		return nil, connector.Errorf(connector.Invalid, c.system, "%s: the query would cost %d points, over the single-query cap of %d", k.op, k.cost, c.cfg.Limits.MaxQueryCost)
	}
	body := map[string]any{"query": k.doc}
	if len(k.vars) > 0 {
		body["variables"] = k.vars
	}
	st := &callState{op: k.op, cost: float64(k.cost)}
	ctx = context.WithValue(ctx, callKey{}, st)
	req := &httpx.Request{
		Method:     http.MethodPost,
		Path:       "/admin/api/" + c.version + "/graphql.json",
		Body:       body,
		Idempotent: !k.mutation || k.key != "",
		Cost:       1,
	}
	var resp *httpx.Response
	var err error
	for try := 0; ; try++ {
		resp, err = c.http.Do(ctx, req)
		var ce *connector.Error
		// A throttled call did not run, so even a mutation without a key
		// may be sent again once the bucket has refilled.
		if err != nil && errors.As(err, &ce) && ce.Kind == connector.RateLimited && !req.Idempotent &&
			try < maxThrottleRetries && ce.RetryAfter <= time.Minute {
			if serr := c.clock.Sleep(ctx, ce.RetryAfter); serr != nil {
				return nil, c.opError(k.op, connector.Errorf(connector.Transient, c.system, "waiting to retry a throttled call: %w", serr))
			}
			continue
		}
		break
	}
	if err != nil {
		return nil, c.opError(k.op, err)
	}
	var env envelope
	if err := json.Unmarshal(resp.Body, &env); err != nil {
		e := connector.Errorf(connector.Transient, c.system, "decode the GraphQL response: %w", err)
		e.Body = resp.Body
		return nil, c.opError(k.op, e)
	}
	if len(env.Errors) > 0 {
		return nil, c.opError(k.op, graphQLError(env.Errors, env.Extensions.Cost, resp.Body))
	}
	if out != nil {
		if err := json.Unmarshal(env.Data, out); err != nil {
			e := connector.Errorf(connector.Invalid, c.system, "decode %s data: %w", k.op, err)
			e.Body = resp.Body
			return nil, c.opError(k.op, e)
		}
	}
	return resp.Body, nil
}

// opError names the operation in a *connector.Error.
func (c *Client) opError(op string, err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		cp := *ce
		if cp.System == "" {
			cp.System = c.system
		}
		if cp.Op == "" || strings.HasPrefix(cp.Op, "POST ") {
			cp.Op = op
		}
		return &cp
	}
	return connector.Errorf(connector.KindOf(err), c.system, "%s: %w", op, err)
}

// userError is one entry of a mutation payload's userErrors.
type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// fieldPath turns ["input","quantities","0","compareQuantity"] into
// "input.quantities[0].compareQuantity".
func fieldPath(f []string) string {
	var b strings.Builder
	for _, p := range f {
		if p != "" && p[0] >= '0' && p[0] <= '9' {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// userErrorsError turns userErrors into one *connector.Error: Conflict for a
// stale compare quantity, Invalid when every error names a field of the
// input, and BusinessRule otherwise (the shop refuses what the data asks).
// Each error becomes a FieldError with the path in Shopify's input.
func (c *Client) userErrorsError(op string, errs []userError, body []byte) error {
	kind := connector.Invalid
	fields := make([]canonical.FieldError, 0, len(errs))
	msgs := make([]string, 0, len(errs))
	for _, u := range errs {
		code := u.Code
		if code == "" {
			code = "user_error"
		}
		path := fieldPath(u.Field)
		if path == "" {
			path = "input"
			if kind == connector.Invalid {
				kind = connector.BusinessRule
			}
		}
		fields = append(fields, canonical.FieldError{Path: path, Code: code, Message: u.Message})
		msgs = append(msgs, u.Message)
		switch u.Code {
		case "COMPARE_QUANTITY_STALE", "CHANGE_FROM_QUANTITY_STALE", "IDEMPOTENCY_CONCURRENT_REQUEST":
			kind = connector.Conflict
		case "ITEM_NOT_STOCKED_AT_LOCATION", "NON_MUTABLE_INVENTORY_ITEM":
			if kind == connector.Invalid {
				kind = connector.BusinessRule
			}
		}
	}
	e := connector.Errorf(kind, c.system, "%s", strings.Join(msgs, "; "))
	e.Op = op
	e.Fields = fields
	e.Body = body
	if len(errs) > 0 {
		e.Code = errs[0].Code
	}
	return e
}
