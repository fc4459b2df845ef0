package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the application picks the driver

	"github.com/junctionhq/junction/connector/store/sqlstore"
)

// Open a store on a SQLite file and save a flow's checkpoint. A PostgreSQL
// store opens the same way, with a pgx or lib/pq *sql.DB and
// sqlstore.Postgres.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "junction-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	dsn := "file:" + filepath.Join(dir, "state.db") +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()

	st, err := sqlstore.Open(ctx, db, sqlstore.SQLite)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := st.SaveCheckpoint(ctx, "shop-orders-to-erp", "2025-06-02T09:30:00Z/1001"); err != nil {
		fmt.Println(err)
		return
	}
	cursor, err := st.Checkpoint(ctx, "shop-orders-to-erp")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resume after", cursor)
	// Output: resume after 2025-06-02T09:30:00Z/1001
}
