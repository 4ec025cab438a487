package jwtauth

import (
	"crypto"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
)

// issuer is the compiled form of an Issuer.
type issuer struct {
	name      string
	audiences []string
	algs      []algorithm
	secret    []byte
	required  []string
	typ       string
	keys      atomic.Pointer[keySet] // static and remote keys
	remote    *remote                // nil unless keys are fetched
	bundles   jwtbundle.Source       // SPIFFE JWT bundles
}

// compileIssuer checks is and builds its runtime form; problems are reported
// as "field: message" with field relative to the issuer.
func compileIssuer(is Issuer, allowLoopback bool) (*issuer, []string) {
	var errs []string
	bad := func(field, format string, args ...any) {
		errs = append(errs, field+": "+fmt.Sprintf(format, args...))
	}
	ri := &issuer{
		name:      is.Issuer,
		audiences: slices.Clone(is.Audiences),
		secret:    slices.Clone(is.Secret),
		required:  slices.Clone(is.RequiredClaims),
		typ:       is.Type,
	}
	if is.Issuer == "" && is.Keys.kind != keysSPIFFE {
		bad(".Issuer", "required (it may be empty only with SPIFFEBundles)")
	}
	if len(is.Audiences) == 0 {
		bad(".Audiences", "at least one audience is required")
	}
	if slices.Contains(is.Audiences, "") {
		bad(".Audiences", "an audience must not be empty")
	}

	hasSecret := len(is.Secret) > 0
	switch {
	case hasSecret && is.Keys.kind != keysNone:
		bad(".Secret", "a shared secret cannot be mixed with public keys (Keys is set)")
	case !hasSecret && is.Keys.kind == keysNone:
		bad(".Keys", "required: JWKSURL, OIDCDiscovery, StaticJWKS, StaticKeys or SPIFFEBundles")
	}
	names := is.Algorithms
	if len(names) == 0 {
		names = defaultAlgorithms()
		if hasSecret {
			names = []string{"HS256"}
		}
	}
	for _, name := range names {
		a, ok := lookupAlgorithm(name)
		switch {
		case isNone(name):
			bad(".Algorithms", `"none" is never allowed`)
		case !ok:
			bad(".Algorithms", "unsupported algorithm %q", name)
		case a.kind == kindHMAC && !hasSecret:
			bad(".Algorithms", "%s needs a Secret", name)
		case a.kind != kindHMAC && hasSecret:
			bad(".Algorithms", "%s cannot be used with a shared Secret", name)
		case a.kind == kindHMAC && len(is.Secret) < a.hash.Size():
			bad(".Secret", "%s needs a secret of at least %d bytes", name, a.hash.Size())
		default:
			ri.algs = append(ri.algs, a)
		}
	}

	switch is.Keys.kind {
	case keysJWKSURL:
		if err := checkKeyURL(is.Keys.url, allowLoopback); err != nil {
			bad(".Keys", "%v", err)
		}
		ri.remote = &remote{jwksURL: is.Keys.url}
	case keysDiscovery:
		u := strings.TrimSuffix(is.Issuer, "/") + "/.well-known/openid-configuration"
		if err := checkKeyURL(u, allowLoopback); err != nil {
			bad(".Keys", "OIDC discovery from the issuer: %v", err)
		}
		ri.remote = &remote{discoveryURL: u}
	case keysStatic:
		var ks *keySet
		var err error
		if is.Keys.jwks != nil {
			ks, err = parseJWKS(is.Keys.jwks)
		} else {
			ks, err = staticKeySet(is.Keys.keys)
		}
		if err != nil {
			bad(".Keys", "%v", err)
		}
		ri.keys.Store(ks)
	case keysSPIFFE:
		if is.Keys.bundles == nil {
			bad(".Keys", "SPIFFEBundles needs a non-nil source")
		}
		ri.bundles = is.Keys.bundles
	}
	if ri.remote != nil {
		ri.remote.iss = ri
	}
	return ri, errs
}

// checkKeyURL enforces https for remote keys, or http to a loopback host
// when allowed.
func checkKeyURL(raw string, allowLoopback bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("invalid key URL: %w", err)
	}
	return checkKeyURLParsed(u, allowLoopback)
}

func checkKeyURLParsed(u *url.URL, allowLoopback bool) error {
	switch {
	case u.Host == "":
		return fmt.Errorf("key URL %s has no host", u.Redacted())
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && allowLoopback && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return fmt.Errorf("key URL %s must use https", u.Redacted())
	default:
		return fmt.Errorf("key URL %s: unsupported scheme %q", u.Redacted(), u.Scheme)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (is *issuer) algorithm(name string) (algorithm, bool) {
	for _, a := range is.algs {
		if a.name == name {
			return a, true
		}
	}
	return algorithm{}, false
}

func (is *issuer) acceptsAudience(aud []string) bool {
	for _, a := range aud {
		if slices.Contains(is.audiences, a) {
			return true
		}
	}
	return false
}

// typeMatches compares a "typ" header with the required type as RFC 8725
// suggests: case-insensitive, "application/" optional.
func typeMatches(got, want string) bool {
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.TrimPrefix(s, "application/")
	}
	return norm(got) == norm(want)
}

// publicKeyEqual reports whether two public keys are the same key.
func publicKeyEqual(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
