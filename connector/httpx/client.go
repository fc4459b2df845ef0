package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"

	"github.com/junctionhq/junction/connector"
)

// Defaults used when the corresponding Config or Retry field is zero.
const (
	DefaultMaxInFlight       = 8
	DefaultMaxResponseBytes  = 10 << 20 // 10 MiB
	DefaultMaxErrorBodyBytes = 64 << 10 // 64 KiB
	DefaultTimeout           = 60 * time.Second
	DefaultMaxAttempts       = 4
	DefaultMaxElapsed        = 2 * time.Minute
	DefaultInitialInterval   = 500 * time.Millisecond
	DefaultMaxInterval       = 30 * time.Second
	DefaultMultiplier        = 2.0
	DefaultJitter            = 0.5
	DefaultMaxWait           = time.Minute
)

// Config configures a Client. Only System and BaseURL usually need setting;
// every other zero field takes the documented default.
type Config struct {
	// System names the remote system in errors and logs, such as "shopify".
	System string
	// BaseURL is joined with each Request.Path, such as
	// "https://api.example.com/v2". Absolute request URLs are used as they are.
	BaseURL string
	// HTTPClient sends the requests. Default: a new http.Client with a
	// DefaultTimeout timeout. Its Timeout bounds each attempt, body included.
	HTTPClient *http.Client
	// Clock times every wait: limiter pauses, backoff and Retry-After.
	// Default: connector.SystemClock().
	Clock connector.Clock
	// Logger receives one record per attempt. Default: no logging.
	Logger *slog.Logger

	// Limiter paces requests. Share one Limiter between Clients that spend the
	// same quota. Default: NewLimiter(rate.Inf, 1), a Limiter of its own
	// with no fixed rate, which follows the rate and pauses the server's
	// responses advertise.
	Limiter *Limiter
	// Signals read rate-limit information from each response and feed it to
	// the Limiter. Default: DefaultSignals(). Set a non-nil empty slice to
	// ignore the server's rate-limit headers.
	Signals []Signal
	// MaxInFlight bounds the requests this Client has in flight at once,
	// counting those waiting on the Limiter. Default: DefaultMaxInFlight.
	MaxInFlight int
	// Retry bounds retries.
	Retry Retry

	// Auth authenticates each attempt, so that a token source can refresh an
	// expired token between retries.
	Auth AuthFunc
	// Admit runs before each attempt is sent, after Auth: a platform's own
	// admission control, such as Shopify's query-cost bucket, waits here on
	// the injected clock. An error fails the attempt with its kind
	// (Transient when it has none).
	Admit AuthFunc
	// Header holds static headers sent with every request, such as a
	// User-Agent or an API version.
	Header http.Header
	// IdempotencyHeader names the header carrying idempotency keys.
	// Default: DefaultIdempotencyHeader ("Idempotency-Key").
	IdempotencyHeader string
	// AutoIdempotencyKey gives every POST and PATCH without a key a fresh one
	// (NewIdempotencyKey), making it safe to retry. Enable it only for servers
	// that honour the header.
	AutoIdempotencyKey bool

	// MaxResponseBytes caps a successful response body; a larger body is an
	// Invalid error naming the limit. Default: DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// MaxErrorBodyBytes caps the error body kept in connector.Error.Body; the
	// rest is dropped. Default: DefaultMaxErrorBodyBytes.
	MaxErrorBodyBytes int64
	// ClassifyError refines the error built for a non-2xx response, such as
	// reading an OData {"error":{"code","message"}} body into Code and
	// Message, or turning a platform code into a kind.
	ClassifyError ErrorClassifier
	// CheckResponse inspects each 2xx response for a logical error, such as
	// Shopify's GraphQL THROTTLED answered with HTTP 200.
	CheckResponse ResponseCheck

	// OnRequest is called just before each attempt is sent, and OnResponse
	// after it, for metrics and tracing. They run on the calling goroutine
	// and may be called concurrently from several calls.
	OnRequest, OnResponse Hook
}

