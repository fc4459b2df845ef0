package flow_test

import (
	"testing"

	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/connector/store/memstore"
)

func TestUnchangedVersionStillCountsForStalenessAcrossPasses(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	r.src.add("a", seq(1), item{SKU: "a", Stock: 5})
	r.src.add("a", seq(3), item{SKU: "a", Stock: 5}) // unchanged, but newer
	r.run(t)
	r.src.add("a", seq(2), item{SKU: "a", Stock: 9}) // late: older than v3
	r.run(t)
	outs := outcomes(t, r.st, "items")
	if last := outs[len(outs)-1]; last.Reason != store.Stale {
		t.Fatalf("late v2 after an unchanged v3: %+v, want stale", last)
	}
	if v, _ := r.sink.Value("a"); v.Stock != 5 {
		t.Errorf("stock = %d, want 5", v.Stock)
	}
}

func TestUnchangedAcrossPassesUsesTheRecordedEntity(t *testing.T) {
	r := newRig(t, memstore.New(), nil)
	r.src.add("a", seq(1), item{SKU: "a", Stock: 5})
	r.run(t)
	if e, ok, _ := r.st.LastApplied(t.Context(), "items", "a"); !ok || len(e.Entity) == 0 {
		t.Fatalf("ledger entry %+v (found %v): the applied entity was not recorded", e, ok)
	}
	r.src.add("a", seq(2), item{SKU: "a", Stock: 5})
	r.run(t)
	outs := outcomes(t, r.st, "items")
	if last := outs[len(outs)-1]; last.Reason != store.Unchanged {
		t.Fatalf("an identical newer version in a later pass: %+v, want skipped unchanged", last)
	}
	if n := r.sink.Writes("a"); n != 1 {
		t.Errorf("a written %d times, want 1", n)
	}
}
