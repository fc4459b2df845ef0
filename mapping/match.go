package mapping

import (
	"cmp"
	"iter"
	"slices"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// MatchOptions tune Match. The zero value is sensible.
type MatchOptions struct {
	// FoldGmail treats gmail.com and googlemail.com addresses that differ only
	// in dots or a "+tag" in the local part as the same mailbox
	// (j.doe+shop@gmail.com is jdoe@gmail.com), as Gmail does. Off by default:
	// other providers give dots and plus signs meaning.
	FoldGmail bool
	// Country reads national phone numbers of customers with no address
	// country, such as "GB".
	Country string
	// MinScore is the lowest score proposed as a candidate; 0 means 50. See
	// Match for the weights.
	MinScore int
	// Limit caps the number of proposed candidates; 0 means 10.
	Limit int
}

// Score weights of the fuzzy keys. They add up to at most 100.
const (
	ScoreName     = 40 // normalised names equal (Name or LegalName)
	ScorePhone    = 35 // phones equal in E.164
	ScorePostcode = 25 // a postcode in the same country in common
)

// Match kinds.
const (
	NoMatch  MatchKind = ""         // nothing definite, no candidate scored high enough
	Definite MatchKind = "definite" // exactly one customer shares a hard key
	Proposed MatchKind = "proposed" // candidates scored; a person decides
	Conflict MatchKind = "conflict" // hard keys point at several customers; a person decides
)

// MatchKind says what Match found.
type MatchKind string

// MatchResult is Match's answer.
type MatchResult struct {
	Kind MatchKind
	// Match is the definite match (Kind Definite), with the hard keys it shares
	// with the candidate as reasons.
	Match *Candidate
	// Candidates are the proposals (Kind Proposed) by score, highest first, or
	// every customer a hard key points at (Kind Conflict).
	Candidates []Candidate
}

// Candidate is a pool customer that may be the same as the one matched.
type Candidate struct {
	Customer canonical.Customer
	// Score is 100 for a hard-key match, and otherwise the sum of the weights
	// of the fuzzy keys in common.
	Score int
	// Reasons say what the two share, in words, such as `tax ID "GB123456789"`
	// or `name "acme"`.
	Reasons []string
}

// Match looks for candidate in pool, to find duplicate customers before one is
// created (a shop customer who already has an ERP account).
//
// Hard keys come first: an external ref in common (same system, type and ID),
// a tax ID (compared without spaces or punctuation, upper case, with the
// issuing country prefixed for VAT numbers that lack it), or an e-mail
// address (trimmed, lower case; see MatchOptions.FoldGmail). One pool customer
// sharing a hard key is a Definite match. Several is a Conflict: the pool
// already holds duplicates, or two businesses share an address, and a person
// must look.
//
// Without a hard key, each pool customer is scored on fuzzy keys: the name
// (lower case, accents folded, punctuation dropped, company suffixes such as
// Ltd, Limited, GmbH, BV, Inc and LLC removed) equal to the candidate's
// Name or LegalName (ScoreName), a phone equal in E.164 (ScorePhone), and a
// postcode in the same country (ScorePostcode). Customers merged into
// another (MergedInto set) are skipped. Those scoring MinScore or more
// are Proposed with their reasons, never merged automatically: Match decides
// nothing on its own. After a person confirms, call Merge.
//
// Pass a slice as slices.Values(customers), or stream a store's customers.
func Match(candidate canonical.Customer, pool iter.Seq[canonical.Customer], opts MatchOptions) MatchResult {
	if opts.MinScore <= 0 {
		opts.MinScore = 50
	}
	if opts.Limit <= 0 {
		opts.Limit = 10
	}
	c := newMatchKeys(candidate, opts)
	var hard, fuzzy []Candidate
	for p := range pool {
		if candidate.ID != "" && p.ID == candidate.ID || p.MergedInto != "" {
			continue // the candidate itself, or a merged tombstone
		}
		k := newMatchKeys(p, opts)
		if reasons := c.hard(k); len(reasons) > 0 {
			hard = append(hard, Candidate{Customer: p, Score: 100, Reasons: reasons})
			continue
		}
		if len(hard) > 0 {
			continue // a hard match makes scores moot
		}
		if score, reasons := c.fuzzy(k); score >= opts.MinScore {
			fuzzy = append(fuzzy, Candidate{Customer: p, Score: score, Reasons: reasons})
		}
	}
	switch {
	case len(hard) == 1:
		return MatchResult{Kind: Definite, Match: &hard[0]}
	case len(hard) > 1:
		return MatchResult{Kind: Conflict, Candidates: hard}
	case len(fuzzy) == 0:
		return MatchResult{Kind: NoMatch}
	}
	slices.SortStableFunc(fuzzy, func(a, b Candidate) int { return cmp.Compare(b.Score, a.Score) })
	if len(fuzzy) > opts.Limit {
		fuzzy = fuzzy[:opts.Limit]
	}
	return MatchResult{Kind: Proposed, Candidates: fuzzy}
}

// matchKeys are a customer's normalised keys.
type matchKeys struct {
	refs      []canonical.ExternalRef
	taxIDs    []string
	email     string
	names     []string
	phones    []string
	postcodes []string // "GB SW1A 1AA"
}

func newMatchKeys(c canonical.Customer, opts MatchOptions) matchKeys {
	k := matchKeys{refs: c.Refs, email: NormalizeEmail(c.Email, opts.FoldGmail)}
	for _, t := range c.TaxIDs {
		if v := NormalizeTaxID(t); v != "" {
			k.taxIDs = append(k.taxIDs, v)
		}
	}
	for _, n := range [...]string{c.Name, c.LegalName} {
		if v := NormalizeName(n); v != "" && !slices.Contains(k.names, v) {
			k.names = append(k.names, v)
		}
	}
	country := opts.Country
	addPhone := func(p, ctry string) {
		if ctry == "" {
			ctry = country
		}
		if v, err := E164(p, ctry); err == nil && !slices.Contains(k.phones, v) {
			k.phones = append(k.phones, v)
		}
	}
	for _, a := range c.Addresses {
		ctry, err := NormalizeCountry(a.Country)
		if err != nil {
			continue
		}
		if country == "" {
			country = ctry
		}
		if a.PostalCode != "" {
			pc, err := NormalizePostcode(ctry, a.PostalCode)
			if err != nil {
				pc = strings.ToUpper(collapse(a.PostalCode))
			}
			k.postcodes = append(k.postcodes, ctry+" "+pc)
		}
		if a.Phone != "" {
			addPhone(a.Phone, ctry)
		}
	}
	if c.Phone != "" {
		addPhone(c.Phone, "")
	}
	for _, ct := range c.Contacts {
		if ct.Phone != "" {
			addPhone(ct.Phone, "")
		}
	}
	return k
}

func (a matchKeys) hard(b matchKeys) []string {
	var reasons []string
	for _, r := range a.refs {
		for _, s := range b.refs {
			if r.System == s.System && r.Type == s.Type && r.ID == s.ID {
				reasons = append(reasons, "ref "+r.String())
			}
		}
	}
	for _, t := range a.taxIDs {
		if slices.Contains(b.taxIDs, t) {
			reasons = append(reasons, "tax ID "+quote(t))
		}
	}
	if a.email != "" && a.email == b.email {
		reasons = append(reasons, "email "+quote(a.email))
	}
	return reasons
}

func (a matchKeys) fuzzy(b matchKeys) (int, []string) {
	score := 0
	var reasons []string
	if v, ok := firstCommon(a.names, b.names); ok {
		score += ScoreName
		reasons = append(reasons, "name "+quote(v))
	}
	if v, ok := firstCommon(a.phones, b.phones); ok {
		score += ScorePhone
		reasons = append(reasons, "phone "+v)
	}
	if v, ok := firstCommon(a.postcodes, b.postcodes); ok {
		score += ScorePostcode
		reasons = append(reasons, "postcode "+v)
	}
	return score, reasons
}

func firstCommon(a, b []string) (string, bool) {
	for _, x := range a {
		if slices.Contains(b, x) {
			return x, true
		}
	}
	return "", false
}

// NormalizeEmail trims and lower-cases an e-mail address for comparison. With
// foldGmail, a gmail.com or googlemail.com address loses the dots and any
// "+tag" of its local part and takes the gmail.com domain. A value without
// "@" gives "".
func NormalizeEmail(email string, foldGmail bool) string {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return ""
	}
	if !foldGmail {
		return e
	}
	local, domain := e[:at], e[at+1:]
	if domain != "gmail.com" && domain != "googlemail.com" {
		return e
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return strings.ReplaceAll(local, ".", "") + "@gmail.com"
}

// NormalizeTaxID returns a tax ID's value for comparison: spaces and
// punctuation dropped, upper case. A VAT number whose value does not start
// with two letters gets its issuing country in front ("123456789" of GB is
// "GB123456789"), so both spellings of an EU VAT number compare equal.
func NormalizeTaxID(t canonical.TaxID) string {
	b := make([]byte, 0, len(t.Value)+2)
	for i := 0; i < len(t.Value); i++ {
		c := t.Value[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return ""
	}
	if strings.EqualFold(t.Scheme, "VAT") && len(t.Country) == 2 && !(len(b) >= 2 && isLetter(b[0]) && isLetter(b[1])) {
		prefix := strings.ToUpper(t.Country)
		if prefix == "GR" {
			prefix = "EL" // Greece's VAT numbers carry EL
		}
		return prefix + string(b)
	}
	return string(b)
}

// NormalizeName returns a customer or company name for comparison: accents
// folded, lower case, punctuation dropped, spaces collapsed, and legal-form
// suffixes (ltd, limited, plc, llp, gmbh, ag, kg, bv, nv, inc, llc, corp, co,
// sa, sarl, srl, spa, ab, as, oy, pty and more) removed from the end, so
// "ACME Trading Ltd." and "Acme Trading Limited" compare equal. A name that
// is only a suffix is kept.
func NormalizeName(name string) string {
	f := foldText(name)
	for {
		i := strings.LastIndexByte(f, ' ')
		if i < 0 || !companySuffixes[f[i+1:]] {
			return f
		}
		f = f[:i]
	}
}

// companySuffixes are legal forms dropped from the end of names, folded.
// Read-only.
var companySuffixes = map[string]bool{
	"ltd": true, "limited": true, "plc": true, "llp": true, "lp": true, "cic": true,
	"gmbh": true, "mbh": true, "ag": true, "kg": true, "ohg": true, "ug": true, "ev": true, "eg": true,
	"bv": true, "nv": true, "vof": true, "cv": true, "bvba": true, "bva": true, "sprl": true,
	"inc": true, "incorporated": true, "llc": true, "corp": true, "corporation": true,
	"co": true, "company": true, "and": true,
	"sa": true, "sas": true, "sarl": true, "eurl": true, "srl": true, "spa": true, "sl": true, "slu": true,
	"ab": true, "as": true, "asa": true, "aps": true, "oy": true, "oyj": true,
	"pty": true, "sro": true, "kft": true, "zrt": true,
}
