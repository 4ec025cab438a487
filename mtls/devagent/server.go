package devagent

import (
	"context"
	"fmt"
	"time"

	"github.com/spiffe/go-spiffe/v2/proto/spiffe/workload"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
)

// workloadServer answers the SPIFFE Workload API on one socket, for the one
// identity that socket stands for.
type workloadServer struct {
	workload.UnimplementedSpiffeWorkloadAPIServer
	agent *Agent
	ident *identity
}

func (s *workloadServer) FetchX509SVID(_ *workload.X509SVIDRequest, stream grpc.ServerStreamingServer[workload.X509SVIDResponse]) error {
	for {
		svid, changed := s.ident.current()
		certs := make([]byte, 0, 1024)
		for _, c := range svid.Certificates {
			certs = append(certs, c.Raw...)
		}
		key, err := marshalKey(svid.PrivateKey)
		if err != nil {
			return status.Errorf(codes.Internal, "devagent: %v", err)
		}
		resp := &workload.X509SVIDResponse{Svids: []*workload.X509SVID{{
			SpiffeId:    svid.ID.String(),
			X509Svid:    certs,
			X509SvidKey: key,
			Bundle:      s.agent.ca.cert.Raw,
		}}}
		if err := stream.Send(resp); err != nil {
			return err
		}
		select {
		case <-changed:
		case <-stream.Context().Done():
			return nil
		case <-s.agent.stop:
			return status.Error(codes.Unavailable, "devagent: agent stopping")
		}
	}
}

func (s *workloadServer) FetchX509Bundles(_ *workload.X509BundlesRequest, stream grpc.ServerStreamingServer[workload.X509BundlesResponse]) error {
	resp := &workload.X509BundlesResponse{Bundles: map[string][]byte{
		s.agent.td.IDString(): s.agent.ca.cert.Raw,
	}}
	if err := stream.Send(resp); err != nil {
		return err
	}
	return s.waitForEnd(stream.Context())
}

func (s *workloadServer) FetchJWTBundles(_ *workload.JWTBundlesRequest, stream grpc.ServerStreamingServer[workload.JWTBundlesResponse]) error {
	jwks, err := s.agent.jwt.bundle.Marshal()
	if err != nil {
		return status.Errorf(codes.Internal, "devagent: marshalling JWT bundle: %v", err)
	}
	resp := &workload.JWTBundlesResponse{Bundles: map[string][]byte{s.agent.td.IDString(): jwks}}
	if err := stream.Send(resp); err != nil {
		return err
	}
	return s.waitForEnd(stream.Context())
}

func (s *workloadServer) waitForEnd(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-s.agent.stop:
		return status.Error(codes.Unavailable, "devagent: agent stopping")
	}
}

func (s *workloadServer) FetchJWTSVID(_ context.Context, req *workload.JWTSVIDRequest) (*workload.JWTSVIDResponse, error) {
	if len(req.Audience) == 0 {
		return nil, status.Error(codes.InvalidArgument, "audience must be specified")
	}
	if req.SpiffeId != "" && req.SpiffeId != s.ident.id.String() {
		return nil, status.Errorf(codes.PermissionDenied, "no identity issued for %s on this socket", req.SpiffeId)
	}
	token, err := s.agent.jwt.sign(s.ident.id, req.Audience, time.Now(), s.agent.cfg.JWTTTL)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	return &workload.JWTSVIDResponse{Svids: []*workload.JWTSVID{{SpiffeId: s.ident.id.String(), Svid: token}}}, nil
}

func (s *workloadServer) ValidateJWTSVID(_ context.Context, req *workload.ValidateJWTSVIDRequest) (*workload.ValidateJWTSVIDResponse, error) {
	if req.Audience == "" {
		return nil, status.Error(codes.InvalidArgument, "audience must be specified")
	}
	if req.Svid == "" {
		return nil, status.Error(codes.InvalidArgument, "svid must be specified")
	}
	svid, err := jwtsvid.ParseAndValidate(req.Svid, s.agent.jwt.bundle, []string{req.Audience})
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	claims, err := structpb.NewStruct(svid.Claims)
	if err != nil {
		return nil, status.Errorf(codes.Internal, "devagent: claims: %v", err)
	}
	return &workload.ValidateJWTSVIDResponse{SpiffeId: svid.ID.String(), Claims: claims}, nil
}

// requireSecurityHeader rejects calls without the workload.spiffe.io: true
// metadata, as SPIRE does, so that a browser or a confused proxy cannot be
// tricked into calling the Workload API.
func requireSecurityHeader(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("workload.spiffe.io"); len(v) != 1 || v[0] != "true" {
		return status.Error(codes.InvalidArgument, "security header missing from request")
	}
	return nil
}

func unaryHeaderCheck(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := requireSecurityHeader(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func streamHeaderCheck(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := requireSecurityHeader(ss.Context()); err != nil {
		return err
	}
	return h(srv, ss)
}

func checkMember(td spiffeid.TrustDomain, id spiffeid.ID) error {
	if id.IsZero() {
		return fmt.Errorf("devagent: empty SPIFFE ID")
	}
	if !id.MemberOf(td) {
		return fmt.Errorf("devagent: %s is not in the agent's trust domain %q", id, td)
	}
	return nil
}
