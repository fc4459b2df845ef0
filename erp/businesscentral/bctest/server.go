package bctest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// Defaults for Options fields left zero.
const (
	// DefaultTenantID is the Microsoft Entra tenant the fake serves.
	DefaultTenantID = "00000000-0000-0000-0000-00000000beef"
	// DefaultEnvironment is the environment name in the URL.
	DefaultEnvironment = "production"
	// DefaultCompanyID is the one company's id.
	DefaultCompanyID = "c0ffee00-0000-4000-8000-000000000001"
	// DefaultCompanyName is the company's name.
	DefaultCompanyName = "CRONUS Test"
	// DefaultClientID and DefaultClientSecret are the app registration's
	// credentials that the token endpoint accepts.
	DefaultClientID     = "bctest-client"
	DefaultClientSecret = "bctest-secret"
	// DefaultScope is the scope a client-credentials token is asked for.
	DefaultScope = "https://api.businesscentral.dynamics.com/.default"
	// DefaultTokenLifetime is how long an access token lives.
	DefaultTokenLifetime = time.Hour
	// DefaultMaxPageSize is Business Central online's server-driven page
	// size: 20,000 entities, which a client can lower per request with
	// Prefer: odata.maxpagesize.
	// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/webservices/server-driven-paging-in-odata-web-services
	DefaultMaxPageSize = 20000
	// DefaultSubscriptionLifetime is how long a webhook subscription lives
	// unless renewed: three days.
	// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/api-reference/v2.0/dynamics-subscriptions
	DefaultSubscriptionLifetime = 72 * time.Hour
	// DefaultHandshakeTimeout is how long the subscriber has to answer the
	// validationToken handshake.
	DefaultHandshakeTimeout = 5 * time.Second
	// DefaultCollectionThreshold is the number of changes to one
	// subscription, in one notification round, above which a single
	// "collection" notification is sent instead (1,000 online).
	DefaultCollectionThreshold = 1000
	// DefaultRetryWindow is how long undelivered notifications are retried
	// (about 36 hours).
	DefaultRetryWindow = 36 * time.Hour
	// DefaultCurrency is the company's local currency.
	DefaultCurrency = "EUR"
)

// RateLimit is a sliding-window request limit per client (service
// principal). Business Central publishes two different figures: 600 OData
// requests a minute per production environment (300 on a sandbox), and
// 6,000 requests in a five-minute sliding window per user; the fake takes
// whichever the test configures. A request over the limit is answered 429.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/operational-limits-online
// https://learn.microsoft.com/training/modules/work-with-api/4-limits
type RateLimit struct {
	// Requests is how many requests are allowed in any Window; 0 means no
	// limit.
	Requests int
	// Window is the sliding window (default one minute).
	Window time.Duration
	// OmitRetryAfter leaves the Retry-After header out of 429 answers.
	// Business Central's documentation does not promise one, so clients
	// must cope without it.
	OmitRetryAfter bool
}

// Faults are switches that make the fake misbehave the way a service can.
type Faults struct {
	// ServerErrors makes the next n API requests fail with 503 before they
	// are looked at.
	ServerErrors int
	// Latency delays every API answer by that much real time.
	Latency time.Duration
}

