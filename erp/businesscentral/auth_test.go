package businesscentral_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/businesscentral"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// read makes one API request through the Client.
func read(t *testing.T, e *env) error {
	t.Helper()
	_, err := e.bc.Companies(t.Context())
	return err
}

func TestTokenRefresh(t *testing.T) {
	e := newEnv(t, bctest.Options{TokenLifetime: 10 * time.Minute}, nil)
	steps := []struct {
		name    string
		advance time.Duration
		revoke  bool
		tokens  int // issued so far
	}{
		{name: "first request fetches a token", tokens: 1},
		{name: "cached while fresh", advance: 4 * time.Minute, tokens: 1},
		// Refreshed 5 minutes before expiry: at 5 of its 10 minutes.
		{name: "refreshed before it expires", advance: 2 * time.Minute, tokens: 2},
		{name: "the new one is cached", advance: time.Minute, tokens: 2},
		{name: "a revoked token is replaced and the call retried", revoke: true, tokens: 3},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		if s.revoke {
			e.srv.RevokeTokens()
		}
		if err := read(t, e); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := e.srv.Stats().Tokens; got != s.tokens {
			t.Errorf("%s: %d tokens issued, want %d", s.name, got, s.tokens)
		}
	}
	if st := e.srv.Stats(); st.Unauthorized != 1 {
		t.Errorf("%d requests answered 401, want 1 (the revoked token)", st.Unauthorized)
	}
}

func TestTokenFetchedOnceForConcurrentCalls(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { _, errs[i] = e.bc.Companies(t.Context()) })
	}
	wg.Wait()
	must(t, errors.Join(errs...))
	if n := e.srv.Stats().Tokens; n != 1 {
		t.Errorf("%d tokens fetched for 16 concurrent calls, want 1", n)
	}
}

func TestAuthFailures(t *testing.T) {
	tests := []struct {
		name string
		mod  func(c *businesscentral.Config)
	}{
		{"wrong client secret", func(c *businesscentral.Config) { c.Credentials.ClientSecret = "wrong" }},
		{"wrong scope", func(c *businesscentral.Config) { c.Credentials.Scope = "https://graph.microsoft.com/.default" }},
		{"a token that never worked", func(c *businesscentral.Config) { c.TokenSource = businesscentral.StaticToken("forged") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{}, tt.mod)
			err := read(t, e)
			if !errors.Is(err, connector.Unauthorized) {
				t.Errorf("got %v (kind %s), want Unauthorized, which stops the flow", err, connector.KindOf(err))
			}
		})
	}
}

func TestConfigRequired(t *testing.T) {
	tests := []struct {
		name string
		cfg  businesscentral.Config
	}{
		{"no company", businesscentral.Config{Environment: "production", TenantID: "t", Credentials: businesscentral.ClientCredentials{ClientID: "a", ClientSecret: "b"}}},
		{"no environment", businesscentral.Config{CompanyID: "c", TenantID: "t", Credentials: businesscentral.ClientCredentials{ClientID: "a", ClientSecret: "b"}}},
		{"no credentials", businesscentral.Config{CompanyID: "c", Environment: "production", TenantID: "t"}},
		{"no tenant for the token endpoint", businesscentral.Config{CompanyID: "c", Environment: "production", Credentials: businesscentral.ClientCredentials{ClientID: "a", ClientSecret: "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := businesscentral.New(tt.cfg); err == nil {
				t.Error("New accepted an incomplete Config")
			}
		})
	}
}
