package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/indigo-warehouse/indigo/domain"
	"github.com/indigo-warehouse/indigo/storage"
	"github.com/indigo-warehouse/indigo/storage/pgtest"
)

// TestTeamMemberSignsIn: a colleague's sign-in link (asked for in their own
// chat) makes a browser that acts as them: their decision is recorded
// under their name, and once the owner removes them the browser is out.
func TestTeamMemberSignsIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "7001"}
	member := domain.Identity{Channel: domain.ChannelTelegram, ExternalID: "7002", Name: "Ivan Petrov"}
	seller := pgtest.Seller(t, e.DB, func(s *domain.Seller) { s.Identities = []domain.Identity{owner, member} })
	r := pgtest.Return(t, e.DB, pgtest.Store(t, e.DB, seller.ID, nil).ID, func(r *domain.Return) {
		r.Status = domain.StatusAwaitingSellerDecision
	})
	asMember := domain.NewContextWithActor(t.Context(), seller.ActorFor(member))
	link, err := e.Srv.Links().LoginLink(asMember, seller.ID)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	if resp := b.post(link, nil); resp.Code != http.StatusSeeOther {
		t.Fatalf("login: %d\n%s", resp.Code, resp.Body)
	}
	detail := fmt.Sprintf("/web/returns/%d", r.ID)
	if resp := b.post(detail+"/decision", url.Values{"decision": {"dispose"}, "confirm": {"yes"}}); resp.Code != http.StatusSeeOther {
		t.Fatalf("decision: %d\n%s", resp.Code, resp.Body)
	}
	hist, err := storage.NewReturnService(e.DB).FindTransitions(pgtest.System(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hist[len(hist)-1].Actor, seller.ActorFor(member); got != want {
		t.Fatalf("decided by %+v, want %+v", got, want)
	}

	if err := storage.NewSellerService(e.DB).RemoveIdentity(pgtest.System(), seller.ID, member); err != nil {
		t.Fatal(err)
	}
	if resp := b.get("/web/"); resp.Code != http.StatusSeeOther || resp.Location != "/web/login?expired=1" {
		t.Fatalf("a removed member's browser: %d → %q", resp.Code, resp.Location)
	}
}
