package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/connector"
)

// Paging knows where one paginated listing keeps its items and its next page.
// LinkHeader, Cursor, OData and PageNumber cover the common schemes; a platform
// package implements Paging for anything else (a GraphQL pageInfo cursor sent in
// the request body, say).
type Paging interface {
	// Next returns the JSON array of the items in resp, the page answering
	// req, and the request for the following page, or a nil request after the
	// last page. It must not change req; build the next request from a copy.
	Next(req *Request, resp *Response) (items json.RawMessage, next *Request, err error)
}

// Paginate returns every item of a paginated listing, fetching pages with c as
// the loop asks for them. It yields a non-nil error at most once, as its last
// value, and stops there: on a failed page, an undecodable item, a page that
// would fetch itself again, or when ctx is done. Breaking out of the loop stops
// fetching.
//
//	for order, err := range httpx.Paginate[Order](ctx, c, &httpx.Request{Path: "/orders"}, httpx.LinkHeader{}) {
//		if err != nil {
//			return err
//		}
//		...
//	}
func Paginate[T any](ctx context.Context, c *Client, req *Request, p Paging) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		r := req.clone()
		for r != nil {
			if err := ctx.Err(); err != nil {
				yield(zero, &connector.Error{Kind: connector.Transient, System: c.system, Op: "paginate " + redactURLString(r.Path),
					Message: "stopped paginating: " + err.Error(), Err: err})
				return
			}
			resp, err := c.Do(ctx, r)
			if err != nil {
				yield(zero, err)
				return
			}
			raw, next, err := p.Next(r, resp)
			if err != nil {
				yield(zero, pagingError(resp, err))
				return
			}
			items, err := decodeItems[T](resp, raw)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if next != nil && c.samePage(r, next) {
				yield(zero, &connector.Error{Kind: connector.Invalid, System: resp.system, Op: resp.op, Status: resp.Status,
					Message: fmt.Sprintf("pagination loop: the next page of %s is the same page", RedactURL(resp.URL))})
				return
			}
			r = next
		}
	}
}

// decodeItems decodes a page's items; on failure it finds the first bad item
// so that the error can name its index.
func decodeItems[T any](resp *Response, raw json.RawMessage) ([]T, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var items []T
	err := json.Unmarshal(raw, &items)
	if err == nil {
		return items, nil
	}
	prefix := "items"
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		for i, el := range list {
			var v T
			if e := json.Unmarshal(el, &v); e != nil {
				err, prefix = e, "items["+strconv.Itoa(i)+"]"
				break
			}
		}
	}
	return nil, decodeError(resp.system, resp.op, RedactURL(resp.URL), resp.Status, prefix, err, resp.Body, DefaultMaxErrorBodyBytes)
}

// samePage reports whether next would fetch the page a just fetched.
func (c *Client) samePage(a, next *Request) bool {
	if a.Body != nil || next.Body != nil || !strings.EqualFold(a.Method, next.Method) {
		return false
	}
	ua, err1 := c.resolve(a.Path, a.Query)
	ub, err2 := c.resolve(next.Path, next.Query)
	return err1 == nil && err2 == nil && ua.String() == ub.String()
}

func pagingError(resp *Response, err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return err
	}
	return &connector.Error{Kind: connector.Invalid, System: resp.system, Op: resp.op, Status: resp.Status,
		Message: fmt.Sprintf("read page %s: %v", RedactURL(resp.URL), err), Body: capBytes(resp.Body, DefaultMaxErrorBodyBytes), Err: err}
}

// LinkHeader pages by the RFC 8288 Link header's rel="next" target, as GitHub,
// Shopify REST and many others do. Each page's body is a JSON array of items, or
// an object holding the array at Items.
type LinkHeader struct {
	// Items is the path of the items array in the body ("" for the body
	// itself); see Cursor.Items for the syntax.
	Items string
}

// Next implements Paging.
func (p LinkHeader) Next(req *Request, resp *Response) (json.RawMessage, *Request, error) {
	items, err := field(resp.Body, p.Items, true)
	if err != nil {
		return nil, nil, err
	}
	target := linkNext(resp.Header.Values("Link"))
	if target == "" {
		return items, nil, nil
	}
	next, err := followURL(req, resp, target)
	return items, next, err
}

// Cursor pages by a cursor found in each page's body. The next request is the
// same request with the cursor in the query parameter Param; when Param is ""
// the cursor is itself the URL of the next page (HAL, JSON:API links.next).
// A missing, null or empty cursor ends the listing.
type Cursor struct {
	// Items is the path of the items array, such as "data" or
	// "result.items": names separated by dots, where a name that itself
	// contains dots ("@odata.nextLink") is matched whole first.
	Items string
	// NextCursor is the path of the next cursor or URL, such as
	// "meta.next_cursor".
	NextCursor string
	// Param is the query parameter that carries the cursor, such as "cursor".
	Param string
}

// Next implements Paging.
func (p Cursor) Next(req *Request, resp *Response) (json.RawMessage, *Request, error) {
	items, err := field(resp.Body, p.Items, true)
	if err != nil {
		return nil, nil, err
	}
	raw, err := field(resp.Body, p.NextCursor, false)
	if err != nil {
		return nil, nil, err
	}
	cur := text(raw)
	if cur == "" {
		return items, nil, nil
	}
	if p.Param == "" {
		next, err := followURL(req, resp, cur)
		return items, next, err
	}
	next := req.clone()
	if next.Query == nil {
		next.Query = url.Values{}
	}
	next.Query.Set(p.Param, cur)
	return items, next, nil
}

