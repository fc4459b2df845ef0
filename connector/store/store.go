// Package store defines the state a flow keeps: checkpoints, the ledger of
// outcomes and applied versions, the exception queue, the ID crosswalk, leases
// and webhook delivery IDs. memstore is the in-memory default; sqlstore keeps
// the same state in PostgreSQL or SQLite so several replicas can share it.
//
// Every Store implementation passes the conformance tests in storetest.
//
// Conventions shared by every implementation:
//   - Times are kept in UTC to the nanosecond. sqlstore stores them as int64
//     Unix nanoseconds, so it accepts times from 1678 to 2262 and the zero time.
//   - Arguments that cannot be stored (an empty flow, lease name or owner, an
//     unknown Result, ExceptionStatus or Kind) are refused with an error that
//     matches connector.Invalid under errors.Is.
//   - Iterators (Outcomes, Exceptions) hold no lock and no database cursor while
//     the loop body runs, so the body may call the store, even to write.
//   - Crosswalk refs are identified by (System, Type, ID); the ref's Version is
//     kept as last linked. Refs lists refs sorted by System, Type and ID, and
//     Refs of a merged-away ID lists the refs of the ID it was merged into.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/mapping"
)

// ErrNotFound is returned when an exception or other record does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is all the state the flow engine keeps. Implementations are safe for
// concurrent use.
type Store interface {
	Checkpoints
	Ledger
	Exceptions
	Leases
	Deliveries
	mapping.Crosswalk
}

// Checkpoints keep each flow's position in its source.
type Checkpoints interface {
	// Checkpoint returns the flow's saved cursor, or "" if none.
	Checkpoint(ctx context.Context, flow string) (connector.Cursor, error)
	// SaveCheckpoint stores the flow's cursor.
	SaveCheckpoint(ctx context.Context, flow string, c connector.Cursor) error
}

// Result is the outcome class of one change.
type Result string

// Outcome results. Every change a flow reads ends in exactly one of them.
const (
	Applied Result = "applied"
	Skipped Result = "skipped"
	Parked  Result = "parked"
)

// Reason says why a change was skipped.
type Reason string

// Skip reasons.
const (
	Duplicate Reason = "duplicate" // this version was already applied
	Stale     Reason = "stale"     // a newer version was already applied
	Filtered  Reason = "filtered"  // a flow filter rejected it
	Unchanged Reason = "unchanged" // the mapped entity equals what was last written
	NotOwner  Reason = "not-owner" // the source owns none of the fields it changes
)

// Outcome records what happened to one change.
type Outcome struct {
	Flow    string
	Key     string
	Version connector.Version
	Result  Result
	// Reason is set for Skipped (and for Applied when some fields were dropped
	// as not-owner: NotOwner).
	Reason Reason
	// Detail explains the outcome in words (the fields dropped, the error).
	Detail string
	// IdempotencyKey is the key the sink was given (Applied), or the ledger
	// entry's for a Skipped outcome that carries an Entity.
	IdempotencyKey string
	// Entity is the mapped entity as written, JSON-encoded: set for Applied,
	// and for Skipped with reason Unchanged or NotOwner, where the engine copies
	// the ledger entry's Entity, Target and IdempotencyKey so the entry moves on
	// to this Version. The engine compares the next write against it to skip
	// unchanged records. An outcome with an Entity moves the ledger; see
	// Ledger.Record. The ledger keeps the entity; the outcome log does not
	// (Outcomes returns it empty): it records decisions, and a copy of every
	// written entity would double what each write stores.
	Entity json.RawMessage
	// Target is the record's ref in the sink's system (with Entity).
	Target canonical.ExternalRef
	// Exception is the ID of the exception (Parked).
	Exception string
	At        time.Time
}

// LedgerEntry is what the sink holds for a (flow, key) as far as the engine
// knows: the fields of the last recorded outcome for that key that carried an
// Entity (an Applied write, or a Skipped change that needed none).
type LedgerEntry struct {
	Flow           string
	Key            string
	Version        connector.Version
	IdempotencyKey string
	Entity         json.RawMessage
	Target         canonical.ExternalRef
	At             time.Time
}

// OutcomeFilter selects outcomes. Zero fields match everything.
type OutcomeFilter struct {
	Flow   string
	Key    string
	Result Result
}

// Ledger records one outcome per change and keeps, per (flow, key), the entry
// of the last outcome that carried an Entity.
type Ledger interface {
	// Record stores a batch of outcomes, in order, whole or not at all. Every
	// outcome needs a Flow and one of the Result constants.
	//
	// One outcome per change: an outcome is identified by its Flow, Key and
	// Version.String(), and at most one outcome per identity is stored. When
	// one with the same identity already exists, in the store or earlier in
	// the batch, the new outcome replaces it only if the existing one is
	// Parked (a replay's result, or a re-park); the replacement takes the
	// existing outcome's place in the Outcomes order. Otherwise the new
	// outcome is dropped without error, so a change read again after a crash,
	// or delivered twice, keeps its first outcome.
	//
	// The ledger: every outcome in the batch with a non-empty Entity, whatever
	// its Result, replaces the (flow, key) ledger entry with its Version,
	// IdempotencyKey, Entity, Target and At, so LastApplied sees it; when
	// several in a batch share a (flow, key), the last one wins. This holds
	// whether or not the one-outcome rule keeps the outcome itself. Outcomes
	// without an Entity never touch the ledger.
	Record(ctx context.Context, outcomes ...Outcome) error
	// LastApplied returns the ledger entry for (flow, key).
	LastApplied(ctx context.Context, flow, key string) (LedgerEntry, bool, error)
	// Outcomes lists recorded outcomes in the order they were first recorded
	// (a replacement keeps the place of the outcome it replaced), without
	// their Entity. The first error ends the sequence.
	Outcomes(ctx context.Context, f OutcomeFilter) iter.Seq2[Outcome, error]
}