// Retry bounds how a Client retries. Zero fields take the defaults.
type Retry struct {
	// MaxAttempts is the most attempts per call, the first included; 1
	// disables retries. Default: DefaultMaxAttempts.
	MaxAttempts int
	// MaxElapsed bounds the time from the start of a call to the start of its
	// last retry. Default: DefaultMaxElapsed.
	MaxElapsed time.Duration
	// InitialInterval, MaxInterval and Multiplier shape the exponential
	// backoff used when the server gives no Retry-After.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	Multiplier      float64
	// Jitter is the backoff's randomization factor: each wait is drawn from
	// [1-Jitter, 1+Jitter] times the interval. Zero means DefaultJitter; a
	// negative value means no jitter.
	Jitter float64
	// MaxWait is the longest single wait the Client sleeps, whether asked by
	// Retry-After or by the Limiter. When the server asks for longer, the call
	// fails at once with a RateLimited error whose RetryAfter says how long,
	// so the caller (the flow engine) can reschedule rather than hold a
	// goroutine. Default: DefaultMaxWait.
	MaxWait time.Duration
}

// AuthFunc authenticates an outgoing request, typically by setting its
// Authorization header. It is called on every attempt. An error stops the
// attempt; a *connector.Error keeps its kind and other errors are Unauthorized.
type AuthFunc func(ctx context.Context, req *http.Request) error

// ErrorClassifier refines e, the error the Client built for a non-2xx response:
// e.Status, e.Body (capped), e.Kind (from connector.KindForStatus), e.Code and
// e.Message (from the common JSON error shapes) and e.RetryAfter are set. It
// may change any field. resp.Body has been read and closed; use e.Body.
type ErrorClassifier func(e *connector.Error, resp *http.Response)

// ResponseCheck inspects a 2xx response and its body (already read) and returns
// an error when the call failed in substance. A *connector.Error keeps its kind,
// so a RateLimited or Transient one (with RetryAfter, when known) is retried
// like a 429; other errors are Invalid.
type ResponseCheck func(resp *http.Response, body []byte) error

// Hook observes an attempt; see Config.OnRequest and Config.OnResponse.
type Hook func(a *Attempt)

// Attempt describes one try of a call, for hooks.
type Attempt struct {
	// Op is the operation, such as "GET /v2/orders".
	Op string
	// Number counts attempts from 1.
	Number int
	// Request is the request as sent, after Auth. Hooks may add headers in
	// OnRequest (such as a trace context) but must not replace the body. It
	// is nil in OnResponse when the attempt failed before sending (a done
	// context, a limiter wait beyond Retry.MaxWait, an Auth error).
	Request *http.Request
	// Response is the response, nil in OnRequest and when no response came.
	// Its Body has been read; the bytes are in Body.
	Response *http.Response
	// Body is the response body as read (capped).
	Body []byte
	// Err is the attempt's failure (a *connector.Error), or nil.
	Err error
	// Wait is the time waited before this attempt: backoff and Limiter.
	Wait time.Duration
	// Duration runs from sending the request to the end of its body.
	Duration time.Duration
}

// Request is one logical call. Retries resend it unchanged.
type Request struct {
	// Method defaults to GET.
	Method string
	// Path is joined with Config.BaseURL, or used as is when it is an
	// absolute URL (a next-page link). It may carry a query.
	Path string
	// Query is added to the URL's query.
	Query url.Values
	// Header is added to Config.Header for this call.
	Header http.Header
	// Body is sent with the request: []byte as is (Content-Type
	// application/json unless Header says otherwise), url.Values as a form,
	// anything else encoded as JSON. It is encoded once, before the first
	// attempt.
	Body any
	// IdempotencyKey is sent in the idempotency header on every attempt and
	// makes a POST or PATCH safe to retry. Pass the flow engine's key for the
	// record, so that even a retry by the engine is recognised by the server.
	IdempotencyKey string
	// Idempotent marks a POST or PATCH as safe to repeat without a key, such
	// as a GraphQL query or a search.
	Idempotent bool
	// Cost is how many Limiter tokens the call takes; default 1. Cost-based
	// APIs (GraphQL query cost) set it.
	Cost int
}

// clone copies r deeply enough that changing the copy's Query or Header does
// not change r.
func (r *Request) clone() *Request {
	c := *r
	if r.Query != nil {
		c.Query = make(url.Values, len(r.Query))
		for k, v := range r.Query {
			c.Query[k] = append([]string(nil), v...)
		}
	}
	c.Header = r.Header.Clone()
	return &c
}

