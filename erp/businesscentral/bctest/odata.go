package bctest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/junctionhq/junction/canonical"
)

// field is one property of an entity as the fake serves it.
type field struct {
	name  string
	value any // string, canonical.Decimal, int, bool, time.Time, canonical.Date, nil, []obj
}

// obj is an entity with its properties in the order Business Central writes
// them. Values are typed, so that $filter and $orderby compare them as
// numbers, dates and times rather than as text.
type obj []field

// get returns the value of a property.
func (o obj) get(name string) (any, bool) {
	for _, f := range o {
		if f.name == name {
			return f.value, true
		}
	}
	return nil, false
}

// str returns a string property, or "".
func (o obj) str(name string) string {
	v, _ := o.get(name)
	s, _ := v.(string)
	return s
}

// MarshalJSON writes the properties in order: decimals as bare JSON numbers
// (as Business Central sends amounts), dates as "2006-01-02" and times in
// RFC 3339 with milliseconds.
func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.name)
		b.Write(k)
		b.WriteByte(':')
		if err := writeValue(&b, f.value); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeValue(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case canonical.Decimal:
		b.WriteString(v.String())
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case time.Time:
		b.WriteString(`"` + formatTime(v) + `"`)
	case canonical.Date:
		if v.IsZero() {
			b.WriteString(`"0001-01-01"`)
		} else {
			b.WriteString(`"` + v.String() + `"`)
		}
	case []obj:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			raw, err := e.MarshalJSON()
			if err != nil {
				return err
			}
			b.Write(raw)
		}
		b.WriteByte(']')
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(raw)
	}
	return nil
}

// formatTime writes a time as Business Central does: UTC, RFC 3339, with
// the fraction of a second when there is one (at most milliseconds).
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999Z")
}

// selectFields keeps the properties named in $select, and the ETag.
func (o obj) selectFields(names []string) obj {
	if len(names) == 0 {
		return o
	}
	out := make(obj, 0, len(names)+1)
	for _, f := range o {
		if f.name == "@odata.etag" || slices.Contains(names, f.name) {
			out = append(out, f)
		}
	}
	return out
}

// ---- $filter ----

// filterExpr is a parsed $filter expression.
type filterExpr interface {
	eval(o obj) (bool, error)
}

type boolOp struct {
	and         bool
	left, right filterExpr
}

func (e boolOp) eval(o obj) (bool, error) {
	l, err := e.left.eval(o)
	if err != nil {
		return false, err
	}
	if e.and && !l {
		return false, nil
	}
	if !e.and && l {
		return true, nil
	}
	return e.right.eval(o)
}

type notOp struct{ inner filterExpr }

func (e notOp) eval(o obj) (bool, error) {
	v, err := e.inner.eval(o)
	return !v, err
}

// comparison is "property op literal".
type comparison struct {
	prop string
	op   string // eq ne gt ge lt le
	lit  literal
}

// literal is a $filter literal as written, classified by the lexer.
type literal struct {
	kind string // "string", "word" (number, date, time, GUID), "bool", "null"
	text string
}

// errFilter is a $filter the fake cannot parse or apply; it answers 400.
type errFilter struct{ msg string }

func (e *errFilter) Error() string { return e.msg }

func filterErrorf(format string, args ...any) error {
	return &errFilter{msg: fmt.Sprintf(format, args...)}
}

func (c comparison) eval(o obj) (bool, error) {
	v, ok := o.get(c.prop)
	if !ok {
		return false, filterErrorf("Could not find a property named '%s'.", c.prop)
	}
	cmp, null, err := compareLiteral(v, c.lit)
	if err != nil {
		return false, err
	}
	if null {
		// Only eq and ne are defined against null.
		switch c.op {
		case "eq":
			return cmp == 0, nil
		case "ne":
			return cmp != 0, nil
		}
		return false, nil
	}
	switch c.op {
	case "eq":
		return cmp == 0, nil
	case "ne":
		return cmp != 0, nil
	case "gt":
		return cmp > 0, nil
	case "ge":
		return cmp >= 0, nil
	case "lt":
		return cmp < 0, nil
	case "le":
		return cmp <= 0, nil
	}
	return false, filterErrorf("unknown operator %q", c.op)
}

