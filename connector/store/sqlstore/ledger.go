package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/internal/check"
)

// Checkpoint returns the flow's saved cursor, or "" if none.
func (s *Store) Checkpoint(ctx context.Context, flow string) (connector.Cursor, error) {
	var c string
	err := s.db.QueryRowContext(ctx, s.q.checkpoint, flow).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return connector.Cursor(c), wrap("checkpoint", err)
}

// SaveCheckpoint stores the flow's cursor.
func (s *Store) SaveCheckpoint(ctx context.Context, flow string, c connector.Cursor) error {
	if err := check.Flow(flow); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.q.saveCheckpoint, flow, string(c))
	return wrap("save checkpoint", err)
}

// Record stores outcomes, one per change, and moves the ledger for those with
// an Entity, in one transaction: outcomes go in with multi-row upserts that
// change an existing row only while it is parked, ledger rows with multi-row
// upserts, 500 rows a statement. The batch is first cut to one outcome per
// change by the same rule, since PostgreSQL refuses a statement that upserts
// one row twice.
func (s *Store) Record(ctx context.Context, outcomes ...store.Outcome) error {
	if err := check.Outcomes(outcomes); err != nil {
		return err
	}
	if len(outcomes) == 0 {
		return nil
	}
	// Encode everything before the transaction, so bad data costs no round trip.
	// Every outcome's time is checked, a dropped duplicate's too.
	for _, o := range outcomes {
		if _, err := nanos(o.At); err != nil {
			return err
		}
	}
	batch := check.OnePerChange(outcomes)
	args := make([]any, 0, len(batch)*outcomeNCols)
	for _, o := range batch {
		at, _ := nanos(o.At) // checked above
		args = append(args, o.Flow, o.Key, o.Version.String(), string(o.Result), string(o.Reason), o.Detail,
			o.IdempotencyKey, o.Target.System, o.Target.Type, o.Target.ID, o.Target.Version,
			o.Exception, at)
	}
	moves := check.LedgerMoves(outcomes)
	ledger := make([]any, 0, len(moves)*ledgerNCols)
	for _, o := range moves {
		at, _ := nanos(o.At) // checked above
		ledger = append(ledger, o.Flow, o.Key, o.Version.String(), o.IdempotencyKey, blob(o.Entity),
			o.Target.System, o.Target.Type, o.Target.ID, o.Target.Version, at)
	}

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap("record", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := s.chunked(ctx, tx, args, outcomeNCols, s.q.insertOutcomes, s.q.insertOutcomesN); err != nil {
		return wrap("record outcomes", err)
	}
	if err := s.chunked(ctx, tx, ledger, ledgerNCols, s.q.upsertLedger, s.q.upsertLedgerN); err != nil {
		return wrap("record ledger", err)
	}
	return wrap("record", tx.Commit())
}

// chunked runs a multi-row statement over args, chunkRows rows at a time: full
// chunks with the prepared text full, the rest with one built for its size.
func (s *Store) chunked(ctx context.Context, tx *sql.Tx, args []any, cols int, full string, build func(int) string) error {
	for len(args) > 0 {
		n := min(len(args)/cols, chunkRows)
		q := full
		if n < chunkRows {
			q = build(n)
		}
		if _, err := tx.ExecContext(ctx, q, args[:n*cols]...); err != nil {
			return err
		}
		args = args[n*cols:]
	}
	return nil
}

// LastAppliedMany returns the ledger entries of the keys that have one, in
// one query per 500 keys.
func (s *Store) LastAppliedMany(ctx context.Context, flow string, keys []string) (map[string]store.LedgerEntry, error) {
	out := make(map[string]store.LedgerEntry, len(keys))
	for len(keys) > 0 {
		n := min(len(keys), chunkRows)
		var sb strings.Builder
		sb.WriteString(`SELECT ` + ledgerCols + ` FROM ` + s.q.table + `ledger WHERE flow = $1 AND rec_key IN (`)
		args := make([]any, 0, n+1)
		args = append(args, flow)
		for i, k := range keys[:n] {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("$" + strconv.Itoa(i+2))
			args = append(args, k)
		}
		sb.WriteByte(')')
		if err := s.ledgerRows(ctx, bind(s.q.d, sb.String()), args, out); err != nil {
			return nil, err
		}
		keys = keys[n:]
	}
	return out, nil
}

func (s *Store) ledgerRows(ctx context.Context, q string, args []any, out map[string]store.LedgerEntry) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return wrap("last applied", err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var (
			e       store.LedgerEntry
			version string
			entity  []byte
			at      sql.NullInt64
		)
		if err := rows.Scan(&e.Flow, &e.Key, &version, &e.IdempotencyKey, &entity,
			&e.Target.System, &e.Target.Type, &e.Target.ID, &e.Target.Version, &at); err != nil {
			return wrap("last applied", err)
		}
		if e.Version, err = connector.ParseVersion(version); err != nil {
			return wrap("last applied", err)
		}
		e.Entity, e.At = raw(entity), fromNanos(at)
		out[e.Key] = e
	}
	return wrap("last applied", rows.Err())
}

