package store

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cchub/cchub/pkg/billing"
)

var _ billing.Sink = (*Store)(nil)

// Column bounds from ent/schema (request_logs, usage_ledgers, usage_hourlies). Values are cut
// to fit, because one over-long user agent failing ent's validators would fail the batch.
const (
	maxRequestIDLen = 64
	maxModelLen     = 256
	maxEndpointLen  = 128
	maxSessionLen   = 128
	maxBlockedByLen = 64
	maxUserAgentLen = 512
	maxClientIPLen  = 64
	// maxErrorLen caps error_message (unbounded text) so an upstream's HTML error page
	// cannot bloat the log.
	maxErrorLen = 64 << 10
)

// WriteBatch stores request logs, usage-ledger rows and hourly rollups for recs in one
// transaction (billing.Sink). It is idempotent: a record whose request_id is already logged
// adds nothing, so a batch retried after an unknown commit outcome neither double-bills (the
// ledger insert also ignores conflicts) nor double-counts rollups (only records whose log row
// this transaction inserted are rolled up). Records repeated within recs are written once.
//
// Inserted-or-skipped is decided by the database's unique index on request_id (ON CONFLICT DO
// NOTHING), not by reading first, so it stays exact with concurrent writers.
func (s *Store) WriteBatch(ctx context.Context, recs []billing.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := s.writeBatch(ctx, recs); err != nil {
		return fmt.Errorf("write %d usage records: %w", len(recs), err)
	}
	return nil
}

func (s *Store) writeBatch(ctx context.Context, recs []billing.Record) error {
	clean := make([]billing.Record, 0, len(recs))
	seen := make(map[string]bool, len(recs))
	for i := range recs {
		r := sanitizeRecord(recs[i])
		if seen[r.RequestID] {
			continue
		}
		seen[r.RequestID] = true
		clean = append(clean, r)
	}
	logRows := make([][]any, len(clean))
	ledgerRows := make([][]any, 0, len(clean))
	for i := range clean {
		logRows[i] = requestLogRow(&clean[i])
		if clean[i].Ledger {
			ledgerRows = append(ledgerRows, usageLedgerRow(&clean[i]))
		}
	}
	// Raw database/sql on the writer handle (SQLite's single writer connection; BEGIN
	// IMMEDIATE from the DSN), as ent's transactions use it.
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	inserted, err := insertRows(ctx, tx, s.Dialect, requestLogTable, logRows)
	if err != nil {
		return err
	}
	if _, err := insertRows(ctx, tx, s.Dialect, usageLedgerTable, ledgerRows); err != nil {
		return err
	}
	fresh := make([]*billing.Record, 0, len(clean))
	for i := range clean {
		if inserted[i] {
			fresh = append(fresh, &clean[i])
		}
	}
	if err := addRollups(ctx, tx, s.Dialect, fresh); err != nil {
		return err
	}
	if err := touchKeys(ctx, tx, s.Dialect, fresh); err != nil {
		return err
	}
	return tx.Commit()
}

// sanitizeRecord returns r made storable: times in UTC (SQLite compares timestamps as text, so
// one offset everywhere) at microseconds, strings valid UTF-8 without NUL (Postgres rejects
// both) and cut to their columns, and a request_id even when the caller left it empty.
func sanitizeRecord(r billing.Record) billing.Record {
	if r.RequestID == "" {
		r.RequestID = derivedRequestID(&r) // before CreatedAt is defaulted: stable across retries
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now()
	}
	// UTC at microsecond precision, as Postgres keeps it and as the rest of the store writes
	// times, so SQLite and Postgres rows read back the same.
	r.CreatedAt = r.CreatedAt.UTC().Truncate(time.Microsecond)
	r.RequestID = clipString(r.RequestID, maxRequestIDLen)
	r.Model = clipString(r.Model, maxModelLen)
	r.OriginalModel = clipString(r.OriginalModel, maxModelLen)
	r.Endpoint = clipString(r.Endpoint, maxEndpointLen)
	r.SessionID = clipString(r.SessionID, maxSessionLen)
	r.BlockedBy = clipString(r.BlockedBy, maxBlockedByLen)
	r.UserAgent = clipString(r.UserAgent, maxUserAgentLen)
	r.ClientIP = clipString(r.ClientIP, maxClientIPLen)
	r.ErrorMessage = clipString(r.ErrorMessage, maxErrorLen)
	return r
}

// derivedRequestID names a record that arrived without a request_id (a caller bug) from its
// content, so that retries of it stay idempotent instead of being dropped as duplicates of "".
func derivedRequestID(r *billing.Record) string {
	h := fnv.New128a()
	var b [8]byte
	for _, v := range []int64{r.CreatedAt.UnixNano(), int64(r.UserID), int64(r.KeyID),
		int64(r.ProviderID), int64(r.StatusCode), r.DurationMs, r.CostNano} {
		binary.LittleEndian.PutUint64(b[:], uint64(v))
		h.Write(b[:])
	}
	h.Write([]byte(r.Model))
	h.Write([]byte{0})
	h.Write([]byte(r.SessionID))
	return "noid-" + hex.EncodeToString(h.Sum(nil))
}

// clipString returns s as valid UTF-8 without NUL bytes, cut to at most n bytes on a rune
// boundary. Strings that are already fine are returned without copying.
func clipString(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func providerChain(b []byte) string {
	if len(b) == 0 {
		return "[]"
	}
	return clipString(string(b), 1<<20)
}
