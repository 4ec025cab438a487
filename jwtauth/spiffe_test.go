package jwtauth

import (
	"context"
	"crypto"
	"crypto/elliptic"
	"testing"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func spiffeSetup(t *testing.T, cacheSize int) (*Verifier, *jwtbundle.Bundle, any) {
	td := spiffeid.RequireTrustDomainFromString("example.org")
	k := ecKey(t, elliptic.P256())
	b := jwtbundle.FromJWTAuthorities(td, map[string]crypto.PublicKey{"svid-key": publicOf(k)})
	v, err := NewVerifier(context.Background(), Config{
		CacheSize: cacheSize,
		Issuers:   []Issuer{{Audiences: []string{"spiffe://example.org/orders"}, Keys: SPIFFEBundles(jwtbundle.NewSet(b))}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { v.Close() })
	return v, b, k
}

func svidClaims(extra map[string]any) map[string]any {
	c := claimsFor(map[string]any{"iss": nil, "sub": "spiffe://example.org/web", "aud": "spiffe://example.org/orders"})
	for k, v := range extra {
		c[k] = v
	}
	return c
}

func TestSPIFFEBundleVerifiesJWTSVID(t *testing.T) {
	v, _, k := spiffeSetup(t, 0)
	c, err := v.Verify(context.Background(), sign(t, "ES256", "svid-key", k, svidClaims(nil)))
	require.NoError(t, err)
	id, ok := c.SPIFFEID()
	require.True(t, ok)
	assert.Equal(t, "spiffe://example.org/web", id.String())
}

func TestSPIFFEBundleRejections(t *testing.T) {
	v, _, k := spiffeSetup(t, 0)
	ctx := context.Background()
	_, err := v.Verify(ctx, sign(t, "ES256", "svid-key", k, svidClaims(map[string]any{"aud": "spiffe://example.org/billing"})))
	assert.ErrorIs(t, err, ErrAudience)
	_, err = v.Verify(ctx, sign(t, "ES256", "", k, svidClaims(nil)))
	assert.ErrorIs(t, err, ErrUnknownKey, "JWT-SVIDs need a kid")
	_, err = v.Verify(ctx, sign(t, "ES256", "svid-key", k, svidClaims(map[string]any{"sub": "spiffe://other.org/web"})))
	assert.ErrorIs(t, err, ErrUnknownKey, "no bundle for other.org")
	_, err = v.Verify(ctx, sign(t, "ES256", "svid-key", k, svidClaims(map[string]any{"sub": "web"})))
	assert.ErrorIs(t, err, ErrUnknownIssuer, "not a SPIFFE subject, no iss")
	_, err = v.Verify(ctx, sign(t, "ES256", "svid-key", ecKey(t, elliptic.P256()), svidClaims(nil)))
	assert.ErrorIs(t, err, ErrBadSignature)
}

func TestSPIFFECachedTokenInvalidWhenKeyRemoved(t *testing.T) {
	v, b, k := spiffeSetup(t, 8)
	tok := sign(t, "ES256", "svid-key", k, svidClaims(nil))
	_, err := v.Verify(context.Background(), tok)
	require.NoError(t, err)
	_, err = v.Verify(context.Background(), tok)
	require.NoError(t, err)
	b.RemoveJWTAuthority("svid-key")
	_, err = v.Verify(context.Background(), tok)
	assert.ErrorIs(t, err, ErrUnknownKey)
}
