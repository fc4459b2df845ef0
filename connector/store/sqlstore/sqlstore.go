// Package sqlstore keeps a flow's state (store.Store) in PostgreSQL or SQLite
// through database/sql, so it survives restarts and several replicas of a
// service can share it.
//
// The caller opens the *sql.DB with the driver of its choice (pgx's stdlib
// adapter or lib/pq for PostgreSQL; modernc.org/sqlite or mattn/go-sqlite3 for
// SQLite) and passes it to Open with the matching Dialect. This package imports
// no driver. Open creates or upgrades the tables through versioned migrations
// kept in the package; a table named <prefix>migrations records the versions
// applied. Replicas may call Open at the same time: on PostgreSQL the
// migrations run under a transaction-level advisory lock.
//
// # PostgreSQL
//
// Tables live in the connection's search path, or in the schema given with
// WithSchema (created if missing). Leases are taken with one atomic statement,
// so two replicas never both hold one. Record writes a batch in one
// transaction with multi-row inserts and upserts.
//
// # SQLite
//
// SQLite allows one writer at a time. Either give the *sql.DB a single
// connection (db.SetMaxOpenConns(1)), or open it with a busy timeout, WAL and
// immediate transactions, as in
//
//	file:state.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate
//
// for modernc.org/sqlite. Iterators never keep a query open while the loop
// body runs, so a single connection does not deadlock when the body writes.
//
// # Data
//
// Times are stored as Unix nanoseconds in UTC (NULL for the zero time), so
// they keep full precision and must lie between the years 1678 and 2262.
// Versions are stored as connector.Version.String, error kinds by name, raw
// JSON byte for byte. Listings page through results in keyset order; on
// PostgreSQL a row committed by a concurrent transaction with a lower sequence
// than the page already read is missed by that listing.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/internal/check"
)

// Dialect names the SQL database behind the *sql.DB.
type Dialect int

// The supported dialects.
const (
	// Postgres is PostgreSQL 12 or later.
	Postgres Dialect = iota + 1
	// SQLite is SQLite 3.35 or later (for RETURNING).
	SQLite
)

// String returns "postgres" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return "dialect(" + strconv.Itoa(int(d)) + ")"
}

// DefaultTablePrefix starts the name of every table the store creates, unless
// WithTablePrefix says otherwise.
const DefaultTablePrefix = "junction_"

// DefaultPageSize is how many rows an iterator reads per query, unless
// WithPageSize says otherwise.
const DefaultPageSize = 500

// Option configures Open.
type Option func(*options)

type options struct {
	prefix   string
	schema   string
	pageSize int
}

// WithTablePrefix sets the prefix of every table and index name, by default
// DefaultTablePrefix. It must be lower-case letters, digits and underscores,
// start with a letter or underscore, and be at most 30 characters. Stores with
// different prefixes in one database are independent.
func WithTablePrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithSchema puts the tables in the named PostgreSQL schema, created if
// missing. The name follows the rules of WithTablePrefix. SQLite has no
// schemas: Open refuses the option there.
func WithSchema(schema string) Option {
	return func(o *options) { o.schema = schema }
}

// WithPageSize sets how many rows an iterator reads per query (1 to 10,000),
// by default DefaultPageSize.
func WithPageSize(n int) Option {
	return func(o *options) { o.pageSize = n }
}

// Store is a store.Store on a SQL database. It is safe for concurrent use, and
// several Stores (in one process or many) may share one database.
type Store struct {
	db       *sql.DB
	dialect  Dialect
	pageSize int
	lockBase string // distinguishes this store's advisory locks from others'
	q        queries

	pruneMu sync.Mutex
	pruned  map[string]time.Time // delivery system -> last prune
}

var _ store.Store = (*Store)(nil)

