// Package jwtauth verifies JSON Web Tokens for HTTP and gRPC servers and
// attaches tokens to outgoing calls.
//
// After mTLS has proved which service is calling, a JWT says on whose behalf
// and with what rights: an access token from an OIDC provider or token
// service, or a SPIFFE JWT-SVID. A Verifier checks such tokens against the
// issuers it is configured with; Middleware and the gRPC interceptors run it
// on every request and put the verified *Claims into the context, where
// ClaimsFromContext (and the authz package) read them.
//
//	v, err := jwtauth.NewVerifier(ctx, jwtauth.Config{Issuers: []jwtauth.Issuer{{
//		Issuer: "https://login.example.com", Audiences: []string{"api://orders"}, Keys: jwtauth.OIDCDiscovery(),
//	}}})
//	handler = jwtauth.Middleware(v)(handler)
//
// # Security defaults
//
//   - Algorithms are pinned per issuer: asymmetric only (RS*, PS*, ES*,
//     EdDSA) unless a shared secret is configured for that issuer, never
//     both. "none" is refused in any spelling.
//   - The unverified "iss" only picks the configuration, by exact match; an
//     unknown issuer is refused before any network access. A token that
//     carries "iss" never reaches the SPIFFE bundle issuer configured
//     without an Issuer: that one takes only JWT-SVIDs without "iss", so
//     a trust domain's key cannot vouch for another issuer's name. Keys
//     come only from configuration: the jku, x5u, jwk and x5c headers are
//     never used.
//   - A kid picks the key; a token without kid is checked against each key
//     of its issuer stored without one (at most four), or the only key.
//   - Claims.SPIFFEID reports an ID only for JWT-SVIDs verified through
//     SPIFFEBundles, never for a SPIFFE-looking subject of another issuer.
//     Claims are immutable: Get returns copies of arrays and objects.
//   - exp is required; exp, nbf and iat are checked with a 30s clock skew
//     (at most 5 minutes); aud must name one of the issuer's audiences.
//   - Tokens above 8 KiB, bad base64url, invalid or duplicate-key JSON, an
//     unsupported "crit" header, an empty signature and malformed ECDSA
//     signatures (wrong length, r or s zero) are refused before any key
//     is used.
//   - Remote keys need https (loopback http only with
//     Config.AllowLoopbackHTTP), are size-limited and refreshed in the
//     background within Cache-Control bounds; with OIDCDiscovery every
//     refresh reads the discovery document again. An unknown kid triggers at
//     most one refetch per issuer per minute, shared by all waiting
//     requests; a failed refresh keeps the last good keys.
//   - The optional verified-token cache is bounded, ends each entry at the
//     token's exp, and drops entries whose key has changed.
//   - Several Authorization headers, or several cookies of the WithCookie
//     name, are refused rather than one of them picked.
//   - A missing or bad token gets 401 with an RFC 6750 challenge (gRPC:
//     codes.Unauthenticated) and no detail; errors and logs never contain
//     the token. Security events go to Config.Logger in the vocabulary of
//     package logging.
//
// # Outgoing calls
//
// A TokenSource supplies the token for an outgoing call: ForwardedToken
// sends on the caller's verified token, NewSVIDTokenSource fetches and
// caches JWT-SVIDs from the SPIFFE Workload API, StaticToken is fixed.
// Transport (HTTP) and PerRPCCredentials (gRPC) attach it, and refuse to
// send it without transport security.
package jwtauth
