// Package convtest builds the conversation engine on a real test database,
// the same way for every package whose tests talk to sellers.
package convtest

import (
	"bytes"
	"image/png"
	"log/slog"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/locales"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/wb"
)

// Deps are the engine's storage-backed services on db, WB at wbURL (the
// tests' wbfake; "" leaves token checks out) and the given log (nil: none).
func Deps(db *storage.DB, wbURL string, bundle *locales.Bundle, log *slog.Logger) conversations.Deps {
	d := conversations.Deps{
		Sessions:    storage.NewSessionService(db),
		Sellers:     storage.NewSellerService(db),
		Stores:      storage.NewStoreService(db),
		Returns:     storage.NewReturnService(db),
		Attachments: storage.NewAttachmentService(db),
		Polls:       storage.NewPollScheduleService(db),
		Audit:       storage.NewAuditService(db),
		Locales:     bundle,
		Log:         log,
		Economics:   storage.NewEconomicsService(db),
		Decisions:   storage.NewDecisionService(db),
		Rules:       storage.NewRuleService(db),
		Tariffs:     storage.NewTariffService(db),
		PickupClock: storage.NewPickupClockService(db),
		Accounts:    storage.NewAccountService(db, 0.08),
		Now:         db.Now,
	}
	if wbURL != "" {
		// No retries: a test that injects a WB fault wants to see it.
		d.Marketplace = wb.Marketplace{Client: wb.New(wb.Config{BaseURL: wbURL, MaxRetries: -1})}
	}
	return d
}

// QRPNG draws text as a QR code, the way a pickup-code screenshot shows it.
func QRPNG(tb testing.TB, text string) []byte {
	tb.Helper()
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 240, 240, nil)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
