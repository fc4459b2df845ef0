package mapping

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/junctionhq/junction/canonical"
)

func ref(system, id string) canonical.ExternalRef {
	return canonical.ExternalRef{System: system, ID: id}
}

// brokenCrosswalk fails every call, as a crosswalk whose database is down.
type brokenCrosswalk struct{ err error }

func (b brokenCrosswalk) Lookup(context.Context, string, canonical.ExternalRef) (string, bool, error) {
	return "", false, b.err
}
func (b brokenCrosswalk) Refs(context.Context, string, string) ([]canonical.ExternalRef, error) {
	return nil, b.err
}
func (b brokenCrosswalk) Link(context.Context, string, string, canonical.ExternalRef) error {
	return b.err
}
func (b brokenCrosswalk) Merge(context.Context, string, string, string) error { return b.err }

func mustLink(t *testing.T, cw Crosswalk, entity, id string, refs ...canonical.ExternalRef) {
	t.Helper()
	for _, r := range refs {
		if err := cw.Link(context.Background(), entity, id, r); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTranslate(t *testing.T) {
	ctx := context.Background()
	cw := NewMemCrosswalk()
	// Two guest-checkout shop customers belong to one ERP account.
	mustLink(t, cw, "Customer", "cus-1", ref("shopify", "7"), ref("shopify", "9"), ref("bc", "C10023"))
	mustLink(t, cw, "Customer", "cus-2", ref("shopify", "11"))
	// An order linked twice in the shop (order and draft order).
	mustLink(t, cw, "SalesOrder", "so-1", ref("bc", "SO-1"),
		canonical.ExternalRef{System: "shopify", Type: "Order", ID: "1001"},
		canonical.ExternalRef{System: "shopify", Type: "DraftOrder", ID: "D5"})

	tests := []struct {
		name     string
		entity   string
		from     canonical.ExternalRef
		to       string
		want     canonical.ExternalRef
		wantCode string
	}{
		{"shop to ERP", "Customer", ref("shopify", "7"), "bc", ref("bc", "C10023"), ""},
		{"many to one", "Customer", ref("shopify", "9"), "bc", ref("bc", "C10023"), ""},
		{"ERP to shop is ambiguous", "Customer", ref("bc", "C10023"), "shopify", canonical.ExternalRef{}, CodeAmbiguous},
		{"not linked at all", "Customer", ref("shopify", "404"), "bc", canonical.ExternalRef{}, CodeNotLinked},
		{"no ref in target system", "Customer", ref("shopify", "11"), "bc", canonical.ExternalRef{}, CodeNotLinked},
		{"entities are separate namespaces", "SalesOrder", ref("shopify", "7"), "bc", canonical.ExternalRef{}, CodeNotLinked},
		{"type is part of the identity", "SalesOrder", ref("shopify", "1001"), "bc", canonical.ExternalRef{}, CodeNotLinked},
		{"typed ref", "SalesOrder", canonical.ExternalRef{System: "shopify", Type: "Order", ID: "1001"}, "bc", ref("bc", "SO-1"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Translate(ctx, cw, tt.entity, tt.from, tt.to)
			if tt.wantCode == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Translate = %v, %v; want %v", got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, ErrUnmapped) {
				t.Fatalf("err = %v, want a miss matching ErrUnmapped", err)
			}
			var fe fieldErrorer
			if !errors.As(err, &fe) || fe.FieldErrors()[0].Code != tt.wantCode {
				t.Fatalf("err = %v, want a data problem with code %q", err, tt.wantCode)
			}
			for _, want := range []string{tt.entity, tt.from.System, tt.from.ID, tt.to} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
		})
	}

	all, err := TranslateAll(ctx, cw, "Customer", ref("bc", "C10023"), "shopify")
	if diff := cmp.Diff([]canonical.ExternalRef{ref("shopify", "7"), ref("shopify", "9")}, all); err != nil || diff != "" {
		t.Errorf("TranslateAll: %v (-want +got):\n%s", err, diff)
	}
}

func TestTranslateStoreFailureIsNotADataProblem(t *testing.T) {
	down := errors.New("connection refused")
	_, err := Translate(context.Background(), brokenCrosswalk{down}, "Customer", ref("shopify", "7"), "bc")
	if !errors.Is(err, down) {
		t.Fatalf("err = %v, want the store error wrapped", err)
	}
	var errs Errors
	if got := errs.Collect("customer", err); !errors.Is(got, down) || errs.Len() != 0 {
		t.Errorf("Collect filed an infrastructure failure as a data problem: %v, %d", got, errs.Len())
	}
}

func TestResolveOrCreate(t *testing.T) {
	ctx := context.Background()
	cw := NewMemCrosswalk()
	mustLink(t, cw, "Customer", "cus-1", ref("shopify", "7"))
	calls := 0
	create := func(context.Context) (string, canonical.ExternalRef, error) {
		calls++
		return "cus-new", ref("bc", "C20001"), nil
	}

	id, created, err := ResolveOrCreate(ctx, cw, "Customer", ref("shopify", "7"), create)
	if err != nil || id != "cus-1" || created || calls != 0 {
		t.Fatalf("known ref: %q, %v, %v, calls=%d", id, created, err, calls)
	}
	id, created, err = ResolveOrCreate(ctx, cw, "Customer", ref("shopify", "8"), create)
	if err != nil || id != "cus-new" || !created || calls != 1 {
		t.Fatalf("new ref: %q, %v, %v, calls=%d", id, created, err, calls)
	}
	// Both refs are linked: the second call resolves without creating, and the
	// shop customer translates to the new ERP customer.
	if id, created, _ = ResolveOrCreate(ctx, cw, "Customer", ref("shopify", "8"), create); created || calls != 1 || id != "cus-new" {
		t.Errorf("second call created again (calls=%d)", calls)
	}
	if got, err := Translate(ctx, cw, "Customer", ref("shopify", "8"), "bc"); err != nil || got != ref("bc", "C20001") {
		t.Errorf("Translate after create = %v, %v", got, err)
	}

	refused := &ValueError{Code: CodeInvalid, Value: "x", Reason: "ERP refused"}
	failing := []struct {
		name   string
		create func(context.Context) (string, canonical.ExternalRef, error)
		want   error
	}{
		{"create error is returned as is", func(context.Context) (string, canonical.ExternalRef, error) {
			return "", canonical.ExternalRef{}, refused
		}, refused},
		{"no canonical ID", func(context.Context) (string, canonical.ExternalRef, error) {
			return "", ref("bc", "C1"), nil
		}, nil},
	}
	for _, tt := range failing {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ResolveOrCreate(ctx, cw, "Customer", ref("shopify", "99"), tt.create)
			if err == nil || (tt.want != nil && err != tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if _, ok, _ := cw.Lookup(ctx, "Customer", ref("shopify", "99")); ok {
				t.Error("a failed create linked the ref")
			}
		})
	}

	// Minting only a canonical ID (no target ref) links the source ref alone.
	id, _, err = ResolveOrCreate(ctx, cw, "Customer", ref("shopify", "50"), func(context.Context) (string, canonical.ExternalRef, error) {
		return "cus-50", canonical.ExternalRef{}, nil
	})
	if refs, _ := cw.Refs(ctx, "Customer", id); err != nil || len(refs) != 1 {
		t.Errorf("refs after minting = %v, %v", refs, err)
	}
	if _, _, err := ResolveOrCreate(ctx, brokenCrosswalk{errors.New("down")}, "Customer", ref("s", "1"), create); err == nil {
		t.Error("store failure was not reported")
	}
}

