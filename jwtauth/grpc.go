package jwtauth

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// UnaryServerInterceptor verifies the bearer token in the "authorization"
// metadata of each call and puts its Claims into the context. A missing or
// invalid token ends the call with codes.Unauthenticated and no detail.
func UnaryServerInterceptor(v *Verifier, opts ...Option) grpc.UnaryServerInterceptor {
	o := buildOptions(opts)
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := o.authenticate(ctx, v)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming calls.
func StreamServerInterceptor(v *Verifier, opts ...Option) grpc.StreamServerInterceptor {
	o := buildOptions(opts)
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := o.authenticate(ss.Context(), v)
		if err != nil {
			return err
		}
		return handler(srv, &contextStream{ServerStream: ss, ctx: ctx})
	}
}

type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

func (o *options) authenticate(ctx context.Context, v *Verifier) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	token, err := o.bearer(md.Get(strings.ToLower(o.header)))
	if err == nil && token == "" && o.optional {
		return ctx, nil
	}
	var c *Claims
	if err == nil {
		c, err = v.verify(ctx, token)
	}
	if err != nil {
		v.report(ctx, nil, err)
		msg := "jwtauth: invalid token"
		if errors.Is(err, ErrMissing) {
			msg = "jwtauth: missing token"
		}
		return nil, status.Error(codes.Unauthenticated, msg)
	}
	ctx = withVerified(ctx, c, token)
	v.report(ctx, c, nil)
	return ctx, nil
}
