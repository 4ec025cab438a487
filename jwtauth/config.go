package jwtauth

import (
	"crypto"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
)

// Defaults for the zero values in Config.
const (
	DefaultClockSkew          = 30 * time.Second
	DefaultMaxTokenSize       = 8 << 10
	DefaultMaxKeySetSize      = 1 << 20
	DefaultFetchTimeout       = 10 * time.Second
	DefaultRefreshMin         = 5 * time.Minute
	DefaultRefreshMax         = time.Hour
	DefaultUnknownKeyInterval = time.Minute
	// MaxClockSkew bounds Config.ClockSkew.
	MaxClockSkew = 5 * time.Minute
)

// Config configures a Verifier. The zero value of every field except Issuers
// is the secure default.
type Config struct {
	// Issuers are the token issuers to trust; at least one.
	Issuers []Issuer
	// ClockSkew is the leeway for exp, nbf and iat (default 30s, at most
	// MaxClockSkew).
	ClockSkew time.Duration
	// MaxTokenSize is the largest token accepted, checked before any
	// parsing (default 8 KiB).
	MaxTokenSize int
	// CacheSize enables a cache of that many verified tokens (0: none).
	// Entries never outlive their exp and are flushed when keys change.
	CacheSize int
	// Logger receives security events (nil: none).
	Logger *slog.Logger

	// HTTPClient fetches remote keys (nil: a client with the default
	// transport). Redirects are followed only to URLs the HTTPS rule allows.
	HTTPClient *http.Client
	// AllowLoopbackHTTP permits http:// key URLs whose host is a loopback
	// address, for tests. Any other key URL must be https://.
	AllowLoopbackHTTP bool
	// MaxKeySetSize bounds a JWKS or discovery response (default 1 MiB).
	MaxKeySetSize int64
	// FetchTimeout bounds one key fetch (default 10s).
	FetchTimeout time.Duration
	// RefreshMin and RefreshMax bound the background refresh interval,
	// which otherwise follows the response's Cache-Control max-age
	// (defaults 5m and 1h).
	RefreshMin, RefreshMax time.Duration
	// UnknownKeyInterval is how often a token with an unknown kid may
	// trigger a refetch of its issuer's keys (default 1m).
	UnknownKeyInterval time.Duration
	// StartWithoutKeys lets NewVerifier return while remote keys are still
	// unavailable; tokens from such an issuer are rejected until its keys
	// arrive. By default NewVerifier fails if the first fetch fails.
	StartWithoutKeys bool

	// now is the clock; nil is time.Now.
	now func() time.Time
}

// Issuer is one trusted token issuer.
type Issuer struct {
	// Issuer is the exact "iss" value; a token that carries "iss" is
	// verified only by the issuer configured with exactly that value.
	// Issuer may be empty only with SPIFFEBundles: that issuer then accepts
	// only JWT-SVIDs without an "iss" claim (as SPIRE issues them by
	// default), the subject's trust domain picking the bundle. For SPIRE
	// configured with a jwt_issuer, set Issuer to that value together with
	// SPIFFEBundles.
	Issuer string
	// Audiences are accepted "aud" values; at least one is required and a
	// token must name one of them.
	Audiences []string
	// Keys is where the issuer's public keys come from. Leave it zero when
	// Secret is set.
	Keys KeySource
	// Algorithms pins the accepted "alg" values (default: RS*, PS*, ES*,
	// EdDSA; with Secret: HS256). HS* requires Secret; Secret allows only HS*.
	Algorithms []string
	// Secret is a shared HMAC key, at least as long as the hash output, for
	// an issuer that signs with HS*.
	Secret []byte
	// RequiredClaims must be present in every token of this issuer.
	RequiredClaims []string
	// Type, if set, is the required "typ" header (for example "at+jwt");
	// compared case-insensitively, with an optional "application/" prefix.
	Type string
}

type keySourceKind uint8

const (
	keysNone keySourceKind = iota
	keysJWKSURL
	keysDiscovery
	keysStatic
	keysSPIFFE
)

