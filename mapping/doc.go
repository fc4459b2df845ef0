// Package mapping holds the helpers that turn one system's shape into
// another's. Integration logic is mostly mapping, and most integration bugs
// are mapping bugs, so these helpers aim to make a mapping function short,
// total (every input gives an output or a named error) and explainable (every
// error says which record, which field, which value and which table).
//
// The pieces:
//
//   - Table: named lookup tables for codes (order status, tax code, payment
//     method, carrier service, location), strict or with a default, loaded
//     from CSV or JSON so operations staff can edit them (LoadCSV, LoadJSON),
//     reversible when injective (Reverse) and checkable for totality over an
//     enum in tests (Table.CheckTotal).
//   - Crosswalk helpers: Translate a ref from one system to another,
//     ResolveOrCreate an entity, Merge duplicates, and build composite keys for
//     lines, addresses and contacts (LineKey, SubRef). MemCrosswalk is an
//     in-memory Crosswalk for tests and examples.
//   - Codes and units: NormalizeCountry (ISO 3166-1, all 249 countries, names
//     and aliases), NormalizeCurrency, NormalizeUnit and ConvertQuantity (UN/ECE
//     Rec 20, exact decimal factors, product units), E164 phone numbers,
//     NormalizePostcode and NormalizeAddress.
//   - Match: find duplicate customers by hard keys (a definite match) and
//     scored fuzzy keys (proposals for a person, never merged automatically).
//   - Errors: collect every problem of a record with its field path, so one
//     run shows them all; the resulting *Error is classified as invalid data
//     by the connector package.
//   - Diff and Equal: field-path differences on go-cmp, with decimals compared
//     numerically, for dry-run reports and the unchanged check.
//
// A mapping function reads like this:
//
//	func mapOrder(ctx context.Context, src canonical.SalesOrder) (canonical.SalesOrder, error) {
//		errs := mapping.Errors{System: "shopify", Entity: "SalesOrder", Key: src.Number}
//		out := src
//		out.Status = statuses.Map(&errs, "status", src.Status)
//		for i, l := range src.Lines {
//			out.Lines[i].SKU = skus.Map(&errs, mapping.Path("lines", i, "sku"), l.SKU)
//		}
//		cust, err := mapping.Translate(ctx, xref, "Customer", shopRef, "erp")
//		if err := errs.Collect("customer", err); err != nil {
//			return out, err // the crosswalk failed: let the engine retry
//		}
//		...
//		return out, errs.Err() // nil, or every problem at once
//	}
//
// The package imports only canonical from this module (and go-cmp), so
// connectors, flows and tests can all use it. Everything here is safe for
// concurrent use except Errors, which belongs to one record being mapped.
package mapping
