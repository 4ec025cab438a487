package logging

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

func TestInjectionOneLinePerRecord(t *testing.T) {
	evil := []string{
		"a\nb", "a\rb", "a\r\nb", "x\u2028y", "x\u2029y", "\x1b[2J\x1b[31mred\x1b[0m", "nul\x00byte", "del\x7f",
		"nel\u0085x", "bidi\u202egnp.exe", "bad\xffutf8\xc3", "\"},{\"level\":\"ERROR\",\"msg\":\"forged", "tab\there",
		"\n{\"time\":\"2020-01-01T00:00:00Z\",\"level\":\"ERROR\",\"msg\":\"forged\"}\n",
	}
	l, buf := capture(t, nil)
	for _, e := range evil {
		buf.Reset()
		l.Info(e, e, e, slog.Group(e, slog.String(e, e)), "m", map[string]string{e: e}, "err", errors.New(e))
		out := buf.Bytes()
		assert.Equal(t, 1, bytes.Count(out, []byte{'\n'}), "record for %q spans lines: %s", e, out)
		recs := lines(t, out)
		require.Len(t, recs, 1)
		for _, raw := range []string{"\r", "\x1b", "\x00", "\x7f", "\u2028", "\u2029", "\u0085", "\u202e"} {
			assert.NotContains(t, string(out), raw, "raw %q written for %q", raw, e)
		}
		if !strings.ContainsRune(e, 0xfffd) && !strings.Contains(e, "\xff") {
			assert.Equal(t, e, recs[0]["msg"], "escaped value must decode back to the original")
		}
		assert.Equal(t, "INFO", recs[0]["level"])
	}
}

func TestSlogConformance(t *testing.T) {
	var buf bytes.Buffer
	h := NewHandler(&buf, nil)
	err := slogtest.TestHandler(h, func() []map[string]any {
		return lines(t, buf.Bytes())
	})
	assert.NoError(t, err)
}

func TestRecordShape(t *testing.T) {
	l, buf := capture(t, &HandlerOptions{Service: "orders", Version: "1.2.3", Host: "node-1", Level: slog.LevelDebug, AddSource: true})
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: 1}))
	at := time.Date(2026, 12, 4, 15, 4, 5, 123456789, time.FixedZone("X", 3600))
	r := slog.NewRecord(at, slog.LevelWarn, "hi", 0)
	r.AddAttrs(slog.Int("n", -3), slog.Uint64("u", 7), slog.Float64("f", 1e-7), slog.Bool("b", true),
		slog.Duration("d", time.Second), slog.Time("t", at), slog.Any("nil", nil), slog.Any("nan", 0.0/zero()))
	require.NoError(t, l.Handler().Handle(ctx, r))
	l.DebugContext(ctx, "dbg")
	recs := lines(t, buf.Bytes())
	require.Len(t, recs, 2)
	m := recs[0]
	assert.Equal(t, "2026-12-04T14:04:05.123Z", m["time"])
	assert.Equal(t, "WARN", m["level"])
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", m["trace_id"])
	assert.Equal(t, "00f067aa0ba902b7", m["span_id"])
	assert.Equal(t, "orders", m["service"])
	assert.Equal(t, "1.2.3", m["version"])
	assert.Equal(t, "node-1", m["host"])
	assert.Equal(t, -3.0, m["n"])
	assert.Equal(t, 1e-7, m["f"])
	assert.Equal(t, 1e9, m["d"])
	assert.Equal(t, "2026-12-04T14:04:05.123456789Z", m["t"])
	assert.Nil(t, m["nil"])
	assert.Equal(t, "NaN", m["nan"])
	assert.Contains(t, recs[1]["source"], "handler_test.go:")
	assert.Contains(t, buf.String(), `"f":1e-7`)
}

func zero() float64 { return 0 }

func TestLevelFilter(t *testing.T) {
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelWarn)
	l, buf := capture(t, &HandlerOptions{Level: lv})
	l.Info("dropped")
	l.Warn("kept")
	assert.Len(t, lines(t, buf.Bytes()), 1)
	assert.False(t, l.Enabled(context.Background(), slog.LevelInfo))
}

