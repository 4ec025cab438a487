package tracing

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// TestChangedValuesReencoded checks that baggage and tracestate changed
// after extraction go out as changed, not as received.
func TestChangedValuesReencoded(t *testing.T) {
	f, err := New()
	require.NoError(t, err)
	in := hdr("traceparent", tpIn, "tracestate", "a=1, b=2", "baggage", "k=v, j=w")
	out, _, ctx := through(t, f, in)
	assert.Equal(t, "a=1, b=2", out.Get("tracestate"), "unchanged values go out as received")
	assert.Equal(t, "k=v, j=w", out.Get("baggage"))

	m, err := baggage.NewMember("k", "changed")
	require.NoError(t, err)
	bag, err := baggage.FromContext(ctx).SetMember(m)
	require.NoError(t, err)
	sc := trace.SpanContextFromContext(ctx)
	ts, err := sc.TraceState().Insert("b", "3")
	require.NoError(t, err)
	ctx2 := trace.ContextWithRemoteSpanContext(baggage.ContextWithBaggage(ctx, bag), sc.WithTraceState(ts))
	out2 := http.Header{}
	f.Propagator().Inject(ctx2, propagation.HeaderCarrier(out2))
	assert.Equal(t, "b=3,a=1", out2.Get("tracestate"))
	got, err := baggage.Parse(out2.Get("baggage"))
	require.NoError(t, err)
	assert.Equal(t, "changed", got.Member("k").Value())
	assert.Equal(t, "w", got.Member("j").Value())

	dup, _, _ := through(t, f, hdr("baggage", "a=1,a=2"))
	got, err = baggage.Parse(dup.Get("baggage"))
	require.NoError(t, err)
	assert.Equal(t, 1, got.Len(), "a repeated key is not forwarded as received")

	props, _, _ := through(t, f, hdr("baggage", "a=1;p"))
	assert.Equal(t, "a=1;p", props.Get("baggage"))
}
