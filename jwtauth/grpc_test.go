package jwtauth

import (
	"context"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
)

// subjectHealth answers health checks with the caller's subject as the
// service status' witness: SERVING when claims are present.
type subjectHealth struct {
	healthpb.UnimplementedHealthServer
	seen chan string
}

func (s *subjectHealth) Check(ctx context.Context, _ *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	return s.answer(ctx), nil
}

func (s *subjectHealth) Watch(_ *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	return stream.Send(s.answer(stream.Context()))
}

func (s *subjectHealth) answer(ctx context.Context) *healthpb.HealthCheckResponse {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if c, ok := ClaimsFromContext(ctx); ok {
		st = healthpb.HealthCheckResponse_SERVING
		fwd, _ := ForwardedToken().Token(ctx)
		s.seen <- c.Subject() + "|" + fwd
	}
	return &healthpb.HealthCheckResponse{Status: st}
}

// selfSignedTLS returns server and client TLS configs for 127.0.0.1.
func selfSignedTLS(t *testing.T) (*tls.Config, *tls.Config) {
	k := ecKey(t, elliptic.P256())
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: k}}, MinVersion: tls.VersionTLS13},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
}

func startGRPC(t *testing.T, v *Verifier, opts ...Option) (string, *subjectHealth, *tls.Config) {
	serverTLS, clientTLS := selfSignedTLS(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(
		grpc.Creds(credentials.NewTLS(serverTLS)),
		grpc.UnaryInterceptor(UnaryServerInterceptor(v, opts...)),
		grpc.StreamInterceptor(StreamServerInterceptor(v, opts...)),
	)
	h := &subjectHealth{seen: make(chan string, 10)}
	healthpb.RegisterHealthServer(srv, h)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), h, clientTLS
}

func dial(t *testing.T, addr string, opts ...grpc.DialOption) healthpb.HealthClient {
	conn, err := grpc.NewClient(addr, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return healthpb.NewHealthClient(conn)
}

func TestGRPCUnaryAndStreamWithPerRPCCredentials(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	addr, h, clientTLS := startGRPC(t, v)
	tok := sign(t, "ES256", "k", k, claimsFor(nil))
	client := dial(t, addr, grpc.WithTransportCredentials(credentials.NewTLS(clientTLS)),
		grpc.WithPerRPCCredentials(PerRPCCredentials(StaticToken(tok))))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.Status)
	assert.Equal(t, "user-1|"+tok, <-h.seen)

	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	resp, err = stream.Recv()
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_SERVING, resp.Status)
	assert.Equal(t, "user-1|"+tok, <-h.seen)
}

func TestGRPCRejectsMissingAndInvalid(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	addr, _, clientTLS := startGRPC(t, v)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tlsOpt := grpc.WithTransportCredentials(credentials.NewTLS(clientTLS))

	_, err := dial(t, addr, tlsOpt).Check(ctx, &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	assert.Equal(t, "jwtauth: missing token", status.Convert(err).Message())

	bad := sign(t, "ES256", "k", ecKey(t, elliptic.P256()), claimsFor(nil))
	client := dial(t, addr, tlsOpt, grpc.WithPerRPCCredentials(PerRPCCredentials(StaticToken(bad))))
	_, err = client.Check(ctx, &healthpb.HealthCheckRequest{})
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
	assert.Equal(t, "jwtauth: invalid token", status.Convert(err).Message(), "no detail for the caller")

	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = stream.Recv()
	}
	assert.Equal(t, codes.Unauthenticated, status.Code(err))
}

func TestGRPCCredentialsOptional(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	addr, _, clientTLS := startGRPC(t, v, CredentialsOptional())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := dial(t, addr, grpc.WithTransportCredentials(credentials.NewTLS(clientTLS))).Check(ctx, &healthpb.HealthCheckRequest{})
	require.NoError(t, err)
	assert.Equal(t, healthpb.HealthCheckResponse_NOT_SERVING, resp.Status, "no claims, handler decides")
}

func TestPerRPCCredentialsRefusePlaintext(t *testing.T) {
	creds := PerRPCCredentials(StaticToken("t"))
	assert.True(t, creds.RequireTransportSecurity())
	conn, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithPerRPCCredentials(creds))
	if err == nil {
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transport")
}
