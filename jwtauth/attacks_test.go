package jwtauth

import (
	"context"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attackSetup is a verifier for testIssuer with one EC and one RSA key.
func attackSetup(t *testing.T) (*Verifier, map[string]any) {
	keys := map[string]any{"ec": ecKey(t, elliptic.P256()), "rsa": rsaKey(t, 0)}
	return staticVerifier(t, keys, nil), keys
}

func verifyErr(t *testing.T, v *Verifier, token string) error {
	t.Helper()
	c, err := v.Verify(context.Background(), token)
	assert.Nil(t, c)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), token, "errors never carry the token")
	return err
}

func TestAttackAlgNoneAnyCase(t *testing.T) {
	v, keys := attackSetup(t)
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		h := b64(mustJSON(t, map[string]any{"alg": alg, "kid": "ec"}))
		p := b64(mustJSON(t, claimsFor(nil)))
		assert.ErrorIs(t, verifyErr(t, v, h+"."+p+"."), ErrBadSignature, alg+" without signature")
		assert.ErrorIs(t, verifyErr(t, v, h+"."+p+"."+b64([]byte("sig"))), ErrAlgorithm, alg)
	}
	// A correctly ES256-signed token claiming "none" is refused too.
	tok := signRaw(t, "ES256", keys["ec"], []byte(`{"alg":"none","kid":"ec"}`), mustJSON(t, claimsFor(nil)))
	assert.ErrorIs(t, verifyErr(t, v, tok), ErrAlgorithm)
}

func TestAttackHS256SignedWithPublicKey(t *testing.T) {
	v, keys := attackSetup(t)
	for _, kid := range []string{"ec", "rsa"} {
		der, err := x509.MarshalPKIXPublicKey(publicOf(keys[kid]))
		require.NoError(t, err)
		pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		for _, secret := range [][]byte{der, pemKey} {
			tok := sign(t, "HS256", kid, secret, claimsFor(nil))
			assert.ErrorIs(t, verifyErr(t, v, tok), ErrAlgorithm, kid)
		}
	}
}

func TestAttackAlgorithmNotPinned(t *testing.T) {
	rsa := rsaKey(t, 1)
	v := staticVerifier(t, map[string]any{"rsa": rsa}, func(c *Config) { c.Issuers[0].Algorithms = []string{"PS256"} })
	err := verifyErr(t, v, sign(t, "RS256", "rsa", rsa, claimsFor(nil)))
	assert.ErrorIs(t, err, ErrAlgorithm)
	tok := signHeader(t, "RS256", rsa, map[string]any{"alg": "ES256K", "kid": "rsa"}, claimsFor(nil))
	assert.ErrorIs(t, verifyErr(t, v, tok), ErrAlgorithm)
}

func TestAttackKidPointingElsewhere(t *testing.T) {
	v, keys := attackSetup(t)
	other := ecKey(t, elliptic.P256())
	// The kid of a key this issuer does not have, signed by that other key.
	for _, kid := range []string{"other", "../../ec", "https://attacker.example/jwks#ec", "ec\x00"} {
		err := verifyErr(t, v, sign(t, "ES256", kid, other, claimsFor(nil)))
		assert.ErrorIs(t, err, ErrUnknownKey, kid)
	}
	// The issuer's own kid with a foreign signature.
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", other, claimsFor(nil))), ErrBadSignature)
	// The RSA kid for an ES256 token.
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "rsa", keys["ec"], claimsFor(nil))), ErrUnknownKey)
}

