package shopifytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// object is one GraphQL object of the fake: its type name and a resolver
// for its fields. get returns a scalar, nil, an object, a []object, or an
// error; an unknown field returns errNoField.
type object struct {
	typ string
	get func(name string, args map[string]any) (any, error)
}

// errNoField marks a field the type does not have (in the fake).
var errNoField = errors.New("no such field")

// gqlError is one entry of a GraphQL response's errors array.
type gqlError struct {
	Message    string         `json:"message"`
	Locations  []location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

func (e *gqlError) Error() string { return e.Message }

// ordered is a JSON object that keeps the order of its keys, so responses
// read like the selection that asked for them.
type ordered struct {
	keys []string
	vals map[string]any
}

func (o *ordered) set(k string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// MarshalJSON writes the keys in order.
func (o *ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// executor runs one operation's selection against the fake's objects and
// counts the actual query cost as it goes.
type executor struct {
	vars   map[string]any
	actual int
}

// included applies @include and @skip.
func (x *executor) included(f *field) (bool, error) {
	for _, d := range f.dirs {
		if d.name != "include" && d.name != "skip" {
			continue
		}
		v, err := bind(d.args["if"], x.vars)
		if err != nil {
			return false, err
		}
		b, _ := v.(bool)
		if d.name == "include" && !b || d.name == "skip" && b {
			return false, nil
		}
	}
	return true, nil
}

// selection resolves sel on obj.
func (x *executor) selection(sel []*field, obj object, path []any) (*ordered, error) {
	out := &ordered{}
	for _, f := range sel {
		ok, err := x.included(f)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		fpath := append(append([]any(nil), path...), f.key())
		if f.name == "__typename" {
			out.set(f.key(), obj.typ)
			continue
		}
		args := map[string]any{}
		for k, v := range f.args {
			b, err := bind(v, x.vars)
			if err != nil {
				return nil, err
			}
			args[k] = b
		}
		val, err := obj.get(f.name, args)
		if errors.Is(err, errNoField) {
			return nil, &gqlError{
				Message:    fmt.Sprintf("Field '%s' doesn't exist on type '%s'", f.name, obj.typ),
				Locations:  []location{{Line: f.line, Column: 1}},
				Path:       fpath,
				Extensions: map[string]any{"code": "undefinedField", "typeName": obj.typ, "fieldName": f.name},
			}
		}
		if err != nil {
			var ge *gqlError
			if errors.As(err, &ge) {
				if ge.Path == nil {
					ge.Path = fpath
				}
				return nil, ge
			}
			return nil, &gqlError{Message: err.Error(), Path: fpath}
		}
		if _, sized := sizeArg(args); sized && f.sel != nil {
			x.actual += 2
		}
		v, err := x.complete(f, val, fpath)
		if err != nil {
			return nil, err
		}
		out.set(f.key(), v)
	}
	return out, nil
}

// complete turns a resolved value into JSON for the field's selection.
func (x *executor) complete(f *field, val any, path []any) (any, error) {
	switch v := val.(type) {
	case nil:
		return nil, nil
	case object:
		if f.sel == nil {
			return nil, &gqlError{Message: fmt.Sprintf("Field must have selections (field '%s' returns %s but has no selections)", f.name, v.typ), Path: path}
		}
		x.count(v)
		return x.selection(f.sel, v, path)
	case []object:
		if f.sel == nil {
			return nil, &gqlError{Message: fmt.Sprintf("Field must have selections (field '%s' returns a list of objects but has no selections)", f.name), Path: path}
		}
		list := make([]any, len(v))
		for i, o := range v {
			x.count(o)
			r, err := x.selection(f.sel, o, append(path, i))
			if err != nil {
				return nil, err
			}
			list[i] = r
		}
		return list, nil
	}
	if f.sel != nil {
		return nil, &gqlError{Message: fmt.Sprintf("Selections can't be made on scalars (field '%s')", f.name), Path: path}
	}
	return val, nil
}

// count adds an object's cost to the actual cost: one point, except for the
// wrappers whose cost the connection's two points already cover.
func (x *executor) count(o object) {
	switch {
	case o.typ == "PageInfo", len(o.typ) > 4 && o.typ[len(o.typ)-4:] == "Edge",
		len(o.typ) > 10 && o.typ[len(o.typ)-10:] == "Connection":
		return
	}
	x.actual++
}

// sizeArg returns the page size a field asks for with first or last.
func sizeArg(args map[string]any) (int, bool) {
	for _, k := range [...]string{"first", "last"} {
		if v, ok := args[k]; ok && v != nil {
			n, err := toInt(v)
			if err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// requestedCost computes the cost of a selection before running it, as
// Shopify documents: scalars and enums 0, objects 1, connections and sized
// lists 2 plus the page size times the cost of one item, mutations 10.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
func requestedCost(op *operation, vars map[string]any) int {
	if op.kind == "mutation" {
		return 10 * len(op.sel)
	}
	return selectionCost(op.sel, vars)
}

func selectionCost(sel []*field, vars map[string]any) int {
	total := 0
	for _, f := range sel {
		if f.sel == nil || f.name == "pageInfo" {
			continue
		}
		args := map[string]any{}
		for k, v := range f.args {
			args[k], _ = bind(v, vars)
		}
		n, sized := sizeArg(args)
		if !sized {
			total += 1 + selectionCost(f.sel, vars)
			continue
		}
		item := 0
		conn := false
		for _, c := range f.sel {
			switch c.name {
			case "nodes":
				conn = true
				item = max(item, 1+selectionCost(c.sel, vars))
			case "edges":
				conn = true
				for _, e := range c.sel {
					if e.name == "node" {
						item = max(item, 1+selectionCost(e.sel, vars))
					}
				}
			}
		}
		if !conn {
			item = 1 + selectionCost(f.sel, vars)
		}
		total += 2 + n*item
	}
	return total
}

// toInt reads an integer argument or variable.
func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int64:
		return int(x), nil
	case int:
		return x, nil
	case json.Number:
		n, err := strconv.ParseInt(string(x), 10, 64)
		return int(n), err
	case float64:
		if x == float64(int64(x)) {
			return int(x), nil
		}
	}
	return 0, fmt.Errorf("%v is not an integer", v)
}

// str reads a string argument.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case enumValue:
		return string(x)
	case json.Number:
		return string(x)
	}
	return ""
}
