package connector_test

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
)

type order struct{ ID string }

type plainSink struct{}

func (plainSink) Apply(context.Context, connector.Write[order]) (connector.Result, error) {
	return connector.Result{}, nil
}

type fullSink struct{ plainSink }

func (fullSink) ApplyBatch(context.Context, []connector.Write[order]) ([]connector.Result, []error) {
	return nil, nil
}
func (fullSink) Get(context.Context, string) (connector.Change[order], error) {
	return connector.Change[order]{}, nil
}
func (fullSink) SupportsDelete() bool { return true }
func (fullSink) Topics() []string     { return []string{"orders/create"} }

// noDelete implements Deleter but declines.
type noDelete struct{ plainSink }

func (noDelete) SupportsDelete() bool { return false }

type source struct{}

func (source) Changes(context.Context, connector.Cursor) iter.Seq2[connector.Change[order], error] {
	return func(func(connector.Change[order], error) bool) {}
}

func TestCapabilitiesOf(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want connector.Capabilities
	}{
		{"contract only", plainSink{}, connector.Capabilities{}},
		{"everything", fullSink{}, connector.Capabilities{Batch: true, Get: true, Delete: true, Webhooks: true}},
		{"Deleter that declines", noDelete{}, connector.Capabilities{}},
		{"a source", source{}, connector.Capabilities{}},
		{"nil", nil, connector.Capabilities{}},
	}
	for _, tt := range tests {
		if got := connector.CapabilitiesOf[order](tt.v); got != tt.want {
			t.Errorf("%s: CapabilitiesOf = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	// Batch and Get are per entity type.
	if got := connector.CapabilitiesOf[string](fullSink{}); got.Batch || got.Get || !got.Delete || !got.Webhooks {
		t.Errorf("CapabilitiesOf[string](fullSink) = %+v, want only Delete and Webhooks", got)
	}
}

func TestOpAndActionNames(t *testing.T) {
	ops := map[connector.Op]string{connector.Upsert: "upsert", connector.Delete: "delete"}
	for op, want := range ops {
		if got := op.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", op, got, want)
		}
	}
	actions := map[connector.Action]string{
		connector.Created: "created", connector.Updated: "updated", connector.Unchanged: "unchanged",
		connector.Deleted: "deleted", connector.Stale: "stale", connector.Action(99): "unknown",
	}
	for a, want := range actions {
		if got := a.String(); got != want {
			t.Errorf("Action(%d).String() = %q, want %q", a, got, want)
		}
	}
}

func TestSystemClock(t *testing.T) {
	clk := connector.SystemClock()
	before := time.Now()
	if now := clk.Now(); now.Before(before) {
		t.Errorf("Now() = %v, before %v", now, before)
	}
	if err := clk.Sleep(t.Context(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
	if err := clk.Sleep(t.Context(), time.Millisecond); err != nil {
		t.Errorf("Sleep(1ms) = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, d := range []time.Duration{0, time.Hour} {
		if err := clk.Sleep(ctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("Sleep(cancelled, %v) = %v, want context.Canceled", d, err)
		}
	}
}
