package shopify

import "strings"

// The GraphQL documents the client sends. Each is validated against
// Shopify's published schema in schema_test.go. Costs follow Shopify's
// documented calculation (scalars and enums 0, objects 1, connections and
// sized lists 2 plus the page size times one item's cost, mutations 10)
// and are checked against the requestedQueryCost the fake reports.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits

// Field lists shared by several documents.
const (
	moneyFields   = `shopMoney { amount currencyCode }`
	addressFields = `name company address1 address2 city province provinceCode zip countryCodeV2 phone`
	lineFields    = `id sku title quantity currentQuantity unfulfilledQuantity variant { id sku } originalUnitPriceSet { ` + moneyFields + ` } totalDiscountSet { ` + moneyFields + ` }`
	txnFields     = `id kind status gateway processedAt amountSet { ` + moneyFields + ` } parentTransaction { id }`
	// orderFields omits lineItems and transactions, which take page sizes.
	orderFields = `id name email note createdAt updatedAt cancelledAt cancelReason currencyCode taxesIncluded
      displayFinancialStatus displayFulfillmentStatus
      customer { id firstName lastName }
      shippingAddress { ` + addressFields + ` }
      billingAddress { ` + addressFields + ` }
      currentSubtotalPriceSet { ` + moneyFields + ` }
      currentShippingPriceSet { ` + moneyFields + ` }
      currentTotalTaxSet { ` + moneyFields + ` }
      currentTotalPriceSet { ` + moneyFields + ` }
      totalRefundedSet { ` + moneyFields + ` }`
)

// Costs of the pieces above.
const (
	costMoneyBag    = 2 // MoneyBag and its MoneyV2
	costLine        = 1 + 1 + 2*costMoneyBag
	costTxn         = 1 + costMoneyBag + 1
	costOrderFields = 1 + 1 + 2 + 5*costMoneyBag // order, customer, two addresses, five bags
)

// txnsPerOrder is how many transactions an orders page reads per order;
// an order with more is completed by a follow-up query.
const txnsPerOrder = 5

const docShop = `query Shop { shop { name myshopifyDomain currencyCode } }`

const costShop = 1

const docOrders = `query Orders($first: Int!, $after: String, $query: String, $lines: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      ` + orderFields + `
      transactions(first: 5) { ` + txnFields + ` }
      lineItems(first: $lines) {
        pageInfo { hasNextPage endCursor }
        nodes { ` + lineFields + ` }
      }
    }
  }
}`

// costOrder is the cost of one order in docOrders with lines line items.
func costOrder(lines int) int {
	return costOrderFields + (2 + txnsPerOrder*costTxn) + (2 + lines*costLine)
}

func costOrders(first, lines int) int { return 2 + first*costOrder(lines) }

const docOrderLines = `query OrderLines($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ` + lineFields + ` }
    }
  }
}`

func costOrderLines(first int) int { return 1 + 2 + first*costLine }

const docOrderTransactions = `query OrderTransactions($id: ID!, $first: Int!) {
  order(id: $id) { transactions(first: $first) { ` + txnFields + ` } }
}`

func costOrderTransactions(first int) int { return 1 + 2 + first*costTxn }

const docCustomers = `query Customers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id firstName lastName displayName note createdAt updatedAt
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      defaultAddress { ` + addressFields + ` }
    }
  }
}`

func costCustomers(first int) int { return 2 + first*4 }

const variantFields = `id sku title barcode price inventoryItem { id }`

const docProducts = `query Products($first: Int!, $after: String, $query: String, $variants: Int!) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id title handle status createdAt updatedAt
      variants(first: $variants) {
        pageInfo { hasNextPage endCursor }
        nodes { ` + variantFields + ` }
      }
    }
  }
}`

func costProducts(first, variants int) int { return 2 + first*(1+2+variants*2) }

const docProductVariants = `query ProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { ` + variantFields + ` }
    }
  }
}`

func costProductVariants(first int) int { return 1 + 2 + first*2 }

const docOrderRefunds = `query OrderRefunds($first: Int!, $after: String, $query: String, $refunds: Int!) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id name updatedAt refunds(first: $refunds) { id updatedAt } }
  }
}`

func costOrderRefunds(first, refunds int) int { return 2 + first*(1+2+refunds) }

const docRefund = `query Refund($id: ID!, $lines: Int!) {
  refund(id: $id) {
    id createdAt updatedAt note
    totalRefundedSet { ` + moneyFields + ` }
    refundLineItems(first: $lines) {
      pageInfo { hasNextPage endCursor }
      nodes { quantity restockType lineItem { id sku } subtotalSet { ` + moneyFields + ` } totalTaxSet { ` + moneyFields + ` } }
    }
    transactions(first: 10) { nodes { ` + txnFields + ` } }
  }
}`

