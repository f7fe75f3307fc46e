package conversations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/indigo-warehouse/indigo/domain"
)

// staff_relay.go: seller → staff. What a seller sends to support, and what
// staff must act on (a pickup code, a decision), is queued as a
// domain.SupportRelay in the transaction that caused it and posted by
// Flush into the seller's thread: what piles up while the chat's rate
// limit holds a post back goes out merged in the next post.

// staffChannel is where the staff chat lives: a Telegram group (issue 5).
const staffChannel = domain.ChannelTelegram

const (
	// defaultRelayLease is StaffDesk.Lease's default.
	defaultRelayLease = 10 * time.Minute
	// staffPostEvery is the pace of posts into one group: Telegram allows
	// 20 a minute, and the channel keeps a margin under it.
	staffPostEvery = 3200 * time.Millisecond
	// maxRelaySellers bounds the sellers of one claim of relays.
	maxRelaySellers = 4
	// maxTopicName is Telegram's limit for a topic name, in UTF-16 units.
	maxTopicName = 128
	// maxTaskCards bounds the cards one post brings along.
	maxTaskCards = 5
)

func (d *StaffDesk) relayLease() time.Duration {
	if d.Lease <= 0 {
		return defaultRelayLease
	}
	return d.Lease
}

// relayBatch is how many sellers one claim takes, each with their waiting
// relays merged into one post: no more than can be posted for within one
// lease at the group's pace, and few, since a flush that dies holds its
// sellers' relays until the lease lapses while other replicas' flushes
// post for the rest. Files and task cards take messages of their own
// beyond that, which is why the claim is also renewed while every post
// goes.
func (d *StaffDesk) relayBatch() int {
	return max(min(int(d.relayLease()/staffPostEvery), maxRelaySellers), 1)
}

// Relay queues what a seller sent to support, files included, in the
// seller's turn: it commits with the turn and is posted by Flush.
func (d *StaffDesk) Relay(ctx context.Context, m SupportMessage) error {
	if m.Seller == nil {
		return errInternal(errors.New("relay to staff without a seller"))
	}
	r := &domain.SupportRelay{
		SellerID: m.Seller.ID, Kind: domain.RelayMessage, Channel: m.Input.Channel, ChatID: m.Input.ChatID,
		MessageID: m.Input.MessageID, Text: strings.TrimSpace(m.Input.Text), ReturnID: m.ReturnID,
	}
	for _, f := range m.Input.Files {
		if f.Size > domain.MaxAttachmentSize {
			return tooLargeFile()
		}
		data, err := f.Open(ctx)
		if domain.ErrorCode(err) == domain.CodeInvalid {
			return err // the channel refused the file (too large): say so
		} else if err != nil {
			return errInternal(fmt.Errorf("fetch %s for support: %w", f.Kind, err))
		}
		if int64(len(data)) > domain.MaxAttachmentSize {
			return tooLargeFile()
		}
		kind := f.Kind
		if kind == domain.AttachmentPhoto {
			if _, err := CheckImage(data); err != nil {
				// As a photo the staff chat would refuse it, and the whole
				// post with it at every retry; as a file staff still get it.
				kind = domain.AttachmentDocument
			}
		}
		r.Files = append(r.Files, &domain.RelayFile{Kind: kind, Name: f.Name, ContentType: f.ContentType, Data: data})
	}
	return d.Support.QueueRelay(ctx, r)
}

// relayFile is a queued file as a post opens it: loaded from the queue
// only when its turn to be sent comes.
func (d *StaffDesk) relayFile(f *domain.RelayFile) File {
	return File{Kind: f.Kind, Name: f.Name, ContentType: f.ContentType, Size: f.Size,
		Open: func(ctx context.Context) ([]byte, error) { return d.Support.FindRelayFileData(ctx, f.ID) }}
}

func tooLargeFile() error {
	return domain.Errorf(domain.CodeInvalid, "error.input.too_large", map[string]any{"MaxMB": domain.MaxAttachmentSize >> 20})
}

// AccountTaken tells staff, in the seller's thread, that the seller was
// refused a WB account another seller has: a colleague who should have
// been invited, or someone trying another seller's token.
func (d *StaffDesk) AccountTaken(ctx context.Context, seller *domain.Seller, supplierID string) error {
	return d.Support.QueueRelay(ctx, &domain.SupportRelay{SellerID: seller.ID, Kind: domain.RelayAccountTaken, Text: supplierID})
}

