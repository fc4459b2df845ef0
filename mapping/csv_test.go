package mapping

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func entries[V any](t *Table[string, V]) map[string]V {
	m := make(map[string]V)
	for k, v := range t.All() {
		m[k] = v
	}
	return m
}

func TestLoadCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
		// wantLines are the problem lines of the *LoadError, in order.
		wantLines []int
		wantMsg   string
	}{
		{
			name: "plain",
			in:   "shopify,bc\npaid,PAID\npending,OPEN\n",
			want: map[string]string{"paid": "PAID", "pending": "OPEN"},
		},
		{
			name: "excel export: BOM, CRLF, spaces, quotes, comments, blank lines, note column",
			in:   "\uFEFFshop , erp , note\r\n# statuses agreed with finance\r\n\r\n  paid , PAID , settled\r\n\"on hold\",\"HOLD, MANUAL\",\r\n",
			want: map[string]string{"paid": "PAID", "on hold": "HOLD, MANUAL"},
		},
		{name: "header only", in: "a,b\n", want: map[string]string{}},
		{name: "empty input", in: "", wantLines: []int{1}, wantMsg: "no header row"},
		{name: "one column", in: "key\nx\n", wantLines: []int{1}, wantMsg: "at least 2"},
		{
			name:      "every problem with its line",
			in:        "k,v\na,1\nb,\n,3\na,4\nc,5,extra\nd,6\n",
			wantLines: []int{3, 4, 5, 6},
			wantMsg:   `duplicate key "a" (first on line 2)`,
		},
		{name: "stray quote stops the load", in: "k,v\na,1\nb\"x,2\nc,3\n", wantLines: []int{3}, wantMsg: "malformed CSV"},
		{name: "not UTF-8", in: "k,v\nZ\xfcrich,ZRH\n", wantLines: []int{2}, wantMsg: "UTF-8"},
		{name: "quoted multi-line cell keeps its first line", in: "k,v\n\"a\nb\",1\nc,\n", wantLines: []int{4}, wantMsg: `empty value for key "c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl, err := LoadCSV("payment-status", strings.NewReader(tt.in))
			if tt.wantLines == nil {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, entries(tbl)); diff != "" {
					t.Errorf("entries (-want +got):\n%s", diff)
				}
				if tbl.Name() != "payment-status" {
					t.Errorf("Name() = %q", tbl.Name())
				}
				return
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%T), want *LoadError", err, err)
			}
			var lines []int
			for _, p := range le.Problems {
				lines = append(lines, p.Line)
			}
			if diff := cmp.Diff(tt.wantLines, lines); diff != "" {
				t.Errorf("problem lines (-want +got):\n%s\n%v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), `"payment-status"`) {
				t.Errorf("error %q lacks %q or the table name", err, tt.wantMsg)
			}
		})
	}
}

func TestLoadCSVColumns(t *testing.T) {
	sheet := "Shopify,BC,Xero\npaid,PAID,PAID\npending,OPEN,DRAFT\n"
	tbl, err := LoadCSVColumns("status shopify→xero", strings.NewReader(sheet), "shopify", "XERO")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"paid": "PAID", "pending": "DRAFT"}, entries(tbl)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	for _, cols := range [][2]string{{"shopify", "netsuite"}, {"bc", "bc"}, {"", "bc"}} {
		_, err := LoadCSVColumns("t", strings.NewReader(sheet), cols[0], cols[1])
		var le *LoadError
		if !errors.As(err, &le) {
			t.Errorf("columns %q: err = %v, want *LoadError", cols, err)
		}
	}
}

func TestLoadCSVReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("k,v\na,1\n"), iotest.ErrReader(errors.New("disk gone")))
	_, err := LoadCSV("t", r)
	if err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("err = %v, want the read error", err)
	}
}

func TestLoadJSON(t *testing.T) {
	tbl, err := LoadJSON[string]("tax", strings.NewReader(`{"standard": "S", "zero": "Z",
		"exempt": "E"}`))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"standard": "S", "zero": "Z", "exempt": "E"}, entries(tbl)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}

	type service struct {
		Carrier string `json:"carrier"`
		Code    string `json:"code"`
	}
	svc, err := LoadJSON[service]("carrier-service", strings.NewReader(`{"express": {"carrier": "DHL", "code": "EXP"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := svc.Lookup("express"); v != (service{"DHL", "EXP"}) {
		t.Errorf("struct value = %+v", v)
	}

	bad := []struct {
		name, in  string
		wantLines []int
		wantMsg   string
	}{
		{"duplicate key", "{\n\"a\": \"1\",\n\"b\": \"2\",\n\"a\": \"3\"\n}", []int{4}, `duplicate key "a" (first on line 2)`},
		{"wrong value type", "{\n\"a\": 1,\n\"\": \"x\"\n}", []int{2, 3}, "value for key"},
		{"not an object", `["a"]`, []int{1}, "JSON object"},
		{"syntax error line", "{\n\"a\": \"1\",\n\"b\" \"2\"\n}", []int{3}, "malformed JSON"},
		{"truncated", `{"a": "1"`, []int{1}, "malformed JSON"},
		{"empty", ``, []int{1}, "malformed JSON"},
		{"trailing data", `{"a": "1"} {"b": "2"}`, []int{1}, "after the JSON object"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadJSON[string]("tax", strings.NewReader(tt.in))
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want *LoadError", err)
			}
			var lines []int
			for _, p := range le.Problems {
				lines = append(lines, p.Line)
			}
			if diff := cmp.Diff(tt.wantLines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s\n%v", diff, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q lacks %q", err, tt.wantMsg)
			}
		})
	}
}

