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
// A connector's own tests call Run against its fake server; for a made-up
// CRM connector "acmecrm" with its fake "acmecrmtest":
//
//	func TestContactsConformance(t *testing.T) {
//		srv := acmecrmtest.NewServer(t)
//		crm := acmecrm.New(acmecrm.Config{BaseURL: srv.URL, Token: "test"})
//		connectortest.Run(t, connectortest.Harness[canonical.Customer]{
//			System: "acmecrm",
//			Source: crm.Contacts(),
//			Sink:   crm.Contacts(),
//			Create: srv.CreateContacts, // records made in the fake, not through Sink
//			Update: srv.EditContact,
//			Entity: newCustomer,         // func(key string, rev int) canonical.Customer
//			Count:  srv.CountContacts,   // live records the fake holds for a key
//		})
//	}
//
// Checks that need a capability the connector lacks (connector.CapabilitiesOf)
// or a harness function left nil are skipped, with the reason in the test
// output.
package connectortest
