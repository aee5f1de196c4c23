package store

import (
	"context"
	"fmt"

	"github.com/cchub/cchub/ent/provider"
	"github.com/cchub/cchub/pkg/secretbox"
)

// SealProviderKeys encrypts provider keys still stored in plaintext, once SECRET_KEY is set
// (keys saved before it was). Reading a key that does not decrypt fails here, at start, rather
// than on the first request. It returns how many keys it sealed.
func (s *Store) SealProviderKeys(ctx context.Context) (int, error) {
	rows, err := s.Client.Provider.Query().Select(provider.FieldID, provider.FieldAPIKey).All(ctx)
	if err != nil {
		return 0, fmt.Errorf("read provider keys: %w", err)
	}
	if !secretbox.Enabled() {
		return 0, nil
	}
	var plain []int
	q, err := s.DB.QueryContext(ctx, "SELECT id FROM providers WHERE api_key NOT LIKE 'enc:v1:%'")
	if err != nil {
		return 0, fmt.Errorf("find plaintext provider keys: %w", err)
	}
	for q.Next() {
		var id int
		if err := q.Scan(&id); err != nil {
			q.Close()
			return 0, err
		}
		plain = append(plain, id)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return 0, err
	}
	byID := map[int]string{}
	for _, r := range rows {
		byID[r.ID] = r.APIKey
	}
	for _, id := range plain {
		// The value scanner seals on write.
		if err := s.Client.Provider.UpdateOneID(id).SetAPIKey(byID[id]).Exec(ctx); err != nil {
			return 0, fmt.Errorf("seal provider %d key: %w", id, err)
		}
	}
	return len(plain), nil
}
