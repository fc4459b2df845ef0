package mapping

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/junctionhq/junction/canonical"
)

// ChangeKind says how a field differs.
type ChangeKind string

// Change kinds.
const (
	Changed ChangeKind = "changed" // both sides have the field, with different values
	Added   ChangeKind = "added"   // only the new side has it (a slice element or map entry)
	Removed ChangeKind = "removed" // only the old side has it
)

// Change is one difference between an old and a new value.
type Change struct {
	// Path names the field with JSON names, as in "lines[1].ordered.value".
	Path string
	Kind ChangeKind
	// Old and New are the values as text: decimals and money as written
	// ("12.30 EUR"), times in RFC 3339, structs and slices as JSON, a nil
	// pointer as "null" and a nil slice or map as "[]" or "{}". The absent
	// side of an Added or Removed change is "".
	Old, New string
}

// String returns "path: old → new", "path: + new" or "path: - old".
func (c Change) String() string {
	switch c.Kind {
	case Added:
		return c.Path + ": + " + c.New
	case Removed:
		return c.Path + ": - " + c.Old
	}
	return c.Path + ": " + c.Old + " → " + c.New
}

// CmpOptions returns the go-cmp options Diff and Equal always use, for tests
// that call cmp.Diff themselves:
//
//   - canonical.Decimal compares numerically (1.0 equals 1.00);
//   - canonical.Money compares by currency and numeric amount;
//   - canonical.Date compares as a date;
//   - a nil slice or map equals an empty one (systems disagree on [] and null);
//   - unexported fields are compared too, so a type with hidden state gives a
//     diff rather than a panic.
//
// time.Time compares with its Equal method (same instant, any zone).
func CmpOptions() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b canonical.Decimal) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b canonical.Money) bool { return a.Equal(b) }),
		cmp.Comparer(func(a, b canonical.Date) bool { return a == b }),
		equateEmpty,
		cmp.Exporter(func(reflect.Type) bool { return true }),
	}
}

// equateEmpty treats a nil and an empty slice or map as equal. It does what
// cmpopts.EquateEmpty does with a path filter, which go-cmp calls without
// reflection; EquateEmpty's value filter made Diff several times slower.
var equateEmpty = cmp.FilterPath(func(p cmp.Path) bool {
	vx, vy := p.Last().Values()
	if !vx.IsValid() || !vy.IsValid() {
		return false
	}
	switch vx.Kind() {
	case reflect.Slice, reflect.Map:
		return vx.Len() == 0 && vy.Len() == 0
	}
	return false
}, cmp.Ignore())

// Diff lists the differences between before and after by field path, in the
// order of the fields. Paths use the JSON names of the fields (the name in the
// json tag; the Go name for a field without one), flatten embedded structs
// without a tag as encoding/json does (Meta's "refs", not "Meta.refs"), write
// slice indexes as "[1]" (the new index when an element moved) and map keys
// as "[key]". Pointers are transparent. Values of different types give one
// change at the empty path.
//
// Options are go-cmp options added to CmpOptions: IgnorePaths and
// IgnoreFields drop fields a system does not own, and any cmp.Option (such as
// cmpopts.SortSlices) works. The flow engine uses Diff for its dry-run report
// and Equal for its unchanged check.
func Diff(before, after any, opts ...cmp.Option) []Change {
	var r reporter
	cmp.Equal(before, after, append(cmp.Options{CmpOptions(), cmp.Reporter(&r)}, opts...))
	return r.changes
}

// Equal reports whether before and after are equal under CmpOptions and opts: the
// case in which Diff returns no change.
func Equal(before, after any, opts ...cmp.Option) bool {
	return cmp.Equal(before, after, append(cmp.Options{CmpOptions()}, opts...))
}

