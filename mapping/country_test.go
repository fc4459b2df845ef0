package mapping

import (
	"errors"
	"testing"

	"github.com/junctionhq/junction/canonical"
)

func TestCountryTable(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("%d countries, ISO 3166-1 assigns 249", len(countries))
	}
	seen := make(map[string]string)
	prev := ""
	for c := range Countries() {
		if len(c.Alpha2) != 2 || !allLetters(c.Alpha2) || len(c.Alpha3) != 3 || !allLetters(c.Alpha3) || c.Name == "" {
			t.Errorf("malformed entry %+v", c)
		}
		if c.Alpha2 <= prev {
			t.Errorf("%s is out of order after %s", c.Alpha2, prev)
		}
		prev = c.Alpha2
		for _, k := range []string{c.Alpha2, c.Alpha3, foldCountry(c.Name)} {
			if other, dup := seen[k]; dup {
				t.Errorf("%q names both %s and %s", k, other, c.Alpha2)
			}
			seen[k] = c.Alpha2
		}
		// Every code and name round-trips, in any case.
		for _, in := range []string{c.Alpha2, c.Alpha3, c.Name, "  " + c.Name + " ", toLower(c.Alpha3)} {
			if got, err := NormalizeCountry(in); err != nil || got != c.Alpha2 {
				t.Errorf("NormalizeCountry(%q) = %q, %v; want %s", in, got, err, c.Alpha2)
			}
		}
	}
}

// TestCountriesAgreeWithCanonical keeps the two country lists in step: every
// code NormalizeCountry can return is one canonical validation accepts.
func TestCountriesAgreeWithCanonical(t *testing.T) {
	for c := range Countries() {
		if !canonical.ValidCountry(c.Alpha2) {
			t.Errorf("canonical rejects %s (%s)", c.Alpha2, c.Name)
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func TestCountryAliases(t *testing.T) {
	for alias, a2 := range countryAliases {
		if f := foldCountry(alias); f != alias {
			t.Errorf("alias %q is not in folded form (%q): it can never match", alias, f)
		}
		if c, ok := LookupCountry(a2); !ok || c.Alpha2 != a2 {
			t.Errorf("alias %q points at unknown code %q", alias, a2)
		}
		if got, _ := NormalizeCountry(alias); got != a2 {
			t.Errorf("alias %q resolves to %q, want %q", alias, got, a2)
		}
	}
}

func TestNormalizeCountry(t *testing.T) {
	tests := []struct{ in, want string }{
		{"GB", "GB"}, {"gb", "GB"}, {"GBR", "GB"}, {"United Kingdom", "GB"}, {"UK", "GB"},
		{"uk", "GB"}, {"Great Britain", "GB"}, {"England", "GB"},
		{"United Kingdom of Great Britain and Northern Ireland", "GB"},
		{"USA", "US"}, {"U.S.A.", "US"}, {"United States of America", "US"}, {"united states", "US"},
		{"Deutschland", "DE"}, {"DEU", "DE"}, {"Germany", "DE"},
		{"Holland", "NL"}, {"The Netherlands", "NL"}, {"the  netherlands", "NL"}, {"Nederland", "NL"},
		{"Österreich", "AT"}, {"Oesterreich", "AT"}, {"España", "ES"}, {"Schweiz", "CH"},
		{"Côte d’Ivoire", "CI"}, {"Cote d'Ivoire", "CI"}, {"Ivory Coast", "CI"},
		{"Korea, Republic of", "KR"}, {"South Korea", "KR"}, {"Viet Nam", "VN"}, {"Türkiye", "TR"}, {"Turkey", "TR"},
		{"St. Kitts & Nevis", "KN"}, {"Saint Kitts and Nevis", "KN"}, {"St Lucia", "LC"},
		{"Bosnia & Herzegovina", "BA"}, {"Réunion", "RE"}, {"Curacao", "CW"}, {"Åland Islands", "AX"},
		{"Guinea-Bissau", "GW"}, {"Timor Leste", "TL"}, {"The Bahamas", "BS"}, {"Czech Republic", "CZ"},
	}
	for _, tt := range tests {
		if got, err := NormalizeCountry(tt.in); err != nil || got != tt.want {
			t.Errorf("NormalizeCountry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "  ", "XX", "Narnia", "EU", "Europe", "G", "GBRR", "Korea"} {
		got, err := NormalizeCountry(bad)
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Code != CodeCountry || got != "" {
			t.Errorf("NormalizeCountry(%q) = %q, %v; want a country ValueError", bad, got, err)
		}
	}
}

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Müller & Söhne GmbH. ", "muller and sohne gmbh"},
		{"O'Brien-Smith", "obrien smith"},
		{"STRAßE", "strasse"},
		{"Ærø", "aero"},
		{"U.S.A.", "usa"},
		{"a\t\n b", "a b"},
		{"東京", "東京"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := foldText(tt.in); got != tt.want {
			t.Errorf("foldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeCurrency(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EUR", "EUR"}, {" eur ", "EUR"}, {"Gbp", "GBP"}, {"€", "EUR"}, {"£", "GBP"}, {"jpy", "JPY"},
	}
	for _, tt := range tests {
		if got, err := NormalizeCurrency(tt.in); err != nil || string(got) != tt.want {
			t.Errorf("NormalizeCurrency(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "$", "¥", "EURO", "XYZ", "E U R"} {
		var ve *ValueError
		if _, err := NormalizeCurrency(bad); !errors.As(err, &ve) || ve.Code != CodeCurrency {
			t.Errorf("NormalizeCurrency(%q) = %v, want a currency ValueError", bad, err)
		}
	}
}
