package logging

import (
	"context"
	"log/slog"
	"net/textproto"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// AccessOption changes what the access log records.
type AccessOption func(*accessConfig)

type accessConfig struct {
	headers []string // canonical names, or lower case for gRPC metadata
}

// DefaultAccessHeaders are the request headers (gRPC metadata keys) an
// access log records unless WithHeaders says otherwise.
func DefaultAccessHeaders() []string { return []string{"User-Agent", "Content-Type"} }

// WithHeaders replaces the allowlist of request headers (or gRPC metadata
// keys) recorded under "headers". Headers not listed are never logged;
// listed ones still pass through redaction, so listing Authorization logs
// it redacted.
func WithHeaders(names ...string) AccessOption {
	return func(c *accessConfig) { c.headers = append([]string(nil), names...) }
}

func newAccessConfig(opts []AccessOption) accessConfig {
	c := accessConfig{headers: DefaultAccessHeaders()}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	for i, h := range c.headers {
		c.headers[i] = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(h))
	}
	return c
}

type accessKey struct{}

// accessInfo collects what inner layers learn about a request while the
// access log waits for it to finish.
type accessInfo struct {
	mu        sync.Mutex
	principal reqctx.Principal
	attrs     []slog.Attr
}

// AddAccessAttrs adds attrs to the access-log record of the request ctx
// belongs to. Outside a request wrapped by AccessLog or the interceptors
// it does nothing.
func AddAccessAttrs(ctx context.Context, attrs ...slog.Attr) {
	if info, ok := ctx.Value(accessKey{}).(*accessInfo); ok {
		info.mu.Lock()
		info.attrs = append(info.attrs, attrs...)
		info.mu.Unlock()
	}
}

// noteAccess lets the access log learn the token principal from any
// context an inner layer passes to LogEvent: the authenticating layer
// puts it in a context derived from the access log's, which the access
// log itself never sees.
func noteAccess(ctx context.Context) {
	if ctx == nil {
		return
	}
	info, ok := ctx.Value(accessKey{}).(*accessInfo)
	if !ok {
		return
	}
	if p, ok := reqctx.PrincipalFrom(ctx); ok {
		info.mu.Lock()
		info.principal = p
		info.mu.Unlock()
	}
}

// commonAttrs appends the attributes shared by HTTP and gRPC access logs.
// requestID is used when the context carries no request id.
func commonAttrs(ctx context.Context, attrs []slog.Attr, info *accessInfo, l *slog.Logger, d time.Duration, requestID string) []slog.Attr {
	attrs = append(attrs, slog.Float64("duration_ms", float64(d.Microseconds())/1000))
	if id, ok := reqctx.PeerID(ctx); ok {
		attrs = append(attrs, slog.String("peer_id", id.String()))
	}
	info.mu.Lock()
	p := info.principal
	extra := info.attrs
	info.mu.Unlock()
	if p == nil {
		p, _ = reqctx.PrincipalFrom(ctx)
	}
	if p != nil {
		attrs = append(attrs, slog.String("subject", p.Subject()), slog.String("issuer", p.Issuer()))
	}
	if id, ok := reqctx.RequestID(ctx); ok {
		attrs = append(attrs, slog.String("request_id", id))
	} else if requestID != "" {
		attrs = append(attrs, slog.String("request_id", requestID))
	}
	// ztkit's handler adds trace ids to every record; others get them here.
	if _, ours := l.Handler().(*handler); !ours {
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()), slog.String("span_id", sc.SpanID().String()))
		}
	}
	return append(attrs, extra...)
}