func TestMergeKeepsAliases(t *testing.T) {
	ctx := context.Background()
	cw := NewMemCrosswalk()
	mustLink(t, cw, "Customer", "cus-1", ref("shopify", "7"), ref("bc", "C10023"))
	mustLink(t, cw, "Customer", "cus-2", ref("shopify", "12"), ref("crm", "H-5"))

	if err := Merge(ctx, cw, "Customer", "cus-2", "cus-1"); err != nil {
		t.Fatal(err)
	}
	// The loser's refs resolve to the winner and translate through it.
	if id, ok, _ := cw.Lookup(ctx, "Customer", ref("shopify", "12")); !ok || id != "cus-1" {
		t.Errorf("loser's ref resolves to %q, %v; want cus-1", id, ok)
	}
	if got, err := Translate(ctx, cw, "Customer", ref("crm", "H-5"), "bc"); err != nil || got != ref("bc", "C10023") {
		t.Errorf("loser's CRM ref translates to %v, %v", got, err)
	}
	// The loser's ID is an alias: its refs are the winner's.
	winner, _ := cw.Refs(ctx, "Customer", "cus-1")
	alias, _ := cw.Refs(ctx, "Customer", "cus-2")
	if len(winner) != 4 || !cmp.Equal(winner, alias) {
		t.Errorf("refs of winner %v and alias %v differ or are incomplete", winner, alias)
	}

	for _, tt := range []struct{ loser, winner string }{{"cus-1", "cus-1"}, {"", "cus-1"}, {"cus-1", "cus-2"}, {"cus-2", "cus-3"}} {
		if err := Merge(ctx, cw, "Customer", tt.loser, tt.winner); err == nil {
			t.Errorf("Merge(%q into %q) succeeded", tt.loser, tt.winner)
		}
	}
	if err := Merge(ctx, brokenCrosswalk{errors.New("down")}, "Customer", "a", "b"); err == nil || !strings.Contains(err.Error(), "down") {
		t.Errorf("store failure = %v", err)
	}
}

