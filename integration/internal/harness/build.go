package harness

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// CacheDir returns the directory that holds built binaries:
// $ZTKIT_INTEGRATION_CACHE, or else ztkit-integration under the user's
// cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("ZTKIT_INTEGRATION_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("harness: no cache directory (set ZTKIT_INTEGRATION_CACHE): %w", err)
	}
	return filepath.Join(base, "ztkit-integration"), nil
}

// Prebuild builds every component the tests run (SPIRE and the Collector,
// concurrently) unless the cache already holds them, reporting progress to
// w. A TestMain calls it before m.Run, so that a cold build, which takes
// minutes, does not eat into the tests' -timeout (go test still stops the
// binary a minute past -timeout, so a cold run wants a generous one).
func Prebuild(w io.Writer) error {
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, fn := range []func(io.Writer) (string, error){buildSPIRE, buildCollector} {
		wg.Go(func() {
			_, errs[i] = fn(w)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// build describes binaries that one `go build` produces into one cache
// subdirectory.
type build struct {
	module string   // the module to build in, relative to the integration module
	key    string   // cache subdirectory, component and version
	pkgs   []string // package paths, each giving a binary named after its last element
}

// buildTools builds pkgs in the tools module dir (relative to the
// integration module) into the cache entry name-<version of mod>-<hash of
// dir's sources, go.mod and go.sum>, and returns that entry's directory.
func buildTools(w io.Writer, dir, name, mod string, pkgs ...string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	v, err := goCmd(filepath.Join(root, dir), "list", "-m", "-f", "{{.Version}}", mod)
	if err != nil {
		return "", err
	}
	hash, err := sourceHash(filepath.Join(root, dir))
	if err != nil {
		return "", err
	}
	return build{module: dir, key: name + "-" + v + "-" + hash, pkgs: pkgs}.ensure(w)
}

// ensure returns the cache subdirectory holding b's binaries, building them
// first if any is missing. Concurrent test binaries serialise on a lock
// file, so each component is built once per cache.
func (b build) ensure(w io.Writer) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	root = filepath.Join(root, b.module)
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, b.key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("harness: cache directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(cache, b.key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", fmt.Errorf("harness: lock file: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("harness: lock %s: %w", lock.Name(), err)
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	if b.present(dir) {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return "", fmt.Errorf("harness: %w", err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	fmt.Fprintf(w, "harness: building %s (a cold build takes minutes)\n", b.key)
	// -s -w: no symbol table or DWARF, which halves the binaries and the
	// link time; these programs are run, not debugged.
	args := append([]string{"build", "-ldflags=-s -w", "-o", tmp + string(filepath.Separator)}, b.pkgs...)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("harness: building %s failed (go %s in %s): %w\n%s",
			b.key, strings.Join(args, " "), root, err, out)
	}
	for _, p := range b.pkgs {
		name := filepath.Base(p)
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(dir, name)); err != nil {
			return "", fmt.Errorf("harness: %w", err)
		}
	}
	fmt.Fprintf(w, "harness: built %s in %s into %s\n", b.key, time.Since(start).Round(time.Second), dir)
	return dir, nil
}

func (b build) present(dir string) bool {
	for _, p := range b.pkgs {
		fi, err := os.Stat(filepath.Join(dir, filepath.Base(p)))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o100 == 0 {
			return false
		}
	}
	return true
}

// moduleRoot returns the directory of the integration module's go.mod, the
// module of the test being run.
func moduleRoot() (string, error) {
	out, err := goCmd("", "env", "GOMOD")
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(out, "go.mod") {
		return "", fmt.Errorf("harness: not inside a Go module (go env GOMOD = %q)", out)
	}
	return filepath.Dir(out), nil
}

func goCmd(dir string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("harness: go %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// sourceHash returns a short hash of the .go files, go.mod and go.sum in
// dir, so that a changed program or dependency gets a new cache entry.
func sourceHash(dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		return "", fmt.Errorf("harness: no Go files in %s (%v)", dir, err)
	}
	files = append(files, filepath.Join(dir, "go.mod"), filepath.Join(dir, "go.sum"))
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("harness: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// logWriter sends build progress to a test's log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
