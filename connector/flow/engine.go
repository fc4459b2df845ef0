package flow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// ErrUnknownFlow is returned for a flow name the engine does not have.
var ErrUnknownFlow = errors.New("flow: unknown flow")

// ErrNotLeader is returned by RunOnce when another replica holds the flow's
// lease; the pass did nothing.
var ErrNotLeader = errors.New("flow: another replica holds the lease")

// StoppedError reports a flow stopped because its credentials were refused
// (Unauthorized or Forbidden). The flow stays stopped until Resume.
type StoppedError struct {
	Flow string
	Err  error
}

// Error names the flow and the cause.
func (e *StoppedError) Error() string { return fmt.Sprintf("flow %s stopped: %v", e.Flow, e.Err) }

// Unwrap returns the cause.
func (e *StoppedError) Unwrap() error { return e.Err }

// Engine runs flows. Create it with NewEngine, add flows with Add, then call Run
// (or RunOnce per flow). All methods are safe for concurrent use.
type Engine struct {
	store    store.Store
	log      *slog.Logger
	clock    connector.Clock
	owner    string
	leaseTTL time.Duration
	onStats  func(Stats)

	mu    sync.Mutex
	flows map[string]runner
}

// runner is a Flow[S, D] with its types erased, so one engine holds many.
type runner interface {
	name() string
	every() time.Duration
	pass(ctx context.Context) (Report, error)
	replayKey(ctx context.Context, key string) ([]store.Outcome, error)
	dryRun(ctx context.Context) (DryRunReport, error)
	state() *flowState
}

// Option configures an Engine.
type Option func(*Engine)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithClock sets the clock used for retries, leases and stats (default the
// system clock).
func WithClock(c connector.Clock) Option { return func(e *Engine) { e.clock = c } }

// WithOwner names this replica for leases (default host name, process ID and a
// random suffix). Replicas sharing a store must have different owners.
func WithOwner(id string) Option { return func(e *Engine) { e.owner = id } }

// WithLeaseTTL sets how long a flow's lease lasts without renewal (default
// 30s). A replica that dies loses its flows after this long.
func WithLeaseTTL(d time.Duration) Option { return func(e *Engine) { e.leaseTTL = d } }

// WithStatsHook calls fn with a flow's stats after each pass, for metrics.
func WithStatsHook(fn func(Stats)) Option { return func(e *Engine) { e.onStats = fn } }

// NewEngine returns an engine that keeps its state in st.
func NewEngine(st store.Store, opts ...Option) *Engine {
	e := &Engine{
		store:    st,
		log:      slog.Default(),
		clock:    connector.SystemClock(),
		leaseTTL: 30 * time.Second,
		flows:    map[string]runner{},
	}
	for _, o := range opts {
		o(e)
	}
	if e.owner == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		e.owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	return e
}

// Add registers a flow with the engine. It fails if the flow is incomplete or
// its name is taken.
func Add[S, D any](e *Engine, f Flow[S, D]) error {
	switch {
	case f.Name == "":
		return errors.New("flow: Add: Name is required")
	case f.Source == nil:
		return fmt.Errorf("flow %s: Source is required", f.Name)
	case f.Sink == nil:
		return fmt.Errorf("flow %s: Sink is required", f.Name)
	case f.Map == nil:
		return fmt.Errorf("flow %s: Map is required (use flow.Identity when the types match)", f.Name)
	case f.Entity != "" && f.TargetSystem == "":
		return fmt.Errorf("flow %s: TargetSystem is required with Entity", f.Name)
	}
	if f.Concurrency <= 0 {
		f.Concurrency = 4
	}
	f.Retry = f.Retry.withDefaults()
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.flows[f.Name]; dup {
		return fmt.Errorf("flow %s: already added", f.Name)
	}
	e.flows[f.Name] = &flowRunner[S, D]{f: f, e: e, st: newFlowState(f.Name)}
	return nil
}

func (e *Engine) get(name string) (runner, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.flows[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownFlow, name)
	}
	return r, nil
}