// Response is a successful (2xx or 304) response with its body read.
type Response struct {
	// Status is the HTTP status code.
	Status int
	// Header holds the response headers.
	Header http.Header
	// Body is the response body, at most Config.MaxResponseBytes long.
	Body []byte
	// URL is the URL the request was sent to.
	URL *url.URL
	// Attempts counts the attempts the call took.
	Attempts int

	system, op string
}

// Decode unmarshals the JSON body into v. An empty body leaves v unchanged.
// Errors are *connector.Error as described at Client.DoJSON.
func (r *Response) Decode(v any) error {
	if len(r.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return decodeError(r.system, r.op, RedactURL(r.URL), r.Status, "", err, r.Body, DefaultMaxErrorBodyBytes)
	}
	return nil
}

// Client is a rate-limited, retrying HTTP/JSON client for one remote system.
// It is safe for concurrent use by many goroutines; create one per system (or
// per tenant) and share it.
type Client struct {
	system     string
	base       *url.URL
	hc         *http.Client
	clock      connector.Clock
	log        *slog.Logger
	lim        *Limiter
	signals    []Signal
	sem        *semaphore.Weighted
	retry      Retry
	auth       AuthFunc
	admit      AuthFunc
	header     http.Header
	idemHeader string
	autoKey    bool
	maxBody    int64
	maxErrBody int64
	classify   ErrorClassifier
	check      ResponseCheck
	onReq      Hook
	onResp     Hook
}

// New returns a Client for cfg. It fails only when BaseURL does not parse as an
// absolute URL.
func New(cfg Config) (*Client, error) {
	c := &Client{
		system:     cfg.System,
		hc:         cfg.HTTPClient,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		lim:        cfg.Limiter,
		signals:    cfg.Signals,
		retry:      cfg.Retry,
		auth:       cfg.Auth,
		admit:      cfg.Admit,
		header:     cfg.Header.Clone(),
		idemHeader: cfg.IdempotencyHeader,
		autoKey:    cfg.AutoIdempotencyKey,
		maxBody:    cfg.MaxResponseBytes,
		maxErrBody: cfg.MaxErrorBodyBytes,
		classify:   cfg.ClassifyError,
		check:      cfg.CheckResponse,
		onReq:      cfg.OnRequest,
		onResp:     cfg.OnResponse,
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return nil, fmt.Errorf("httpx: BaseURL %q is not an absolute URL", cfg.BaseURL)
		}
		c.base = u
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	if c.clock == nil {
		c.clock = connector.SystemClock()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.lim == nil {
		c.lim = NewLimiter(rate.Inf, 1)
	}
	if c.signals == nil {
		c.signals = DefaultSignals()
	}
	n := cfg.MaxInFlight
	if n <= 0 {
		n = DefaultMaxInFlight
	}
	c.sem = semaphore.NewWeighted(int64(n))
	if c.header == nil {
		c.header = http.Header{}
	}
	if c.idemHeader == "" {
		c.idemHeader = DefaultIdempotencyHeader
	}
	c.idemHeader = http.CanonicalHeaderKey(c.idemHeader)
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.maxErrBody <= 0 {
		c.maxErrBody = DefaultMaxErrorBodyBytes
	}
	r := &c.retry
	if r.MaxAttempts <= 0 {
		r.MaxAttempts = DefaultMaxAttempts
	}
	if r.MaxElapsed <= 0 {
		r.MaxElapsed = DefaultMaxElapsed
	}
	if r.InitialInterval <= 0 {
		r.InitialInterval = DefaultInitialInterval
	}
	if r.MaxInterval <= 0 {
		r.MaxInterval = DefaultMaxInterval
	}
	if r.Multiplier < 1 {
		r.Multiplier = DefaultMultiplier
	}
	switch {
	case r.Jitter == 0:
		r.Jitter = DefaultJitter
	case r.Jitter < 0:
		r.Jitter = 0
	case r.Jitter > 1:
		r.Jitter = 1
	}
	if r.MaxWait <= 0 {
		r.MaxWait = DefaultMaxWait
	}
	return c, nil
}

// Limiter returns the Client's Limiter, so that a platform package can feed it
// signals that do not come from response headers.
func (c *Client) Limiter() *Limiter { return c.lim }

// Do sends r, retrying as Config.Retry allows, and returns the 2xx (or 304)
// response with its body read. Every failure is a *connector.Error with System,
// Op ("GET /path"), Kind and, when there was a response, Status and Body:
//
//   - network errors and timeouts are Transient;
//   - 429 is RateLimited with RetryAfter from the Retry-After header;
//   - 5xx is Transient, other statuses follow connector.KindForStatus;
//   - a response body over Config.MaxResponseBytes is Invalid.
//
// Only safe calls are retried: GET, HEAD, PUT, DELETE and OPTIONS always, POST
// and PATCH only with an idempotency key or Request.Idempotent. A cancelled ctx
// ends any wait at once.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	resp, err := c.do(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// DoJSON sends r like Do and decodes the JSON response into out (unless out is
// nil or the body is empty). Decoding happens within the call, so a malformed
// body is retried like a network error. Decode failures are *connector.Error
// naming the URL, the status and the JSON field:
//
//   - malformed JSON (a *json.SyntaxError, with its offset) is Transient: a
//     server that answers half a document or an HTML error page with 200 is
//     having trouble, and the same call may well succeed later;
//   - well-formed JSON of the wrong shape (a *json.UnmarshalTypeError) is
//     Invalid, with the field path in Fields: retrying cannot fix it.
func (c *Client) DoJSON(ctx context.Context, r *Request, out any) error {
	_, err := c.do(ctx, r, out)
	if err != nil {
		return err
	}
	return nil
}

// GetJSON sends GET path with query and decodes the JSON response into out.
func (c *Client) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	return c.DoJSON(ctx, &Request{Method: http.MethodGet, Path: path, Query: query}, out)
}

