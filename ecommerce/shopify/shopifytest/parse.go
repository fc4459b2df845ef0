package shopifytest

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The fake parses GraphQL operations with a small purpose-built parser. It
// supports what the shopify connector sends and what a hand-written test
// query usually needs:
//
//   - one operation per document: query or mutation, named or anonymous, or
//     the { ... } shorthand; with several operations, operationName picks one;
//   - variable definitions with types (not checked beyond presence) and
//     default values;
//   - fields with aliases, arguments and nested selection sets;
//   - directives on fields: @idempotent(key:) on mutation fields, @include
//     and @skip;
//   - values: variables, integers, floats, strings (with escapes and block
//     strings), booleans, null, enums, lists and input objects;
//   - comments and commas, which are ignored.
//
// Fragments (named and inline) and subscriptions are refused with a GraphQL
// error, so a test learns at once that it strays outside what the fake knows.

// document is a parsed GraphQL request.
type document struct {
	ops []*operation
}

// operation is one query or mutation.
type operation struct {
	kind string // "query" or "mutation"
	name string
	vars []varDef
	sel  []*field
}

// varDef declares one variable.
type varDef struct {
	name string
	typ  string
	def  any // default value, or nil
	has  bool
}

// field is one selected field.
type field struct {
	alias, name string
	args        map[string]any // values; variables are *variable until bound
	dirs        []directive
	sel         []*field
	line        int
}

// directive is one @name(args) on a field.
type directive struct {
	name string
	args map[string]any
}

// variable is a $name reference inside a value.
type variable struct{ name string }

// enumValue is an unquoted name used as a value.
type enumValue string

// key is the response key of f: its alias or its name.
func (f *field) key() string {
	if f.alias != "" {
		return f.alias
	}
	return f.name
}

// syntaxError reports where the parser gave up.
type syntaxError struct {
	line, col int
	msg       string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("syntax error at line %d, column %d: %s", e.line, e.col, e.msg)
}

// token kinds.
const (
	tEOF = iota
	tPunct
	tName
	tInt
	tFloat
	tString
)

type token struct {
	kind      int
	text      string
	line, col int
}

type lexer struct {
	src       string
	pos       int
	line, col int
}

func (l *lexer) errorf(format string, args ...any) error {
	return &syntaxError{line: l.line, col: l.col, msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) advance(n int) {
	for i := 0; i < n && l.pos < len(l.src); i++ {
		if l.src[l.pos] == '\n' {
			l.line++
			l.col = 1
		} else {
			l.col++
		}
		l.pos++
	}
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			l.advance(1)
			continue
		case c == '#':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.advance(1)
			}
			continue
		case c == 0xEF && strings.HasPrefix(l.src[l.pos:], "\uFEFF"):
			l.advance(3)
			continue
		}
		break
	}
	t := token{line: l.line, col: l.col}
	if l.pos >= len(l.src) {
		t.kind = tEOF
		return t, nil
	}
	c := l.src[l.pos]
	switch {
	case strings.HasPrefix(l.src[l.pos:], "..."):
		t.kind, t.text = tPunct, "..."
		l.advance(3)
	case strings.IndexByte("!$&()[]{}:=@|", c) >= 0:
		t.kind, t.text = tPunct, string(c)
		l.advance(1)
	case isNameStart(c):
		start := l.pos
		for l.pos < len(l.src) && isNameChar(l.src[l.pos]) {
			l.advance(1)
		}
		t.kind, t.text = tName, l.src[start:l.pos]
	case c == '-' || (c >= '0' && c <= '9'):
		start := l.pos
		l.advance(1)
		isFloat := false
		for l.pos < len(l.src) {
			d := l.src[l.pos]
			if d >= '0' && d <= '9' {
				l.advance(1)
				continue
			}
			if d == '.' || d == 'e' || d == 'E' || ((d == '+' || d == '-') && isFloat) {
				isFloat = true
				l.advance(1)
				continue
			}
			break
		}
		t.text = l.src[start:l.pos]
		t.kind = tInt
		if isFloat {
			t.kind = tFloat
		}
		if t.text == "-" {
			return t, l.errorf("a number needs digits")
		}
	case c == '"':
		s, err := l.str()
		if err != nil {
			return t, err
		}
		t.kind, t.text = tString, s
	default:
		return t, l.errorf("unexpected character %q", c)
	}
	return t, nil
}

