package businesscentral

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

// A feed reads an entity set's changes by lastModifiedDateTime:
//
//	GET …/{set}?$filter=lastModifiedDateTime ge {t}&$orderby=lastModifiedDateTime
//	Prefer: odata.maxpagesize={PageSize}
//
// following @odata.nextLink to the end. The cursor is the time of the last
// change read and the ids of the records read at exactly that time: the
// filter is "ge", not "gt", because several records can share one
// lastModifiedDateTime, and the ids say which of them were already read.
// A record changed twice is read once, at its newest version; the version
// of a change is its lastModifiedDateTime and ETag.
type feed[T any] struct {
	c      *Client
	set    string
	expand string
	topics []string
	// decode converts one record; skip leaves it out of the stream (its
	// position still advances the cursor).
	decode func(raw json.RawMessage) (key string, entity T, skip bool, err error)
}

// head is what every record carries for the cursor and the version.
type head struct {
	ETag                 string    `json:"@odata.etag"`
	ID                   string    `json:"id"`
	LastModifiedDateTime time.Time `json:"lastModifiedDateTime"`
}

// feedCursor is the position after a change: its time, and the ids of the
// records read at that time.
type feedCursor struct {
	at  time.Time
	ids []string
}

// cursorPrefix marks the cursor format, so a future format can be told
// apart.
const cursorPrefix = "t1:"

func (fc feedCursor) encode() connector.Cursor {
	if fc.at.IsZero() {
		return ""
	}
	return connector.Cursor(cursorPrefix + fc.at.UTC().Format(time.RFC3339Nano) + "|" + strings.Join(fc.ids, ","))
}

// parseCursor reads a feed cursor; the empty cursor is the beginning.
func parseCursor(c connector.Cursor) (feedCursor, error) {
	if c == "" {
		return feedCursor{}, nil
	}
	s, ok := strings.CutPrefix(string(c), cursorPrefix)
	if !ok {
		return feedCursor{}, errors.New("not a Business Central feed cursor")
	}
	ts, ids, _ := strings.Cut(s, "|")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return feedCursor{}, errors.New("bad time in cursor")
	}
	fc := feedCursor{at: t}
	if ids != "" {
		fc.ids = strings.Split(ids, ",")
	}
	return fc, nil
}

// odataTime writes a DateTimeOffset literal.
func odataTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Topics names the webhook resource that rings this feed: its entity set.
func (f *feed[T]) Topics() []string { return slices.Clone(f.topics) }

// Changes yields the records changed at or after the cursor's time, oldest
// first, each once.
func (f *feed[T]) Changes(ctx context.Context, after connector.Cursor) iter.Seq2[connector.Change[T], error] {
	return func(yield func(connector.Change[T], error) bool) {
		var zero connector.Change[T]
		op := "changes " + f.set
		pos, err := parseCursor(after)
		if err != nil {
			yield(zero, f.c.errorf(connector.Invalid, op, "cursor %q: %v", after, err))
			return
		}
		if err := ctx.Err(); err != nil {
			yield(zero, f.c.errorf(connector.Transient, op, "reading %s: %w", f.set, err))
			return
		}
		q := url.Values{"$orderby": {"lastModifiedDateTime asc"}}
		if !pos.at.IsZero() {
			q.Set("$filter", "lastModifiedDateTime ge "+odataTime(pos.at))
		}
		if f.expand != "" {
			q.Set("$expand", f.expand)
		}
		seen := make(map[string]bool, len(pos.ids))
		for _, id := range pos.ids {
			seen[id] = true
		}
		cur := feedCursor{at: pos.at, ids: slices.Clone(pos.ids)}
		req := &httpx.Request{Path: f.c.CompanyPath(f.set), Query: q, Header: f.c.prefer()}
		for raw, err := range httpx.Paginate[json.RawMessage](ctx, f.c.http, req, httpx.OData{}) {
			if err != nil {
				yield(zero, err)
				return
			}
			if err := ctx.Err(); err != nil {
				yield(zero, f.c.errorf(connector.Transient, op, "reading %s: %w", f.set, err))
				return
			}
			var h head
			if err := json.Unmarshal(raw, &h); err != nil {
				yield(zero, f.c.errorf(connector.Invalid, op, "a %s record does not decode: %v", f.set, err))
				return
			}
			t := h.LastModifiedDateTime
			switch {
			case t.Before(pos.at):
				continue // the filter should have left it out
			case t.Equal(pos.at) && seen[h.ID]:
				continue // read before, at this same time
			}
			if t.Equal(cur.at) {
				cur.ids = append(cur.ids, h.ID)
			} else {
				cur = feedCursor{at: t, ids: []string{h.ID}}
			}
			key, entity, skip, err := f.decode(raw)
			if err != nil {
				yield(zero, f.c.errorf(connector.Invalid, op, "a %s record does not decode: %v", f.set, err))
				return
			}
			if skip {
				continue
			}
			ch := connector.Change[T]{
				System: f.c.system, Key: key, Op: connector.Upsert,
				Version: connector.Version{At: t, Tag: h.ETag},
				Cursor:  cur.encode(), Entity: entity, Raw: raw, At: t,
			}
			if !yield(ch, nil) {
				return
			}
		}
	}
}

// Get reads the record whose number is key.
func (f *feed[T]) Get(ctx context.Context, key string) (connector.Change[T], error) {
	var zero connector.Change[T]
	q := url.Values{"$filter": {"number eq " + quote(key)}, "$top": {"1"}}
	if f.expand != "" {
		q.Set("$expand", f.expand)
	}
	var page struct {
		Value []json.RawMessage `json:"value"`
	}
	if err := f.c.http.DoJSON(ctx, &httpx.Request{Path: f.c.CompanyPath(f.set), Query: q}, &page); err != nil {
		return zero, err
	}
	if len(page.Value) == 0 {
		return zero, f.c.errorf(connector.NotFound, "get "+f.set, "no %s numbered %q", f.set, key)
	}
	raw := page.Value[0]
	var h head
	if err := json.Unmarshal(raw, &h); err != nil {
		return zero, f.c.errorf(connector.Invalid, "get "+f.set, "the record does not decode: %v", err)
	}
	k, entity, _, err := f.decode(raw)
	if err != nil {
		return zero, f.c.errorf(connector.Invalid, "get "+f.set, "the record does not decode: %v", err)
	}
	return connector.Change[T]{System: f.c.system, Key: k, Op: connector.Upsert,
		Version: connector.Version{At: h.LastModifiedDateTime, Tag: h.ETag}, Entity: entity, Raw: raw, At: h.LastModifiedDateTime}, nil
}
