package mapping

import (
	"strconv"
	"strings"
	"sync"
)

// dialPlan is what E164 needs to know of one country's numbering.
type dialPlan struct {
	cc     string   // country calling code
	trunks []string // national trunk prefixes, dropped from national numbers
	idd    string   // international call prefix when it is not "00"
	min    int      // shortest national significant number
	max    int      // longest national significant number
}

// dialPlans holds the numbering of common trading countries, keyed by ISO
// 3166-1 alpha-2. Lengths are of the national significant number (after the
// trunk prefix) and cover geographic and mobile numbers. Italy, San Marino
// and others without a trunk prefix keep a leading 0 in E.164 (+39 06 ...).
// Read-only.
var dialPlans = map[string]dialPlan{
	"US": {"1", []string{"1"}, "011", 10, 10}, "CA": {"1", []string{"1"}, "011", 10, 10},
	"GB": {"44", []string{"0"}, "", 9, 10}, "IE": {"353", []string{"0"}, "", 7, 9},
	"DE": {"49", []string{"0"}, "", 6, 13}, "AT": {"43", []string{"0"}, "", 4, 13},
	"CH": {"41", []string{"0"}, "", 9, 9}, "FR": {"33", []string{"0"}, "", 9, 9},
	"BE": {"32", []string{"0"}, "", 8, 9}, "NL": {"31", []string{"0"}, "", 9, 9},
	"LU": {"352", nil, "", 4, 11}, "DK": {"45", nil, "", 8, 8}, "NO": {"47", nil, "", 8, 8},
	"SE": {"46", []string{"0"}, "", 7, 10}, "FI": {"358", []string{"0"}, "", 5, 12},
	"IS": {"354", nil, "", 7, 9}, "ES": {"34", nil, "", 9, 9}, "PT": {"351", nil, "", 9, 9},
	"IT": {"39", nil, "", 6, 11}, "GR": {"30", nil, "", 10, 10}, "PL": {"48", nil, "", 9, 9},
	"CZ": {"420", nil, "", 9, 9}, "SK": {"421", []string{"0"}, "", 9, 9},
	"HU": {"36", []string{"06"}, "", 8, 9}, "RO": {"40", []string{"0"}, "", 9, 9},
	"BG": {"359", []string{"0"}, "", 7, 9}, "HR": {"385", []string{"0"}, "", 8, 9},
	"SI": {"386", []string{"0"}, "", 8, 8}, "EE": {"372", nil, "", 7, 8}, "LV": {"371", nil, "", 8, 8},
	"LT": {"370", []string{"8", "0"}, "", 8, 8}, "CY": {"357", nil, "", 8, 8}, "MT": {"356", nil, "", 8, 8},
	"TR": {"90", []string{"0"}, "", 10, 10}, "UA": {"380", []string{"0"}, "", 9, 9},
	"RU": {"7", []string{"8"}, "810", 10, 10}, "KZ": {"7", []string{"8"}, "810", 10, 10},
	"IL": {"972", []string{"0"}, "", 8, 9}, "AE": {"971", []string{"0"}, "", 8, 9},
	"SA": {"966", []string{"0"}, "", 8, 9}, "IN": {"91", []string{"0"}, "", 10, 10},
	"CN": {"86", []string{"0"}, "", 7, 11}, "JP": {"81", []string{"0"}, "010", 9, 10},
	"KR": {"82", []string{"0"}, "", 8, 10}, "HK": {"852", nil, "", 8, 8}, "SG": {"65", nil, "", 8, 8},
	"TW": {"886", []string{"0"}, "", 8, 9}, "AU": {"61", []string{"0"}, "0011", 9, 9},
	"NZ": {"64", []string{"0"}, "", 8, 10}, "ZA": {"27", []string{"0"}, "", 9, 9},
	"BR": {"55", []string{"0"}, "", 10, 11}, "MX": {"52", nil, "", 10, 10},
	"AR": {"54", []string{"0"}, "", 10, 11}, "CL": {"56", nil, "", 9, 9}, "CO": {"57", nil, "", 10, 10},
	"PH": {"63", []string{"0"}, "", 8, 10}, "TH": {"66", []string{"0"}, "", 8, 9},
	"MY": {"60", []string{"0"}, "", 8, 10}, "ID": {"62", []string{"0"}, "", 8, 12},
	"EG": {"20", []string{"0"}, "", 8, 10}, "NG": {"234", []string{"0"}, "", 8, 10},
	"KE": {"254", []string{"0"}, "", 9, 9},
}

// plansByCode indexes dialPlans by calling code (countries that share a code
// share its plan here). Built once, on first use.
var plansByCode = sync.OnceValue(func() map[string]dialPlan {
	m := make(map[string]dialPlan, len(dialPlans))
	for _, p := range dialPlans {
		m[p.cc] = p
	}
	return m
})

// E.164 allows at most 15 digits including the country code; the shortest
// numbers in use anywhere have 7.
const (
	e164Max = 15
	e164Min = 7
)

