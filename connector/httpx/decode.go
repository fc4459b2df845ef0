package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// decodeError explains a JSON decoding failure of the response to op at where
// (the redacted URL). prefix is the JSON path of the decoded part within the
// body, for field paths.
func decodeError(system, op, where string, status int, prefix string, err error, body []byte, maxBody int64) *connector.Error {
	e := &connector.Error{System: system, Op: op, Status: status, Body: capBytes(body, maxBody), Err: err}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		e.Kind = connector.Transient
		e.Message = fmt.Sprintf("malformed JSON in response to %s (HTTP %d) at offset %d: %v", where, status, se.Offset, se)
	case errors.As(err, &te):
		field := joinPath(prefix, te.Field)
		e.Kind = connector.Invalid
		e.Message = fmt.Sprintf("response to %s (HTTP %d): field %q: cannot decode JSON %s into %v (offset %d)",
			where, status, field, te.Value, te.Type, te.Offset)
		e.Fields = []canonical.FieldError{{Path: field, Code: "type", Message: fmt.Sprintf("JSON %s is not a %v", te.Value, te.Type)}}
	default:
		e.Kind = connector.Invalid
		e.Message = fmt.Sprintf("decode response to %s (HTTP %d): %v", where, status, err)
		if prefix != "" {
			e.Fields = []canonical.FieldError{{Path: prefix, Code: "decode", Message: err.Error()}}
		}
	}
	return e
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// maxMessage bounds a message taken from an error body.
const maxMessage = 500

// bodyMessage finds an error code and message in the common error body shapes:
//
//	{"error":{"code":"...","message":"..."}}          OData, Microsoft, Google
//	{"error":"invalid_grant","error_description":"..."} OAuth 2.0
//	{"code":"...","message":"..."}                     many REST APIs
//	{"errors":[{"code":"...","message":"..."}]}        JSON:API, GraphQL
//	{"errors":{"title":["can't be blank"]}}           Rails style
//	{"errors":"..."}
//
// and takes a short text/plain body as the message. It returns empty strings
// when the body has none of these shapes.
func bodyMessage(h http.Header, body []byte) (code, msg string) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return "", ""
	}
	if b[0] != '{' {
		if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == "text/plain" {
			return "", truncate(string(b))
		}
		return "", ""
	}
	var env struct {
		Error            json.RawMessage `json:"error"`
		ErrorDescription string          `json:"error_description"`
		Code             json.RawMessage `json:"code"`
		Message          json.RawMessage `json:"message"`
		Errors           json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(b, &env) != nil {
		return "", ""
	}
	code, msg = text(env.Code), text(env.Message)
	if s := text(env.Error); s != "" { // OAuth: "error" is the code
		code = s
		if env.ErrorDescription != "" {
			msg = env.ErrorDescription
		} else if msg == "" {
			msg = s
		}
	} else if len(env.Error) > 0 && env.Error[0] == '{' {
		var inner struct {
			Code    json.RawMessage `json:"code"`
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(env.Error, &inner) == nil {
			code, msg = first(text(inner.Code), code), first(text(inner.Message), msg)
		}
	}
	if msg == "" && len(env.Errors) > 0 {
		c, m := errorsMessage(env.Errors)
		code, msg = first(code, c), m
	}
	return code, truncate(msg)
}

// errorsMessage reads an "errors" member: a string, a list of strings or
// objects, or an object of field name to messages.
func errorsMessage(raw json.RawMessage) (code, msg string) {
	switch raw[0] {
	case '"':
		return "", text(raw)
	case '[':
		var list []json.RawMessage
		if json.Unmarshal(raw, &list) != nil {
			return "", ""
		}
		var msgs []string
		for _, item := range list {
			if s := text(item); s != "" {
				msgs = append(msgs, s)
				continue
			}
			var obj struct {
				Code    json.RawMessage `json:"code"`
				Message json.RawMessage `json:"message"`
			}
			if json.Unmarshal(item, &obj) == nil && len(obj.Message) > 0 {
				if code == "" {
					code = text(obj.Code)
				}
				msgs = append(msgs, text(obj.Message))
			}
		}
		return code, strings.Join(msgs, "; ")
	case '{':
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			return "", ""
		}
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		sort.Strings(names)
		var msgs []string
		for _, k := range names {
			var list []string
			if json.Unmarshal(fields[k], &list) != nil {
				if s := text(fields[k]); s != "" {
					list = []string{s}
				}
			}
			for _, m := range list {
				msgs = append(msgs, k+": "+m)
			}
		}
		return "", strings.Join(msgs, "; ")
	}
	return "", ""
}

// text renders a JSON string or number as text, and an OData v3 message object
// {"lang":"en","value":"..."} as its value; anything else as "".
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case '{':
		var v struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(raw, &v) == nil {
			return v.Value
		}
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw)
	}
	return ""
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
