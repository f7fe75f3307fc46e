package storage_test

import (
	"testing"

	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
