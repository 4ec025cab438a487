// Package devagent runs a SPIFFE Workload API in-process, for development,
// examples and tests only. It is no substitute for SPIRE: it attests nothing
// and hands an identity to whoever can open that identity's socket, its CA
// key lives in memory, and its keys vanish with the process.
//
// An Agent owns one ECDSA P-256 certificate authority for a trust domain and
// serves each identity on its own Unix socket, speaking the real Workload API
// protocol (github.com/spiffe/go-spiffe/v2/proto/spiffe/workload), so code
// under test takes the same path as against a SPIRE agent:
//
//	agent, err := devagent.Start(ctx, devagent.Config{TrustDomain: "example.org"})
//	defer agent.Close()
//	addr, err := agent.Socket(spiffeid.RequireFromString("spiffe://example.org/orders"))
//	src, err := mtls.NewWorkloadAPISource(ctx, mtls.WithAddr(addr))
//
// The agent streams X.509-SVIDs and bundles, reissues SVIDs at half of
// Config.SVIDTTL (and on Rotate), issues ES256 JWT-SVIDs, serves the JWT
// bundle and answers ValidateJWTSVID. Like SPIRE it rejects calls that lack
// the "workload.spiffe.io: true" metadata. Sockets live in a private (0700)
// directory.
package devagent
