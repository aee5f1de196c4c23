package admin

import (
	"strconv"

	"github.com/cloudwego/hertz/pkg/app"
)

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// page is a keyset page: rows with id > after, ordered by id, at most limit of them. Keyset
// (not offset) pagination stays correct while rows are inserted or deleted between pages.
type page struct {
	limit int
	after int
}

// list is the SPEC §6 list envelope. NextCursor is the last id of this page when more rows may
// follow, null on the last page.
type list[T any] struct {
	Items      []T  `json:"items"`
	NextCursor *int `json:"next_cursor"`
}

// readPage parses ?limit= (default 50, 1–500) and ?cursor= (the next_cursor of the previous
// page). An empty parameter counts as absent, as HTML forms send them.
func readPage(c *app.RequestContext) (page, *apiError) {
	p := page{limit: defaultPageSize}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return p, badField("limit", "must be an integer between 1 and "+strconv.Itoa(maxPageSize))
		}
		p.limit = n
	}
	if s := c.Query("cursor"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return p, badField("cursor", "must be the next_cursor of a previous page")
		}
		p.after = n
	}
	return p, nil
}

// fetch is the number of rows to query: one more than the page, to learn whether more follow.
func (p page) fetch() int { return p.limit + 1 }

// makeList converts rows (fetched with p.fetch()) into the envelope.
func makeList[E any, T any](p page, rows []E, id func(E) int, view func(E) T) list[T] {
	out := list[T]{Items: make([]T, 0, min(len(rows), p.limit))}
	if len(rows) > p.limit {
		rows = rows[:p.limit]
		last := id(rows[len(rows)-1])
		out.NextCursor = &last
	}
	for _, r := range rows {
		out.Items = append(out.Items, view(r))
	}
	return out
}

// pathID parses the :id route parameter. Anything that is not a positive integer cannot name a
// row, so it is reported as not found like an unknown id.
func pathID(c *app.RequestContext, what string) (int, *apiError) {
	n, err := strconv.Atoi(c.Param("id"))
	if err != nil || n < 1 || n > 1<<31-1 {
		return 0, notFound(what)
	}
	return n, nil
}
