package mapping

import (
	"fmt"
	"strings"

	"github.com/junctionhq/junction/canonical"
)

// keySep separates the parts of a composite key, as in Oracle AIA's
// "Domain::ID" cross-reference keys.
const keySep = "::"

// Key builds a composite ID from parts, for sub-entities that have no ID of
// their own in the crosswalk: an order line ("1001::3"), an address of a
// customer, a contact. Each part is escaped ('%' as "%25", ':' as "%3A"), so
// any part may contain the separator and SplitKey gives the parts back;
// "gid://shopify/Order/1" becomes "gid%3A//shopify/Order/1".
func Key(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteString(keySep)
		}
		if !strings.ContainsAny(p, "%:") {
			b.WriteString(p)
			continue
		}
		for j := 0; j < len(p); j++ {
			switch p[j] {
			case '%':
				b.WriteString("%25")
			case ':':
				b.WriteString("%3A")
			default:
				b.WriteByte(p[j])
			}
		}
	}
	return b.String()
}

// LineKey is Key(docID, lineID): the crosswalk ID of a document line.
func LineKey(docID, lineID string) string { return Key(docID, lineID) }

// SplitKey returns the parts of a key built by Key. A key with a malformed
// escape is an error.
func SplitKey(key string) ([]string, error) {
	parts := strings.Split(key, keySep)
	for i, p := range parts {
		if !strings.Contains(p, "%") {
			continue
		}
		var b strings.Builder
		for j := 0; j < len(p); j++ {
			if p[j] != '%' {
				b.WriteByte(p[j])
				continue
			}
			switch {
			case strings.HasPrefix(p[j:], "%25"):
				b.WriteByte('%')
			case strings.HasPrefix(p[j:], "%3A"):
				b.WriteByte(':')
			default:
				return nil, fmt.Errorf("mapping: malformed composite key %q", key)
			}
			j += 2
		}
		parts[i] = b.String()
	}
	return parts, nil
}

// SubRef returns the ref of a sub-entity (a line, an address, a contact) of
// the entity parent refers to, in parent's system: SubRef(orderRef,
// "LineItem", "3") is {System: orderRef.System, Type: "LineItem", ID:
// Key(orderRef.ID, "3")}. Link and translate sub-refs under their own entity
// name ("SalesOrderLine"), and read the line ID back with SplitKey.
func SubRef(parent canonical.ExternalRef, typ, id string) canonical.ExternalRef {
	return canonical.ExternalRef{System: parent.System, Type: typ, ID: Key(parent.ID, id)}
}
