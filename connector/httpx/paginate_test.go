package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/httpx"
)

type item struct {
	ID int `json:"id"`
}

// collect drains a sequence, stopping at the first error.
func collect(seq func(func(item, error) bool)) ([]int, error) {
	var ids []int
	for it, err := range seq {
		if err != nil {
			return ids, err
		}
		ids = append(ids, it.ID)
	}
	return ids, nil
}

func itemsJSON(from, to int) string {
	var parts []string
	for i := from; i <= to; i++ {
		parts = append(parts, fmt.Sprintf(`{"id":%d}`, i))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestPaginate(t *testing.T) {
	tests := []struct {
		name    string
		req     httpx.Request
		paging  httpx.Paging
		handler func(n int, w http.ResponseWriter, r *http.Request)
		want    []int
		pages   int
	}{
		{
			name:   "Link header, relative and absolute targets",
			req:    httpx.Request{Path: "items", Query: map[string][]string{"limit": {"2"}}},
			paging: httpx.LinkHeader{},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				switch r.URL.Query().Get("page_info") {
				case "":
					reply(w, 200, itemsJSON(1, 2), "Link", `<https://elsewhere.example/ignored>; rel="prev", </v2/items?limit=2&page_info=b>; rel="next"`)
				case "b":
					reply(w, 200, itemsJSON(3, 4), "Link", `<http://`+r.Host+`/v2/items?limit=2&page_info=c>; rel="next last"`)
				default:
					reply(w, 200, itemsJSON(5, 5), "Link", `</v2/items?limit=2&page_info=b>; rel="previous"`)
				}
			},
			want:  []int{1, 2, 3, 4, 5},
			pages: 3,
		},
		{
			name:   "Link header with items in an object",
			req:    httpx.Request{Path: "products"},
			paging: httpx.LinkHeader{Items: "products"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 200, `{"products":`+itemsJSON(1, 2)+`}`, "Link", `<products?p=2>; rel=next`)
					return
				}
				reply(w, 200, `{"products":[]}`)
			},
			want:  []int{1, 2},
			pages: 2,
		},
		{
			name:   "cursor in the body, sent as a query parameter",
			req:    httpx.Request{Path: "contacts", Query: map[string][]string{"limit": {"2"}}},
			paging: httpx.Cursor{Items: "results", NextCursor: "paging.next.after", Param: "after"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				switch r.URL.Query().Get("after") {
				case "":
					reply(w, 200, `{"results":`+itemsJSON(1, 2)+`,"paging":{"next":{"after":"c2"}}}`)
				case "c2":
					if r.URL.Query().Get("limit") != "2" {
						reply(w, 400, "lost the limit")
						return
					}
					reply(w, 200, `{"results":`+itemsJSON(3, 4)+`,"paging":{"next":{"after":4}}}`)
				default:
					reply(w, 200, `{"results":`+itemsJSON(5, 5)+`}`)
				}
			},
			want:  []int{1, 2, 3, 4, 5},
			pages: 3,
		},
		{
			name:   "next URL in the body",
			req:    httpx.Request{Path: "invoices"},
			paging: httpx.Cursor{Items: "data", NextCursor: "links.next"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 200, `{"data":`+itemsJSON(1, 1)+`,"links":{"next":"/v2/invoices?page[cursor]=x"}}`)
					return
				}
				reply(w, 200, `{"data":`+itemsJSON(2, 2)+`,"links":{"next":null}}`)
			},
			want:  []int{1, 2},
			pages: 2,
		},
		{
			name:   "OData nextLink",
			req:    httpx.Request{Path: "companies(1)/customers"},
			paging: httpx.OData{},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				switch n {
				case 1:
					reply(w, 200, `{"@odata.context":"x","value":`+itemsJSON(1, 2)+`,"@odata.nextLink":"http://`+r.Host+`/v2/companies(1)/customers?$skiptoken=2"}`)
				case 2:
					reply(w, 200, `{"value":`+itemsJSON(3, 3)+`,"odata.nextLink":"customers?$skiptoken=3"}`)
				default:
					reply(w, 200, `{"value":[]}`)
				}
			},
			want:  []int{1, 2, 3},
			pages: 3,
		},
		{
			name:   "page numbers with a total item count",
			req:    httpx.Request{Path: "orders", Query: map[string][]string{"per_page": {"2"}}},
			paging: httpx.PageNumber{Items: "orders", Total: "meta.total", Size: 2},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				p, _ := strconv.Atoi(r.URL.Query().Get("page"))
				if p == 0 {
					p = 1
				}
				reply(w, 200, fmt.Sprintf(`{"orders":%s,"meta":{"total":"6"}}`, itemsJSON(2*p-1, 2*p)))
			},
			want:  []int{1, 2, 3, 4, 5, 6},
			pages: 3,
		},
		{
			name:   "zero-based page numbers with a page count",
			req:    httpx.Request{Path: "stock"},
			paging: httpx.PageNumber{Param: "pageIndex", ZeroBased: true, Items: "items", TotalPages: "pageCount"},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				p, _ := strconv.Atoi(r.URL.Query().Get("pageIndex"))
				reply(w, 200, fmt.Sprintf(`{"items":%s,"pageCount":2}`, itemsJSON(10*p, 10*p+1)))
			},
			want:  []int{0, 1, 10, 11},
			pages: 2,
		},
		{
			name:   "page numbers ending on a short page",
			req:    httpx.Request{Path: "stock"},
			paging: httpx.PageNumber{Size: 3},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					reply(w, 200, itemsJSON(1, 3))
					return
				}
				reply(w, 200, itemsJSON(4, 5))
			},
			want:  []int{1, 2, 3, 4, 5},
			pages: 2,
		},
		{
			name:   "page numbers ending on an empty page",
			req:    httpx.Request{Path: "stock"},
			paging: httpx.PageNumber{},
			handler: func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= 2 {
					reply(w, 200, itemsJSON(n, n))
					return
				}
				reply(w, 200, `[]`)
			},
			want:  []int{1, 2},
			pages: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, s := newServer(t, tt.handler)
			c, _ := newClient(t, srv, nil)
			got, err := collect(httpx.Paginate[item](context.Background(), c, &tt.req, tt.paging))
			if err != nil {
				t.Fatalf("error after %v: %v", got, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("items = %v, want %v", got, tt.want)
			}
			if n := len(s.requests()); n != tt.pages {
				t.Errorf("fetched %d pages, want %d: %v", n, tt.pages, s.requests())
			}
			if tt.req.Query != nil && len(tt.req.Query) != 1 {
				t.Errorf("Paginate changed the caller's request: %v", tt.req.Query)
			}
		})
	}
}

