package domain

import (
	"context"
	"time"
)

// ActorKind says who is acting: the seller over a chat or the web view, a
// member of support staff, or the system itself (polling, cron jobs).
type ActorKind string

// Actor kinds.
const (
	ActorSeller ActorKind = "seller"
	ActorStaff  ActorKind = "staff"
	ActorSystem ActorKind = "system"
)

// Actor identifies whoever causes a change; it is recorded on every
// transition and audit entry, and seller-facing queries filter by it.
type Actor struct {
	Kind ActorKind
	ID   int64  // seller id for sellers, Telegram user id for staff, 0 for system
	Name string // a display name for the audit log
	// Person is the chat account acting for a seller ("telegram:42"), so
	// the audit tells a team's members apart; "" for staff and the system.
	Person string
}

// System is the actor for changes made by polling and scheduled jobs.
var System = Actor{Kind: ActorSystem, Name: "system"}

// IsSeller reports whether the actor is a seller, whose view is limited to
// their own stores.
func (a Actor) IsSeller() bool { return a.Kind == ActorSeller }

type actorKey struct{}

// NewContextWithActor returns a context that carries the acting party.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the acting party, or false when none was set. A
// missing actor must be treated as forbidden, never as "see everything".
func ActorFromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// Sleep waits d, or until ctx ends, which it then returns.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
