package sqlstore_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/sqlstore"
	"github.com/junctionhq/junction/connector/store/storetest"
)

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, openSQLite(t, sqliteDSN(t)), sqlstore.SQLite)
	})
}

// One connection and tiny pages: iterators must page correctly and must not
// hold the only connection while the loop body uses the store.
func TestConformanceSQLiteOneConnSmallPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db := openSQLite(t, "file:"+t.TempDir()+"/one.db?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
		db.SetMaxOpenConns(1)
		return open(t, db, sqlstore.SQLite, sqlstore.WithPageSize(64), sqlstore.WithTablePrefix("jx_"))
	})
}

func TestConformancePostgres(t *testing.T) {
	db := postgresDB(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, db, sqlstore.Postgres, sqlstore.WithSchema(testSchema(t, db)))
	})
}

func TestMigrationsSQLite(t *testing.T) {
	testMigrations(t, openSQLite(t, sqliteDSN(t)), sqlstore.SQLite)
}

func TestMigrationsPostgres(t *testing.T) {
	db := postgresDB(t)
	testMigrations(t, db, sqlstore.Postgres, sqlstore.WithSchema(testSchema(t, db)))
}

// testMigrations opens the same tables from many goroutines at once, as
// replicas starting together do, then again: each migration applies once and
// the data survives reopening.
func testMigrations(t *testing.T, db *sql.DB, d sqlstore.Dialect, opts ...sqlstore.Option) {
	ctx := t.Context()
	var wg sync.WaitGroup
	stores := make([]*sqlstore.Store, 6)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = sqlstore.Open(ctx, db, d, opts...)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("concurrent Open %d: %v", i, err)
		}
	}
	if err := stores[0].SaveCheckpoint(ctx, "orders", "c7"); err != nil {
		t.Fatal(err)
	}
	again := open(t, db, d, opts...)
	got, err := again.Migrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []int{1}) {
		t.Errorf("migrations applied = %v, want [1] once", got)
	}
	if c, err := again.Checkpoint(ctx, "orders"); err != nil || c != "c7" {
		t.Errorf("after reopening, Checkpoint = %q, %v; want c7", c, err)
	}
}

func TestOpenRefusesBadOptions(t *testing.T) {
	db := openSQLite(t, sqliteDSN(t))
	ctx := t.Context()
	cases := map[string]struct {
		db   *sql.DB
		d    sqlstore.Dialect
		opts []sqlstore.Option
	}{
		"unknown dialect":     {db, sqlstore.Dialect(9), nil},
		"prefix with a quote": {db, sqlstore.SQLite, []sqlstore.Option{sqlstore.WithTablePrefix(`x"; DROP TABLE y; --`)}},
		"upper-case prefix":   {db, sqlstore.SQLite, []sqlstore.Option{sqlstore.WithTablePrefix("Junction_")}},
		"empty prefix":        {db, sqlstore.SQLite, []sqlstore.Option{sqlstore.WithTablePrefix("")}},
		"schema on SQLite":    {db, sqlstore.SQLite, []sqlstore.Option{sqlstore.WithSchema("app")}},
		"page size 0":         {db, sqlstore.SQLite, []sqlstore.Option{sqlstore.WithPageSize(0)}},
		"nil db":              {nil, sqlstore.SQLite, nil},
	}
	for name, c := range cases {
		if _, err := sqlstore.Open(ctx, c.db, c.d, c.opts...); !errors.Is(err, connector.Invalid) {
			t.Errorf("%s: Open err = %v, want connector.Invalid", name, err)
		}
	}
}

// Two prefixes in one database are two independent stores.
func TestTablePrefixesAreIndependent(t *testing.T) {
	db := openSQLite(t, sqliteDSN(t))
	ctx := t.Context()
	a := open(t, db, sqlstore.SQLite)
	b := open(t, db, sqlstore.SQLite, sqlstore.WithTablePrefix("other_"))
	if err := a.SaveCheckpoint(ctx, "orders", "a1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := a.AcquireLease(ctx, "orders", "r1", time.Unix(100, 0), time.Minute); !ok {
		t.Fatal("lease in store a refused")
	}
	if c, _ := b.Checkpoint(ctx, "orders"); c != "" {
		t.Errorf("store b sees store a's checkpoint %q", c)
	}
	if ok, _ := b.AcquireLease(ctx, "orders", "r2", time.Unix(100, 0), time.Minute); !ok {
		t.Error("store b's lease is held by store a's owner")
	}
}

