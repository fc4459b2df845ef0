package canonical

import (
	"fmt"
	"strings"
)

// FieldError is one problem with one field of a record. Path is the JSON path of
// the field (for example "lines[2].quantity"), Code is a stable machine-readable
// code such as "required" or "currency_mismatch", and Value is the offending
// value as text, when there is one.
type FieldError struct {
	Path    string `json:"path"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Value   string `json:"value,omitempty"`
}

// Error formats the problem as "path: message (code)".
func (e FieldError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s (%s)", e.Message, e.Code)
	}
	return fmt.Sprintf("%s: %s (%s)", e.Path, e.Message, e.Code)
}

// ValidationError lists every problem found in one record, so that a single run
// shows all of them. Validate methods return it; connectors and the flow engine
// treat it as bad data (the record is parked, not retried).
type ValidationError struct {
	// Entity names what was validated, such as "SalesOrder".
	Entity string
	// Errors holds one entry per problem, in the order found.
	Errors []FieldError
}

// Error joins the problems into one line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Entity)
	b.WriteString(" is invalid: ")
	for i, fe := range e.Errors {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(fe.Error())
	}
	return b.String()
}

// FieldErrors returns the problems. Any error with this method is treated as
// invalid data by the connector package, whatever package made it.
func (e *ValidationError) FieldErrors() []FieldError { return e.Errors }

// TransitionError reports a state change that an entity's state machine forbids:
// either the machine has no such edge, or a guard on the edge failed (Reason
// says which, such as "line 2 has shipped 1 C62").
type TransitionError struct {
	Entity string // "SalesOrder", "Shipment", ...
	From   string
	To     string
	// Reason explains a failed guard; it is empty when the edge does not exist.
	Reason string
}

// Error names the entity, both states and, for a failed guard, the reason.
func (e *TransitionError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s: transition from %q to %q is not allowed: %s", e.Entity, e.From, e.To, e.Reason)
	}
	return fmt.Sprintf("%s: transition from %q to %q is not allowed", e.Entity, e.From, e.To)
}

// BusinessRule marks the error as a business-rule failure: retrying will not
// help, a person must decide.
func (e *TransitionError) BusinessRule() bool { return true }
