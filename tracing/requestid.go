package tracing

import (
	"context"
	"crypto/rand"

	"go.opentelemetry.io/otel/trace"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// RequestIDFromContext returns the x-request-id of the call being served:
// the caller's, or the one the Forwarder generated when there was none (or,
// in edge mode, always).
func RequestIDFromContext(ctx context.Context) (string, bool) {
	return reqctx.RequestID(ctx)
}

// newRequestID returns a random (version 4) UUID.
func newRequestID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return string(b)
}

// newRoot returns a new sampled span context with random ids, for an edge
// service that starts traces without an SDK.
func newRoot() trace.SpanContext {
	var scc trace.SpanContextConfig
	for !scc.TraceID.IsValid() || !scc.SpanID.IsValid() {
		_, _ = rand.Read(scc.TraceID[:])
		_, _ = rand.Read(scc.SpanID[:])
	}
	scc.TraceFlags = trace.FlagsSampled | trace.FlagsRandom
	scc.Remote = true
	return trace.NewSpanContext(scc)
}

// serve completes extraction for a call about to be served: it ensures a
// request id and, in edge mode, that no caller's span context remains, only
// a new trace (an SDK span already started is kept).
func (f *Forwarder) serve(ctx context.Context) context.Context {
	if f.edge {
		if sc := trace.SpanContextFromContext(ctx); !sc.IsValid() || sc.IsRemote() {
			ctx = trace.ContextWithRemoteSpanContext(ctx, newRoot())
		}
		return reqctx.WithRequestID(ctx, newRequestID())
	}
	if _, ok := reqctx.RequestID(ctx); !ok {
		ctx = reqctx.WithRequestID(ctx, newRequestID())
	}
	return ctx
}