// E164 returns the phone number raw in E.164 form ("+442079460958"). country
// (anything NormalizeCountry accepts) says how to read a national number; it
// may be empty when raw is international.
//
// Spaces, dashes, dots, slashes and brackets are ignored, as is an extension
// ("x 12", "ext. 12", "#12"; E.164 has no place for it). An international
// number starts with "+", "00" or the country's own international prefix
// (011 in the US, 0011 in Australia); "+44 (0)20 ..." drops the bracketed 0.
// A national number drops the country's trunk prefix (0 in GB, DE, FR, NL;
// 06 in HU; 1 in the US) and gains the calling code; a national number that
// is too long but starts with the calling code is read as an international
// number that lost its "+".
//
// Lengths are checked against the country's numbering where the calling code
// is one of about 50 known (GB, US, the EU, ...), and against E.164's limits
// otherwise. A number with letters, too few or too many digits, or a
// national number whose country is unknown is a *ValueError with code
// CodePhone that says which.
func E164(raw, country string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", valueErr(CodePhone, raw, "phone number is empty")
	}
	s = cutExtension(s)
	s = strings.ReplaceAll(s, "(0)", "")
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	digits := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-' || r == '.' || r == '/' || r == '(' || r == ')' || r == '\u00a0' || r == '\t':
		default:
			return "", valueErr(CodePhone, raw, "unexpected character "+strconv.QuoteRune(r))
		}
	}
	if len(digits) == 0 {
		return "", valueErr(CodePhone, raw, "no digits")
	}
	d := string(digits)

	if plus {
		return international(raw, d)
	}
	var plan dialPlan
	var havePlan, badCountry bool
	if country != "" {
		a2, err := NormalizeCountry(country)
		badCountry = err != nil
		plan, havePlan = dialPlans[a2]
	}
	switch {
	case havePlan && plan.idd != "" && strings.HasPrefix(d, plan.idd):
		return international(raw, d[len(plan.idd):])
	case strings.HasPrefix(d, "00"):
		return international(raw, d[2:])
	case country == "":
		return "", valueErr(CodePhone, raw, "national number with no country; give the country or a number starting with +")
	case badCountry:
		return "", valueErr(CodePhone, raw, "unknown country "+quote(country))
	case !havePlan:
		return "", valueErr(CodePhone, raw, "no numbering plan for "+quote(country)+"; give the number starting with + and the country code")
	}
	nsn := stripTrunk(d, plan)
	if len(nsn) > plan.max && strings.HasPrefix(d, plan.cc) {
		// "447911123456" for GB: an international number without its "+".
		if rest := d[len(plan.cc):]; len(rest) >= plan.min && len(rest) <= plan.max {
			return "+" + d, nil
		}
	}
	if err := checkLength(raw, plan, nsn); err != nil {
		return "", err
	}
	return "+" + plan.cc + nsn, nil
}

// international validates the digits after the "+" (or international
// prefix) and returns the E.164 form.
func international(raw, d string) (string, error) {
	if len(d) > e164Max {
		return "", valueErr(CodePhone, raw, "too long: "+strconv.Itoa(len(d))+" digits, E.164 allows 15")
	}
	if d == "" || d[0] == '0' {
		return "", valueErr(CodePhone, raw, "country calling code missing after the international prefix")
	}
	codes := plansByCode()
	for n := 3; n >= 1; n-- {
		if len(d) <= n {
			continue
		}
		plan, ok := codes[d[:n]]
		if !ok {
			continue
		}
		nsn := d[n:]
		for _, t := range plan.trunks {
			// "+44 020 ..." written with the national trunk 0 still on.
			if t == "0" && len(nsn) > plan.max && strings.HasPrefix(nsn, "0") {
				nsn = nsn[1:]
			}
		}
		if err := checkLength(raw, plan, nsn); err != nil {
			return "", err
		}
		return "+" + plan.cc + nsn, nil
	}
	if len(d) < e164Min {
		return "", valueErr(CodePhone, raw, "too short: "+strconv.Itoa(len(d))+" digits")
	}
	return "+" + d, nil
}

// stripTrunk drops a national trunk prefix. A national significant number
// never starts with 0 where 0 is the trunk prefix, so a leading 0 always
// goes; other prefixes (1 in the US, 8 in Russia, where 800 numbers start
// with 8) only go when the rest is long enough to be a number.
func stripTrunk(d string, plan dialPlan) string {
	for _, t := range plan.trunks {
		if strings.HasPrefix(d, t) && (t[0] == '0' || len(d)-len(t) >= plan.min) {
			return d[len(t):]
		}
	}
	return d
}

func checkLength(raw string, plan dialPlan, nsn string) error {
	want := strconv.Itoa(plan.min)
	if plan.max != plan.min {
		want += " to " + strconv.Itoa(plan.max)
	}
	switch {
	case len(nsn) < plan.min:
		return valueErr(CodePhone, raw, "too short: "+strconv.Itoa(len(nsn))+" digits after +"+plan.cc+", want "+want)
	case len(nsn) > plan.max:
		return valueErr(CodePhone, raw, "too long: "+strconv.Itoa(len(nsn))+" digits after +"+plan.cc+", want "+want)
	}
	return nil
}

// cutExtension drops an extension written as "x12", "ext 12", "ext. 12",
// "extension 12" or "#12" after the number.
func cutExtension(s string) string {
	i := strings.IndexAny(s, "xX#")
	if j := strings.Index(strings.ToLower(s), "ext"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i <= 0 || !strings.ContainsAny(s[:i], "0123456789") {
		return s
	}
	return strings.TrimSpace(s[:i])
}
