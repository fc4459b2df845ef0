// Package flow is the sync engine. A Flow reads changes from a Source, maps them
// to the sink's type, validates them and applies them to a Sink; the Engine runs
// many flows, each on its own schedule and on Notify (a webhook's doorbell),
// and records exactly one outcome for every change it reads:
//
//   - applied: the sink took it (created, updated or deleted);
//   - skipped: duplicate (this version was applied), stale (a newer version was
//     applied: a late stock update), filtered, unchanged (the mapped entity
//     equals what was last written, so no API call is spent) or not-owner;
//   - parked: kept in the exception queue with its raw payload, mapped entity,
//     error kind, message and field paths, ready to replay after a fix.
//
// Errors are handled by kind (see connector.Kind): transient and rate-limited
// failures are retried with backoff inside RetryPolicy, then parked; invalid and
// business-rule failures are parked at once; a conflict is retried once (after
// checking whether the source has moved on), then parked; unauthorized and
// forbidden stop the flow until Resume.
//
// Changes to one key are applied in order, one at a time; different keys run in
// parallel up to Flow.Concurrency. With the default ParkedPolicy, a change whose
// key has an open exception parks behind it, so an amendment is never applied
// before the order it amends; replaying the first replays the rest in order.
//
// The checkpoint moves only past changes that all have an outcome, so a crash
// at any point resumes without gaps. A change applied just before a crash is
// read again; the sink gets the same idempotency key (derived from flow, key
// and version) and the repeat has no second effect.
//
// With several replicas on one sqlstore, each flow runs in one replica at a
// time under a lease; a replica that dies loses its flows after the lease TTL.
//
// Outcomes are recorded in batches; with a store that implements
// store.LedgerBatch (both memstore and sqlstore do), the ledger of each chunk of
// changes is read in one round trip. Split turns a source of documents into a
// source of their parts (orders into payments) with cursors that stay safe.
// DryRun reports what a flow would do, with field-level diffs, and writes
// nothing.
package flow
