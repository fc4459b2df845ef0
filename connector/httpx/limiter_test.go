package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/httpx"
)

func TestSignals(t *testing.T) {
	now := epoch
	resp := func(status int, kv ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	tests := []struct {
		name   string
		signal httpx.Signal
		resp   *http.Response
		want   httpx.Observation
	}{
		{"Retry-After seconds", httpx.RetryAfter, resp(429, "Retry-After", "12"), httpx.Observation{Wait: 12 * time.Second}},
		{"Retry-After on 200 is ignored", httpx.RetryAfter, resp(200, "Retry-After", "12"), httpx.Observation{}},
		{"Retry-After date vs our clock", httpx.RetryAfter,
			resp(503, "Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), httpx.Observation{Wait: 90 * time.Second}},
		{"Retry-After date vs the server's Date", httpx.RetryAfter,
			resp(503, "Date", "Sun, 06 Nov 1994 08:49:37 GMT", "Retry-After", "Sun, 06 Nov 1994 08:50:07 GMT"), httpx.Observation{Wait: 30 * time.Second}},
		{"Retry-After in the past", httpx.RetryAfter,
			resp(503, "Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)), httpx.Observation{}},
		{"Retry-After garbage", httpx.RetryAfter, resp(429, "Retry-After", "soon"), httpx.Observation{}},

		{"X-RateLimit remaining", httpx.XRateLimitHeaders,
			resp(200, "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "10", "X-RateLimit-Reset", "30"), httpx.Observation{}},
		{"X-RateLimit exhausted, reset in seconds", httpx.XRateLimitHeaders,
			resp(200, "X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "30"), httpx.Observation{Wait: 30 * time.Second}},
		{"X-RateLimit exhausted, reset as Unix time", httpx.XRateLimitHeaders,
			resp(403, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", itoa(now.Add(45*time.Second).Unix())), httpx.Observation{Wait: 45 * time.Second}},

		{"IETF policy gives the rate", httpx.RateLimitHeaders,
			resp(200, "RateLimit-Policy", "100;w=10, 1000;w=3600", "RateLimit-Remaining", "50", "RateLimit-Reset", "4"),
			httpx.Observation{Rate: rate.Limit(1000.0 / 3600)}},
		{"IETF structured policy", httpx.RateLimitHeaders,
			resp(200, "RateLimit-Policy", `"burst";q=100;w=60`), httpx.Observation{Rate: rate.Limit(100.0 / 60)}},
		{"IETF early draft policy in RateLimit-Limit", httpx.RateLimitHeaders,
			resp(200, "RateLimit-Limit", "20, 20;w=1"), httpx.Observation{Rate: 20}},
		{"IETF limit without window gives no rate", httpx.RateLimitHeaders,
			resp(200, "RateLimit-Limit", "20"), httpx.Observation{}},
		{"IETF exhausted", httpx.RateLimitHeaders,
			resp(429, "RateLimit-Limit", "20", "RateLimit-Remaining", "0", "RateLimit-Reset", "3"), httpx.Observation{Wait: 3 * time.Second}},
		{"IETF combined, structured", httpx.RateLimitHeaders,
			resp(200, "RateLimit", `"default";r=0;t=7`), httpx.Observation{Wait: 7 * time.Second}},
		{"IETF combined, key=value", httpx.RateLimitHeaders,
			resp(200, "RateLimit", "limit=100, remaining=0, reset=5"), httpx.Observation{Wait: 5 * time.Second}},
		{"IETF combined with quota left", httpx.RateLimitHeaders,
			resp(200, "RateLimit", `"default";r=3;t=7`), httpx.Observation{}},

		{"Xero minute quota spent", httpx.XeroHeaders,
			resp(200, "X-MinLimit-Remaining", "0", "X-DayLimit-Remaining", "4000", "X-AppMinLimit-Remaining", "9000"), httpx.Observation{Wait: time.Minute}},
		{"Xero app minute quota spent", httpx.XeroHeaders,
			resp(200, "X-MinLimit-Remaining", "5", "X-AppMinLimit-Remaining", "0"), httpx.Observation{Wait: time.Minute}},
		{"Xero day quota spent is left to the 429", httpx.XeroHeaders,
			resp(200, "X-MinLimit-Remaining", "5", "X-DayLimit-Remaining", "0"), httpx.Observation{}},

		{"HubSpot interval", httpx.HubSpotHeaders,
			resp(200, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Max", "100", "X-HubSpot-RateLimit-Remaining", "40"),
			httpx.Observation{Rate: 10}},
		{"HubSpot interval spent", httpx.HubSpotHeaders,
			resp(200, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Max", "190", "X-HubSpot-RateLimit-Remaining", "0"),
			httpx.Observation{Rate: 19, Wait: 10 * time.Second}},
		{"HubSpot secondly is lower", httpx.HubSpotHeaders,
			resp(200, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000", "X-HubSpot-RateLimit-Max", "150",
				"X-HubSpot-RateLimit-Secondly", "5", "X-HubSpot-RateLimit-Secondly-Remaining", "0"),
			httpx.Observation{Rate: 5, Wait: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.signal(tt.resp, nil, now)
			if got.Wait != tt.want.Wait || !near(got.Rate, tt.want.Rate) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func near(a, b rate.Limit) bool { d := a - b; return d < 1e-9 && d > -1e-9 }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestLimiterLearnsAdvertisedRate(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{}`, "RateLimit-Policy", "10;w=1")
	})
	c, clk := newClient(t, srv, nil)
	ctx := context.Background()
	for range 4 {
		if err := c.GetJSON(ctx, "x", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Limiter().Rate(); !near(got, 9.5) {
		t.Errorf("rate = %v, want 9.5 (10/s with 0.95 headroom)", got)
	}
	// 1st: unlimited; 2nd: the one token of the new bucket; then 1/9.5 s apart.
	perSecond := 9.5
	step := time.Duration(float64(time.Second) / perSecond)
	got := clk.Sleeps()
	if len(got) != 2 {
		t.Fatalf("sleeps = %v, want two of %v", got, step)
	}
	for _, d := range got {
		if d < step-time.Microsecond || d > step+time.Microsecond {
			t.Errorf("sleeps = %v, want two of %v", got, step)
		}
	}
}

func TestLimiterConfiguredRateIsCeiling(t *testing.T) {
	lim := httpx.NewLimiter(5, 1)
	lim.Observe(httpx.Observation{Rate: 100}, epoch)
	if lim.Rate() != 5 {
		t.Errorf("rate = %v, want the configured 5", lim.Rate())
	}
	lim.SetHeadroom(0.5)
	lim.Observe(httpx.Observation{Rate: 8}, epoch)
	if lim.Rate() != 4 {
		t.Errorf("rate = %v, want 8*0.5", lim.Rate())
	}
	lim.Observe(httpx.Observation{Rate: 40}, epoch)
	if lim.Rate() != 5 {
		t.Errorf("rate = %v, want back to 5", lim.Rate())
	}
}

func TestSharedLimiterPausesEveryClient(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			reply(w, 429, "", "Retry-After", "5")
			return
		}
		reply(w, 200, `{}`)
	})
	lim := httpx.NewLimiter(rate.Inf, 1)
	a, clk := newClient(t, srv, func(c *httpx.Config) { c.Limiter = lim; c.Retry.MaxAttempts = 1 })
	b, err := httpx.New(httpx.Config{System: "acme", BaseURL: srv.URL, HTTPClient: srv.Client(), Clock: clk, Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.GetJSON(context.Background(), "x", nil, nil); !errors.Is(err, connector.RateLimited) {
		t.Fatalf("a: %v", err)
	}
	if !lim.PausedUntil().Equal(epoch.Add(5 * time.Second)) {
		t.Errorf("paused until %v", lim.PausedUntil())
	}
	if err := b.GetJSON(context.Background(), "y", nil, nil); err != nil {
		t.Fatalf("b: %v", err)
	}
	if got := clk.Sleeps(); !slices.Equal(got, durations("5s")) {
		t.Errorf("b slept %v, want 5s", got)
	}
	if len(s.requests()) != 2 {
		t.Errorf("%d requests", len(s.requests()))
	}
}

func TestLimiterWaitBeyondMaxWaitFailsFast(t *testing.T) {
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	lim := httpx.NewLimiter(rate.Inf, 1)
	lim.Observe(httpx.Observation{Wait: 10 * time.Minute}, epoch)
	c, clk := newClient(t, srv, func(c *httpx.Config) { c.Limiter = lim })
	err := c.GetJSON(context.Background(), "x", nil, nil)
	if !errors.Is(err, connector.RateLimited) || connector.RetryAfterOf(err) != 10*time.Minute {
		t.Errorf("err = %v (retry after %v)", err, connector.RetryAfterOf(err))
	}
	if len(s.requests()) != 0 || len(clk.Sleeps()) != 0 {
		t.Errorf("sent %d, slept %v", len(s.requests()), clk.Sleeps())
	}
}

func TestCostAboveBurstIsInvalid(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	c, _ := newClient(t, srv, func(c *httpx.Config) { c.Limiter = httpx.NewLimiter(50, 100) })
	_, err := c.Do(context.Background(), &httpx.Request{Path: "graphql", Cost: 101})
	if !errors.Is(err, connector.Invalid) {
		t.Errorf("err = %v", err)
	}
	if _, err := c.Do(context.Background(), &httpx.Request{Path: "graphql", Cost: 100}); err != nil {
		t.Errorf("cost within burst: %v", err)
	}
}

// A platform Signal can read the body: here a Shopify-style GraphQL cost
// report pauses the Limiter until enough points are restored.
func TestBodySignal(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"data":{},"extensions":{"cost":{"requestedQueryCost":100,
			"throttleStatus":{"maximumAvailable":1000,"currentlyAvailable":50,"restoreRate":50}}}}`)
	})
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.Signals = append(httpx.DefaultSignals(), func(resp *http.Response, body []byte, now time.Time) httpx.Observation {
			var v struct {
				Extensions struct {
					Cost struct {
						Requested      float64 `json:"requestedQueryCost"`
						ThrottleStatus struct {
							Available float64 `json:"currentlyAvailable"`
							Restore   float64 `json:"restoreRate"`
						} `json:"throttleStatus"`
					} `json:"cost"`
				} `json:"extensions"`
			}
			if json.Unmarshal(body, &v) != nil {
				return httpx.Observation{}
			}
			ts := v.Extensions.Cost.ThrottleStatus
			obs := httpx.Observation{Rate: rate.Limit(ts.Restore)}
			if short := v.Extensions.Cost.Requested - ts.Available; short > 0 && ts.Restore > 0 {
				obs.Wait = time.Duration(short / ts.Restore * float64(time.Second))
			}
			return obs
		})
		c.Limiter = httpx.NewLimiter(rate.Inf, 1000)
	})
	if _, err := c.Do(context.Background(), &httpx.Request{Method: "POST", Path: "graphql.json", Idempotent: true, Cost: 100}); err != nil {
		t.Fatal(err)
	}
	if got := c.Limiter().PausedUntil(); !got.Equal(epoch.Add(time.Second)) {
		t.Errorf("paused until %v, want +1s (50 points short at 50/s)", got)
	}
	if !near(c.Limiter().Rate(), 47.5) {
		t.Errorf("rate = %v, want 50*0.95", c.Limiter().Rate())
	}
}

// With no configured rate, the first call goes alone: callers that start
// together wait for its answer, which may carry the server's policy.
func TestLimiterProbesBeforeFlooding(t *testing.T) {
	release := make(chan struct{})
	var inFlight, peak atomic.Int32
	srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		if n == 1 {
			<-release // hold the probe until the test has started the others
		}
		reply(w, 200, `{}`)
	})
	c, _ := newClient(t, srv, nil)
	errs := make(chan error, 5)
	for range 5 {
		go func() { errs <- c.GetJSON(context.Background(), "x", nil, nil) }()
	}
	// Give the other callers every chance to (wrongly) send while the probe
	// is held; none may reach the server.
	deadline := time.Now().Add(2 * time.Second)
	for len(s.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(s.requests()); n != 1 {
		t.Errorf("%d requests reached the server while the probe was unanswered", n)
	}
	close(release)
	for range 5 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(s.requests()) != 5 {
		t.Errorf("%d requests", len(s.requests()))
	}
}

// A probe that fails before it is sent still releases the callers behind it.
func TestLimiterProbeFailureReleasesOthers(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	var calls atomic.Int32
	c, _ := newClient(t, srv, func(c *httpx.Config) {
		c.Auth = func(context.Context, *http.Request) error {
			if calls.Add(1) == 1 {
				return errors.New("token endpoint down")
			}
			return nil
		}
	})
	if err := c.GetJSON(context.Background(), "x", nil, nil); err == nil {
		t.Fatal("want the auth error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.GetJSON(ctx, "x", nil, nil); err != nil {
		t.Fatalf("second call: %v", err)
	}
}

// hookClock is the fake clock with a hook run inside each Sleep, and extra
// time added to the first one (a caller that wakes up late).
type hookClock struct {
	*connectortest.Clock
	n       int
	onSleep func(n int)
	late    time.Duration
}

func (c *hookClock) Sleep(ctx context.Context, d time.Duration) error {
	c.n++
	if c.onSleep != nil {
		c.onSleep(c.n)
	}
	err := c.Clock.Sleep(ctx, d)
	if c.n == 1 {
		c.Clock.Advance(c.late)
	}
	return err
}

func TestLimiterRequeues(t *testing.T) {
	srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{}`) })
	tests := []struct {
		name   string
		pause  bool
		late   time.Duration
		calls  int
		sleeps []time.Duration
	}{
		// The second call sleeps 1s for its token; meanwhile a 5s pause
		// begins, so it waits out the pause instead of leaving at 1s.
		{name: "when a pause begins during the wait", pause: true, calls: 2, sleeps: durations("1s", "4s")},
		// The second call wakes 2s late: it takes a fresh slot, so the third
		// is spaced after it instead of leaving at once.
		{name: "when it wakes up late", late: 2 * time.Second, calls: 3, sleeps: durations("1s", "1s")},
		{name: "not when on time", calls: 3, sleeps: durations("1s", "1s")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim := httpx.NewLimiter(1, 1)
			clk := &hookClock{Clock: connectortest.NewClock(epoch), late: tt.late}
			if tt.pause {
				clk.onSleep = func(n int) {
					if n == 1 {
						lim.Observe(httpx.Observation{Wait: 5 * time.Second}, clk.Now())
					}
				}
			}
			c, err := httpx.New(httpx.Config{BaseURL: srv.URL, HTTPClient: srv.Client(), Clock: clk, Limiter: lim})
			if err != nil {
				t.Fatal(err)
			}
			for range tt.calls {
				if err := c.GetJSON(context.Background(), "x", nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			if got := clk.Sleeps(); !slices.Equal(got, tt.sleeps) {
				t.Errorf("sleeps = %v, want %v", got, tt.sleeps)
			}
		})
	}
}
