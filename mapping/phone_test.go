package mapping

import (
	"errors"
	"strings"
	"testing"
)

func TestE164(t *testing.T) {
	tests := []struct {
		raw, country, want string
	}{
		// National numbers with trunk prefixes.
		{"020 7946 0958", "GB", "+442079460958"},
		{"07911 123456", "GB", "+447911123456"},
		{"(030) 1234-5678", "DE", "+493012345678"},
		{"0170 1234567", "Germany", "+491701234567"},
		{"01 23 45 67 89", "FR", "+33123456789"},
		{"06-12345678", "NL", "+31612345678"},
		{"020 123 4567", "The Netherlands", "+31201234567"},
		{"02 123 45 67", "BE", "+3221234567"},
		{"044 668 18 00", "CH", "+41446681800"},
		{"06 1 234 5678", "HU", "+3612345678"},
		{"(212) 555-0123", "US", "+12125550123"},
		{"1-212-555-0123", "USA", "+12125550123"},
		{"212.555.0123 x42", "US", "+12125550123"},
		{"8 (495) 123-45-67", "RU", "+74951234567"},
		{"03-1234-5678", "JP", "+81312345678"},
		{"0412 345 678", "AU", "+61412345678"},
		// No trunk prefix: Italy keeps its leading 0.
		{"06 1234 5678", "IT", "+390612345678"},
		{"612 345 678", "ES", "+34612345678"},
		{"12 34 56 78", "DK", "+4512345678"},
		// International forms.
		{"+44 20 7946 0958", "", "+442079460958"},
		{"+44 (0)20 7946 0958", "DE", "+442079460958"},
		{"+44 020 7946 0958", "", "+442079460958"},
		{"0044 20 7946 0958", "DE", "+442079460958"},
		{"011 44 20 7946 0958", "US", "+442079460958"},
		{"0011 44 20 7946 0958", "AU", "+442079460958"},
		{"+1 (212) 555-0123 ext. 7", "", "+12125550123"},
		{"+39 06 1234 5678", "", "+390612345678"},
		{"+230 212 3456", "", "+2302123456"}, // calling code without a plan: E.164 limits only
		// An international number that lost its "+".
		{"447911123456", "GB", "+447911123456"},
		{"\u00a0+49\u00a030\u00a012345678 ", "", "+493012345678"},
		{"+49 30 12345678", "Narnia", "+493012345678"}, // the country is not needed
	}
	for _, tt := range tests {
		got, err := E164(tt.raw, tt.country)
		if err != nil || got != tt.want {
			t.Errorf("E164(%q, %q) = %q, %v; want %q", tt.raw, tt.country, got, err, tt.want)
		}
	}
}

func TestE164Rejects(t *testing.T) {
	tests := []struct {
		raw, country, wantMsg string
	}{
		{"", "GB", "empty"},
		{"call me", "GB", "unexpected character"},
		{"0207 946 09", "GB", "too short"},
		{"+44 20 7946 0958 1234", "", "too long"},
		{"+1 212 555 01", "", "too short"},
		{"+1234567890123456", "", "too long"},
		{"+12", "", "too short"},
		{"+0 123 456", "", "calling code"},
		{"020 7946 0958", "", "no country"},
		{"020 7946 0958", "Narnia", "unknown country"},
		{"020 7946 0958", "MU", "no numbering plan"},
		{"06 1234 567", "NL", "too short"},
		{"(212) 555-01234", "US", "too long"},
		{"---", "GB", "no digits"},
	}
	for _, tt := range tests {
		got, err := E164(tt.raw, tt.country)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Code != CodePhone || ve.Value != tt.raw {
			t.Errorf("E164(%q, %q) = %q, %v; want a phone ValueError", tt.raw, tt.country, got, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("E164(%q, %q) error %q does not say %q", tt.raw, tt.country, err, tt.wantMsg)
		}
	}
}

func TestDialPlans(t *testing.T) {
	for a2, p := range dialPlans {
		if _, ok := LookupCountry(a2); !ok || len(a2) != 2 {
			t.Errorf("dial plan for unknown country %q", a2)
		}
		if p.cc == "" || p.cc[0] == '0' || !allDigits(p.cc) || len(p.cc) > 3 {
			t.Errorf("%s: calling code %q", a2, p.cc)
		}
		if p.min < 4 || p.max < p.min || len(p.cc)+p.max > e164Max {
			t.Errorf("%s: lengths %d..%d do not fit E.164", a2, p.min, p.max)
		}
		// Countries sharing a calling code must share its plan, or the
		// international check would depend on map order.
		if q := plansByCode()[p.cc]; q.min != p.min || q.max != p.max {
			t.Errorf("%s shares +%s but not its lengths", a2, p.cc)
		}
	}
	if len(dialPlans) < 40 {
		t.Errorf("only %d dial plans", len(dialPlans))
	}
}
