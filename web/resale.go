package web

import "github.com/indigo-warehouse/indigo/domain"

// resale.go: the main page's card for items on sale on WB (issue 17): how
// many are on sale or on their way to buyers, how many sold and for how
// much. It links to the returns transferred to sale.

// resaleCard is the card, or none while resale is off or nothing was
// ever put on the shelf.
func (s *Server) resaleCard(rq *request, store int64) ([]card, error) {
	if s.Shelf == nil {
		return nil, nil
	}
	var f domain.UnitFilter
	if store != 0 {
		f.StoreID = &store
	}
	sum, err := s.Shelf.SummarizeUnits(rq.ctx, f)
	if err != nil || sum == (domain.UnitSummary{}) {
		return nil, err
	}
	l := rq.l
	return []card{{
		Title:  l.T("web.card.resale"),
		Count:  l.Plural("web.card.items", sum.OnShelf+sum.InOrder, nil),
		Money:  l.T("web.card.resale_sold", map[string]any{"Sold": sum.Sold, "Money": l.FormatRUB(sum.SoldPrice)}),
		Action: l.T("web.card.resale_action"),
		Href:   filter{Status: domain.StatusTransferredToSale, Store: store}.url(1),
	}}, nil
}
