package logging

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// UnaryServerInterceptor returns a gRPC interceptor that writes one
// access record per call through l: full method, status code, duration,
// request and response sizes, peer address and SPIFFE ID, token subject,
// request id, trace ids and the allowlisted metadata. A nil l logs
// nothing.
func UnaryServerInterceptor(l *slog.Logger, opts ...AccessOption) grpc.UnaryServerInterceptor {
	cfg := newAccessConfig(opts)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		if l == nil {
			return handler(ctx, req)
		}
		start := time.Now()
		ai := &accessInfo{}
		defer func() {
			p := recover()
			code := status.Code(err)
			if p != nil {
				code = codes.Internal
			}
			attrs := []slog.Attr{slog.Int64("request_bytes", msgSize(req)), slog.Int64("bytes", msgSize(resp))}
			logGRPC(ctx, l, cfg, ai, info.FullMethod, code, time.Since(start), p != nil, attrs)
			if p != nil {
				panic(p)
			}
		}()
		return handler(context.WithValue(ctx, accessKey{}, ai), req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streams; it
// records the messages and bytes sent and received.
func StreamServerInterceptor(l *slog.Logger, opts ...AccessOption) grpc.StreamServerInterceptor {
	cfg := newAccessConfig(opts)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		if l == nil {
			return handler(srv, ss)
		}
		start := time.Now()
		ai := &accessInfo{}
		cs := &countingStream{ServerStream: ss, ctx: context.WithValue(ss.Context(), accessKey{}, ai)}
		defer func() {
			p := recover()
			code := status.Code(err)
			if p != nil {
				code = codes.Internal
			}
			attrs := []slog.Attr{
				slog.Int64("messages_received", cs.recvMsgs.Load()), slog.Int64("request_bytes", cs.recvBytes.Load()),
				slog.Int64("messages_sent", cs.sentMsgs.Load()), slog.Int64("bytes", cs.sentBytes.Load()),
			}
			logGRPC(ss.Context(), l, cfg, ai, info.FullMethod, code, time.Since(start), p != nil, attrs)
			if p != nil {
				panic(p)
			}
		}()
		return handler(srv, cs)
	}
}

func logGRPC(ctx context.Context, l *slog.Logger, cfg accessConfig, ai *accessInfo, method string, code codes.Code, d time.Duration, panicked bool, sizes []slog.Attr) {
	level := slog.LevelInfo
	switch code {
	case codes.Unknown, codes.Internal, codes.DataLoss, codes.Unavailable:
		level = slog.LevelWarn
	}
	if !l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 18)
	attrs = append(attrs, slog.String("method", method), slog.String("code", code.String()))
	attrs = append(attrs, sizes...)
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, slog.String("remote_addr", p.Addr.String()))
	}
	if panicked {
		attrs = append(attrs, slog.Bool("panic", true))
	}
	md, _ := metadata.FromIncomingContext(ctx)
	get := func(k string) string { return strings.Join(md.Get(k), ", ") }
	attrs = commonAttrs(ctx, attrs, ai, l, d, get("x-request-id"))
	if hs := headerAttrs(cfg.headers, get); len(hs) > 0 {
		attrs = append(attrs, slog.Attr{Key: "headers", Value: slog.GroupValue(hs...)})
	}
	l.LogAttrs(ctx, level, "grpc request", attrs...)
}

func msgSize(m any) int64 {
	if pm, ok := m.(proto.Message); ok && pm != nil {
		return int64(proto.Size(pm))
	}
	return 0
}

// countingStream counts messages and carries the access-log context.
type countingStream struct {
	grpc.ServerStream
	ctx                                      context.Context
	sentMsgs, sentBytes, recvMsgs, recvBytes atomic.Int64
}

func (s *countingStream) Context() context.Context { return s.ctx }

func (s *countingStream) SendMsg(m any) error {
	err := s.ServerStream.SendMsg(m)
	if err == nil {
		s.sentMsgs.Add(1)
		s.sentBytes.Add(msgSize(m))
	}
	return err
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.recvMsgs.Add(1)
		s.recvBytes.Add(msgSize(m))
	}
	return err
}
