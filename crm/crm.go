// Package crm is the port for customer-relationship systems (HubSpot,
// Salesforce): contacts and the deals they bring, in canonical types.
// crm/memcrm simulates one in memory.
package crm

import (
	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector"
)

// CRM is a customer-relationship system.
type CRM interface {
	// Contacts creates or updates contacts. The CRM de-duplicates by email: a
	// second customer with a known email updates the existing contact.
	Contacts() connector.Sink[canonical.Customer]
	// Deals records each sales order as a deal of its customer's contact,
	// keeping its amount and stage in step with the order.
	Deals() connector.Sink[canonical.SalesOrder]
	// ContactChanges yields contact changes made in the CRM (consent, owner).
	ContactChanges() connector.Source[canonical.Customer]
}
