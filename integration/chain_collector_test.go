package integration_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

const (
	kindServer = 2 // OTLP SPAN_KIND_SERVER
	kindClient = 3 // OTLP SPAN_KIND_CLIENT
)

// runChain starts the chain, sends one request from shop through orders
// to inventory inside a root span, flushes spans and logs, and returns the
// trace id and the trace's spans as the Collector received them.
func runChain(t *testing.T) (*chain, trace.TraceID, []otlpSpan) {
	t.Helper()
	needBinaries(t)
	c := startChain(t)
	ctx, root := c.shopTP.Tracer("shop").Start(t.Context(), "checkout")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.ordersURL+"/checkout?session="+seededQuery, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+seededBearer)
	resp, err := c.shop.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	root.End()
	c.flush(t)
	traceID := root.SpanContext().TraceID()
	return c, traceID, waitSpans(t, c.collector, traceID, 5)
}

// TestCollectorTwoHopTrace checks that the spans of shop -> orders ->
// inventory, exported by three tracer providers over OTLP/HTTP and
// OTLP/gRPC, arrive at the Collector as one trace with each server span
// the child of its caller's client span.
func TestCollectorTwoHopTrace(t *testing.T) {
	t.Parallel()
	_, _, spans := runChain(t)
	byID := map[string]otlpSpan{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	var roots []otlpSpan
	server := map[string]otlpSpan{} // service -> its server span
	for _, s := range spans {
		if s.ParentSpanID == "" {
			roots = append(roots, s)
			continue
		}
		assert.Contains(t, byID, s.ParentSpanID, "span %q (%s) has its parent in the trace", s.Name, s.Service)
		if s.Kind == kindServer {
			server[s.Service] = s
		}
	}
	require.Len(t, roots, 1, "one root span")
	assert.Equal(t, "checkout", roots[0].Name)
	assert.Equal(t, "shop", roots[0].Service)

	require.Contains(t, server, "orders")
	require.Contains(t, server, "inventory")
	ordersCaller := byID[server["orders"].ParentSpanID]
	assert.Equal(t, "shop", ordersCaller.Service, "orders was called by shop")
	assert.Equal(t, kindClient, ordersCaller.Kind)
	assert.Equal(t, roots[0].SpanID, ordersCaller.ParentSpanID, "shop's client span is a child of checkout")

	invCaller := byID[server["inventory"].ParentSpanID]
	assert.Equal(t, "orders", invCaller.Service, "inventory was called by orders")
	assert.Equal(t, kindClient, invCaller.Kind)
	assert.Equal(t, server["orders"].SpanID, invCaller.ParentSpanID, "the gRPC call was made inside the orders request")
	for _, s := range spans {
		t.Logf("span %s/%s parent=%s %s %q kind=%d", s.TraceID[:8], s.SpanID, s.ParentSpanID, s.Service, s.Name, s.Kind)
	}
}

// TestCollectorLogFiles checks that the records ztkit's logging writes to
// local files arrive through the Collector's filelog receiver parsed from
// JSON, with the request's trace and span ids, and with every seeded
// secret still redacted.
func TestCollectorLogFiles(t *testing.T) {
	t.Parallel()
	c, traceID, spans := runChain(t)
	spanIDs := map[string]bool{}
	for _, s := range spans {
		spanIDs[s.SpanID] = true
	}

	var recs []otlpLogRecord
	require.Eventually(t, func() bool {
		_, all := readOTLP(t, c.collector.LogsFile)
		recs = recs[:0]
		for _, r := range all {
			if r.TraceID == traceID.String() {
				recs = append(recs, r)
			}
		}
		return len(recs) >= 4 // a handler record and an access record per service
	}, 30*time.Second, 50*time.Millisecond, "log records of trace %s", traceID)

	files := map[string]int{}
	for _, r := range recs {
		files[attr(r.Attributes, "log.file.name")]++
		assert.True(t, spanIDs[r.SpanID], "record %q carries a span id of the trace", r.Body)
		assert.NotEmpty(t, r.SeverityText, "level parsed")
		assert.NotEqual(t, "0", r.TimeUnixNano, "time parsed")
		service := attr(r.Attributes, "service")
		assert.Contains(t, []string{"orders", "inventory"}, service, "JSON attributes parsed")
		if body := str(r.Body.StringValue); strings.Contains(body, "handled request") {
			assert.Contains(t, body, "[REDACTED:jwt]")
			for _, key := range []string{"password", "authorization", "dsn", "vault_key", "note"} {
				assert.Contains(t, attr(r.Attributes, key), "[REDACTED", "%s of %s", key, service)
			}
		}
	}
	assert.GreaterOrEqual(t, files["orders.log"], 2)
	assert.GreaterOrEqual(t, files["inventory.log"], 2)

	for _, path := range []string{c.collector.LogsFile, c.ordersFile, c.invFile} {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, secret := range seededSecrets {
			assert.NotContains(t, string(raw), secret, "%s leaks a seeded secret", path)
		}
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
