package flow

import (
	"reflect"
	"testing"
)

func TestOwnershipEnforce(t *testing.T) {
	own := &Ownership{Default: "shop", Fields: map[string]string{
		"price": "erp", "totals.payable": "erp", "stock": "erp",
	}}
	cases := []struct {
		name, system, mapped, prev, want string
		dropped                          []string
	}{
		{"owner writes everything", "erp", `{"price":"2","stock":5}`, `{"price":"1","stock":4}`, `{"price":"2","stock":5}`, nil},
		{"non-owner keeps the old value", "shop", `{"name":"b","price":"2"}`, `{"name":"a","price":"1"}`, `{"name":"b","price":"1"}`, []string{"price"}},
		{"non-owner on create writes nothing it does not own", "shop", `{"name":"b","price":"2"}`, ``, `{"name":"b"}`, []string{"price"}},
		{"same value is not a drop", "shop", `{"name":"b","price":"1"}`, `{"name":"a","price":"1"}`, `{"name":"b","price":"1"}`, nil},
		{"nested path", "shop", `{"totals":{"payable":"9","net":"8"}}`, `{"totals":{"payable":"7","net":"6"}}`, `{"totals":{"net":"8","payable":"7"}}`, []string{"totals.payable"}},
		{"a field the source clears keeps its value", "shop", `{"name":"b"}`, `{"name":"a","stock":4}`, `{"name":"b","stock":4}`, []string{"stock"}},
		{"another source owns the rest", "pim", `{"name":"b"}`, `{"name":"a"}`, `{"name":"a"}`, []string{"name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var prev []byte
			if c.prev != "" {
				prev = []byte(c.prev)
			}
			got, dropped, err := own.enforce(c.system, []byte(c.mapped), prev)
			if err != nil {
				t.Fatal(err)
			}
			var g, w map[string]any
			_ = decodeObject(got, &g)
			_ = decodeObject([]byte(c.want), &w)
			if !reflect.DeepEqual(g, w) {
				t.Errorf("entity %s, want %s", got, c.want)
			}
			if !reflect.DeepEqual(dropped, c.dropped) {
				t.Errorf("dropped %v, want %v", dropped, c.dropped)
			}
		})
	}
}
