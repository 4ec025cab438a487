package benchmarks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	gjwt "github.com/golang-jwt/jwt/v5"
	jwav2 "github.com/lestrrat-go/jwx/v2/jwa"
	jwtv2 "github.com/lestrrat-go/jwx/v2/jwt"
	"github.com/lestrrat-go/jwx/v3/jwa"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ztkit/ztkit/jwtauth"
)

const (
	jwtIssuer   = "https://issuer.example"
	jwtAudience = "api://orders"
	jwtTokens   = 256 // distinct tokens per algorithm
)

// jwtCase is one algorithm with its key, tokens signed by golang-jwt, and
// each contender's verify function.
type jwtCase struct {
	alg    string
	priv   crypto.Signer
	pub    crypto.PublicKey
	tokens []string
}

func newJWTCase(tb testing.TB, alg string) *jwtCase {
	tb.Helper()
	var priv crypto.Signer
	var method gjwt.SigningMethod
	var err error
	switch alg {
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		method = gjwt.SigningMethodES256
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
		method = gjwt.SigningMethodRS256
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
		method = gjwt.SigningMethodEdDSA
	}
	require.NoError(tb, err)
	c := &jwtCase{alg: alg, priv: priv, pub: priv.Public()}
	now := time.Now()
	for i := range jwtTokens {
		c.tokens = append(c.tokens, c.sign(tb, method, gjwt.MapClaims{
			"iss": jwtIssuer, "sub": fmt.Sprintf("user-%d", i), "aud": jwtAudience,
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
			"scope": "orders:read orders:write", "jti": fmt.Sprintf("id-%d", i),
		}))
	}
	return c
}

func (c *jwtCase) sign(tb testing.TB, method gjwt.SigningMethod, claims gjwt.MapClaims) string {
	t := gjwt.NewWithClaims(method, claims)
	t.Header["kid"] = "k1"
	s, err := t.SignedString(c.priv)
	require.NoError(tb, err)
	return s
}

// rawVerifier checks only the signature: the floor any JWT library pays.
// Decoding happens up front, outside the timed loop.
func (c *jwtCase) rawVerifier(tb testing.TB) func(i int) error {
	type pre struct{ input, sig, digest []byte }
	pres := make([]pre, len(c.tokens))
	for i, tok := range c.tokens {
		dot := strings.LastIndexByte(tok, '.')
		sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		require.NoError(tb, err)
		p := pre{input: []byte(tok[:dot]), sig: sig}
		if c.alg == "ES256" {
			p.sig = ecdsaASN1(sig)
		}
		pres[i] = p
	}
	return func(i int) error {
		p := pres[i%len(pres)]
		var ok bool
		switch k := c.pub.(type) {
		case *ecdsa.PublicKey:
			d := sha256.Sum256(p.input)
			ok = ecdsa.VerifyASN1(k, d[:], p.sig)
		case *rsa.PublicKey:
			d := sha256.Sum256(p.input)
			ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], p.sig) == nil
		case ed25519.PublicKey:
			ok = ed25519.Verify(k, p.input, p.sig)
		}
		if !ok {
			return fmt.Errorf("raw: bad signature")
		}
		return nil
	}
}

func ecdsaASN1(sig []byte) []byte {
	der := []byte{0x30, 0}
	for _, half := range [][]byte{sig[:32], sig[32:]} {
		for len(half) > 1 && half[0] == 0 {
			half = half[1:]
		}
		if half[0]&0x80 != 0 {
			half = append([]byte{0}, half...)
		}
		der = append(der, 0x02, byte(len(half)))
		der = append(der, half...)
	}
	der[1] = byte(len(der) - 2)
	return der
}

func (c *jwtCase) golangJWT() func(tok string) error {
	p := gjwt.NewParser(gjwt.WithValidMethods([]string{c.alg}), gjwt.WithIssuer(jwtIssuer),
		gjwt.WithAudience(jwtAudience), gjwt.WithExpirationRequired(), gjwt.WithLeeway(30*time.Second))
	keyFunc := func(*gjwt.Token) (any, error) { return c.pub, nil }
	return func(tok string) error {
		_, err := p.Parse(tok, keyFunc)
		return err
	}
}

