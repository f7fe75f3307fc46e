package pglocal

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoBinaries is wrapped in Start's error when initdb, pg_ctl or postgres
// cannot be found.
var ErrNoBinaries = errors.New("postgresql server binaries (initdb, pg_ctl, postgres) not found: install them with apt-get install -y postgresql")

// debianRoot is where Debian puts each major version's server binaries; they
// are not on PATH there, so the search must look in it explicitly.
const debianRoot = "/usr/lib/postgresql"

var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// findBinaries returns the first directory holding all server binaries:
// binDir alone when it is set, otherwise pg_ctl's directory on PATH, then
// debianRoot/<version>/bin, highest version first.
func findBinaries(binDir string) (string, error) {
	var candidates []string
	if binDir != "" {
		candidates = []string{binDir}
	} else {
		if p, err := exec.LookPath("pg_ctl"); err == nil {
			candidates = append(candidates, filepath.Dir(p))
		}
		candidates = append(candidates, debianBinDirs(debianRoot)...)
	}
	for _, dir := range candidates {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	where := "PATH and " + debianRoot + "/*/bin"
	if binDir != "" {
		where = binDir
	}
	return "", fmt.Errorf("%w (looked in %s)", ErrNoBinaries, where)
}

func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// debianBinDirs lists root/<version>/bin by version, highest first. Versions
// sort numerically so that 10 outranks 9.6.
func debianBinDirs(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return compareVersions(b, a) })
	dirs := make([]string, len(versions))
	for i, v := range versions {
		dirs[i] = filepath.Join(root, v, "bin")
	}
	return dirs
}

// compareVersions compares dotted versions part by part, numerically where
// both parts are numbers.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		if errA != nil || errB != nil {
			if c := strings.Compare(pa[i], pb[i]); c != 0 {
				return c
			}
			continue
		}
		if na != nb {
			return na - nb
		}
	}
	return len(pa) - len(pb)
}
