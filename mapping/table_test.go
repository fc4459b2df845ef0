package mapping

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/junctionhq/junction/canonical"
)

func statusTable() *Table[string, canonical.OrderStatus] {
	return NewTable("order-status shopify→bc", map[string]canonical.OrderStatus{
		"open":      canonical.OrderSubmitted,
		"closed":    canonical.OrderClosed,
		"cancelled": canonical.OrderCancelled,
	})
}

func TestTableLookup(t *testing.T) {
	strict := statusTable()
	lenient := strict.WithDefault(canonical.OrderDraft)
	tests := []struct {
		name    string
		table   *Table[string, canonical.OrderStatus]
		key     string
		want    canonical.OrderStatus
		wantErr bool
	}{
		{"strict hit", strict, "open", canonical.OrderSubmitted, false},
		{"strict miss", strict, "archived", "", true},
		{"keys are exact", strict, "Open", "", true},
		{"default hit", lenient, "closed", canonical.OrderClosed, false},
		{"default miss", lenient, "archived", canonical.OrderDraft, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.table.Lookup(tt.key)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("Lookup(%q) = %q, %v; want %q, err=%v", tt.key, got, err, tt.want, tt.wantErr)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, ErrUnmapped) {
				t.Errorf("miss does not match ErrUnmapped: %v", err)
			}
			var le *LookupError
			if !errors.As(err, &le) || le.Table != tt.table.Name() || le.Key != tt.key {
				t.Errorf("miss = %#v, want a LookupError naming table and key", err)
			}
			var fe fieldErrorer
			if !errors.As(err, &fe) || fe.FieldErrors()[0].Code != CodeUnmapped {
				t.Errorf("miss is not a data problem with code %q", CodeUnmapped)
			}
		})
	}
	if v, ok := lenient.Get("archived"); ok || v != "" {
		t.Errorf("Get ignores the default, got %q, %v", v, ok)
	}
	if v, ok := strict.Get("open"); !ok || v != canonical.OrderSubmitted {
		t.Errorf("Get(open) = %q, %v", v, ok)
	}
	if _, ok := strict.Default(); ok {
		t.Error("strict table reports a default")
	}
	if d, ok := lenient.Default(); !ok || d != canonical.OrderDraft {
		t.Errorf("Default() = %q, %v", d, ok)
	}
}

func TestTableMapRecordsMisses(t *testing.T) {
	tbl := statusTable()
	errs := Errors{System: "shopify", Entity: "SalesOrder", Key: "1001"}
	if got := tbl.Map(&errs, "status", "open"); got != canonical.OrderSubmitted {
		t.Errorf("Map hit = %q", got)
	}
	if got := tbl.Map(&errs, "status", "on_hold"); got != "" {
		t.Errorf("Map miss = %q, want zero value", got)
	}
	if got := tbl.WithDefault(canonical.OrderDraft).Map(&errs, "status", "on_hold"); got != canonical.OrderDraft {
		t.Errorf("Map miss with default = %q", got)
	}
	if got := tbl.Map(nil, "status", "on_hold"); got != "" {
		t.Errorf("Map with nil Errors = %q", got)
	}
	f := errs.Fields()
	if len(f) != 1 {
		t.Fatalf("recorded %d problems, want 1: %+v", len(f), f)
	}
	if f[0].Path != "status" || f[0].Code != CodeUnmapped || f[0].Value != "on_hold" || !strings.Contains(f[0].Message, tbl.Name()) {
		t.Errorf("problem = %+v; want path, code, key and table name", f[0])
	}
	msg := errs.Err().Error()
	for _, want := range []string{"shopify", "1001", "on_hold", tbl.Name()} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not name %q", msg, want)
		}
	}
}

func TestTableCopiesItsEntries(t *testing.T) {
	src := map[string]string{"a": "1"}
	tbl := NewTable("t", src)
	src["a"] = "2"
	src["b"] = "3"
	if v, _ := tbl.Lookup("a"); v != "1" || tbl.Len() != 1 {
		t.Errorf("table changed with its source map: a=%q len=%d", v, tbl.Len())
	}
}

func TestCheckTotal(t *testing.T) {
	tbl := statusTable()
	if err := tbl.CheckTotal("open", "closed"); err != nil {
		t.Errorf("CheckTotal over held keys = %v", err)
	}
	// A default does not make a table total.
	err := tbl.WithDefault("x").CheckTotal("open", "refunded", "closed", "archived")
	var ie *IncompleteError
	if !errors.As(err, &ie) {
		t.Fatalf("CheckTotal = %v, want *IncompleteError", err)
	}
	if got := strings.Join(ie.Missing, ","); got != "refunded,archived" {
		t.Errorf("Missing = %q, want every missing key in order", got)
	}
	if !strings.Contains(err.Error(), tbl.Name()) || !strings.Contains(err.Error(), `"archived"`) {
		t.Errorf("message %q does not name table and keys", err)
	}
}

func TestCheckTotalOverEnum(t *testing.T) {
	// The canonical order statuses mapped to a shop's three states.
	toShop := NewTable("order-status canonical→shop", map[canonical.OrderStatus]string{
		canonical.OrderDraft: "open", canonical.OrderSubmitted: "open", canonical.OrderAccepted: "open",
		canonical.OrderInProgress: "open", canonical.OrderCompleted: "closed", canonical.OrderClosed: "closed",
		canonical.OrderCancelled: "cancelled",
	})
	all := []canonical.OrderStatus{
		canonical.OrderDraft, canonical.OrderSubmitted, canonical.OrderAccepted, canonical.OrderRejected,
		canonical.OrderInProgress, canonical.OrderCompleted, canonical.OrderClosed, canonical.OrderCancelled,
	}
	var ie *IncompleteError
	if err := toShop.CheckTotal(all...); !errors.As(err, &ie) || len(ie.Missing) != 1 || ie.Missing[0] != "rejected" {
		t.Errorf("CheckTotal = %v, want only %q missing", err, canonical.OrderRejected)
	}
}

func TestReverse(t *testing.T) {
	fwd := NewTable("carrier", map[string]string{"ups_ground": "UPS-GND", "dhl_express": "DHL-EXP"})
	rev, err := Reverse(fwd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fwd.All() {
		if got, err := rev.Lookup(v); err != nil || got != k {
			t.Errorf("reverse of %q = %q, %v; want %q", v, got, err, k)
		}
	}
	if !strings.Contains(rev.Name(), "carrier") {
		t.Errorf("reverse name %q does not name the table", rev.Name())
	}

	notInjective := NewTable("status", map[string]string{"open": "O", "pending": "O", "new": "O", "done": "D", "closed": "D", "x": "X"})
	_, err = Reverse(notInjective)
	if err == nil {
		t.Fatal("Reverse of a non-injective table succeeded")
	}
	for _, want := range []string{`"status"`, "O ← new, open, pending", "D ← closed, done"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestTableConcurrentReads(t *testing.T) {
	tbl := statusTable().WithDefault(canonical.OrderDraft)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			var errs Errors
			for range 1000 {
				_, _ = tbl.Lookup("open")
				_ = tbl.Map(&errs, "s", "nope")
				_ = tbl.CheckTotal("open")
			}
		})
	}
	wg.Wait()
}
