package integration_test

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The file exporter writes one OTLP/JSON export request per line. These
// types read the parts the tests check.

type otlpValue struct {
	StringValue *string `json:"stringValue,omitempty"`
	IntValue    *string `json:"intValue,omitempty"`
}

type otlpKV struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

type otlpResource struct {
	Attributes []otlpKV `json:"attributes"`
}

type otlpSpan struct {
	TraceID      string   `json:"traceId"`
	SpanID       string   `json:"spanId"`
	ParentSpanID string   `json:"parentSpanId"`
	Name         string   `json:"name"`
	Kind         int      `json:"kind"`
	Attributes   []otlpKV `json:"attributes"`
	Service      string   `json:"-"` // from the resource
}

type otlpLogRecord struct {
	TimeUnixNano   string    `json:"timeUnixNano"`
	SeverityText   string    `json:"severityText"`
	SeverityNumber int       `json:"severityNumber"`
	Body           otlpValue `json:"body"`
	Attributes     []otlpKV  `json:"attributes"`
	TraceID        string    `json:"traceId"`
	SpanID         string    `json:"spanId"`
}

type otlpLine struct {
	ResourceSpans []struct {
		Resource   otlpResource `json:"resource"`
		ScopeSpans []struct {
			Spans []otlpSpan `json:"spans"`
		} `json:"scopeSpans"`
	} `json:"resourceSpans"`
	ResourceLogs []struct {
		ScopeLogs []struct {
			LogRecords []otlpLogRecord `json:"logRecords"`
		} `json:"scopeLogs"`
	} `json:"resourceLogs"`
}

func attr(kvs []otlpKV, key string) string {
	for _, kv := range kvs {
		if kv.Key == key {
			switch {
			case kv.Value.StringValue != nil:
				return *kv.Value.StringValue
			case kv.Value.IntValue != nil:
				return *kv.Value.IntValue
			}
		}
	}
	return ""
}

// readOTLP parses every complete line of an exporter file; a missing file
// reads as empty.
func readOTLP(t *testing.T, path string) (spans []otlpSpan, logs []otlpLogRecord) {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var line otlpLine
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue // a line still being written
		}
		for _, rs := range line.ResourceSpans {
			svc := attr(rs.Resource.Attributes, "service.name")
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					s.Service = svc
					spans = append(spans, s)
				}
			}
		}
		for _, rl := range line.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				logs = append(logs, sl.LogRecords...)
			}
		}
	}
	require.NoError(t, sc.Err())
	return spans, logs
}
