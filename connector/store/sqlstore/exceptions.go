package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"iter"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/internal/check"
)

// Park stores a new exception, or updates the one ex.ID names. The ID is the
// row's sequence number in the form "ex-000001".
func (s *Store) Park(ctx context.Context, ex store.Exception) (string, error) {
	if err := check.Exception(ex); err != nil {
		return "", err
	}
	var fields any
	if len(ex.Fields) > 0 {
		b, err := json.Marshal(ex.Fields)
		if err != nil {
			return "", wrap("park: encode fields", err)
		}
		fields = string(b)
	}
	last, err := nanos(ex.LastSeen)
	if err != nil {
		return "", err
	}
	if seq, ok := check.ParseExceptionID(ex.ID); ok {
		res, err := s.db.ExecContext(ctx, s.q.updateException, ex.Attempts, last, ex.Kind.String(), ex.Message,
			fields, blob(ex.Mapped), seq)
		if err != nil {
			return "", wrap("park", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return "", wrap("park", err)
		} else if n == 1 {
			return ex.ID, nil
		}
	}
	if ex.Status == "" {
		ex.Status = store.Open
	}
	first := last
	if !ex.FirstSeen.IsZero() {
		if first, err = nanos(ex.FirstSeen); err != nil {
			return "", err
		}
	}
	var seq int64
	err = s.db.QueryRowContext(ctx, s.q.insertException, ex.Flow, ex.Key, ex.System, int64(ex.Op), ex.Version.String(),
		string(ex.Cursor), ex.Kind.String(), ex.Message, fields, blob(ex.Payload), blob(ex.Source), blob(ex.Mapped),
		ex.BlockedBy, ex.Attempts, first, last, string(ex.Status), ex.Resolution).Scan(&seq)
	if err != nil {
		return "", wrap("park", err)
	}
	return check.ExceptionID(seq), nil
}

// Exception returns one exception by ID, or store.ErrNotFound.
func (s *Store) Exception(ctx context.Context, id string) (store.Exception, error) {
	seq, ok := check.ParseExceptionID(id)
	if !ok {
		return store.Exception{}, store.ErrNotFound
	}
	ex, err := scanException(s.db.QueryRowContext(ctx, s.q.exception, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Exception{}, store.ErrNotFound
	}
	return ex, wrap("exception", err)
}

// Exceptions lists exceptions in the order they were first parked, a page
// per query.
func (s *Store) Exceptions(ctx context.Context, f store.ExceptionFilter) iter.Seq2[store.Exception, error] {
	return func(yield func(store.Exception, error) bool) {
		var after int64
		sent := 0
		for {
			want := s.pageSize
			if f.Limit > 0 {
				want = min(want, f.Limit-sent)
			}
			page, err := s.exceptionPage(ctx, f, after, want)
			if err != nil {
				yield(store.Exception{}, err)
				return
			}
			for _, ex := range page {
				if !yield(ex, nil) {
					return
				}
			}
			sent += len(page)
			if len(page) < want || (f.Limit > 0 && sent >= f.Limit) {
				return
			}
			after, _ = check.ParseExceptionID(page[len(page)-1].ID)
		}
	}
}

func (s *Store) exceptionPage(ctx context.Context, f store.ExceptionFilter, after int64, limit int) ([]store.Exception, error) {
	var kind string
	if f.Kind != connector.Unknown {
		kind = f.Kind.String()
	}
	flt := s.q.filter(after).eq("flow", f.Flow).eq("rec_key", f.Key).eq("kind", kind).eq("status", string(f.Status))
	rows, err := s.db.QueryContext(ctx, flt.query(exceptionCols, "exceptions", limit), flt.args...)
	if err != nil {
		return nil, wrap("exceptions", err)
	}
	defer rows.Close()
	page := make([]store.Exception, 0, limit)
	for rows.Next() {
		ex, err := scanException(rows)
		if err != nil {
			return nil, wrap("exceptions", err)
		}
		page = append(page, ex)
	}
	return page, wrap("exceptions", rows.Err())
}

// OpenException returns the oldest open exception for (flow, key).
func (s *Store) OpenException(ctx context.Context, flow, key string) (store.Exception, bool, error) {
	ex, err := scanException(s.db.QueryRowContext(ctx, s.q.openException, flow, key))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Exception{}, false, nil
	}
	if err != nil {
		return store.Exception{}, false, wrap("open exception", err)
	}
	return ex, true, nil
}

// CloseException marks an exception Resolved or Discarded with a note.
func (s *Store) CloseException(ctx context.Context, id string, status store.ExceptionStatus, note string) error {
	if err := check.CloseStatus(status); err != nil {
		return err
	}
	seq, ok := check.ParseExceptionID(id)
	if !ok {
		return store.ErrNotFound
	}
	res, err := s.db.ExecContext(ctx, s.q.closeException, string(status), note, seq)
	if err != nil {
		return wrap("close exception", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap("close exception", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

// scanException reads the columns exceptionCols lists. Stored values that do
// not decode (a version, kind or field list written by something else) are
// errors, not panics.
func scanException(sc scanner) (store.Exception, error) {
	var (
		ex                      store.Exception
		seq, op                 int64
		version, cursor, kind   string
		status                  string
		fields                  sql.NullString
		payload, source, mapped []byte
		firstSeen, lastSeen     sql.NullInt64
	)
	if err := sc.Scan(&seq, &ex.Flow, &ex.Key, &ex.System, &op, &version, &cursor, &kind, &ex.Message, &fields,
		&payload, &source, &mapped, &ex.BlockedBy, &ex.Attempts, &firstSeen, &lastSeen, &status, &ex.Resolution); err != nil {
		return store.Exception{}, err
	}
	var err error
	if ex.Version, err = connector.ParseVersion(version); err != nil {
		return store.Exception{}, err
	}
	if ex.Kind, err = connector.ParseKind(kind); err != nil {
		return store.Exception{}, err
	}
	if fields.Valid && fields.String != "" {
		if err := json.Unmarshal([]byte(fields.String), &ex.Fields); err != nil {
			return store.Exception{}, err
		}
		if len(ex.Fields) == 0 {
			ex.Fields = nil
		}
	}
	ex.ID = check.ExceptionID(seq)
	ex.Op = connector.Op(op)
	ex.Cursor = connector.Cursor(cursor)
	ex.Status = store.ExceptionStatus(status)
	ex.Payload, ex.Source, ex.Mapped = raw(payload), raw(source), raw(mapped)
	ex.FirstSeen, ex.LastSeen = fromNanos(firstSeen), fromNanos(lastSeen)
	return ex, nil
}
