package benchmarks

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	grpcauthz "google.golang.org/grpc/authz"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/internal/reqctx"
)

// The authz comparison decides gRPC calls with N allow rules, in three
// shapes: every rule on its own method with one common principal
// ("distinct"), every rule on one method with its own principal
// ("shared"), and a call that no rule matches ("nomatch"). Both sides get
// the same rules: ztkit's Decide and interceptor, and grpc-go's authz
// interceptor, which reads the caller from the peer's certificate.

const authzPeerBase = "spiffe://example.org/ns/default/sa/client"

type authzScenario struct {
	name   string
	shared bool
	method func(n int) string
	peer   func(n int) string
	allow  bool
}

var authzScenarios = []authzScenario{
	{"distinct", false, func(n int) string { return fmt.Sprintf("/pkg.Service%d/Method", n-1) }, func(int) string { return authzPeerBase }, true},
	{"shared", true, func(int) string { return "/pkg.Service/Method" }, func(n int) string { return fmt.Sprintf("%s%d", authzPeerBase, n-1) }, true},
	{"nomatch", false, func(int) string { return "/pkg.Other/Method" }, func(int) string { return authzPeerBase }, false},
}

func authzRuleOf(i int, shared bool) (method, principal string) {
	if shared {
		return "/pkg.Service/Method", fmt.Sprintf("%s%d", authzPeerBase, i)
	}
	return fmt.Sprintf("/pkg.Service%d/Method", i), authzPeerBase
}

func authzZtkitPolicy(n int, shared bool) string {
	var b strings.Builder
	b.WriteString(`{"version": 1, "rules": [`)
	for i := 0; i < n; i++ {
		m, p := authzRuleOf(i, shared)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name": "r%d", "action": "allow", "from": {"principals": [%q]}, "to": {"grpcMethods": [%q]}}`, i, p, m)
	}
	b.WriteString("]}")
	return b.String()
}

func authzGRPCPolicy(n int, shared bool) string {
	var b strings.Builder
	b.WriteString(`{"name": "bench", "allow_rules": [`)
	for i := 0; i < n; i++ {
		m, p := authzRuleOf(i, shared)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name": "r%d", "source": {"principals": [%q]}, "request": {"paths": [%q]}}`, i, p, m)
	}
	b.WriteString("]}")
	return b.String()
}

// authzServerContext returns the context of a real gRPC server call, kept
// after the call: grpc-go's authz reads the connection from it, which only
// the server transport can put there.
func authzServerContext(tb testing.TB) context.Context {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	got := make(chan context.Context, 1)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, ss grpc.ServerStream) error {
		select {
		case got <- ss.Context():
		default:
		}
		return status.Error(codes.Unimplemented, "captured")
	}))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	defer func() { srv.Stop(); <-done }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(tb, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = conn.Invoke(ctx, "/capture.Capture/Capture", &emptypb.Empty{}, &emptypb.Empty{})
	select {
	case c := <-got:
		return c
	case <-ctx.Done():
		tb.Fatal("no server context captured")
		return nil
	}
}

// authzMethodStream names the method of a call for grpc.Method.
type authzMethodStream struct{ method string }

func (s authzMethodStream) Method() string               { return s.method }
func (s authzMethodStream) SetHeader(metadata.MD) error  { return nil }
func (s authzMethodStream) SendHeader(metadata.MD) error { return nil }
func (s authzMethodStream) SetTrailer(metadata.MD) error { return nil }

// authzCallContext is a server call context for method from the SPIFFE ID
// principal: a verified TLS peer whose certificate carries the ID as URI
// SAN (what grpc authz reads) and the ID recorded for ztkit (what mtls
// records after verifying that certificate).
func authzCallContext(tb testing.TB, base context.Context, method, principal string) context.Context {
	tb.Helper()
	u, err := url.Parse(principal)
	require.NoError(tb, err)
	cert := &x509.Certificate{URIs: []*url.URL{u}}
	ctx := peer.NewContext(base, &peer.Peer{
		Addr:      &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000},
		LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443},
		AuthInfo: credentials.TLSInfo{
			State:          tls.ConnectionState{PeerCertificates: []*x509.Certificate{cert}, VerifiedChains: [][]*x509.Certificate{{cert}}},
			CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity},
		},
	})
	ctx = grpc.NewContextWithServerTransportStream(ctx, authzMethodStream{method})
	return reqctx.WithPeerID(ctx, spiffeid.RequireFromString(principal))
}