// Rows that do not decode (written by hand or by a broken tool) make the
// store return errors, never panic.
func TestCorruptRowsAreErrors(t *testing.T) {
	db := openSQLite(t, sqliteDSN(t))
	ctx := t.Context()
	s := open(t, db, sqlstore.SQLite)
	if err := s.Record(ctx, store.Outcome{Flow: "f", Key: "k", Result: store.Applied, Version: connector.SeqVersion(1), Entity: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	id, err := s.Park(ctx, store.Exception{Flow: "f", Key: "k", Kind: connector.Invalid})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE junction_outcomes SET version = 'zzz'`,
		`UPDATE junction_ledger SET version = 's12x'`,
		`UPDATE junction_exceptions SET kind = 'sideways'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for _, err := range s.Outcomes(ctx, store.OutcomeFilter{}) {
		if err == nil {
			t.Error("Outcomes decoded a corrupt version")
		}
		n++
	}
	if n != 1 {
		t.Errorf("Outcomes yielded %d items for one corrupt row, want one error", n)
	}
	if _, _, err := s.LastApplied(ctx, "f", "k"); err == nil {
		t.Error("LastApplied decoded a corrupt version")
	}
	if _, err := s.Exception(ctx, id); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("Exception with a corrupt kind: err = %v, want a decode error", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE junction_exceptions SET kind = 'invalid', fields = '{not json'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.OpenException(ctx, "f", "k"); err == nil {
		t.Error("OpenException decoded corrupt fields")
	}
}

// Times outside what int64 nanoseconds hold are refused, not wrapped around.
func TestTimesOutOfRange(t *testing.T) {
	s := open(t, openSQLite(t, sqliteDSN(t)), sqlstore.SQLite)
	ctx := t.Context()
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.Record(ctx, store.Outcome{Flow: "f", Key: "k", Result: store.Skipped, At: far}); !errors.Is(err, connector.Invalid) {
		t.Errorf("Record at year 2300: err = %v, want connector.Invalid", err)
	}
	if _, err := s.Park(ctx, store.Exception{Flow: "f", LastSeen: far}); !errors.Is(err, connector.Invalid) {
		t.Errorf("Park at year 2300: err = %v, want connector.Invalid", err)
	}
	// A dropped duplicate's time is checked too.
	dup := store.Outcome{Flow: "f", Key: "d", Result: store.Skipped}
	if err := s.Record(ctx, dup, store.Outcome{Flow: "f", Key: "d", Result: store.Skipped, At: far}); !errors.Is(err, connector.Invalid) {
		t.Errorf("Record of a duplicate at year 2300: err = %v, want connector.Invalid", err)
	}
	// The zero time is kept as such.
	if err := s.Record(ctx, store.Outcome{Flow: "f", Key: "k", Result: store.Applied, Entity: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if e, _, err := s.LastApplied(ctx, "f", "k"); err != nil || !e.At.IsZero() {
		t.Errorf("LastApplied after a zero At = %v, %v; want the zero time", e.At, err)
	}
}

// Two replicas, each with its own *sql.DB on one schema, race for a lease
// from several goroutines each, round after round with explicit clocks.
// Exactly one caller wins every round, the holder keeps it while it renews,
// and once it stops, the other replica takes over only after the TTL.
func TestLeaseRaceBetweenReplicasPostgres(t *testing.T) {
	admin := postgresDB(t)
	schema := testSchema(t, admin)
	replicas := []*sqlstore.Store{
		open(t, postgresDB(t), sqlstore.Postgres, sqlstore.WithSchema(schema)),
		open(t, postgresDB(t), sqlstore.Postgres, sqlstore.WithSchema(schema)),
	}
	ctx := t.Context()
	const ttl = 10 * time.Second
	const perReplica = 4
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

	// race has every goroutine try at once and returns the winners' owners.
	race := func(now time.Time, owners []string) []string {
		var (
			mu      sync.Mutex
			winners []string
			wg      sync.WaitGroup
			start   = make(chan struct{})
		)
		for i, owner := range owners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ok, err := replicas[i%2].AcquireLease(ctx, "orders", owner, now, ttl)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					winners = append(winners, owner)
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		return winners
	}
	var owners []string
	for i := range 2 * perReplica {
		owners = append(owners, fmt.Sprintf("replica-%d/worker-%d", i%2, i))
	}
	winners := race(t0, owners)
	if len(winners) != 1 {
		t.Fatalf("first race: %d winners %v, want exactly one", len(winners), winners)
	}
	holder := winners[0]
	now := t0
	for round := 1; round <= 20; round++ {
		now = t0.Add(time.Duration(round) * time.Second) // well within the TTL: the holder renews
		if w := race(now, owners); !slices.Equal(w, []string{holder}) {
			t.Fatalf("round %d at t0+%v: winners %v, want only the holder %s", round, now.Sub(t0), w, holder)
		}
	}
	// The holder stops renewing; everyone else keeps trying.
	others := slices.DeleteFunc(slices.Clone(owners), func(o string) bool { return o == holder })
	for _, at := range []time.Duration{time.Second, ttl / 2, ttl} {
		if w := race(now.Add(at), others); len(w) != 0 {
			t.Fatalf("at %v after the last renewal (TTL %v): %v took the lease", at, ttl, w)
		}
	}
	takeover := now.Add(ttl + time.Millisecond)
	winners = race(takeover, others)
	if len(winners) != 1 {
		t.Fatalf("after the TTL: %d winners %v, want exactly one", len(winners), winners)
	}
	if ok, err := replicas[0].AcquireLease(ctx, "orders", holder, takeover, ttl); err != nil || ok {
		t.Errorf("the old holder re-acquired after the takeover: %v, %v", ok, err)
	}
}
