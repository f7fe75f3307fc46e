package tgfake_test

import (
	"encoding/json"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/indigo-warehouse/indigo/bot/telegram/tgfake"
)

// TestSendRawUpdate: a raw update goes out as given, under its own id, in
// order with the others, and fails the client's decoding as Telegram's
// would.
func TestSendRawUpdate(t *testing.T) {
	srv := MustFake(t, tgfake.Options{}) // update 1: alice's /start
	bot := MustBot(t, srv)
	id := srv.SendRawUpdate("message", `{"message_id":"not a number","date":1}`)
	srv.SendText(alice, "after")

	resp, err := bot.MakeRequest("getUpdates", tgbotapi.Params{"offset": "2"})
	if err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		t.Fatal(err)
	}
	if len(raws) != 2 || id != 2 {
		t.Fatalf("got %d updates from id %d, want the raw one (2) and the next", len(raws), id)
	}
	if want := `{"message":{"message_id":"not a number","date":1},"update_id":2}`; string(raws[0]) != want {
		t.Errorf("raw update = %s, want %s", raws[0], want)
	}
	var u tgbotapi.Update
	if err := json.Unmarshal(raws[0], &u); err == nil {
		t.Errorf("the raw update decoded: %+v", u)
	}
	if err := json.Unmarshal(raws[1], &u); err != nil || u.Message == nil || u.Message.Text != "after" {
		t.Errorf("the next update = %+v, %v", u, err)
	}
}
