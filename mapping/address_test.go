package mapping

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/junctionhq/junction/canonical"
)

func TestNormalizePostcode(t *testing.T) {
	tests := []struct {
		country, in, want string // want "" means invalid
	}{
		{"GB", "SW1A 1AA", "SW1A 1AA"}, {"GB", "sw1a1aa", "SW1A 1AA"}, {"GB", " m1  1ae ", "M1 1AE"},
		{"GB", "B33 8TH", "B33 8TH"}, {"GB", "CR2 6XH", "CR2 6XH"}, {"GB", "DN55 1PT", "DN55 1PT"},
		{"GB", "W1A 0AX", "W1A 0AX"}, {"GB", "EC1A 1BB", "EC1A 1BB"}, {"GB", "gir 0aa", "GIR 0AA"},
		{"GB", "SW1A", ""}, {"GB", "12345", ""}, {"GB", "SW1A 1A1", ""}, {"GB", "1W1A 1AA", ""}, {"GB", "SW1AA 1AA", ""},
		{"US", "12345", "12345"}, {"US", "12345-6789", "12345-6789"}, {"US", "123456789", "12345-6789"},
		{"US", "12345 6789", "12345-6789"}, {"US", "2134", ""}, {"US", "ABCDE", ""}, {"US", "123456", ""},
		{"DE", "10115", "10115"}, {"DE", "1067", ""}, {"DE", "D-10115", ""}, {"FR", "75008", "75008"}, {"FR", "7500", ""},
		{"NL", "1234AB", "1234 AB"}, {"NL", "1234 ab", "1234 AB"}, {"NL", "0123 AB", ""}, {"NL", "1234", ""}, {"NL", "12345A", ""},
		{"AT", "1010", "1010"}, {"CH", "8001", "8001"}, {"BE", "10000", ""},
		{"SE", "11455", "114 55"}, {"PL", "00-950", "00-950"}, {"PT", "1000001", "1000-001"},
		{"CA", "k1a0b1", "K1A 0B1"}, {"CA", "K1A 0B", ""}, {"IE", "d02x285", "D02 X285"},
		{"JP", " 100-0001 ", "100-0001"}, {"BR", "01310-100", "01310-100"}, // unchecked countries
		{"GB", "  ", ""},
	}
	for _, tt := range tests {
		got, err := NormalizePostcode(tt.country, tt.in)
		if tt.want == "" {
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Code != CodePostcode || ve.Value != tt.in {
				t.Errorf("NormalizePostcode(%s, %q) = %q, %v; want a postcode ValueError", tt.country, tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePostcode(%s, %q) = %q, %v; want %q", tt.country, tt.in, got, err, tt.want)
		}
	}
	_, err := NormalizePostcode("US", "2134")
	if err == nil || !strings.Contains(err.Error(), "leading zero") {
		t.Errorf("4-digit ZIP error %v gives no hint", err)
	}
}

func TestNormalizeAddress(t *testing.T) {
	in := canonical.Address{
		Name:       "  Jane   Doe ",
		Company:    "Acme\tLtd",
		Lines:      []string{" 10  Downing Street ", "   ", "Westminster\n"},
		City:       " London ",
		PostalCode: "sw1a2aa",
		Country:    "United Kingdom",
		Phone:      "020 7946 0958",
		Email:      " jane@example.com ",
	}
	want := canonical.Address{
		Name:       "Jane Doe",
		Company:    "Acme Ltd",
		Lines:      []string{"10 Downing Street", "Westminster"},
		City:       "London",
		PostalCode: "SW1A 2AA",
		Country:    "GB",
		Phone:      "+442079460958",
		Email:      "jane@example.com",
	}
	got, err := NormalizeAddress(in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NormalizeAddress (-want +got):\n%s", diff)
	}
	if in.Lines[0] != " 10  Downing Street " {
		t.Error("NormalizeAddress changed its input's lines")
	}

	// An unreadable phone is kept; bad country and postcode are problems.
	bad := canonical.Address{Lines: []string{"1 Main St"}, PostalCode: "ABCDE", Country: "USA", Phone: "ask reception"}
	got, err = NormalizeAddress(bad)
	var me *Error
	if !errors.As(err, &me) || len(me.Fields) != 1 || me.Fields[0].Path != "postalCode" || me.Fields[0].Code != CodePostcode {
		t.Fatalf("err = %v, want one postcode problem", err)
	}
	if got.Country != "US" || got.Phone != "ask reception" || got.PostalCode != "ABCDE" {
		t.Errorf("address with problems = %+v", got)
	}

	var errs Errors
	_, err = NormalizeAddress(canonical.Address{City: "Springfield", Country: "Narnia", PostalCode: "X"})
	_ = errs.Collect("shipTo", err)
	if f := errs.Fields(); len(f) != 1 || f[0].Path != "shipTo.country" {
		t.Errorf("collected %+v, want one problem at shipTo.country", f)
	}
	_, err = NormalizeAddress(canonical.Address{City: "Springfield"})
	if errors.As(err, &me); err == nil || me.Fields[0].Code != CodeRequired {
		t.Errorf("missing country = %v", err)
	}
	if got, err := NormalizeAddress(canonical.Address{}); err != nil || !got.IsZero() {
		t.Errorf("zero address = %+v, %v", got, err)
	}
}

func TestCollapse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a b", "a b"}, {"", ""}, {" a", "a"}, {"a ", "a"}, {"a  b", "a b"}, {"a\tb", "a b"},
		{"a\u00a0b", "a b"}, {"Zürich", "Zürich"}, {"  ", ""}, {"a\r\nb", "a b"},
	}
	for _, tt := range tests {
		if got := collapse(tt.in); got != tt.want {
			t.Errorf("collapse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
