// Package connector is the contract every connector implements and the
// vocabulary the rest of junction speaks about systems.
//
// A Source reads a system's changes as an iter.Seq2 of Change, resumable from
// a Cursor; a Sink applies a Write idempotently and reports a Result. Versions
// order the changes to one key, so that late and repeated changes are
// recognised. Optional capabilities (BatchSink, Getter, Deleter, Notifier) are
// discovered by interface assertion; CapabilitiesOf reports them.
//
// Every failure carries a Kind: Errorf builds an *Error, KindOf classifies any
// error, and KindForStatus maps an HTTP status. The flow engine decides from
// the kind alone whether to retry, park the record or stop. Connectors never
// retry themselves.
//
// Components take a Clock instead of reading the time, so that tests can use
// the fake in connectortest. connectortest also holds an in-memory system and
// the conformance suite that every Source and Sink must pass.
package connector

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// Cursor is an opaque position in a source's change stream. A source yields the
// cursor to resume from with every change; the engine saves it only after every
// change up to it has an outcome. The empty Cursor means "from the beginning".
type Cursor string

// Op is what a change does to the record it names.
type Op uint8

// Operations.
const (
	// Upsert creates the record or replaces it with the change's entity.
	Upsert Op = iota
	// Delete removes or cancels the record (a cancelled order, a deleted product).
	Delete
)

// String returns "upsert" or "delete".
func (o Op) String() string {
	if o == Delete {
		return "delete"
	}
	return "upsert"
}

// Change is one change a source reports: which record (Key), what happened (Op),
// how new it is (Version), the entity in canonical form, and the raw payload the
// system sent, kept for audit and replay.
type Change[T any] struct {
	// System names the source system, such as "shopify".
	System string
	// Key is the record's key in the source system. Changes to one key are
	// applied in order, never concurrently.
	Key string
	Op  Op
	// Version orders changes to the same key.
	Version Version
	// Cursor is where to resume to read the changes after this one.
	Cursor Cursor
	// Entity is the record in canonical form.
	Entity T
	// Raw is the payload as the system sent it.
	Raw json.RawMessage
	// At is when the change happened in the source, if known.
	At time.Time
}

// Source reads changes from a system, in the order the system reports them,
// starting after a cursor. Implementations must be safe for concurrent use.
type Source[T any] interface {
	// Changes yields every change after cursor. An error ends the stream; the
	// engine retries from the last saved cursor. Changes must stop promptly when
	// ctx is cancelled.
	Changes(ctx context.Context, after Cursor) iter.Seq2[Change[T], error]
}

// Write is what the engine asks a sink to do: the change with its entity mapped
// to the sink's type, and an idempotency key derived from (flow, key, version)
// so that a repeated write (after a crash or a retry) has one effect.
type Write[T any] struct {
	Change[T]
	// IdempotencyKey is stable for the same change; a sink passes it to the
	// system (an Idempotency-Key header, a reference field) or keeps it itself.
	IdempotencyKey string
	// Target is the record's ref in the sink's system when the crosswalk knows
	// it, so the sink can update instead of searching.
	Target *canonical.ExternalRef
}

// Action says what a sink did.
type Action uint8

// Actions.
const (
	Created Action = iota + 1
	Updated
	Unchanged
	Deleted
	// Stale means the sink already holds a newer version of the record and
	// ignored the write.
	Stale
)

var actionNames = [...]string{"", "created", "updated", "unchanged", "deleted", "stale"}

// String returns the action's name.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "unknown"
}

// Result is what a sink reports for one write.
type Result struct {
	Action Action
	// Ref is the record's ref in the sink's system.
	Ref canonical.ExternalRef
}

// Sink applies changes to a system. Apply must be idempotent: applying the same
// Write twice (same IdempotencyKey) has one effect. A write whose version is
// older than what the sink holds is refused with a Conflict error or reported
// as Stale. Implementations must be safe for concurrent use for different keys.
type Sink[T any] interface {
	Apply(ctx context.Context, w Write[T]) (Result, error)
}

// Optional capabilities, discovered by interface assertion as database/sql does.

// BatchSink applies many writes in one call. Results are in the order of the
// writes; a per-write failure is reported in errs at the same index.
type BatchSink[T any] interface {
	ApplyBatch(ctx context.Context, ws []Write[T]) (results []Result, errs []error)
}

// Getter reads the current state of one record by key. The engine uses it to
// re-read after a Conflict, and the conformance suite to check a write.
type Getter[T any] interface {
	Get(ctx context.Context, key string) (Change[T], error)
}

// Deleter marks a sink that applies Delete changes (cancel, archive). A sink
// without it gets Unsupported for Delete.
type Deleter interface {
	SupportsDelete() bool
}

// Notifier marks a system that pushes webhooks. Topics names the event topics it
// can deliver, so an application knows which flows to ring.
type Notifier interface {
	Topics() []string
}

// Capabilities reports what a source or sink can do beyond the contract.
type Capabilities struct {
	Batch    bool
	Get      bool
	Delete   bool
	Webhooks bool
}

// CapabilitiesOf reports the optional interfaces v implements, for entity type T.
func CapabilitiesOf[T any](v any) Capabilities {
	var c Capabilities
	_, c.Batch = v.(BatchSink[T])
	_, c.Get = v.(Getter[T])
	if d, ok := v.(Deleter); ok {
		c.Delete = d.SupportsDelete()
	}
	_, c.Webhooks = v.(Notifier)
	return c
}