// Options configures a Server. The zero value is a working environment.
type Options struct {
	// TenantID, Environment and CompanyID name the environment and the one
	// company (defaults DefaultTenantID, DefaultEnvironment,
	// DefaultCompanyID).
	TenantID string
	// Environment is the environment's name in the URL.
	Environment string
	// CompanyID is the one company's id.
	CompanyID string
	// CompanyName is the company's display name.
	CompanyName string
	// Currency is the company's local currency code (default "EUR").
	Currency string
	// ClientID and ClientSecret are the credentials the token endpoint
	// accepts (defaults DefaultClientID, DefaultClientSecret).
	ClientID string
	// ClientSecret is the secret that goes with ClientID.
	ClientSecret string
	// TokenLifetime is how long an issued access token is valid on Clock
	// (default DefaultTokenLifetime).
	TokenLifetime time.Duration
	// Clock stamps records, expires tokens and subscriptions, and runs the
	// rate limit's window (default the system clock). Share a
	// connectortest.Clock with the client under test to run days in
	// microseconds.
	Clock connector.Clock
	// MaxPageSize is the server-driven page size (default
	// DefaultMaxPageSize); a request's Prefer: odata.maxpagesize can only
	// lower it.
	MaxPageSize int
	// RateLimit limits requests per client; zero means none.
	RateLimit RateLimit
	// StaleETagStatus is the status of a write whose If-Match no longer
	// matches: 409 (default, with the code Request_EntityChanged, as the
	// OData stack maps its concurrency exception) or 412.
	StaleETagStatus int
	// AllowTimestampTies lets several records share one
	// lastModifiedDateTime, as changes in the same millisecond do in
	// Business Central. By default every change gets a later time than the
	// one before, so tests can order versions by time.
	AllowTimestampTies bool
	// SubscriptionLifetime, HandshakeTimeout, CollectionThreshold and
	// RetryWindow shape webhook subscriptions (defaults
	// DefaultSubscriptionLifetime, DefaultHandshakeTimeout,
	// DefaultCollectionThreshold and DefaultRetryWindow).
	SubscriptionLifetime time.Duration
	// HandshakeTimeout bounds the subscriber's answer to a handshake.
	HandshakeTimeout time.Duration
	// CollectionThreshold is the number of changes above which one
	// collection notification is sent.
	CollectionThreshold int
	// RetryWindow is how long failed notifications are retried.
	RetryWindow time.Duration
	// WebhookClient sends handshakes and notifications (default an
	// http.Client with HandshakeTimeout as its timeout).
	WebhookClient *http.Client
	// Logger receives a line per request (default: discard).
	Logger *slog.Logger
	// Faults are the initial fault switches; change them with SetFaults.
	Faults Faults
}

// Stats counts what the fake has served.
type Stats struct {
	// Requests counts API requests that passed authentication and the rate
	// limit (token requests excluded).
	Requests int
	// Throttled counts answers 429.
	Throttled int
	// ServerErrors counts injected 503 answers.
	ServerErrors int
	// Unauthorized counts answers 401.
	Unauthorized int
	// Tokens counts access tokens issued.
	Tokens int
	// FirstRequest and LastRequest are the Clock times of the first and the
	// last request counted in Requests.
	FirstRequest, LastRequest time.Time
	// Notifications counts notification POSTs sent to subscribers, and
	// Handshakes the validationToken requests.
	Notifications, Handshakes int
}

// Server is a fake Dynamics 365 Business Central environment serving API
// v2.0 over HTTP, with a Microsoft Entra style token endpoint, for tests.
// Create one with NewServer and Close it when done. All methods are safe
// for concurrent use.
type Server struct {
	// URL is the root of the fake, standing in for
	// https://api.businesscentral.dynamics.com.
	URL string
	// APIURL is the API v2.0 root of the environment:
	// URL + "/v2.0/{tenant}/{environment}/api/v2.0".
	APIURL string
	// TokenURL is the OAuth 2.0 token endpoint, standing in for
	// https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token.
	TokenURL string
	// TenantID, Environment and CompanyID name the environment and its
	// company.
	TenantID string
	// Environment is the environment's name.
	Environment string
	// CompanyID is the company's id.
	CompanyID string
	// ClientID and ClientSecret are the credentials the token endpoint
	// accepts.
	ClientID string
	// ClientSecret is the secret that goes with ClientID.
	ClientSecret string
	// Scope is the scope to ask a token for.
	Scope string

	hs    *httptest.Server
	opts  Options
	clock connector.Clock
	log   *slog.Logger
	wh    *http.Client

	mu         sync.Mutex
	faults     Faults
	stats      Stats
	tokens     map[string]issuedToken
	windows    map[string][]time.Time // client ID → request times in the window
	lastStamp  time.Time
	version    int64
	customers  []*customer
	items      []*item
	orders     []*order
	shipments  []*shipment
	invoices   []*invoice
	memos      []*creditMemo
	ledger     []*ledgerEntry
	subs       []*subscription
	nextNumber map[string]int
}

type issuedToken struct {
	client  string
	expires time.Time
}