func TestLoadErrorCapsItsMessage(t *testing.T) {
	var b strings.Builder
	b.WriteString("k,v\n")
	for range 25 {
		b.WriteString(",x\n")
	}
	_, err := LoadCSV("t", strings.NewReader(b.String()))
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) != 25 {
		t.Fatalf("err = %v, want 25 problems", err)
	}
	if !strings.Contains(err.Error(), "and 15 more") {
		t.Errorf("message does not summarise the rest: %q", err)
	}
}

// FuzzLoadCSV checks that LoadCSV never panics and that a table it accepts
// holds exactly the trimmed key/value cells encoding/csv reads, with unique,
// non-empty keys.
func FuzzLoadCSV(f *testing.F) {
	for _, s := range []string{
		"k,v\na,1\nb,2\n",
		"\uFEFFk,v,note\r\n# c\r\n a , 1 ,x\r\n",
		"k,v\n\"a,b\",\"c\"\"d\"\n",
		"k,v\na,1\na,2\n",
		"k\n",
		"",
		"k,v\n\"unterminated\n",
		"k,v\n,\n",
		"k,v\na,1,2\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tbl, err := LoadCSV("fuzz", strings.NewReader(in))
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("error %v (%T) is not a *LoadError with problems", err, err)
			}
			_ = err.Error()
			return
		}
		// Oracle: read the same input with encoding/csv directly.
		r := csv.NewReader(strings.NewReader(in))
		r.Comment = '#'
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("LoadCSV accepted input encoding/csv rejects: %v", err)
		}
		if len(recs) == 0 {
			t.Fatal("LoadCSV accepted input with no header")
		}
		if tbl.Len() != len(recs)-1 {
			t.Fatalf("table has %d entries, input has %d data rows", tbl.Len(), len(recs)-1)
		}
		for _, rec := range recs[1:] {
			k, v := strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])
			if k == "" || v == "" {
				t.Fatalf("accepted an empty key or value: %q", rec)
			}
			if got, err := tbl.Lookup(k); err != nil || got != v {
				t.Fatalf("Lookup(%q) = %q, %v; want %q", k, got, err, v)
			}
		}
	})
}
