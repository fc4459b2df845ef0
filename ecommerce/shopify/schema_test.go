package shopify

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// loadQuery parses and validates a document with every standard rule.
func loadQuery(schema *ast.Schema, doc string) (*ast.QueryDocument, gqlerror.List) {
	return gqlparser.LoadQueryWithRules(schema, doc, rules.NewDefaultRules())
}

// The schema test validates every document the client sends against
// Shopify's own introspection result for the Admin API at 2025-01, kept in
// the shared reference folder beside the repository (never in it). Set
// SHOPIFY_ADMIN_SCHEMA to the file's path to use another copy.
//
// The client speaks DefaultAPIVersion (2026-01). Where its documents rely
// on something 2025-01 lacks, the difference is declared below, with the
// changelog entry that documents it, and added to the 2025-01 schema
// before validating.

// schemaDifferences lists what DefaultAPIVersion has that 2025-01 lacks and
// the documents use, as SDL added to the 2025-01 schema.
var schemaDifferences = []struct {
	what, changelog, sdl string
}{
	{
		what:      "the @idempotent(key:) directive on mutation fields (2026-01; mandatory for inventorySetQuantities from 2026-04)",
		changelog: "https://shopify.dev/changelog/adding-idempotency-for-inventory-adjustments-and-refund-mutations",
		sdl:       "directive @idempotent(key: String!) on FIELD",
	},
	{
		what:      "Customer.defaultEmailAddress (2025-04), replacing the deprecated Customer.email",
		changelog: "https://shopify.dev/changelog/adding-defaultemailaddress-field-to-customer",
		sdl:       "extend type Customer { defaultEmailAddress: CustomerEmailAddress }",
	},
	{
		what:      "Customer.defaultPhoneNumber (2025-04), replacing the deprecated Customer.phone",
		changelog: "https://shopify.dev/changelog/adding-defaultphonenumber-field-to-customer",
		sdl:       "extend type Customer { defaultPhoneNumber: CustomerPhoneNumber }",
	},
}

// Not used by the default version, but handled: from 2026-04
// InventoryQuantityInput.compareQuantity is changeFromQuantity and
// @idempotent is mandatory for inventorySetQuantities
// (https://shopify.dev/changelog/making-idempotency-mandatory-for-inventory-adjustments-and-refund-mutations,
// https://shopify.dev/docs/api/admin-graphql/2026-07/input-objects/InventorySetQuantityInput).
// The client switches its input to changeFromQuantity for those versions;
// TestSetQuantitiesVersions covers it against the fake.

func schemaFile(t *testing.T) string {
	if p := os.Getenv("SHOPIFY_ADMIN_SCHEMA"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "reference", "shopify", "admin_schema_2025-01.json.gz")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// introspection is the part of an introspection result the converter reads.
type introspection struct {
	Data struct {
		Schema struct {
			QueryType        *struct{ Name string } `json:"queryType"`
			MutationType     *struct{ Name string } `json:"mutationType"`
			SubscriptionType *struct{ Name string } `json:"subscriptionType"`
			Types            []itype                `json:"types"`
			Directives       []struct {
				Name      string   `json:"name"`
				Locations []string `json:"locations"`
				Args      []ivalue `json:"args"`
			} `json:"directives"`
		} `json:"__schema"`
	} `json:"data"`
}

type itype struct {
	Kind          string   `json:"kind"`
	Name          string   `json:"name"`
	Fields        []ifield `json:"fields"`
	InputFields   []ivalue `json:"inputFields"`
	Interfaces    []iref   `json:"interfaces"`
	EnumValues    []iname  `json:"enumValues"`
	PossibleTypes []iref   `json:"possibleTypes"`
}

type iname struct {
	Name              string `json:"name"`
	IsDeprecated      bool   `json:"isDeprecated"`
	DeprecationReason string `json:"deprecationReason"`
}

type ifield struct {
	iname
	Args []ivalue `json:"args"`
	Type iref     `json:"type"`
}

type ivalue struct {
	Name         string  `json:"name"`
	Type         iref    `json:"type"`
	DefaultValue *string `json:"defaultValue"`
}

type iref struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	OfType *iref  `json:"ofType"`
}

