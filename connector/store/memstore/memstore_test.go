package memstore_test

import (
	"testing"

	"github.com/junctionhq/junction/canonical"

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
	for o, err := range s.Outcomes(ctx, store.OutcomeFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if string(o.Entity) != `{"a":1}` {
			t.Errorf("outcome entity changed with another caller's copy: %s", o.Entity)
		}
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