// str reads a string or block string starting at the opening quote.
func (l *lexer) str() (string, error) {
	if strings.HasPrefix(l.src[l.pos:], `"""`) {
		l.advance(3)
		end := strings.Index(l.src[l.pos:], `"""`)
		if end < 0 {
			return "", l.errorf("unterminated block string")
		}
		raw := l.src[l.pos : l.pos+end]
		l.advance(end + 3)
		return strings.TrimSpace(strings.ReplaceAll(raw, `\"""`, `"""`)), nil
	}
	l.advance(1)
	var b strings.Builder
	for {
		if l.pos >= len(l.src) {
			return "", l.errorf("unterminated string")
		}
		c := l.src[l.pos]
		switch c {
		case '"':
			l.advance(1)
			return b.String(), nil
		case '\n':
			return "", l.errorf("unterminated string")
		case '\\':
			if l.pos+1 >= len(l.src) {
				return "", l.errorf("unterminated string")
			}
			e := l.src[l.pos+1]
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if l.pos+6 > len(l.src) {
					return "", l.errorf("bad unicode escape")
				}
				n, err := strconv.ParseUint(l.src[l.pos+2:l.pos+6], 16, 32)
				if err != nil {
					return "", l.errorf("bad unicode escape")
				}
				b.WriteRune(rune(n))
				l.advance(4)
			default:
				return "", l.errorf("bad escape \\%c", e)
			}
			l.advance(2)
		default:
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			b.WriteRune(r)
			l.advance(size)
		}
	}
}

type parser struct {
	lex *lexer
	tok token
}

// parse parses a GraphQL document.
func parse(src string) (*document, error) {
	p := &parser{lex: &lexer{src: src, line: 1, col: 1}}
	if err := p.read(); err != nil {
		return nil, err
	}
	doc := &document{}
	for p.tok.kind != tEOF {
		op, err := p.operation()
		if err != nil {
			return nil, err
		}
		doc.ops = append(doc.ops, op)
	}
	if len(doc.ops) == 0 {
		return nil, &syntaxError{line: 1, col: 1, msg: "the document has no operation"}
	}
	return doc, nil
}

func (p *parser) read() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	return &syntaxError{line: p.tok.line, col: p.tok.col, msg: fmt.Sprintf(format, args...)}
}

func (p *parser) is(text string) bool { return p.tok.kind == tPunct && p.tok.text == text }

func (p *parser) expect(text string) error {
	if !p.is(text) {
		return p.errorf("expected %q, found %q", text, p.tok.text)
	}
	return p.read()
}

func (p *parser) name() (string, error) {
	if p.tok.kind != tName {
		return "", p.errorf("expected a name, found %q", p.tok.text)
	}
	n := p.tok.text
	return n, p.read()
}

func (p *parser) operation() (*operation, error) {
	op := &operation{kind: "query"}
	if p.tok.kind == tName {
		switch p.tok.text {
		case "query", "mutation":
			op.kind = p.tok.text
		case "fragment":
			return nil, p.errorf("fragments are not supported by the fake")
		case "subscription":
			return nil, p.errorf("subscriptions are not supported")
		default:
			return nil, p.errorf("unexpected %q", p.tok.text)
		}
		if err := p.read(); err != nil {
			return nil, err
		}
		if p.tok.kind == tName {
			op.name = p.tok.text
			if err := p.read(); err != nil {
				return nil, err
			}
		}
		if p.is("(") {
			vars, err := p.varDefs()
			if err != nil {
				return nil, err
			}
			op.vars = vars
		}
		for p.is("@") {
			if _, err := p.directive(); err != nil {
				return nil, err
			}
		}
	}
	sel, err := p.selectionSet(0)
	if err != nil {
		return nil, err
	}
	op.sel = sel
	return op, nil
}

func (p *parser) varDefs() ([]varDef, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var defs []varDef
	for !p.is(")") {
		if err := p.expect("$"); err != nil {
			return nil, err
		}
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		typ, err := p.typeRef()
		if err != nil {
			return nil, err
		}
		d := varDef{name: n, typ: typ}
		if p.is("=") {
			if err := p.read(); err != nil {
				return nil, err
			}
			v, err := p.value(true)
			if err != nil {
				return nil, err
			}
			d.def, d.has = v, true
		}
		defs = append(defs, d)
	}
	return defs, p.read()
}

