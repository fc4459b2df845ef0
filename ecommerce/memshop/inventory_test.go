package memshop

import (
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

func level(sku, loc string, available, seq int64) canonical.StockLevel {
	return canonical.StockLevel{
		SKU: sku, Location: loc, OnHand: qty(available + 2), Allocated: qty(2), Available: qty(available),
		AsOf: t0.Add(time.Duration(seq) * time.Minute), Source: "erp", Sequence: seq,
	}
}

func TestInventoryKeepsTheNewestSequence(t *testing.T) {
	s := newTestShop(t, Config{Locations: []string{"berlin", "paris"}})
	inv := s.Inventory()
	steps := []struct {
		name      string
		level     canonical.StockLevel
		idem      string
		version   int64
		action    connector.Action
		available int64 // at berlin after the step
	}{
		{"first count", level("MUG", "berlin", 10, 5), "a", 1, connector.Created, 10},
		{"late update is stale", level("MUG", "berlin", 7, 3), "b", 2, connector.Stale, 10},
		{"same snapshot again", level("MUG", "berlin", 10, 5), "c", 3, connector.Unchanged, 10},
		{"same sequence, other count", level("MUG", "berlin", 9, 5), "d", 4, connector.Stale, 10},
		{"newer count", level("MUG", "berlin", 4, 8), "e", 5, connector.Updated, 4},
		{"repeated idempotency key", level("MUG", "berlin", 10, 5), "a", 1, connector.Created, 4},
		{"older write version", level("MUG", "berlin", 1, 9), "f", 4, connector.Stale, 4},
		{"other location is its own level", level("MUG", "paris", 3, 1), "g", 6, connector.Created, 4},
		{"variant SKU", level("TEE-S", "berlin", 6, 1), "h", 7, connector.Created, 4},
	}
	for _, st := range steps {
		w := write("MUG", st.level, st.idem)
		w.Version = connector.SeqVersion(st.version)
		res, err := inv.Apply(t.Context(), w)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Action != st.action {
			t.Errorf("%s: %s, want %s", st.name, res.Action, st.action)
		}
		if res.Ref.System != "memshop" || res.Ref.ID != st.level.SKU+"@"+st.level.Location {
			t.Errorf("%s: ref %+v", st.name, res.Ref)
		}
		if got, _ := s.Available("MUG", "berlin"); !sameQty(got, qty(st.available)) {
			t.Errorf("%s: available at berlin %s, want %d", st.name, got, st.available)
		}
	}
	if got, ok := s.Available("MUG", "paris"); !ok || !sameQty(got, qty(3)) {
		t.Errorf("available at paris %s, %v", got, ok)
	}
	if _, ok := s.Available("CAP", "berlin"); ok {
		t.Errorf("a level nobody applied is reported")
	}
}

func TestInventoryRefusals(t *testing.T) {
	bad := level("MUG", "main", 1, 1)
	bad.OnHand.Unit = ""
	cases := []struct {
		name  string
		level canonical.StockLevel
		op    connector.Op
		kind  connector.Kind
		path  string
	}{
		{"unknown SKU", level("NOPE", "main", 1, 1), connector.Upsert, connector.NotFound, ""},
		{"unknown location", level("MUG", "moon", 1, 1), connector.Upsert, connector.Invalid, "location"},
		{"invalid snapshot", bad, connector.Upsert, connector.Invalid, "onHand.unit"},
		{"delete", level("MUG", "main", 1, 1), connector.Delete, connector.Unsupported, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			w := write("k", c.level, "x")
			w.Op = c.op
			_, err := s.Inventory().Apply(t.Context(), w)
			if c.path != "" {
				wantField(t, err, c.path)
			} else {
				wantKind(t, err, c.kind)
			}
			if _, ok := s.Available(c.level.SKU, c.level.Location); ok {
				t.Errorf("a refused level was stored")
			}
		})
	}
}
