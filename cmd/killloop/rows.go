package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The kill loop's own table in the service's database: one row per cycle,
// committed before that cycle's kill.
const createTable = `CREATE TABLE IF NOT EXISTS killloop_rows (
	cycle      int PRIMARY KEY,
	written_at timestamptz NOT NULL DEFAULT now()
)`

// checkRows fails unless rows 1..want, and no others, are there.
func checkRows(ctx context.Context, url string, want int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect to the embedded database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, createTable); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	var n, lowest, highest int
	const q = `SELECT count(*), coalesce(min(cycle), 0), coalesce(max(cycle), 0) FROM killloop_rows`
	if err := conn.QueryRow(ctx, q).Scan(&n, &lowest, &highest); err != nil {
		return fmt.Errorf("count rows: %w", err)
	}
	if n != want || (want > 0 && (lowest != 1 || highest != want)) {
		return fmt.Errorf("found %d rows (cycles %d..%d), want the %d written before the kills", n, lowest, highest, want)
	}
	return nil
}

// writeRow commits cycle's row; Exec returns once the commit is durable
// (synchronous_commit is on in the embedded cluster).
func writeRow(ctx context.Context, url string, cycle int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect to the embedded database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `INSERT INTO killloop_rows (cycle) VALUES ($1)`, cycle); err != nil {
		return fmt.Errorf("write row %d: %w", cycle, err)
	}
	return nil
}
