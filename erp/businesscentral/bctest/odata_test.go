package bctest

import (
	"testing"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// sample is an entity with one property of each type the fake serves.
func sample() obj {
	return obj{
		{"id", "1e8cb9c0-44e3-ea11-bb43-000d3a2feca1"},
		{"number", "C10000"},
		{"displayName", "O'Neil & Sons"},
		{"balanceDue", canonical.MustDecimal("120.50")},
		{"sequence", 20000},
		{"blocked", false},
		{"orderDate", canonical.Date{Year: 2026, Month: 3, Day: 2}},
		{"lastModifiedDateTime", time.Date(2026, 3, 2, 10, 16, 3, 410_000_000, time.UTC)},
		{"email", ""},
	}
}

func TestFilter(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
		err    bool
	}{
		{filter: "number eq 'C10000'", want: true},
		{filter: "number ne 'C10000'", want: false},
		{filter: "displayName eq 'O''Neil & Sons'", want: true},
		{filter: "balanceDue gt 120.5", want: false},
		{filter: "balanceDue ge 120.50", want: true},
		{filter: "balanceDue lt 1000", want: true},
		{filter: "sequence le 20000 and sequence gt 10000", want: true},
		{filter: "blocked eq true or number eq 'C10000'", want: true},
		{filter: "not (blocked eq false)", want: false},
		{filter: "orderDate ge 2026-03-01", want: true},
		{filter: "lastModifiedDateTime gt 2026-03-02T10:16:03.41Z", want: false},
		{filter: "lastModifiedDateTime ge 2026-03-02T10:16:03.41Z", want: true},
		{filter: "lastModifiedDateTime gt 2026-03-02T10:16:03Z", want: true},
		{filter: "id eq 1E8CB9C0-44E3-EA11-BB43-000D3A2FECA1", want: true},
		{filter: "email eq null", want: true},
		{filter: "(number eq 'X' or number eq 'C10000') and balanceDue gt 0", want: true},
		{filter: "nosuch eq 1", err: true},
		{filter: "number eq 5", err: true},
		{filter: "balanceDue eq 'x'", err: true},
		{filter: "number eq 'unterminated", err: true},
		{filter: "number eq", err: true},
		{filter: "number like 'C%'", err: true},
		{filter: "(number eq 'C10000'", err: true},
		{filter: "number eq 'C10000')", err: true},
		{filter: "lastModifiedDateTime gt yesterday", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			e, err := parseFilter(tt.filter)
			var got bool
			if err == nil {
				got, err = e.eval(sample())
			}
			if (err != nil) != tt.err {
				t.Fatalf("error %v, want error %v", err, tt.err)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFilterDepthBounded(t *testing.T) {
	deep := ""
	for range 100 {
		deep += "("
	}
	deep += "number eq 'x'"
	for range 100 {
		deep += ")"
	}
	if _, err := parseFilter(deep); err == nil {
		t.Error("a filter nested 100 deep was accepted")
	}
}

func TestOrderBy(t *testing.T) {
	tests := []struct {
		in   string
		want []orderKey
		err  bool
	}{
		{in: "lastModifiedDateTime", want: []orderKey{{prop: "lastModifiedDateTime"}}},
		{in: "lastModifiedDateTime asc,number desc", want: []orderKey{{prop: "lastModifiedDateTime"}, {prop: "number", desc: true}}},
		{in: "number sideways", err: true},
	}
	for _, tt := range tests {
		got, err := parseOrderBy(tt.in)
		if (err != nil) != tt.err || len(got) != len(tt.want) {
			t.Errorf("parseOrderBy(%q) = %v, %v", tt.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("parseOrderBy(%q)[%d] = %v, want %v", tt.in, i, got[i], tt.want[i])
			}
		}
	}
}

func TestMaxPageSize(t *testing.T) {
	tests := []struct {
		prefer []string
		want   int
	}{
		{nil, 0},
		{[]string{"odata.maxpagesize=500"}, 500},
		{[]string{"return=minimal, odata.maxpagesize = 20"}, 20},
		{[]string{"odata.maxpagesize=-1"}, 0},
		{[]string{"odata.maxpagesize=lots"}, 0},
	}
	for _, tt := range tests {
		if got := maxPageSize(tt.prefer); got != tt.want {
			t.Errorf("maxPageSize(%q) = %d, want %d", tt.prefer, got, tt.want)
		}
	}
}

// FuzzFilter feeds arbitrary $filter text to the parser: it must never
// panic, and what it accepts must evaluate without panicking.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{
		"lastModifiedDateTime gt 2026-03-01T00:00:00Z",
		"externalDocumentNumber eq 'SHOP-1042'",
		"number eq 'A' or number eq 'B' and not (balanceDue lt 10.5)",
		"id eq 1e8cb9c0-44e3-ea11-bb43-000d3a2feca1",
		"email eq null",
		"((((", "'''", "eq eq eq",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseFilter(s)
		if err != nil {
			return
		}
		_, _ = e.eval(sample())
	})
}
