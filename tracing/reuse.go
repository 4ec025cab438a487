package tracing

import (
	"strings"

	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"
)

// sameBaggage reports whether cur holds exactly the members of the baggage
// header received, none with properties, so that the header can be
// forwarded as received rather than re-encoded.
func (st *state) sameBaggage(cur baggage.Baggage) bool {
	if st.bagRaw == "" || cur.Len() != st.bag.Len() || strings.Count(st.bagRaw, ",")+1 != cur.Len() {
		return false
	}
	rest := st.bagRaw
	for rest != "" {
		var m string
		m, rest, _ = strings.Cut(rest, ",")
		k, _, _ := strings.Cut(m, "=")
		k = strings.Trim(k, " \t")
		a, b := cur.Member(k), st.bag.Member(k)
		if a.Key() == "" || a.Value() != b.Value() || len(a.Properties()) != 0 || len(b.Properties()) != 0 {
			return false
		}
	}
	return true
}

// sameTraceState reports whether cur lists exactly the members of the
// tracestate header received, in the same order.
func (st *state) sameTraceState(cur trace.TraceState) bool {
	if st.tsRaw == "" || strings.Count(st.tsRaw, ",")+1 != cur.Len() {
		return false
	}
	rest, same := st.tsRaw, true
	cur.Walk(func(key, value string) bool {
		var m string
		m, rest, _ = strings.Cut(rest, ",")
		k, v, _ := strings.Cut(strings.Trim(m, " \t"), "=")
		same = k == key && v == value
		return same
	})
	return same && rest == ""
}
