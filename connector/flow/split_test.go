package flow_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/junctionhq/junction/connector"
	"github.com/junctionhq/junction/connector/connectortest"
	"github.com/junctionhq/junction/connector/flow"
	"github.com/junctionhq/junction/connector/store/memstore"
)

type basket struct {
	Items []string `json:"items"`
}

func TestSplitYieldsPartsWithSafeCursors(t *testing.T) {
	src := &script[basket]{}
	src.add("b1", seq(1), basket{Items: []string{"x", "y", "z"}})
	src.add("b2", seq(1), basket{})
	src.add("b1", seq(2), basket{Items: []string{"x", "y", "z", "w"}})
	parts := flow.Split(src, func(c connector.Change[basket]) ([]connector.Change[string], error) {
		var out []connector.Change[string]
		for _, it := range c.Entity.Items {
			out = append(out, connector.Change[string]{Key: c.Key + "/" + it, Version: seq(1), Entity: it})
		}
		return out, nil
	})
	var got []string
	for p, err := range parts.Changes(context.Background(), "") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s@%s", p.Key, p.Cursor))
	}
	want := []string{"b1/x@", "b1/y@", "b1/z@1", "b1/x@2", "b1/y@2", "b1/z@2", "b1/w@3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("parts = %v\nwant    %v", got, want)
	}
}

func TestSplitPartsRepeatedAcrossVersionsApplyOnce(t *testing.T) {
	src := &script[basket]{}
	src.add("b1", seq(1), basket{Items: []string{"x", "y"}})
	src.add("b1", seq(2), basket{Items: []string{"x", "y", "z"}})
	st := memstore.New()
	sink := connectortest.NewMemory[string]("dst")
	eng := flow.NewEngine(st, flow.WithLogger(quiet))
	err := flow.Add(eng, flow.Flow[string, string]{
		Name: "parts", Map: flow.Identity[string], Sink: sink,
		Source: flow.Split(src, func(c connector.Change[basket]) ([]connector.Change[string], error) {
			var out []connector.Change[string]
			for _, it := range c.Entity.Items {
				out = append(out, connector.Change[string]{Key: c.Key + "/" + it, Version: seq(1), Entity: it})
			}
			return out, nil
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.RunOnce(context.Background(), "parts")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 5 || rep.Applied != 3 {
		t.Fatalf("report %+v, want 5 read and 3 distinct parts applied", rep)
	}
	for _, k := range []string{"b1/x", "b1/y", "b1/z"} {
		if sink.Writes(k) != 1 {
			t.Errorf("%s written %d times", k, sink.Writes(k))
		}
	}
}