func costRefund(lines int) int {
	return 1 + costMoneyBag + (2 + lines*(1+1+costMoneyBag)) + (2 + 10*costTxn)
}

const docLocations = `query Locations { locations(first: 250) { nodes { id name } } }`

const costLocations = 2 + 250

const docVariantStock = `query VariantStock($query: String!, $location: ID!) {
  productVariants(first: 2, query: $query) {
    nodes {
      id sku
      inventoryItem { id inventoryLevel(locationId: $location) { id quantities(names: ["available", "on_hand"]) { name quantity } } }
    }
  }
}`

const costVariantStock = 2 + 2*(1+1+1+1)

// docSetQuantities is inventorySetQuantities for an API version: with the
// @idempotent directive from 2026-01, and with changeFromQuantity in place
// of compareQuantity from 2026-04 (the caller builds the input to match).
func docSetQuantities(version string) string {
	directive := ""
	if hasIdempotent(version) {
		directive = " @idempotent(key: $key)"
	}
	vars := "$input: InventorySetQuantitiesInput!"
	if directive != "" {
		vars += ", $key: String!"
	}
	return `mutation SetQuantities(` + vars + `) {
  inventorySetQuantities(input: $input)` + directive + ` {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange } }
    userErrors { code field message }
  }
}`
}

// hasIdempotent reports whether a version knows the @idempotent directive
// (2026-01 and later).
// https://shopify.dev/changelog/adding-idempotency-for-inventory-adjustments-and-refund-mutations
func hasIdempotent(version string) bool { return version == "unstable" || version >= "2026-01" }

// usesChangeFrom reports whether a version names the compare-and-set field
// changeFromQuantity (2026-04 and later) rather than compareQuantity.
// https://shopify.dev/docs/api/admin-graphql/2026-07/input-objects/InventorySetQuantityInput
func usesChangeFrom(version string) bool { return version == "unstable" || version >= "2026-04" }

const costMutation = 10

const docFulfillmentContext = `query FulfillmentContext($query: String!, $key: String!) {
  orders(first: 1, query: $query) {
    nodes {
      id name cancelledAt
      metafield(namespace: "` + MetafieldNamespace + `", key: $key) { value }
      fulfillments(first: 25) { id status trackingInfo(first: 5) { company number url } }
      fulfillmentOrders(first: 5) {
        nodes { id status lineItems(first: 50) { nodes { id remainingQuantity lineItem { id sku } } } }
      }
    }
  }
}`

const costFulfillmentContext = 2 + 1*(1+1+(2+25*(1+2+5))+(2+5*(1+2+50*2)))

const docFulfillmentCreate = `mutation FulfillmentCreate($fulfillment: FulfillmentInput!, $message: String) {
  fulfillmentCreate(fulfillment: $fulfillment, message: $message) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

const docTrackingUpdate = `mutation TrackingUpdate($id: ID!, $tracking: FulfillmentTrackingInput!, $notify: Boolean) {
  fulfillmentTrackingInfoUpdate(fulfillmentId: $id, trackingInfoInput: $tracking, notifyCustomer: $notify) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

const docFulfillmentCancel = `mutation FulfillmentCancel($id: ID!) {
  fulfillmentCancel(id: $id) {
    fulfillment { id status }
    userErrors { field message }
  }
}`

const docMetafieldsSet = `mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { namespace key }
    userErrors { code field message }
  }
}`

// documents returns every document the client sends at an API version, by
// name, for the schema test.
func documents(version string) map[string]string {
	return map[string]string{
		"Shop": docShop, "Orders": docOrders, "OrderLines": docOrderLines,
		"OrderTransactions": docOrderTransactions, "Customers": docCustomers,
		"Products": docProducts, "ProductVariants": docProductVariants,
		"OrderRefunds": docOrderRefunds, "Refund": docRefund, "Locations": docLocations,
		"VariantStock": docVariantStock, "SetQuantities": docSetQuantities(version),
		"FulfillmentContext": docFulfillmentContext, "FulfillmentCreate": docFulfillmentCreate,
		"TrackingUpdate": docTrackingUpdate, "FulfillmentCancel": docFulfillmentCancel,
		"MetafieldsSet": docMetafieldsSet,
	}
}

// quote quotes a value for Shopify's search syntax.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