// KeySource says where an issuer's public keys come from. Make one with
// JWKSURL, OIDCDiscovery, StaticJWKS, StaticKeys or SPIFFEBundles.
type KeySource struct {
	kind    keySourceKind
	url     string
	jwks    []byte
	keys    map[string]crypto.PublicKey
	bundles jwtbundle.Source
}

// JWKSURL fetches the issuer's JWK Set from url (https) and keeps it fresh.
func JWKSURL(url string) KeySource { return KeySource{kind: keysJWKSURL, url: url} }

// OIDCDiscovery finds the JWK Set through the issuer's
// /.well-known/openid-configuration, whose "issuer" must equal the
// configured issuer, and keeps it fresh.
func OIDCDiscovery() KeySource { return KeySource{kind: keysDiscovery} }

// StaticJWKS uses a fixed JWK Set given as JSON.
func StaticJWKS(jwks []byte) KeySource {
	return KeySource{kind: keysStatic, jwks: append([]byte(nil), jwks...)}
}

// StaticKeys uses fixed public keys by kid (*rsa.PublicKey,
// *ecdsa.PublicKey or ed25519.PublicKey). The key under "" verifies tokens
// without a kid.
func StaticKeys(keys map[string]crypto.PublicKey) KeySource {
	m := make(map[string]crypto.PublicKey, len(keys))
	for k, v := range keys {
		m[k] = v
	}
	return KeySource{kind: keysStatic, keys: m}
}

// SPIFFEBundles verifies JWT-SVIDs with the JWT bundle of the subject's
// trust domain from src (a workloadapi.JWTSource, a jwtbundle.Set, ...).
// The subject must be a SPIFFE ID and the token must carry a kid. Only
// claims verified this way report a SPIFFE ID (Claims.SPIFFEID).
func SPIFFEBundles(src jwtbundle.Source) KeySource {
	return KeySource{kind: keysSPIFFE, bundles: src}
}

func (c *Config) withDefaults() Config {
	d := *c
	setDefault(&d.ClockSkew, DefaultClockSkew)
	setDefault(&d.MaxTokenSize, DefaultMaxTokenSize)
	setDefault(&d.MaxKeySetSize, DefaultMaxKeySetSize)
	setDefault(&d.FetchTimeout, DefaultFetchTimeout)
	setDefault(&d.RefreshMin, DefaultRefreshMin)
	setDefault(&d.RefreshMax, DefaultRefreshMax)
	setDefault(&d.UnknownKeyInterval, DefaultUnknownKeyInterval)
	if d.RefreshMin > d.RefreshMax {
		d.RefreshMin = d.RefreshMax
	}
	if d.now == nil {
		d.now = time.Now
	}
	return d
}

func setDefault[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}

// validate returns every problem in the settings other than Issuers, each
// naming its field.
func (c *Config) validate() []error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("jwtauth: %s: "+format, append([]any{field}, args...)...))
	}
	if len(c.Issuers) == 0 {
		bad("Issuers", "at least one issuer is required")
	}
	if c.ClockSkew < 0 || c.ClockSkew > MaxClockSkew {
		bad("ClockSkew", "%v is outside 0..%v", c.ClockSkew, MaxClockSkew)
	}
	for name, v := range map[string]int64{
		"MaxTokenSize": int64(c.MaxTokenSize), "CacheSize": int64(c.CacheSize), "MaxKeySetSize": c.MaxKeySetSize,
		"FetchTimeout": int64(c.FetchTimeout), "RefreshMin": int64(c.RefreshMin), "RefreshMax": int64(c.RefreshMax),
		"UnknownKeyInterval": int64(c.UnknownKeyInterval),
	} {
		if v < 0 {
			bad(name, "must not be negative")
		}
	}
	if c.RefreshMin > 0 && c.RefreshMax > 0 && c.RefreshMin > c.RefreshMax {
		bad("RefreshMin", "%v is above RefreshMax %v", c.RefreshMin, c.RefreshMax)
	}
	return errs
}
