package logging

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

var (
	// ErrClosed is returned by writes to a closed File.
	ErrClosed = errors.New("logging: log file closed")
	// ErrDropped is returned when a record is dropped because the disk
	// did not keep up within FileOptions.WriteTimeout.
	ErrDropped = errors.New("logging: record dropped, log buffer full")
)

// closeWait bounds how long Close and Flush wait for a stuck disk.
const closeWait = 5 * time.Second

// File is a local log file that takes whole records: it buffers them in
// memory, writes them from one goroutine with O_APPEND so that a record is
// never split between two write calls, rotates and prunes its files, and
// never blocks a caller beyond FileOptions.WriteTimeout. Close flushes and
// ends its goroutines.
type File struct {
	opts      FileOptions
	stem, ext string
	now       func() time.Time
	write     func(fd *os.File, p []byte) (int, error)

	mu      sync.Mutex
	buf     []byte
	spare   []byte
	space   chan struct{} // closed when the flusher takes the buffer
	stalled bool
	closed  bool

	kick       chan struct{}
	flushReq   chan chan error
	stop       chan struct{}
	done       chan struct{}
	clean      chan struct{}
	cleanStop  chan struct{} // the janitor finishes its pending cleanup and ends
	cleanAbort chan struct{} // the janitor drops its work
	cleanDone  chan struct{}
	closeWait  time.Duration

	// Owned by the flusher goroutine.
	f        *os.File
	size     int64
	period   time.Time
	reported uint64
	closeErr error

	written, dropped, writeErrors, rotations atomic.Uint64
	lastErr                                  atomic.Pointer[string]
}

// FileStats counts what a File did since it was opened.
type FileStats struct {
	Written     uint64 // records written to disk
	Dropped     uint64 // records lost: buffer full, write failed, or after Close
	WriteErrors uint64 // failed writes, opens and renames
	Rotations   uint64
	LastError   string // the most recent write error, if any
}

// OpenFile validates opts, creates the log directory and file with their
// restricted modes and starts the file's flusher. It fails with a clear
// error when the path cannot be created or written.
func OpenFile(opts FileOptions) (*File, error) {
	return openFile(opts, time.Now, (*os.File).Write)
}

func openFile(opts FileOptions, now func() time.Time, write func(*os.File, []byte) (int, error)) (*File, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	base := filepath.Base(o.Path)
	ext := filepath.Ext(base)
	f := &File{
		opts: o, stem: base[:len(base)-len(ext)], ext: ext, now: now, write: write,
		space: make(chan struct{}), kick: make(chan struct{}, 1), flushReq: make(chan chan error),
		stop: make(chan struct{}), done: make(chan struct{}),
		clean: make(chan struct{}, 1), cleanStop: make(chan struct{}), cleanAbort: make(chan struct{}),
		cleanDone: make(chan struct{}), closeWait: closeWait,
		buf: make([]byte, 0, o.BufferSize), spare: make([]byte, 0, o.BufferSize),
	}
	if err := prepareDir(filepath.Dir(o.Path), o.DirMode); err != nil {
		return nil, err
	}
	if err := f.open(); err != nil {
		return nil, fmt.Errorf("logging: open log file %s: %w", o.Path, err)
	}
	go f.run()
	go f.janitor()
	f.kickClean()
	return f, nil
}

