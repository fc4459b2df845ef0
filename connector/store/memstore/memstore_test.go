package memstore_test

import (
	"testing"

	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
	"github.com/junctionhq/junction/connector/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return memstore.New() })
}

func BenchmarkRecord(b *testing.B) {
	storetest.BenchmarkRecord(b, memstore.New(), 100)
}
