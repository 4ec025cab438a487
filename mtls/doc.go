// Package mtls gives services SPIFFE mutual TLS for HTTP and gRPC: every
// connection presents this workload's X.509-SVID, requires the peer's, and
// admits the peer only if an Authorizer allows its SPIFFE ID.
//
// The happy path, with SVIDs from a SPIRE agent (SPIFFE_ENDPOINT_SOCKET):
//
//	src, err := mtls.NewWorkloadAPISource(ctx)
//	srv := mtls.NewHTTPServer(":8443", handler, src, mtls.AuthorizeID(ordersID))
//	err = srv.ListenAndServeTLS("", "")
//
// and on the calling side:
//
//	client := mtls.NewHTTPClient(src, mtls.AuthorizeID(inventoryID))
//	resp, err := client.Get("https://inventory:8443/v1/stock")
//
// gRPC uses the same source and authorizers through ServerCredentials and
// ClientCredentials. Inside a handler, PeerIDFromRequest or
// PeerIDFromContext tells which workload is calling.
//
// A peer ID is only ever what mtls itself verified: NewHTTPServer records,
// per connection, the ID its handshake accepted, and the gRPC credentials
// hand grpc-go an AuthInfo (credentials.TLSInfo plus the ID). A TLS peer
// that some other configuration accepted has no SPIFFE ID as far as ztkit
// (and so authz and the access log) is concerned, whatever its certificate
// says. ServerTLSConfig on its own still admits only authorised peers, but
// cannot attribute requests to them; use NewHTTPServer for that.
//
// # Sources
//
// A Source delivers the workload's SVID and the trust bundles. Three fit:
// WorkloadAPISource (SPIRE, or mtls/devagent on a laptop and in tests),
// FileSource (PEM files that another process keeps fresh), or anything that
// implements go-spiffe's x509svid.Source and x509bundle.Source, such as
// workloadapi.X509Source. Certificates are taken from the source at every
// handshake, so a rotated SVID is used by the next connection without a
// restart, and open connections are not dropped. WithEvents and WithLogger
// make rotations (with the new SVID's expiry) and refresh failures visible.
//
// # Security defaults
//
//   - TLS 1.3 only; client certificates are always required.
//   - Peers are verified as SPIFFE X.509-SVIDs against the bundle of their
//     trust domain, never by DNS name; a certificate with no or several URI
//     SANs, from another CA, or expired, fails the handshake.
//   - Every peer's SPIFFE ID goes through an Authorizer. A nil authorizer
//     refuses everyone; accepting any trusted peer takes AuthorizeAny by name.
//   - Session resumption is off, so every connection is verified in full
//     against the current bundle.
//   - Servers refuse requests that did not arrive over mutual TLS, and
//     clients refuse plain http:// URLs: there is no plaintext fallback.
//   - NewHTTPServer sets header-read and idle timeouts.
//
// Errors wrap sentinels (ErrNotAuthorized, ErrBadPeerCertificate,
// ErrNotReady, ErrNoAddress, ErrPlaintext) for errors.Is.
package mtls
