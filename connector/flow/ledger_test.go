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
