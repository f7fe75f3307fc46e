package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// loadOrCreateSecretKey reads the key the embedded default generated on a
// previous start, or generates one (mode 0600) so that tokens stored by this
// data dir stay readable across restarts.
func loadOrCreateSecretKey(path string, log *slog.Logger) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err == nil {
		key, err := ParseSecretKey(strings.TrimSpace(string(raw)))
		if err != nil {
			return nil, fmt.Errorf("read secret key %s: %w", path, err)
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate secret key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	log.Warn("INDIGO_SECRET_KEY unset: generated one; keep it with the data, WB tokens cannot be read without it", "path", path)
	return key, nil
}