func prepareDir(dir string, mode os.FileMode) error {
	if err := os.MkdirAll(dir, mode); err != nil {
		return fmt.Errorf("logging: create log directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("logging: log directory: %w", err)
	}
	if p := st.Mode(); p&0o002 != 0 && p&os.ModeSticky == 0 {
		return fmt.Errorf("logging: log directory %s is writable by everyone (mode %#o)", dir, p.Perm())
	}
	return nil
}

// open opens the active file for appending, with the configured mode,
// refusing symlinks and anything but a regular file.
func (f *File) open() error {
	fd, err := os.OpenFile(f.opts.Path, os.O_RDWR|os.O_APPEND|os.O_CREATE|oNoFollow, f.opts.FileMode)
	if err != nil {
		return err
	}
	st, err := fd.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	if err == nil && st.Mode().Perm() != f.opts.FileMode {
		err = fd.Chmod(f.opts.FileMode)
	}
	size := int64(0)
	if err == nil {
		size, err = repairTail(fd, st.Size())
	}
	if err != nil {
		_ = fd.Close()
		return err
	}
	f.f, f.size = fd, size
	f.period = f.periodOf(f.now())
	if size > 0 {
		f.period = f.periodOf(st.ModTime())
	}
	return nil
}

// repairTail removes a torn last record and returns the new size. The
// kernel may cut a write short at a page boundary when the writing
// process is killed (SIGKILL) inside write(2); the fragment left after the
// last newline can never become a valid record.
func repairTail(fd *os.File, size int64) (int64, error) {
	const window = 1 << 20
	if size == 0 {
		return 0, nil
	}
	n := min(size, window)
	tail := make([]byte, n)
	if _, err := fd.ReadAt(tail, size-n); err != nil {
		return 0, err
	}
	if tail[n-1] == '\n' {
		return size, nil
	}
	i := bytes.LastIndexByte(tail, '\n')
	if i < 0 && n < size {
		// No record boundary in sight: end the fragment instead.
		_, err := fd.Write([]byte{'\n'})
		return size + 1, err
	}
	keep := size - n + int64(i) + 1
	return keep, fd.Truncate(keep)
}

func (f *File) periodOf(t time.Time) time.Time {
	if f.opts.RotateEvery <= 0 {
		return time.Time{}
	}
	return t.UTC().Truncate(f.opts.RotateEvery)
}

// Write takes one whole record (a trailing newline is added if missing).
// It returns ErrDropped when the record had to be dropped and ErrClosed
// after Close; either way the record is counted in Stats().Dropped.
func (f *File) Write(p []byte) (int, error) {
	if err := f.writeRecord(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (f *File) writeRecord(p []byte) error {
	if len(p) == 0 {
		return nil
	}
	var timer *time.Timer
	f.mu.Lock()
	for !f.closed && len(f.buf) > 0 && len(f.buf)+len(p)+1 > f.opts.BufferSize && !f.stalled {
		ch := f.space
		f.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(f.opts.WriteTimeout)
			defer timer.Stop()
		}
		select {
		case <-ch:
			f.mu.Lock()
		case <-timer.C:
			f.mu.Lock()
			f.stalled = true
		}
	}
	switch {
	case f.closed:
		f.mu.Unlock()
		f.dropped.Add(1)
		return ErrClosed
	case len(f.buf) > 0 && len(f.buf)+len(p)+1 > f.opts.BufferSize:
		f.mu.Unlock()
		f.dropped.Add(1)
		return ErrDropped
	}
	f.buf = append(f.buf, p...)
	if p[len(p)-1] != '\n' {
		f.buf = append(f.buf, '\n')
	}
	full := len(f.buf) >= f.opts.BufferSize/2
	f.mu.Unlock()
	if full {
		select {
		case f.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Flush writes the buffered records now and returns the write error, if
// any. It waits at most a few seconds for a stuck disk.
func (f *File) Flush() error {
	reply := make(chan error, 1)
	timeout := time.NewTimer(f.closeWait)
	defer timeout.Stop()
	select {
	case f.flushReq <- reply:
	case <-f.done:
		return ErrClosed
	case <-timeout.C:
		return errFlushTimeout
	}
	select {
	case err := <-reply:
		return err
	case <-timeout.C:
		return errFlushTimeout
	}
}

var errFlushTimeout = errors.New("logging: flush timed out, the disk is not responding")

// Stats returns the file's counters.
func (f *File) Stats() FileStats {
	s := FileStats{
		Written: f.written.Load(), Dropped: f.dropped.Load(),
		WriteErrors: f.writeErrors.Load(), Rotations: f.rotations.Load(),
	}
	if e := f.lastErr.Load(); e != nil {
		s.LastError = *e
	}
	return s
}

// Close flushes the buffer, syncs and closes the file and ends the File's
// goroutines. Records written after Close are dropped and counted. It
// waits a few seconds at most: on a stuck disk it returns an error, and a
// goroutine stuck in a system call on the disk ends as soon as the call
// returns.
func (f *File) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return ErrClosed
	}
	f.closed = true
	f.mu.Unlock()
	close(f.stop)
	timeout := time.NewTimer(f.closeWait)
	defer timeout.Stop()
	select {
	case <-f.done:
		return errors.Join(f.closeErr, f.stopJanitor(true, timeout.C))
	case <-timeout.C:
		_ = f.stopJanitor(false, nil) // a timeout too, already reported
		return errCloseTimeout
	}
}
