package mtls

import "errors"

// Errors that callers can branch on with errors.Is.
var (
	// ErrNotAuthorized: the peer presented a valid SVID whose SPIFFE ID the
	// authorizer does not allow.
	ErrNotAuthorized = errors.New("mtls: peer not authorized")
	// ErrBadPeerCertificate: the peer presented no certificate, or one that
	// is not an X.509-SVID of a trusted trust domain.
	ErrBadPeerCertificate = errors.New("mtls: peer certificate rejected")
	// ErrNotReady: a source could not deliver an SVID before its readiness
	// timeout.
	ErrNotReady = errors.New("mtls: SVID source not ready")
	// ErrNoAddress: no Workload API address was configured.
	ErrNoAddress = errors.New("mtls: no Workload API address")
	// ErrClosed: the source was closed.
	ErrClosed = errors.New("mtls: source closed")
	// ErrPlaintext: a request would have left or arrived without mutual TLS.
	ErrPlaintext = errors.New("mtls: plaintext refused")
)