// PostJSON sends POST path with in encoded as JSON and decodes the response into
// out. It is retried only when Config.AutoIdempotencyKey is set; use DoJSON with
// Request.IdempotencyKey to pass a key of your own.
func (c *Client) PostJSON(ctx context.Context, path string, in, out any) error {
	return c.DoJSON(ctx, &Request{Method: http.MethodPost, Path: path, Body: in}, out)
}

// call is a Request made ready to send: URL resolved, body encoded, key chosen.
type call struct {
	method    string
	url       *url.URL
	op        string // "GET /path"
	where     string // redacted path and query, for messages and logs; see redacted
	header    http.Header
	body      []byte
	ctype     string
	key       string
	retryable bool
	cost      int
}

func (c *Client) prepare(r *Request) (*call, error) {
	k := &call{method: strings.ToUpper(r.Method), header: r.Header, cost: r.Cost}
	if k.method == "" {
		k.method = http.MethodGet
	}
	if k.cost <= 0 {
		k.cost = 1
	}
	u, err := c.resolve(r.Path, r.Query)
	if err != nil {
		return nil, &connector.Error{Kind: connector.Invalid, System: c.system, Op: k.method + " " + redactURLString(r.Path),
			Message: err.Error(), Err: err}
	}
	k.url = u
	k.op = k.method + " " + u.EscapedPath()
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		k.body, k.ctype = b, "application/json"
	case url.Values:
		k.body, k.ctype = []byte(b.Encode()), "application/x-www-form-urlencoded"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, &connector.Error{Kind: connector.Invalid, System: c.system, Op: k.op,
				Message: "encode request body: " + err.Error(), Err: err}
		}
		k.body, k.ctype = data, "application/json"
	}
	k.key = r.IdempotencyKey
	if k.key == "" {
		k.key = r.Header.Get(c.idemHeader)
	}
	switch k.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		k.retryable = true
	case http.MethodPost, http.MethodPatch:
		if k.key == "" && c.autoKey {
			k.key = NewIdempotencyKey()
		}
		k.retryable = k.key != "" || r.Idempotent
	default:
		k.retryable = r.Idempotent
	}
	return k, nil
}

// redacted returns the call's URL for messages and logs, computed on first use:
// a successful call with debug logging off never needs it.
func (k *call) redacted() string {
	if k.where == "" {
		k.where = RedactURL(k.url)
	}
	return k.where
}

