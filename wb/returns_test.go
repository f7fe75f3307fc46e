package wb_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/wb"
	"github.com/indigo-warehouse/indigo/wb/wbfake"
)

func TestClaims(t *testing.T) {
	e := newEnv(t)
	sid, tok := e.seller(t, "claims")
	name := "Кабель 0.5 м"
	open := e.fake.AddClaim(sid, wbfake.Claim{NmID: 196320101, ImtName: &name, Price: 157,
		Srid: "v5o_1.0.0", Photos: []string{"//photos.wbstatic.net/claim/1.webp"}})
	e.fake.AddClaim(sid, wbfake.Claim{NmID: 2, Archive: true, Status: 2, StatusEx: 8})
	old := time.Now().Add(-20 * 24 * time.Hour).In(wb.Moscow).Format("2006-01-02T15:04:05.000000")
	e.fake.AddClaim(sid, wbfake.Claim{NmID: 3, Dt: old})

	t.Run("List", func(t *testing.T) {
		p, err := e.client.ListClaims(ctx(t), tok, wb.ClaimFilter{})
		must(t, err)
		if p.Total != 1 || len(p.Claims) != 1 {
			t.Fatalf("total, len = %d, %d; want 1, 1 (archived and >14 days old excluded)", p.Total, len(p.Claims))
		}
		c := p.Claims[0]
		got := []any{c.ID, c.NmID, *c.ImtName, c.Price, c.Srid, c.NeedsDecision(), c.PhotoURLs()}
		want := []any{open, int64(196320101), name, 157.0, "v5o_1.0.0", true, []string{"https://photos.wbstatic.net/claim/1.webp"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("claim (-want +got):\n%s", diff)
		}
		if _, err := c.Created(); err != nil {
			t.Errorf("Created: %v", err)
		}
	})

	t.Run("ErrRejectCustomShortComment", func(t *testing.T) {
		err := e.client.AnswerClaim(ctx(t), tok, wb.ClaimAnswer{ID: open, Action: wb.ActionRejectCustom, Comment: "short"})
		if apiErr := mustAPIError(t, err, 400); apiErr.Title != "Validation error" {
			t.Errorf("title = %q, want returns-api's Validation error", apiErr.Title)
		}
	})

	t.Run("Answer", func(t *testing.T) {
		must(t, e.client.AnswerClaim(ctx(t), tok, wb.ClaimAnswer{ID: open, Action: wb.ActionApprove2}))
		archived, err := e.client.AllClaims(ctx(t), tok, true)
		must(t, err)
		if len(archived) != 2 {
			t.Fatalf("archived = %d, want 2", len(archived))
		}
		c, _ := e.fake.Claim(sid, open)
		if !c.Archive || c.Status != 2 || c.StatusEx != 10 || len(c.Actions) != 0 {
			t.Errorf("claim after approve2 = %+v", c)
		}
	})
}

func TestAllClaimsPageLimit(t *testing.T) {
	e := newEnv(t, withConfig(func(c *wb.Config) { c.MaxPages = 1 }))
	sid, tok := e.seller(t, "many")
	for i := range 201 {
		e.fake.AddClaim(sid, wbfake.Claim{NmID: int64(i)})
	}
	got, err := e.client.AllClaims(ctx(t), tok, false)
	if !errors.Is(err, wb.ErrPageLimit) || len(got) != 200 {
		t.Fatalf("len, err = %d, %v; want 200, ErrPageLimit", len(got), err)
	}
}

func TestGoodsReturns(t *testing.T) {
	e := newEnv(t)
	sid, tok := e.seller(t, "returns")
	today := time.Now()
	shk := e.fake.AddReturn(sid, wbfake.ReturnRow{NmID: 42, Srid: "s1", Status: wbfake.ReturnInTransit, Barcode: "460"})
	e.fake.AddReturn(sid, wbfake.ReturnRow{NmID: 43, OrderDt: today.AddDate(0, 0, -40).Format(time.DateOnly)})

	rows, err := e.client.GoodsReturns(ctx(t), tok, today.AddDate(0, 0, -14), today)
	must(t, err)
	if len(rows) != 1 || rows[0].Stage() != wb.StageInTransit || rows[0].ReadyAt() != nil {
		t.Fatalf("rows = %+v, want one in transit", rows)
	}

	e.fake.MoveToPickupPoint(sid, shk, 777, "г. Москва, ул. Тверская, 1")
	rows, err = e.client.GoodsReturns(ctx(t), tok, today.AddDate(0, 0, -14), today)
	must(t, err)
	r := rows[0]
	if r.Stage() != wb.StageReadyForPickup || r.ReadyAt() == nil || r.DstOfficeID != 777 || r.IsStatusActive != 1 {
		t.Errorf("row after arrival = %+v", r)
	}

	if _, err := e.client.GoodsReturns(ctx(t), tok, today.AddDate(0, 0, -40), today); err == nil {
		t.Error("a 40-day window was accepted")
	}
}

func TestReturnStage(t *testing.T) {
	for status, want := range map[string]wb.ReturnStage{
		"Оформлен": wb.StageInTransit, "В пути в ПВЗ": wb.StageInTransit, "Готов к выдаче": wb.StageReadyForPickup,
		"Выдано": wb.StageCollected, "Отмена по задержке": wb.StageCancelled, "Истёк срок хранения": wb.StageCancelled,
		"Статус не определен": wb.StageUnknown,
	} {
		if got := (wb.GoodsReturn{Status: status}).Stage(); got != want {
			t.Errorf("Stage(%q) = %s, want %s", status, got, want)
		}
	}
}

func TestVerifyOnline(t *testing.T) {
	e := newEnv(t, withClock())
	t.Run("OK", func(t *testing.T) {
		sid, tok := e.seller(t, "ООО Ромашка")
		info, err := e.client.VerifyOnline(ctx(t), tok)
		must(t, err)
		if info.SID != sid || info.Name != "ООО Ромашка" {
			t.Errorf("info = %+v", info)
		}
		if n := e.fake.Requests("/ping"); n != 4 {
			t.Errorf("pings = %d, want one per required host", n)
		}
	})
	for _, tt := range []struct {
		name  string
		setup func(sid, tok string) string
		msgID string
	}{
		{"ErrRejected", func(_, tok string) string { e.fake.RevokeToken(tok); return tok }, "error.token.rejected"},
		{"ErrMissingScope", func(sid, _ string) string {
			return e.fake.IssueToken(wbfake.TokenOptions{SellerID: sid, Scopes: wbfake.ScopesIndigo &^ wbfake.ScopeMarketplace})
		}, "error.token.missing_scopes"},
		{"ErrSellerMismatch", func(_, tok string) string {
			e.fake.RespondNext("/api/v1/seller-info", 200, `{"name":"x","sid":"someone-else","tradeMark":""}`)
			return tok
		}, "error.token.seller_mismatch"},
		{"ErrUnavailable", func(_, tok string) string {
			e.fake.FailNext("/ping", 503, 4) // the first try and three retries
			return tok
		}, "error.wb.unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sid, tok := e.seller(t, tt.name)
			tok = tt.setup(sid, tok)
			_, err := e.client.VerifyOnline(ctx(t), tok)
			if got := domain.ErrorMsgID(err); got != tt.msgID {
				t.Fatalf("msg id = %s (%v), want %s", got, err, tt.msgID)
			}
			assertNoToken(t, err.Error(), tok)
		})
	}
}
