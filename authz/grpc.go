package authz

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/internal/reqctx"
)

// UnaryServerInterceptor enforces a's decisions on unary RPCs: a denied
// call fails with codes.PermissionDenied and a message that reveals
// nothing of the policy. In dry-run mode every call reaches the handler.
// A nil a denies everything.
func UnaryServerInterceptor(a *Authorizer) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := a.authorizeRPC(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streaming RPCs;
// the decision is made once, when the stream opens.
func StreamServerInterceptor(a *Authorizer) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := a.authorizeRPC(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}

func (a *Authorizer) authorizeRPC(ctx context.Context, fullMethod string) error {
	if a == nil {
		return status.Error(codes.PermissionDenied, msgDenied)
	}
	// Copying the metadata costs allocations; do it only when the policy
	// in force reads headers or hosts. The engine is loaded once: the call
	// is decided by the very policy its request was built for.
	e := a.eng.Load()
	req := grpcRequest(ctx, fullMethod, e == nil || e.headers, e == nil || e.hosts)
	d := a.decideWith(ctx, e, &req)
	switch {
	case !d.Enforced():
		return nil
	case d.Reason == ReasonInvalidRequest:
		return a.errInvalid
	default:
		return a.errDenied
	}
}

// Status messages of rejected calls: fixed, so they reveal nothing of the
// policy.
const (
	msgDenied  = "authz: permission denied"
	msgInvalid = "authz: malformed request"
)

// GRPCRequest builds the Request for a call to fullMethod: the peer SPIFFE
// ID and verified claims in ctx, the :authority as host, the local port
// and the incoming metadata.
func GRPCRequest(ctx context.Context, fullMethod string) Request {
	return grpcRequest(ctx, fullMethod, true, true)
}

func grpcRequest(ctx context.Context, fullMethod string, withMD, withHost bool) Request {
	req := Request{GRPCMethod: fullMethod, Claims: claimsFrom(ctx)}
	if id, ok := reqctx.PeerID(ctx); ok {
		req.PeerID = id
	}
	if withMD {
		if md, ok := metadata.FromIncomingContext(ctx); ok {
			req.Metadata = md
			if v := md[":authority"]; len(v) > 0 {
				req.Host = v[0]
			}
		}
	} else if withHost {
		if v := metadata.ValueFromIncomingContext(ctx, ":authority"); len(v) > 0 {
			req.Host = v[0]
		}
	}
	if p, ok := peer.FromContext(ctx); ok && p.LocalAddr != nil {
		req.Port = portOf(p.LocalAddr)
	}
	return req
}

// claimsFrom returns the verified claims recorded in ctx, if they can be
// read as Claims.
func claimsFrom(ctx context.Context) Claims {
	p, ok := reqctx.PrincipalFrom(ctx)
	if !ok {
		return nil
	}
	c, ok := p.(Claims)
	if !ok {
		return nil
	}
	return c
}
