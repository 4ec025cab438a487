package tracing

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
)

// FuzzForward feeds arbitrary values to every header the Forwarder reads:
// it must not panic, and whatever it forwards must be well formed and within
// bounds.
func FuzzForward(f *testing.F) {
	f.Add(tpIn, "rojo=1", bagIn, tid+"-"+sid+"-1", tid, sid, "1", uberOut, "req", "x")
	f.Add("00-", "=", "k=%", "-", "", "", "d", ":::", "", "\x00")
	fw, err := New(WithHeaderLimits(256, 4))
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, tp, ts, bag, b3, b3t, b3s, smp, uber, rid, raw string) {
		in := hdr("traceparent", tp, "tracestate", ts, "baggage", bag, "b3", b3, "x-b3-traceid", b3t,
			"x-b3-spanid", b3s, "x-b3-sampled", smp, "uber-trace-id", uber, "x-request-id", rid,
			"sw8", raw, "x-datadog-tags", raw, "grpc-trace-bin", raw)
		ctx := fw.Propagator().Extract(context.Background(), propagation.HeaderCarrier(in))
		out := http.Header{}
		fw.Propagator().Inject(ctx, propagation.HeaderCarrier(out))
		for k, vs := range out {
			require.Len(t, vs, 1, k)
			if k != "Baggage" && k != "Tracestate" { // re-encoded by OpenTelemetry
				assert.LessOrEqual(t, len(vs[0]), 344, k) // base64 of 256 bytes
			}
			assert.True(t, printable(vs[0]), k)
		}
		if v := out.Get("traceparent"); v != "" {
			_, ok := parseTraceparent(v)
			assert.True(t, ok, v)
			assert.Equal(t, v[3:35], out.Get("x-b3-traceid"))
		}
	})
}