// SellerUnreachable tells staff, in the seller's thread, that pushes stop.
func (d *StaffDesk) SellerUnreachable(ctx context.Context, seller *domain.Seller, _ error) error {
	return d.Support.QueueRelay(domain.NewContextWithActor(ctx, domain.System),
		&domain.SupportRelay{SellerID: seller.ID, Kind: domain.RelayAlert})
}

// Run posts queued relays until ctx ends: at once when wake signals (the
// queue's NOTIFY), and every so often for leases that lapsed.
func (d *StaffDesk) Run(ctx context.Context, wake <-chan struct{}, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := d.Flush(ctx)
			if err != nil {
				d.log().Error("staff: relay", "err", err)
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-tick.C:
		}
	}
}

// Flush posts what is queued, one merged post per seller, and returns how
// many relays it posted. A seller whose post fails is retried once the
// claim's lease lapses.
func (d *StaffDesk) Flush(ctx context.Context) (int, error) {
	ctx = domain.NewContextWithActor(ctx, domain.System)
	relays, err := d.Support.ClaimRelays(ctx, d.now(), d.relayLease(), d.relayBatch())
	if err != nil {
		return 0, fmt.Errorf("staff relay: %w", err)
	}
	bySeller := map[int64][]*domain.SupportRelay{}
	var order []int64
	for _, r := range relays {
		if _, ok := bySeller[r.SellerID]; !ok {
			order = append(order, r.SellerID)
		}
		bySeller[r.SellerID] = append(bySeller[r.SellerID], r)
	}
	posted := 0
	for _, sellerID := range order {
		rs, err := d.stillHeldRelays(ctx, bySeller[sellerID])
		if err != nil {
			d.log().Warn("staff: renew relay claim", "seller", sellerID, "err", err)
			break // the rest lapse and are claimed again
		}
		if len(rs) == 0 {
			continue // another flush claimed them after this claim lapsed
		}
		posted += d.flushSeller(ctx, sellerID, rs)
	}
	return posted + d.flushAlerts(ctx), nil
}

// stillHeldRelays renews the whole claim's lease, so the posts after this
// one keep theirs however long this one takes, and returns those of rs
// it still holds.
func (d *StaffDesk) stillHeldRelays(ctx context.Context, rs []*domain.SupportRelay) ([]*domain.SupportRelay, error) {
	held, err := d.Support.RenewRelayClaim(ctx, rs[0].Claim, d.now().Add(d.relayLease()))
	if err != nil {
		return nil, err
	}
	return keepHeld(rs, held, func(r *domain.SupportRelay) int64 { return r.ID }), nil
}

// flushSeller posts one seller's relays as one post and returns how many
// it marked relayed. No transaction is held while it posts (the group's
// pace can make that seconds): the claim, renewed meanwhile, keeps other
// flushes off this seller's relays, and the claims themselves keep two
// flushes from posting for one seller at once (storage's ClaimRelays).
func (d *StaffDesk) flushSeller(ctx context.Context, sellerID int64, rs []*domain.SupportRelay) int {
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	claim := rs[0].Claim
	renew := func(ctx context.Context, until time.Time) (bool, error) {
		held, err := d.Support.RenewRelayClaim(ctx, claim, until)
		return len(keepHeld(rs, held, func(r *domain.SupportRelay) int64 { return r.ID })) == len(rs), err
	}
	item := domain.WorkItem{Worker: domain.WorkerStaffRelay, Key: strconv.FormatInt(ids[0], 10), SellerID: sellerID}
	err := d.Guard.Run(ctx, item, func(ctx context.Context) error {
		return domain.KeepLease(ctx, d.now, d.relayLease()/4, d.relayLease(), renew, func(ctx context.Context) error {
			return d.postRelays(ctx, sellerID, rs)
		})
	})
	marked := 0
	if err == nil {
		marked, err = d.Support.MarkRelayed(ctx, ids, claim)
	}
	switch {
	case errors.Is(err, domain.ErrPoisoned):
		d.setAsideRelays(ctx, sellerID, ids, claim) // poisoned.go
		return 0
	case err != nil:
		d.log().Warn("staff: relay to the staff chat", "seller", sellerID, "err", err)
		return 0
	case marked < len(ids):
		// The post outlived the lease and another flush claimed some of
		// it: those may be posted twice.
		d.log().Warn("staff: relayed under a lost claim", "seller", sellerID, "relays", ids, "marked", marked)
	}
	return marked
}

