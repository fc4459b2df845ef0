package httpx_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector/httpx"
)

// bucketServer enforces a token bucket against its own wall clock and
// advertises its policy with the IETF RateLimit headers, as a real API would.
type bucketServer struct {
	rate, burst float64

	mu        sync.Mutex
	tokens    float64
	last      time.Time
	arrivals  []time.Time
	throttled int
	exhausted int // answered with RateLimit-Remaining 0
}

func (b *bucketServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	b.mu.Lock()
	if b.last.IsZero() {
		b.tokens = b.burst
	} else {
		b.tokens = math.Min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
	b.arrivals = append(b.arrivals, now)
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	} else {
		b.throttled++
	}
	remaining := math.Floor(b.tokens)
	reset := math.Ceil((1 - b.tokens) / b.rate)
	if ok && remaining < 1 {
		b.exhausted++
	}
	b.mu.Unlock()

	// A token bucket has no window to reset, so like Shopify's leaky bucket it
	// sends its policy and the tokens left, and says when to come back only
	// when it refuses a request.
	h := w.Header()
	h.Set("RateLimit-Policy", fmt.Sprintf("%g;w=1", b.rate))
	h.Set("RateLimit-Remaining", fmt.Sprint(remaining))
	if !ok {
		h.Set("RateLimit-Reset", fmt.Sprint(reset))
		h.Set("Retry-After", fmt.Sprint(reset))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	h.Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// stats returns the requests seen, those throttled, and the utilisation: the
// requests after the first divided by what the rate allows over the span from
// the first request to the last, both on the server's clock.
func (b *bucketServer) stats() (n, throttled int, utilisation float64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n = len(b.arrivals)
	if n < 2 {
		return n, b.throttled, 0
	}
	span := b.arrivals[n-1].Sub(b.arrivals[0]).Seconds()
	return n, b.throttled, float64(n-1) / (b.rate * span)
}

// runAgainstBucket has workers, started together on a fresh client, call until
// deadline (or until ops calls are made, if ops > 0). It returns the longest
// scheduling stall seen by a goroutine that only sleeps 5 ms at a time: a
// measure of how much CPU the machine let the test have.
func runAgainstBucket(tb testing.TB, b *bucketServer, workers int, d time.Duration, ops int64) (stall time.Duration) {
	srv := httptest.NewServer(b)
	defer srv.Close()
	c, err := httpx.New(httpx.Config{System: "bucket", BaseURL: srv.URL, HTTPClient: srv.Client(), MaxInFlight: workers,
		Retry: httpx.Retry{MaxAttempts: 1}})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	deadline := time.Now().Add(d)
	var left atomic.Int64
	left.Store(ops)
	stop := make(chan struct{})
	stalls := make(chan time.Duration, 1)
	go func() {
		var worst time.Duration
		for {
			t0 := time.Now()
			select {
			case <-stop:
				stalls <- worst
				return
			case <-time.After(5 * time.Millisecond):
			}
			worst = max(worst, time.Since(t0)-5*time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if ops > 0 && left.Add(-1) < 0 || ops == 0 && !time.Now().Before(deadline) {
					return
				}
				if err := c.GetJSON(ctx, "/work", nil, nil); err != nil {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if f := failures.Load(); f > 0 {
		tb.Errorf("%d calls failed", f)
	}
	return <-stalls
}

// TestLimiterHoldsServerBucket runs about 1.5 s of real time against a server
// allowing 20 requests a second with bursts of 5. The client knows nothing
// beforehand, and eight workers start at once: the Limiter sends one probe,
// holds the others until it is answered, and the answer's RateLimit-Policy
// teaches it the rate.
//
// Why this does not flake:
//
//   - Throttling. The client sends at 95% of the advertised rate with a burst
//     of 1, so the server's bucket keeps a slack of about 4 tokens: it would
//     take requests bunched by about (burst-1)/rate = 200 ms to spend it.
//     Bunching comes from callers waking late, and a caller that wakes more
//     than one slot late takes a new slot instead of its old one (see
//     TestLimiterRequeues), so even a process stalled for seconds does not
//     release a burst. Asserted on every run.
//   - Utilisation. Eight waiting workers always hold reservations ahead, so
//     the client sends on schedule unless the whole process stalls; a stall
//     over one slot costs slots on purpose (see above). A monitor goroutine
//     measures stalls independently, and utilisation is judged on runs that
//     were not stalled, which on an idle or moderately loaded machine is
//     nearly all (stalls of a few ms; utilisation about 0.97).
func TestLimiterHoldsServerBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time test")
	}
	b := &bucketServer{rate: 20, burst: 5}
	stall := runAgainstBucket(t, b, 8, 1500*time.Millisecond, 0)
	n, throttled, util := b.stats()
	t.Logf("%d requests, %d throttled, %d exhausted, utilisation %.3f, worst stall %v", n, throttled, b.exhausted, util, stall)
	if throttled != 0 {
		t.Errorf("server throttled %d requests", throttled)
	}
	switch {
	case util >= 0.90:
	case stall > 50*time.Millisecond:
		// A stall longer than one slot (50 ms at 20/s) makes callers wake
		// late, and late callers give up their slot rather than bunch up at
		// the server: that costs utilisation on purpose. Judge utilisation
		// only on a run that got the CPU it needed (the usual case, with
		// stalls of a few ms); BenchmarkRateLimitUtilisation reports it.
		t.Logf("utilisation %.3f not judged: the test was stalled for %v", util, stall)
	default:
		t.Errorf("utilisation %.3f, want at least 0.90", util)
	}
	if util > 1.0 {
		t.Errorf("utilisation %.3f above the allowed rate", util)
	}
}

// BenchmarkRateLimitUtilisation reports how much of a 20 req/s (burst 5)
// server's allowance the client uses, and how many requests it gets throttled.
func BenchmarkRateLimitUtilisation(b *testing.B) {
	srvState := &bucketServer{rate: 20, burst: 5}
	_ = runAgainstBucket(b, srvState, 8, 0, int64(max(b.N, 10)))
	_, throttled, util := srvState.stats()
	b.ReportMetric(util, "utilisation")
	b.ReportMetric(float64(throttled), "throttled")
}
