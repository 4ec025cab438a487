package logging

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// AccessLog returns HTTP middleware that writes one record per request
// through l: method, path, status, duration, bytes, remote address, the
// peer's SPIFFE ID and the token subject when known, the request id, trace
// ids, and the request headers on the allowlist (DefaultAccessHeaders
// unless WithHeaders is given). The query string is never logged. A nil l
// gives middleware that only calls the next handler.
func AccessLog(l *slog.Logger, opts ...AccessOption) func(http.Handler) http.Handler {
	cfg := newAccessConfig(opts)
	return func(next http.Handler) http.Handler {
		if l == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			info := &accessInfo{}
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				p := recover()
				status := rec.status
				if p != nil {
					status = http.StatusInternalServerError
				} else if status == 0 {
					status = http.StatusOK
				}
				logHTTP(r.Context(), l, cfg, r, info, status, rec.bytes, time.Since(start), p != nil)
				if p != nil {
					panic(p)
				}
			}()
			next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), accessKey{}, info)))
		})
	}
}

func logHTTP(ctx context.Context, l *slog.Logger, cfg accessConfig, r *http.Request, info *accessInfo, status int, n int64, d time.Duration, panicked bool) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 16)
	attrs = append(attrs,
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", n),
		slog.String("remote_addr", r.RemoteAddr),
		slog.String("proto", r.Proto),
	)
	if r.ContentLength > 0 {
		attrs = append(attrs, slog.Int64("request_bytes", r.ContentLength))
	}
	if panicked {
		attrs = append(attrs, slog.Bool("panic", true))
	}
	attrs = commonAttrs(ctx, attrs, info, l, d, r.Header.Get("X-Request-Id"))
	if hs := headerAttrs(cfg.headers, func(k string) string { return strings.Join(r.Header.Values(k), ", ") }); len(hs) > 0 {
		attrs = append(attrs, slog.Attr{Key: "headers", Value: slog.GroupValue(hs...)})
	}
	l.LogAttrs(ctx, level, "http request", attrs...)
}

// headerAttrs returns the allowlisted headers that are present, keyed by
// their lower-case names.
func headerAttrs(names []string, get func(string) string) []slog.Attr {
	var out []slog.Attr
	for _, k := range names {
		if v := get(k); v != "" {
			out = append(out, slog.String(strings.ToLower(k), v))
		}
	}
	return out
}

// statusRecorder captures the status and body size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher when the underlying writer can flush.
func (w *statusRecorder) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker when the underlying writer can hijack.
func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
