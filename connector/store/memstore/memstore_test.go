package memstore_test

import (
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"

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

// The store keeps its own copies: changing what was passed in or handed out
// does not change what is stored.
func TestStoreKeepsCopies(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	entity := []byte(`{"a":1}`)
	if err := s.Record(ctx, store.Outcome{Flow: "f", Key: "k", Result: store.Applied, Entity: entity}); err != nil {
		t.Fatal(err)
	}
	entity[2] = 'X'
	e, _, _ := s.LastApplied(ctx, "f", "k")
	if string(e.Entity) != `{"a":1}` {
		t.Fatalf("ledger entity changed with the caller's slice: %s", e.Entity)
	}
	e.Entity[2] = 'Y'
	if again, _, _ := s.LastApplied(ctx, "f", "k"); string(again.Entity) != `{"a":1}` {
		t.Errorf("ledger entity changed with another caller's copy: %s", again.Entity)
	}
	fields := []canonical.FieldError{{Path: "sku", Code: "required"}}
	id, err := s.Park(ctx, store.Exception{Flow: "f", Key: "k", Fields: fields, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	fields[0].Path = "changed"
	ex, _ := s.Exception(ctx, id)
	ex.Fields[0].Code = "changed"
	ex.Payload[0] = '['
	again, _ := s.Exception(ctx, id)
	if again.Fields[0] != (canonical.FieldError{Path: "sku", Code: "required"}) || string(again.Payload) != `{}` {
		t.Errorf("stored exception changed with the caller's slices: %+v %s", again.Fields, again.Payload)
	}
}

// The outcome log grows in blocks; batches that straddle block boundaries
// keep their order.
func TestOutcomesAcrossBlocks(t *testing.T) {
	ctx := t.Context()
	s := memstore.New()
	n := 0
	for _, size := range []int{3000, 1200, 5000, 1, 4095, 2} {
		batch := make([]store.Outcome, size)
		for i := range batch {
			batch[i] = store.Outcome{Flow: "f", Key: "k", Result: store.Skipped, Version: connector.SeqVersion(int64(n + 1))}
			n++
		}
		if err := s.Record(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(1)
	for o, err := range s.Outcomes(ctx, store.OutcomeFilter{Flow: "f"}) {
		if err != nil {
			t.Fatal(err)
		}
		if o.Version.Seq != want {
			t.Fatalf("outcome %d has version %d", want, o.Version.Seq)
		}
		want++
	}
	if int(want-1) != n {
		t.Errorf("listed %d outcomes, want %d", want-1, n)
	}
}
