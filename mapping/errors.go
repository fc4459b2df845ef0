package mapping

import (
	"errors"
	"strconv"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// Problem codes used by this package in canonical.FieldError.Code. They are
// stable: dashboards and exception filters may key on them.
const (
	CodeUnmapped  = "unmapped"   // a lookup table has no entry for the value
	CodeNotLinked = "not_linked" // the crosswalk has no ref in the target system
	CodeAmbiguous = "ambiguous"  // the crosswalk has several refs in the target system
	CodeRequired  = "required"   // a value needed for mapping is empty
	CodeCountry   = "country"    // not a recognisable country
	CodeCurrency  = "currency"   // not an ISO 4217 currency
	CodeUnit      = "unit"       // unknown unit or no conversion between two units
	CodePhone     = "phone"      // not convertible to E.164
	CodePostcode  = "postcode"   // postcode invalid for its country
	CodeInvalid   = "invalid"    // any other bad value
)

// ErrUnmapped matches (with errors.Is) every "no mapping" error of this
// package: a strict table miss and a crosswalk miss.
var ErrUnmapped = errors.New("mapping: no mapping")

// Error is every problem found while mapping one record, so one run shows all
// of them. It has the FieldErrors method that the connector package uses to
// classify an error as invalid data: the record is parked for a person to fix
// the data or the mapping tables, then replayed; it is never retried as is.
//
// Build one with Errors; a hand-made *Error is fine too.
type Error struct {
	// System, Entity and Key identify the record: the system it came from, its
	// entity type and its key there ("shopify", "SalesOrder", "1001"). Any of
	// them may be empty.
	System, Entity, Key string
	// Fields lists the problems in the order found. Paths use the JSON names
	// of the target shape, such as "lines[2].sku".
	Fields []canonical.FieldError
}

// Error names the record and lists every problem:
// "mapping shopify SalesOrder 1001: 2 problems: lines[0].sku: ... ; ...".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mapping")
	for _, s := range [...]string{e.System, e.Entity, e.Key} {
		if s != "" {
			b.WriteByte(' ')
			b.WriteString(s)
		}
	}
	b.WriteString(": ")
	if len(e.Fields) != 1 {
		b.WriteString(strconv.Itoa(len(e.Fields)))
		b.WriteString(" problems: ")
	}
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Error())
		if f.Value != "" {
			b.WriteString(" [value ")
			b.WriteString(strconv.Quote(f.Value))
			b.WriteByte(']')
		}
	}
	return b.String()
}

// FieldErrors returns the problems; connector.KindOf reports such an error as
// Invalid.
func (e *Error) FieldErrors() []canonical.FieldError { return e.Fields }

// Errors collects the problems of one record while it is mapped. Set the record
// identity, add problems as they are found, keep mapping, and return Err at
// the end:
//
//	errs := mapping.Errors{System: "shopify", Entity: "SalesOrder", Key: src.Number}
//	out.Status = statuses.Map(&errs, "status", src.Status)
//	cur, err := mapping.NormalizeCurrency(src.Currency)
//	errs.Collect("currency", err) // nil: a bad currency is a data problem
//	...
//	return out, errs.Err()
//
// The zero value is ready to use. An Errors is not safe for concurrent use;
// map one record in one goroutine.
type Errors struct {
	// System, Entity and Key identify the record, as in Error.
	System, Entity, Key string

	fields []canonical.FieldError
}

// Add records one problem at path (build it with Path), with a code (one of
// the Code constants or your own), a message for people, and the offending
// source value as text.
func (e *Errors) Add(path, code, msg, value string) {
	e.fields = append(e.fields, canonical.FieldError{Path: path, Code: code, Message: msg, Value: value})
}

// Collect files err under path when it is a data problem, and reports whether
// mapping may go on. The usual call is
//
//	if err := errs.Collect("customer", err); err != nil {
//		return out, err // a store or network failure: stop, let the engine retry
//	}
//
// A data problem is any error with a FieldErrors() []canonical.FieldError
// method: the errors of this package (table misses, crosswalk misses, bad
// countries, units, phones, postcodes, a nested *Error) and
// canonical.ValidationError. Their problems are added with path prefixed to
// their own paths, and Collect returns nil. Any other error (a crosswalk that
// could not reach its database, a cancelled context) is returned unchanged and
// nothing is recorded. Collect(path, nil) returns nil.
func (e *Errors) Collect(path string, err error) error {
	if err == nil {
		return nil
	}
	var fe interface{ FieldErrors() []canonical.FieldError }
	if !errors.As(err, &fe) {
		return err
	}
	list := fe.FieldErrors()
	if len(list) == 0 {
		e.Add(path, CodeInvalid, err.Error(), "")
		return nil
	}
	for _, f := range list {
		f.Path = joinPath(path, f.Path)
		e.fields = append(e.fields, f)
	}
	return nil
}

// Len returns the number of problems so far.
func (e *Errors) Len() int { return len(e.fields) }

// Fields returns a copy of the problems so far.
func (e *Errors) Fields() []canonical.FieldError {
	return append([]canonical.FieldError(nil), e.fields...)
}

// Err returns nil when no problem was recorded, and otherwise an *Error that
// carries the record identity and every problem. The returned error does not
// share memory with e.
func (e *Errors) Err() error {
	if len(e.fields) == 0 {
		return nil
	}
	return &Error{System: e.System, Entity: e.Entity, Key: e.Key, Fields: e.Fields()}
}

// Path builds a field path from names and indexes: Path("lines", 2, "sku") is
// "lines[2].sku", and Path("shipTo", "lines", 0) is "shipTo.lines[0]". A
// string part may itself be a path ("billTo.country"). Parts of other types
// than string and int are ignored. Use the JSON names of the target shape.
func Path(parts ...any) string {
	n := 0
	for _, p := range parts {
		if s, ok := p.(string); ok {
			n += len(s) + 1
		} else {
			n += 4
		}
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			if v == "" {
				continue
			}
			if len(b) > 0 && v[0] != '[' {
				b = append(b, '.')
			}
			b = append(b, v...)
		case int:
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

// joinPath prefixes path with base: ("shipTo", "country") is "shipTo.country",
// ("lines[2]", "") is "lines[2]".
func joinPath(base, path string) string {
	switch {
	case base == "":
		return path
	case path == "":
		return base
	case path[0] == '[':
		return base + path
	}
	return base + "." + path
}

// ValueError is a value that could not be normalised or converted: an unknown
// country, a bad postcode, a phone number that is not E.164, two units with no
// conversion. It has no path; Errors.Collect adds one. It is a data problem, so
// connector.KindOf reports it as Invalid.
type ValueError struct {
	// Code is one of the Code constants, such as CodePostcode.
	Code string
	// Value is the offending input.
	Value string
	// Reason says what is wrong, for people.
	Reason string
}

// Error returns `mapping: invalid <code> "<value>": <reason>`.
func (e *ValueError) Error() string {
	return "mapping: invalid " + e.Code + " " + strconv.Quote(e.Value) + ": " + e.Reason
}

// FieldErrors returns the problem as one FieldError with an empty path.
func (e *ValueError) FieldErrors() []canonical.FieldError {
	return []canonical.FieldError{{Code: e.Code, Message: e.Reason, Value: e.Value}}
}

func valueErr(code, value, reason string) *ValueError {
	return &ValueError{Code: code, Value: value, Reason: reason}
}
