package tracing

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// state is what extraction leaves in the context for injection to forward
// besides the span context and baggage. It is never changed once stored.
type state struct {
	raw      []rawField
	traceID  trace.TraceID // of the extracted span context
	spanID   trace.SpanID
	debug    bool   // B3 or Jaeger debug flag
	b3Parent string // x-b3-parentspanid of the extracted span
	// The baggage and tracestate headers as received, once they parsed
	// cleanly, with the parsed baggage: while the context still holds the
	// same values, injection forwards these instead of re-encoding them.
	bag           baggage.Baggage
	bagRaw, tsRaw string
}

type rawField struct {
	name, value string // name as received; value decoded when bin
	bin         bool
}

type stateKey struct{}

func stateFrom(ctx context.Context) (*state, bool) {
	st, ok := ctx.Value(stateKey{}).(*state)
	return st, ok
}

// collector gathers one call's headers before they are parsed.
type collector struct {
	f   *Forwarder
	v   [kRequestID + 1]string // the value of each parsed header, by kind
	raw []rawField
}

// add records the values of one header of kind k. base64ed says binary
// headers arrive base64-encoded (HTTP) rather than decoded (gRPC).
func (c *collector) add(k kind, name string, vals []string, base64ed bool) {
	switch {
	case len(vals) == 0:
	case k == kTracestate || k == kBaggage:
		c.v[k] = c.join(vals)
	case k == kRaw || k == kRawBin:
		c.addRaw(k, name, vals[0], base64ed)
	case k < kRaw && len(vals[0]) <= c.f.maxValue:
		c.v[k] = vals[0]
	}
}

// join combines a list header's lines with commas, or returns "" when the
// result would exceed the value bound.
func (c *collector) join(vals []string) string {
	if len(vals) == 1 {
		if len(vals[0]) > c.f.maxValue {
			return ""
		}
		return vals[0]
	}
	n := len(vals) - 1
	for _, v := range vals {
		n += len(v)
	}
	if n > c.f.maxValue {
		return ""
	}
	return strings.Join(vals, ",")
}

func (c *collector) addRaw(k kind, name, v string, base64ed bool) {
	if len(c.raw) >= c.f.maxHeaders || len(v) == 0 || len(v) > c.f.maxValue || !validKey(name) {
		return
	}
	if k == kRawBin {
		if base64ed {
			b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
			if err != nil || len(b) == 0 {
				return
			}
			v = string(b)
		}
	} else if !printable(v) {
		return
	}
	if c.raw == nil {
		c.raw = make([]rawField, 0, 8)
	}
	c.raw = append(c.raw, rawField{name: name, value: v, bin: k == kRawBin})
}

// printable reports whether v holds only visible ASCII and spaces (0x20 to
// 0x7e), so that a forwarded value can neither split a header nor smuggle
// bytes, and gRPC accepts it as a metadata value (it refuses tabs).
func printable(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// validKey reports whether name, once lower-cased, is a header name gRPC
// accepts as a metadata key: one or more of [0-9a-z-_.].
func validKey(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// validPair reports whether gRPC accepts a metadata pair: a valid key, and
// a printable value unless the value is binary.
func validPair(name, value string, bin bool) bool {
	return validKey(name) && (bin || printable(value))
}

// validRequestID accepts 1 to 128 visible ASCII characters.
func validRequestID(v string) bool {
	if len(v) == 0 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// lookup classifies a header name in any letter case.
func (f *Forwarder) lookup(name string) kind {
	var buf [40]byte
	if len(name) > len(buf) {
		if len(name) > len(rawPrefix) && strings.EqualFold(name[:len(rawPrefix)], rawPrefix) {
			return kRaw
		}
		return kNone
	}
	b := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if k, ok := f.kinds[string(b)]; ok {
		return k
	}
	if len(b) > len(rawPrefix) && string(b[:len(rawPrefix)]) == rawPrefix {
		return kRaw
	}
	return kNone
}

// extractHeader extracts from an HTTP header map, where binary values
// arrive base64-encoded.
func (f *Forwarder) extractHeader(ctx context.Context, h http.Header) context.Context {
	return extractMap(ctx, f, h, true)
}

// extractMD extracts from incoming gRPC metadata, where binary values
// arrive decoded.
func (f *Forwarder) extractMD(ctx context.Context, md metadata.MD) context.Context {
	return extractMap(ctx, f, md, false)
}

func extractMap[M ~map[string][]string](ctx context.Context, f *Forwarder, m M, base64ed bool) context.Context {
	c := collector{f: f}
	for name, vals := range m {
		if k := f.lookup(name); k != kNone {
			c.add(k, name, vals, base64ed)
		}
	}
	return c.finish(ctx)
}

// extractCarrier extracts from any other carrier; binary values are taken
// as decoded, as gRPC metadata carriers hold them.
func (f *Forwarder) extractCarrier(ctx context.Context, carrier propagation.TextMapCarrier) context.Context {
	c := collector{f: f}
	vg, multi := carrier.(propagation.ValuesGetter)
	for _, name := range carrier.Keys() {
		k := f.lookup(name)
		if k == kNone {
			continue
		}
		if multi {
			c.add(k, name, vg.Values(name), false)
		} else if v := carrier.Get(name); v != "" {
			c.add(k, name, []string{v}, false)
		}
	}
	return c.finish(ctx)
}

// finish parses what was gathered and records it in ctx.
func (c *collector) finish(ctx context.Context) context.Context {
	f := c.f
	st := &state{}
	sc := c.spanContext(st)
	if f.edge {
		// Nothing of the caller's travels on. The caller's span context is
		// kept only for a span-starting handler to link to a new root.
		ctx = baggage.ContextWithoutBaggage(ctx)
		if f.link && f.tp != nil && sc.IsValid() {
			ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
		}
		return context.WithValue(ctx, stateKey{}, &state{})
	}
	st.raw = c.raw
	if sc.IsValid() {
		ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
	}
	if raw := c.v[kBaggage]; raw != "" {
		if bag, err := baggage.Parse(raw); err == nil && bag.Len() > 0 {
			ctx = baggage.ContextWithBaggage(ctx, bag)
			if printable(raw) {
				st.bag, st.bagRaw = bag, raw
			}
		}
	}
	if id := c.v[kRequestID]; validRequestID(id) {
		ctx = reqctx.WithRequestID(ctx, id)
	}
	return context.WithValue(ctx, stateKey{}, st)
}
