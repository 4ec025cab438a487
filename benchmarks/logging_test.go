package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/ztkit/ztkit/logging"
)

// loggingRecord is the 8-attribute access record every side logs; secret
// swaps in values that must be redacted.
type loggingRecord struct {
	msg, method, path, peer, requestID, agent string
	status                                    int
	bytes                                     int64
	latency                                   time.Duration
}

func loggingClean() loggingRecord {
	return loggingRecord{
		msg: "request handled", method: "GET", path: "/api/v1/orders/12345?page=2",
		peer: "spiffe://example.org/ns/prod/sa/web", requestID: "7f3c2c2a-4b1e-4d7a-9f5e-2b8c6d1e0a93",
		agent: "orders-client/1.4.2 (linux; amd64)", status: 200, bytes: 5120, latency: 1234567 * time.Nanosecond,
	}
}

// loggingSecrets are the secrets loggingDirty carries.
var loggingSecrets = []string{
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IiLCJleHAiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU",
	"ghp_0123456789abcdefghijABCDEFGHIJ012345", "s3cr3tPassw0rd", "AKIAIOSFODNN7EXAMPLE",
}

func loggingDirty() loggingRecord {
	r := loggingClean()
	r.msg = "upstream rejected token " + loggingSecrets[0]
	r.path = "/api/v1/repos?access_token=" + loggingSecrets[1]
	r.peer = "postgres://app:" + loggingSecrets[2] + "@db:5432/orders"
	r.agent = "aws-cli key " + loggingSecrets[3]
	return r
}

func (r loggingRecord) slog(l *slog.Logger) {
	l.LogAttrs(context.Background(), slog.LevelInfo, r.msg,
		slog.String("method", r.method), slog.String("path", r.path), slog.Int("status", r.status),
		slog.Duration("latency", r.latency), slog.String("peer_id", r.peer), slog.String("request_id", r.requestID),
		slog.Int64("bytes", r.bytes), slog.String("user_agent", r.agent))
}

func (r loggingRecord) zap(l *zap.Logger) {
	l.Info(r.msg,
		zap.String("method", r.method), zap.String("path", r.path), zap.Int("status", r.status),
		zap.Duration("latency", r.latency), zap.String("peer_id", r.peer), zap.String("request_id", r.requestID),
		zap.Int64("bytes", r.bytes), zap.String("user_agent", r.agent))
}

func loggingZap(w io.Writer) *zap.Logger {
	enc := zapcore.NewJSONEncoder(zapcore.EncoderConfig{
		TimeKey: "time", LevelKey: "level", MessageKey: "msg",
		EncodeTime: zapcore.RFC3339NanoTimeEncoder, EncodeLevel: zapcore.CapitalLevelEncoder,
		EncodeDuration: zapcore.NanosDurationEncoder,
	})
	return zap.New(zapcore.NewCore(enc, zapcore.AddSync(w), zap.InfoLevel))
}

// loggingNaive is the redactor one writes with slog alone: ReplaceAttr
// matching the key and running ten gitleaks-style regexps on every string
// value, the message included.
func loggingNaive(w io.Writer) *slog.Logger {
	key := regexp.MustCompile(`(?i)pass(word|wd)?|secret|token|api[-_]?key|authorization|cookie|session|credential|private[-_]?key`)
	shapes := []*regexp.Regexp{
		regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
		regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9\-._~+/]+=*`),
		regexp.MustCompile(`(?i)basic\s+[A-Za-z0-9+/]+=*`),
		regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`),
		regexp.MustCompile(`://[^:/@\s]*:[^@/\s]+@`),
		regexp.MustCompile(`(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}`),
		regexp.MustCompile(`gh[pousr]_[0-9a-zA-Z]{36}`),
		regexp.MustCompile(`xox[baprs]-[0-9a-zA-Z-]{10,}`),
		regexp.MustCompile(`(?:sk|rk)_(?:test|live|prod)_[0-9a-zA-Z]{10,99}`),
		regexp.MustCompile(`AIza[0-9A-Za-z_-]{35}`),
	}
	replace := func(_ []string, a slog.Attr) slog.Attr {
		if key.MatchString(a.Key) {
			return slog.String(a.Key, "[REDACTED]")
		}
		if a.Value.Kind() != slog.KindString {
			return a
		}
		s := a.Value.String()
		for _, re := range shapes {
			s = re.ReplaceAllString(s, "[REDACTED]")
		}
		return slog.String(a.Key, s)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: replace}))
}

