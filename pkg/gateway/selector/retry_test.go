package selector

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	var (
		stop      = Decision{}
		sameAgain = Decision{Retry: true, CountsForBreaker: true}
		switchNow = Decision{Retry: true, SwitchProvider: true, CountsForBreaker: true}
		committed = Decision{CountsForBreaker: true}
	)
	tests := []struct {
		status int
		kind   ErrKind
		sent   bool
		want   Decision
	}{
		// Successes and client errors go to the client as they are.
		{200, ErrNone, false, stop},
		{200, ErrNone, true, stop},
		{304, ErrNone, false, stop},
		{400, ErrNone, false, stop},
		{401, ErrNone, false, stop},
		{403, ErrNone, false, stop},
		{404, ErrNone, false, stop},
		{413, ErrNone, false, stop},
		{422, ErrNone, false, stop},
		// Upstream trouble before the first byte: retry.
		{429, ErrNone, false, switchNow},
		{529, ErrNone, false, switchNow},
		{500, ErrNone, false, sameAgain},
		{502, ErrNone, false, sameAgain},
		{503, ErrNone, false, sameAgain},
		{504, ErrNone, false, sameAgain},
		{0, ErrNone, false, switchNow},
		{0, ErrConnect, false, sameAgain},
		{0, ErrTimeout, false, switchNow},
		{200, ErrTimeout, false, switchNow}, // headers came, first byte did not
		{0, ErrUpstream, false, switchNow},
		// After the first byte: never retried, still the provider's fault.
		{200, ErrTimeout, true, committed},
		{200, ErrUpstream, true, committed},
		{200, ErrConnect, true, committed},
		{500, ErrNone, true, committed},
		{429, ErrNone, true, committed},
		// The client left or we broke: stop, and the provider is not to blame.
		{0, ErrClientAbort, false, stop},
		{200, ErrClientAbort, true, stop},
		{500, ErrClientAbort, false, stop},
		{0, ErrLocal, false, stop},
		{0, ErrLocal, true, stop},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d/%v/sent=%v", tc.status, tc.kind, tc.sent), func(t *testing.T) {
			if got := Classify(tc.status, tc.kind, tc.sent); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestKindOf(t *testing.T) {
	tests := []struct {
		err  error
		want ErrKind
	}{
		{nil, ErrNone},
		{context.Canceled, ErrClientAbort},
		{fmt.Errorf("read body: %w", context.Canceled), ErrClientAbort},
		{context.DeadlineExceeded, ErrTimeout},
		{os.ErrDeadlineExceeded, ErrTimeout},
		{&net.OpError{Op: "read", Err: timeoutErr{}}, ErrTimeout},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, ErrConnect},
		{&net.DNSError{Err: "no such host", Name: "x.invalid"}, ErrConnect},
		{fmt.Errorf("write: %w", syscall.ECONNRESET), ErrConnect},
		{syscall.ECONNREFUSED, ErrConnect},
		{errors.New("malformed HTTP response"), ErrUpstream},
	}
	for _, tc := range tests {
		if got := KindOf(tc.err); got != tc.want {
			t.Errorf("KindOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	for k, want := range map[ErrKind]string{ErrNone: "none", ErrConnect: "connect", ErrTimeout: "timeout",
		ErrUpstream: "upstream", ErrClientAbort: "client_abort", ErrLocal: "local", 99: "unknown"} {
		if k.String() != want {
			t.Errorf("%d.String() = %q, want %q", k, k.String(), want)
		}
	}
}
