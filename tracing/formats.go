package tracing

import (
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// Header names, lower case as gRPC metadata and the specifications spell them.
const (
	hTraceparent = "traceparent"
	hTracestate  = "tracestate"
	hBaggage     = "baggage"
	hB3          = "b3"
	hB3TraceID   = "x-b3-traceid"
	hB3SpanID    = "x-b3-spanid"
	hB3Parent    = "x-b3-parentspanid"
	hB3Sampled   = "x-b3-sampled"
	hB3Flags     = "x-b3-flags"
	hUber        = "uber-trace-id"
	hRequestID   = "x-request-id"
	hGRPCTrace   = "grpc-trace-bin"
)

// The same names in the canonical form net/http keys its header maps with.
const (
	cTraceparent = "Traceparent"
	cTracestate  = "Tracestate"
	cBaggage     = "Baggage"
	cB3          = "B3"
	cB3TraceID   = "X-B3-Traceid"
	cB3SpanID    = "X-B3-Spanid"
	cB3Parent    = "X-B3-Parentspanid"
	cB3Sampled   = "X-B3-Sampled"
	cB3Flags     = "X-B3-Flags"
	cUber        = "Uber-Trace-Id"
	cRequestID   = "X-Request-Id"
)

const hexDigits = "0123456789abcdef"

// unhex returns the value of a lower-case hex digit, or 0xff.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return 0xff
}

// decodeHexRight decodes s, at most 2*len(dst) lower-case hex digits, into
// the right end of dst, left-padding with zeros as B3 and Jaeger allow for
// short ids. It reports whether s was well formed.
func decodeHexRight(dst []byte, s string) bool {
	if len(s) == 0 || len(s) > 2*len(dst) {
		return false
	}
	clear(dst)
	j := len(dst) - 1
	for i := len(s); i > 0; i -= 2 {
		lo := unhex(s[i-1])
		hi := byte(0)
		if i >= 2 {
			hi = unhex(s[i-2])
		}
		if lo|hi > 0xf {
			return false
		}
		dst[j] = hi<<4 | lo
		j--
	}
	return true
}

func appendHex(b []byte, src []byte) []byte {
	for _, c := range src {
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// parseTraceparent parses a W3C traceparent value. Version 00 must be exactly
// 55 characters; a later version may carry more fields after a dash; version
// ff and reserved flag bits in version 00 are rejected.
func parseTraceparent(v string) (trace.SpanContextConfig, bool) {
	var scc trace.SpanContextConfig
	if len(v) < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-' {
		return scc, false
	}
	var ver, flags [1]byte
	if !decodeHexRight(ver[:], v[0:2]) || ver[0] == 0xff {
		return scc, false
	}
	if (ver[0] == 0 && len(v) != 55) || (len(v) > 55 && v[55] != '-') {
		return scc, false
	}
	if !decodeHexRight(scc.TraceID[:], v[3:35]) || !decodeHexRight(scc.SpanID[:], v[36:52]) ||
		!decodeHexRight(flags[:], v[53:55]) {
		return scc, false
	}
	if ver[0] == 0 && flags[0] > 3 {
		return scc, false
	}
	scc.TraceFlags = trace.TraceFlags(flags[0]) & (trace.FlagsSampled | trace.FlagsRandom)
	return scc, scc.TraceID.IsValid() && scc.SpanID.IsValid()
}

// b3Sampling is the sampling state a B3 header carries.
type b3Sampling uint8

const (
	b3Deferred b3Sampling = iota
	b3Deny
	b3Accept
	b3Debug
)

func parseB3Sampling(s string) (b3Sampling, bool) {
	switch s {
	case "0", "false":
		return b3Deny, true
	case "1", "true":
		return b3Accept, true
	case "d":
		return b3Debug, true
	}
	return b3Deferred, false
}

// parseB3Single parses the single b3 header:
// {traceid}-{spanid}[-{sampling}[-{parentspanid}]]. A sampling-only value
// ("0", "1", "d") carries no span context and yields false.
func parseB3Single(v string) (scc trace.SpanContextConfig, s b3Sampling, parent string, ok bool) {
	tid, rest, found := strings.Cut(v, "-")
	if !found || (len(tid) != 16 && len(tid) != 32) || !decodeHexRight(scc.TraceID[:], tid) {
		return scc, s, "", false
	}
	sid, rest, more := strings.Cut(rest, "-")
	if len(sid) != 16 || !decodeHexRight(scc.SpanID[:], sid) {
		return scc, s, "", false
	}
	if more {
		smp, p, hasParent := strings.Cut(rest, "-")
		if s, ok = parseB3Sampling(smp); !ok {
			return scc, s, "", false
		}
		if hasParent {
			var pid trace.SpanID
			if len(p) != 16 || !decodeHexRight(pid[:], p) {
				return scc, s, "", false
			}
			parent = p
		}
	}
	scc.TraceFlags = b3Flags(s)
	return scc, s, parent, scc.TraceID.IsValid() && scc.SpanID.IsValid()
}

func b3Flags(s b3Sampling) trace.TraceFlags {
	if s == b3Accept || s == b3Debug {
		return trace.FlagsSampled
	}
	return 0
}

// parseB3Multi parses the x-b3-* headers. x-b3-flags: 1 means debug and
// implies sampled.
func parseB3Multi(tid, sid, sampled, flags string) (scc trace.SpanContextConfig, s b3Sampling, ok bool) {
	if (len(tid) != 16 && len(tid) != 32) || !decodeHexRight(scc.TraceID[:], tid) ||
		len(sid) != 16 || !decodeHexRight(scc.SpanID[:], sid) {
		return scc, s, false
	}
	if sampled != "" {
		if s, ok = parseB3Sampling(sampled); !ok || s == b3Debug {
			return scc, s, false
		}
	}
	switch flags {
	case "":
	case "1":
		s = b3Debug
	default:
		return scc, s, false
	}
	scc.TraceFlags = b3Flags(s)
	return scc, s, scc.TraceID.IsValid() && scc.SpanID.IsValid()
}

// parseUber parses Jaeger's uber-trace-id:
// {trace-id}:{span-id}:{parent-span-id}:{flags}, ids in hex of at most 32 and
// 16 digits, flags a hex byte (1 sampled, 2 debug). ":" may arrive
// URL-encoded as "%3A".
func parseUber(v string) (scc trace.SpanContextConfig, debug, ok bool) {
	if strings.Contains(v, "%") {
		v = strings.ReplaceAll(strings.ReplaceAll(v, "%3A", ":"), "%3a", ":")
	}
	tid, rest, ok1 := strings.Cut(v, ":")
	sid, rest, ok2 := strings.Cut(rest, ":")
	pid, fl, ok3 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || !ok3 || strings.Contains(fl, ":") {
		return scc, false, false
	}
	var parent trace.SpanID
	var flags [1]byte
	if !decodeHexRight(scc.TraceID[:], tid) || !decodeHexRight(scc.SpanID[:], sid) ||
		!decodeHexRight(parent[:], pid) || !decodeHexRight(flags[:], fl) {
		return scc, false, false
	}
	debug = flags[0]&2 != 0
	if flags[0]&1 != 0 || debug {
		scc.TraceFlags = trace.FlagsSampled
	}
	return scc, debug, scc.TraceID.IsValid() && scc.SpanID.IsValid()
}
