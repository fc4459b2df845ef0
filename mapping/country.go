package mapping

import (
	"iter"
	"strings"
	"sync"
	"unicode"
)

// Country is one ISO 3166-1 country: its alpha-2 and alpha-3 codes and a
// common English short name.
type Country struct {
	Alpha2 string // "GB"
	Alpha3 string // "GBR"
	Name   string // "United Kingdom"
}

// Countries returns all 249 ISO 3166-1 countries, sorted by alpha-2 code.
func Countries() iter.Seq[Country] {
	return func(yield func(Country) bool) {
		for _, c := range countries {
			if !yield(c) {
				return
			}
		}
	}
}

// NormalizeCountry returns the ISO 3166-1 alpha-2 code for s, which may be an
// alpha-2 or alpha-3 code in any case ("gb", "GBR"), the English name
// ("United Kingdom"), or a common alternative: "UK", "Great Britain",
// "England", "USA", "United States of America", "Deutschland", "Holland",
// "The Netherlands", "Schweiz", "España", "Ivory Coast", the formal ISO names
// ("Korea, Republic of") and more. Case, accents, punctuation, "&" for "and",
// "St" for "Saint" and a leading "The" do not matter.
//
// Anything else is a *ValueError with code CodeCountry; it never guesses.
func NormalizeCountry(s string) (string, error) {
	if c, ok := LookupCountry(s); ok {
		return c.Alpha2, nil
	}
	if strings.TrimSpace(s) == "" {
		return "", valueErr(CodeCountry, s, "country is empty")
	}
	return "", valueErr(CodeCountry, s, "not an ISO 3166-1 code or a known country name")
}

// LookupCountry returns the country s names, accepting everything
// NormalizeCountry accepts.
func LookupCountry(s string) (Country, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Country{}, false
	}
	idx := countryIndex()
	if len(s) == 2 || len(s) == 3 {
		if i, ok := idx[strings.ToUpper(s)]; ok {
			return countries[i], true
		}
	}
	if i, ok := idx[foldCountry(s)]; ok {
		return countries[i], true
	}
	return Country{}, false
}

// countryIndex maps upper-case alpha-2 and alpha-3 codes, folded names and
// folded aliases to an index into countries. It is built once, on first use,
// and only read afterwards.
var countryIndex = sync.OnceValue(func() map[string]int {
	byA2 := make(map[string]int, len(countries))
	idx := make(map[string]int, 3*len(countries)+len(countryAliases))
	for i, c := range countries {
		byA2[c.Alpha2] = i
		idx[c.Alpha2] = i
		idx[c.Alpha3] = i
		idx[foldCountry(c.Name)] = i
	}
	for alias, a2 := range countryAliases {
		if i, ok := byA2[a2]; ok { // a test checks that every alias resolves
			idx[alias] = i
		}
	}
	return idx
})

// foldCountry folds a country name for lookup: foldText, then "st" becomes
// "saint" and a leading "the" goes.
func foldCountry(s string) string {
	f := foldText(s)
	f = strings.TrimPrefix(f, "the ")
	if strings.HasPrefix(f, "st ") || strings.Contains(f, " st ") {
		w := strings.Fields(f)
		for i := range w {
			if w[i] == "st" {
				w[i] = "saint"
			}
		}
		f = strings.Join(w, " ")
	}
	return f
}