// NewServer starts a fake environment. Close it when done.
func NewServer(opts Options) *Server {
	if opts.TenantID == "" {
		opts.TenantID = DefaultTenantID
	}
	if opts.Environment == "" {
		opts.Environment = DefaultEnvironment
	}
	if opts.CompanyID == "" {
		opts.CompanyID = DefaultCompanyID
	}
	if opts.CompanyName == "" {
		opts.CompanyName = DefaultCompanyName
	}
	if opts.Currency == "" {
		opts.Currency = DefaultCurrency
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Clock == nil {
		opts.Clock = connector.SystemClock()
	}
	if opts.MaxPageSize <= 0 {
		opts.MaxPageSize = DefaultMaxPageSize
	}
	if opts.RateLimit.Window <= 0 {
		opts.RateLimit.Window = time.Minute
	}
	if opts.StaleETagStatus != http.StatusPreconditionFailed {
		opts.StaleETagStatus = http.StatusConflict
	}
	if opts.SubscriptionLifetime <= 0 {
		opts.SubscriptionLifetime = DefaultSubscriptionLifetime
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if opts.CollectionThreshold <= 0 {
		opts.CollectionThreshold = DefaultCollectionThreshold
	}
	if opts.RetryWindow <= 0 {
		opts.RetryWindow = DefaultRetryWindow
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:       opts,
		clock:      opts.Clock,
		log:        opts.Logger,
		wh:         opts.WebhookClient,
		faults:     opts.Faults,
		tokens:     map[string]issuedToken{},
		windows:    map[string][]time.Time{},
		nextNumber: map[string]int{},
	}
	if s.wh == nil {
		s.wh = &http.Client{Timeout: opts.HandshakeTimeout}
	}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.hs.URL
	s.TenantID, s.Environment, s.CompanyID = opts.TenantID, opts.Environment, opts.CompanyID
	s.ClientID, s.ClientSecret, s.Scope = opts.ClientID, opts.ClientSecret, DefaultScope
	s.APIURL = s.URL + "/v2.0/" + opts.TenantID + "/" + opts.Environment + "/api/v2.0"
	s.TokenURL = s.URL + "/" + opts.TenantID + "/oauth2/v2.0/token"
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.hs.Close() }

// Client returns an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// SetFaults replaces the fault switches.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Stats returns what the fake has served so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// SetRateLimit replaces the rate limit, and forgets the requests counted so
// far.
func (s *Server) SetRateLimit(rl RateLimit) {
	if rl.Window <= 0 {
		rl.Window = time.Minute
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts.RateLimit = rl
	s.windows = map[string][]time.Time{}
}

// RevokeTokens invalidates every access token issued so far, as a secret
// rotation or a revoked consent does; the next API request with one of them
// is answered 401.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]issuedToken{}
}

// ---- HTTP ----

// apiError is an OData error answer.
type apiError struct {
	status  int
	code    string
	message string
	header  http.Header
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	for k, vs := range e.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.WriteHeader(e.status)
	body, _ := json.Marshal(map[string]any{"error": map[string]string{"code": e.code, "message": e.message}})
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, errorf(http.StatusInternalServerError, "Internal_ServerError", "encode: %v", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/"+s.opts.TenantID+"/oauth2/v2.0/token" {
		s.serveToken(w, r)
		return
	}
	rest, ok := s.apiPath(r.URL.Path)
	if !ok {
		writeError(w, errorf(http.StatusNotFound, "BadRequest_NotFound", "No HTTP resource was found that matches the request URI '%s'.", r.URL.Path))
		return
	}
	if e := s.admit(r); e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	latency := s.faults.Latency
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.route(w, r, rest)
}

// apiPath strips "/v2.0/{tenant}/{environment}/api/v2.0/" (the tenant
// segment may be left out) and returns the rest.
func (s *Server) apiPath(p string) (string, bool) {
	for _, prefix := range []string{
		"/v2.0/" + s.opts.TenantID + "/" + s.opts.Environment + "/api/v2.0",
		"/v2.0/" + s.opts.Environment + "/api/v2.0",
	} {
		if rest, ok := strings.CutPrefix(p, prefix); ok && (rest == "" || rest[0] == '/') {
			return strings.TrimPrefix(rest, "/"), true
		}
	}
	return "", false
}

// admit checks the bearer token, the injected faults and the rate limit,
// and counts the request.
func (s *Server) admit(r *http.Request) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	auth := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	it, known := s.tokens[tok]
	if !ok || !known || !now.Before(it.expires) {
		s.stats.Unauthorized++
		e := errorf(http.StatusUnauthorized, "Authentication_InvalidCredentials", "The server has rejected the client credentials.")
		if known && !now.Before(it.expires) {
			e = errorf(http.StatusUnauthorized, "Authentication_TokenExpired", "The access token has expired.")
		}
		e.header = http.Header{"Www-Authenticate": {`Bearer realm="", error="invalid_token"`}}
		return e
	}
	if s.faults.ServerErrors > 0 {
		s.faults.ServerErrors--
		s.stats.ServerErrors++
		return errorf(http.StatusServiceUnavailable, "Internal_ServiceUnavailable", "The service is temporarily unavailable.")
	}
	if rl := s.opts.RateLimit; rl.Requests > 0 {
		win := s.windows[it.client]
		cut := 0
		for cut < len(win) && !win[cut].After(now.Add(-rl.Window)) {
			cut++
		}
		win = win[cut:]
		if len(win) >= rl.Requests {
			s.windows[it.client] = win
			s.stats.Throttled++
			// The fake's own code: Business Central documents the status,
			// not the code, of a throttled request.
			e := errorf(http.StatusTooManyRequests, "TooManyRequests", "The number of requests exceeded %d in %s.", rl.Requests, rl.Window)
			if !rl.OmitRetryAfter {
				wait := win[0].Add(rl.Window).Sub(now)
				e.header = http.Header{"Retry-After": {strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))}}
			}
			return e
		}
		s.windows[it.client] = append(win, now)
	}
	s.stats.Requests++
	if s.stats.FirstRequest.IsZero() {
		s.stats.FirstRequest = now
	}
	s.stats.LastRequest = now
	return nil
}

