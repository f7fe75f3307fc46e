package pgtest

import (
	"context"
	"testing"

	"github.com/indigo-warehouse/indigo/storage"
)

// Replicas opens n connection pools on one fresh, migrated database: as
// many Indigo replicas sharing their PostgreSQL, for tests that a job
// does its work once however many replicas run it.
func Replicas(tb testing.TB, n int) []*storage.DB {
	tb.Helper()
	url := NewURL(tb)
	dbs := make([]*storage.DB, n)
	for i := range dbs {
		db, err := storage.Open(context.Background(), url, SecretKey)
		if err != nil {
			tb.Fatalf("pgtest: open replica %d: %v", i, err)
		}
		tb.Cleanup(db.Close)
		dbs[i] = db
	}
	return dbs
}