// Flows returns the names of the registered flows, sorted.
func (e *Engine) Flows() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	names := make([]string, 0, len(e.flows))
	for n := range e.flows {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Notify rings a flow's doorbell: the flow runs a pass from its checkpoint as
// soon as it can. It never blocks; rings while a pass is pending are merged.
// Its signature fits webhook handlers. Unknown names are ignored.
func (e *Engine) Notify(name string) {
	if r, err := e.get(name); err == nil {
		r.state().ring()
	}
}

// Resume restarts a flow stopped by an Unauthorized or Forbidden error, after
// the credentials are fixed, and rings it.
func (e *Engine) Resume(name string) error {
	r, err := e.get(name)
	if err != nil {
		return err
	}
	r.state().setStopped(nil)
	r.state().ring()
	return nil
}

// RunOnce runs one pass of a flow now: it reads every change after the
// checkpoint and records an outcome for each. It returns ErrNotLeader if
// another replica holds the flow's lease.
func (e *Engine) RunOnce(ctx context.Context, name string) (Report, error) {
	r, err := e.get(name)
	if err != nil {
		return Report{}, err
	}
	if err := r.state().stoppedErr(); err != nil {
		return Report{}, err
	}
	rep, err := r.pass(ctx)
	var se *StoppedError
	if errors.As(err, &se) {
		r.state().setStopped(se)
	}
	if e.onStats != nil {
		e.onStats(r.state().snapshot())
	}
	return rep, err
}

// Run runs every flow on its schedule and on Notify until ctx is done, then
// releases the leases it holds and returns ctx's error. A failing pass is
// logged and retried at the next tick; a stopped flow waits for Resume.
func (e *Engine) Run(ctx context.Context) error {
	e.mu.Lock()
	rs := make([]runner, 0, len(e.flows))
	for _, r := range e.flows {
		rs = append(rs, r)
	}
	e.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.loop(ctx, r)
		}()
	}
	wg.Wait()
	for _, r := range rs {
		// Hand the flow over at once instead of after the TTL.
		_ = e.store.ReleaseLease(context.WithoutCancel(ctx), r.name(), e.owner)
	}
	return ctx.Err()
}

func (e *Engine) loop(ctx context.Context, r runner) {
	st := r.state()
	for {
		if st.stoppedErr() == nil {
			_, err := e.RunOnce(ctx, r.name())
			switch {
			case err == nil, errors.Is(err, ErrNotLeader):
			case ctx.Err() != nil:
				return
			default:
				e.log.ErrorContext(ctx, "flow pass failed", "flow", r.name(), "err", err)
			}
		}
		if err := e.wait(ctx, r); err != nil {
			return
		}
	}
}

// wait blocks until the next tick or a ring. Schedules run on wall time; the
// injected clock governs retries, leases and stats.
func (e *Engine) wait(ctx context.Context, r runner) error {
	st := r.state()
	var tick <-chan time.Time
	if every := r.every(); every > 0 {
		t := time.NewTimer(every)
		defer t.Stop()
		tick = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-st.bell:
		return nil
	case <-tick:
		return nil
	}
}

// Stats returns a flow's counters.
func (e *Engine) Stats(name string) (Stats, error) {
	r, err := e.get(name)
	if err != nil {
		return Stats{}, err
	}
	return r.state().snapshot(), nil
}

// Replay runs a parked change again through the flow's current mapping,
// validation and sink (after a fix). Later changes of the same key that wait
// behind it are replayed after it, in order, until one parks again. It returns
// the outcomes recorded.
func (e *Engine) Replay(ctx context.Context, exceptionID string) ([]store.Outcome, error) {
	ex, err := e.store.Exception(ctx, exceptionID)
	if err != nil {
		return nil, err
	}
	if ex.Status != store.Open {
		return nil, fmt.Errorf("flow: exception %s is %s, not open", ex.ID, ex.Status)
	}
	r, err := e.get(ex.Flow)
	if err != nil {
		return nil, err
	}
	return r.replayKey(ctx, ex.Key)
}

// ReplayAll replays every open exception that matches f (Status is forced to
// open), key by key, and returns all outcomes recorded.
func (e *Engine) ReplayAll(ctx context.Context, f store.ExceptionFilter) ([]store.Outcome, error) {
	f.Status = store.Open
	type fk struct{ flow, key string }
	var keys []fk
	seen := map[fk]bool{}
	for ex, err := range e.store.Exceptions(ctx, f) {
		if err != nil {
			return nil, err
		}
		k := fk{ex.Flow, ex.Key}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	var all []store.Outcome
	for _, k := range keys {
		r, err := e.get(k.flow)
		if err != nil {
			return all, err
		}
		outs, err := r.replayKey(ctx, k.key)
		all = append(all, outs...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// Discard closes an open exception without replaying it, with the operator's
// reason. Changes waiting behind it stay parked; replay or discard them next.
func (e *Engine) Discard(ctx context.Context, exceptionID, reason string) error {
	if reason == "" {
		return errors.New("flow: Discard needs a reason")
	}
	return e.store.CloseException(ctx, exceptionID, store.Discarded, reason)
}

// DryRun runs a flow from its checkpoint without calling the sink or writing
// any state, and reports what each change would do, with diffs against what
// was last written. Use it for phased go-live.
func (e *Engine) DryRun(ctx context.Context, name string) (DryRunReport, error) {
	r, err := e.get(name)
	if err != nil {
		return DryRunReport{}, err
	}
	return r.dryRun(ctx)
}