type authzPair struct {
	ztkit   *authz.Authorizer
	ztkitUI grpc.UnaryServerInterceptor
	grpc    *grpcauthz.StaticInterceptor
}

func newAuthzPair(tb testing.TB, n int, shared bool) authzPair {
	tb.Helper()
	p, err := authz.ParsePolicy([]byte(authzZtkitPolicy(n, shared)))
	require.NoError(tb, err)
	a, err := authz.New(p)
	require.NoError(tb, err)
	g, err := grpcauthz.NewStatic(authzGRPCPolicy(n, shared))
	require.NoError(tb, err)
	return authzPair{ztkit: a, ztkitUI: authz.UnaryServerInterceptor(a), grpc: g}
}

func authzOK(context.Context, any) (any, error) { return nil, nil }

func TestAuthzPairsAgree(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	base := authzServerContext(t)
	for _, n := range []int{10, 100} {
		for _, sc := range authzScenarios {
			pair := newAuthzPair(t, n, sc.shared)
			probes := []struct{ method, principal string }{
				{sc.method(n), sc.peer(n)},
				{sc.method(n), authzPeerBase + "-other"},
				{"/pkg.Service0/Method", authzPeerBase},
				{"/pkg.Service/Method", authzPeerBase + "0"},
			}
			for _, pr := range probes {
				ctx := authzCallContext(t, base, pr.method, pr.principal)
				info := &grpc.UnaryServerInfo{FullMethod: pr.method}
				_, gerr := pair.grpc.UnaryInterceptor(ctx, nil, info, authzOK)
				_, zerr := pair.ztkitUI(ctx, nil, info, authzOK)
				d := pair.ztkit.Decide(ctx, &authz.Request{PeerID: spiffeid.RequireFromString(pr.principal), GRPCMethod: pr.method})
				name := fmt.Sprintf("%s/%d %s %s", sc.name, n, pr.method, pr.principal)
				assert.Equal(t, status.Code(gerr), status.Code(zerr), name)
				assert.Equal(t, gerr == nil, d.Allowed, name)
			}
			ctx := authzCallContext(t, base, sc.method(n), sc.peer(n))
			_, gerr := pair.grpc.UnaryInterceptor(ctx, nil, &grpc.UnaryServerInfo{FullMethod: sc.method(n)}, authzOK)
			assert.Equal(t, sc.allow, gerr == nil, "grpc authz %s/%d", sc.name, n)
		}
	}
}

func BenchmarkAuthz(b *testing.B) {
	base := authzServerContext(b)
	for _, n := range []int{10, 100, 1000, 10000} {
		for _, sc := range authzScenarios {
			pair := newAuthzPair(b, n, sc.shared)
			method, principal := sc.method(n), sc.peer(n)
			ctx := authzCallContext(b, base, method, principal)
			info := &grpc.UnaryServerInfo{FullMethod: method}
			req := &authz.Request{PeerID: spiffeid.RequireFromString(principal), GRPCMethod: method}
			want := codes.OK
			if !sc.allow {
				want = codes.PermissionDenied
			}
			b.Run(fmt.Sprintf("%s/rules=%d/anchor_grpc_authz", sc.name, n), func(b *testing.B) {
				_, err := pair.grpc.UnaryInterceptor(ctx, nil, info, authzOK)
				require.Equal(b, want, status.Code(err))
				b.ReportAllocs()
				for b.Loop() {
					_, _ = pair.grpc.UnaryInterceptor(ctx, nil, info, authzOK)
				}
			})
			b.Run(fmt.Sprintf("%s/rules=%d/ztkit-decide", sc.name, n), func(b *testing.B) {
				require.Equal(b, sc.allow, pair.ztkit.Decide(ctx, req).Allowed)
				b.ReportAllocs()
				for b.Loop() {
					pair.ztkit.Decide(ctx, req)
				}
			})
			b.Run(fmt.Sprintf("%s/rules=%d/ztkit-interceptor", sc.name, n), func(b *testing.B) {
				_, err := pair.ztkitUI(ctx, nil, info, authzOK)
				require.Equal(b, want, status.Code(err))
				b.ReportAllocs()
				for b.Loop() {
					_, _ = pair.ztkitUI(ctx, nil, info, authzOK)
				}
			})
		}
	}
}
