package mapping

import (
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// NormalizeAddress returns a with every text field trimmed and its inner
// white space collapsed to single spaces, empty address lines dropped, the
// country as ISO 3166-1 alpha-2 (see NormalizeCountry), the postcode in its
// country's format (see NormalizePostcode) and the phone in E.164 when it can
// be read (see E164; an unreadable phone is kept as typed, since a courier can
// still use it). Letter case is kept: lines, city and names print as the
// customer wrote them.
//
// An empty country, an unknown country and an invalid postcode are problems
// at the paths "country" and "postalCode"; the error is an *Error listing all
// of them, and the returned address carries the trimmed values. Pass it to
// Errors.Collect with the address's own path ("shipTo") to file the problems
// under "shipTo.country". A zero address is returned as is, without error.
func NormalizeAddress(a canonical.Address) (canonical.Address, error) {
	if a.IsZero() && a.Phone == "" && a.Email == "" {
		return a, nil
	}
	var errs Errors
	out := a
	out.Name = collapse(a.Name)
	out.Company = collapse(a.Company)
	out.City = collapse(a.City)
	out.Region = collapse(a.Region)
	out.Email = strings.TrimSpace(a.Email)
	out.Lines = nil
	for _, l := range a.Lines {
		if l = collapse(l); l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	out.Country = collapse(a.Country)
	if out.Country == "" {
		errs.Add("country", CodeRequired, "country is required", "")
	} else if c, err := NormalizeCountry(out.Country); err != nil {
		_ = errs.Collect("country", err)
	} else {
		out.Country = c
	}
	out.PostalCode = collapse(a.PostalCode)
	if out.PostalCode != "" && len(out.Country) == 2 {
		if pc, err := NormalizePostcode(out.Country, out.PostalCode); err != nil {
			_ = errs.Collect("postalCode", err)
		} else {
			out.PostalCode = pc
		}
	}
	out.Phone = collapse(a.Phone)
	if out.Phone != "" && len(out.Country) == 2 {
		if p, err := E164(out.Phone, out.Country); err == nil {
			out.Phone = p
		}
	}
	return out, errs.Err()
}

// collapse trims s and collapses every run of white space (including
// non-breaking spaces, tabs and line breaks) to one space. It returns s
// itself when there is nothing to change.
func collapse(s string) string {
	clean := true
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		sp := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c >= 0x80
		if sp && (c != ' ' || prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && (s == "" || s[len(s)-1] != ' ') {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// NormalizePostcode returns postcode in the format of country (an ISO 3166-1
// alpha-2 code), or a *ValueError with code CodePostcode saying what is
// wrong:
//
//	GB  upper case, one space before the inward code: "sw1a1aa" → "SW1A 1AA"
//	US  5 digits or ZIP+4: "12345", "123456789" → "12345-6789"
//	NL  4 digits and 2 letters: "1234ab" → "1234 AB"
//	CA  "K1A0B1" → "K1A 0B1"; IE Eircode "d02x285" → "D02 X285"
//	DE, FR, ES, IT, FI  5 digits; AT, BE, CH, DK, NO, AU, NZ, ZA  4 digits
//	SE  "12345" → "123 45"; PL "12345" → "12-345"; PT "1234567" → "1234-567"
//
// A German, French or US code with 4 digits gets a hint that a spreadsheet may
// have dropped a leading zero; it is not padded, since that would be a guess.
// Other countries' codes are trimmed, collapsed and upper-cased, not checked.
func NormalizePostcode(country, postcode string) (string, error) {
	p := strings.ToUpper(collapse(postcode))
	if p == "" {
		return "", valueErr(CodePostcode, postcode, "postcode is empty")
	}
	compact := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, p)
	bad := func(want string) (string, error) {
		return "", valueErr(CodePostcode, postcode, "not a valid "+country+" postcode, want "+want)
	}
	switch country {
	case "GB":
		if !validGB(compact) {
			return bad(`a UK postcode such as "SW1A 1AA"`)
		}
		return compact[:len(compact)-3] + " " + compact[len(compact)-3:], nil
	case "US":
		switch {
		case len(compact) == 5 && allDigits(compact):
			return compact, nil
		case len(compact) == 9 && allDigits(compact):
			return compact[:5] + "-" + compact[5:], nil
		case len(compact) == 4 && allDigits(compact):
			return "", valueErr(CodePostcode, postcode, "a US ZIP code has 5 digits; was a leading zero lost in a spreadsheet?")
		}
		return bad(`5 digits or ZIP+4 such as "12345-6789"`)
	case "DE", "FR", "ES", "IT", "FI":
		if len(compact) == 5 && allDigits(compact) {
			return compact, nil
		}
		if len(compact) == 4 && allDigits(compact) {
			return "", valueErr(CodePostcode, postcode, "a "+country+" postcode has 5 digits; was a leading zero lost in a spreadsheet?")
		}
		return bad("5 digits")
	case "AT", "BE", "CH", "DK", "NO", "AU", "NZ", "ZA":
		if len(compact) == 4 && allDigits(compact) {
			return compact, nil
		}
		return bad("4 digits")
	case "NL":
		if len(compact) == 6 && allDigits(compact[:4]) && compact[0] != '0' && allLetters(compact[4:]) {
			return compact[:4] + " " + compact[4:], nil
		}
		return bad(`4 digits and 2 letters such as "1234 AB"`)
	case "SE":
		if len(compact) == 5 && allDigits(compact) {
			return compact[:3] + " " + compact[3:], nil
		}
		return bad(`5 digits such as "123 45"`)
	case "PL":
		if len(compact) == 5 && allDigits(compact) {
			return compact[:2] + "-" + compact[2:], nil
		}
		return bad(`5 digits such as "12-345"`)
	case "PT":
		if len(compact) == 7 && allDigits(compact) {
			return compact[:4] + "-" + compact[4:], nil
		}
		return bad(`7 digits such as "1000-001"`)
	case "CA":
		if len(compact) == 6 && isLetter(compact[0]) && isDigit(compact[1]) && isLetter(compact[2]) &&
			isDigit(compact[3]) && isLetter(compact[4]) && isDigit(compact[5]) {
			return compact[:3] + " " + compact[3:], nil
		}
		return bad(`a Canadian postal code such as "K1A 0B1"`)
	case "IE":
		if len(compact) == 7 && isLetter(compact[0]) && isAlnum(compact[1:3]) && isAlnum(compact[3:]) {
			return compact[:3] + " " + compact[3:], nil
		}
		return bad(`an Eircode such as "D02 X285"`)
	}
	return p, nil
}

// validGB checks a compact UK postcode: an outward code of the forms A9, A99,
// AA9, AA99, A9A or AA9A, then an inward code 9AA. GIR0AA (Girobank) is
// accepted as the one historic exception.
func validGB(c string) bool {
	if c == "GIR0AA" {
		return true
	}
	if len(c) < 5 || len(c) > 7 {
		return false
	}
	out, in := c[:len(c)-3], c[len(c)-3:]
	if !isDigit(in[0]) || !isLetter(in[1]) || !isLetter(in[2]) {
		return false
	}
	switch len(out) {
	case 2: // A9
		return isLetter(out[0]) && isDigit(out[1])
	case 3: // A99, AA9, A9A
		return isLetter(out[0]) && (isDigit(out[1]) && isAlnum(out[2:]) || isLetter(out[1]) && isDigit(out[2]))
	case 4: // AA99, AA9A
		return isLetter(out[0]) && isLetter(out[1]) && isDigit(out[2]) && isAlnum(out[3:])
	}
	return false
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !isLetter(s[i]) {
			return false
		}
	}
	return true
}