// LastApplied returns the ledger entry for (flow, key).
func (s *Store) LastApplied(ctx context.Context, flow, key string) (store.LedgerEntry, bool, error) {
	var (
		e       store.LedgerEntry
		version string
		entity  []byte
		at      sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, s.q.lastApplied, flow, key).Scan(&e.Flow, &e.Key, &version, &e.IdempotencyKey,
		&entity, &e.Target.System, &e.Target.Type, &e.Target.ID, &e.Target.Version, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return store.LedgerEntry{}, false, nil
	}
	if err != nil {
		return store.LedgerEntry{}, false, wrap("last applied", err)
	}
	if e.Version, err = connector.ParseVersion(version); err != nil {
		return store.LedgerEntry{}, false, wrap("last applied", err)
	}
	e.Entity, e.At = raw(entity), fromNanos(at)
	return e, true, nil
}

// Outcomes lists recorded outcomes in record order, a page per query.
func (s *Store) Outcomes(ctx context.Context, f store.OutcomeFilter) iter.Seq2[store.Outcome, error] {
	return func(yield func(store.Outcome, error) bool) {
		var after int64
		for {
			page, last, err := s.outcomePage(ctx, f, after)
			if err != nil {
				yield(store.Outcome{}, err)
				return
			}
			for _, o := range page {
				if !yield(o, nil) {
					return
				}
			}
			if len(page) < s.pageSize {
				return
			}
			after = last
		}
	}
}

func (s *Store) outcomePage(ctx context.Context, f store.OutcomeFilter, after int64) ([]store.Outcome, int64, error) {
	flt := s.q.filter(after).eq("flow", f.Flow).eq("rec_key", f.Key).eq("result", string(f.Result))
	rows, err := s.db.QueryContext(ctx, flt.query("seq, "+outcomeCols, "outcomes", s.pageSize), flt.args...)
	if err != nil {
		return nil, 0, wrap("outcomes", err)
	}
	defer rows.Close()
	page := make([]store.Outcome, 0, s.pageSize)
	var seq int64
	for rows.Next() {
		var (
			o               store.Outcome
			version         string
			result, reason  string
			at              sql.NullInt64
			target          canonical.ExternalRef
			exception, idem string
		)
		if err := rows.Scan(&seq, &o.Flow, &o.Key, &version, &result, &reason, &o.Detail, &idem,
			&target.System, &target.Type, &target.ID, &target.Version, &exception, &at); err != nil {
			return nil, 0, wrap("outcomes", err)
		}
		if o.Version, err = connector.ParseVersion(version); err != nil {
			return nil, 0, wrap("outcomes", err)
		}
		o.Result, o.Reason, o.IdempotencyKey = store.Result(result), store.Reason(reason), idem
		o.Target, o.Exception, o.At = target, exception, fromNanos(at)
		page = append(page, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap("outcomes", err)
	}
	return page, seq, nil
}
