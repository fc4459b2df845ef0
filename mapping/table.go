package mapping

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// Table is a named lookup table that translates one system's code into
// another's: order statuses, tax codes, payment methods, carrier services,
// locations. A Table is immutable once built, so it is safe for concurrent
// reads; to change it (operations staff edited the CSV), build or load a new
// one and swap the pointer.
//
// A table is strict by default: a key that is not in it is a mapping error
// naming the table and the key. WithDefault returns a copy that answers a
// default value instead.
type Table[K comparable, V any] struct {
	name   string
	m      map[K]V
	def    V
	hasDef bool
}

// NewTable returns a strict table called name holding a copy of entries. The
// name appears in every error, so use the name operations staff know it by
// ("order-status shopify→bc").
func NewTable[K comparable, V any](name string, entries map[K]V) *Table[K, V] {
	return &Table[K, V]{name: name, m: maps.Clone(entries)}
}

// WithDefault returns a copy of t that answers def for keys it does not hold,
// instead of an error. Use it where a fallback is a business decision (an
// unknown carrier service ships "standard"), never to hide gaps.
func (t *Table[K, V]) WithDefault(def V) *Table[K, V] {
	return &Table[K, V]{name: t.name, m: t.m, def: def, hasDef: true}
}

// Name returns the table's name.
func (t *Table[K, V]) Name() string { return t.name }

// Len returns the number of entries.
func (t *Table[K, V]) Len() int { return len(t.m) }

// Default returns the default value and whether the table has one.
func (t *Table[K, V]) Default() (V, bool) { return t.def, t.hasDef }

// Get returns the value for key and whether the table holds key. It ignores
// the default.
func (t *Table[K, V]) Get(key K) (V, bool) {
	v, ok := t.m[key]
	return v, ok
}

// Lookup returns the value for key. A key the table does not hold gives the
// default, if the table has one, and otherwise a *LookupError (which matches
// ErrUnmapped and names the table and the key).
func (t *Table[K, V]) Lookup(key K) (V, error) {
	if v, ok := t.m[key]; ok {
		return v, nil
	}
	if t.hasDef {
		return t.def, nil
	}
	var zero V
	return zero, &LookupError{Table: t.name, Key: keyString(key)}
}

// Map is Lookup for mapping functions: on a miss it records the problem in
// errs under path (code CodeUnmapped, the key as the value) and returns the
// zero value, so the mapping carries on and reports every gap at once. A nil
// errs records nothing.
func (t *Table[K, V]) Map(errs *Errors, path string, key K) V {
	if v, ok := t.m[key]; ok {
		return v
	}
	if t.hasDef {
		return t.def
	}
	if errs != nil {
		errs.Add(path, CodeUnmapped, "no entry in table "+quote(t.name), keyString(key))
	}
	var zero V
	return zero
}

// All returns the entries in no particular order.
func (t *Table[K, V]) All() iter.Seq2[K, V] { return maps.All(t.m) }

// CheckTotal reports every key of keys that the table does not hold, ignoring
// any default. Tests use it to assert that a table covers an enum:
//
//	err := statuses.CheckTotal(shopify.OrderStatuses()...)
//
// The error is an *IncompleteError listing the missing keys in the order
// given; nil means the table is total over keys.
func (t *Table[K, V]) CheckTotal(keys ...K) error {
	var missing []string
	for _, k := range keys {
		if _, ok := t.m[k]; !ok {
			missing = append(missing, keyString(k))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &IncompleteError{Table: t.name, Missing: missing}
}

// Reverse returns a strict table from t's values to its keys, called
// "<name> (reverse)". It is an error if two keys share a value (the table is
// not injective), since the reverse lookup would then be a guess; the error
// lists every shared value. The default, if any, is not carried over.
func Reverse[K, V comparable](t *Table[K, V]) (*Table[V, K], error) {
	r := make(map[V]K, len(t.m))
	var clash map[V][]string
	for k, v := range t.m {
		if prev, dup := r[v]; dup {
			if clash == nil {
				clash = make(map[V][]string)
			}
			if len(clash[v]) == 0 {
				clash[v] = append(clash[v], keyString(prev))
			}
			clash[v] = append(clash[v], keyString(k))
			continue
		}
		r[v] = k
	}
	if len(clash) > 0 {
		var problems []string
		for v, ks := range clash {
			slices.Sort(ks)
			problems = append(problems, fmt.Sprintf("%s ← %s", keyString(v), strings.Join(ks, ", ")))
		}
		slices.Sort(problems)
		return nil, fmt.Errorf("mapping: table %q cannot be reversed: values shared by several keys: %s",
			t.name, strings.Join(problems, "; "))
	}
	return &Table[V, K]{name: t.name + " (reverse)", m: r}, nil
}

// LookupError is a strict table's answer to a key it does not hold. It
// matches ErrUnmapped, and connector.KindOf reports it as Invalid.
type LookupError struct {
	Table string // the table's name
	Key   string // the key, as text
}

// Error names the table and the key.
func (e *LookupError) Error() string {
	return "mapping: table " + quote(e.Table) + " has no entry for " + quote(e.Key)
}

// Is matches ErrUnmapped.
func (e *LookupError) Is(target error) bool { return target == ErrUnmapped }

// FieldErrors returns the miss as one problem with code CodeUnmapped and an
// empty path.
func (e *LookupError) FieldErrors() []canonical.FieldError {
	return []canonical.FieldError{{Code: CodeUnmapped, Message: "no entry in table " + quote(e.Table), Value: e.Key}}
}

// IncompleteError lists the keys a table lacks; see Table.CheckTotal.
type IncompleteError struct {
	Table   string
	Missing []string
}

// Error names the table and every missing key.
func (e *IncompleteError) Error() string {
	q := make([]string, len(e.Missing))
	for i, k := range e.Missing {
		q[i] = quote(k)
	}
	return fmt.Sprintf("mapping: table %q lacks %d keys: %s", e.Table, len(e.Missing), strings.Join(q, ", "))
}

// keyString renders a key for an error message without fmt for the common
// string case.
func keyString[K any](k K) string {
	switch v := any(k).(type) {
	case string:
		return v
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(k)
}

func quote(s string) string { return strconv.Quote(s) }