// serveToken is the OAuth 2.0 client-credentials token endpoint (RFC 6749
// section 4.4) as Microsoft Entra ID answers it.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	oauthErr := func(status int, code, desc string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		body, _ := json.Marshal(map[string]string{"error": code, "error_description": desc})
		_, _ = w.Write(body)
	}
	if r.Method != http.MethodPost {
		oauthErr(http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts POST only.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthErr(http.StatusBadRequest, "invalid_request", "The request body must be a form.")
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok {
		id, secret = u, p
	}
	switch {
	case r.PostForm.Get("grant_type") != "client_credentials":
		oauthErr(http.StatusBadRequest, "unsupported_grant_type", "The grant type must be client_credentials.")
		return
	case id != s.opts.ClientID || secret != s.opts.ClientSecret:
		oauthErr(http.StatusUnauthorized, "invalid_client", "Invalid client secret provided.")
		return
	case r.PostForm.Get("scope") != DefaultScope:
		oauthErr(http.StatusBadRequest, "invalid_scope", "The scope must be "+DefaultScope+".")
		return
	}
	tok := randomToken()
	s.mu.Lock()
	s.tokens[tok] = issuedToken{client: id, expires: s.clock.Now().Add(s.opts.TokenLifetime)}
	s.stats.Tokens++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	body, _ := json.Marshal(map[string]any{
		"token_type":     "Bearer",
		"expires_in":     int(s.opts.TokenLifetime.Seconds()),
		"ext_expires_in": int(s.opts.TokenLifetime.Seconds()),
		"access_token":   tok,
	})
	_, _ = w.Write(body)
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// newGUID returns a random version 4 GUID.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ---- bookkeeping (s.mu held) ----

// stamp returns the time of a change: the clock, in milliseconds, and
// later than the previous change unless ties are allowed.
func (s *Server) stamp() time.Time {
	t := s.clock.Now().UTC().Truncate(time.Millisecond)
	if !s.opts.AllowTimestampTies && !t.After(s.lastStamp) {
		t = s.lastStamp.Add(time.Millisecond)
	}
	if t.After(s.lastStamp) {
		s.lastStamp = t
	}
	return t
}

// nextVersion returns a new version number for an ETag.
func (s *Server) nextVersion() int64 {
	s.version++
	return s.version
}

// etag renders a weak ETag, opaque as Business Central's are.
func etag(v int64) string {
	return `W/"` + base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("'%d;%d;'", v*7919+1, v))) + `"`
}

// number returns the next document number of a series.
func (s *Server) number(series string) string {
	start := map[string]int{"customer": 10000, "order": 101001, "shipment": 102001, "invoice": 103001, "item": 1000,
		"memo": 1001, "postedMemo": 104001}
	n, ok := s.nextNumber[series]
	if !ok {
		n = start[series]
	}
	s.nextNumber[series] = n + 1
	switch series {
	case "customer":
		return fmt.Sprintf("C%05d", n)
	case "item":
		return fmt.Sprintf("%d-S", n)
	}
	return strconv.Itoa(n)
}

// now returns the clock.
func (s *Server) now() time.Time { return s.clock.Now().UTC() }

// today returns the clock's date.
func (s *Server) today() canonical.Date { return canonical.DateOf(s.now()) }

// companyURL is the API URL of the company.
func (s *Server) companyURL() string {
	return s.APIURL + "/companies(" + s.opts.CompanyID + ")"
}

// contextURL is the @odata.context of a collection.
func (s *Server) contextURL(set string) string {
	return s.APIURL + "/$metadata#companies(" + s.opts.CompanyID + ")/" + set
}