// OData pages an OData feed: the items are in "value" and the next page's URL in
// "@odata.nextLink" (OData v4, as Microsoft Dynamics 365 Business Central and
// Graph send it) or "odata.nextLink" (v3).
type OData struct{}

// Next implements Paging.
func (OData) Next(req *Request, resp *Response) (json.RawMessage, *Request, error) {
	var page struct {
		Value      json.RawMessage `json:"value"`
		NextLink   string          `json:"@odata.nextLink"`
		NextLinkV3 string          `json:"odata.nextLink"`
	}
	if err := json.Unmarshal(resp.Body, &page); err != nil {
		return nil, nil, err
	}
	if page.Value == nil {
		return nil, nil, errors.New(`OData response has no "value" array`)
	}
	link := first(page.NextLink, page.NextLinkV3)
	if link == "" {
		return page.Value, nil, nil
	}
	next, err := followURL(req, resp, link)
	return page.Value, next, err
}

// PageNumber pages by a page number in the query. The listing ends at the first
// empty page, at a page shorter than Size, at the page numbered by TotalPages
// or when Total items have been seen: whichever the API makes known first.
// Other query parameters (the page size among them) are kept from the first
// request.
type PageNumber struct {
	// Param is the page number's query parameter; default "page".
	Param string
	// ZeroBased says pages count from 0; by default they count from 1. The
	// first request may carry the page number to start elsewhere.
	ZeroBased bool
	// Size is the page size asked for, if known.
	Size int
	// Items is the path of the items array; see Cursor.Items.
	Items string
	// Total is the path of the total item count in the body, if any.
	Total string
	// TotalPages is the path of the page count in the body, if any.
	TotalPages string
}

// Next implements Paging.
func (p PageNumber) Next(req *Request, resp *Response) (json.RawMessage, *Request, error) {
	items, err := field(resp.Body, p.Items, true)
	if err != nil {
		return nil, nil, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(items, &list); err != nil && !isNull(items) {
		return nil, nil, fmt.Errorf("page items are not an array: %w", err)
	}
	n := len(list)
	if n == 0 || (p.Size > 0 && n < p.Size) {
		return items, nil, nil
	}
	param := first(p.Param, "page")
	firstPage := 1
	if p.ZeroBased {
		firstPage = 0
	}
	page := firstPage
	if v := req.Query.Get(param); v != "" {
		if page, err = strconv.Atoi(v); err != nil {
			return nil, nil, fmt.Errorf("page parameter %s=%q is not a number", param, v)
		}
	}
	if p.TotalPages != "" {
		if tp, ok := number(resp.Body, p.TotalPages); ok && page-firstPage+1 >= tp {
			return items, nil, nil
		}
	}
	if p.Total != "" {
		size := p.Size
		if size <= 0 {
			size = n
		}
		if total, ok := number(resp.Body, p.Total); ok && (page-firstPage)*size+n >= total {
			return items, nil, nil
		}
	}
	next := req.clone()
	if next.Query == nil {
		next.Query = url.Values{}
	}
	next.Query.Set(param, strconv.Itoa(page+1))
	return items, next, nil
}

// followURL builds the request for a next-page URL, resolved against the URL of
// the page that named it (RFC 8288, section 3.2).
func followURL(req *Request, resp *Response, target string) (*Request, error) {
	u, err := resp.URL.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("bad next-page URL %q: %w", redactURLString(target), err)
	}
	next := req.clone()
	next.Path, next.Query = u.String(), nil
	return next, nil
}

// linkNext returns the target of the first link with relation "next" in Link
// header values (RFC 8288), or "".
func linkNext(values []string) string {
	for _, v := range values {
		for len(v) > 0 {
			lt := strings.IndexByte(v, '<')
			if lt < 0 {
				break
			}
			gt := strings.IndexByte(v[lt:], '>')
			if gt < 0 {
				break
			}
			target := v[lt+1 : lt+gt]
			rest := v[lt+gt+1:]
			// Parameters run to the next comma outside a quoted string.
			end, quoted := len(rest), false
			for i := 0; i < len(rest); i++ {
				switch rest[i] {
				case '"':
					quoted = !quoted
				case '\\':
					i++
				case ',':
					if !quoted {
						end = i
						i = len(rest)
					}
				}
			}
			params := rest[:end]
			v = rest[min(end+1, len(rest)):]
			for _, prm := range strings.Split(params, ";") {
				name, val, ok := strings.Cut(strings.TrimSpace(prm), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
		}
	}
	return ""
}

// field returns the JSON at path in body ("" for the whole body). A missing
// path is an error when required, and nil otherwise.
func field(body []byte, path string, required bool) (json.RawMessage, error) {
	if path == "" {
		return body, nil
	}
	raw, ok := lookup(body, path)
	if !ok && required {
		return nil, fmt.Errorf("response has no field %q", path)
	}
	return raw, nil
}

// lookup walks a dotted path through JSON objects. At each level the longest
// remaining name is tried first, so keys containing dots match whole.
func lookup(data []byte, path string) (json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return nil, false
	}
	if v, ok := obj[path]; ok {
		return v, true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		if v, ok := obj[path[:i]]; ok {
			if r, ok := lookup(v, path[i+1:]); ok {
				return r, true
			}
		}
	}
	return nil, false
}

// number reads an integer (given as a JSON number or string) at path.
func number(body []byte, path string) (int, bool) {
	raw, ok := lookup(body, path)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(text(raw))
	return n, err == nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}
