package businesscentral

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// Defaults of the OAuth 2.0 client-credentials flow against Microsoft Entra
// ID, which service-to-service integrations with Business Central online
// use.
// https://learn.microsoft.com/dynamics365/business-central/dev-itpro/administration/automation-apis-using-s2s-authentication
const (
	// DefaultScope is the scope a token for the Business Central API is
	// asked for.
	DefaultScope = "https://api.businesscentral.dynamics.com/.default"
	// DefaultRefreshBefore is how long before its expiry a token is
	// replaced, so that no request goes out with a token about to lapse.
	DefaultRefreshBefore = 5 * time.Minute
)

// ClientCredentials configures the OAuth 2.0 client-credentials grant
// (RFC 6749 section 4.4) of an app registration in Microsoft Entra ID.
type ClientCredentials struct {
	// TokenURL is the token endpoint. Default
	// https://login.microsoftonline.com/{Config.TenantID}/oauth2/v2.0/token.
	TokenURL string
	// ClientID is the app registration's application (client) ID.
	ClientID string
	// ClientSecret is a client secret of the app registration.
	ClientSecret string
	// Scope is the scope asked for (default DefaultScope).
	Scope string
	// RefreshBefore is how long before expiry a cached token is replaced
	// (default DefaultRefreshBefore, at most half the token's lifetime).
	RefreshBefore time.Duration
}

// TokenSource supplies bearer tokens for the API.
type TokenSource interface {
	// Token returns a valid access token, from a cache when it can.
	Token(ctx context.Context) (string, error)
	// Invalidate drops token from the cache if it is still the cached one,
	// so that the next Token call fetches a new one (after the API refused
	// it with 401).
	Invalidate(token string)
}

// credentialsSource is the TokenSource for ClientCredentials: it caches
// the token, refreshes it before it expires, and lets only one request to
// the token endpoint run at a time, however many callers need a token.
type credentialsSource struct {
	cfg     ClientCredentials
	http    *httpx.Client
	clock   connector.Clock
	refresh time.Duration

	mu       sync.Mutex
	token    string
	expires  time.Time // when the token stops being used
	inflight *tokenCall
	fetches  int
}

type tokenCall struct {
	done  chan struct{}
	token string
	err   error
}

// newCredentialsSource returns a TokenSource for cc. The token endpoint is
// called through an httpx client of its own (requests to it are safe to
// repeat, so a 5xx or a dropped connection is retried).
func newCredentialsSource(cc ClientCredentials, hc *http.Client, clock connector.Clock, log *slog.Logger, retry httpx.Retry) (*credentialsSource, error) {
	if cc.ClientID == "" || cc.ClientSecret == "" {
		return nil, errors.New("businesscentral: ClientCredentials.ClientID and ClientSecret are required")
	}
	if cc.Scope == "" {
		cc.Scope = DefaultScope
	}
	if cc.RefreshBefore <= 0 {
		cc.RefreshBefore = DefaultRefreshBefore
	}
	c, err := httpx.New(httpx.Config{
		System:     "entra",
		BaseURL:    cc.TokenURL,
		HTTPClient: hc,
		Clock:      clock,
		Logger:     log,
		Signals:    []httpx.Signal{httpx.RetryAfter},
		Retry:      retry,
		ClassifyError: func(e *connector.Error, _ *http.Response) {
			// invalid_client, unauthorized_client, invalid_grant, invalid_scope:
			// the credentials will not work until someone fixes them.
			if e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests && e.Status != http.StatusRequestTimeout {
				e.Kind = connector.Unauthorized
			}
		},
	})
	if err != nil {
		return nil, err
	}
	return &credentialsSource{cfg: cc, http: c, clock: clock, refresh: cc.RefreshBefore}, nil
}

// Token returns the cached token, or fetches a new one when there is none
// or it is within RefreshBefore of expiry. Concurrent callers share one
// fetch; each stops waiting when its own ctx is done.
func (s *credentialsSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.token != "" && s.clock.Now().Before(s.expires) {
		t := s.token
		s.mu.Unlock()
		return t, nil
	}
	call := s.inflight
	if call == nil {
		call = &tokenCall{done: make(chan struct{})}
		s.inflight = call
		s.fetches++
		go s.fetch(context.WithoutCancel(ctx), call)
	}
	s.mu.Unlock()
	select {
	case <-call.done:
		return call.token, call.err
	case <-ctx.Done():
		return "", connector.Errorf(connector.Transient, "entra", "waiting for an access token: %w", ctx.Err())
	}
}

// fetchTimeout bounds one token fetch, which runs detached from the
// context of the caller that started it.
const fetchTimeout = 2 * time.Minute

func (s *credentialsSource) fetch(ctx context.Context, call *tokenCall) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	tok, lifetime, err := s.request(ctx)
	s.mu.Lock()
	if err == nil {
		// Refresh early, but never sooner than half-way through a short
		// lifetime.
		early := min(s.refresh, lifetime/2)
		s.token, s.expires = tok, s.clock.Now().Add(lifetime-early)
	}
	s.inflight = nil
	s.mu.Unlock()
	call.token, call.err = tok, err
	close(call.done)
}

// tokenResponse is a successful token response. expires_in is a number in
// the v2.0 endpoint and a string in v1.0; both are read.
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

func (s *credentialsSource) request(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {s.cfg.ClientID},
		"client_secret": {s.cfg.ClientSecret},
		"scope":         {s.cfg.Scope},
	}
	var out tokenResponse
	err := s.http.DoJSON(ctx, &httpx.Request{Method: http.MethodPost, Path: s.cfg.TokenURL, Body: form, Idempotent: true}, &out)
	if err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || (out.TokenType != "" && !strings.EqualFold(out.TokenType, "Bearer")) {
		return "", 0, connector.Errorf(connector.Unauthorized, "entra", "the token endpoint answered without a bearer access_token")
	}
	secs, err := strconv.ParseInt(strings.Trim(string(out.ExpiresIn), `"`), 10, 64)
	if err != nil || secs <= 0 {
		// No usable lifetime: assume the shortest one Entra issues.
		secs = 300
	}
	return out.AccessToken, time.Duration(secs) * time.Second, nil
}

// Invalidate drops token if it is the cached one.
func (s *credentialsSource) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" && token == s.token {
		s.token, s.expires = "", time.Time{}
	}
}

// staticToken is a TokenSource for a fixed token.
type staticToken string

func (t staticToken) Token(context.Context) (string, error) { return string(t), nil }
func (staticToken) Invalidate(string)                       {}

// StaticToken returns a TokenSource that always returns token, for a token
// obtained elsewhere.
func StaticToken(token string) TokenSource { return staticToken(token) }
