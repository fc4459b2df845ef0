package httpx

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/junctionhq/junction/connector"
)

// DefaultHeadroom is the share of a server-advertised rate that a Limiter uses
// unless SetHeadroom says otherwise. The rest absorbs network jitter, which can
// bunch requests up on their way to the server.
const DefaultHeadroom = 0.95

// Limiter paces requests to one API budget. It wraps a token bucket
// (golang.org/x/time/rate) and adapts it from what the server says:
//
//   - An Observation with a Wait (Retry-After, or a quota exhausted until its
//     reset) pauses every caller of the Limiter until the wait is over.
//   - An Observation with a Rate (a quota per window, such as the IETF
//     RateLimit-Policy "20;w=1") caps the bucket's rate at that rate times the
//     headroom; the configured rate stays the ceiling.
//
// A Limiter belongs to the budget, not to a Client: give several Clients the
// same Limiter when they spend one quota (for example one per tenant, shared by
// every connector that talks to that tenant). A Limiter is safe for concurrent
// use. All waits run on the Clock of the Client that waits.
type Limiter struct {
	mu         sync.Mutex
	bucket     *rate.Limiter
	configured rate.Limit // the ceiling given to NewLimiter
	learned    rate.Limit // the server's advertised rate times headroom; 0 if none
	headroom   float64
	pauseUntil time.Time

	// A Limiter without a configured rate sends one probe request first and
	// holds the other callers until it is answered (probed closes), so that
	// callers starting together learn the server's policy before flooding it.
	probed    chan struct{}
	probeSent bool
}

// NewLimiter returns a Limiter allowing r requests per second with bursts of up
// to burst requests. Pass rate.Inf to let the server's headers set the pace: the
// Limiter then sends one request, holds every other caller until that request
// is answered, and from then on sends freely until a response advertises a
// rate. A burst below 1 is taken as 1.
func NewLimiter(r rate.Limit, burst int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{
		bucket:     rate.NewLimiter(r, burst),
		configured: r,
		headroom:   DefaultHeadroom,
	}
	if r == rate.Inf {
		l.probed = make(chan struct{})
	}
	return l
}

// SetHeadroom sets the share of an advertised rate this Limiter uses, in (0, 1].
// Lower it when other applications spend the same quota. Values out of range
// are ignored.
func (l *Limiter) SetHeadroom(f float64) {
	if !(f > 0 && f <= 1) {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.headroom = f
}

// Rate returns the rate the Limiter currently enforces.
func (l *Limiter) Rate() rate.Limit { return l.bucket.Limit() }

// PausedUntil returns the end of the current pause, or the zero time if none
// was ever set. A time before now means no pause is in force.
func (l *Limiter) PausedUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pauseUntil
}

// Observe adapts the Limiter to what a server said at time now. The Client calls
// it with the merged Observation of its Signals after every response; platform
// packages may call it too, for signals that arrive some other way.
func (l *Limiter) Observe(obs Observation, now time.Time) {
	if obs.Wait <= 0 && obs.Rate <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if obs.Wait > 0 {
		if until := now.Add(obs.Wait); until.After(l.pauseUntil) {
			l.pauseUntil = until
		}
	}
	if obs.Rate > 0 {
		learned := obs.Rate * rate.Limit(l.headroom)
		if learned != l.learned {
			l.learned = learned
			eff := l.configured
			if learned < eff {
				eff = learned
			}
			if eff != l.bucket.Limit() {
				l.bucket.SetLimitAt(now, eff)
			}
		}
	}
}

// wait takes n tokens, sleeping on clock until they are due. A wait longer than
// maxWait is not slept: the tokens are given back and a RateLimited error says
// how long the caller would have had to wait. It returns the time waited,
// including any time held behind the probe.
//
// A caller queues again, rather than leave on its old reservation, when a
// pause began while it slept, or when it woke more than one token's interval
// late (a stalled scheduler): otherwise the late callers would all leave at
// once and bunch up at the server. Lateness re-queues a caller once at most.
func (l *Limiter) wait(ctx context.Context, clock connector.Clock, n int, maxWait time.Duration) (waited time.Duration, err error) {
	start := clock.Now()
	l.mu.Lock()
	if ch := l.probed; ch != nil {
		if !l.probeSent {
			l.probeSent = true // this caller is the probe
			// A probe that fails before it is sent must still free the others.
			defer func() {
				if err != nil {
					l.settle()
				}
			}()
		} else {
			l.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
			l.mu.Lock()
		}
	}
	requeued := false
	for {
		now := clock.Now()
		at := now
		if l.pauseUntil.After(at) {
			// Reserve from the end of the pause, so the callers that queue up
			// behind it leave at the bucket's pace rather than all at once.
			at = l.pauseUntil
		}
		res := l.bucket.ReserveN(at, n)
		limit := l.bucket.Limit()
		l.mu.Unlock()
		if !res.OK() {
			return now.Sub(start), fmt.Errorf("request cost %d exceeds the limiter's burst %d", n, l.bucket.Burst())
		}
		d := res.DelayFrom(now)
		if d <= 0 {
			return now.Sub(start), nil
		}
		if maxWait > 0 && d > maxWait {
			res.CancelAt(now)
			return now.Sub(start), &waitTooLong{d: d}
		}
		if err := clock.Sleep(ctx, d); err != nil {
			res.CancelAt(clock.Now())
			return clock.Now().Sub(start), err
		}
		woke := clock.Now()
		l.mu.Lock()
		paused := l.pauseUntil.After(woke)
		late := !requeued && limit > 0 && limit != rate.Inf &&
			woke.Sub(now.Add(d)) > max(time.Duration(float64(time.Second)/float64(limit)), 5*time.Millisecond)
		if !paused && !late {
			l.mu.Unlock()
			return woke.Sub(start), nil
		}
		requeued = requeued || late
	}
}

// settle marks an attempt that passed wait as finished, answered or not; the
// first one ends the probe and lets the held callers go.
func (l *Limiter) settle() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.probed != nil && l.probeSent {
		close(l.probed)
		l.probed = nil
	}
}

// waitTooLong reports a limiter wait beyond the client's MaxWait.
type waitTooLong struct{ d time.Duration }

func (e *waitTooLong) Error() string {
	return fmt.Sprintf("rate limiter asks to wait %v, longer than the client's maximum wait", e.d)
}
