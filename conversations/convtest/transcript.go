package convtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// transcript.go: the golden transcripts. A story marked Golden, told
// through a driver that keeps its chat (Transcriber), is written down per
// channel and language in the adapter's testdata/transcripts: what a seller
// reads, for a native reader to read and for a review to see change.

var updateTranscripts = flag.Bool("update-transcripts", false, "rewrite testdata/transcripts/ from the stories told")

// Transcriber is a Driver that keeps what its chat showed, in order: the
// person's messages and presses, the bot's messages with their choices.
type Transcriber interface {
	Transcript() string
}

// volatile are the parts of a chat that differ from run to run: a token's
// last characters and the dates counted from today.
var volatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`…[A-Za-z0-9_-]{4}\b`), "…TOKN"},
	{regexp.MustCompile(`\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b`), "<date>"},
	{regexp.MustCompile(`\d{4}年\d{1,2}月\d{1,2}日`), "<date>"},
	{regexp.MustCompile(`\b\d{2}\.\d{2}\.\d{4}\b`), "<date>"},
}

func checkTranscript(tb testing.TB, d Driver, lang string, s Story) {
	tb.Helper()
	tr, ok := d.(Transcriber)
	if !s.Golden || !ok || tb.Failed() {
		return
	}
	got := tr.Transcript()
	for _, v := range volatile {
		got = v.re.ReplaceAllString(got, v.with)
	}
	path := filepath.Join("testdata", "transcripts", fmt.Sprintf("%s.%s.%s.txt", d.Identity().Channel, lang, s.Name))
	if *updateTranscripts {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v: tell the stories with -update-transcripts to write it", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		tb.Errorf("%s is stale (-want +got), or the chat changed: tell the stories with -update-transcripts and read it\n%s", path, diff)
	}
}
