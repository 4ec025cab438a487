package jwtauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"strings"
	"testing"
)

func BenchmarkVerifyES256(b *testing.B) {
	k := ecKey(b, elliptic.P256())
	v := staticVerifier(b, map[string]any{"k": k}, nil)
	tok := sign(b, "ES256", "k", k, claimsFor(nil))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawES256(b *testing.B) {
	k := ecKey(b, elliptic.P256())
	tok := sign(b, "ES256", "k", k, claimsFor(nil))
	i := strings.LastIndexByte(tok, '.')
	input := []byte(tok[:i])
	der, _ := ecdsaDER(rawSignature(b, "ES256", k, input), 32)
	b.ReportAllocs()
	for b.Loop() {
		if !ecdsa.VerifyASN1(&k.PublicKey, digest(0, input), der) {
			b.Fatal()
		}
	}
}

func BenchmarkParseToken(b *testing.B) {
	k := ecKey(b, elliptic.P256())
	tok := sign(b, "ES256", "k", k, claimsFor(nil))
	v := staticVerifier(b, map[string]any{"k": k}, nil)
	b.ReportAllocs()
	for b.Loop() {
		t, err := parseToken(v.enc, tok)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := checkClaims(v.issuers[testIssuer], t.claims, v.cfg.now(), v.cfg.ClockSkew); err != nil {
			b.Fatal(err)
		}
	}
}
