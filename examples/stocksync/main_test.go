package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/junctionhq/junction/canonical"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store"
	"github.com/junctionhq/junction/mapping"
)

// TestRun runs the whole example and checks the lines that tell its story.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	t.Log("\n" + got)
	for _, want := range []string{
		// 1. the dry run: creates, updates with diffs, parks, nothing written
		"9 changes would give: create 5, park:invalid 2, update 2",
		"park:invalid 100301@main @ s6: map: mapping erp StockLevel 100301@main: sku: no entry in table \"skus.csv\"",
		"update 100102@main @ s8",
		"(checkpoint still empty, shop untouched)",
		// 2. the first full sync parks the unmapped items with their field path
		"read 9, applied 7, skipped 0, parked 2; checkpoint 9",
		"shop sells: TEE-BLK-S 40, TEE-BLK-M 57, TEE-BLK-L 35, HOOD-GRY-M 18, HOOD-GRY-L 15",
		`parked ex-000001 100301@main @ s6: invalid, field "sku" unmapped (value "100301")`,
		`parked ex-000002 100302@main @ s7: invalid, field "sku" unmapped (value "100302")`,
		// 3. the late update is stale
		"read 100101@main @ s11: applied as TEE-BLK-S, available 50 (updated)\n" +
			"   read 100101@main @ s10: skipped, stale: version s10 is older than applied s11",
		"shop TEE-BLK-S available 50, ERP 50",
		// 4. the reloaded table, ContinuePastParked and the replays
		"table: 5 rows → 7 rows",
		"read 100301@main @ s12: applied as MUG-ENM-WHT, available 36 (created)",
		"replay ex-000001 (100301@main @ s6): skipped, stale: version s6 is older than applied s12; exception resolved",
		"replay ex-000002 (100302@main @ s7): applied as MUG-ENM-BLU, available 18 (created); exception resolved",
		// 5. the check
		"100301   MUG-ENM-WHT     36    36  ok",
		"open exceptions 0",
		"in step: every SKU matches",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	// The update's diff shows the available quantity going from 60 to 57.
	if want := "available.value: 60 → 57"; !strings.Contains(got, want) {
		t.Errorf("the dry run's diff lacks %q", want)
	}
	if strings.Contains(got, "MISMATCH") {
		t.Error("the output reports a mismatch")
	}
}

// TestEndState checks the systems themselves after the story, not the
// printed account: every SKU agrees, nothing is left parked, and the late
// count was recorded as stale.
func TestEndState(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	s, err := setup(ctx, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(context.Context) error{s.dryRun, s.firstSync, s.lateUpdate, s.fixAndReplay} {
		if err := step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, it := range catalogue() {
		want := s.erp.Level(it.erp, location).Available
		got, ok := s.shop.Available(it.sku, location)
		if c, err := want.Cmp(got); !ok || err != nil || c != 0 {
			t.Errorf("%s (%s): shop %v (set %v), ERP %v", it.sku, it.erp, got, ok, want)
		}
	}
	for ex, err := range s.st.Exceptions(ctx, store.ExceptionFilter{Flow: flowName, Status: store.Open}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("exception %s for %s is still open", ex.ID, ex.Key)
	}
	stats, err := s.eng.Stats(flowName)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Skipped[store.Stale] != 2 {
		t.Errorf("stale skips = %d, want 2 (the late count and the superseded parked one)", stats.Skipped[store.Stale])
	}
}

// TestMapReadsCurrentTable shows why the fix needs no restart: the mapping
// function loads the table on every call, so a swapped table applies to the
// next change and to every replay.
func TestMapReadsCurrentTable(t *testing.T) {
	s, err := setup(context.Background(), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	level := canonical.StockLevel{SKU: "100302", Location: location}
	_, err = s.toShop(context.Background(), flow.Env{}, level)
	var me *mapping.Error
	if !errors.As(err, &me) || len(me.Fields) != 1 || me.Fields[0].Path != "sku" || me.Fields[0].Value != "100302" {
		t.Fatalf("unmapped item: err = %v, want a mapping error at path sku naming 100302", err)
	}
	table, err := mapping.LoadCSV("skus.csv", strings.NewReader(skusCSV+newRange))
	if err != nil {
		t.Fatal(err)
	}
	s.skus.Store(table)
	got, err := s.toShop(context.Background(), flow.Env{}, level)
	if err != nil || got.SKU != "MUG-ENM-BLU" {
		t.Fatalf("after the reload: %q, %v; want MUG-ENM-BLU", got.SKU, err)
	}
}
