package flow_test

import (
	"context"
	"encoding/json"
	"iter"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// item is the entity most engine tests move: a SKU's price and stock.
type item struct {
	SKU   string            `json:"sku"`
	Price canonical.Decimal `json:"price"`
	Stock int               `json:"stock"`
	Note  string            `json:"note,omitempty"`
}

// Validate refuses a negative stock, so tests can park an invalid change.
func (i *item) Validate() error {
	if i.Stock < 0 {
		return &canonical.ValidationError{Entity: "item", Errors: []canonical.FieldError{{
			Path: "stock", Code: "not_positive", Message: "stock is negative", Value: strconv.Itoa(i.Stock),
		}}}
	}
	return nil
}

// script is a source that yields a fixed list of changes, in the order given,
// so tests can send versions out of order or twice. Cursors are positions.
type script[T any] struct {
	mu      sync.Mutex
	changes []connector.Change[T]
}

func (s *script[T]) add(key string, v connector.Version, e T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, _ := json.Marshal(e)
	s.changes = append(s.changes, connector.Change[T]{
		System: "src", Key: key, Version: v, Entity: e, Raw: raw,
		Cursor: connector.Cursor(strconv.Itoa(len(s.changes) + 1)),
	})
}

func (s *script[T]) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[T], error] {
	return func(yield func(connector.Change[T], error) bool) {
		start := 0
		if after != "" {
			start, _ = strconv.Atoi(string(after))
		}
		s.mu.Lock()
		cs := append([]connector.Change[T](nil), s.changes...)
		s.mu.Unlock()
		for _, c := range cs[min(start, len(cs)):] {
			if err := ctx.Err(); err != nil {
				yield(connector.Change[T]{}, err)
				return
			}
			if !yield(c, nil) {
				return
			}
		}
	}
}

func seq(n int64) connector.Version { return connector.SeqVersion(n) }

func price(s string) canonical.Decimal { return canonical.MustDecimal(s) }

// outcomes lists the recorded outcomes of a flow.
func outcomes(t *testing.T, st store.Store, flowName string) []store.Outcome {
	t.Helper()
	var out []store.Outcome
	for o, err := range st.Outcomes(context.Background(), store.OutcomeFilter{Flow: flowName}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// openExceptions lists a flow's open exceptions.
func openExceptions(t *testing.T, st store.Store, flowName string) []store.Exception {
	t.Helper()
	var out []store.Exception
	for ex, err := range st.Exceptions(context.Background(), store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ex)
	}
	return out
}

// quiet discards engine logs in tests.
var quiet = slog.New(slog.DiscardHandler)

var epoch = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