func (p *parser) typeRef() (string, error) {
	var s string
	if p.is("[") {
		if err := p.read(); err != nil {
			return "", err
		}
		inner, err := p.typeRef()
		if err != nil {
			return "", err
		}
		if err := p.expect("]"); err != nil {
			return "", err
		}
		s = "[" + inner + "]"
	} else {
		n, err := p.name()
		if err != nil {
			return "", err
		}
		s = n
	}
	if p.is("!") {
		s += "!"
		if err := p.read(); err != nil {
			return "", err
		}
	}
	return s, nil
}

// maxDepth bounds nesting, so a hostile query cannot exhaust the stack.
const maxDepth = 32

func (p *parser) selectionSet(depth int) ([]*field, error) {
	if depth > maxDepth {
		return nil, p.errorf("the selection is nested more than %d levels deep", maxDepth)
	}
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	var out []*field
	for !p.is("}") {
		if p.tok.kind == tEOF {
			return nil, p.errorf("unterminated selection set")
		}
		if p.is("...") {
			return nil, p.errorf("fragments are not supported by the fake")
		}
		f, err := p.field(depth)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if len(out) == 0 {
		return nil, p.errorf("a selection set must select a field")
	}
	return out, p.read()
}

func (p *parser) field(depth int) (*field, error) {
	f := &field{line: p.tok.line}
	n, err := p.name()
	if err != nil {
		return nil, err
	}
	if p.is(":") {
		if err := p.read(); err != nil {
			return nil, err
		}
		f.alias = n
		if n, err = p.name(); err != nil {
			return nil, err
		}
	}
	f.name = n
	if p.is("(") {
		if f.args, err = p.arguments(); err != nil {
			return nil, err
		}
	}
	for p.is("@") {
		d, err := p.directive()
		if err != nil {
			return nil, err
		}
		f.dirs = append(f.dirs, d)
	}
	if p.is("{") {
		if f.sel, err = p.selectionSet(depth + 1); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (p *parser) directive() (directive, error) {
	if err := p.expect("@"); err != nil {
		return directive{}, err
	}
	n, err := p.name()
	if err != nil {
		return directive{}, err
	}
	d := directive{name: n}
	if p.is("(") {
		if d.args, err = p.arguments(); err != nil {
			return directive{}, err
		}
	}
	return d, nil
}

func (p *parser) arguments() (map[string]any, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	args := map[string]any{}
	for !p.is(")") {
		n, err := p.name()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v, err := p.value(false)
		if err != nil {
			return nil, err
		}
		args[n] = v
	}
	return args, p.read()
}

func (p *parser) value(constant bool) (any, error) {
	t := p.tok
	switch {
	case p.is("$"):
		if constant {
			return nil, p.errorf("a default value cannot use a variable")
		}
		if err := p.read(); err != nil {
			return nil, err
		}
		n, err := p.name()
		return &variable{name: n}, err
	case p.is("["):
		if err := p.read(); err != nil {
			return nil, err
		}
		list := []any{}
		for !p.is("]") {
			if p.tok.kind == tEOF {
				return nil, p.errorf("unterminated list")
			}
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, p.read()
	case p.is("{"):
		if err := p.read(); err != nil {
			return nil, err
		}
		obj := map[string]any{}
		for !p.is("}") {
			n, err := p.name()
			if err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			v, err := p.value(constant)
			if err != nil {
				return nil, err
			}
			obj[n] = v
		}
		return obj, p.read()
	case t.kind == tInt:
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, p.errorf("bad integer %q", t.text)
		}
		return n, p.read()
	case t.kind == tFloat:
		return t.text, p.read() // kept as text: the fake never does arithmetic on floats
	case t.kind == tString:
		return t.text, p.read()
	case t.kind == tName:
		var v any
		switch t.text {
		case "true":
			v = true
		case "false":
			v = false
		case "null":
			v = nil
		default:
			v = enumValue(t.text)
		}
		return v, p.read()
	}
	return nil, p.errorf("expected a value, found %q", t.text)
}

// bind replaces variables in v with their values from vars.
func bind(v any, vars map[string]any) (any, error) {
	switch x := v.(type) {
	case *variable:
		val, ok := vars[x.name]
		if !ok {
			return nil, nil
		}
		return val, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			b, err := bind(e, vars)
			if err != nil {
				return nil, err
			}
			out[i] = b
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			b, err := bind(e, vars)
			if err != nil {
				return nil, err
			}
			out[k] = b
		}
		return out, nil
	}
	return v, nil
}
