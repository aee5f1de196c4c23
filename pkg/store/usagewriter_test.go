package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cchub/cchub/ent/requestlog"
	"github.com/cchub/cchub/ent/usageledger"
	"github.com/cchub/cchub/pkg/billing"
	"github.com/cchub/cchub/pkg/store"
	"github.com/cchub/cchub/pkg/store/storetest"
)

var batchBase = time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)

// testRecords returns n varied records: 3 users × 2 keys × 2 providers × 3 models, spread over
// three hours, some failed, some unbilled, some without a first byte.
func testRecords(prefix string, n int) []billing.Record {
	models := []string{"claude-sonnet-4-5", "gpt-5", "gemini-2.5-pro"}
	recs := make([]billing.Record, n)
	for i := range recs {
		status := 200
		if i%7 == 0 {
			status = 529
		}
		ttfb := int64(100 + i%50)
		if i%11 == 0 {
			ttfb = -1
		}
		recs[i] = billing.Record{
			RequestID:     fmt.Sprintf("%s-%04d", prefix, i),
			CreatedAt:     batchBase.Add(time.Duration(i) * 37 * time.Second),
			UserID:        1 + i%3,
			KeyID:         10 + i%2,
			ProviderID:    100 + i%2,
			Model:         models[i%3],
			OriginalModel: "alias-" + models[i%3],
			Endpoint:      "/v1/messages",
			IsStream:      i%2 == 0,
			StatusCode:    status,
			DurationMs:    int64(1000 + i),
			TTFBMs:        ttfb,
			SessionID:     fmt.Sprintf("sess-%d", i%5),
			ProviderChain: []byte(fmt.Sprintf(`[{"provider_id":%d,"reason":"initial","status":%d}]`, 100+i%2, status)),
			UserAgent:     "claude-cli/2.0.1",
			ClientIP:      "10.0.0.1",
			Usage: billing.Usage{
				InputTokens: int64(10 + i), OutputTokens: int64(5 + i%13),
				CacheCreationTokens: int64(i % 17), CacheCreation5mTokens: int64(i % 17),
				CacheReadTokens: int64(i % 19),
			},
			CostNano:       int64(1000 * (i + 1)),
			CostMultiplier: 1.5,
			PriceMissing:   i%23 == 0,
			Ledger:         i%10 != 0, // every 10th is a count_tokens call: logged, not billed
		}
		if status != 200 {
			recs[i].ErrorMessage = "upstream overloaded"
		}
	}
	return recs
}

// totals are the sums the rollups must reproduce.
type totals struct {
	requests, successes, errors, input, output, cacheWrite, cacheRead, cost, duration, ttfbSum, ttfbN int64
}

func sumLogs(t *testing.T, s *store.Store) totals {
	t.Helper()
	rows, err := s.Client.RequestLog.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var z totals
	for _, r := range rows {
		z.requests++
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			z.successes++
		} else {
			z.errors++
		}
		z.input += r.InputTokens
		z.output += r.OutputTokens
		z.cacheWrite += r.CacheCreationInputTokens
		z.cacheRead += r.CacheReadInputTokens
		z.cost += r.CostNano
		z.duration += r.DurationMs
		if r.TtfbMs != nil {
			z.ttfbSum += *r.TtfbMs
			z.ttfbN++
		}
	}
	return z
}

func sumRollups(t *testing.T, s *store.Store) (totals, int) {
	t.Helper()
	rows, err := s.Client.UsageHourly.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var z totals
	for _, r := range rows {
		if !r.HourStart.Equal(r.HourStart.Truncate(time.Hour)) {
			t.Errorf("hour_start %v is not on the hour", r.HourStart)
		}
		z.requests += r.RequestCount
		z.successes += r.SuccessCount
		z.errors += r.ErrorCount
		z.input += r.InputTokens
		z.output += r.OutputTokens
		z.cacheWrite += r.CacheCreationInputTokens
		z.cacheRead += r.CacheReadInputTokens
		z.cost += r.CostNano
		z.duration += r.DurationMsSum
		z.ttfbSum += r.TtfbMsSum
		z.ttfbN += r.TtfbCount
	}
	return z, len(rows)
}

func counts(t *testing.T, s *store.Store) (logs, ledger int) {
	t.Helper()
	ctx := context.Background()
	logs, err := s.Client.RequestLog.Query().Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ledger, err = s.Client.UsageLedger.Query().Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return logs, ledger
}

func TestWriteBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		recs := testRecords("a", 500)
		if err := s.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		logs, ledger := counts(t, s)
		if logs != 500 || ledger != 450 {
			t.Fatalf("logs %d ledger %d; want 500, 450", logs, ledger)
		}
		want := sumLogs(t, s)
		got, groups := sumRollups(t, s)
		if got != want {
			t.Errorf("rollups %+v\n   logs %+v", got, want)
		}
		// 500 × 37 s spans 10:00–15:07: 6 hours. User and model follow i mod 3, key and
		// provider i mod 2, so each hour has the 6 combinations of i mod 6.
		if groups != 36 {
			t.Errorf("%d rollup rows; want 36", groups)
		}
		var costSum int64
		for _, r := range recs {
			costSum += r.CostNano
		}
		if want.cost != costSum || want.requests != 500 {
			t.Errorf("logged cost %d requests %d; want %d, 500", want.cost, want.requests, costSum)
		}

		// Every field of one record round-trips.
		r := recs[7] // failed, ttfb set
		row, err := s.Client.RequestLog.Query().Where(requestlog.RequestID(r.RequestID)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !row.CreatedAt.Equal(r.CreatedAt) || row.UserID != r.UserID || row.KeyID != r.KeyID ||
			row.ProviderID != r.ProviderID || row.Model != r.Model || row.OriginalModel != r.OriginalModel ||
			row.Endpoint != r.Endpoint || row.IsStream != r.IsStream || row.StatusCode != r.StatusCode ||
			row.DurationMs != r.DurationMs || row.TtfbMs == nil || *row.TtfbMs != r.TTFBMs ||
			row.SessionID != r.SessionID || row.ErrorMessage != r.ErrorMessage || row.BlockedBy != r.BlockedBy ||
			row.ProviderChain != string(r.ProviderChain) || row.UserAgent != r.UserAgent || row.ClientIP != r.ClientIP ||
			row.InputTokens != r.Usage.InputTokens || row.OutputTokens != r.Usage.OutputTokens ||
			row.CacheCreationInputTokens != r.Usage.CacheCreationTokens ||
			row.CacheCreation5mInputTokens != r.Usage.CacheCreation5mTokens ||
			row.CacheCreation1hInputTokens != r.Usage.CacheCreation1hTokens ||
			row.CacheReadInputTokens != r.Usage.CacheReadTokens || row.CostNano != r.CostNano ||
			row.CostMultiplier != r.CostMultiplier || row.PriceMissing != r.PriceMissing {
			t.Errorf("row %+v\ndoes not match record %+v", row, r)
		}
		led, err := s.Client.UsageLedger.Query().Where(usageledger.RequestID(r.RequestID)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if led.IsSuccess || led.StatusCode != 529 || led.CostNano != r.CostNano || led.Model != r.Model ||
			led.CacheReadInputTokens != r.Usage.CacheReadTokens || !led.CreatedAt.Equal(r.CreatedAt) {
			t.Errorf("ledger %+v does not match record", led)
		}
		// TTFB -1 is NULL.
		row, err = s.Client.RequestLog.Query().Where(requestlog.RequestID(recs[11].RequestID)).Only(ctx)
		if err != nil || row.TtfbMs != nil {
			t.Errorf("ttfb of a request without first byte = %v, %v; want NULL", row.TtfbMs, err)
		}
		// Unbilled records have no ledger row.
		if n, _ := s.Client.UsageLedger.Query().Where(usageledger.RequestID(recs[10].RequestID)).Count(ctx); n != 0 {
			t.Error("ledger row for a record with Ledger=false")
		}

		// The same batch again (a retry after an unknown commit) changes nothing.
		if err := s.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		logs2, ledger2 := counts(t, s)
		got2, groups2 := sumRollups(t, s)
		if logs2 != logs || ledger2 != ledger || got2 != got || groups2 != groups {
			t.Errorf("retry changed things: logs %d→%d ledger %d→%d rollups %+v→%+v", logs, logs2, ledger, ledger2, got, got2)
		}

		// A batch overlapping the first one adds only its new records.
		overlap := append(append([]billing.Record(nil), recs[:100]...), testRecords("b", 100)...)
		if err := s.WriteBatch(ctx, overlap); err != nil {
			t.Fatal(err)
		}
		logs3, ledger3 := counts(t, s)
		got3, _ := sumRollups(t, s)
		if logs3 != 600 || ledger3 != 540 {
			t.Errorf("after overlap: logs %d ledger %d; want 600, 540", logs3, ledger3)
		}
		if want3 := sumLogs(t, s); got3 != want3 {
			t.Errorf("after overlap: rollups %+v\n              logs %+v", got3, want3)
		}
	})
}

