package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// build compiles the hub (or its profiling wrapper) and the mock into dir with one `go build`,
// so the processes under test are plain binaries: their CPU is theirs, not the go tool's.
// -s -w only drops the symbol table and DWARF (the link is ~3× faster); the compiled code is
// the same as `make build`, and pprof still symbolizes from the runtime's own tables.
// With trimpath (used for -rev sources), the build cache is shared whatever directory the
// source was unpacked into.
func build(ctx context.Context, root, dir string, hubPkg string, trimpath bool) error {
	args := []string{"build", "-ldflags=-s -w"}
	if trimpath {
		args = append(args, "-trimpath")
	}
	args = append(args, "-o", dir+string(os.PathSeparator), hubPkg, "./bench/cmd/mock")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}

// exportRev unpacks the committed tree of rev into dir (git archive, read-only for the
// repository), so a run measures a commit rather than whatever the shared work tree holds at
// that moment.
func exportRev(ctx context.Context, root, rev, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--short=12", rev+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse %s: %w", rev, err)
	}
	commit := strings.TrimSpace(string(out))
	cmd := exec.CommandContext(ctx, "git", "-C", root, "archive", "--format=tar", commit)
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	terr := untar(pipe, dir)
	_, _ = io.Copy(io.Discard, pipe)
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("git archive %s: %w", commit, err)
	}
	return commit, terr
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(h.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("unsafe path in archive: %q", h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o755|0o600)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
		// Symlinks and the pax header git adds carry nothing the build needs.
	}
}

// proc is a child process the bench started. Its stdout is watched for the line that says it
// is ready; its stderr goes to a file whose tail is shown when something fails.
type proc struct {
	name    string
	cmd     *exec.Cmd
	pid     int
	stdout  *lineBuffer
	errPath string
	done    chan struct{}
	waitErr error
	stopped sync.Once
}

func startProc(name, bin string, args, env []string, logDir string) (*proc, error) {
	errPath := filepath.Join(logDir, name+".stderr.log")
	errFile, err := os.Create(errPath)
	if err != nil {
		return nil, err
	}
	p := &proc{name: name, stdout: &lineBuffer{}, errPath: errPath, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout = p.stdout
	p.cmd.Stderr = errFile
	// If the bench itself is killed, the kernel kills the children too, so no hub or mock is
	// left holding a port and a CPU.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		errFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.pid = p.cmd.Process.Pid
	go func() {
		p.waitErr = p.cmd.Wait()
		errFile.Close()
		close(p.done)
	}()
	return p, nil
}

// waitFor waits until stdout has a line matching re and returns its submatches.
func (p *proc) waitFor(ctx context.Context, re *regexp.Regexp, timeout time.Duration) ([]string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if m := re.FindStringSubmatch(p.stdout.String()); m != nil {
			return m, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited (%v) before it was ready\nstdout: %s\nstderr tail:\n%s", p.name, p.waitErr, p.stdout.String(), p.stderrTail())
		case <-deadline.C:
			return nil, fmt.Errorf("%s not ready after %s\nstdout: %s\nstderr tail:\n%s", p.name, timeout, p.stdout.String(), p.stderrTail())
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
}

// alive reports an error if the process has exited.
func (p *proc) alive() error {
	select {
	case <-p.done:
		return fmt.Errorf("%s exited during the bench (%v)\nstderr tail:\n%s", p.name, p.waitErr, p.stderrTail())
	default:
		return nil
	}
}

// stop ends the process by its PID: SIGTERM for a clean shutdown, SIGKILL if it is not gone
// after a few seconds. Safe to call more than once.
func (p *proc) stop() {
	p.stopped.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

func (p *proc) stderrTail() string {
	b, err := os.ReadFile(p.errPath)
	if err != nil {
		return ""
	}
	if len(b) > 2048 {
		b = b[len(b)-2048:]
	}
	return string(b)
}

// lineBuffer collects a child's stdout (only a banner or two; bounded anyway).
type lineBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lineBuffer) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buf.Len() < 64<<10 {
		l.buf.Write(b)
	}
	return len(b), nil
}

func (l *lineBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// clockTicks is USER_HZ, the unit of utime/stime in /proc/<pid>/stat. It is 100 on every
// Linux/amd64 and arm64 kernel; reading it for real needs sysconf (cgo).
const clockTicks = 100

// procCPU is the user+system CPU time a process has used, including its exited threads.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may contain spaces; the fields after its closing parenthesis
	// start at field 3 (state), so utime (14) and stime (15) are at 11 and 12.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat format")
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// procHWM is the process's peak resident set size in KiB (VmHWM).
func procHWM(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				return strconv.ParseInt(f[0], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// selfCPU is the bench process's own CPU time (the load generator's cost, for context).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineBusy is the CPU time all processes on the machine have used since boot (the busy
// columns of /proc/stat's "cpu" line). The bench subtracts its own three processes from it to
// say how much of the window other work took: the machine is shared.
func machineBusy() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0, errors.New("unexpected /proc/stat format")
	}
	var busy int64
	// user nice system idle iowait irq softirq steal: everything but idle and iowait.
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}

// loadAvg is the load average (1, 5, 15 minutes): the machine is shared, so every result says
// how busy it was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
