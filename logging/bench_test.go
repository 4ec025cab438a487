package logging

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

func benchRecord(msg, path string) slog.Record {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, msg, 0)
	r.AddAttrs(slog.String("method", "GET"), slog.String("path", path), slog.Int("status", 200),
		slog.Duration("latency", 1234567), slog.String("peer_id", "spiffe://example.org/ns/prod/sa/web"),
		slog.String("request_id", "7f3c2c2a-4b1e-4d7a-9f5e-2b8c6d1e0a93"), slog.Int64("bytes", 5120),
		slog.String("user_agent", "orders-client/1.4.2 (linux; amd64)"))
	return r
}

// BenchmarkHandle measures the handler alone on a prebuilt record: a
// record with nothing to redact allocates nothing.
func BenchmarkHandle(b *testing.B) {
	for _, bc := range []struct{ name, msg, path string }{
		{"clean", "request handled", "/api/v1/orders/12345?page=2"},
		{"secrets", "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl", "/repos?access_token=ghp_0123456789abcdefghijABCDEFGHIJ012345"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := NewHandler(io.Discard, nil)
			r := benchRecord(bc.msg, bc.path)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				_ = h.Handle(ctx, r)
			}
		})
	}
}
