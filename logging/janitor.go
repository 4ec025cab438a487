package logging

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// The janitor applies retention and compresses rotated files, off the
// write path. Its work is abortable between files and between reads, so
// that Close can end it within a bound even while it compresses a large
// file; only a single system call stuck on a dead disk can outlast Close,
// and the janitor then ends as soon as that call returns.

// janitorGrace bounds how long Close waits for an aborted janitor.
const janitorGrace = time.Second

var (
	errCloseTimeout = errors.New("logging: close timed out, the disk is not responding")
	errCleanAborted = errors.New("logging: file cleanup aborted by Close")
)

func (f *File) kickClean() {
	select {
	case f.clean <- struct{}{}:
	default:
	}
}

// janitor runs cleanups when asked to, until Close: on cleanStop it
// finishes the cleanup still asked for, unless cleanAbort cuts it short.
func (f *File) janitor() {
	defer close(f.cleanDone)
	for {
		select {
		case <-f.clean:
			f.cleanup()
		case <-f.cleanStop:
			select {
			case <-f.clean:
				f.cleanup()
			default:
			}
			return
		}
	}
}

// stopJanitor ends the janitor for Close. When the flusher ended (flushed)
// the janitor may finish its last cleanup until deadline fires; when the
// disk is stuck, or after deadline, its work is aborted. It then waits at
// most janitorGrace.
func (f *File) stopJanitor(flushed bool, deadline <-chan time.Time) error {
	close(f.cleanStop)
	if flushed {
		select {
		case <-f.cleanDone:
			return nil
		case <-deadline:
		}
	}
	close(f.cleanAbort)
	grace := time.NewTimer(janitorGrace)
	defer grace.Stop()
	select {
	case <-f.cleanDone:
		return nil
	case <-grace.C:
		return errCloseTimeout
	}
}

func (f *File) aborted() bool {
	select {
	case <-f.cleanAbort:
		return true
	default:
		return false
	}
}

// cleanup removes rotated files beyond MaxBackups or older than MaxAge and
// compresses the rest when asked to.
func (f *File) cleanup() {
	list, err := f.backups()
	if err != nil {
		f.noteErr(err)
		return
	}
	now := f.now()
	for i, b := range list {
		if f.aborted() {
			return
		}
		tooMany := f.opts.MaxBackups >= 0 && i >= f.opts.MaxBackups
		tooOld := f.opts.MaxAge > 0 && now.Sub(b.time) > f.opts.MaxAge
		if tooMany || tooOld {
			if err := os.Remove(b.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				f.noteErr(err)
			}
			continue
		}
		if f.opts.Compress && !b.gz {
			if err := f.compress(b.path); err != nil && !errors.Is(err, errCleanAborted) {
				f.noteErr(err)
			}
		}
	}
}

// abortReader reads from r until abort is closed.
type abortReader struct {
	r     io.Reader
	abort <-chan struct{}
}

func (a abortReader) Read(p []byte) (int, error) {
	select {
	case <-a.abort:
		return 0, errCleanAborted
	default:
		return a.r.Read(p)
	}
}

// compress replaces path by path.gz, written under a temporary name and
// renamed into place so a reader never sees half an archive. An aborted
// compression leaves path as it was, for the next OpenFile to compress.
func (f *File) compress(path string) (err error) {
	src, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return fmt.Errorf("logging: compress %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".gz.tmp"
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, f.opts.FileMode)
	if err != nil {
		return fmt.Errorf("logging: compress %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	zw := gzip.NewWriter(dst)
	_, err = io.Copy(zw, abortReader{src, f.cleanAbort})
	err = errors.Join(err, zw.Close())
	if err == nil && f.opts.Sync != SyncNever {
		err = dst.Sync()
	}
	err = errors.Join(err, dst.Chmod(f.opts.FileMode), dst.Close())
	if err == nil {
		err = os.Rename(tmp, path+".gz")
	}
	if err == nil {
		err = os.Remove(path)
	}
	if err != nil {
		return fmt.Errorf("logging: compress %s: %w", path, err)
	}
	return nil
}