func (r iref) String() string {
	switch r.Kind {
	case "NON_NULL":
		return r.OfType.String() + "!"
	case "LIST":
		return "[" + r.OfType.String() + "]"
	}
	return r.Name
}

func deprecated(n iname) string {
	if !n.IsDeprecated {
		return ""
	}
	b, _ := json.Marshal(n.DeprecationReason)
	return " @deprecated(reason: " + string(b) + ")"
}

func args(vs []ivalue) string {
	if len(vs) == 0 {
		return ""
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Name + ": " + v.Type.String()
		if v.DefaultValue != nil {
			parts[i] += " = " + *v.DefaultValue
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// toSDL converts an introspection result to SDL that gqlparser can load,
// leaving out what its prelude already defines.
func toSDL(in introspection) string {
	prelude := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	builtinDirectives := map[string]bool{"include": true, "skip": true, "deprecated": true, "specifiedBy": true, "oneOf": true, "defer": true}
	var b strings.Builder
	s := in.Data.Schema
	b.WriteString("schema {")
	if s.QueryType != nil {
		b.WriteString(" query: " + s.QueryType.Name)
	}
	if s.MutationType != nil {
		b.WriteString(" mutation: " + s.MutationType.Name)
	}
	if s.SubscriptionType != nil {
		b.WriteString(" subscription: " + s.SubscriptionType.Name)
	}
	b.WriteString(" }\n")
	for _, d := range s.Directives {
		if builtinDirectives[d.Name] {
			continue
		}
		fmt.Fprintf(&b, "directive @%s%s on %s\n", d.Name, args(d.Args), strings.Join(d.Locations, " | "))
	}
	for _, t := range s.Types {
		if strings.HasPrefix(t.Name, "__") || prelude[t.Name] {
			continue
		}
		impl := func() string {
			if len(t.Interfaces) == 0 {
				return ""
			}
			names := make([]string, len(t.Interfaces))
			for i, x := range t.Interfaces {
				names[i] = x.Name
			}
			return " implements " + strings.Join(names, " & ")
		}
		switch t.Kind {
		case "SCALAR":
			fmt.Fprintf(&b, "scalar %s\n", t.Name)
		case "OBJECT", "INTERFACE":
			kw := "type"
			if t.Kind == "INTERFACE" {
				kw = "interface"
			}
			fmt.Fprintf(&b, "%s %s%s {\n", kw, t.Name, impl())
			for _, f := range t.Fields {
				fmt.Fprintf(&b, "  %s%s: %s%s\n", f.Name, args(f.Args), f.Type, deprecated(f.iname))
			}
			b.WriteString("}\n")
		case "UNION":
			names := make([]string, len(t.PossibleTypes))
			for i, x := range t.PossibleTypes {
				names[i] = x.Name
			}
			fmt.Fprintf(&b, "union %s = %s\n", t.Name, strings.Join(names, " | "))
		case "ENUM":
			fmt.Fprintf(&b, "enum %s {\n", t.Name)
			for _, v := range t.EnumValues {
				fmt.Fprintf(&b, "  %s%s\n", v.Name, deprecated(v))
			}
			b.WriteString("}\n")
		case "INPUT_OBJECT":
			fmt.Fprintf(&b, "input %s {\n", t.Name)
			for _, v := range t.InputFields {
				fmt.Fprintf(&b, "  %s: %s", v.Name, v.Type)
				if v.DefaultValue != nil {
					b.WriteString(" = " + *v.DefaultValue)
				}
				b.WriteString("\n")
			}
			b.WriteString("}\n")
		}
	}
	return b.String()
}

func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	path := schemaFile(t)
	if path == "" {
		t.Skip("Shopify's Admin API schema (shared/reference/shopify/admin_schema_2025-01.json.gz) is not beside the repository; set SHOPIFY_ADMIN_SCHEMA to validate the documents")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var in introspection
	if err := json.NewDecoder(zr).Decode(&in); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	sources := []*ast.Source{{Name: "admin_2025-01.graphql", Input: toSDL(in)}}
	for i, d := range schemaDifferences {
		sources = append(sources, &ast.Source{Name: fmt.Sprintf("difference-%d.graphql", i), Input: d.sdl})
	}
	schema, gerr := gqlparser.LoadSchema(sources...)
	if gerr != nil {
		t.Fatalf("load the schema: %v", gerr)
	}
	return schema
}

// TestDocumentsAgainstSchema validates every query and mutation document the
// client sends at DefaultAPIVersion, and at 2025-01 without the directive,
// and checks that none selects a deprecated field.
func TestDocumentsAgainstSchema(t *testing.T) {
	schema := loadSchema(t)
	for _, version := range []string{DefaultAPIVersion, "2025-01"} {
		docs := documents(version)
		names := make([]string, 0, len(docs))
		for n := range docs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			t.Run(version+"/"+name, func(t *testing.T) {
				doc, errs := loadQuery(schema, docs[name])
				if errs != nil {
					t.Fatalf("%s does not validate: %v\n%s", name, errs, docs[name])
				}
				for _, op := range doc.Operations {
					walkDeprecated(t, op.SelectionSet)
				}
			})
		}
	}
}

func walkDeprecated(t *testing.T, sel ast.SelectionSet) {
	for _, s := range sel {
		f, ok := s.(*ast.Field)
		if !ok {
			continue
		}
		if f.Definition != nil && f.Definition.Directives.ForName("deprecated") != nil {
			t.Errorf("selects the deprecated field %s.%s", f.ObjectDefinition.Name, f.Name)
		}
		walkDeprecated(t, f.SelectionSet)
	}
}

// TestVariablesAgainstSchema validates the variables the sinks build for
// their mutations against the input types of the schema.
func TestVariablesAgainstSchema(t *testing.T) {
	schema := loadSchema(t)
	cases := []struct {
		name, doc string
		vars      map[string]any
	}{
		{"SetQuantities", docSetQuantities(DefaultAPIVersion), map[string]any{
			"key": uuidFrom("k"),
			"input": map[string]any{"name": "available", "reason": "correction", "referenceDocumentUri": "gid://junction/StockLevel/A@main/1",
				"quantities": []any{map[string]any{"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/1", "quantity": 5, "compareQuantity": 3}}},
		}},
		{"FulfillmentCreate", docFulfillmentCreate, map[string]any{
			"fulfillment": map[string]any{"notifyCustomer": false, "trackingInfo": map[string]any{"company": "DHL", "number": "1", "url": "https://t.example/1"},
				"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1",
					"fulfillmentOrderLineItems": []any{map[string]any{"id": "gid://shopify/FulfillmentOrderLineItem/1", "quantity": 2}}}}},
		}},
		{"TrackingUpdate", docTrackingUpdate, map[string]any{"id": "gid://shopify/Fulfillment/1", "tracking": map[string]any{"number": "2"}, "notify": true}},
		{"MetafieldsSet", docMetafieldsSet, map[string]any{"metafields": []any{map[string]any{
			"ownerId": "gid://shopify/Order/1", "namespace": MetafieldNamespace, "key": metafieldKey("S1"), "type": "json", "value": `{"number":"S1"}`}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, errs := loadQuery(schema, tc.doc)
			if errs != nil {
				t.Fatal(errs)
			}
			if _, err := validator.VariableValues(schema, doc.Operations[0], tc.vars); err != nil {
				t.Errorf("variables do not validate: %v", err)
			}
		})
	}
}

// TestSchemaRejects shows the converted schema is strict: documents that
// Shopify would refuse fail here too.
func TestSchemaRejects(t *testing.T) {
	schema := loadSchema(t)
	for _, doc := range []string{
		`query { orders(first: 1) { nodes { idd } } }`,
		`query { orders(first: "x") { nodes { id } } }`,
		`mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: []}) @idempotent { userErrors { code } } }`,
		`query { customers(first: 1) { nodes { defaultEmailAddress } } }`,
	} {
		if _, errs := loadQuery(schema, doc); errs == nil {
			t.Errorf("the schema accepts %s", doc)
		}
	}
}
