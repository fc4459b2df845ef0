package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/junctionhq/junction/connector/store/sqlstore"
)

// postgresEnv names the variable that holds the DSN of a PostgreSQL database
// for the tests; without it they skip.
const postgresEnv = "JUNCTION_TEST_POSTGRES"

// sqliteDSN is a temp-file database with the settings the package doc
// recommends for a pool of connections.
func sqliteDSN(t testing.TB) string {
	return "file:" + filepath.Join(t.TempDir(), "state.db") +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

func openSQLite(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// postgresDB opens the test database, or skips the test without one.
func postgresDB(t testing.TB) *sql.DB {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skipf("set %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run the PostgreSQL tests", postgresEnv)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(16)
	t.Cleanup(func() { _ = db.Close() })
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	return db
}

// testSchema names a fresh schema for one test and drops it at cleanup, so
// tests and test packages running at once never share tables. The store
// creates the schema; the name is only reserved here.
func testSchema(t testing.TB, db *sql.DB) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "junction_test_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

func open(t testing.TB, db *sql.DB, d sqlstore.Dialect, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), db, d, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
