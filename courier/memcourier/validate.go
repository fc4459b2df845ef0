package memcourier

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/mapping"
)

// Problem codes the carrier uses in canonical.ShippingProblem.Code and
// canonical.FieldError.Code.
const (
	CodeRequired           = "required"            // a field the carrier needs is empty
	CodeUnknownCountry     = "unknown_country"     // not an ISO 3166-1 alpha-2 code
	CodeInvalidPostcode    = "invalid_postcode"    // not a postcode of the country
	CodePostcodeFormat     = "postcode_format"     // a valid postcode, badly written: see the suggestion
	CodeNotPositive        = "not_positive"        // a weight or quantity that is zero or less
	CodeUnit               = "unit"                // a weight in a unit that is not a weight
	CodeTooHeavy           = "too_heavy"           // over MaxWeightKG
	CodeUnsupportedService = "unsupported_service" // a service the carrier does not sell
)

// RefusedError lists why the carrier refused to sell a label, field by field,
// with suggested fixes where it has one. The connector.Error the Shipments
// sink returns wraps it; get it with errors.As or Problems.
type RefusedError struct {
	// Shipment is the shipment number.
	Shipment string
	// Problems are the reasons, in the order the carrier checks fields.
	Problems []canonical.ShippingProblem
}

// Error lists the problems.
func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "shipment %s refused", e.Shipment)
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Field + ": " + p.Message)
	}
	return b.String()
}

// Problems returns the shipping problems an error from the simulator carries,
// ready for canonical.Shipment.Problems, or nil.
func Problems(err error) []canonical.ShippingProblem {
	var re *RefusedError
	if errors.As(err, &re) {
		return append([]canonical.ShippingProblem(nil), re.Problems...)
	}
	return nil
}

// noPostcode lists countries where addresses commonly have no postcode.
var noPostcode = map[string]bool{
	"AE": true, "AG": true, "AO": true, "BS": true, "BZ": true, "FJ": true, "GH": true,
	"HK": true, "IE": true, "JM": true, "MO": true, "QA": true, "ZW": true,
}

// checkedPostcodes lists the countries whose postcode format the carrier
// knows (those mapping.NormalizePostcode checks); others are taken as given.
var checkedPostcodes = map[string]bool{
	"GB": true, "US": true, "DE": true, "FR": true, "ES": true, "IT": true, "FI": true,
	"AT": true, "BE": true, "CH": true, "DK": true, "NO": true, "AU": true, "NZ": true,
	"ZA": true, "NL": true, "SE": true, "PL": true, "PT": true, "CA": true, "IE": true,
}

// parcelSpec is what the carrier prices and labels: checked and normalised.
type parcelSpec struct {
	service string
	// band is the price band: 0, 1 or 2.
	band int
}

