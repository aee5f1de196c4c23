package app

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cchub/cchub/pkg/fakeupstream"
)

// TestGracefulShutdownDrainsStreamAndLog: SIGTERM while a stream is being relayed lets the
// stream finish, writes its log row before the store closes (a restart finds it), and does not
// wait on idle keep-alive connections.
func TestGracefulShutdownDrainsStreamAndLog(t *testing.T) {
	up, err := fakeupstream.Start(fakeupstream.Options{Chunks: 6, Delay: 100 * time.Millisecond, InputTokens: 11, OutputTokens: 22}, false)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	cfg := testConfig(t, nil)
	h := startHub(t, cfg)
	base := "http://" + h.Addr()
	var p, u struct{ ID int }
	var k struct{ Key string }
	adminCall(t, base, "POST", "/api/v1/providers", `{"name":"fake","type":"claude","url":"`+up.URL+`","key":"k"}`, &p)
	adminCall(t, base, "POST", "/api/v1/users", `{"name":"bob"}`, &u)
	if code := adminCall(t, base, "POST", "/api/v1/users/"+itoa(u.ID)+"/keys", `{"name":"k"}`, &k); code != 201 {
		t.Fatalf("create key: %d", code)
	}
	req, _ := http.NewRequest("POST", base+"/v1/messages", strings.NewReader(`{"model":"claude-sonnet-4-5","stream":true,"messages":[]}`))
	req.Header.Set("x-api-key", k.Key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	if line, _ := br.ReadString('\n'); !strings.Contains(line, "message_start") {
		t.Fatalf("first line %q", line)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- h.Shutdown(context.Background()) }()
	rest, _ := io.ReadAll(br)
	resp.Body.Close()
	if !strings.Contains(string(rest), "message_stop") {
		t.Fatalf("stream cut by shutdown: %q", rest)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("shutdown took %v", d)
	}

	// Restart on the same data directory: the request's log row was flushed before close.
	h2 := startHub(t, cfg)
	n, err := h2.store.Reader.RequestLog.Query().Count(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("log rows after restart = %d, %v", n, err)
	}
	row, _ := h2.store.Reader.RequestLog.Query().Only(context.Background())
	if row.InputTokens != 11 || row.OutputTokens != 22 || row.CostNano == 0 || row.StatusCode != 200 {
		t.Fatalf("row %+v", row)
	}
}
