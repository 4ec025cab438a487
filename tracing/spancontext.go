package tracing

import "go.opentelemetry.io/otel/trace"

// spanContext picks the first valid span context in the order W3C, B3
// single, B3 multi, Jaeger. It notes in st its ids, and the B3 parent span id
// and the B3 or Jaeger debug flag of the headers that describe the same span.
func (c *collector) spanContext(st *state) trace.SpanContext {
	var cands [4]struct {
		scc    trace.SpanContextConfig
		ok     bool
		debug  bool
		parent string
	}
	if c.v[kTraceparent] != "" {
		cands[0].scc, cands[0].ok = parseTraceparent(c.v[kTraceparent])
	}
	if c.v[kB3] != "" {
		var s b3Sampling
		cands[1].scc, s, cands[1].parent, cands[1].ok = parseB3Single(c.v[kB3])
		cands[1].debug = s == b3Debug
	}
	if c.v[kB3TraceID] != "" {
		var s b3Sampling
		cands[2].scc, s, cands[2].ok = parseB3Multi(c.v[kB3TraceID], c.v[kB3SpanID], c.v[kB3Sampled], c.v[kB3Flags])
		cands[2].debug = s == b3Debug
		var pid trace.SpanID
		if len(c.v[kB3Parent]) == 16 && decodeHexRight(pid[:], c.v[kB3Parent]) {
			cands[2].parent = c.v[kB3Parent]
		}
	}
	if c.v[kUber] != "" {
		cands[3].scc, cands[3].debug, cands[3].ok = parseUber(c.v[kUber])
	}
	win := -1
	for i := range cands {
		if cands[i].ok {
			win = i
			break
		}
	}
	if win < 0 {
		return trace.SpanContext{}
	}
	scc := cands[win].scc
	for _, o := range cands {
		if o.ok && o.scc.TraceID == scc.TraceID && o.scc.SpanID == scc.SpanID {
			st.debug = st.debug || o.debug
			if st.b3Parent == "" {
				st.b3Parent = o.parent
			}
		}
	}
	if win == 0 && c.v[kTracestate] != "" {
		var err error
		if scc.TraceState, err = trace.ParseTraceState(c.v[kTracestate]); err == nil && printable(c.v[kTracestate]) {
			st.tsRaw = c.v[kTracestate]
		}
	}
	scc.Remote = true
	st.traceID, st.spanID = scc.TraceID, scc.SpanID
	return trace.NewSpanContext(scc)
}