func TestWriteBatchEdgeCases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		shanghai := time.FixedZone("UTC+8", 8*3600)
		long := strings.Repeat("é", 400) // 800 bytes
		recs := []billing.Record{
			{
				// 23:30 in UTC+8 is 15:30 UTC: the rollup hour is 15:00 UTC.
				RequestID: "tz", CreatedAt: time.Date(2026, 7, 1, 23, 30, 0, 0, shanghai),
				StatusCode: 200, TTFBMs: -1, Ledger: true,
				UserAgent: long, Model: "bad\x00model\xff", ErrorMessage: "nul\x00here",
			},
			// Repeated within the batch: written once.
			{RequestID: "dup", CreatedAt: batchBase.Add(1500), StatusCode: 200, CostNano: 5, Ledger: true},
			{RequestID: "dup", CreatedAt: batchBase.Add(1500), StatusCode: 200, CostNano: 5, Ledger: true},
			// No request id and no time: still stored, under a derived id.
			{StatusCode: 401, BlockedBy: "auth", TTFBMs: -1},
		}
		if err := s.WriteBatch(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteBatch(ctx, recs); err != nil { // and idempotently so
			t.Fatal(err)
		}
		logs, ledger := counts(t, s)
		if logs != 3 || ledger != 2 {
			t.Errorf("logs %d ledger %d; want 3, 2", logs, ledger)
		}
		row, err := s.Client.RequestLog.Query().Where(requestlog.RequestID("tz")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(row.UserAgent) > 512 || !strings.HasPrefix(long, row.UserAgent) || len(row.UserAgent) < 510 {
			t.Errorf("user agent stored as %d bytes", len(row.UserAgent))
		}
		if row.Model != "badmodel\uFFFD" || row.ErrorMessage != "nulhere" {
			t.Errorf("model %q error %q", row.Model, row.ErrorMessage)
		}
		// Nanoseconds are cut to the microseconds Postgres keeps, on both databases alike.
		dup, err := s.Client.RequestLog.Query().Where(requestlog.RequestID("dup")).Only(ctx)
		if err != nil || !dup.CreatedAt.Equal(batchBase.Add(time.Microsecond)) {
			t.Errorf("created_at = %v, %v; want %v", dup.CreatedAt, err, batchBase.Add(time.Microsecond))
		}
		hours, err := s.Client.UsageHourly.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range hours {
			if h.Model == row.Model {
				found = true
				if want := time.Date(2026, 7, 1, 15, 0, 0, 0, time.UTC); !h.HourStart.Equal(want) {
					t.Errorf("hour_start %v; want %v", h.HourStart, want)
				}
			}
		}
		if !found {
			t.Error("no rollup row for the UTC+8 record")
		}
		got, _ := sumRollups(t, s)
		if want := sumLogs(t, s); got != want {
			t.Errorf("rollups %+v\n   logs %+v", got, want)
		}
		if err := s.WriteBatch(ctx, nil); err != nil {
			t.Errorf("empty batch: %v", err)
		}
	})
}

// The same batch written by concurrent writers (two hub instances retrying over one Postgres,
// say) is logged, billed and rolled up once: the unique request_id decides, not a prior read.
func TestWriteBatchConcurrentRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		recs := testRecords("c", 200)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.WriteBatch(context.Background(), recs); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		logs, ledger := counts(t, s)
		if logs != 200 || ledger != 180 {
			t.Errorf("logs %d ledger %d; want 200, 180", logs, ledger)
		}
		got, _ := sumRollups(t, s)
		if want := sumLogs(t, s); got != want {
			t.Errorf("rollups %+v\n   logs %+v", got, want)
		}
	})
}

// The billing.Writer over a real store: concurrent submitters, then Close, and every accepted
// record is in the database.
func TestWriterIntoStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		w := billing.NewWriter(s, billing.WriterConfig{BatchSize: 100})
		recs := testRecords("w", 2000)
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < len(recs); i += 4 {
					if !w.Submit(recs[i]) {
						t.Error("submit refused")
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := w.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		logs, ledger := counts(t, s)
		if logs != 2000 || ledger != 1800 || w.Written() != 2000 || w.Failed() != 0 {
			t.Errorf("logs %d ledger %d written %d failed %d", logs, ledger, w.Written(), w.Failed())
		}
		got, _ := sumRollups(t, s)
		if want := sumLogs(t, s); got != want {
			t.Errorf("rollups %+v\n   logs %+v", got, want)
		}
	})
}

// BenchmarkWriteBatch measures records written per second in batches of 200 (the Writer's
// default), each record a fresh request, and the process CPU time per record.
func BenchmarkWriteBatch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchWriteBatch(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchWriteBatch(b, storetest.Postgres(b)) })
}

func benchWriteBatch(b *testing.B, s *store.Store) {
	ctx := context.Background()
	const batch = 200
	n := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		recs := testRecords(fmt.Sprintf("bench-%d", n), batch)
		n++
		for i := range recs {
			// Random request ids, as the gateway makes them: the unique indexes on
			// request_id then take inserts all over their b-trees, as in production.
			recs[i].RequestID = rand.Text()
		}
		before := processCPU(b)
		b.StartTimer()
		if err := s.WriteBatch(ctx, recs); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += processCPU(b) - before
		b.StartTimer()
	}
	b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(batch*b.N), "µs/record")
	// CPU of this process (user+system, all threads), what the hub pays; wall time also
	// includes waiting for the disk and, on Postgres, for the server.
	b.ReportMetric(float64(cpu.Microseconds())/float64(batch*b.N), "cpu-µs/record")
}

// processCPU is the user+system CPU time this process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
