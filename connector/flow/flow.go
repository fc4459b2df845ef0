package flow

import (
	"context"
	"log/slog"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/mapping"
)

// Env is what a mapping function may use besides its input: the flow's name,
// the ID crosswalk (to translate references between systems), a logger and the
// engine's clock.
type Env struct {
	Flow   string
	XRef   mapping.Crosswalk
	Logger *slog.Logger
	Clock  connector.Clock
}

// MapFunc turns a source entity into the sink's entity. Return a mapping.Error
// (or any error with FieldErrors) for bad data: the change is parked with the
// field list. Other errors are classified with connector.KindOf.
type MapFunc[S, D any] func(ctx context.Context, env Env, in S) (D, error)

// Identity is the MapFunc for flows whose source and sink share a type.
func Identity[T any](_ context.Context, _ Env, in T) (T, error) { return in, nil }

// Flow declares one sync: read changes from Source, keep those Filter accepts,
// map them with Map, validate, and apply them to Sink. The type parameters make
// a mismatched source, mapping or sink a compile error.
type Flow[S, D any] struct {
	// Name identifies the flow in the store, in logs and for Notify. Required.
	Name string
	// Source yields the changes. Required.
	Source connector.Source[S]
	// Map turns source entities into sink entities. Required; use Identity when
	// the types match.
	Map MapFunc[S, D]
	// Sink applies the mapped changes. Required.
	Sink connector.Sink[D]

	// Filter, if set, decides which changes to process; a change it rejects is
	// recorded as skipped (filtered) with the reason it returns.
	Filter func(ctx context.Context, c connector.Change[S]) (keep bool, reason string)
	// Validate adds the flow's own rules. It runs after the entity's own
	// Validate() method, if D has one. Return a canonical.ValidationError or a
	// mapping.Error so the field paths reach the exception queue.
	Validate func(ctx context.Context, d D) error
	// Ownership says which system owns which fields of D. A change from a
	// system that does not own a field never writes it.
	Ownership *Ownership

	// Entity, when set, names the entity type in the crosswalk ("SalesOrder");
	// the engine then links the source ref and the sink's ref after each write
	// and passes the known target ref to the sink.
	Entity string
	// TargetSystem is the sink's system name, used to find the target ref in the
	// crosswalk. Needed with Entity.
	TargetSystem string

	// Every is the poll interval. Zero means the flow runs only on Notify.
	Every time.Duration
	// Concurrency bounds the keys applied in parallel (default 4). Changes to
	// one key are always applied in order, one at a time.
	Concurrency int
	// Retry bounds retries of transient and rate-limited failures.
	Retry RetryPolicy
	// Parked says what happens to later changes of a key that has an open
	// exception. The default, WaitBehindParked, parks them behind it.
	Parked ParkedPolicy
}

// ParkedPolicy says what happens to later changes of a key that has an open
// (parked) exception.
type ParkedPolicy uint8

const (
	// WaitBehindParked parks later changes of the key behind the open one, so an
	// amendment is never applied before the order it amends. Replaying the
	// first exception replays the ones waiting behind it, in order.
	WaitBehindParked ParkedPolicy = iota
	// ContinuePastParked applies later changes of the key normally. Use it for
	// snapshot data (stock levels, prices) where the newest state wins and the
	// parked older one becomes stale.
	ContinuePastParked
)

// RetryPolicy bounds retries of Transient, RateLimited and Unknown failures
// inside one pass. After the budget the change is parked.
type RetryPolicy struct {
	// MaxAttempts is the number of sink calls, the first included (default 5).
	MaxAttempts int
	// Initial is the first backoff (default 200ms); it doubles, with jitter, up
	// to Max (default 30s). A RetryAfter from the system wins when longer.
	Initial time.Duration
	Max     time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.Initial <= 0 {
		p.Initial = 200 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	return p
}