// loggingSides are the loggers compared, each writing to w.
func loggingSides(w io.Writer) []struct {
	name string
	log  func(loggingRecord)
} {
	plain := slog.New(slog.NewJSONHandler(w, nil))
	z := loggingZap(w)
	naive := loggingNaive(w)
	ours := slog.New(logging.NewHandler(w, nil))
	return []struct {
		name string
		log  func(loggingRecord)
	}{
		{"anchor_slog_json", func(r loggingRecord) { r.slog(plain) }},
		{"zap_json", func(r loggingRecord) { r.zap(z) }},
		{"naive_regexp", func(r loggingRecord) { r.slog(naive) }},
		{"ztkit", func(r loggingRecord) { r.slog(ours) }},
	}
}

func TestLoggingPairsAgree(t *testing.T) {
	var want map[string]any
	for i := range loggingSides(io.Discard) {
		var buf bytes.Buffer
		side := loggingSides(&buf)[i]
		side.log(loggingClean())
		side.log(loggingDirty())
		recs := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		require.Len(t, recs, 2, side.name)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(recs[0]), &got), side.name)
		delete(got, "time")
		if want == nil {
			want = got
		}
		assert.Equal(t, want, got, "%s encodes the clean record differently", side.name)
		for _, secret := range loggingSecrets {
			if side.name == "naive_regexp" || side.name == "ztkit" {
				assert.NotContains(t, recs[1], secret, side.name)
			} else {
				assert.Contains(t, recs[1], secret, "%s does not sanitise", side.name)
			}
		}
	}
}

func BenchmarkLogging(b *testing.B) {
	run := func(b *testing.B, name string, log func(loggingRecord), rec loggingRecord) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				log(rec)
			}
		})
	}
	b.Run("discard", func(b *testing.B) {
		for _, s := range loggingSides(io.Discard) {
			run(b, s.name, s.log, loggingClean())
		}
	})
	b.Run("discard_secrets", func(b *testing.B) {
		for _, s := range loggingSides(io.Discard) {
			run(b, s.name, s.log, loggingDirty())
		}
	})
	b.Run("file", func(b *testing.B) {
		dir := b.TempDir()
		// Each side writes its own file, synced and removed afterwards, so
		// that the page cache one side dirtied is not written back on the
		// next side's time.
		for i := range loggingSides(io.Discard) {
			path := filepath.Join(dir, "direct.log")
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
			require.NoError(b, err)
			s := loggingSides(f)[i]
			run(b, s.name, s.log, loggingClean())
			require.NoError(b, f.Sync())
			require.NoError(b, f.Close())
			require.NoError(b, os.Remove(path))
		}
		// The whole product: the sanitising handler over ztkit's buffered,
		// rotating file sink. The sink drops records a flood would queue
		// beyond WriteTimeout; here it waits instead, and the time to get
		// every record to the kernel (Close) is counted. No fsync, as for
		// the other sides.
		b.Run("ztkit_file_sink", func(b *testing.B) {
			sink, err := logging.OpenFile(logging.FileOptions{Path: filepath.Join(dir, "sink", "svc.log"),
				MaxSize: 64 << 20, MaxBackups: 1, BufferSize: 4 << 20, WriteTimeout: logging.MaxWriteTimeout, Sync: logging.SyncNever})
			require.NoError(b, err)
			l := slog.New(logging.NewHandler(sink, nil))
			rec := loggingClean()
			b.ReportAllocs()
			for b.Loop() {
				rec.slog(l)
			}
			require.NoError(b, sink.Close())
			b.ReportMetric(float64(sink.Stats().Dropped), "dropped")
		})
	})
}

// BenchmarkLoggingPaired alternates slog's JSONHandler and ztkit in
// chunks of 256 records and reports each side's ns per record and their
// ratio, so load on a shared machine falls on both sides alike.
func BenchmarkLoggingPaired(b *testing.B) {
	for _, bc := range []struct {
		name string
		rec  loggingRecord
	}{{"clean", loggingClean()}, {"secrets", loggingDirty()}} {
		b.Run(bc.name, func(b *testing.B) {
			sides := loggingSides(io.Discard)
			plain, ours := sides[0].log, sides[3].log
			var tPlain, tOurs time.Duration
			n := 0
			for b.Loop() {
				start := time.Now()
				for range 256 {
					plain(bc.rec)
				}
				mid := time.Now()
				for range 256 {
					ours(bc.rec)
				}
				tPlain += mid.Sub(start)
				tOurs += time.Since(mid)
				n += 256
			}
			b.ReportMetric(float64(tPlain.Nanoseconds())/float64(n), "slog-ns/rec")
			b.ReportMetric(float64(tOurs.Nanoseconds())/float64(n), "ztkit-ns/rec")
			b.ReportMetric(float64(tOurs)/float64(tPlain), "ztkit/slog")
		})
	}
}