// resolve joins p to the base URL and adds q.
func (c *Client) resolve(p string, q url.Values) (*url.URL, error) {
	ref, err := url.Parse(p)
	if err != nil {
		// url.Parse quotes the whole string, secrets and all: say less.
		return nil, errors.New("request path does not parse as a URL")
	}
	var u *url.URL
	switch {
	case ref.IsAbs():
		u = ref
	case c.base == nil:
		return nil, fmt.Errorf("relative path %q needs Config.BaseURL", redactURLString(p))
	default:
		u = c.base.JoinPath(ref.EscapedPath())
		if strings.HasSuffix(ref.Path, "/") && !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		if !strings.HasPrefix(u.Path, "/") {
			u.Path = "/" + u.Path
			if u.RawPath != "" {
				u.RawPath = "/" + u.RawPath
			}
		}
		u.RawQuery = joinQuery(c.base.RawQuery, ref.RawQuery)
		u.Fragment, u.RawFragment = "", ""
	}
	if len(q) > 0 {
		u.RawQuery = joinQuery(u.RawQuery, q.Encode())
	}
	return u, nil
}

func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

// do runs the attempts of one call. out, when non-nil, receives the decoded
// JSON body inside the attempt, so that malformed bodies are retried.
func (c *Client) do(ctx context.Context, r *Request, out any) (*Response, error) {
	k, err := c.prepare(r)
	if err != nil {
		return nil, err
	}
	start := c.clock.Now()
	var bo *backoff.ExponentialBackOff
	var slept time.Duration
	for n := 1; ; n++ {
		resp, a, cerr := c.attempt(ctx, k, n, slept, out)
		if cerr == nil {
			c.logAttempt(ctx, k, a, nil, false, 0)
			return resp, nil
		}
		wait, again := c.nextWait(k, n, cerr, start, &bo)
		c.logAttempt(ctx, k, a, cerr, again, wait)
		if !again {
			return nil, cerr
		}
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, &connector.Error{Kind: connector.Transient, System: c.system, Op: k.op,
				Message: fmt.Sprintf("stopped waiting %v to retry (%v) after: %s", wait, err, cerr.Message),
				Status:  cerr.Status, Err: err}
		}
		slept = wait
	}
}

// nextWait decides whether attempt n's failure is retried, and after how long.
// A done context is left to the sleep, which then fails at once, so that the
// error says the call was cancelled.
func (c *Client) nextWait(k *call, n int, cerr *connector.Error, start time.Time, bo **backoff.ExponentialBackOff) (time.Duration, bool) {
	if !k.retryable || n >= c.retry.MaxAttempts {
		return 0, false
	}
	if cerr.Kind != connector.Transient && cerr.Kind != connector.RateLimited {
		return 0, false
	}
	d := cerr.RetryAfter
	if d <= 0 {
		if *bo == nil {
			*bo = &backoff.ExponentialBackOff{
				InitialInterval:     c.retry.InitialInterval,
				RandomizationFactor: c.retry.Jitter,
				Multiplier:          c.retry.Multiplier,
				MaxInterval:         c.retry.MaxInterval,
				Stop:                backoff.Stop,
				Clock:               c.clock, // elapsed time is bounded here, not by backoff
			}
			(*bo).Reset()
		}
		d = (*bo).NextBackOff()
		if d == backoff.Stop {
			return 0, false
		}
	}
	if d > c.retry.MaxWait {
		return 0, false
	}
	if c.clock.Now().Sub(start)+d > c.retry.MaxElapsed {
		return 0, false
	}
	return d, true
}

