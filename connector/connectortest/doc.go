// Package connectortest helps test connectors and the code built on them.
//
// It offers three things:
//
//   - Memory, an in-memory system that is both a connector.Source and a
//     connector.Sink, with fault injection, for testing flows and engines
//     without a fake server;
//   - Run, the conformance suite every Source and Sink must pass, driven by a
//     Harness that knows how to create and inspect records in the system under
//     test;
//   - Clock, a fake connector.Clock whose Sleep returns at once and records the
//     wait.
//
// A connector's own tests call Run against its fake server:
//
//	func TestOrdersConformance(t *testing.T) {
//		srv := shopifytest.NewServer(t)
//		conn := shopify.New(shopify.Config{BaseURL: srv.URL, Token: "test"})
//		connectortest.Run(t, connectortest.Harness[canonical.SalesOrder]{
//			System: "shopify",
//			Source: conn.Orders(),
//			Create: srv.CreateOrders,
//			Update: srv.AmendOrder,
//		})
//	}
package connectortest
