package telegram_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"weak"

	"github.com/indigo-warehouse/indigo/conversations"
	"github.com/indigo-warehouse/indigo/domain"
)

// TestStaffPostOpensFilesOneAtATime: a post of an album of ten photos and
// a document opens each file only when the upload reaches it, and by then
// the files sent before the last one are gone from memory: a relay of many
// files holds one, not all of them. (Two sends: the group's pace allows
// one every 3.2 s.)
func TestStaffPostOpensFilesOneAtATime(t *testing.T) {
	t.Parallel()
	h := newStaffHarness(t, staffOptions{group: -1001000000014, manualFlush: true})
	photo := pngImage(t)
	var (
		mu     sync.Mutex
		opened []weak.Pointer[byte] // in the order the uploads opened them
	)
	var files []conversations.File
	for i := range 11 {
		kind, name := domain.AttachmentPhoto, fmt.Sprintf("photo-%d.png", i)
		if i == 10 {
			kind, name = domain.AttachmentDocument, fmt.Sprintf("scan-%d.pdf", i)
		}
		files = append(files, conversations.File{Kind: kind, Name: name, ContentType: "image/png", Size: int64(len(photo)),
			Open: func(context.Context) ([]byte, error) {
				mu.Lock()
				defer mu.Unlock()
				runtime.GC()
				// The file just sent may still be on its way; any before it must be free.
				for k := 0; k+1 < len(opened); k++ {
					if opened[k].Value() != nil {
						t.Errorf("opening file %d of the post, file %d is still held", len(opened), k)
					}
				}
				data := bytes.Clone(photo)
				opened = append(opened, weak.Make(&data[0]))
				return data, nil
			}})
	}
	ids, err := h.desk.Chat.Post(h.ctx(), conversations.StaffPlace{},
		conversations.StaffMessage{Files: files, Caption: "Li Wei"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(files) || len(opened) != len(files) {
		t.Errorf("%d ids for %d files, %d opened", len(ids), len(files), len(opened))
	}
}