// compareLiteral orders a property value against a literal, reading the
// literal as the property's type. null reports a comparison with null, in
// which case order is 0 when the value is null (or empty) and 1 otherwise.
func compareLiteral(v any, lit literal) (order int, null bool, err error) {
	if lit.kind == "null" {
		if v == nil || v == "" {
			return 0, true, nil
		}
		return 1, true, nil
	}
	mismatch := func(want string) error {
		return filterErrorf("A binary operator with incompatible types was detected: the literal %s is not a %s.", lit.text, want)
	}
	switch v := v.(type) {
	case string:
		switch lit.kind {
		case "string":
			return strings.Compare(v, lit.text), false, nil
		case "word":
			if isGUID(lit.text) && isGUID(v) {
				return strings.Compare(strings.ToLower(v), strings.ToLower(lit.text)), false, nil
			}
		}
		return 0, false, mismatch("string")
	case canonical.Decimal:
		if lit.kind != "word" {
			return 0, false, mismatch("number")
		}
		d, err := canonical.ParseDecimal(lit.text)
		if err != nil {
			return 0, false, mismatch("number")
		}
		return v.Cmp(d), false, nil
	case int:
		if lit.kind != "word" {
			return 0, false, mismatch("number")
		}
		n, err := strconv.ParseInt(lit.text, 10, 64)
		if err != nil {
			return 0, false, mismatch("number")
		}
		return cmp.Compare(int64(v), n), false, nil
	case bool:
		if lit.kind != "bool" {
			return 0, false, mismatch("boolean")
		}
		b := lit.text == "true"
		switch {
		case v == b:
			return 0, false, nil
		case !v:
			return -1, false, nil
		}
		return 1, false, nil
	case time.Time:
		if lit.kind != "word" {
			return 0, false, mismatch("DateTimeOffset")
		}
		t, err := time.Parse(time.RFC3339Nano, lit.text)
		if err != nil {
			return 0, false, mismatch("DateTimeOffset")
		}
		// Business Central keeps milliseconds.
		return v.Truncate(time.Millisecond).Compare(t.Truncate(time.Millisecond)), false, nil
	case canonical.Date:
		if lit.kind != "word" {
			return 0, false, mismatch("Date")
		}
		d, err := canonical.ParseDate(lit.text)
		if err != nil {
			return 0, false, mismatch("Date")
		}
		switch {
		case v == d:
			return 0, false, nil
		case v.Before(d):
			return -1, false, nil
		}
		return 1, false, nil
	case nil:
		return -1, false, nil
	}
	return 0, false, filterErrorf("the property cannot be filtered")
}

// isGUID reports whether s looks like 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// token is one lexical token of a $filter expression.
type token struct {
	kind string // "ident", "string", "word", "(", ")", "eof"
	text string
	pos  int
}

// maxFilterLen and maxFilterDepth bound what the parser accepts, so that a
// hostile filter cannot exhaust memory or the stack.
const (
	maxFilterLen   = 8 << 10
	maxFilterDepth = 64
)

func lexFilter(s string) ([]token, error) {
	if len(s) > maxFilterLen {
		return nil, filterErrorf("The $filter expression is longer than %d characters.", maxFilterLen)
	}
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, token{kind: string(c), text: string(c), pos: i})
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' { // '' is an escaped quote
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, filterErrorf("Syntax error: unterminated string literal at position %d in '%s'.", i, s)
			}
			toks = append(toks, token{kind: "string", text: b.String(), pos: i})
			i = j
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			w := s[i:j]
			kind := "word"
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' {
				kind = "ident"
				if isGUID(w) {
					kind = "word"
				}
			}
			toks = append(toks, token{kind: kind, text: w, pos: i})
			i = j
		default:
			return nil, filterErrorf("Syntax error: character '%c' is not valid at position %d in '%s'.", c, i, s)
		}
	}
	return append(toks, token{kind: "eof", pos: len(s)}), nil
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '-' || c == '.' || c == ':' || c == '+' || c == '/'
}

type filterParser struct {
	toks  []token
	i     int
	src   string
	depth int
}

// parseFilter parses an OData $filter expression: comparisons of a property
// with a literal (eq, ne, gt, ge, lt, le), joined by and, or and not, with
// parentheses. Literals are 'strings' (with ” for a quote), numbers,
// true, false, null, dates, DateTimeOffsets and GUIDs.
func parseFilter(s string) (filterExpr, error) {
	toks, err := lexFilter(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks, src: s}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, p.errAt(t, "unexpected '%s'", t.text)
	}
	return e, nil
}

