package admin

import (
	"context"
	"slices"

	"github.com/cchub/cchub/ent/key"
	"github.com/cchub/cchub/ent/provider"
	"github.com/cchub/cchub/ent/user"
	"github.com/cchub/cchub/pkg/store"
)

// names resolves the user, key and provider ids of aggregates to their current names. Logs and
// rollups keep ids of deleted rows; those have no name (null in views).
type names struct {
	users, keys, providers map[int]string
	keyUser                map[int]int // key id → its user id
}

// lookupNames loads the names of the given ids (duplicates and zeros are fine).
func (a *API) lookupNames(ctx context.Context, users, keys, providers []int) (*names, error) {
	n := &names{users: map[int]string{}, keys: map[int]string{}, providers: map[int]string{}, keyUser: map[int]int{}}
	db := a.cfg.Store.Reader
	if ids := distinctIDs(keys); len(ids) > 0 {
		rows, err := db.Key.Query().Where(key.IDIn(ids...)).
			Select(key.FieldID, key.FieldName, key.FieldUserID).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			n.keys[r.ID] = r.Name
			n.keyUser[r.ID] = r.UserID
			users = append(users, r.UserID)
		}
	}
	if ids := distinctIDs(users); len(ids) > 0 {
		rows, err := db.User.Query().Where(user.IDIn(ids...)).Select(user.FieldID, user.FieldName).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			n.users[r.ID] = r.Name
		}
	}
	if ids := distinctIDs(providers); len(ids) > 0 {
		rows, err := db.Provider.Query().Where(provider.IDIn(ids...)).
			Select(provider.FieldID, provider.FieldName).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			n.providers[r.ID] = r.Name
		}
	}
	return n, nil
}

func distinctIDs(ids []int) []int {
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > 0 && out[0] == 0 {
		out = out[1:]
	}
	return out
}

func nameOf(m map[int]string, id int) *string {
	if s, ok := m[id]; ok {
		return &s
	}
	return nil
}

// of returns the name of id in dimension dim (user, key or provider).
func (n *names) of(dim store.UsageDim, id int) *string {
	switch dim {
	case store.DimUser:
		return nameOf(n.users, id)
	case store.DimKey:
		return nameOf(n.keys, id)
	case store.DimProvider:
		return nameOf(n.providers, id)
	}
	return nil
}