// sellerThread is where a seller's posts go and what staff need to know
// them by.
type sellerThread struct {
	seller *domain.Seller
	stores []*domain.Store
	forum  bool
	place  StaffPlace
	fresh  bool        // a new topic: its first post introduces the seller
	resale *resaleView // the units and supplies resale relays are about
}

func (d *StaffDesk) postRelays(ctx context.Context, sellerID int64, rs []*domain.SupportRelay) error {
	th, err := d.thread(ctx, sellerID)
	if err != nil {
		return err
	}
	if err := d.loadResale(ctx, th, rs); err != nil { // staff_resale.go
		return err
	}
	returns := map[int64]*domain.Return{}
	for _, r := range rs {
		if r.ReturnID == nil || returns[*r.ReturnID] != nil {
			continue
		}
		ret, err := d.Services.Returns.FindReturnByID(ctx, *r.ReturnID)
		if err != nil {
			return err
		}
		returns[ret.ID] = ret
	}
	var ids []string
	var m StaffMessage
	for attempt := 0; ; attempt++ {
		m = d.renderRelays(th, rs, returns)
		ids, err = d.Chat.Post(ctx, th.place, m)
		if !errors.Is(err, ErrTopicGone) || attempt > 0 {
			break
		}
		// Staff deleted the topic, or Telegram archived it: start a new one.
		if err := d.openTopic(ctx, th); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	// What went is recorded even when the claim is lost just now: staff
	// may answer it.
	if err := d.savePosts(context.WithoutCancel(ctx), th.seller.ID, rs, m, ids, returns); err != nil {
		return err
	}
	return d.postTaskCards(ctx, th, rs, returns)
}

// savePosts links what was posted to what it relays: the text to the
// seller's last message in it, each file to the message that carried it.
func (d *StaffDesk) savePosts(ctx context.Context, sellerID int64, rs []*domain.SupportRelay, m StaffMessage, ids []string, returns map[int64]*domain.Return) error {
	var last string
	var fileMsgs []string
	for _, r := range rs {
		if r.Kind == domain.RelayMessage && r.MessageID != "" {
			last = r.MessageID
		}
		for range r.Files {
			fileMsgs = append(fileMsgs, r.MessageID)
		}
	}
	var onlyReturn *int64
	if len(returns) == 1 {
		for id := range returns {
			onlyReturn = &id
		}
	}
	textIDs := len(ids) - len(m.Files)
	for i, id := range ids {
		p := &domain.StaffPost{ChatID: d.Chat.ID(), Kind: domain.StaffPostRelay, SellerID: sellerID, SellerMessageID: last, ReturnID: onlyReturn}
		if i >= textIDs && i-textIDs < len(fileMsgs) {
			p.SellerMessageID, p.ReturnID = fileMsgs[i-textIDs], nil
		}
		var err error
		if p.MessageID, err = strconv.ParseInt(id, 10, 64); err != nil {
			return fmt.Errorf("staff post id %q: %w", id, err)
		}
		if err := d.Support.SaveStaffPost(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// postTaskCards brings the card of each return a task is about, with the
// buttons that carry the seller's decision out. The relay is posted by
// then: a card that fails is logged rather than posting the relay again.
func (d *StaffDesk) postTaskCards(ctx context.Context, th *sellerThread, rs []*domain.SupportRelay, returns map[int64]*domain.Return) error {
	done := map[int64]bool{}
	for _, r := range rs {
		if r.Kind != domain.RelayTask || returns[ptrValue(r.ReturnID)] == nil || done[*r.ReturnID] || len(done) == maxTaskCards {
			continue
		}
		done[*r.ReturnID] = true
		if _, err := d.postCardAt(ctx, StaffPlace{Thread: th.place.Thread}, returns[*r.ReturnID]); err != nil {
			d.log().Warn("staff: post task card", "return", *r.ReturnID, "err", err)
		}
	}
	return nil
}
