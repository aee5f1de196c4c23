package fakeupstream

import (
	"net"
	"net/http"
	"time"
)

// StartOn is Start on a chosen address. The standalone bench mock needs it so the upstream
// can sit on a fixed port when a run is driven by hand; tests keep using Start.
func StartOn(addr string, opts Options, recordRequests bool) (*Server, error) {
	if opts.Chunks <= 0 {
		opts.Chunks = 4
	}
	if opts.Text == "" {
		opts.Text = "hello "
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln, record: recordRequests, cancelCh: make(chan struct{}, 1024)}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return s, nil
}
