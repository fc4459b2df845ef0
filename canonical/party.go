package canonical

import "time"

// Customer is a buying party: a consumer from a shop or an ERP account.
type Customer struct {
	Meta
	// Number is the customer number in the system of record (the ERP account).
	Number string `json:"number,omitempty"`
	// Name is the display name; for a business, its trading name.
	Name string `json:"name" validate:"required"`
	// LegalName is the registered name of a business customer.
	LegalName string `json:"legalName,omitempty"`
	// Email is the primary email address.
	Email string `json:"email,omitempty" validate:"omitempty,email"`
	// Phone is the primary phone number, E.164 where known.
	Phone     string    `json:"phone,omitempty"`
	Addresses []Address `json:"addresses,omitempty" validate:"dive"`
	Contacts  []Contact `json:"contacts,omitempty" validate:"dive"`
	TaxIDs    []TaxID   `json:"taxIds,omitempty" validate:"dive"`
	// Currency is the customer's billing currency.
	Currency CurrencyCode `json:"currency,omitempty" validate:"omitempty,currency"`
	// CreditLimit is the ERP credit limit; nil means none set.
	CreditLimit *Money `json:"creditLimit,omitempty"`
	// Balance is the amount the customer owes now (ERP snapshot).
	Balance *Money `json:"balance,omitempty"`
	// CreditStatus says whether new orders may proceed.
	CreditStatus CreditStatus `json:"creditStatus,omitempty" validate:"omitempty,oneof=ok hold blocked"`
	// PaymentTerms is the terms code, such as "NET30".
	PaymentTerms string `json:"paymentTerms,omitempty"`
	// MergedInto is the canonical ID of the customer this one was merged into;
	// a merged customer's refs still resolve through it.
	MergedInto string `json:"mergedInto,omitempty"`
}

// CreditStatus is a customer's account state for new business.
type CreditStatus string

// Credit statuses.
const (
	CreditOK      CreditStatus = "ok"      // orders proceed
	CreditHold    CreditStatus = "hold"    // orders are held for review
	CreditBlocked CreditStatus = "blocked" // no new orders
)

// AddressValidation records what a validation service said of an address.
type AddressValidation string

// Address validation outcomes.
const (
	AddressUnverified   AddressValidation = ""
	AddressVerified     AddressValidation = "verified"
	AddressCorrected    AddressValidation = "corrected"
	AddressUnverifiable AddressValidation = "unverifiable"
)

// Address is a postal address.
type Address struct {
	Name       string   `json:"name,omitempty"`
	Company    string   `json:"company,omitempty"`
	Lines      []string `json:"lines,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code, such as "GB".
	Country    string            `json:"country" validate:"required,country"`
	Phone      string            `json:"phone,omitempty"`
	Email      string            `json:"email,omitempty" validate:"omitempty,email"`
	Validation AddressValidation `json:"validation,omitempty"`
}

// IsZero reports whether the address is empty: no field is set. JSON omits an
// empty address, so every field counts (an address with only a phone number
// must survive a round trip).
func (a Address) IsZero() bool {
	return a.Name == "" && a.Company == "" && len(a.Lines) == 0 && a.City == "" &&
		a.Region == "" && a.PostalCode == "" && a.Country == "" && a.Phone == "" &&
		a.Email == "" && a.Validation == ""
}

// Contact is a person at a customer.
type Contact struct {
	Meta
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	Email     string `json:"email,omitempty" validate:"omitempty,email"`
	Phone     string `json:"phone,omitempty"`
	Role      string `json:"role,omitempty"`
	// Consent records marketing consent, owned by the CRM.
	Consent bool `json:"consent,omitempty"`
}

// TaxID is a tax or company registration number with its scheme.
type TaxID struct {
	// Scheme is the identifier scheme, such as "VAT", "EIN", "GLN" or "DUNS".
	Scheme string `json:"scheme" validate:"required"`
	// Country is the issuing country (ISO 3166-1 alpha-2), when relevant.
	Country string `json:"country,omitempty" validate:"omitempty,country"`
	Value   string `json:"value" validate:"required"`
}

// PartyRef names the party a document is for: its canonical ID, its refs in
// systems, and enough to recognise it.
type PartyRef struct {
	ID    string        `json:"id,omitempty"`
	Refs  []ExternalRef `json:"refs,omitempty" validate:"dive"`
	Name  string        `json:"name,omitempty"`
	Email string        `json:"email,omitempty" validate:"omitempty,email"`
}

// Ref returns the party's ref in system, if known.
func (p PartyRef) Ref(system string) (ExternalRef, bool) {
	for _, r := range p.Refs {
		if r.System == system {
			return r, true
		}
	}
	return ExternalRef{}, false
}

// HoldType says why a document is held.
type HoldType string

// Hold types.
const (
	HoldCredit  HoldType = "credit"
	HoldFraud   HoldType = "fraud"
	HoldPayment HoldType = "payment"
	HoldAddress HoldType = "address"
	HoldManual  HoldType = "manual"
)

// Stage is a step of the order-to-cash process that a hold can block.
type Stage string

// Stages a hold may block.
const (
	StageFulfillment Stage = "fulfillment"
	StageBilling     Stage = "billing"
)

// Hold is one reason a document is held. Holds form a set on the document and
// never change its lifecycle status; they block the stages they list until
// released.
type Hold struct {
	Type       HoldType   `json:"type" validate:"required,oneof=credit fraud payment address manual"`
	Blocks     []Stage    `json:"blocks" validate:"dive,oneof=fulfillment billing"`
	Reason     string     `json:"reason,omitempty"`
	Source     string     `json:"source,omitempty"`
	PlacedAt   time.Time  `json:"placedAt,omitzero"`
	ReleasedAt *time.Time `json:"releasedAt,omitempty"`
}

// Active reports whether the hold is still in force.
func (h Hold) Active() bool { return h.ReleasedAt == nil }

// Blocking reports whether an active hold in holds blocks stage s.
func Blocking(holds []Hold, s Stage) bool {
	for _, h := range holds {
		if !h.Active() {
			continue
		}
		for _, b := range h.Blocks {
			if b == s {
				return true
			}
		}
	}
	return false
}