// Open returns a store on db, creating or upgrading its tables first. It does
// not take ownership of db: closing db is the caller's job, after the store is
// no longer used.
func Open(ctx context.Context, db *sql.DB, dialect Dialect, opts ...Option) (*Store, error) {
	o := options{prefix: DefaultTablePrefix, pageSize: DefaultPageSize}
	for _, opt := range opts {
		opt(&o)
	}
	if db == nil {
		return nil, check.Invalid("nil *sql.DB")
	}
	if dialect != Postgres && dialect != SQLite {
		return nil, check.Invalid("unknown %v", dialect)
	}
	if !validName(o.prefix) {
		return nil, check.Invalid("table prefix %q: want lower-case letters, digits and _, at most 30", o.prefix)
	}
	if o.schema != "" && (!validName(o.schema) || dialect != Postgres) {
		return nil, check.Invalid("schema %q: want a valid name, and PostgreSQL", o.schema)
	}
	if o.pageSize < 1 || o.pageSize > 10_000 {
		return nil, check.Invalid("page size %d out of range", o.pageSize)
	}
	table := o.prefix
	if o.schema != "" {
		table = o.schema + "." + o.prefix
	}
	s := &Store{
		db:       db,
		dialect:  dialect,
		pageSize: o.pageSize,
		lockBase: o.schema + "." + o.prefix,
		pruned:   make(map[string]time.Time),
	}
	s.q = buildQueries(dialect, table)
	if err := s.migrate(ctx, o.schema, o.prefix, table); err != nil {
		return nil, err
	}
	return s, nil
}

// validName reports whether s is a safe unquoted identifier: lower-case
// letters, digits and underscores, not starting with a digit, 1 to 30 bytes.
func validName(s string) bool {
	if s == "" || len(s) > 30 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// bind turns the $n placeholders the queries are written with into the
// dialect's. SQLite gets plain ? when the placeholders run $1, $2, ... in
// order, each once, as in most queries here (the SQLite driver binds those
// much faster than numbered ones), and ?n otherwise.
func bind(d Dialect, q string) string {
	if d == Postgres {
		return q
	}
	var numbered, plain strings.Builder
	inOrder, next := true, 1
	for i := 0; i < len(q); i++ {
		if q[i] != '$' || i+1 >= len(q) || !isDigit(q[i+1]) {
			numbered.WriteByte(q[i])
			plain.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && isDigit(q[j]) {
			j++
		}
		if q[i+1:j] != strconv.Itoa(next) {
			inOrder = false
		}
		next++
		numbered.WriteString("?" + q[i+1:j])
		plain.WriteByte('?')
		i = j - 1
	}
	if inOrder {
		return plain.String()
	}
	return numbered.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lockKey derives a 64-bit advisory lock key for a purpose within this store.
func (s *Store) lockKey(purpose string) int64 {
	h := fnv.New64a()
	h.Write([]byte("junction/sqlstore:" + s.lockBase + ":" + purpose))
	return int64(h.Sum64())
}

// beginLocked starts a transaction that holds this store's lock for purpose
// until it ends: an advisory lock on PostgreSQL, the database write lock on
// SQLite (taken by a write that changes nothing).
func (s *Store) beginLocked(ctx context.Context, purpose string) (*sql.Tx, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if s.dialect == Postgres {
		_, err = tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey(purpose))
	} else {
		_, err = tx.ExecContext(ctx, s.q.sqliteWriteLock)
	}
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// nanos encodes a time for storage: nil for the zero time, else Unix
// nanoseconds, refusing times that do not fit.
func nanos(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	n := t.UnixNano()
	if !time.Unix(0, n).Equal(t) {
		return nil, check.Invalid("time %v is outside the years 1678 to 2262", t)
	}
	return n, nil
}

// fromNanos decodes what nanos stored.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// blob passes raw JSON as plain bytes (NULL when empty), which every driver
// binds as BYTEA or BLOB.
func blob(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return []byte(b)
}

// raw normalizes scanned bytes: empty is nil.
func raw(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