// attempt makes one try: in-flight slot, limiter, auth, send, read, classify.
func (c *Client) attempt(ctx context.Context, k *call, n int, slept time.Duration, out any) (*Response, *Attempt, *connector.Error) {
	a := &Attempt{Op: k.op, Number: n, Wait: slept}
	fail := func(e *connector.Error) (*Response, *Attempt, *connector.Error) {
		a.Err = e
		if c.onResp != nil {
			c.onResp(a)
		}
		return nil, a, e
	}
	if err := c.sem.Acquire(ctx, 1); err != nil {
		return fail(c.newError(k, connector.Transient, "waiting for an in-flight slot: "+err.Error(), err))
	}
	held := true
	release := func() {
		if held {
			held = false
			c.sem.Release(1)
		}
	}
	defer release()

	waited, err := c.lim.wait(ctx, c.clock, k.cost, c.retry.MaxWait)
	a.Wait += waited
	if err == nil {
		// Settle once the response (or failure) has been observed.
		defer c.lim.settle()
	}
	if err != nil {
		var tl *waitTooLong
		switch {
		case errors.As(err, &tl):
			e := c.newError(k, connector.RateLimited, err.Error(), nil)
			e.RetryAfter = tl.d
			return fail(e)
		case ctx.Err() != nil:
			return fail(c.newError(k, connector.Transient, "waiting for the rate limiter: "+err.Error(), err))
		default:
			return fail(c.newError(k, connector.Invalid, err.Error(), nil))
		}
	}

	req, err := c.newHTTPRequest(ctx, k)
	if err != nil {
		return fail(c.newError(k, connector.Invalid, "build request: "+err.Error(), err))
	}
	if c.auth != nil {
		if err := c.auth(ctx, req); err != nil {
			kind := connector.KindOf(err)
			if kind == connector.Unknown {
				kind = connector.Unauthorized
			}
			return fail(c.newError(k, kind, "authenticate: "+err.Error(), err))
		}
	}
	if c.admit != nil {
		if err := c.admit(ctx, req); err != nil {
			kind := connector.KindOf(err)
			if kind == connector.Unknown {
				kind = connector.Transient
			}
			return fail(c.newError(k, kind, "admit: "+err.Error(), err))
		}
	}
	a.Request = req
	if c.onReq != nil {
		c.onReq(a)
	}

	t0 := c.clock.Now()
	hresp, err := c.hc.Do(req)
	if err != nil {
		a.Duration = c.clock.Now().Sub(t0)
		return fail(c.transportError(ctx, k, err))
	}
	ok := hresp.StatusCode/100 == 2 || hresp.StatusCode == http.StatusNotModified
	limit := c.maxBody
	if !ok {
		limit = c.maxErrBody
	}
	body, over, rerr := readBody(hresp.Body, limit, hresp.ContentLength)
	hresp.Body.Close()
	hresp.Body = http.NoBody
	release()
	now := c.clock.Now()
	a.Duration = now.Sub(t0)
	a.Response, a.Body = hresp, body
	c.observe(hresp, body, now)

	switch {
	case rerr != nil:
		e := c.transportError(ctx, k, rerr)
		e.Message = "read response body: " + e.Message
		e.Status = hresp.StatusCode
		return fail(e)
	case !ok:
		return fail(c.statusError(k, hresp, body, now))
	case over:
		e := c.newError(k, connector.Invalid, fmt.Sprintf("response to %s (HTTP %d) exceeds the limit of %d bytes",
			k.redacted(), hresp.StatusCode, c.maxBody), nil)
		e.Status = hresp.StatusCode
		return fail(e)
	}
	if c.check != nil {
		if err := c.check(hresp, body); err != nil {
			return fail(c.checkError(k, hresp, body, err))
		}
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return fail(decodeError(c.system, k.op, k.redacted(), hresp.StatusCode, "", err, body, c.maxErrBody))
		}
	}
	if c.onResp != nil {
		c.onResp(a)
	}
	return &Response{Status: hresp.StatusCode, Header: hresp.Header, Body: body, URL: k.url,
		Attempts: n, system: c.system, op: k.op}, a, nil
}

// newHTTPRequest builds the request for one attempt, with fresh headers so that
// Auth and hooks can change them freely.
func (c *Client) newHTTPRequest(ctx context.Context, k *call) (*http.Request, error) {
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	// The URL is already parsed: give the request a copy rather than a string
	// to parse again. With req.Host empty the transport uses URL.Host.
	req, err := http.NewRequestWithContext(ctx, k.method, "", body)
	if err != nil {
		return nil, err
	}
	u := *k.url
	req.URL = &u
	h := make(http.Header, len(c.header)+len(k.header)+3)
	for name, vals := range c.header {
		h[name] = append([]string(nil), vals...)
	}
	for name, vals := range k.header {
		h[name] = append([]string(nil), vals...)
	}
	if _, set := h["Accept"]; !set {
		h["Accept"] = []string{"application/json"}
	}
	if k.ctype != "" {
		if _, set := h["Content-Type"]; !set {
			h["Content-Type"] = []string{k.ctype}
		}
	}
	if k.key != "" {
		h[c.idemHeader] = []string{k.key}
	}
	req.Header = h
	return req, nil
}

