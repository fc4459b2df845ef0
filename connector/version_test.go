package connector_test

import (
	"testing"
	"time"

	"github.com/junctionhq/junction/connector"
)

var (
	t1 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	t2 = t1.Add(time.Second)
)

func TestVersionCompare(t *testing.T) {
	type V = connector.Version
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name   string
		v, w   V
		want   int
		wantOK bool
	}{
		{"seq older", V{Seq: 1}, V{Seq: 2}, -1, true},
		{"seq same", V{Seq: 7}, V{Seq: 7}, 0, true},
		{"seq newer", V{Seq: 10}, V{Seq: 9}, 1, true},
		{"seq beats time", V{Seq: 2, At: t1}, V{Seq: 1, At: t2}, 1, true},
		{"seq beats tag", V{Seq: 2, Tag: "a"}, V{Seq: 2, Tag: "b"}, 0, true},
		{"time older", V{At: t1}, V{At: t2}, -1, true},
		{"time newer", V{At: t2}, V{At: t1}, 1, true},
		{"same instant, other zone", V{At: t1.In(berlin)}, V{At: t1}, 0, true},
		{"time when only one has seq", V{Seq: 5, At: t1}, V{At: t2}, -1, true},
		{"time differs, tags ignored", V{At: t2, Tag: "a"}, V{At: t1, Tag: "b"}, 1, true},
		{"same instant, same tag", V{At: t1, Tag: "a"}, V{At: t1, Tag: "a"}, 0, true},
		{"same instant, different tags", V{At: t1, Tag: "a"}, V{At: t1, Tag: "b"}, 0, false},
		{"same instant, one tag", V{At: t1, Tag: "a"}, V{At: t1}, 0, true},
		{"same tag", V{Tag: `W/"abc"`}, V{Tag: `W/"abc"`}, 0, true},
		{"different tags", V{Tag: "abc"}, V{Tag: "abd"}, 0, false},
		{"both zero", V{}, V{}, 0, true},
		{"zero against seq", V{}, V{Seq: 1}, 0, false},
		{"seq against time", V{Seq: 1}, V{At: t1}, 0, false},
		{"time against tag", V{At: t1}, V{Tag: "x"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.v.Compare(tt.w)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("%+v.Compare(%+v) = %d, %v; want %d, %v", tt.v, tt.w, got, ok, tt.want, tt.wantOK)
			}
			// Swapping the operands flips the order and keeps ok.
			back, backOK := tt.w.Compare(tt.v)
			if back != -got || backOK != ok {
				t.Errorf("reverse Compare = %d, %v; want %d, %v", back, backOK, -got, ok)
			}
		})
	}
}

func TestVersionStringRoundTrip(t *testing.T) {
	type V = connector.Version
	tests := []struct {
		v    V
		want string
	}{
		{V{}, ""},
		{connector.SeqVersion(12), "s12"},
		{V{Seq: -3}, "s-3"},
		{connector.TimeVersion(t1.Add(123456789 * time.Nanosecond)), "t2025-03-01T09:00:00.123456789Z"},
		{V{Tag: "abc"}, "eabc"},
		{V{Tag: `W/"x"`}, `eW/"x"`},
		{V{Tag: "e"}, "ee"},
		{V{Tag: "|"}, "e|"},
		{V{Tag: "s5"}, "es5"},
		{V{Tag: "a|e|s1|t2"}, "ea|e|s1|t2"},
		{V{Seq: 4, Tag: "e|e"}, "s4|ee|e"},
		{V{Seq: 4, At: t1, Tag: "rev|7|etag"}, "s4|t2025-03-01T09:00:00Z|erev|7|etag"},
		{V{At: t1, Tag: "|"}, "t2025-03-01T09:00:00Z|e|"},
	}
	for _, tt := range tests {
		s := tt.v.String()
		if s != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.v, s, tt.want)
		}
		got, err := connector.ParseVersion(s)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", s, err)
			continue
		}
		if got.Seq != tt.v.Seq || !got.At.Equal(tt.v.At) || got.Tag != tt.v.Tag {
			t.Errorf("ParseVersion(%q) = %+v, want %+v", s, got, tt.v)
		}
		if c, ok := got.Compare(tt.v); c != 0 || !ok {
			t.Errorf("ParseVersion(%q) does not compare equal to the original: %d, %v", s, c, ok)
		}
	}

	// A time in another zone is stored in UTC and parses to the same instant.
	local := connector.TimeVersion(t1.In(time.FixedZone("PST", -8*3600)))
	got, err := connector.ParseVersion(local.String())
	if err != nil || !got.At.Equal(local.At) || local.String() != "t2025-03-01T09:00:00Z" {
		t.Errorf("zoned time: %q parsed to %+v, %v", local.String(), got, err)
	}
}

func TestParseVersionErrors(t *testing.T) {
	for _, s := range []string{"x1", "s", "sabc", "s1e", "tyesterday", "s1|q2", "t2025-03-01|s1", "|s1|x"} {
		if v, err := connector.ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) = %+v, want an error", s, v)
		}
	}
}

func TestVersionIsZero(t *testing.T) {
	if !(connector.Version{}).IsZero() {
		t.Error("the zero Version is not IsZero")
	}
	for _, v := range []connector.Version{{Seq: 1}, {At: t1}, {Tag: "x"}} {
		if v.IsZero() {
			t.Errorf("%+v.IsZero() = true", v)
		}
	}
}

// FuzzVersionRoundTrip: every Version survives String and ParseVersion, and
// ParseVersion never panics on what it is given.
func FuzzVersionRoundTrip(f *testing.F) {
	f.Add(int64(12), int64(0), "", "s12")
	f.Add(int64(0), t1.UnixNano(), "e|e", "t2025|ex")
	f.Add(int64(-1), int64(1), "|", "e")
	f.Fuzz(func(t *testing.T, seq, nanos int64, tag, raw string) {
		_, _ = connector.ParseVersion(raw)
		v := connector.Version{Seq: seq, Tag: tag}
		if nanos != 0 {
			v.At = time.Unix(0, nanos)
		}
		got, err := connector.ParseVersion(v.String())
		if err != nil {
			t.Fatalf("ParseVersion(%q): %v", v.String(), err)
		}
		if got.Seq != v.Seq || !got.At.Equal(v.At) || got.Tag != v.Tag {
			t.Fatalf("ParseVersion(%q) = %+v, want %+v", v.String(), got, v)
		}
	})
}
