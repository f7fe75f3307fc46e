package conversations_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/indigo-warehouse/indigo/conversations"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestFlows keeps every flow readable as declared: each state of the table
// has a step, each step is reachable from Start, and every state carries
// the flow's name as prefix.
func TestFlows(t *testing.T) {
	for _, f := range conversations.Flows() {
		t.Run(f.Name, func(t *testing.T) {
			states := map[string]bool{f.Start: true}
			for _, ev := range f.Transitions {
				for _, src := range ev.Src {
					states[src] = true
				}
				states[ev.Dst] = true
			}
			for s := range states {
				if s == conversations.Idle {
					continue
				}
				if !strings.HasPrefix(s, f.Name+".") {
					t.Errorf("state %q lacks the prefix %q", s, f.Name+".")
				}
				if _, ok := f.Steps[s]; !ok {
					t.Errorf("state %q has no step", s)
				}
			}
			for s, step := range f.Steps {
				if step.Ask == nil || step.Read == nil {
					t.Errorf("step %q lacks Ask or Read", s)
				}
				if !states[s] {
					t.Errorf("step %q is in no transition", s)
				}
			}
		})
	}
}

// TestFlowDiagrams keeps a Mermaid diagram of each flow next to the code,
// so a change of a flow shows as a change of its picture in review.
func TestFlowDiagrams(t *testing.T) {
	for _, f := range conversations.Flows() {
		t.Run(f.Name, func(t *testing.T) {
			got, err := conversations.Visualize(f)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, f.Name+".mmd", got)
		})
	}
}

// TestRegistry keeps the registry's listing next to the code: a new
// command, button or accepted input shows in review as a line of it.
func TestRegistry(t *testing.T) { golden(t, "registry.md", conversations.DescribeRegistry()) }

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./conversations -run '%s' -update)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s is stale: run go test ./conversations -run '%s' -update\n%s", path, t.Name(), got)
	}
}