// check validates sh as the carrier would before selling a label. With
// needService false an empty or unknown service is not a problem (a quote
// prices every service).
func check(sh canonical.Shipment, needService bool) (parcelSpec, []canonical.ShippingProblem) {
	var probs []canonical.ShippingProblem
	add := func(field, code, msg, suggestion string) {
		probs = append(probs, canonical.ShippingProblem{Field: field, Code: code, Message: msg, Suggestion: suggestion})
	}
	a := sh.ShipTo
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	countryOK := false
	switch {
	case country == "":
		add("shipTo.country", CodeRequired, "country is required", "")
	case !canonical.ValidCountry(country):
		suggestion := ""
		if c, err := mapping.NormalizeCountry(a.Country); err == nil {
			suggestion = c
		}
		add("shipTo.country", CodeUnknownCountry,
			fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 country code", a.Country), suggestion)
	default:
		countryOK = true
	}
	pc := strings.TrimSpace(a.PostalCode)
	switch {
	case pc == "" && countryOK && !noPostcode[country]:
		add("shipTo.postalCode", CodeRequired, "postcode is required for "+country, "")
	case pc != "" && countryOK && checkedPostcodes[country]:
		norm, err := mapping.NormalizePostcode(country, pc)
		var ve *mapping.ValueError
		switch {
		case errors.As(err, &ve):
			add("shipTo.postalCode", CodeInvalidPostcode, fmt.Sprintf("%q: %s", a.PostalCode, ve.Reason), "")
		case err != nil:
			add("shipTo.postalCode", CodeInvalidPostcode, fmt.Sprintf("%q is not a %s postcode", a.PostalCode, country), "")
		case norm != a.PostalCode:
			add("shipTo.postalCode", CodePostcodeFormat,
				fmt.Sprintf("%q is not written in the %s format", a.PostalCode, country), norm)
		}
	}
	if strings.TrimSpace(a.City) == "" {
		add("shipTo.city", CodeRequired, "city is required", "")
	}
	hasLine := false
	for _, l := range a.Lines {
		if strings.TrimSpace(l) != "" {
			hasLine = true
			break
		}
	}
	if !hasLine {
		add("shipTo.lines", CodeRequired, "at least one address line is required", "")
	}

	if len(sh.Lines) == 0 {
		add("lines", CodeRequired, "a shipment needs at least one line", "")
	}
	for i, l := range sh.Lines {
		if !l.Quantity.Value.IsPos() {
			add(fmt.Sprintf("lines[%d].quantity", i), CodeNotPositive,
				fmt.Sprintf("quantity %s must be greater than zero", l.Quantity.Value), "")
		}
	}

	var spec parcelSpec
	spec.band = lineBand(len(sh.Lines))
	if sh.Weight != nil {
		kg, err := mapping.ConvertQuantity(*sh.Weight, canonical.UnitKilogram)
		switch {
		case err != nil:
			add("weight.unit", CodeUnit, fmt.Sprintf("%q is not a unit of weight", sh.Weight.Unit), "")
		case !kg.Value.IsPos():
			add("weight", CodeNotPositive, fmt.Sprintf("weight %s must be greater than zero", sh.Weight), "")
		case kg.Value.Cmp(canonical.DecimalFromInt(MaxWeightKG)) > 0:
			add("weight", CodeTooHeavy, fmt.Sprintf("weight %s is over the %d kg limit", sh.Weight, MaxWeightKG), "")
		default:
			spec.band = weightBand(kg.Value)
		}
	}

	spec.service = strings.ToLower(strings.TrimSpace(sh.Service))
	if spec.service == "" {
		spec.service = Standard
	}
	if needService && spec.service != Standard && spec.service != Express {
		add("service", CodeUnsupportedService,
			fmt.Sprintf("service %q is not offered; choose %q or %q", sh.Service, Standard, Express), Standard)
	}
	return spec, probs
}

// refused builds the Invalid error for problems with shipment number.
func (s *Sim) refused(op, number string, probs []canonical.ShippingProblem) error {
	err := connector.Errorf(connector.Invalid, s.cfg.System, "the carrier cannot ship %s", number)
	err.Op, err.Status, err.Code = op, 422, "SHIPMENT.INVALID"
	for _, p := range probs {
		if strings.HasPrefix(p.Field, "shipTo.") {
			err.Code = "ADDRESS.VERIFY.FAILURE"
		}
		msg := p.Message
		if p.Suggestion != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", p.Suggestion)
		}
		err.Fields = append(err.Fields, canonical.FieldError{Path: p.Field, Code: p.Code, Message: msg})
	}
	err.Body, _ = json.Marshal(map[string]any{"error": map[string]any{"code": err.Code, "errors": probs}})
	err.Err = &RefusedError{Shipment: number, Problems: probs}
	return err
}

// lineBand prices a shipment without a weight by its number of lines.
func lineBand(lines int) int {
	switch {
	case lines <= 2:
		return 0
	case lines <= 5:
		return 1
	}
	return 2
}

// weightBand prices a shipment by its weight in kilograms: up to 2 kg, up to
// 10 kg, up to MaxWeightKG.
func weightBand(kg canonical.Decimal) int {
	switch {
	case kg.Cmp(canonical.DecimalFromInt(2)) <= 0:
		return 0
	case kg.Cmp(canonical.DecimalFromInt(10)) <= 0:
		return 1
	}
	return 2
}
