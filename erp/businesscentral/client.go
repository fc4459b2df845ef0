package businesscentral

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
	"github.com/junctionhq/junction/erp"
)

// DefaultSystem is the system name in changes, refs and errors.
const DefaultSystem = "businesscentral"

// DefaultBaseURL is Business Central online's API host.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/endpoints-apis-for-dynamics
const DefaultBaseURL = "https://api.businesscentral.dynamics.com"

// DefaultPageSize is the page size a listing asks for with Prefer:
// odata.maxpagesize. Business Central online serves at most 20,000
// entities a page and cannot be made to serve more; smaller pages keep
// each request well inside the operation timeout.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/webservices/server-driven-paging-in-odata-web-services
const DefaultPageSize = 1000

// DefaultStockLocation is the Location of the stock levels the Stock
// source yields: an item's inventory in API v2.0 is the sum over all
// locations.
const DefaultStockLocation = "all"

// Limits are the request budget of one environment. Microsoft publishes
// two different figures, so they are configurable: the operational-limits
// page gives 600 OData requests a minute for a production environment and
// 300 for a sandbox, with 5 requests processed at a time (more wait in a
// queue of 95, beyond which the answer is 429); the API training module
// gives 6,000 requests in a five-minute sliding window per user or service
// principal, with up to 100 simultaneous requests. Share a Client (or its
// Limiter) between everything that spends one environment's budget.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/operational-limits-online
// https://learn.microsoft.com/training/modules/work-with-api/4-limits
type Limits struct {
	// Requests is how many requests are allowed in any Window.
	Requests int
	// Window is the window the Requests are counted over.
	Window time.Duration
	// MaxInFlight bounds the requests in flight at once.
	MaxInFlight int
}

// ProductionLimits is the operational limit of a production environment:
// 600 requests a minute, 5 at a time. It is the default.
func ProductionLimits() Limits { return Limits{Requests: 600, Window: time.Minute, MaxInFlight: 5} }

// SandboxLimits is the operational limit of a sandbox: 300 requests a
// minute, 5 at a time.
func SandboxLimits() Limits { return Limits{Requests: 300, Window: time.Minute, MaxInFlight: 5} }

// PerUserLimits is the training module's figure: 6,000 requests in a
// five-minute sliding window per user or service principal, 100 at a time.
func PerUserLimits() Limits { return Limits{Requests: 6000, Window: 5 * time.Minute, MaxInFlight: 100} }

// Config configures a Client. CompanyID, Environment and either
// Credentials or TokenSource are required.
type Config struct {
	// TenantID is the Microsoft Entra tenant (directory) ID or a verified
	// domain. It names the default token endpoint and is part of the API
	// URL; without it the tenant segment is left out, which Business
	// Central resolves from the token.
	TenantID string
	// Environment is the environment name, such as "production".
	Environment string
	// CompanyID is the company's id (a GUID, from GET .../companies).
	CompanyID string
	// BaseURL replaces DefaultBaseURL, for the fake in bctest or a proxy.
	BaseURL string
	// Credentials configures the client-credentials grant.
	Credentials ClientCredentials
	// TokenSource supplies tokens instead of Credentials.
	TokenSource TokenSource
	// HTTPClient sends the requests (default: httpx's, with a timeout).
	HTTPClient *http.Client
	// Logger receives a record per request attempt (default: discard).
	Logger *slog.Logger
	// Clock times waits and token lifetimes (default the system clock).
	Clock connector.Clock
	// Limits is the request budget (default ProductionLimits).
	Limits Limits
	// Limiter replaces the Limiter built from Limits, to share one
	// environment's budget between several Clients.
	Limiter *httpx.Limiter
	// Retry bounds the retries of transient failures and 429s.
	Retry httpx.Retry
	// System names the environment in changes, refs and errors (default
	// DefaultSystem).
	System string
	// PageSize is the odata.maxpagesize asked for (default
	// DefaultPageSize).
	PageSize int
	// LocalCurrency is the company's local currency. Business Central
	// leaves currencyCode empty on documents in it; the connector fills it
	// in, and leaves it out of documents it writes in it.
	LocalCurrency canonical.CurrencyCode
	// LocalCountry is the company's country (ISO 3166-1 alpha-2). Business
	// Central leaves the country of addresses in it empty; the connector
	// fills it in when reading. Without it such addresses are left out.
	LocalCountry string
	// Units maps canonical units to Business Central unit-of-measure codes
	// ("C62" → "PCS"). A unit not in the map is left to the item's default
	// sales unit when writing, and read back as canonical.UnitOne.
	Units map[canonical.UnitCode]string
	// ChargeAccount is the G/L account that order-level charges (shipping)
	// are booked to, as lines of type Account. Without it an order with
	// charges is Invalid.
	ChargeAccount string
	// CreditAccount is the G/L account that credit-note lines without a SKU
	// (a price correction, a refunded shipping charge) are booked to.
	// Without it such a line is Invalid; lines with a SKU are item lines,
	// which put the goods back into stock when posted.
	CreditAccount string
	// StockLocation is the Location of stock levels (default
	// DefaultStockLocation).
	StockLocation string
	// SkipCreditCheck turns off the credit check before an order is
	// created or raised: Business Central's own credit-limit check only
	// warns in the user interface, so the connector checks blocked status
	// and balance + order against the credit limit itself.
	SkipCreditCheck bool
	// IncludeDraftInvoices makes the Invoices source yield draft invoices
	// too; by default it yields posted ones only.
	IncludeDraftInvoices bool
}

