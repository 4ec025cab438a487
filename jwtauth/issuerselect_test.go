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

// partnerSetup configures an OIDC-style issuer with static keys next to a
// SPIFFE bundle issuer without Issuer for partner.org.
func partnerSetup(t *testing.T, cacheSize int) (v *Verifier, idp, partner any) {
	idp, partner = ecKey(t, elliptic.P256()), ecKey(t, elliptic.P256())
	td := spiffeid.RequireTrustDomainFromString("partner.org")
	bundles := jwtbundle.NewSet(jwtbundle.FromJWTAuthorities(td, map[string]crypto.PublicKey{"p1": publicOf(partner)}))
	v = mustVerifier(t, Config{CacheSize: cacheSize, Issuers: []Issuer{
		{Issuer: "https://idp.example.com", Audiences: []string{testAudience}, Keys: StaticKeys(map[string]crypto.PublicKey{"i1": publicOf(idp)})},
		{Audiences: []string{testAudience}, Keys: SPIFFEBundles(bundles)},
	}}, nil)
	return v, idp, partner
}

func TestBundleIssuerRefusesTokensThatCarryIss(t *testing.T) {
	for _, cacheSize := range []int{0, 8} {
		v, idp, partner := partnerSetup(t, cacheSize)
		ctx := context.Background()
		partnerClaims := func(iss any) map[string]any {
			return claimsFor(map[string]any{"iss": iss, "sub": "spiffe://partner.org/y"})
		}

		// A partner-signed token naming an issuer below the IdP's URL must
		// not verify: its "iss" would become the issuer half of authz
		// principals such as "https://idp.example.com/*".
		for range 2 { // the second round would be a cache hit
			_, err := v.Verify(ctx, sign(t, "ES256", "p1", partner, partnerClaims("https://idp.example.com/x")))
			assert.ErrorIs(t, err, ErrUnknownIssuer)
		}
		_, err := v.Verify(ctx, sign(t, "ES256", "p1", partner, partnerClaims("https://other.example")))
		assert.ErrorIs(t, err, ErrUnknownIssuer)
		_, err = v.Verify(ctx, sign(t, "ES256", "p1", partner, partnerClaims("")))
		assert.ErrorIs(t, err, ErrUnknownIssuer, `an empty "iss" is not an absent one`)
		_, err = v.Verify(ctx, sign(t, "ES256", "p1", partner, partnerClaims("https://idp.example.com")))
		assert.ErrorIs(t, err, ErrUnknownKey, "naming the IdP exactly selects the IdP's keys, not the bundle")

		// A JWT-SVID without "iss" still verifies with the bundle.
		c, err := v.Verify(ctx, sign(t, "ES256", "p1", partner, partnerClaims(nil)))
		require.NoError(t, err)
		assert.Empty(t, c.Issuer())
		id, ok := c.SPIFFEID()
		assert.True(t, ok)
		assert.Equal(t, "spiffe://partner.org/y", id.String())

		// The IdP's own tokens are unaffected.
		c, err = v.Verify(ctx, sign(t, "ES256", "i1", idp, claimsFor(map[string]any{"iss": "https://idp.example.com"})))
		require.NoError(t, err)
		assert.Equal(t, "https://idp.example.com", c.Issuer())
	}
}

func TestBundleIssuerWithConfiguredIss(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	td := spiffeid.RequireTrustDomainFromString("partner.org")
	bundles := jwtbundle.NewSet(jwtbundle.FromJWTAuthorities(td, map[string]crypto.PublicKey{"p1": publicOf(k)}))
	const spire = "https://spire.partner.org"
	v := mustVerifier(t, Config{Issuers: []Issuer{
		{Issuer: spire, Audiences: []string{testAudience}, Keys: SPIFFEBundles(bundles)},
	}}, nil)
	ctx := context.Background()
	claims := func(iss any) map[string]any {
		return claimsFor(map[string]any{"iss": iss, "sub": "spiffe://partner.org/y"})
	}

	c, err := v.Verify(ctx, sign(t, "ES256", "p1", k, claims(spire)))
	require.NoError(t, err)
	assert.Equal(t, spire, c.Issuer())
	_, ok := c.SPIFFEID()
	assert.True(t, ok)

	_, err = v.Verify(ctx, sign(t, "ES256", "p1", k, claims(nil)))
	assert.ErrorIs(t, err, ErrUnknownIssuer, "no issuer without Issuer is configured")
	_, err = v.Verify(ctx, sign(t, "ES256", "p1", k, claims(spire+"/x")))
	assert.ErrorIs(t, err, ErrUnknownIssuer)
}

func TestSPIFFEIDOnlyForBundleVerifiedTokens(t *testing.T) {
	k := ecKey(t, elliptic.P256())
	v := staticVerifier(t, map[string]any{"k": k}, nil)
	c, err := v.Verify(context.Background(), sign(t, "ES256", "k", k, claimsFor(map[string]any{"sub": "spiffe://example.org/web"})))
	require.NoError(t, err)
	assert.Equal(t, "spiffe://example.org/web", c.Subject())
	_, ok := c.SPIFFEID()
	assert.False(t, ok, "an OIDC token's SPIFFE-looking subject is not a workload identity")

	_, ok = NewClaims(map[string]any{"sub": "spiffe://example.org/web"}).SPIFFEID()
	assert.False(t, ok, "NewClaims never makes a JWT-SVID")

	sv, _, sk := spiffeSetup(t, 0)
	c, err = sv.Verify(context.Background(), sign(t, "ES256", "svid-key", sk, svidClaims(nil)))
	require.NoError(t, err)
	id, ok := c.SPIFFEID()
	require.True(t, ok)
	assert.Equal(t, "spiffe://example.org/web", id.String())
}
