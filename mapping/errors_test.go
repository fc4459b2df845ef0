package mapping

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/junctionhq/junction/canonical"
)

// fieldErrorer is the contract connector.KindOf uses to classify an error as
// invalid data.
type fieldErrorer interface {
	FieldErrors() []canonical.FieldError
}

func TestPath(t *testing.T) {
	tests := []struct {
		parts []any
		want  string
	}{
		{[]any{"lines", 2, "sku"}, "lines[2].sku"},
		{[]any{"shipTo", "lines", 0}, "shipTo.lines[0]"},
		{[]any{"billTo.country"}, "billTo.country"},
		{[]any{"lines", 1, "discounts", 0, "amount"}, "lines[1].discounts[0].amount"},
		{[]any{"", "status"}, "status"},
		{[]any{0, "x"}, "[0].x"},
		{[]any{"a", 3.5, "b"}, "a.b"}, // unsupported parts are ignored
		{nil, ""},
	}
	for _, tt := range tests {
		if got := Path(tt.parts...); got != tt.want {
			t.Errorf("Path(%v) = %q, want %q", tt.parts, got, tt.want)
		}
	}
}

func TestErrorsCollectsEveryProblem(t *testing.T) {
	errs := Errors{System: "shopify", Entity: "SalesOrder", Key: "1001"}
	if errs.Err() != nil {
		t.Fatal("Err() of empty Errors is not nil")
	}
	errs.Add("status", CodeUnmapped, "no entry in table", "paid_partially")
	errs.Add(Path("lines", 2, "sku"), CodeUnmapped, "no entry in table", "X-9")

	err := errs.Err()
	var me *Error
	if !errors.As(err, &me) {
		t.Fatalf("Err() = %T, want *Error", err)
	}
	var fe fieldErrorer
	if !errors.As(err, &fe) || len(fe.FieldErrors()) != 2 {
		t.Fatalf("error does not carry its 2 field errors: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"shopify", "SalesOrder", "1001", "2 problems", "status", "lines[2].sku", `"X-9"`, `"paid_partially"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// The error does not share memory with the collector.
	errs.Add("currency", CodeCurrency, "bad", "EURO")
	if len(me.Fields) != 2 {
		t.Errorf("adding after Err changed the returned error: %d fields", len(me.Fields))
	}
}

func TestErrorsCollect(t *testing.T) {
	storeDown := errors.New("connection refused")
	nested := &Error{Fields: []canonical.FieldError{
		{Path: "country", Code: CodeCountry, Message: "bad", Value: "Narnia"},
		{Path: "", Code: CodeRequired, Message: "whole thing"},
		{Path: "[0]", Code: CodeInvalid, Message: "first"},
	}}
	tests := []struct {
		name      string
		path      string
		err       error
		wantErr   error
		wantPaths []string
	}{
		{"nil", "x", nil, nil, nil},
		{"infrastructure error passes through", "customer", storeDown, storeDown, nil},
		{"wrapped infrastructure error passes through", "customer", fmt.Errorf("lookup: %w", storeDown), storeDown, nil},
		{"lookup miss", "status", &LookupError{Table: "t", Key: "k"}, nil, []string{"status"}},
		{"wrapped value error", "shipTo.phone", fmt.Errorf("ctx: %w", valueErr(CodePhone, "1", "short")), nil, []string{"shipTo.phone"}},
		{"nested paths are prefixed", "shipTo", nested, nil, []string{"shipTo.country", "shipTo", "shipTo[0]"}},
		{"validation error", "", &canonical.ValidationError{Entity: "X", Errors: []canonical.FieldError{{Path: "a", Code: "required"}}}, nil, []string{"a"}},
		{"field error method with no fields", "p", &Error{}, nil, []string{"p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs Errors
			got := errs.Collect(tt.path, tt.err)
			if !errors.Is(got, tt.wantErr) || (tt.wantErr == nil && got != nil) {
				t.Fatalf("Collect = %v, want %v", got, tt.wantErr)
			}
			var paths []string
			for _, f := range errs.Fields() {
				paths = append(paths, f.Path)
			}
			if diff := cmp.Diff(tt.wantPaths, paths); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorMessageForms(t *testing.T) {
	one := &Error{Entity: "Customer", Fields: []canonical.FieldError{{Path: "email", Code: "invalid", Message: "bad"}}}
	if got := one.Error(); strings.Contains(got, "problems") || !strings.HasPrefix(got, "mapping Customer: email: bad") {
		t.Errorf("single problem message = %q", got)
	}
	anon := &Error{Fields: []canonical.FieldError{{Code: "x", Message: "m"}}}
	if got := anon.Error(); !strings.HasPrefix(got, "mapping: ") {
		t.Errorf("message without identity = %q", got)
	}
}

func TestValueError(t *testing.T) {
	err := error(valueErr(CodePostcode, "ZZ1", "want 5 digits"))
	var fe fieldErrorer
	if !errors.As(err, &fe) {
		t.Fatal("ValueError is not a data problem")
	}
	f := fe.FieldErrors()
	if len(f) != 1 || f[0].Code != CodePostcode || f[0].Value != "ZZ1" || f[0].Path != "" {
		t.Errorf("FieldErrors = %+v", f)
	}
	if !strings.Contains(err.Error(), `"ZZ1"`) || !strings.Contains(err.Error(), "want 5 digits") {
		t.Errorf("Error() = %q", err)
	}
}
