package connector

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Version orders the changes to one key. A source fills what it has: a
// monotonic sequence (Seq), an updated-at time (At), or an opaque tag such as
// an HTTP ETag (Tag). Versions compare by Seq when both have one, else by At,
// else by Tag equality only.
type Version struct {
	Seq int64
	At  time.Time
	Tag string
}

// SeqVersion returns a sequence version.
func SeqVersion(n int64) Version { return Version{Seq: n} }

// TimeVersion returns an updated-at version.
func TimeVersion(t time.Time) Version { return Version{At: t} }

// IsZero reports whether v carries nothing.
func (v Version) IsZero() bool { return v.Seq == 0 && v.At.IsZero() && v.Tag == "" }

// Compare orders v against w: -1 if v is older, 0 if the same version, +1 if
// newer. ok is false when the two cannot be ordered (only different tags).
func (v Version) Compare(w Version) (c int, ok bool) {
	switch {
	case v.Seq != 0 && w.Seq != 0:
		return cmpInt(v.Seq, w.Seq), true
	case !v.At.IsZero() && !w.At.IsZero():
		if c := v.At.Compare(w.At); c != 0 || v.Tag == "" || w.Tag == "" {
			return c, true
		}
		// Same instant, both tagged: equal only if the tags are.
		if v.Tag == w.Tag {
			return 0, true
		}
		return 0, false
	case v.Tag != "" && w.Tag != "":
		if v.Tag == w.Tag {
			return 0, true
		}
		return 0, false
	case v.IsZero() && w.IsZero():
		return 0, true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String encodes v stably, for storage and idempotency keys: "s12", "t<RFC3339Nano>",
// "e<tag>", joined by "|" when several are set.
func (v Version) String() string {
	var parts []string
	if v.Seq != 0 {
		parts = append(parts, "s"+strconv.FormatInt(v.Seq, 10))
	}
	if !v.At.IsZero() {
		parts = append(parts, "t"+v.At.UTC().Format(time.RFC3339Nano))
	}
	if v.Tag != "" {
		parts = append(parts, "e"+v.Tag)
	}
	return strings.Join(parts, "|")
}

// ParseVersion decodes the form String writes.
func ParseVersion(s string) (Version, error) {
	var v Version
	if s == "" {
		return v, nil
	}
	// The tag is last and may itself contain "|", so split it off first.
	if i := strings.Index(s, "e"); i == 0 || (i > 0 && s[i-1] == '|') {
		v.Tag = s[i+1:]
		s = strings.TrimSuffix(s[:i], "|")
	}
	for _, p := range strings.Split(s, "|") {
		if p == "" {
			continue
		}
		switch p[0] {
		case 's':
			n, err := strconv.ParseInt(p[1:], 10, 64)
			if err != nil {
				return Version{}, fmt.Errorf("connector: bad version sequence %q", p)
			}
			v.Seq = n
		case 't':
			t, err := time.Parse(time.RFC3339Nano, p[1:])
			if err != nil {
				return Version{}, fmt.Errorf("connector: bad version time %q", p)
			}
			v.At = t
		default:
			return Version{}, fmt.Errorf("connector: bad version part %q", p)
		}
	}
	return v, nil
}
