package store

import (
	"cmp"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/cchub/cchub/ent"
	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/ent/usagehourly"
	"github.com/cchub/cchub/ent/usageledger"
	"github.com/cchub/cchub/pkg/billing"
)

var _ billing.Sink = (*Store)(nil)

// usageChunk is the number of rows per INSERT: request_logs has 28 columns, so 500 rows bind
// 14,000 parameters, below SQLite's 32,766 and Postgres' 65,535.
const usageChunk = 500

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
// ledger insert also ignores conflicts) nor double-counts rollups (only newly logged records
// are rolled up). Records repeated within recs are written once.
//
// The rollup check reads existing request_ids inside the transaction; it is exact for one
// writer per request_id (each hub instance writes only its own requests), which is how the
// billing.Writer uses it.
func (s *Store) WriteBatch(ctx context.Context, recs []billing.Record) error {
	if len(recs) == 0 {
		return nil
	}
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
	err := billingTx(ctx, s.Client, func(tx *ent.Tx) error {
		fresh, err := unloggedRecords(ctx, tx, clean)
		if err != nil {
			return err
		}
		if err := insertRequestLogs(ctx, tx, fresh); err != nil {
			return err
		}
		if err := insertLedger(ctx, tx, clean); err != nil {
			return err
		}
		return addRollups(ctx, tx, s.Dialect, fresh)
	})
	if err != nil {
		return fmt.Errorf("write %d usage records: %w", len(recs), err)
	}
	return nil
}

// unloggedRecords returns the records whose request_id has no request_logs row yet.
func unloggedRecords(ctx context.Context, tx *ent.Tx, recs []billing.Record) ([]billing.Record, error) {
	logged := make(map[string]bool)
	for chunk := range slices.Chunk(recs, usageChunk) {
		ids := make([]string, len(chunk))
		for i := range chunk {
			ids[i] = chunk[i].RequestID
		}
		found, err := tx.RequestLog.Query().
			Where(requestlog.RequestIDIn(ids...)).
			Select(requestlog.FieldRequestID).
			Strings(ctx)
		if err != nil {
			return nil, fmt.Errorf("find logged requests: %w", err)
		}
		for _, id := range found {
			logged[id] = true
		}
	}
	if len(logged) == 0 {
		return recs, nil
	}
	fresh := make([]billing.Record, 0, len(recs)-len(logged))
	for _, r := range recs {
		if !logged[r.RequestID] {
			fresh = append(fresh, r)
		}
	}
	return fresh, nil
}

func insertRequestLogs(ctx context.Context, tx *ent.Tx, recs []billing.Record) error {
	for chunk := range slices.Chunk(recs, usageChunk) {
		creates := make([]*ent.RequestLogCreate, len(chunk))
		for i := range chunk {
			r := &chunk[i]
			u := r.Usage
			c := tx.RequestLog.Create().
				SetCreatedAt(r.CreatedAt).
				SetRequestID(r.RequestID).
				SetUserID(r.UserID).
				SetKeyID(r.KeyID).
				SetProviderID(r.ProviderID).
				SetModel(r.Model).
				SetOriginalModel(r.OriginalModel).
				SetEndpoint(r.Endpoint).
				SetIsStream(r.IsStream).
				SetStatusCode(r.StatusCode).
				SetDurationMs(r.DurationMs).
				SetSessionID(r.SessionID).
				SetErrorMessage(r.ErrorMessage).
				SetBlockedBy(r.BlockedBy).
				SetProviderChain(providerChain(r.ProviderChain)).
				SetUserAgent(r.UserAgent).
				SetClientIP(r.ClientIP).
				SetInputTokens(u.InputTokens).
				SetOutputTokens(u.OutputTokens).
				SetCacheCreationInputTokens(u.CacheCreationTokens).
				SetCacheCreation5mInputTokens(u.CacheCreation5mTokens).
				SetCacheCreation1hInputTokens(u.CacheCreation1hTokens).
				SetCacheReadInputTokens(u.CacheReadTokens).
				SetCostNano(r.CostNano).
				SetCostMultiplier(r.CostMultiplier).
				SetPriceMissing(r.PriceMissing)
			// TTFB -1 means no byte reached the client: NULL, not a zero that would pull
			// averages down.
			if r.TTFBMs >= 0 {
				c.SetTtfbMs(r.TTFBMs)
			}
			creates[i] = c
		}
		// DO NOTHING backs up the read in unloggedRecords; it never fires for one writer.
		if err := tx.RequestLog.CreateBulk(creates...).
			OnConflictColumns(requestlog.FieldRequestID).DoNothing().
			Exec(ctx); err != nil {
			return fmt.Errorf("insert request logs: %w", err)
		}
	}
	return nil
}