// Client is one Business Central company reached through API v2.0. It
// implements erp.ERP. It is safe for concurrent use; create one per
// company and share it.
type Client struct {
	cfg    Config
	system string
	http   *httpx.Client
	tokens TokenSource
	clock  connector.Clock
	log    *slog.Logger
	unitOf map[string]canonical.UnitCode // BC code → canonical

	goodMu    sync.Mutex
	goodToken string // the last token a request succeeded with

	orders    *writeState
	customers *writeState
	confirms  *writeState
	credits   *writeState
}

var _ erp.ERP = (*Client)(nil)

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	if cfg.CompanyID == "" {
		return nil, errors.New("businesscentral: Config.CompanyID is required")
	}
	if cfg.Environment == "" {
		return nil, errors.New("businesscentral: Config.Environment is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
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
	if cfg.Limits.Requests <= 0 || cfg.Limits.Window <= 0 {
		cfg.Limits = ProductionLimits()
	}
	if cfg.Limits.MaxInFlight <= 0 {
		cfg.Limits.MaxInFlight = ProductionLimits().MaxInFlight
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	if cfg.StockLocation == "" {
		cfg.StockLocation = DefaultStockLocation
	}
	c := &Client{cfg: cfg, system: cfg.System, clock: cfg.Clock, log: cfg.Logger, unitOf: map[string]canonical.UnitCode{},
		orders: newWriteState(), customers: newWriteState(), confirms: newWriteState(), credits: newWriteState()}
	for u, code := range cfg.Units {
		c.unitOf[strings.ToUpper(code)] = u
	}
	switch {
	case cfg.TokenSource != nil:
		c.tokens = cfg.TokenSource
	default:
		cc := cfg.Credentials
		if cc.TokenURL == "" {
			if cfg.TenantID == "" {
				return nil, errors.New("businesscentral: Config.TenantID or Credentials.TokenURL is required")
			}
			cc.TokenURL = "https://login.microsoftonline.com/" + url.PathEscape(cfg.TenantID) + "/oauth2/v2.0/token"
		}
		ts, err := newCredentialsSource(cc, cfg.HTTPClient, cfg.Clock, cfg.Logger, cfg.Retry)
		if err != nil {
			return nil, err
		}
		c.tokens = ts
	}
	api := strings.TrimSuffix(cfg.BaseURL, "/") + "/v2.0/"
	if cfg.TenantID != "" {
		api += url.PathEscape(cfg.TenantID) + "/"
	}
	api += url.PathEscape(cfg.Environment) + "/api/v2.0"
	lim := cfg.Limiter
	if lim == nil {
		lim = newLimiter(cfg.Limits)
	}
	hc, err := httpx.New(httpx.Config{
		System:      cfg.System,
		BaseURL:     api,
		HTTPClient:  cfg.HTTPClient,
		Clock:       cfg.Clock,
		Logger:      cfg.Logger,
		Limiter:     lim,
		Signals:     []httpx.Signal{httpx.RetryAfter},
		MaxInFlight: cfg.Limits.MaxInFlight,
		Retry:       cfg.Retry,
		Auth:        c.authorize,
		Header: http.Header{
			"Accept":     {"application/json"},
			"User-Agent": {"junction-businesscentral/1"},
		},
		ClassifyError: c.classify,
		OnResponse:    c.observe,
	})
	if err != nil {
		return nil, fmt.Errorf("businesscentral: %w", err)
	}
	c.http = hc
	return c, nil
}

// newLimiter builds a token bucket that never sends more than l.Requests
// in any l.Window: a bucket of burst b refilled at r per second sends at
// most b + r×Window in a window, so r takes 95% of the budget and the
// burst the other 5%.
func newLimiter(l Limits) *httpx.Limiter {
	perSec := float64(l.Requests) / l.Window.Seconds()
	burst := max(1, l.Requests/20)
	r := (float64(l.Requests) - float64(burst)) / l.Window.Seconds()
	if r <= 0 {
		r = perSec / 2
	}
	return httpx.NewLimiter(rate.Limit(r), burst)
}

// System returns the system name of the Client's changes and refs.
func (c *Client) System() string { return c.system }

// HTTP returns the underlying API client, for calls this package does not
// wrap; paths are relative to the environment's API v2.0 root, such as
// c.CompanyPath("salesQuotes").
func (c *Client) HTTP() *httpx.Client { return c.http }

// Limiter returns the Limiter that paces the Client's requests.
func (c *Client) Limiter() *httpx.Limiter { return c.http.Limiter() }

// CompanyPath returns the API path of an entity set of the company, such
// as "/companies(…)/salesOrders".
func (c *Client) CompanyPath(set string) string {
	return "/companies(" + c.cfg.CompanyID + ")/" + set
}

// entityPath returns the path of one entity: "/companies(…)/set(id)".
func (c *Client) entityPath(set, id string) string {
	return c.CompanyPath(set) + "(" + id + ")"
}

// authorize sets the bearer token on each attempt.
func (c *Client) authorize(ctx context.Context, req *http.Request) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// observe remembers the token of a successful request, so that a later
// 401 for it is known to be an expiry rather than bad credentials.
func (c *Client) observe(a *httpx.Attempt) {
	if a.Response == nil || a.Request == nil || a.Response.StatusCode/100 != 2 {
		return
	}
	tok, ok := strings.CutPrefix(a.Request.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return
	}
	c.goodMu.Lock()
	c.goodToken = tok
	c.goodMu.Unlock()
}

// Company is a company of the environment.
type Company struct {
	// ID is the company's id, Config.CompanyID.
	ID string `json:"id"`
	// Name and DisplayName are the company's names.
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

// Companies lists the environment's companies, to find a CompanyID.
func (c *Client) Companies(ctx context.Context) ([]Company, error) {
	return readAll[Company](ctx, c, "/companies")
}

// readAll reads every entity of the collection at path, page by page.
func readAll[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	var out []T
	for v, err := range httpx.Paginate[T](ctx, c.http, &httpx.Request{Path: path}, httpx.OData{}) {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// prefer is the Prefer header asking for the configured page size.
func (c *Client) prefer() http.Header {
	return http.Header{"Prefer": {"odata.maxpagesize=" + strconv.Itoa(c.cfg.PageSize)}}
}

// quote writes s as an OData string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ifMatch is the If-Match header for an ETag.
func ifMatch(etag string) http.Header {
	if etag == "" {
		etag = "*"
	}
	return http.Header{"If-Match": {etag}}
}

// writeState is what a sink remembers between writes in this process: the
// newest version applied per key, so an older write is reported Stale, and
// the writes that failed with a Conflict, so the engine's retry of the same
// write applies it on top of the re-read record. Both are bounded.
type writeState struct {
	mu        sync.Mutex
	versions  map[string]connector.Version
	vOrder    []string
	conflicts map[string]bool
	cOrder    []string
	refs      map[string]string // caller's key → Business Central number
	rOrder    []string
}

// maxRemembered bounds each map of a writeState.
const maxRemembered = 10000

func newWriteState() *writeState {
	return &writeState{versions: map[string]connector.Version{}, conflicts: map[string]bool{}, refs: map[string]string{}}
}

// stale reports whether v is older than the newest version applied to key.
func (s *writeState) stale(key string, v connector.Version) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.versions[key]
	if !ok || key == "" || v.IsZero() {
		return false
	}
	c, ok := v.Compare(last)
	return ok && c < 0
}

// applied records a successful write of version v to key, whose record is
// number in Business Central.
func (s *writeState) applied(key string, v connector.Version, number string) {
	if key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if number != "" {
		if _, ok := s.refs[key]; !ok {
			s.rOrder = append(s.rOrder, key)
		}
		s.refs[key] = number
		s.rOrder = evict(s.rOrder, s.refs)
	}
	if v.IsZero() {
		return
	}
	if last, ok := s.versions[key]; ok {
		if c, ok := v.Compare(last); ok && c < 0 {
			return
		}
	} else {
		s.vOrder = append(s.vOrder, key)
	}
	s.versions[key] = v
	s.vOrder = evict(s.vOrder, s.versions)
}

// number returns the Business Central number this process wrote for key.
func (s *writeState) number(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.refs[key]
	return n, ok
}

// conflicted records that the write with idem failed with a Conflict, and
// reports whether it had already: the second attempt is the engine's retry
// after re-reading, which goes ahead on the current record.
func (s *writeState) conflicted(idem string) (again bool) {
	if idem == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conflicts[idem] {
		return true
	}
	s.conflicts[idem] = true
	s.cOrder = append(s.cOrder, idem)
	s.cOrder = evict(s.cOrder, s.conflicts)
	return false
}

// retrying reports whether the write with idem failed with a Conflict
// before.
func (s *writeState) retrying(idem string) bool {
	if idem == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts[idem]
}

// evict drops the oldest keys beyond maxRemembered.
func evict[V any](order []string, m map[string]V) []string {
	for len(order) > maxRemembered {
		delete(m, order[0])
		order = order[1:]
	}
	return order
}
