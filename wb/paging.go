package wb

import (
	"context"
	"fmt"
)

// pageFunc fetches the page at cur. It returns the page's items, the cursor
// of the next page, and whether the server says more pages follow.
type pageFunc[C comparable, T any] func(ctx context.Context, cur C) (items []T, next C, more bool, err error)

// walk reads pages from start until the server says stop, a page is empty, a
// cursor repeats, or maxPages pages were read. WB's stop rules are partly
// undocumented (wb-api.md §12.7); the last two guards keep a misbehaving
// server from making the loop endless. Hitting maxPages returns what was
// read with ErrPageLimit.
func walk[C comparable, T any](ctx context.Context, maxPages int, start C, page pageFunc[C, T]) ([]T, error) {
	var all []T
	seen := map[C]bool{start: true}
	cur := start
	for n := 0; ; n++ {
		if n == maxPages {
			return all, fmt.Errorf("read %d pages: %w", n, ErrPageLimit)
		}
		items, next, more, err := page(ctx, cur)
		if err != nil {
			return all, err
		}
		all = append(all, items...)
		if len(items) == 0 || !more || seen[next] {
			return all, nil
		}
		seen[next] = true
		cur = next
	}
}