func (p *filterParser) peek() token { return p.toks[p.i] }

func (p *filterParser) next() token {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *filterParser) errAt(t token, format string, args ...any) error {
	return filterErrorf("Syntax error at position %d in '%s': %s.", t.pos, p.src, fmt.Sprintf(format, args...))
}

func (p *filterParser) isKeyword(word string) bool {
	t := p.peek()
	return t.kind == "ident" && t.text == word
}

func (p *filterParser) or() (filterExpr, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("or") {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = boolOp{and: false, left: l, right: r}
	}
	return l, nil
}

func (p *filterParser) and() (filterExpr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("and") {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = boolOp{and: true, left: l, right: r}
	}
	return l, nil
}

func (p *filterParser) unary() (filterExpr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxFilterDepth {
		return nil, p.errAt(p.peek(), "the expression is nested too deeply")
	}
	if p.isKeyword("not") {
		p.next()
		e, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notOp{e}, nil
	}
	if p.peek().kind == "(" {
		p.next()
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != ")" {
			return nil, p.errAt(t, "')' expected")
		}
		return e, nil
	}
	prop := p.next()
	if prop.kind != "ident" {
		return nil, p.errAt(prop, "a property name is expected")
	}
	op := p.next()
	switch op.text {
	case "eq", "ne", "gt", "ge", "lt", "le":
	default:
		return nil, p.errAt(op, "a comparison operator is expected after '%s'", prop.text)
	}
	if op.kind != "ident" {
		return nil, p.errAt(op, "a comparison operator is expected after '%s'", prop.text)
	}
	lt := p.next()
	var lit literal
	switch {
	case lt.kind == "string":
		lit = literal{kind: "string", text: lt.text}
	case lt.kind == "word":
		lit = literal{kind: "word", text: lt.text}
	case lt.kind == "ident" && (lt.text == "true" || lt.text == "false"):
		lit = literal{kind: "bool", text: lt.text}
	case lt.kind == "ident" && lt.text == "null":
		lit = literal{kind: "null", text: lt.text}
	default:
		return nil, p.errAt(lt, "a literal is expected after '%s %s'", prop.text, op.text)
	}
	return comparison{prop: prop.text, op: op.text, lit: lit}, nil
}

// ---- $orderby ----

type orderKey struct {
	prop string
	desc bool
}

// parseOrderBy reads "a asc,b desc".
func parseOrderBy(s string) ([]orderKey, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var keys []orderKey
	for part := range strings.SplitSeq(s, ",") {
		fs := strings.Fields(part)
		switch {
		case len(fs) == 1:
			keys = append(keys, orderKey{prop: fs[0]})
		case len(fs) == 2 && (fs[1] == "asc" || fs[1] == "desc"):
			keys = append(keys, orderKey{prop: fs[0], desc: fs[1] == "desc"})
		default:
			return nil, filterErrorf("Syntax error in $orderby: '%s'.", part)
		}
	}
	return keys, nil
}

// compareValues orders two property values of the same type; nil sorts first.
func compareValues(a, b any) int {
	switch a := a.(type) {
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b)
		}
	case canonical.Decimal:
		if b, ok := b.(canonical.Decimal); ok {
			return a.Cmp(b)
		}
	case int:
		if b, ok := b.(int); ok {
			return cmp.Compare(int64(a), int64(b))
		}
	case bool:
		if b, ok := b.(bool); ok {
			switch {
			case a == b:
				return 0
			case !a:
				return -1
			}
			return 1
		}
	case time.Time:
		if b, ok := b.(time.Time); ok {
			return a.Compare(b)
		}
	case canonical.Date:
		if b, ok := b.(canonical.Date); ok {
			switch {
			case a == b:
				return 0
			case a.Before(b):
				return -1
			}
			return 1
		}
	case nil:
		if b == nil {
			return 0
		}
		return -1
	}
	if b == nil {
		return 1
	}
	return 0
}

// ---- Prefer ----

// maxPageSize reads "odata.maxpagesize=N" from Prefer headers; 0 if absent.
func maxPageSize(prefer []string) int {
	for _, h := range prefer {
		for p := range strings.SplitSeq(h, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}
