package main

import (
	"context"

	"github.com/indigo-warehouse/indigo/storage"
)

// The accounts' parts (issue 19): one service for the chat, the web and
// the two jobs. The jobs are claimed once per run (the cron table marks
// them once), and their rows are keyed besides, so a run that two
// replicas both make, or one made again after a restart, bills nothing
// twice.

// accounts is the ledger, at the configured yuan rate.
func (m *Main) accounts() *storage.AccountService {
	return storage.NewAccountService(m.DB, m.Config.CNYPerRUB)
}

// chargeStorage charges today's storage of every item kept beyond its
// free days.
func (m *Main) chargeStorage(ctx context.Context) error {
	n, err := m.accounts().ChargeStorage(ctx, m.opts.Now())
	if n > 0 {
		m.Log.Info("storage charged", "items", n)
	}
	return err
}

// issueStatements issues last month's statements that are not yet, and
// queues each one's push.
func (m *Main) issueStatements(ctx context.Context) error {
	n, err := m.accounts().IssueStatements(ctx, m.opts.Now())
	if n > 0 {
		m.Log.Info("statements issued", "count", n)
	}
	return err
}
