package sqlstore_test

import (
	"testing"

	"github.com/junctionhq/junction/connector/store/sqlstore"
	"github.com/junctionhq/junction/connector/store/storetest"
)

func BenchmarkRecordSQLite(b *testing.B) {
	storetest.BenchmarkRecord(b, open(b, openSQLite(b, sqliteDSN(b)), sqlstore.SQLite), 100)
}

func BenchmarkRecordPostgres(b *testing.B) {
	db := postgresDB(b)
	storetest.BenchmarkRecord(b, open(b, db, sqlstore.Postgres, sqlstore.WithSchema(testSchema(b, db))), 100)
}