// LedgerBatch is an optional Ledger capability: the entries of many keys in
// one call. The flow engine uses it, when the store has it, to read the
// ledger for a batch of changes in one round trip instead of one per change.
type LedgerBatch interface {
	// LastAppliedMany returns the ledger entries of the keys that have one.
	LastAppliedMany(ctx context.Context, flow string, keys []string) (map[string]LedgerEntry, error)
}

// ExceptionStatus is where a parked change stands.
type ExceptionStatus string

// Exception statuses.
const (
	Open      ExceptionStatus = "open"      // waiting for a fix and a replay
	Resolved  ExceptionStatus = "resolved"  // replayed with an outcome other than parked
	Discarded ExceptionStatus = "discarded" // an operator dropped it, with a reason
)

// Exception is a parked change: everything needed to understand it and to
// replay it through the current mapping.
type Exception struct {
	ID      string
	Flow    string
	Key     string
	System  string
	Op      connector.Op
	Version connector.Version
	Cursor  connector.Cursor
	Kind    connector.Kind
	// Message is the error text; Fields lists field problems with paths.
	Message string
	Fields  []canonical.FieldError
	// Payload is the raw payload the source sent.
	Payload json.RawMessage
	// Source is the source entity, JSON-encoded, so a replay does not need the
	// source system.
	Source json.RawMessage
	// Mapped is the mapped entity, JSON-encoded, when mapping succeeded.
	Mapped json.RawMessage
	// BlockedBy is the ID of an earlier open exception for the same key that
	// this change waits behind, if any.
	BlockedBy string
	Attempts  int
	FirstSeen time.Time
	LastSeen  time.Time
	Status    ExceptionStatus
	// Resolution is the discard reason or the replay outcome.
	Resolution string
}

// ExceptionFilter selects exceptions. Zero fields match everything.
type ExceptionFilter struct {
	Flow   string
	Key    string
	Kind   connector.Kind
	Status ExceptionStatus
	// Limit caps the number returned; 0 means no cap.
	Limit int
}

// Exceptions is the queue of parked changes.
type Exceptions interface {
	// Park stores a new exception and returns its ID. IDs are "ex-" and a
	// sequence number of at least six digits ("ex-000001"), assigned in park
	// order. A new exception with an empty Status is Open, and a zero FirstSeen
	// is set to LastSeen.
	//
	// If ex.ID is set and exists, Park updates that exception instead (a replay
	// that failed again): Attempts, LastSeen, Kind, Message, Fields and Mapped
	// are replaced and everything else, Status included, is kept. If ex.ID is
	// set but unknown, the exception is stored as new under a fresh ID.
	Park(ctx context.Context, ex Exception) (id string, err error)
	// Exception returns one exception by ID, or ErrNotFound.
	Exception(ctx context.Context, id string) (Exception, error)
	// Exceptions lists exceptions in the order they were first parked. The
	// first error ends the sequence.
	Exceptions(ctx context.Context, f ExceptionFilter) iter.Seq2[Exception, error]
	// OpenException returns the oldest open exception for (flow, key), if any:
	// later changes to that key wait behind it.
	OpenException(ctx context.Context, flow, key string) (Exception, bool, error)
	// CloseException marks an exception Resolved or Discarded with a note, kept
	// as its Resolution. Any other status is refused; an unknown id gives
	// ErrNotFound.
	CloseException(ctx context.Context, id string, status ExceptionStatus, note string) error
}

// Leases give one owner at a time the right to run a named job (a flow) across
// replicas sharing a store.
type Leases interface {
	// AcquireLease takes or renews the lease for owner until now+ttl. It returns
	// false, without error, while another owner holds an unexpired lease. A
	// lease is unexpired up to and including its end instant: another owner can
	// take it only with a now after now+ttl of the holder's last acquire.
	AcquireLease(ctx context.Context, name, owner string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives the lease up if owner holds it; otherwise it does
	// nothing.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Deliveries de-duplicate webhook deliveries by the ID the platform sends.
type Deliveries interface {
	// SeenDelivery records the delivery and reports whether it was already
	// recorded. A record counts from the call that first recorded it (a repeat
	// does not extend it) and is forgotten once it is ttl old: the next delivery
	// with that ID is then new again and recorded afresh.
	SeenDelivery(ctx context.Context, system, id string, now time.Time, ttl time.Duration) (seen bool, err error)
}