// observe feeds what the response says about rate limits to the Limiter.
func (c *Client) observe(resp *http.Response, body []byte, now time.Time) {
	var obs Observation
	for _, s := range c.signals {
		obs = obs.merge(s(resp, body, now))
	}
	c.lim.Observe(obs, now)
}

func (c *Client) newError(k *call, kind connector.Kind, msg string, err error) *connector.Error {
	return &connector.Error{Kind: kind, System: c.system, Op: k.op, Message: msg, Err: err}
}

// transportError classifies a failure to get or read a response: Transient,
// with the URL in the message redacted.
func (c *Client) transportError(ctx context.Context, k *call, err error) *connector.Error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: k.redacted(), Err: ue.Err}
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w (%w)", err, cerr)
	}
	return c.newError(k, connector.Transient, err.Error(), err)
}

// statusError builds the error for a non-2xx response and lets the platform
// refine it.
func (c *Client) statusError(k *call, resp *http.Response, body []byte, now time.Time) *connector.Error {
	st := resp.StatusCode
	kind := connector.KindForStatus(st)
	if st < 400 {
		kind = connector.Unsupported // an informational or unfollowed redirect status
	}
	e := &connector.Error{Kind: kind, System: c.system, Op: k.op, Status: st, Body: body}
	if st == http.StatusTooManyRequests || st >= 500 {
		e.RetryAfter = retryAfter(resp.Header, now)
	}
	e.Code, e.Message = bodyMessage(resp.Header, body)
	if e.Message == "" {
		e.Message = http.StatusText(st)
	}
	if c.classify != nil {
		c.classify(e, resp)
	}
	return e
}

// checkError turns a ResponseCheck failure into a *connector.Error.
func (c *Client) checkError(k *call, resp *http.Response, body []byte, err error) *connector.Error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		cp := *ce
		if cp.System == "" {
			cp.System = c.system
		}
		if cp.Op == "" {
			cp.Op = k.op
		}
		if cp.Status == 0 {
			cp.Status = resp.StatusCode
		}
		if cp.Body == nil {
			cp.Body = capBytes(body, c.maxErrBody)
		}
		return &cp
	}
	e := c.newError(k, connector.Invalid, err.Error(), err)
	e.Status, e.Body = resp.StatusCode, capBytes(body, c.maxErrBody)
	return e
}

func capBytes(b []byte, n int64) []byte {
	if int64(len(b)) > n {
		return b[:n:n]
	}
	return b
}

// readBody reads at most limit bytes of r; over reports that there was more.
// A known content length sizes the buffer in one allocation.
func readBody(r io.Reader, limit, contentLength int64) (body []byte, over bool, err error) {
	size := int64(512)
	if contentLength >= 0 && contentLength <= limit {
		size = contentLength + 1 // +1 so that reading EOF needs no growth
	}
	b := make([]byte, 0, size)
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		m, rerr := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return b, false, rerr
		}
	}
	if int64(len(b)) > limit {
		return b[:limit], true, nil
	}
	return b, false, nil
}

// logAttempt writes one record per attempt: Debug when it succeeded, Info when
// it failed and will be retried, Warn when it failed for good.
func (c *Client) logAttempt(ctx context.Context, k *call, a *Attempt, cerr *connector.Error, again bool, retryIn time.Duration) {
	level := slog.LevelDebug
	if cerr != nil {
		level = slog.LevelWarn
		if again {
			level = slog.LevelInfo
		}
	}
	if !c.log.Enabled(ctx, level) {
		return
	}
	status := 0
	if a.Response != nil {
		status = a.Response.StatusCode
	}
	attrs := [11]slog.Attr{
		slog.String("system", c.system),
		slog.String("method", k.method),
		slog.String("url", k.redacted()),
		slog.Int("status", status),
		slog.Int("attempt", a.Number),
		slog.Duration("wait", a.Wait),
		slog.Duration("duration", a.Duration),
	}
	n := 7
	if cerr != nil {
		attrs[n] = slog.String("kind", cerr.Kind.String())
		attrs[n+1] = slog.String("error", cerr.Error())
		attrs[n+2] = slog.Bool("retry", again)
		n += 3
		if again {
			attrs[n] = slog.Duration("retry_in", retryIn)
			n++
		}
	}
	c.log.LogAttrs(ctx, level, "http attempt", attrs[:n]...)
}
