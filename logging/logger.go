package logging

import (
	"errors"
	"log/slog"
	"os"
)

// Config configures New: where records go and what they carry.
type Config struct {
	// File is the local log file; File.Path is required.
	File FileOptions
	// Handler sets the level, base attributes and redaction. Host
	// defaults to os.Hostname.
	Handler HandlerOptions
}

// Logger is a ready *slog.Logger writing sanitised JSON lines to a local
// file. Close it when the service stops.
type Logger struct {
	*slog.Logger
	file *File
}

// New validates cfg, opens the log file and returns a logger writing to
// it. Every problem in cfg is reported at once, naming the field; a path
// that cannot be created or written is an error here, not later.
func New(cfg Config) (*Logger, error) {
	errs := []error{cfg.Handler.validate("Handler")}
	fopts, err := cfg.File.withDefaults()
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	f, err := OpenFile(fopts)
	if err != nil {
		return nil, err
	}
	hopts := cfg.Handler
	if hopts.Host == "" {
		hopts.Host, _ = os.Hostname()
	}
	return &Logger{Logger: slog.New(NewHandler(f, &hopts)), file: f}, nil
}

// File returns the logger's file, for Flush and Stats.
func (l *Logger) File() *File { return l.file }

// Close flushes the remaining records, closes the file and ends the
// logger's goroutines.
func (l *Logger) Close() error { return l.file.Close() }
