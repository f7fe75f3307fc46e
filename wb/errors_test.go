package wb_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/indigo-warehouse/indigo/wb"
)

// TestAPIErrorShapes feeds each of WB's error bodies (wb-api.md §4.2)
// through the client and checks what the *APIError keeps.
func TestAPIErrorShapes(t *testing.T) {
	type kept struct{ Title, Detail, Code, RequestID string }
	for _, tt := range []struct {
		name   string
		status int
		body   string
		want   kept
	}{
		{"Gateway", 404, `{"title":"path not found","detail":"Please consult","code":"07e4","requestId":"r1","origin":"s2s","status":404,"statusText":"Not Found","timestamp":"2025-04-24T07:25:28Z"}`,
			kept{"path not found", "Please consult", "07e4", "r1"}},
		{"Marketplace", 409, `{"code":"SupplyHasZeroOrders","message":"Поставка пуста","data":null}`,
			kept{"", "Поставка пуста", "SupplyHasZeroOrders", ""}},
		{"MarketplaceArray", 409, `[{"code":"StoreIsProcessing","message":"The store is processing","data":[{"chrtId":1}]}]`,
			kept{"", "The store is processing", "StoreIsProcessing", ""}},
		{"MarketplaceProblem", 400, `{"code":"BadRequest","detail":"Incorrect parameter","errors":[],"origin":"marketplace-public-api","requestId":"r2","status":400,"title":"IncorrectParameter"}`,
			kept{"IncorrectParameter", "Incorrect parameter", "BadRequest", "r2"}},
		{"Content", 403, `{"data":null,"error":true,"errorText":"Access denied","additionalErrors":"Access denied"}`,
			kept{"Access denied", "Access denied", "", ""}},
		{"PlainText", 400, `Request body can not be decoded`, kept{"", "Request body can not be decoded", "", ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, tok := e.seller(t, tt.name)
			e.fake.RespondNext("/content/v2/get/cards/list", tt.status, tt.body)
			_, err := e.client.ListCards(ctx(t), tok, wb.CardQuery{})
			a := mustAPIError(t, err, tt.status)
			if diff := cmp.Diff(tt.want, kept{a.Title, a.Detail, a.Code, a.RequestID}); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
		})
	}
}
