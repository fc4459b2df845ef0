// Package sim is the machinery the in-memory simulators (memshop, memerp,
// memcourier, memledger, memcrm) share, and that anyone writing a simulator of
// their own system can use: a seeded random source so runs reproduce, injected
// time, fault injection (latency, transient errors, rate limits) and an
// append-only change log that can deliver events twice or out of order, as real
// systems' feeds do, while keeping its cursors safe.
//
// Faults is the setting users pass to every simulator's Config.
package sim

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
)

// Faults says how badly a simulated system behaves. Probabilities are in
// [0, 1]; the zero value is a perfect system.
type Faults struct {
	// Latency is added to every call, on the simulator's clock.
	Latency time.Duration
	// Transient is the chance a call fails with a connector.Transient error.
	Transient float64
	// RateLimit is the chance a call fails with connector.RateLimited.
	RateLimit float64
	// RetryAfter is what a rate-limited error asks for (default 1s).
	RetryAfter time.Duration
	// Duplicate is the chance a change event is delivered twice.
	Duplicate float64
	// Reorder is the chance a change event is delivered after the next one.
	Reorder float64
}

// Env is a simulator's environment: its name, clock, random source and faults.
// It is safe for concurrent use.
type Env struct {
	System string
	Clock  connector.Clock

	mu     sync.Mutex
	rnd    *rand.Rand
	faults Faults
}

// NewEnv returns an environment whose random choices follow seed, so a run
// can be reproduced. A nil clock means the system clock.
func NewEnv(system string, seed uint64, clock connector.Clock) *Env {
	if clock == nil {
		clock = connector.SystemClock()
	}
	return &Env{System: system, Clock: clock, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// SetFaults replaces the fault settings.
func (e *Env) SetFaults(f Faults) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.faults = f
}

// Faults returns the fault settings.
func (e *Env) Faults() Faults {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.faults
}

// Chance returns true with probability p.
func (e *Env) Chance(p float64) bool {
	if p <= 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rnd.Float64() < p
}

// IntN returns a random int in [0, n).
func (e *Env) IntN(n int) int {
	if n <= 0 {
		return 0
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.rnd.IntN(n)
}

// Call is the start of every simulated API call: it waits the latency and
// may fail with an injected transient or rate-limit error for op.
func (e *Env) Call(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f := e.Faults()
	if f.Latency > 0 {
		if err := e.Clock.Sleep(ctx, f.Latency); err != nil {
			return err
		}
	}
	if e.Chance(f.Transient) {
		err := connector.Errorf(connector.Transient, e.System, "simulated outage")
		err.Op, err.Status = op, 503
		return err
	}
	if e.Chance(f.RateLimit) {
		err := connector.Errorf(connector.RateLimited, e.System, "simulated rate limit")
		err.Op, err.Status = op, 429
		err.RetryAfter = f.RetryAfter
		if err.RetryAfter <= 0 {
			err.RetryAfter = time.Second
		}
		return err
	}
	return nil
}