func TestAttackHeaderKeyURLsNeverFollowed(t *testing.T) {
	var hits atomic.Int32
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
	}))
	defer attacker.Close()
	v, _ := attackSetup(t)
	evil := ecKey(t, elliptic.P256())
	evilJWK := map[string]any{"kty": "EC", "crv": "P-256", "x": b64Coord(evil.X), "y": b64Coord(evil.Y)}
	der, err := x509.MarshalPKIXPublicKey(&evil.PublicKey)
	require.NoError(t, err)
	headers := map[string]map[string]any{
		"jku":         {"alg": "ES256", "kid": "evil", "jku": attacker.URL + "/jwks"},
		"x5u":         {"alg": "ES256", "kid": "evil", "x5u": attacker.URL + "/cert"},
		"jwk":         {"alg": "ES256", "jwk": evilJWK},
		"jwk+kid":     {"alg": "ES256", "kid": "ec", "jwk": evilJWK},
		"x5c":         {"alg": "ES256", "x5c": []string{b64(der)}},
		"jku+own kid": {"alg": "ES256", "kid": "ec", "jku": attacker.URL + "/jwks"},
	}
	for name, h := range headers {
		err := verifyErr(t, v, signHeader(t, "ES256", evil, h, claimsFor(nil)))
		assert.True(t, errorsIsAny(err, ErrUnknownKey, ErrBadSignature), "%s: %v", name, err)
	}
	assert.Zero(t, hits.Load(), "no request may reach a URL named in a token")
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func TestAttackUnsupportedCrit(t *testing.T) {
	v, keys := attackSetup(t)
	for _, crit := range []any{[]string{"b64"}, []string{}, "exp"} {
		h := map[string]any{"alg": "ES256", "kid": "ec", "crit": crit, "b64": false}
		assert.ErrorIs(t, verifyErr(t, v, signHeader(t, "ES256", keys["ec"], h, claimsFor(nil))), ErrMalformed)
	}
}

func TestAttackExpired(t *testing.T) {
	v, keys := attackSetup(t)
	now := time.Now().Unix()
	err := verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"exp": now - 120})))
	assert.ErrorIs(t, err, ErrExpired)
	assert.Regexp(t, `^jwtauth: token expired 2m[01]s ago$`, err.Error())
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"exp": nil}))), ErrMalformed, "exp is required")
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"exp": "soon"}))), ErrMalformed)
}

func TestAttackNotBeforeInFuture(t *testing.T) {
	v, keys := attackSetup(t)
	now := time.Now().Unix()
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"nbf": now + 120}))), ErrNotYetValid)
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"iat": now + 120}))), ErrNotYetValid)
}

func TestAttackWrongIssuer(t *testing.T) {
	v, keys := attackSetup(t)
	for _, iss := range []any{"https://evil.example", "https://issuer.example/", nil} {
		err := verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"iss": iss})))
		assert.ErrorIs(t, err, ErrUnknownIssuer, "%v", iss)
	}
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"iss": 7}))), ErrMalformed)
}

func TestAttackWrongOrMissingAudience(t *testing.T) {
	v, keys := attackSetup(t)
	for _, aud := range []any{"api://other", []string{"a", "b"}, []string{}, nil} {
		err := verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"aud": aud})))
		assert.ErrorIs(t, err, ErrAudience, "%v", aud)
	}
	assert.ErrorIs(t, verifyErr(t, v, sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"aud": []any{testAudience, 1}}))), ErrMalformed)
}

func TestAttackOversizeToken(t *testing.T) {
	v, keys := attackSetup(t)
	tok := sign(t, "ES256", "ec", keys["ec"], claimsFor(map[string]any{"pad": strings.Repeat("x", 9000)}))
	err := verifyErr(t, v, tok)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "above the limit of 8192")
}

func TestAttackBadBase64(t *testing.T) {
	v, keys := attackSetup(t)
	good := sign(t, "ES256", "ec", keys["ec"], claimsFor(nil))
	parts := strings.Split(good, ".")
	for name, tok := range map[string]string{
		"padding":       parts[0] + "==." + parts[1] + "." + parts[2],
		"std alphabet":  strings.ReplaceAll(strings.ReplaceAll(good, "-", "+"), "_", "/") + "+/",
		"newline":       parts[0] + "." + parts[1] + "." + parts[2][:10] + "\n" + parts[2][10:],
		"space":         parts[0] + " ." + parts[1] + "." + parts[2],
		"bad length":    parts[0] + "." + parts[1] + "A." + parts[2],
		"four parts":    good + ".x",
		"empty header":  "." + parts[1] + "." + parts[2],
		"empty payload": parts[0] + ".." + parts[2],
	} {
		assert.ErrorIs(t, verifyErr(t, v, tok), ErrMalformed, name)
	}
}

func TestAttackBadJSON(t *testing.T) {
	v, keys := attackSetup(t)
	h := []byte(`{"alg":"ES256","kid":"ec"}`)
	for name, tc := range map[string][2]string{
		"header not JSON":     {`{"alg":"ES256",`, `{"exp":1}`},
		"header array":        {`["ES256"]`, `{"exp":1}`},
		"claims not JSON":     {string(h), `{"exp":`},
		"claims string":       {string(h), `"claims"`},
		"trailing data":       {string(h), `{"iss":"https://issuer.example"} {}`},
		"invalid utf-8":       {string(h), "{\"sub\":\"\xff\"}"},
		"control character":   {string(h), "{\"sub\":\"a\x01\"}"},
		"number out of range": {string(h), `{"exp":1e999}`},
	} {
		tok := signRaw(t, "ES256", keys["ec"], []byte(tc[0]), []byte(tc[1]))
		assert.ErrorIs(t, verifyErr(t, v, tok), ErrMalformed, name)
	}
}

func TestAttackEmptyOrStrippedSignature(t *testing.T) {
	v, keys := attackSetup(t)
	good := sign(t, "ES256", "ec", keys["ec"], claimsFor(nil))
	i := strings.LastIndexByte(good, '.')
	assert.ErrorIs(t, verifyErr(t, v, good[:i+1]), ErrBadSignature, "empty signature")
	assert.ErrorIs(t, verifyErr(t, v, good[:i]), ErrMalformed, "signature part stripped")
	assert.ErrorIs(t, verifyErr(t, v, good[:i+1]+"AAAA"), ErrBadSignature, "short signature")
}

func TestAttackECDSAZeroSignature(t *testing.T) {
	v, keys := attackSetup(t)
	good := sign(t, "ES256", "ec", keys["ec"], claimsFor(nil))
	i := strings.LastIndexByte(good, '.')
	sig := rawSignature(t, "ES256", keys["ec"], []byte(good[:i]))
	zero := make([]byte, 32)
	for name, s := range map[string][]byte{
		"r=0":         append(append([]byte{}, zero...), sig[32:]...),
		"s=0":         append(append([]byte{}, sig[:32]...), zero...),
		"r=s=0":       make([]byte, 64),
		"too long":    append(append([]byte{}, sig...), 0),
		"DER encoded": mustDER(t, sig),
	} {
		assert.ErrorIs(t, verifyErr(t, v, good[:i+1]+b64(s)), ErrBadSignature, name)
	}
}

func mustDER(t *testing.T, sig []byte) []byte {
	der, ok := ecdsaDER(sig, 32)
	require.True(t, ok)
	return der
}

func TestAttackDuplicateClaimKeys(t *testing.T) {
	v, keys := attackSetup(t)
	exp := time.Now().Add(time.Minute).Unix()
	h := []byte(`{"alg":"ES256","kid":"ec"}`)
	for name, tc := range map[string][2]string{
		"duplicate sub":        {string(h), `{"iss":"https://issuer.example","aud":"api://orders","exp":EXP,"sub":"alice","sub":"admin"}`},
		"duplicate via escape": {string(h), `{"iss":"https://issuer.example","aud":"api://orders","exp":EXP,"sub":"alice","s\u0075b":"admin"}`},
		"duplicate aud":        {string(h), `{"iss":"https://issuer.example","aud":"api://orders","aud":"api://admin","exp":EXP}`},
		"duplicate nested":     {string(h), `{"iss":"https://issuer.example","aud":"api://orders","exp":EXP,"act":{"sub":"a","sub":"b"}}`},
		"duplicate header alg": {`{"alg":"ES256","alg":"none","kid":"ec"}`, `{"iss":"https://issuer.example","aud":"api://orders","exp":EXP}`},
	} {
		claims := strings.ReplaceAll(tc[1], "EXP", strconv.FormatInt(exp, 10))
		tok := signRaw(t, "ES256", keys["ec"], []byte(tc[0]), []byte(claims))
		err := verifyErr(t, v, tok)
		assert.ErrorIs(t, err, ErrMalformed, name)
		assert.Contains(t, err.Error(), "duplicate key", name)
	}
}
