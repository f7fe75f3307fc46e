package pglocal

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// FallbackRoot is where `indigo serve` keeps the cluster when it runs as root
// and the "postgres" user cannot reach the data dir it was given, as with a
// checkout under /root (mode 0700). /var/lib is searchable by everyone.
const FallbackRoot = "/var/lib/indigo"

// originName is a note next to a relocated cluster naming the data dir it
// stands in for, for the person who finds it.
const originName = "origin"

// placeDataDir decides where the cluster of dir lives. As root with a
// fallback root set, a dir the server account cannot reach is replaced by
// fallbackRoot/<hash of dir>/pg: the same place on every start, so its data
// survives restarts. why says what made it move; it is nil when the cluster
// stays at dir.
//
// Data decides first, reachability second: a dir that holds a cluster keeps
// it (it was reachable once; the error then names the parent to open), and a
// relocated cluster stays relocated after the parent becomes reachable,
// since moving back would start an empty one.
func (o owner) placeDataDir(dir, fallbackRoot string) (place string, why error) {
	if o.cred == nil || fallbackRoot == "" || hasCluster(dir) {
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dir))
	alt := filepath.Join(fallbackRoot, hex.EncodeToString(sum[:8]), "pg")
	if hasCluster(alt) {
		return alt, fmt.Errorf("the cluster of %s was relocated to %s by an earlier start", dir, alt)
	}
	if err := o.checkReachable(dir); err != nil {
		return alt, err
	}
	return dir, nil
}

func hasCluster(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	return err == nil
}

// writeOrigin leaves the note next to a relocated cluster; a failure only
// costs the note.
func writeOrigin(place, dir string) {
	_ = os.WriteFile(filepath.Join(filepath.Dir(place), originName), []byte(dir+"\n"), 0o644)
}