func (c *jwtCase) jwxV3() func(tok string) error {
	var alg jwa.SignatureAlgorithm
	switch c.alg {
	case "ES256":
		alg = jwa.ES256()
	case "RS256":
		alg = jwa.RS256()
	case "EdDSA":
		alg = jwa.EdDSA()
	}
	return func(tok string) error {
		_, err := jwxjwt.Parse([]byte(tok), jwxjwt.WithKey(alg, c.pub), jwxjwt.WithValidate(true),
			jwxjwt.WithIssuer(jwtIssuer), jwxjwt.WithAudience(jwtAudience), jwxjwt.WithAcceptableSkew(30*time.Second))
		return err
	}
}

// jwxV2 is jwx v2, deprecated upstream, for users still on it.
func (c *jwtCase) jwxV2() func(tok string) error {
	alg := jwav2.SignatureAlgorithm(c.alg)
	return func(tok string) error {
		_, err := jwtv2.Parse([]byte(tok), jwtv2.WithKey(alg, c.pub), jwtv2.WithValidate(true),
			jwtv2.WithIssuer(jwtIssuer), jwtv2.WithAudience(jwtAudience), jwtv2.WithAcceptableSkew(30*time.Second))
		return err
	}
}

func (c *jwtCase) ztkit(tb testing.TB, cacheSize int) func(tok string) error {
	v, err := jwtauth.NewVerifier(context.Background(), jwtauth.Config{
		CacheSize: cacheSize,
		Issuers: []jwtauth.Issuer{{
			Issuer: jwtIssuer, Audiences: []string{jwtAudience}, Algorithms: []string{c.alg},
			Keys: jwtauth.StaticKeys(map[string]crypto.PublicKey{"k1": c.pub}),
		}},
	})
	require.NoError(tb, err)
	tb.Cleanup(func() { v.Close() })
	ctx := context.Background()
	return func(tok string) error {
		_, err := v.Verify(ctx, tok)
		return err
	}
}

var jwtAlgorithms = []string{"ES256", "RS256", "EdDSA"}

// TestJWTAuthPairsAgree checks that every contender accepts the same valid
// tokens and rejects the same forged and expired ones.
func TestJWTAuthPairsAgree(t *testing.T) {
	for _, alg := range jwtAlgorithms {
		t.Run(alg, func(t *testing.T) {
			c := newJWTCase(t, alg)
			c.tokens = c.tokens[:4]
			contenders := map[string]func(string) error{
				"golang-jwt": c.golangJWT(), "jwx-v3": c.jwxV3(), "jwx-v2": c.jwxV2(),
				"ztkit": c.ztkit(t, 0), "ztkit-cached": c.ztkit(t, 64),
			}
			raw := c.rawVerifier(t)
			forged := c.tokens[0][:strings.LastIndexByte(c.tokens[0], '.')] + "." + c.tokens[1][strings.LastIndexByte(c.tokens[1], '.')+1:]
			var method gjwt.SigningMethod = gjwt.GetSigningMethod(alg)
			expired := c.sign(t, method, gjwt.MapClaims{"iss": jwtIssuer, "aud": jwtAudience, "exp": time.Now().Add(-time.Hour).Unix()})
			otherAud := c.sign(t, method, gjwt.MapClaims{"iss": jwtIssuer, "aud": "api://other", "exp": time.Now().Add(time.Hour).Unix()})
			for name, verify := range contenders {
				for i, tok := range c.tokens {
					require.NoError(t, raw(i))
					assert.NoError(t, verify(tok), "%s accepts token %d", name, i)
					assert.NoError(t, verify(tok), "%s accepts token %d again", name, i)
				}
				assert.Error(t, verify(forged), "%s rejects a forged token", name)
				assert.Error(t, verify(expired), "%s rejects an expired token", name)
				assert.Error(t, verify(otherAud), "%s rejects another audience", name)
			}
		})
	}
}

func BenchmarkJWTAuth(b *testing.B) {
	for _, alg := range jwtAlgorithms {
		c := newJWTCase(b, alg)
		b.Run(alg+"/raw-signature", func(b *testing.B) {
			raw := c.rawVerifier(b)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := raw(i); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		bench := func(name string, verify func(string) error) {
			b.Run(alg+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if err := verify(c.tokens[i%len(c.tokens)]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		}
		bench("golang-jwt", c.golangJWT())
		bench("jwx-v3", c.jwxV3())
		bench("jwx-v2", c.jwxV2())
		bench("ztkit-unique", c.ztkit(b, 0))
		cached := c.ztkit(b, 2*jwtTokens)
		for _, tok := range c.tokens {
			require.NoError(b, cached(tok))
		}
		bench("ztkit-cached", cached)
	}
}