type panicky struct{}

func (panicky) String() string { panic("boom ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") }

type cyclic struct {
	Name string
	Next *cyclic
}

type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { return []byte(`{"a":`), nil }

type valuer struct{ tok string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", "bob"), slog.String("password", v.tok))
}

func TestAwkwardValues(t *testing.T) {
	l, buf := capture(t, nil)
	c := &cyclic{Name: "a"}
	c.Next = c
	var nilErr *customErr
	l.Info("awkward", "panic", panicky{}, "cycle", c, "bad", badJSON{}, "valuer", valuer{"hunter2"},
		"nilerr", nilErr, "ch", make(chan int), "bytes", []byte("Bearer abcdef123456"), "arr", [2]int{1, 2},
		"intmap", map[int]string{2: "b", 1: "a"}, "s", Secret("s3cr3t"), "ptr", &loginForm{User: "x"})
	out := buf.String()
	recs := lines(t, buf.Bytes())
	require.Len(t, recs, 1)
	m := recs[0]
	assert.Contains(t, m["panic"], "!PANIC: boom")
	assert.NotContains(t, out, "ghp_aaaa")
	assert.Contains(t, out, "[TRUNCATED:depth]")
	assert.Contains(t, m["bad"], "!ERROR")
	assert.Equal(t, map[string]any{"user": "bob", "password": "[REDACTED:key]"}, m["valuer"])
	assert.NotContains(t, out, "hunter2")
	assert.Nil(t, m["nilerr"])
	assert.Equal(t, "chan int", m["ch"])
	assert.Equal(t, "Bearer [REDACTED:bearer]", m["bytes"])
	assert.Equal(t, []any{1.0, 2.0}, m["arr"])
	assert.Equal(t, map[string]any{"1": "a", "2": "b"}, m["intmap"])
	assert.Equal(t, "[REDACTED:secret]", m["s"])
	assert.NotContains(t, out, "s3cr3t")
	assert.Equal(t, "x", m["ptr"].(map[string]any)["user"])
}

type customErr struct{}

func (*customErr) Error() string { return "custom" }

func TestExtraAndAllowedKeys(t *testing.T) {
	l, buf := capture(t, &HandlerOptions{RedactKeys: []string{"ssn", "Tax-ID"}, AllowKeys: []string{"token_type", "session_count"}})
	l.Info("k", "user_ssn", "123-45-6789", "taxid", "99", "token_type", "Bearer", "session_count", 3, "access_token", "abc")
	m := lines(t, buf.Bytes())[0]
	assert.Equal(t, "[REDACTED:key]", m["user_ssn"])
	assert.Equal(t, "[REDACTED:key]", m["taxid"])
	assert.Equal(t, "Bearer", m["token_type"])
	assert.Equal(t, 3.0, m["session_count"])
	assert.Equal(t, "[REDACTED:key]", m["access_token"])

	err := (&HandlerOptions{RedactKeys: []string{"--"}, AllowKeys: []string{""}}).validate("Handler")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Handler.RedactKeys[0]")
	assert.Contains(t, err.Error(), "Handler.AllowKeys[0]")
}

func TestKeyMatcher(t *testing.T) {
	m := newRedactor(nil).keys
	for _, k := range []string{"password", "PASSWORD", "db-Password", "x_api_key", "X-Api-Key", "apiKey", "Set-Cookie",
		"client.secret", "AccessToken", "pwd", "jwt", "private_key", "sessionid", "Proxy-Authorization"} {
		assert.True(t, m.sensitive(k), k)
	}
	for _, k := range []string{"", "id", "user", "pwdx", "author", "keyboard", "passage", "topic", "jwtauth", "message", "pass_through"} {
		assert.False(t, m.sensitive(k), k)
	}
}

func TestWriteErrorReturned(t *testing.T) {
	h := NewHandler(failWriter{}, nil)
	err := h.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "x", 0))
	assert.ErrorIs(t, err, errDisk)
}

var errDisk = errors.New("disk on fire")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }
