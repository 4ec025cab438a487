package harness

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// process is a child process in its own process group, logging to a file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error // Wait's result, set before done closes
}

// startProcess runs bin with args and the extra environment variables env
// ("KEY=value"), its output going to logPath, and stops its whole process
// group when the test ends.
func startProcess(t testing.TB, name, logPath string, env []string, bin string, args ...string) *process {
	t.Helper()
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatalf("harness: %s log: %v", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("harness: starting %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("harness: %s log (%s):\n%s", name, logPath, tail(logPath, 4096))
		}
	})
	return p
}

// stop sends SIGTERM to the process group, then SIGKILL after 10s, and
// waits for the process to end.
func (p *process) stop(t testing.TB) {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Logf("harness: %s (pid %d) ignored SIGTERM for 10s, killing", p.name, pgid)
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// exited reports whether the process has ended, with its exit error.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// waitFor polls cond every 20ms until it returns nil, the process exits or
// timeout passes, and fails the test with the last error and the log.
func (p *process) waitFor(t testing.TB, what string, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		err := cond()
		if err == nil {
			return
		}
		if ended, exitErr := p.exited(); ended {
			t.Fatalf("harness: %s exited (%v) before %s: %v\n%s", p.name, exitErr, what, err, tail(p.log, 4096))
		}
		if time.Now().After(deadline) {
			t.Fatalf("harness: %s: no %s within %s: %v\n%s", p.name, what, timeout, err, tail(p.log, 4096))
		}
		<-tick.C
	}
}

// run executes bin with args to completion and returns its stdout; a
// non-zero exit fails the test with stderr.
func run(t testing.TB, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("harness: %s %v: %v\n%s%s", filepath.Base(bin), args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// tail returns the last n bytes of the file at path.
func tail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	off := max(fi.Size()-n, 0)
	b := make([]byte, fi.Size()-off)
	if _, err := f.ReadAt(b, off); err != nil {
		return err.Error()
	}
	return string(b)
}

// freePorts returns n distinct TCP ports on 127.0.0.1 that were free a
// moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("harness: %v", err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// socketDir returns a short directory for Unix sockets (their paths are
// limited to about 104 bytes, which t.TempDir can exceed), removed when the
// test ends.
func socketDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ztk")
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// fileExists returns nil once path exists.
func fileExists(path string) func() error {
	return func() error {
		_, err := os.Stat(path)
		return err
	}
}
