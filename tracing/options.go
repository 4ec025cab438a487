package tracing

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// ErrUnknownPropagator reports a propagator name that tracing does not
// implement.
var ErrUnknownPropagator = errors.New("tracing: unknown propagator")

// Propagator names, as OTEL_PROPAGATORS spells them.
const (
	TraceContext = "tracecontext" // W3C traceparent and tracestate
	Baggage      = "baggage"      // W3C baggage
	B3           = "b3"           // B3, injected as the single b3 header
	B3Multi      = "b3multi"      // B3, injected as the x-b3-* headers
	Jaeger       = "jaeger"       // Jaeger uber-trace-id
	None         = "none"         // no propagator: trace headers are only forwarded raw
)

// Default header bounds.
const (
	// DefaultMaxValueBytes bounds one header value (the W3C baggage limit).
	DefaultMaxValueBytes = 8192
	// DefaultMaxHeaders bounds how many raw vendor headers one call forwards.
	DefaultMaxHeaders = 32
)

// formats is the set of propagators in force.
type formats uint8

const (
	fTraceContext formats = 1 << iota
	fBaggage
	fB3Single
	fB3Multi
	fJaeger

	fB3  = fB3Single | fB3Multi
	fAll = fTraceContext | fBaggage | fB3 | fJaeger
)

// Option configures a Forwarder.
type Option func(*Forwarder) error

// WithPropagators sets the propagators to extract and inject, by the names
// OTEL_PROPAGATORS uses (TraceContext, Baggage, B3, B3Multi, Jaeger, None).
// Without it the set is what OTEL_PROPAGATORS names, or all of them. Either
// B3 name extracts both B3 forms.
func WithPropagators(names ...string) Option {
	return func(f *Forwarder) error {
		set, err := parseFormats(names, true)
		f.formats = set
		return err
	}
}

// WithEdge makes the Forwarder treat callers as untrusted: incoming baggage,
// trace context, x-request-id and vendor trace headers are dropped, and every
// call starts a new trace with a new request id.
func WithEdge() Option {
	return func(f *Forwarder) error { f.edge = true; return nil }
}

// WithEdgeLink is WithEdge, and when WithSpans is also given the new root
// span links to the caller's span context, which is recorded but never
// forwarded.
func WithEdgeLink() Option {
	return func(f *Forwarder) error { f.edge, f.link = true, true; return nil }
}

// WithSpans makes every server call a child span and every client call a
// client span, recorded through tp by the otelhttp and otelgrpc
// instrumentation. Without it no span is started and the incoming context is
// forwarded unchanged. On gRPC the spans come from the stats handlers in
// ServerOptions and DialOptions.
func WithSpans(tp trace.TracerProvider) Option {
	return func(f *Forwarder) error {
		if tp == nil {
			return errors.New("tracing: WithSpans: nil TracerProvider")
		}
		f.tp = tp
		return nil
	}
}

// WithHeaderLimits bounds each propagated header value to maxValueBytes and
// the number of raw vendor headers forwarded per call to maxHeaders. Values
// over the bound are dropped, not truncated.
func WithHeaderLimits(maxValueBytes, maxHeaders int) Option {
	return func(f *Forwarder) error {
		var errs []error
		if maxValueBytes < 64 {
			errs = append(errs, fmt.Errorf("tracing: WithHeaderLimits: maxValueBytes %d below 64", maxValueBytes))
		}
		if maxHeaders < 0 {
			errs = append(errs, fmt.Errorf("tracing: WithHeaderLimits: maxHeaders %d is negative", maxHeaders))
		}
		f.maxValue, f.maxHeaders = maxValueBytes, maxHeaders
		return errors.Join(errs...)
	}
}

// parseFormats maps propagator names to a set. With strict, an unknown name
// is an error; otherwise it is ignored, as the OpenTelemetry specification
// asks of OTEL_PROPAGATORS.
func parseFormats(names []string, strict bool) (formats, error) {
	var set formats
	var errs []error
	for _, n := range names {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case TraceContext:
			set |= fTraceContext
		case Baggage:
			set |= fBaggage
		case B3:
			set |= fB3Single
		case B3Multi:
			set |= fB3Multi
		case Jaeger:
			set |= fJaeger
		case None, "":
		default:
			if strict {
				errs = append(errs, fmt.Errorf("%w %q", ErrUnknownPropagator, n))
			}
		}
	}
	return set, errors.Join(errs...)
}

// envFormats reads OTEL_PROPAGATORS; unset or empty means all formats.
func envFormats() formats {
	v := strings.TrimSpace(os.Getenv("OTEL_PROPAGATORS"))
	if v == "" {
		return fAll
	}
	set, _ := parseFormats(strings.Split(v, ","), false)
	return set
}
