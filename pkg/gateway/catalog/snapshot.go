package catalog

import (
	"crypto/sha256"
	"sort"
)

// KeyHash is the SHA-256 of a client key's text; keys are stored and looked up only by it.
type KeyHash = [32]byte

// HashKey hashes a client key.
func HashKey(key []byte) KeyHash { return sha256.Sum256(key) }

// Snapshot is an immutable view of every key, user and provider. Build it with NewSnapshot and
// never mutate it afterwards: readers hold it without locks.
type Snapshot struct {
	keys         map[KeyHash]*Key
	users        map[int]*User
	providers    []*Provider // sorted by ID
	providerByID map[int]*Provider
}

// KeyEntry pairs a key with its hash for NewSnapshot.
type KeyEntry struct {
	Hash KeyHash
	Key  *Key
}

// NewSnapshot indexes the given entities.
func NewSnapshot(users []*User, keys []KeyEntry, providers []*Provider) *Snapshot {
	s := &Snapshot{
		keys:         make(map[KeyHash]*Key, len(keys)),
		users:        make(map[int]*User, len(users)),
		providers:    append([]*Provider(nil), providers...),
		providerByID: make(map[int]*Provider, len(providers)),
	}
	for _, u := range users {
		s.users[u.ID] = u
	}
	for _, k := range keys {
		s.keys[k.Hash] = k.Key
	}
	sort.Slice(s.providers, func(i, j int) bool { return s.providers[i].ID < s.providers[j].ID })
	for _, p := range s.providers {
		s.providerByID[p.ID] = p
	}
	return s
}

// Key returns the key with the given hash and its user, or nil.
func (s *Snapshot) Key(h KeyHash) (*Key, *User) {
	k := s.keys[h]
	if k == nil {
		return nil, nil
	}
	return k, s.users[k.UserID]
}

// User returns a user by id, or nil.
func (s *Snapshot) User(id int) *User { return s.users[id] }

// Providers returns every provider, sorted by id. The slice must not be modified.
func (s *Snapshot) Providers() []*Provider { return s.providers }

// Provider returns a provider by id, or nil.
func (s *Snapshot) Provider(id int) *Provider { return s.providerByID[id] }
