package mapping

import (
	"slices"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
)

func customer(id, name string, edit func(*canonical.Customer)) canonical.Customer {
	c := canonical.Customer{Meta: canonical.Meta{ID: id}, Name: name}
	if edit != nil {
		edit(&c)
	}
	return c
}

func TestMatch(t *testing.T) {
	pool := []canonical.Customer{
		customer("erp-1", "ACME Trading Limited", func(c *canonical.Customer) {
			c.Refs = []canonical.ExternalRef{{System: "bc", ID: "C10023"}}
			c.TaxIDs = []canonical.TaxID{{Scheme: "VAT", Country: "GB", Value: "123 4567 89"}}
			c.Email = "Accounts@Acme.example"
			c.Addresses = []canonical.Address{{Country: "GB", PostalCode: "SW1A 1AA", Phone: "020 7946 0958"}}
		}),
		customer("erp-2", "Müller GmbH", func(c *canonical.Customer) {
			c.LegalName = "Müller Maschinenbau GmbH & Co. KG"
			c.Email = "info@mueller.example"
			c.Addresses = []canonical.Address{{Country: "DE", PostalCode: "10115"}}
		}),
		customer("erp-3", "Jane Doe", func(c *canonical.Customer) {
			c.Email = "janedoe@gmail.com"
			c.Addresses = []canonical.Address{{Country: "GB", PostalCode: "M1 1AE"}}
		}),
		customer("erp-4", "Jane Doe", func(c *canonical.Customer) {
			c.Phone = "+44 7911 123456"
			c.Addresses = []canonical.Address{{Country: "GB", PostalCode: "LS1 4AP"}}
		}),
		customer("erp-5", "Shared Mailbox Co", func(c *canonical.Customer) { c.Email = "orders@shared.example" }),
		customer("erp-6", "Shared Mailbox Two", func(c *canonical.Customer) { c.Email = "orders@shared.example" }),
		customer("erp-old", "ACME Trading", func(c *canonical.Customer) {
			c.MergedInto = "erp-1"
			c.Email = "accounts@acme.example"
		}),
	}
	tests := []struct {
		name        string
		candidate   canonical.Customer
		opts        MatchOptions
		wantKind    MatchKind
		wantIDs     []string
		wantReasons []string // substrings of the first result's reasons
	}{
		{
			name:      "ref in common",
			candidate: customer("", "Whoever", func(c *canonical.Customer) { c.Refs = []canonical.ExternalRef{{System: "bc", ID: "C10023"}} }),
			wantKind:  Definite, wantIDs: []string{"erp-1"}, wantReasons: []string{"ref bc:C10023"},
		},
		{
			name: "tax ID with and without country prefix and spaces",
			candidate: customer("", "Acme", func(c *canonical.Customer) {
				c.TaxIDs = []canonical.TaxID{{Scheme: "vat", Value: "gb-123456789"}}
			}),
			wantKind: Definite, wantIDs: []string{"erp-1"}, wantReasons: []string{`tax ID "GB123456789"`},
		},
		{
			name:      "email ignores case and spaces; merged tombstones are skipped",
			candidate: customer("", "A. Trading", func(c *canonical.Customer) { c.Email = " accounts@ACME.example " }),
			wantKind:  Definite, wantIDs: []string{"erp-1"}, wantReasons: []string{`email "accounts@acme.example"`},
		},
		{
			name:      "gmail dots and tags only with the option",
			candidate: customer("", "J Doe", func(c *canonical.Customer) { c.Email = "Jane.Doe+shop@googlemail.com" }),
			opts:      MatchOptions{FoldGmail: true},
			wantKind:  Definite, wantIDs: []string{"erp-3"},
		},
		{
			name:      "gmail dots matter without the option",
			candidate: customer("", "J Doe", func(c *canonical.Customer) { c.Email = "Jane.Doe+shop@googlemail.com" }),
			wantKind:  NoMatch,
		},
		{
			name:      "hard keys pointing at two customers are a conflict",
			candidate: customer("", "Someone", func(c *canonical.Customer) { c.Email = "orders@shared.example" }),
			wantKind:  Conflict, wantIDs: []string{"erp-5", "erp-6"},
		},
		{
			name: "name and postcode are only proposed",
			candidate: customer("shop-9", "Acme Trading Ltd.", func(c *canonical.Customer) {
				c.Addresses = []canonical.Address{{Country: "United Kingdom", PostalCode: "sw1a1aa"}}
			}),
			wantKind: Proposed, wantIDs: []string{"erp-1"},
			wantReasons: []string{`name "acme trading"`, "postcode GB SW1A 1AA"},
		},
		{
			name: "legal name with suffixes and accents",
			candidate: customer("", "MULLER MASCHINENBAU GMBH & CO KG", func(c *canonical.Customer) {
				c.Addresses = []canonical.Address{{Country: "DE", PostalCode: "10115"}}
			}),
			wantKind: Proposed, wantIDs: []string{"erp-2"}, wantReasons: []string{`name "muller maschinenbau"`},
		},
		{
			name: "phone and name outscore name alone; ranked",
			candidate: customer("", "jane doe", func(c *canonical.Customer) {
				c.Addresses = []canonical.Address{{Country: "GB", PostalCode: "M1 1AE", Phone: "07911 123456"}}
			}),
			wantKind: Proposed, wantIDs: []string{"erp-4", "erp-3"}, wantReasons: []string{"phone +447911123456"},
		},
		{
			name:      "a name alone is below the threshold",
			candidate: customer("", "Jane Doe", nil),
			wantKind:  NoMatch,
		},
		{
			name:      "a name alone is proposed with a low threshold",
			candidate: customer("", "Jane Doe", nil),
			opts:      MatchOptions{MinScore: ScoreName, Limit: 1},
			wantKind:  Proposed, wantIDs: []string{"erp-3"},
		},
		{
			name:      "the candidate does not match itself",
			candidate: pool[0],
			wantKind:  NoMatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Match(tt.candidate, slices.Values(pool), tt.opts)
			if res.Kind != tt.wantKind {
				t.Fatalf("Kind = %q, want %q (%+v)", res.Kind, tt.wantKind, res)
			}
			var got []Candidate
			if res.Match != nil {
				got = []Candidate{*res.Match}
			}
			got = append(got, res.Candidates...)
			var ids []string
			for _, c := range got {
				ids = append(ids, c.Customer.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Fatalf("IDs = %v, want %v", ids, tt.wantIDs)
			}
			if (res.Kind == Definite) != (res.Match != nil) || (res.Kind == Definite && len(res.Candidates) > 0) {
				t.Errorf("Definite must come with exactly Match set: %+v", res)
			}
			for _, c := range got {
				if res.Kind == Proposed && (c.Score >= 100 || c.Score < max(tt.opts.MinScore, 1)) {
					t.Errorf("proposal %s scored %d", c.Customer.ID, c.Score)
				}
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("candidates not ranked: %v", ids)
				}
			}
			if len(tt.wantReasons) > 0 {
				reasons := strings.Join(got[0].Reasons, "; ")
				for _, want := range tt.wantReasons {
					if !strings.Contains(reasons, want) {
						t.Errorf("reasons %q lack %q", reasons, want)
					}
				}
			}
		})
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ACME Trading Ltd.", "acme trading"},
		{"Acme Trading Limited", "acme trading"},
		{"Müller GmbH & Co. KG", "muller"},
		{"Van den Berg B.V.", "van den berg"},
		{"Initech, Inc.", "initech"},
		{"Widgets LLC", "widgets"},
		{"Société Générale S.A.", "societe generale"},
		{"Ltd", "ltd"},
		{"  The   Co-operative  ", "the co operative"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeEmailAndTaxID(t *testing.T) {
	emails := []struct {
		in   string
		fold bool
		want string
	}{
		{" Jane@Example.COM ", false, "jane@example.com"},
		{"j.a.n.e+x@gmail.com", false, "j.a.n.e+x@gmail.com"},
		{"j.a.n.e+x@gmail.com", true, "jane@gmail.com"},
		{"Jane.Doe@GoogleMail.com", true, "janedoe@gmail.com"},
		{"jane.doe+x@example.com", true, "jane.doe+x@example.com"},
		{"not-an-email", false, ""}, {"@example.com", false, ""}, {"jane@", false, ""},
	}
	for _, tt := range emails {
		if got := NormalizeEmail(tt.in, tt.fold); got != tt.want {
			t.Errorf("NormalizeEmail(%q, %v) = %q, want %q", tt.in, tt.fold, got, tt.want)
		}
	}
	taxIDs := []struct {
		in   canonical.TaxID
		want string
	}{
		{canonical.TaxID{Scheme: "VAT", Country: "GB", Value: "123 4567 89"}, "GB123456789"},
		{canonical.TaxID{Scheme: "VAT", Country: "GB", Value: "gb123456789"}, "GB123456789"},
		{canonical.TaxID{Scheme: "VAT", Country: "GR", Value: "094259216"}, "EL094259216"},
		{canonical.TaxID{Scheme: "EIN", Country: "US", Value: "12-3456789"}, "123456789"},
		{canonical.TaxID{Scheme: "VAT", Value: " - "}, ""},
	}
	for _, tt := range taxIDs {
		if got := NormalizeTaxID(tt.in); got != tt.want {
			t.Errorf("NormalizeTaxID(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
