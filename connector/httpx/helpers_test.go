package httpx_test

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/httpx"
)

var epoch = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// seen is one request as the test server received it.
type seen struct {
	Method string
	URL    string
	Header http.Header
	Body   string
}

// scripted is a test server whose handler is told the 1-based request number.
type scripted struct {
	mu   sync.Mutex
	reqs []seen
	fn   func(n int, w http.ResponseWriter, r *http.Request)
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs = append(s.reqs, seen{r.Method, r.URL.String(), r.Header.Clone(), string(body)})
	n := len(s.reqs)
	s.mu.Unlock()
	s.fn(n, w, r)
}

func (s *scripted) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func newServer(t testing.TB, fn func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *scripted) {
	t.Helper()
	s := &scripted{fn: fn}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

// newClient returns a client for srv on a fake clock, with deterministic
// backoff (100ms, 200ms, 400ms, ...) and up to 4 attempts.
func newClient(t testing.TB, srv *httptest.Server, mod func(*httpx.Config)) (*httpx.Client, *connectortest.Clock) {
	t.Helper()
	clk := connectortest.NewClock(epoch)
	cfg := httpx.Config{
		System:     "acme",
		BaseURL:    srv.URL + "/v2",
		HTTPClient: srv.Client(),
		Clock:      clk,
		Retry:      httpx.Retry{InitialInterval: 100 * time.Millisecond, Jitter: -1},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := httpx.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, clk
}

func reply(w http.ResponseWriter, status int, body string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	if body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// resetConn hijacks the connection and closes it with a TCP reset.
func resetConn(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// noKeepAlive returns a client that opens a new connection per request, so
// that the transport never replays a request on its own.
func noKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a log handler.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func debugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func durations(ds ...string) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, s := range ds {
		d, err := time.ParseDuration(s)
		if err != nil {
			panic(err)
		}
		out[i] = d
	}
	return out
}
