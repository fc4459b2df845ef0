package canonical

import (
	"encoding/json"
	"fmt"
	"time"
)

// Date is a calendar date with no time of day and no zone, such as an invoice's
// issue date or a due date. JSON: "2026-11-26". The zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("canonical: invalid date %q, want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// In returns midnight of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d plus n days (n may be negative).
func (d Date) AddDays(n int) Date { return DateOf(d.In(time.UTC).AddDate(0, 0, n)) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.In(time.UTC).Before(e.In(time.UTC)) }

// MarshalText writes "2006-01-02"; the zero Date writes "".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02"; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// UnmarshalJSON parses "2006-01-02"; "" gives the zero Date and null leaves d
// unchanged. Errors are *json.UnmarshalTypeError, so encoding/json names the
// field that is wrong ("dueDate").
func (d *Date) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	if len(data) < 2 || data[0] != '"' {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: dateType}
	}
	text, ok := jsonScalar(data)
	if !ok {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: dateType}
	}
	if err := d.UnmarshalText(text); err != nil {
		return &json.UnmarshalTypeError{Value: describeJSON(data), Type: dateType}
	}
	return nil
}
