package mapping

import (
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// NormalizeCurrency returns the ISO 4217 code for s: the code in any case with
// surrounding spaces trimmed ("eur ", "Gbp"), or the unambiguous symbols "€"
// and "£". "$" and "¥" name several currencies and are rejected, as is any
// code canonical.CurrencyCode.Valid does not know; the error is a *ValueError
// with code CodeCurrency.
func NormalizeCurrency(s string) (canonical.CurrencyCode, error) {
	t := strings.TrimSpace(s)
	switch t {
	case "€":
		return "EUR", nil
	case "£":
		return "GBP", nil
	case "":
		return "", valueErr(CodeCurrency, s, "currency is empty")
	}
	c := canonical.CurrencyCode(strings.ToUpper(t))
	if !c.Valid() {
		return "", valueErr(CodeCurrency, s, "not an ISO 4217 currency code")
	}
	return c, nil
}