// IgnorePaths ignores the fields at the given paths, and everything below
// them: "totals" ignores every total, "customer.refs" the customer's refs.
// "[*]" matches any slice index or map key: "lines[*].net" ignores the net
// amount of every line. Paths are written as Diff writes them.
func IgnorePaths(paths ...string) cmp.Option {
	set := make(map[string]bool, len(paths))
	for _, p := range paths {
		set[p] = true
	}
	return cmp.FilterPath(func(p cmp.Path) bool {
		exact, wild := pathString(p)
		return set[exact] || set[wild]
	}, cmp.Ignore())
}

// IgnoreFields ignores every struct field with one of the given names,
// wherever it occurs; a name matches the JSON name or the Go name
// ("updatedAt" or "UpdatedAt"). Use it for bookkeeping a system owns alone,
// such as "version" or "updatedAt".
func IgnoreFields(names ...string) cmp.Option {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return cmp.FilterPath(func(p cmp.Path) bool {
		n := len(p)
		if n < 2 {
			return false
		}
		sf, ok := p[n-1].(cmp.StructField)
		if !ok {
			return false
		}
		if set[sf.Name()] {
			return true
		}
		name, _ := jsonName(p[n-2].Type(), sf)
		return set[name]
	}, cmp.Ignore())
}

// reporter collects the unequal leaves go-cmp reports.
type reporter struct {
	path    cmp.Path
	changes []Change
}

func (r *reporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }

func (r *reporter) PopStep() { r.path = r.path[:len(r.path)-1] }

func (r *reporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	vx, vy := r.path.Last().Values()
	c := Change{Kind: Changed, Old: formatValue(vx), New: formatValue(vy)}
	c.Path, _ = pathString(r.path)
	switch {
	case !vx.IsValid():
		c.Kind = Added
	case !vy.IsValid():
		c.Kind = Removed
	}
	r.changes = append(r.changes, c)
}

// pathString renders a go-cmp path with JSON names; wild is the same path
// with every index and key written "[*]".
func pathString(p cmp.Path) (exact, wild string) {
	var b, w strings.Builder
	dot := func() {
		if b.Len() > 0 {
			b.WriteByte('.')
			w.WriteByte('.')
		}
	}
	for i, step := range p {
		switch s := step.(type) {
		case cmp.StructField:
			var parent reflect.Type
			if i > 0 {
				parent = p[i-1].Type()
			}
			name, flat := jsonName(parent, s)
			if flat {
				continue
			}
			dot()
			b.WriteString(name)
			w.WriteString(name)
		case cmp.SliceIndex:
			ix, iy := s.SplitKeys()
			if iy < 0 {
				iy = ix
			}
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(iy))
			b.WriteByte(']')
			w.WriteString("[*]")
		case cmp.MapIndex:
			b.WriteByte('[')
			b.WriteString(formatValue(s.Key()))
			b.WriteByte(']')
			w.WriteString("[*]")
		}
	}
	return b.String(), w.String()
}

// jsonName returns the JSON name of field sf of struct type parent, and
// whether it is an embedded struct that encoding/json flattens.
func jsonName(parent reflect.Type, sf cmp.StructField) (name string, flat bool) {
	if parent == nil || parent.Kind() != reflect.Struct || sf.Index() >= parent.NumField() {
		return sf.Name(), false
	}
	f := parent.Field(sf.Index())
	tag, ok := f.Tag.Lookup("json")
	name, _, _ = strings.Cut(tag, ",")
	if !ok && f.Anonymous {
		return "", true
	}
	if name == "" || name == "-" {
		return sf.Name(), false
	}
	return name, false
}

// formatValue renders a leaf value for a Change.
func formatValue(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "null"
		}
		return formatValue(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return "[]"
		}
	case reflect.Map:
		if v.IsNil() {
			return "{}"
		}
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if !v.CanInterface() {
			return strconv.FormatInt(v.Int(), 10)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if !v.CanInterface() {
			return strconv.FormatUint(v.Uint(), 10)
		}
	}
	if !v.CanInterface() {
		return fmt.Sprint(v)
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Array, reflect.Map:
		if b, err := json.Marshal(v.Interface()); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v.Interface())
}
