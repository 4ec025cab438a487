package jwtauth

import (
	"errors"
	"fmt"
)

// Errors that Verify wraps, so that callers can branch with errors.Is. The
// wrapping error adds the fact, for example "jwtauth: token expired 42s ago";
// no error ever contains the token itself.
var (
	// ErrMissing: no token was presented.
	ErrMissing = errors.New("jwtauth: no token")
	// ErrMalformed: the token is not a well-formed compact JWS with JSON
	// header and claims (bad base64 or JSON, duplicate keys, oversize, wrong
	// claim types, unsupported "crit" header).
	ErrMalformed = errors.New("jwtauth: malformed token")
	// ErrAlgorithm: the token's "alg" is "none", unknown, or not pinned for
	// its issuer.
	ErrAlgorithm = errors.New("jwtauth: algorithm not allowed")
	// ErrExpired: the "exp" claim has passed (beyond the clock skew).
	ErrExpired = errors.New("jwtauth: token expired")
	// ErrNotYetValid: the "nbf" or "iat" claim lies in the future (beyond the
	// clock skew).
	ErrNotYetValid = errors.New("jwtauth: token not yet valid")
	// ErrBadSignature: the signature is empty or does not verify with the
	// key that the "kid" header selected.
	ErrBadSignature = errors.New("jwtauth: bad signature")
	// ErrUnknownIssuer: the "iss" claim names no configured issuer (or is
	// empty), or a token without "iss" is not a JWT-SVID for an issuer
	// configured with SPIFFEBundles and no Issuer.
	ErrUnknownIssuer = errors.New("jwtauth: unknown issuer")
	// ErrAudience: the "aud" claim is missing or names none of the issuer's
	// accepted audiences.
	ErrAudience = errors.New("jwtauth: audience not accepted")
	// ErrUnknownKey: the issuer has no key for the token's "kid" (after the
	// rate-limited refetch), or its keys are not available yet.
	ErrUnknownKey = errors.New("jwtauth: unknown signing key")
	// ErrClaims: a required claim or the required "typ" header is missing
	// or wrong, or a JWT-SVID's subject is not a SPIFFE ID.
	ErrClaims = errors.New("jwtauth: claims not accepted")
)

// wrap returns sentinel with a formatted fact after it.
func wrap(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// quote renders an untrusted string from a token for an error message,
// bounded in length.
func quote(s string) string {
	const limit = 64
	if len(s) > limit {
		return fmt.Sprintf("%q…", s[:limit])
	}
	return fmt.Sprintf("%q", s)
}
