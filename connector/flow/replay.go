package flow

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/store"
)

// replayKey replays the open exceptions of one key, oldest first, until one
// parks again. Each replayed change is recorded with its new outcome and its
// exception is closed as resolved.
func (r *flowRunner[S, D]) replayKey(ctx context.Context, key string) ([]store.Outcome, error) {
	r.st.run.Lock()
	defer r.st.run.Unlock()
	var open []store.Exception
	for ex, err := range r.e.store.Exceptions(ctx, store.ExceptionFilter{Flow: r.f.Name, Key: key, Status: store.Open}) {
		if err != nil {
			return nil, err
		}
		open = append(open, ex)
	}
	ps := newPassState()
	var outs []store.Outcome
	for _, ex := range open {
		var s S
		if len(ex.Source) > 0 {
			if err := json.Unmarshal(ex.Source, &s); err != nil {
				return outs, fmt.Errorf("flow %s: replay %s: decode source entity: %w", r.f.Name, ex.ID, err)
			}
		}
		ch := connector.Change[S]{
			System: ex.System, Key: ex.Key, Op: ex.Op, Version: ex.Version,
			Cursor: ex.Cursor, Entity: s, Raw: ex.Payload,
		}
		p, err := r.process(ctx, ps, ch, &ex)
		if err != nil {
			return outs, err
		}
		if p.value != nil && p.out.Entity == nil {
			if p.out.Entity, err = json.Marshal(p.value); err != nil {
				return outs, fmt.Errorf("flow %s: replay %s: encode entity: %w", r.f.Name, ex.ID, err)
			}
		}
		if err := r.e.store.Record(ctx, p.out); err != nil {
			return outs, fmt.Errorf("flow %s: replay %s: record: %w", r.f.Name, ex.ID, err)
		}
		r.st.count(p.out, p.kind, 0)
		outs = append(outs, p.out)
		if p.out.Result == store.Parked {
			break
		}
		note := "replayed: " + string(p.out.Result)
		if p.out.Reason != "" {
			note += " (" + string(p.out.Reason) + ")"
		}
		if err := r.e.store.CloseException(ctx, ex.ID, store.Resolved, note); err != nil {
			return outs, fmt.Errorf("flow %s: replay %s: close: %w", r.f.Name, ex.ID, err)
		}
	}
	return outs, nil
}