// countryAliases maps folded alternative names to alpha-2 codes: names in the
// country's own language, formal ISO names, former names and everyday short
// forms. Keys are already folded (see foldCountry). Read-only.
var countryAliases = map[string]string{
	// Short forms and parts.
	"uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
	"wales": "GB", "northern ireland": "GB", "united kingdom of great britain and northern ireland": "GB",
	"us": "US", "usa": "US", "united states of america": "US", "america": "US",
	"uae": "AE", "emirates": "AE", "drc": "CD", "dr congo": "CD", "dprk": "KP",
	// Own-language names.
	"deutschland": "DE", "bundesrepublik deutschland": "DE", "federal republic of germany": "DE",
	"holland": "NL", "nederland": "NL", "kingdom of the netherlands": "NL",
	"schweiz": "CH", "suisse": "CH", "svizzera": "CH", "swiss confederation": "CH",
	"osterreich": "AT", "oesterreich": "AT", "espana": "ES", "italia": "IT",
	"belgique": "BE", "belgie": "BE", "belgien": "BE", "polska": "PL", "sverige": "SE",
	"norge": "NO", "danmark": "DK", "suomi": "FI", "eire": "IE", "republic of ireland": "IE",
	"hellas": "GR", "ellada": "GR", "cesko": "CZ", "czech republic": "CZ", "magyarorszag": "HU",
	"hrvatska": "HR", "slovensko": "SK", "slovenija": "SI", "rossiya": "RU",
	"eesti": "EE", "latvija": "LV", "lietuva": "LT", "kypros": "CY", "nippon": "JP", "nihon": "JP",
	"brasil": "BR", "letzebuerg": "LU", "luxemburg": "LU",
	// Formal ISO names and former names.
	"bolivia plurinational state of": "BO", "brunei darussalam": "BN",
	"congo the democratic republic of the": "CD", "democratic republic of congo": "CD",
	"congo kinshasa": "CD", "republic of the congo": "CG", "congo brazzaville": "CG",
	"falkland islands malvinas": "FK", "micronesia federated states of": "FM",
	"iran islamic republic of": "IR", "korea republic of": "KR", "republic of korea": "KR",
	"korea democratic peoples republic of": "KP", "lao peoples democratic republic": "LA",
	"lao pdr": "LA", "moldova republic of": "MD", "republic of moldova": "MD",
	"palestine state of": "PS", "russian federation": "RU", "sao tome and principe": "ST",
	"syrian arab republic": "SY", "taiwan province of china": "TW",
	"tanzania united republic of": "TZ", "united republic of tanzania": "TZ",
	"holy see vatican city state": "VA", "vatican city": "VA", "vatican": "VA",
	"venezuela bolivarian republic of": "VE", "viet nam": "VN",
	"virgin islands british": "VG", "virgin islands us": "VI", "us virgin islands": "VI",
	"macedonia": "MK", "former yugoslav republic of macedonia": "MK", "republic of north macedonia": "MK",
	"turkey": "TR", "swaziland": "SZ", "burma": "MM", "cape verde": "CV", "ivory coast": "CI",
	"east timor": "TL", "macau": "MO", "hong kong sar": "HK", "pitcairn islands": "PN",
	"cocos islands": "CC", "keeling islands": "CC", "caribbean netherlands": "BQ", "bonaire": "BQ",
	"saint helena": "SH", "saint martin": "MF", "sint maarten": "SX",
}

// foldText prepares free text for comparison: lower case, common Latin
// accents folded to ASCII (é→e, ß→ss, ø→o), apostrophes and dots dropped
// ("U.S.A."→"usa", "d'Ivoire"→"divoire"), "&" read as "and", every other
// non-letter, non-digit a space, and spaces collapsed and trimmed.
func foldText(s string) string {
	b := make([]byte, 0, len(s))
	space := true // suppress leading spaces
	sp := func() {
		if !space {
			b = append(b, ' ')
			space = true
		}
	}
	for _, r := range s {
		switch {
		case r == '\'' || r == '’' || r == '`' || r == '.':
			continue
		case r == '&':
			sp()
			b = append(b, "and "...)
			continue
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b = append(b, byte(r))
		case r >= 'A' && r <= 'Z':
			b = append(b, byte(r+'a'-'A'))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b = appendFolded(b, unicode.ToLower(r))
		default:
			sp()
			continue
		}
		space = false
	}
	if len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return string(b)
}

// appendFolded appends the ASCII form of a lower-case letter with a common
// Latin diacritic, or the letter itself.
func appendFolded(b []byte, r rune) []byte {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return append(b, 'a')
	case 'ç', 'ć', 'č', 'ĉ', 'ċ':
		return append(b, 'c')
	case 'ď', 'đ', 'ð':
		return append(b, 'd')
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return append(b, 'e')
	case 'ğ':
		return append(b, 'g')
	case 'ì', 'í', 'î', 'ï', 'ī', 'į', 'ı':
		return append(b, 'i')
	case 'ł', 'ľ', 'ĺ':
		return append(b, 'l')
	case 'ñ', 'ń', 'ň':
		return append(b, 'n')
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō', 'ő':
		return append(b, 'o')
	case 'ŕ', 'ř':
		return append(b, 'r')
	case 'ś', 'š', 'ş', 'ș':
		return append(b, 's')
	case 'ť', 'ţ', 'ț':
		return append(b, 't')
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů', 'ű', 'ų':
		return append(b, 'u')
	case 'ý', 'ÿ':
		return append(b, 'y')
	case 'ź', 'ż', 'ž':
		return append(b, 'z')
	case 'ß':
		return append(b, "ss"...)
	case 'æ':
		return append(b, "ae"...)
	case 'œ':
		return append(b, "oe"...)
	case 'þ':
		return append(b, "th"...)
	}
	return append(b, string(r)...)
}
