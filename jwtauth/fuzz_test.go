package jwtauth

import (
	"context"
	"crypto"
	"strings"
	"testing"
)

// FuzzVerify feeds mutated tokens to Verify: it must never panic, and a
// mutation must never verify (the accepted token is the seed itself).
func FuzzVerify(f *testing.F) {
	ed := edKey(f)
	secret := []byte(strings.Repeat("k", 32))
	v := mustVerifier(f, Config{Issuers: []Issuer{
		{Issuer: testIssuer, Audiences: []string{testAudience}, Keys: StaticKeys(map[string]crypto.PublicKey{"ed": publicOf(ed)})},
		{Issuer: "https://hs.example", Audiences: []string{testAudience}, Secret: secret},
	}}, nil)
	valid := map[string]bool{}
	for _, tok := range []string{
		sign(f, "EdDSA", "ed", ed, claimsFor(nil)),
		sign(f, "HS256", "", secret, claimsFor(map[string]any{"iss": "https://hs.example"})),
	} {
		valid[tok] = true
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := v.Verify(context.Background(), tok)
		if err == nil && !valid[tok] {
			t.Fatalf("a mutated token verified: %q (sub %q)", tok, c.Subject())
		}
		if err != nil && c != nil {
			t.Fatal("claims returned with an error")
		}
	})
}