func TestPaginateStops(t *testing.T) {
	linked := func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			reply(w, 200, itemsJSON(1, 2), "Link", `<items?page=2>; rel="next"`)
		case 2:
			reply(w, 500, `{"message":"db down"}`)
		}
	}
	t.Run("on the first failed page", func(t *testing.T) {
		srv, s := newServer(t, linked)
		c, _ := newClient(t, srv, func(c *httpx.Config) { c.Retry.MaxAttempts = 1 })
		got, err := collect(httpx.Paginate[item](context.Background(), c, &httpx.Request{Path: "items"}, httpx.LinkHeader{}))
		if !slices.Equal(got, []int{1, 2}) || !errors.Is(err, connector.Transient) {
			t.Errorf("got %v, %v", got, err)
		}
		if len(s.requests()) != 2 {
			t.Errorf("%d requests", len(s.requests()))
		}
	})
	t.Run("when the loop breaks", func(t *testing.T) {
		srv, s := newServer(t, linked)
		c, _ := newClient(t, srv, nil)
		for it, err := range httpx.Paginate[item](context.Background(), c, &httpx.Request{Path: "items"}, httpx.LinkHeader{}) {
			if err != nil || it.ID == 1 {
				break
			}
		}
		if len(s.requests()) != 1 {
			t.Errorf("%d requests after break", len(s.requests()))
		}
	})
	t.Run("when the context is done", func(t *testing.T) {
		srv, s := newServer(t, linked)
		c, _ := newClient(t, srv, nil)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var err error
		var ids []int
		for it, e := range httpx.Paginate[item](ctx, c, &httpx.Request{Path: "items"}, httpx.LinkHeader{}) {
			if e != nil {
				err = e
				break
			}
			ids = append(ids, it.ID)
			cancel()
		}
		if !errors.Is(err, context.Canceled) || !slices.Equal(ids, []int{1, 2}) || len(s.requests()) != 1 {
			t.Errorf("ids %v, err %v, %d requests", ids, err, len(s.requests()))
		}
	})
	t.Run("on an undecodable item, naming it", func(t *testing.T) {
		srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 200, `{"value":[{"id":1},{"id":"two"}]}`)
		})
		c, _ := newClient(t, srv, nil)
		got, err := collect(httpx.Paginate[item](context.Background(), c, &httpx.Request{Path: "items"}, httpx.OData{}))
		var ce *connector.Error
		if len(got) != 0 || !errors.As(err, &ce) || ce.Kind != connector.Invalid || len(ce.Fields) != 1 || ce.Fields[0].Path != "items[1].id" {
			t.Errorf("got %v, %#v", got, err)
		}
		if !strings.Contains(err.Error(), "/v2/items") {
			t.Errorf("error %q does not name the URL", err)
		}
	})
	t.Run("on a page that links to itself", func(t *testing.T) {
		srv, s := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
			reply(w, 200, itemsJSON(1, 1), "Link", `<items?x=1>; rel="next"`)
		})
		c, _ := newClient(t, srv, nil)
		got, err := collect(httpx.Paginate[item](context.Background(), c, &httpx.Request{Path: "items"}, httpx.LinkHeader{}))
		if !slices.Equal(got, []int{1, 1}) || !errors.Is(err, connector.Invalid) || !strings.Contains(err.Error(), "pagination loop") {
			t.Errorf("got %v, %v", got, err)
		}
		if len(s.requests()) != 2 {
			t.Errorf("%d requests", len(s.requests()))
		}
	})
	t.Run("on a missing items field", func(t *testing.T) {
		srv, _ := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { reply(w, 200, `{"data":[]}`) })
		c, _ := newClient(t, srv, nil)
		_, err := collect(httpx.Paginate[item](context.Background(), c, &httpx.Request{Path: "items"}, httpx.Cursor{Items: "results", NextCursor: "next"}))
		if !errors.Is(err, connector.Invalid) || !strings.Contains(err.Error(), `no field "results"`) {
			t.Errorf("err = %v", err)
		}
	})
}
