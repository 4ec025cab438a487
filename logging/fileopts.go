package logging

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// SyncPolicy says when a File calls fsync.
type SyncPolicy int

const (
	// SyncOnRotate, the default, syncs a file before it is rotated and on
	// Close; in between, records reach the kernel at every flush and
	// survive a crash of the process, not of the machine.
	SyncOnRotate SyncPolicy = iota
	// SyncEveryFlush also syncs after every flush, bounding what a power
	// loss can take to one FlushInterval.
	SyncEveryFlush
	// SyncNever leaves syncing to the operating system.
	SyncNever
)

// Defaults and bounds of FileOptions.
const (
	DefaultFileMode      os.FileMode = 0o600
	DefaultDirMode       os.FileMode = 0o700
	DefaultMaxSize                   = 100 << 20
	DefaultMaxBackups                = 10
	DefaultFlushInterval             = 200 * time.Millisecond
	DefaultBufferSize                = 1 << 20
	DefaultWriteTimeout              = 50 * time.Millisecond
	MaxFlushInterval                 = time.Minute
	MaxWriteTimeout                  = 5 * time.Second
)

// FileOptions configures a File. Only Path is required; every zero field
// takes its default.
type FileOptions struct {
	// Path of the active log file. Missing directories are created with
	// DirMode.
	Path string
	// FileMode of the log files: 0600 (default) or 0640 to let a log
	// agent in the file's group read them. Nothing wider is accepted.
	FileMode os.FileMode
	// DirMode of directories created for Path: 0700 (default) or 0750.
	DirMode os.FileMode

	// MaxSize rotates the file before a write would make it larger than
	// this many bytes (default 100 MiB). A single larger record is written
	// alone into a fresh file.
	MaxSize int64
	// RotateEvery also rotates when the UTC period of this length the file
	// was started in has passed (24h rotates at midnight UTC). Zero: only
	// size-based rotation.
	RotateEvery time.Duration
	// MaxBackups is how many rotated files are kept (default 10); -1
	// keeps all.
	MaxBackups int
	// MaxAge removes rotated files older than this; zero keeps them
	// regardless of age.
	MaxAge time.Duration
	// Compress gzips rotated files.
	Compress bool

	// FlushInterval bounds how long a record waits in memory before it is
	// written (default 200ms, at most MaxFlushInterval).
	FlushInterval time.Duration
	// BufferSize bounds the bytes held in memory (default 1 MiB). When the
	// buffer is full, a write waits up to WriteTimeout and is then
	// dropped and counted.
	BufferSize int
	// WriteTimeout bounds how long a write waits for buffer space when the
	// disk cannot keep up (default 50ms, at most MaxWriteTimeout). After
	// one write timed out, further writes drop at once until the disk
	// catches up.
	WriteTimeout time.Duration
	// Sync is the fsync policy.
	Sync SyncPolicy
}

// withDefaults validates o and fills in its defaults, returning every
// problem found.
func (o FileOptions) withDefaults() (FileOptions, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("logging: FileOptions."+format, args...))
	}
	// within defaults a zero duration and bounds a set one to (0, max].
	within := func(d *time.Duration, def, max time.Duration, name string) {
		switch {
		case *d == 0:
			*d = def
		case *d < 0 || *d > max:
			bad("%s %v is outside (0, %v]", name, *d, max)
		}
	}
	if o.Path == "" {
		bad("Path is empty")
	}
	if o.FileMode == 0 {
		o.FileMode = DefaultFileMode
	} else if o.FileMode != 0o600 && o.FileMode != 0o640 {
		bad("FileMode %#o is not 0600 or 0640", o.FileMode)
	}
	if o.DirMode == 0 {
		o.DirMode = DefaultDirMode
	} else if o.DirMode != 0o700 && o.DirMode != 0o750 {
		bad("DirMode %#o is not 0700 or 0750", o.DirMode)
	}
	switch {
	case o.MaxSize == 0:
		o.MaxSize = DefaultMaxSize
	case o.MaxSize < 0:
		bad("MaxSize %d is negative", o.MaxSize)
	}
	if o.RotateEvery < 0 {
		bad("RotateEvery %v is negative", o.RotateEvery)
	}
	switch {
	case o.MaxBackups == 0:
		o.MaxBackups = DefaultMaxBackups
	case o.MaxBackups < -1:
		bad("MaxBackups %d is below -1", o.MaxBackups)
	}
	if o.MaxAge < 0 {
		bad("MaxAge %v is negative", o.MaxAge)
	}
	within(&o.FlushInterval, DefaultFlushInterval, MaxFlushInterval, "FlushInterval")
	switch {
	case o.BufferSize == 0:
		o.BufferSize = DefaultBufferSize
	case o.BufferSize < 0:
		bad("BufferSize %d is negative", o.BufferSize)
	}
	within(&o.WriteTimeout, DefaultWriteTimeout, MaxWriteTimeout, "WriteTimeout")
	if o.Sync < SyncOnRotate || o.Sync > SyncNever {
		bad("Sync %d is not a SyncPolicy", o.Sync)
	}
	return o, errors.Join(errs...)
}
