package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cchub/cchub/pkg/jsonx"
)

// ctlClient talks to the admin API, /metrics and the profiler: a few calls per phase, kept off
// the load generator's connection pools.
var ctlClient = &http.Client{Timeout: 30 * time.Second}

// adminCall sends one admin API request and decodes the answer into out (when not nil).
func adminCall(ctx context.Context, base, token, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := jsonx.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ctlClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := jsonx.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// configure creates the provider (the mock), a user and a key through the admin API, as an
// operator would, and returns the client key. With limits, the user and the key get every quota
// (RPM, USD windows, concurrent sessions) set high enough never to be reached, so each request
// pays for every check and settlement.
func configure(ctx context.Context, hubURL, token, mockURL string, limits bool) (string, error) {
	type created struct {
		ID  int    `json:"id"`
		Key string `json:"key"`
	}
	var p, u, k created
	if err := adminCall(ctx, hubURL, token, "POST", "/api/v1/providers", map[string]any{
		"name": "mock", "type": "claude", "url": mockURL, "key": "sk-ant-bench-upstream",
	}, &p); err != nil {
		return "", err
	}
	user := map[string]any{"name": "bench"}
	key := map[string]any{"name": "bench"}
	if limits {
		for _, m := range []map[string]any{user, key} {
			for _, f := range []string{"limit_5h_usd", "limit_weekly_usd", "limit_monthly_usd", "limit_total_usd"} {
				m[f] = "1000000"
			}
			m["limit_concurrent_sessions"] = 100000
		}
		user["daily_limit_usd"] = "1000000"
		user["rpm_limit"] = 10000000
		key["limit_daily_usd"] = "1000000"
	}
	if err := adminCall(ctx, hubURL, token, "POST", "/api/v1/users", user, &u); err != nil {
		return "", err
	}
	if err := adminCall(ctx, hubURL, token, "POST", fmt.Sprintf("/api/v1/users/%d/keys", u.ID), key, &k); err != nil {
		return "", err
	}
	if !strings.HasPrefix(k.Key, "sk-") {
		return "", fmt.Errorf("create key: no key in the answer")
	}
	return k.Key, nil
}

// metrics is one /metrics scrape, each metric summed over its labels (or filtered by a label
// substring with sumWhere).
type metrics struct {
	lines []string
}

func scrape(ctx context.Context, hubURL string) (*metrics, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", hubURL+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := ctlClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("/metrics: %d", resp.StatusCode)
	}
	m := &metrics{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && line[0] != '#' {
			m.lines = append(m.lines, line)
		}
	}
	return m, sc.Err()
}

// sum adds up every series of the named metric.
func (m *metrics) sum(name string) float64 { return m.sumWhere(name, "") }

// sumWhere adds up the series of name whose label set contains label (e.g. `status="200"`).
func (m *metrics) sumWhere(name, label string) float64 {
	var total float64
	for _, line := range m.lines {
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		labels := ""
		if rest[0] == '{' {
			end := strings.LastIndexByte(rest, '}')
			if end < 0 {
				continue
			}
			labels, rest = rest[:end+1], rest[end+1:]
		}
		if label != "" && !strings.Contains(labels, label) {
			continue
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		if v, err := strconv.ParseFloat(f[0], 64); err == nil {
			total += v
		}
	}
	return total
}

// logged is how many request records the hub's batch writer has finished with (written,
// given up or dropped); once it reaches the relayed count, the hub has no work left over from
// a phase.
func (m *metrics) logged() float64 {
	return m.sum("cchub_log_writer_written_total") + m.sum("cchub_log_writer_failed_total") + m.sum("cchub_log_writer_dropped_total")
}
