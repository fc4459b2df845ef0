package bctest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/url"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/erp/businesscentral/bctest"
)

// A fake environment, seeded and read over HTTP as any client would: a
// token from the token endpoint, then the API.
func ExampleNewServer() {
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	if _, err := srv.AddItem(bctest.ItemInput{Number: "MUG-01", Name: "Mug", UnitPrice: canonical.MustDecimal("25.17"),
		Inventory: canonical.DecimalFromInt(100)}); err != nil {
		log.Fatal(err)
	}

	resp, err := srv.Client().PostForm(srv.TokenURL, url.Values{"grant_type": {"client_credentials"},
		"client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}, "scope": {srv.Scope}})
	if err != nil {
		log.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.APIURL+"/companies("+srv.CompanyID+")/items?$select=number,inventory,unitPrice", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Value []struct {
			Number    string          `json:"number"`
			Inventory json.Number     `json:"inventory"`
			UnitPrice json.RawMessage `json:"unitPrice"`
		} `json:"value"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&page)
	for _, it := range page.Value {
		fmt.Println(it.Number, it.Inventory, string(it.UnitPrice))
	}
	// Output: MUG-01 100 25.17
}

// Making an order non-editable, as releasing it to the warehouse does:
// every change through the API is then refused.
func ExampleServer_LockOrder() {
	srv := bctest.NewServer(bctest.Options{})
	defer srv.Close()
	if _, err := srv.AddCustomer(bctest.CustomerInput{Number: "C10000", Name: "Ng GmbH"}); err != nil {
		log.Fatal(err)
	}
	if _, err := srv.AddItem(bctest.ItemInput{Number: "MUG-01", Name: "Mug", UnitPrice: canonical.MustDecimal("25.17")}); err != nil {
		log.Fatal(err)
	}
	o, err := srv.AddOrder(bctest.OrderInput{CustomerNumber: "C10000", ExternalDocumentNumber: "SHOP-1",
		Lines: []bctest.OrderLineInput{{Item: "MUG-01", Quantity: canonical.DecimalFromInt(2)}}})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.LockOrder(o.Number, ""); err != nil {
		log.Fatal(err)
	}
	o, _ = srv.Order(o.Number)
	fmt.Println(o.Number, o.Locked)
	// Output: 101001 Status must be equal to 'Open'  in Sales Header: Document Type=Order, No.=101001. Current value is 'Released'.
}