func insertLedger(ctx context.Context, tx *ent.Tx, recs []billing.Record) error {
	creates := make([]*ent.UsageLedgerCreate, 0, min(len(recs), usageChunk))
	flush := func() error {
		if len(creates) == 0 {
			return nil
		}
		// ON CONFLICT DO NOTHING on request_id: settlement is idempotent, one row per request.
		err := tx.UsageLedger.CreateBulk(creates...).
			OnConflictColumns(usageledger.FieldRequestID).DoNothing().
			Exec(ctx)
		creates = creates[:0]
		if err != nil {
			return fmt.Errorf("insert usage ledger: %w", err)
		}
		return nil
	}
	for i := range recs {
		r := &recs[i]
		if !r.Ledger {
			continue
		}
		u := r.Usage
		creates = append(creates, tx.UsageLedger.Create().
			SetCreatedAt(r.CreatedAt).
			SetRequestID(r.RequestID).
			SetUserID(r.UserID).
			SetKeyID(r.KeyID).
			SetProviderID(r.ProviderID).
			SetModel(r.Model).
			SetEndpoint(r.Endpoint).
			SetStatusCode(r.StatusCode).
			SetIsSuccess(r.Success()).
			SetSessionID(r.SessionID).
			SetInputTokens(u.InputTokens).
			SetOutputTokens(u.OutputTokens).
			SetCacheCreationInputTokens(u.CacheCreationTokens).
			SetCacheCreation5mInputTokens(u.CacheCreation5mTokens).
			SetCacheCreation1hInputTokens(u.CacheCreation1hTokens).
			SetCacheReadInputTokens(u.CacheReadTokens).
			SetCostNano(r.CostNano).
			SetCostMultiplier(r.CostMultiplier).
			SetPriceMissing(r.PriceMissing))
		if len(creates) == usageChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// rollupKey identifies one usage_hourlies row; the hour is kept as Unix seconds, which
// compare and hash without time.Time's location and monotonic parts.
type rollupKey struct {
	hour      int64
	user, key int
	provider  int
	model     string
}

type rollup struct {
	requests, successes, errors      int64
	input, output, cacheWrite, cache int64
	cost, duration, ttfbSum, ttfbN   int64
}

// rollupCounters are the usage_hourlies columns a conflicting upsert adds to.
var rollupCounters = []string{
	usagehourly.FieldRequestCount, usagehourly.FieldSuccessCount, usagehourly.FieldErrorCount,
	usagehourly.FieldInputTokens, usagehourly.FieldOutputTokens,
	usagehourly.FieldCacheCreationInputTokens, usagehourly.FieldCacheReadInputTokens,
	usagehourly.FieldCostNano, usagehourly.FieldDurationMsSum,
	usagehourly.FieldTtfbMsSum, usagehourly.FieldTtfbCount,
}

// addRollups adds recs to their hourly rollup rows (hour in UTC): one aggregated row per key
// and an upsert that adds the counters to an existing row.
func addRollups(ctx context.Context, tx *ent.Tx, dialect string, recs []billing.Record) error {
	if len(recs) == 0 {
		return nil
	}
	sums := make(map[rollupKey]*rollup)
	for i := range recs {
		r := &recs[i]
		hour := r.CreatedAt.Truncate(time.Hour).Unix()
		k := rollupKey{hour: hour, user: r.UserID, key: r.KeyID, provider: r.ProviderID, model: r.Model}
		s := sums[k]
		if s == nil {
			s = &rollup{}
			sums[k] = s
		}
		s.requests++
		if r.Success() {
			s.successes++
		} else {
			s.errors++
		}
		s.input += r.Usage.InputTokens
		s.output += r.Usage.OutputTokens
		s.cacheWrite += r.Usage.CacheCreationTokens
		s.cache += r.Usage.CacheReadTokens
		s.cost += r.CostNano
		s.duration += r.DurationMs
		if r.TTFBMs >= 0 {
			s.ttfbSum += r.TTFBMs
			s.ttfbN++
		}
	}
	// A fixed order: concurrent writers on Postgres then lock rollup rows in the same order
	// and cannot deadlock each other.
	keys := make([]rollupKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.user, b.user),
			cmp.Compare(a.key, b.key), cmp.Compare(a.provider, b.provider), strings.Compare(a.model, b.model))
	})
	excluded := entsql.Dialect(dialect).Table("excluded")
	for chunk := range slices.Chunk(keys, usageChunk) {
		creates := make([]*ent.UsageHourlyCreate, len(chunk))
		for i, k := range chunk {
			s := sums[k]
			creates[i] = tx.UsageHourly.Create().
				SetHourStart(time.Unix(k.hour, 0).UTC()).
				SetUserID(k.user).
				SetKeyID(k.key).
				SetProviderID(k.provider).
				SetModel(k.model).
				SetRequestCount(s.requests).
				SetSuccessCount(s.successes).
				SetErrorCount(s.errors).
				SetInputTokens(s.input).
				SetOutputTokens(s.output).
				SetCacheCreationInputTokens(s.cacheWrite).
				SetCacheReadInputTokens(s.cache).
				SetCostNano(s.cost).
				SetDurationMsSum(s.duration).
				SetTtfbMsSum(s.ttfbSum).
				SetTtfbCount(s.ttfbN)
		}
		err := tx.UsageHourly.CreateBulk(creates...).
			OnConflict(
				entsql.ConflictColumns(usagehourly.FieldHourStart, usagehourly.FieldUserID,
					usagehourly.FieldKeyID, usagehourly.FieldProviderID, usagehourly.FieldModel),
				entsql.ResolveWith(func(u *entsql.UpdateSet) {
					for _, c := range rollupCounters {
						u.Add(c, entsql.Expr(excluded.C(c))) // col = COALESCE(col, 0) + excluded.col
					}
				}),
			).Exec(ctx)
		if err != nil {
			return fmt.Errorf("upsert hourly rollups: %w", err)
		}
	}
	return addDimRollups(ctx, tx, dialect, sums)
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
