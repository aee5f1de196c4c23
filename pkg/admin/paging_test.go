package admin

import (
	"slices"
	"testing"
)

func TestListPagination(t *testing.T) {
	h := newSQLiteHarness(t)
	var ids []int
	for i := range 5 {
		ids = append(ids, h.createUser("u"+itoa(i), nil))
	}
	page := func(q string) list[userView] {
		t.Helper()
		var l list[userView]
		h.admin("GET", "/api/v1/users"+q, nil).want(200).decode(&l)
		return l
	}
	gotIDs := func(l list[userView]) []int {
		var out []int
		for _, u := range l.Items {
			out = append(out, u.ID)
		}
		return out
	}

	// Walk with limit 2: 2 + 2 + 1, the last page has no cursor.
	var walked []int
	cursor := ""
	for n := 0; ; n++ {
		l := page("?limit=2" + cursor)
		walked = append(walked, gotIDs(l)...)
		if l.NextCursor == nil {
			if len(l.Items) != 1 || n != 2 {
				t.Fatalf("page %d: %+v", n, l)
			}
			break
		}
		if *l.NextCursor != l.Items[len(l.Items)-1].ID {
			t.Fatalf("cursor %d is not the last id", *l.NextCursor)
		}
		cursor = "&cursor=" + itoa(*l.NextCursor)
	}
	if !slices.Equal(walked, ids) {
		t.Fatalf("walked %v, want %v", walked, ids)
	}

	// An exact fit has no next page.
	if l := page("?limit=5"); len(l.Items) != 5 || l.NextCursor != nil {
		t.Fatalf("limit=5: %+v", l)
	}
	if l := page("?limit=4"); len(l.Items) != 4 || l.NextCursor == nil || *l.NextCursor != ids[3] {
		t.Fatalf("limit=4: %+v", l)
	}
	// Past the end: empty items, never null.
	r := h.admin("GET", "/api/v1/users?cursor="+itoa(ids[4]), nil).want(200)
	if !r.contains(`"items":[]`) || !r.contains(`"next_cursor":null`) {
		t.Fatalf("past the end: %s", r.Body)
	}
	// A cursor whose row was deleted still works (keyset, not offset).
	h.admin("DELETE", "/api/v1/users/"+itoa(ids[1]), nil).want(204)
	if l := page("?limit=2&cursor=" + itoa(ids[1])); !slices.Equal(gotIDs(l), ids[2:4]) {
		t.Fatalf("after a deleted cursor: %v", gotIDs(l))
	}
	// Empty parameters count as absent; limit bounds are inclusive.
	if l := page("?limit=&cursor="); len(l.Items) != 4 {
		t.Fatalf("empty params: %+v", l)
	}
	page("?limit=1")
	page("?limit=500")
	page("?cursor=0")

	for _, q := range []string{"?limit=0", "?limit=501", "?limit=-1", "?limit=abc", "?limit=1.5", "?limit=99999999999999999999"} {
		h.admin("GET", "/api/v1/users"+q, nil).wantError(400, "limit")
		h.admin("GET", "/api/v1/providers"+q, nil).wantError(400, "limit")
		h.admin("GET", "/api/v1/users/"+itoa(ids[0])+"/keys"+q, nil).wantError(400, "limit")
	}
	for _, q := range []string{"?cursor=abc", "?cursor=-1", "?cursor=1e3", "?cursor=%20"} {
		h.admin("GET", "/api/v1/users"+q, nil).wantError(400, "cursor")
		h.admin("GET", "/api/v1/providers"+q, nil).wantError(400, "cursor")
	}
}

func TestListDefaultPageSize(t *testing.T) {
	h := newSQLiteHarness(t)
	uid := h.createUser("owner", nil)
	for range 51 {
		h.createKey(uid, nil)
	}
	var l list[keyView]
	h.admin("GET", "/api/v1/users/"+itoa(uid)+"/keys", nil).want(200).decode(&l)
	if len(l.Items) != 50 || l.NextCursor == nil {
		t.Fatalf("default page: %d items, cursor %v", len(l.Items), l.NextCursor)
	}
	h.admin("GET", "/api/v1/users/"+itoa(uid)+"/keys?cursor="+itoa(*l.NextCursor), nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.NextCursor != nil {
		t.Fatalf("second page: %+v", l)
	}
	// Keys of another user are not listed.
	other := h.createUser("other", nil)
	h.createKey(other, nil)
	h.admin("GET", "/api/v1/users/"+itoa(other)+"/keys", nil).want(200).decode(&l)
	if len(l.Items) != 1 || l.Items[0].UserID != other {
		t.Fatalf("other's keys: %+v", l)
	}
	// Empty lists are [], not null.
	empty := h.createUser("empty", nil)
	if r := h.admin("GET", "/api/v1/users/"+itoa(empty)+"/keys", nil).want(200); !r.contains(`{"items":[],"next_cursor":null}`) {
		t.Fatalf("empty list: %s", r.Body)
	}
	if r := h.admin("GET", "/api/v1/providers", nil).want(200); !r.contains(`{"items":[],"next_cursor":null}`) {
		t.Fatalf("empty providers: %s", r.Body)
	}
}
