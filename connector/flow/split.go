package flow

import (
	"context"
	"iter"

	"github.com/junctionhq/junction/connector"
)

// Split turns a source of one entity into a source of the parts each change
// holds: orders into their payment transactions, invoices into their lines.
// split returns the parts of one change, each with its own Key and Version
// (parts that repeat across versions of the parent, with the same key and
// version, are then skipped by the engine as duplicates).
//
// Cursors stay safe: every part but the last of a change carries the cursor
// of the change before it, so a crash between two parts re-reads the change
// instead of losing its remaining parts. System, Cursor and At are filled in
// from the parent when a part leaves them empty.
func Split[S, T any](src connector.Source[S], split func(connector.Change[S]) ([]connector.Change[T], error)) connector.Source[T] {
	return splitSource[S, T]{src: src, split: split}
}

type splitSource[S, T any] struct {
	src   connector.Source[S]
	split func(connector.Change[S]) ([]connector.Change[T], error)
}

func (s splitSource[S, T]) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[T], error] {
	return func(yield func(connector.Change[T], error) bool) {
		prev := after
		for ch, err := range s.src.Changes(ctx, after) {
			if err != nil {
				yield(connector.Change[T]{}, err)
				return
			}
			parts, err := s.split(ch)
			if err != nil {
				yield(connector.Change[T]{}, err)
				return
			}
			for i, p := range parts {
				if p.System == "" {
					p.System = ch.System
				}
				if p.At.IsZero() {
					p.At = ch.At
				}
				p.Cursor = prev
				if i == len(parts)-1 {
					p.Cursor = ch.Cursor
				}
				if !yield(p, nil) {
					return
				}
			}
			prev = ch.Cursor
		}
	}
}