func TestMemCrosswalkRelink(t *testing.T) {
	ctx := context.Background()
	cw := &MemCrosswalk{} // the zero value works
	r := canonical.ExternalRef{System: "shopify", ID: "7", Version: "v1"}
	mustLink(t, cw, "Customer", "a", r)
	r.Version = "v2"
	mustLink(t, cw, "Customer", "a", r) // same ID: updates the version only
	mustLink(t, cw, "Customer", "b", ref("bc", "C1"))
	if refs, _ := cw.Refs(ctx, "Customer", "a"); len(refs) != 1 || refs[0].Version != "v2" {
		t.Errorf("refs after relink = %v", refs)
	}
	mustLink(t, cw, "Customer", "b", r) // another ID: re-points
	if refs, _ := cw.Refs(ctx, "Customer", "a"); len(refs) != 0 {
		t.Errorf("old ID still has refs %v", refs)
	}
	if id, _, _ := cw.Lookup(ctx, "Customer", r); id != "b" {
		t.Errorf("re-pointed ref resolves to %q", id)
	}
	if err := cw.Link(ctx, "Customer", "", r); err == nil {
		t.Error("Link with empty ID succeeded")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := cw.Lookup(cancelled, "Customer", r); !errors.Is(err, context.Canceled) {
		t.Errorf("Lookup on a cancelled context = %v", err)
	}
}

func TestMemCrosswalkConcurrent(t *testing.T) {
	ctx := context.Background()
	cw := NewMemCrosswalk()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("c-%d-%d", w, i)
				_ = cw.Link(ctx, "Customer", id, ref("shopify", id))
				_ = cw.Link(ctx, "Customer", id, ref("bc", id))
				_, _ = Translate(ctx, cw, "Customer", ref("shopify", id), "bc")
				if i > 0 {
					_ = cw.Merge(ctx, "Customer", id, fmt.Sprintf("c-%d-%d", w, i-1))
				}
			}
		})
	}
	wg.Wait()
	// Every chain of merges ends at the first customer of its worker.
	if id, _, _ := cw.Lookup(ctx, "Customer", ref("shopify", "c-2-199")); id != "c-2-0" {
		t.Errorf("merged chain resolves to %q, want c-2-0", id)
	}
	if refs, _ := cw.Refs(ctx, "Customer", "c-3-0"); len(refs) != 400 {
		t.Errorf("root of a 200-customer merge chain has %d refs, want 400", len(refs))
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"1001", "3"}, "1001::3"},
		{[]string{"gid://shopify/Order/1", "gid://shopify/LineItem/2"}, "gid%3A//shopify/Order/1::gid%3A//shopify/LineItem/2"},
		{[]string{"a:", ":b"}, "a%3A::%3Ab"},
		{[]string{"50%", "x"}, "50%25::x"},
		{[]string{"", ""}, "::"},
		{[]string{"C1", "ship-to", "2"}, "C1::ship-to::2"},
	}
	for _, tt := range tests {
		got := Key(tt.parts...)
		if got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.parts, got, tt.want)
		}
		back, err := SplitKey(got)
		if err != nil || !cmp.Equal(back, tt.parts) {
			t.Errorf("SplitKey(%q) = %q, %v; want %q", got, back, err, tt.parts)
		}
	}
	if LineKey("1001", "3") != Key("1001", "3") {
		t.Error("LineKey differs from Key")
	}
	for _, bad := range []string{"50%", "a%3", "x%41"} {
		if _, err := SplitKey(bad); err == nil {
			t.Errorf("SplitKey(%q) accepted a malformed escape", bad)
		}
	}
}

func TestSubRefTranslatesLines(t *testing.T) {
	ctx := context.Background()
	cw := NewMemCrosswalk()
	shopOrder := canonical.ExternalRef{System: "shopify", Type: "Order", ID: "gid://shopify/Order/1"}
	erpOrder := ref("bc", "SO-1")
	shopLine := SubRef(shopOrder, "LineItem", "gid://shopify/LineItem/77")
	erpLine := SubRef(erpOrder, "", "20000")
	mustLink(t, cw, "SalesOrderLine", LineKey("so-1", "1"), shopLine, erpLine)

	got, err := Translate(ctx, cw, "SalesOrderLine", shopLine, "bc")
	if err != nil {
		t.Fatal(err)
	}
	parts, err := SplitKey(got.ID)
	if err != nil || len(parts) != 2 || parts[0] != "SO-1" || parts[1] != "20000" {
		t.Errorf("translated line %v splits into %q, %v", got, parts, err)
	}
	if shopLine.System != "shopify" || shopLine.Type != "LineItem" {
		t.Errorf("SubRef = %+v", shopLine)
	}
}
