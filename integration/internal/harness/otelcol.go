package harness

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

const otelcolModule = "go.opentelemetry.io/collector/otelcol"

// collectorTools is the module of the Collector program, separate from the
// integration module so that the Collector's release chooses its own
// OpenTelemetry SDK versions.
const collectorTools = "tools/otelcol"

// BuildCollector returns the path of the Collector built from tools/otelcol,
// building it into the cache if needed. The cache entry is keyed by the
// Collector release and a hash of the program's source, go.mod and go.sum.
func BuildCollector(t testing.TB) string {
	t.Helper()
	dir, err := buildCollector(logWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "otelcol")
}

func buildCollector(w io.Writer) (string, error) {
	return buildTools(w, collectorTools, "otelcol", otelcolModule,
		"github.com/ztkit/ztkit/integration/tools/otelcol")
}

// Collector is a running OpenTelemetry Collector configured by
// templates/otelcol.yaml.
type Collector struct {
	OTLPGRPC   string // host:port of the OTLP/gRPC receiver
	OTLPHTTP   string // host:port of the OTLP/HTTP receiver
	LogDir     string // the filelog receiver tails *.log here
	TracesFile string // the traces that arrived, as OTLP JSON lines
	LogsFile   string // the log records that arrived, as OTLP JSON lines
	proc       *process
}

// StartCollector starts a Collector on free 127.0.0.1 ports and waits
// until both OTLP receivers accept connections.
func StartCollector(t testing.TB) *Collector {
	t.Helper()
	bin := BuildCollector(t)
	dir := t.TempDir()
	ports := freePorts(t, 2)
	c := &Collector{
		OTLPGRPC:   fmt.Sprintf("127.0.0.1:%d", ports[0]),
		OTLPHTTP:   fmt.Sprintf("127.0.0.1:%d", ports[1]),
		LogDir:     filepath.Join(dir, "logs"),
		TracesFile: filepath.Join(dir, "traces.jsonl"),
		LogsFile:   filepath.Join(dir, "logs.jsonl"),
	}
	if err := os.MkdirAll(c.LogDir, 0o700); err != nil {
		t.Fatalf("harness: %v", err)
	}
	text, err := Template("otelcol.yaml")
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	conf := filepath.Join(dir, "otelcol.yaml")
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatalf("harness: %v", err)
	}
	c.proc = startProcess(t, "otelcol", filepath.Join(dir, "otelcol.log"), []string{
		"ZTKIT_OTLP_GRPC_ENDPOINT=" + c.OTLPGRPC,
		"ZTKIT_OTLP_HTTP_ENDPOINT=" + c.OTLPHTTP,
		"ZTKIT_LOG_GLOB=" + filepath.Join(c.LogDir, "*.log"),
		"ZTKIT_TRACES_FILE=" + c.TracesFile,
		"ZTKIT_LOGS_FILE=" + c.LogsFile,
	}, bin, "--config=file:"+conf)
	for _, addr := range []string{c.OTLPGRPC, c.OTLPHTTP} {
		c.proc.waitFor(t, "OTLP receiver on "+addr, 30*time.Second, func() error {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
			}
			return err
		})
	}
	return c
}
