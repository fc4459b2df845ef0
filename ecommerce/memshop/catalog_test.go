package memshop

import (
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

func TestAddProductKeepsSKUsUnique(t *testing.T) {
	cases := []struct {
		name string
		p    canonical.Product
		path string
	}{
		{"product SKU taken", canonical.Product{SKU: "MUG", Name: "Other mug"}, "sku"},
		{"variant SKU taken", canonical.Product{SKU: "POLO", Name: "Polo", Variants: []canonical.Variant{{SKU: "TEE-S"}}}, "variants[0].sku"},
		{"variant repeats the product", canonical.Product{SKU: "POLO", Name: "Polo", Variants: []canonical.Variant{{SKU: "POLO"}}}, "variants[0].sku"},
		{"no name", canonical.Product{SKU: "POLO"}, "name"},
		{"SKU with spaces", canonical.Product{SKU: "PO LO", Name: "Polo"}, "sku"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestShop(t, Config{})
			err := s.AddProduct(c.p)
			wantField(t, err, c.path)
			if c.path == "sku" && strings.Contains(c.name, "taken") && !strings.Contains(err.Error(), `"MUG"`) {
				t.Errorf("the error %q does not name the SKU", err)
			}
			if n := len(feed(t, s.Products())); n != 3 {
				t.Errorf("products feed has %d entries after a refusal, want 3", n)
			}
		})
	}
	s := newTestShop(t, Config{})
	if got := keysOf(feed(t, s.Products())); strings.Join(got, ",") != "TEE,MUG,CAP" {
		t.Errorf("products feed %v", got)
	}
	if p, ok := s.Product("TEE-M"); !ok || p.SKU != "TEE" {
		t.Errorf("Product(TEE-M) = %s, %v; want the TEE product", p.SKU, ok)
	}
}

func TestUpdateProduct(t *testing.T) {
	s := newTestShop(t, Config{})
	got, err := s.UpdateProduct("TEE", func(p *canonical.Product) error {
		p.Variants = append(p.Variants, canonical.Variant{SKU: "TEE-L", Title: "L"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 2 || len(got.Variants) != 3 {
		t.Errorf("revision %d with %d variants", got.Revision, len(got.Variants))
	}
	if _, ok := s.Product("TEE-L"); !ok {
		t.Errorf("the new variant is not sellable")
	}
	_, err = s.UpdateProduct("MUG", func(p *canonical.Product) error { p.Variants = []canonical.Variant{{SKU: "TEE-L"}}; return nil })
	wantField(t, err, "variants[0].sku")
	_, err = s.UpdateProduct("MUG", func(p *canonical.Product) error { p.SKU = "MUG2"; return nil })
	wantField(t, err, "sku")
	_, err = s.UpdateProduct("NOPE", func(*canonical.Product) error { return nil })
	wantKind(t, err, connector.NotFound)
	if _, err := s.UpdateProduct("CAP", func(*canonical.Product) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n := len(feed(t, s.Products())); n != 4 {
		t.Errorf("products feed has %d entries, want 4 (3 added, 1 real update)", n)
	}
}

func TestCustomers(t *testing.T) {
	s := newTestShop(t, Config{})
	key, err := s.AddCustomer(canonical.Customer{Name: "Ada L.", Email: " ADA@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if key != "cust-2" {
		t.Errorf("key %q, want cust-2", key)
	}
	dups := s.FindCustomers("ada@EXAMPLE.com")
	if len(dups) != 2 || dups[0].Email != "ada@example.com" || dups[1].Email != "ada@example.com" {
		t.Fatalf("FindCustomers found %d accounts: %+v; want both, emails normalised", len(dups), dups)
	}
	if ref, _ := dups[1].Ref("memshop"); ref.ID != "cust-2" {
		t.Errorf("the second account's ref is %+v", ref)
	}
	_, err = s.AddCustomer(canonical.Customer{Email: "nobody@example.com"})
	wantField(t, err, "name")
	_, err = s.AddCustomer(canonical.Customer{Name: "Bad", Email: "not-an-email"})
	wantField(t, err, "email")

	c, err := s.UpdateCustomer(key, func(c *canonical.Customer) error { c.Email = "Ada.Lovelace@Example.com"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if c.Revision != 2 || c.Email != "ada.lovelace@example.com" {
		t.Errorf("revision %d email %q", c.Revision, c.Email)
	}
	_, err = s.UpdateCustomer("cust-99", func(*canonical.Customer) error { return nil })
	wantKind(t, err, connector.NotFound)
	cs := feed(t, s.Customers())
	if got := keysOf(cs); strings.Join(got, ",") != "cust-1,cust-2,cust-2" {
		t.Errorf("customers feed %v", got)
	}
	// An order for the account carries the account's current email.
	o := order(s, NewLine("MUG", 1, eur("1")))
	o.Customer.Refs[0].ID = key
	o.ShipTo = berlin
	if got := place(t, s, o); got.Customer.Email != "ada.lovelace@example.com" || got.Customer.Name != "Ada L." {
		t.Errorf("order customer %+v", got.Customer)
	}
}
