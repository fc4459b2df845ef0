package businesscentral_test

import (
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

func TestCustomerCreditStatus(t *testing.T) {
	tests := []struct {
		name             string
		blocked          string
		limit, balance   string
		want             canonical.CreditStatus
		wantLimit        bool
		wantBalanceValue string
	}{
		{name: "open account", want: canonical.CreditOK, wantBalanceValue: "0"},
		{name: "within the limit", limit: "1000", balance: "999.99", want: canonical.CreditOK, wantLimit: true, wantBalanceValue: "999.99"},
		{name: "over the limit", limit: "1000", balance: "1000.01", want: canonical.CreditHold, wantLimit: true, wantBalanceValue: "1000.01"},
		{name: "blocked for shipping", blocked: bctest.BlockedShip, want: canonical.CreditHold, wantBalanceValue: "0"},
		{name: "blocked for invoicing", blocked: bctest.BlockedInvoice, want: canonical.CreditHold, wantBalanceValue: "0"},
		{name: "blocked", blocked: bctest.BlockedAll, limit: "50", want: canonical.CreditBlocked, wantLimit: true, wantBalanceValue: "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bctest.Options{}, nil)
			must(t, e.srv.SetBlocked("C10000", tt.blocked))
			if tt.limit != "" {
				must(t, e.srv.SetCreditLimit("C10000", canonical.MustDecimal(tt.limit)))
			}
			if tt.balance != "" {
				must(t, e.srv.SetBalance("C10000", canonical.MustDecimal(tt.balance)))
			}
			ch, err := e.bc.CustomerChanges().(connector.Getter[canonical.Customer]).Get(t.Context(), "C10000")
			must(t, err)
			c := ch.Entity
			if c.CreditStatus != tt.want || (c.CreditLimit != nil) != tt.wantLimit || c.Balance == nil || c.Balance.Amount.String() != tt.wantBalanceValue {
				t.Errorf("status %s, limit %v, balance %v", c.CreditStatus, c.CreditLimit, c.Balance)
			}
			if r, ok := c.Ref("businesscentral"); !ok || r.ID != "C10000" || r.Version == "" {
				t.Errorf("ref %+v", c.Refs)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("customer: %v", err)
			}
		})
	}
}

func TestCustomerSinkNeverWritesCredit(t *testing.T) {
	e := newEnv(t, bctest.Options{}, nil)
	must(t, e.srv.SetCreditLimit("C10000", canonical.DecimalFromInt(500)))
	limit := canonical.MustMoney("99999", "EUR")
	in := canonical.Customer{Name: "Ng GmbH & Co", Number: "C10000", Email: "buyer@ng.example", CreditLimit: &limit, CreditStatus: canonical.CreditOK,
		Addresses: []canonical.Address{{Lines: []string{"Hauptstr. 1"}, City: "Berlin", PostalCode: "10115", Country: "DE"}}}
	w := connector.Write[canonical.Customer]{Change: connector.Change[canonical.Customer]{Key: "shop-7", Version: connector.SeqVersion(1), Entity: in}, IdempotencyKey: "k1"}
	res, err := e.bc.Customers().Apply(t.Context(), w)
	must(t, err)
	c, _ := e.srv.Customer("C10000")
	if res.Action != connector.Updated || c.Name != "Ng GmbH & Co" || !c.CreditLimit.Equal(canonical.DecimalFromInt(500)) {
		t.Errorf("%s: customer %+v", res.Action, c)
	}
	w.IdempotencyKey, w.Version = "k2", connector.SeqVersion(2)
	if res, err := e.bc.Customers().Apply(t.Context(), w); err != nil || res.Action != connector.Unchanged {
		t.Errorf("the same customer again: %v, %v", res.Action, err)
	}
	w.Op = connector.Delete
	if _, err := e.bc.Customers().Apply(t.Context(), w); connector.KindOf(err) != connector.Unsupported {
		t.Errorf("a delete: %v, want Unsupported", err)
	}
}
