package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Live activity from the request logs: the sessions seen in the last SESSION_TTL and the
// request rate. These read short, recent ranges of the created_at index.

// ActiveSessionCount counts the distinct non-empty session ids of the requests logged in
// [since, until).
func (s *Store) ActiveSessionCount(ctx context.Context, since, until time.Time) (int64, error) {
	var n int64
	err := s.readDB().QueryRowContext(ctx, s.rebind(
		"SELECT COUNT(DISTINCT session_id) FROM request_logs WHERE created_at >= ? AND created_at < ? AND session_id <> ''"),
		dbTime(since), dbTime(until)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("active sessions: %w", err)
	}
	return n, nil
}

// RequestCount counts the requests logged in [from, to).
func (s *Store) RequestCount(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := s.readDB().QueryRowContext(ctx, s.rebind(
		"SELECT COUNT(*) FROM request_logs WHERE created_at >= ? AND created_at < ?"),
		dbTime(from), dbTime(to)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}

// ActiveSession is one session with a request in the activity window.
type ActiveSession struct {
	SessionID string
	// UserID, KeyID and Model are those of the session's latest request; ProviderID that of
	// its latest request that reached a provider (0 if none did).
	UserID, KeyID, ProviderID int
	Model                     string
	FirstSeen, LastSeen       time.Time
	// UsageSums covers every logged request of the session, not only those in the window.
	UsageSums
}

// ActiveSessions lists the sessions with a request logged in [since, until) matching f, most
// recently seen first, skipping offset sessions and returning at most limit. more reports
// whether further sessions follow.
func (s *Store) ActiveSessions(ctx context.Context, since, until time.Time, f UsageFilter, offset, limit int) (out []ActiveSession, more bool, err error) {
	var q strings.Builder
	q.WriteString("SELECT session_id, MAX(created_at) AS last_seen FROM request_logs WHERE created_at >= ? AND created_at < ? AND session_id <> ''")
	args := f.where(&q, []any{dbTime(since), dbTime(until)})
	q.WriteString(" GROUP BY session_id ORDER BY last_seen DESC, session_id LIMIT ? OFFSET ?")
	args = append(args, limit+1, offset)
	rows, err := s.readDB().QueryContext(ctx, s.rebind(q.String()), args...)
	if err != nil {
		return nil, false, fmt.Errorf("active sessions: %w", err)
	}
	var ids []string
	for rows.Next() {
		var (
			a    ActiveSession
			last any
		)
		if err := rows.Scan(&a.SessionID, &last); err != nil {
			rows.Close()
			return nil, false, fmt.Errorf("active sessions: %w", err)
		}
		if a.LastSeen, err = scanTime(last); err != nil {
			rows.Close()
			return nil, false, err
		}
		out = append(out, a)
		ids = append(ids, a.SessionID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("active sessions: %w", err)
	}
	if len(out) > limit {
		out, ids, more = out[:limit], ids[:limit], true
	}
	if len(out) == 0 {
		return out, false, nil
	}
	idx := make(map[string]int, len(out))
	for i, a := range out {
		idx[a.SessionID] = i
	}
	in := "?" + strings.Repeat(", ?", len(ids)-1)

	// Totals over the whole session.
	q.Reset()
	q.WriteString("SELECT session_id, MIN(created_at), " + logSums + " FROM request_logs WHERE session_id IN (" + in + ")")
	args = args[:0]
	for _, id := range ids {
		args = append(args, id)
	}
	args = f.where(&q, args)
	q.WriteString(" GROUP BY session_id")
	if err := s.eachRow(ctx, q.String(), args, func(scan func(...any) error) error {
		var (
			sid   string
			first any
			n     [11]int64
		)
		dest := []any{&sid, &first}
		for i := range n {
			dest = append(dest, nullInt{&n[i]})
		}
		if err := scan(dest...); err != nil {
			return err
		}
		i, ok := idx[sid]
		if !ok {
			return nil
		}
		t, err := scanTime(first)
		if err != nil {
			return err
		}
		out[i].FirstSeen = t
		out[i].UsageSums = UsageSums{n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9], n[10]}
		return nil
	}); err != nil {
		return nil, false, fmt.Errorf("session totals: %w", err)
	}

	// Who, where and what: the latest requests of the window, newest first.
	q.Reset()
	q.WriteString("SELECT session_id, user_id, key_id, provider_id, model FROM request_logs WHERE session_id IN (" + in + ") AND created_at >= ? AND created_at < ?")
	args = args[:0]
	for _, id := range ids {
		args = append(args, id)
	}
	args = append(args, dbTime(since), dbTime(until))
	args = f.where(&q, args)
	q.WriteString(" ORDER BY id DESC")
	seen := make(map[string]bool, len(ids))
	if err := s.eachRow(ctx, q.String(), args, func(scan func(...any) error) error {
		var (
			sid                 string
			user, key, provider int
			model               string
		)
		if err := scan(&sid, &user, &key, &provider, &model); err != nil {
			return err
		}
		i, ok := idx[sid]
		if !ok {
			return nil
		}
		if !seen[sid] {
			seen[sid] = true
			out[i].UserID, out[i].KeyID, out[i].Model = user, key, model
		}
		if out[i].ProviderID == 0 {
			out[i].ProviderID = provider
		}
		return nil
	}); err != nil {
		return nil, false, fmt.Errorf("session details: %w", err)
	}
	return out, more, nil
}

// eachRow runs q on the read pool and calls fn for every row.
func (s *Store) eachRow(ctx context.Context, q string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := s.readDB().QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
