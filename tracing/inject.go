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

// outField is one header to set on an outgoing call.
type outField struct {
	lower, canon, value string
}

// outgoing is every header one outgoing call gets, gathered once and then
// written to whichever carrier the call uses.
type outgoing struct {
	known [12]outField
	n     int
	raw   []rawField
}

func (o *outgoing) add(lower, canon, value string) {
	o.known[o.n] = outField{lower, canon, value}
	o.n++
}

// gather collects the headers for a call made with ctx.
func (f *Forwarder) gather(ctx context.Context, o *outgoing) {
	st, _ := stateFrom(ctx)
	sc := trace.SpanContextFromContext(ctx)
	if sc.IsValid() && f.formats&(fTraceContext|fB3|fJaeger) != 0 {
		f.gatherSpan(sc, st, o)
	}
	if f.formats&fBaggage != 0 {
		if bag := baggage.FromContext(ctx); bag.Len() > 0 {
			s := ""
			if st != nil && st.sameBaggage(bag) {
				s = st.bagRaw
			} else {
				s = bag.String()
			}
			if s != "" {
				o.add(hBaggage, cBaggage, s)
			}
		}
	}
	if id, ok := reqctx.RequestID(ctx); ok && validRequestID(id) {
		o.add(hRequestID, cRequestID, id)
	}
	if st != nil {
		o.raw = st.raw
	}
}

// gatherSpan formats sc in every configured trace format. All the values
// share one buffer.
func (f *Forwarder) gatherSpan(sc trace.SpanContext, st *state, o *outgoing) {
	tid, sid := sc.TraceID(), sc.SpanID()
	same := st != nil && st.traceID == tid
	debug := same && st.debug
	sampled := sc.IsSampled() || debug
	b := make([]byte, 0, 55+51+53)
	b = append(b, "00-"...)
	b = appendHex(b, tid[:])
	b = append(b, '-')
	b = appendHex(b, sid[:])
	b = append(b, '-', '0', hexDigits[byte(sc.TraceFlags()&(trace.FlagsSampled|trace.FlagsRandom))])
	ids := 3 // b[ids:ids+49] is "{trace-id}-{span-id}"
	if f.formats&fB3Single != 0 {
		b = append(b, b[ids:ids+49]...)
		switch {
		case debug:
			b = append(b, "-d"...)
		case sampled:
			b = append(b, "-1"...)
		default:
			b = append(b, "-0"...)
		}
	}
	uberAt := len(b)
	if f.formats&fJaeger != 0 {
		b = append(b, b[ids:ids+32]...)
		b = append(b, ':')
		b = append(b, b[ids+33:ids+49]...)
		b = append(b, ":0:"...)
		fl := byte('0')
		if sampled {
			fl = '1'
		}
		if debug {
			fl = '3'
		}
		b = append(b, fl)
	}
	s := string(b)
	if f.formats&fTraceContext != 0 {
		o.add(hTraceparent, cTraceparent, s[:55])
		if ts := sc.TraceState(); ts.Len() > 0 {
			if same && st.sameTraceState(ts) {
				o.add(hTracestate, cTracestate, st.tsRaw)
			} else if v := ts.String(); v != "" {
				o.add(hTracestate, cTracestate, v)
			}
		}
	}
	if f.formats&fB3Single != 0 {
		o.add(hB3, cB3, s[55:uberAt])
	}
	if f.formats&fB3Multi != 0 {
		o.add(hB3TraceID, cB3TraceID, s[ids:ids+32])
		o.add(hB3SpanID, cB3SpanID, s[ids+33:ids+49])
		if debug {
			o.add(hB3Flags, cB3Flags, "1")
		} else if sampled {
			o.add(hB3Sampled, cB3Sampled, "1")
		} else {
			o.add(hB3Sampled, cB3Sampled, "0")
		}
		if same && st.spanID == sid && st.b3Parent != "" {
			o.add(hB3Parent, cB3Parent, st.b3Parent)
		}
	}
	if f.formats&fJaeger != 0 {
		o.add(hUber, cUber, s[uberAt:])
	}
}

// writeHeader sets the gathered headers on h, replacing earlier values.
func (o *outgoing) writeHeader(h http.Header) {
	vals := make([]string, o.n+len(o.raw))
	for i, kv := range o.known[:o.n] {
		vals[i] = kv.value
		h[kv.canon] = vals[i : i+1 : i+1]
	}
	for j, r := range o.raw {
		i := o.n + j
		vals[i] = r.value
		if r.bin {
			vals[i] = base64.RawStdEncoding.EncodeToString([]byte(r.value))
		}
		h[http.CanonicalHeaderKey(r.name)] = vals[i : i+1 : i+1]
	}
}

// writeMD sets the gathered headers on md, replacing earlier values. A pair
// gRPC would refuse, which would fail the whole call, is left out.
func (o *outgoing) writeMD(md metadata.MD) {
	o.writeFunc(func(k, v string) { md[k] = []string{v} })
}

// writeCarrier sets the gathered headers through a generic carrier; binary
// values go as decoded, as gRPC metadata carriers expect. As in writeMD, a
// pair gRPC would refuse is left out.
func (o *outgoing) writeCarrier(c propagation.TextMapCarrier) {
	o.writeFunc(c.Set)
}

// writeFunc calls set with each gathered header a gRPC call accepts, its
// name lower-cased and binary values decoded.
func (o *outgoing) writeFunc(set func(k, v string)) {
	for _, kv := range o.known[:o.n] {
		if printable(kv.value) {
			set(kv.lower, kv.value)
		}
	}
	for _, r := range o.raw {
		if validPair(r.name, r.value, r.bin) {
			set(strings.ToLower(r.name), r.value)
		}
	}
}

// injectHeader sets the headers for a call made with ctx on h.
func (f *Forwarder) injectHeader(ctx context.Context, h http.Header) {
	var o outgoing
	f.gather(ctx, &o)
	o.writeHeader(h)
}
