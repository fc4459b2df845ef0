package flow_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store/sqlstore"
)

const postgresEnv = "JUNCTION_TEST_POSTGRES"

// postgresStore opens a sqlstore in a fresh schema of the test database, or
// skips the test when JUNCTION_TEST_POSTGRES is not set.
func postgresStore(t testing.TB) (*sqlstore.Store, *sql.DB, string) {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skipf("set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL tests", postgresEnv)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "junction_flow_" + hex.EncodeToString(b)
	t.Cleanup(func() { _, _ = db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`) })
	st, err := sqlstore.Open(context.Background(), db, sqlstore.Postgres, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	return st, db, schema
}

func TestCrashRestartPostgres(t *testing.T) {
	st, _, _ := postgresStore(t)
	runCrashRestart(t, st)
}

// TestLeaseFailoverPostgres runs two engines, as two replicas, on one
// database: only one runs the flow at a time, and when it dies the other
// takes over from the checkpoint after the lease runs out.
func TestLeaseFailoverPostgres(t *testing.T) {
	st, _, schema := postgresStore(t)
	// The second replica has its own connection pool, as another process would.
	db2, err := sql.Open("pgx", os.Getenv(postgresEnv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db2.Close() })
	st2, err := sqlstore.Open(context.Background(), db2, sqlstore.Postgres, sqlstore.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}

	clock := connectortest.NewClock(epoch)
	src := connectortest.NewMemory[item]("src")
	sink := connectortest.NewMemory[item]("dst")
	newReplica := func(s *sqlstore.Store, owner string) *flow.Engine {
		eng := flow.NewEngine(s, flow.WithClock(clock), flow.WithLogger(quiet), flow.WithOwner(owner), flow.WithLeaseTTL(30*time.Second))
		if err := flow.Add(eng, flow.Flow[item, item]{Name: "items", Source: src, Map: flow.Identity[item], Sink: sink}); err != nil {
			t.Fatal(err)
		}
		return eng
	}
	a, b := newReplica(st, "replica-a"), newReplica(st2, "replica-b")
	for i := range 20 {
		src.Put(fmt.Sprintf("k%d", i), item{SKU: "x", Price: canonical.MustDecimal("1"), Stock: i})
	}
	ctx := context.Background()
	if rep, err := a.RunOnce(ctx, "items"); err != nil || rep.Applied != 20 {
		t.Fatalf("replica a: %+v, %v", rep, err)
	}
	// While a holds the lease, b does nothing.
	if _, err := b.RunOnce(ctx, "items"); !errors.Is(err, flow.ErrNotLeader) {
		t.Fatalf("replica b ran while a held the lease: %v", err)
	}
	// a dies without releasing. New changes arrive; after the TTL b takes
	// over from a's checkpoint.
	for i := range 5 {
		src.Put(fmt.Sprintf("n%d", i), item{SKU: "y", Stock: i})
	}
	clock.Advance(29 * time.Second)
	if _, err := b.RunOnce(ctx, "items"); !errors.Is(err, flow.ErrNotLeader) {
		t.Fatalf("replica b took the lease before it expired: %v", err)
	}
	clock.Advance(2 * time.Second)
	rep, err := b.RunOnce(ctx, "items")
	if err != nil {
		t.Fatalf("replica b after the TTL: %v", err)
	}
	if rep.Read != 5 || rep.Applied != 5 {
		t.Fatalf("replica b read %d and applied %d, want only the 5 changes after a's checkpoint", rep.Read, rep.Applied)
	}
	// Now a, back from the dead, is the one refused.
	if _, err := a.RunOnce(ctx, "items"); !errors.Is(err, flow.ErrNotLeader) {
		t.Fatalf("replica a ran while b held the lease: %v", err)
	}
	for _, k := range sink.Keys() {
		if n := sink.Writes(k); n != 1 {
			t.Errorf("%s written %d times across the two replicas", k, n)
		}
	}
}

// BenchmarkEnginePostgres is BenchmarkEngine with the state in PostgreSQL:
// ledger reads per change, outcomes and checkpoints in batches.
func BenchmarkEnginePostgres(b *testing.B) {
	st, _, _ := postgresStore(b)
	src, skus := benchFixture(b.N)
	eng := flow.NewEngine(st, flow.WithLogger(quiet))
	err := flow.Add(eng, flow.Flow[canonical.SalesOrder, canonical.SalesOrder]{
		Name: "orders", Source: src, Map: benchMap(skus), Sink: discardSink{}, Concurrency: 8,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	rep, err := eng.RunOnce(context.Background(), "orders")
	if err != nil || rep.Applied != b.N {
		b.Fatalf("applied %d of %d: %v", rep.Applied, b.N, err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "changes/s")
}
