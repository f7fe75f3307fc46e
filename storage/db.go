// Package storage implements domain's services on PostgreSQL through pgx.
//
// It imports domain only. Each aggregate has one file (returns.go,
// sellers.go, …). A unit of work spans services through the context:
// DB.InTx(ctx, fn) opens a transaction and puts it in the ctx it passes to
// fn, and every service method called with that ctx joins it instead of
// opening its own. So a conversation turn's session row, the domain change
// and the outbox rows commit or roll back together.
//
// WB tokens are encrypted here (AES-GCM under INDIGO_SECRET_KEY) on write and
// decrypted on read; no other package sees the key or the ciphertext.
package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/indigo-warehouse/indigo/domain"
)

// DB is Indigo's PostgreSQL database.
type DB struct {
	Pool    *pgxpool.Pool
	crypter *crypter
	// Now is the clock used for timestamps Indigo sets itself; tests replace it.
	Now func() time.Time
}

// DefaultMaxConns is the pool's size when the caller names none: enough
// for one chat channel's workers, the listener and a few requests.
// cmd/indigo sizes the pool from all its workers instead (see PoolSize
// there).
const DefaultMaxConns = 16

// Open connects to the database at url with a pool of DefaultMaxConns.
// secretKey encrypts WB tokens at rest and must be 32 bytes.
func Open(ctx context.Context, url string, secretKey []byte) (*DB, error) {
	return OpenSized(ctx, url, secretKey, DefaultMaxConns)
}

// OpenSized is Open with a pool of maxConns connections, unless url sets
// pool_max_conns, which wins: an operator's word over the service's sum.
func OpenSized(ctx context.Context, url string, secretKey []byte, maxConns int32) (*DB, error) {
	c, err := newCrypter(secretKey)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") && maxConns > 0 {
		// pgxpool's default (4 on this size of machine) is far too few:
		// each listener holds one for good, and the callers size it from
		// their workers (cmd/indigo/pool.go).
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	db := &DB{Pool: pool, crypter: c, Now: time.Now}
	if err := db.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close releases every connection.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// ConnectionLimit is how many connections the server takes from roles
// that are not superusers: max_connections less the slots reserved for
// superusers (and, from PostgreSQL 16, for pg_use_reserved_connections).
// Every replica's pool must fit in it together.
func (db *DB) ConnectionLimit(ctx context.Context) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT current_setting('max_connections')::int
		- current_setting('superuser_reserved_connections')::int
		- coalesce(current_setting('reserved_connections', true)::int, 0)`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read the server's max_connections: %w", err)
	}
	return n, nil
}

type txKey struct{}

// InTx runs fn in one transaction. Service calls made with the ctx passed to
// fn join it; when fn returns an error everything is rolled back. Nested
// calls join the outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(pgx.Tx); ok {
		return fn(ctx)
	}
	tx, err := db.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", formatError(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
	if err := fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", formatError(err))
	}
	return nil
}

// Tx returns the transaction that ctx carries, if any, for packages that
// keep their own tables in the same unit of work.
func Tx(ctx context.Context) (pgx.Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(pgx.Tx)
	return tx, ok
}

// inTx is InTx for a service method's own statements.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		tx, _ := Tx(ctx)
		return fn(tx)
	})
}

// formatError translates PostgreSQL's codes into domain errors, once for all
// services.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return &domain.Error{Code: domain.CodeNotFound, MsgID: "error.not_found", Err: err}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			if pgErr.ConstraintName == "stores_supplier_active" {
				return &domain.Error{Code: domain.CodeConflict, MsgID: "error.token.account_taken", Err: err}
			}
			return &domain.Error{Code: domain.CodeConflict, MsgID: "error.already_exists", Err: err}
		case "23503", "23514", "22001", "22P02": // foreign key, check, too long, bad text
			return &domain.Error{Code: domain.CodeInvalid, MsgID: "error.invalid", Err: err}
		case "40001", "40P01": // serialization failure, deadlock
			return &domain.Error{Code: domain.CodeUnavailable, MsgID: "error.internal", Err: err}
		}
	}
	return err
}

// wrap adds the method and its arguments to a non-nil error, keeping its
// domain code: wrap(&err, "ReturnService.Update(%d)", id).
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), formatError(*errp))
	}
}

// notFound is the error for a missing row, with the id the person should see.
func notFound(msgID string) error {
	return &domain.Error{Code: domain.CodeNotFound, MsgID: msgID}
}

// actorScope returns the seller id that must filter a seller-facing query:
// the acting seller's id, or 0 when staff or the system act. A context with
// no actor is forbidden rather than "see everything".
func actorScope(ctx context.Context) (int64, error) {
	a, ok := domain.ActorFromContext(ctx)
	if !ok {
		return 0, &domain.Error{Code: domain.CodeForbidden, MsgID: "error.forbidden", Err: errors.New("no actor in context")}
	}
	if a.IsSeller() {
		return a.ID, nil
	}
	return 0, nil
}

// querier is what pgxpool.Pool and pgx.Tx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// q returns the caller's transaction when there is one, else the pool: reads
// see what the unit of work has written so far.
func (db *DB) q(ctx context.Context) querier {
	if tx, ok := Tx(ctx); ok {
		return tx
	}
	return db.Pool
}
