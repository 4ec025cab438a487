package mtls

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

// EventKind says what happened to a source.
type EventKind int

const (
	// SVIDUpdated: the source holds a new X.509-SVID; new handshakes
	// present it.
	SVIDUpdated EventKind = iota + 1
	// SourceError: the source could not refresh. It keeps serving the last
	// good SVID and bundles until they expire.
	SourceError
)

func (k EventKind) String() string {
	switch k {
	case SVIDUpdated:
		return "svid_updated"
	case SourceError:
		return "source_error"
	}
	return "unknown"
}

// Event reports a change in a source: a rotated SVID with its expiry, or a
// refresh that failed.
type Event struct {
	Kind     EventKind
	ID       spiffeid.ID // the SVID's SPIFFE ID (SVIDUpdated)
	Serial   string      // the SVID's serial number in hex (SVIDUpdated)
	NotAfter time.Time   // when the SVID expires (SVIDUpdated)
	Err      error       // what failed (SourceError)
}

// SourceOption configures NewWorkloadAPISource and NewFileSource.
type SourceOption func(*sourceConfig)

type sourceConfig struct {
	addr         string
	readyTimeout time.Duration
	logger       *slog.Logger
	onEvent      func(Event)
}

// WithAddr sets the Workload API address (unix:///path or tcp://host:port)
// instead of the SPIFFE_ENDPOINT_SOCKET environment variable. NewFileSource
// ignores it.
func WithAddr(addr string) SourceOption { return func(c *sourceConfig) { c.addr = addr } }

// WithReadyTimeout bounds how long NewWorkloadAPISource waits for the first
// SVID (default 10s). The constructor's context can end the wait sooner.
func WithReadyTimeout(d time.Duration) SourceOption {
	return func(c *sourceConfig) { c.readyTimeout = d }
}

// WithLogger logs the source's events: rotations at Info with the SVID's
// expiry, failures at Warn.
func WithLogger(l *slog.Logger) SourceOption { return func(c *sourceConfig) { c.logger = l } }

// WithEvents calls fn for every event, from the source's own goroutine; fn
// must not block.
func WithEvents(fn func(Event)) SourceOption { return func(c *sourceConfig) { c.onEvent = fn } }

func newSourceConfig(opts []SourceOption) sourceConfig {
	c := sourceConfig{readyTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func (c *sourceConfig) emit(ev Event) {
	if c.logger != nil {
		switch ev.Kind {
		case SVIDUpdated:
			c.logger.LogAttrs(context.Background(), slog.LevelInfo, "mtls: SVID updated",
				slog.String("spiffe_id", ev.ID.String()), slog.String("serial", ev.Serial),
				slog.Time("not_after", ev.NotAfter))
		case SourceError:
			c.logger.LogAttrs(context.Background(), slog.LevelWarn, "mtls: SVID source error",
				slog.String("error", ev.Err.Error()))
		}
	}
	if c.onEvent != nil {
		c.onEvent(ev)
	}
}

func svidEvent(svid *x509svid.SVID) Event {
	leaf := svid.Certificates[0]
	return Event{
		Kind:     SVIDUpdated,
		ID:       svid.ID,
		Serial:   serialHex(leaf),
		NotAfter: leaf.NotAfter,
	}
}

// serialHex formats a certificate's serial number as its bytes in hex, the
// way openssl and SPIRE print it.
func serialHex(cert *x509.Certificate) string {
	return hex.EncodeToString(cert.SerialNumber.Bytes())
}
