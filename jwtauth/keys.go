package jwtauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// minRSABits is the smallest RSA modulus accepted for signature keys.
const minRSABits = 2048

// verifyKey is one public key that an issuer signs with.
type verifyKey struct {
	kid string
	alg string // the JWK "alg", if the key set pinned one
	pub crypto.PublicKey
}

// keySet is an immutable set of an issuer's keys, replaced whole on refresh.
type keySet struct {
	byKID       map[string][]*verifyKey
	count       int
	only        *verifyKey // the single key, when the set has exactly one
	fingerprint string
}

func newKeySet(keys []*verifyKey) (*keySet, error) {
	ks := &keySet{byKID: make(map[string][]*verifyKey, len(keys)), count: len(keys)}
	fps := make([]string, 0, len(keys))
	for _, k := range keys {
		if err := checkPublicKey(k.pub); err != nil {
			return nil, fmt.Errorf("key %s: %w", quote(k.kid), err)
		}
		der, err := x509.MarshalPKIXPublicKey(k.pub)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", quote(k.kid), err)
		}
		ks.byKID[k.kid] = append(ks.byKID[k.kid], k)
		fps = append(fps, k.kid+"\x00"+k.alg+"\x00"+string(der))
	}
	if len(keys) == 1 {
		ks.only = keys[0]
	}
	slices.Sort(fps)
	ks.fingerprint = strings.Join(fps, "\x01")
	return ks, nil
}

// maxKeyCandidates bounds how many keys one token's signature is checked
// against, so that a key set with many keys under one kid (or without kids)
// cannot multiply the cost of a bad token.
const maxKeyCandidates = 4

// candidates appends to dst (up to maxKeyCandidates) the keys for kid that
// fit a. A token without "kid" gets every key stored without one, or else
// the set's only key.
func (ks *keySet) candidates(dst []crypto.PublicKey, kid string, a algorithm) []crypto.PublicKey {
	if ks == nil {
		return dst
	}
	for _, k := range ks.byKID[kid] {
		if len(dst) == maxKeyCandidates {
			return dst
		}
		if k.usableFor(a) {
			dst = append(dst, k.pub)
		}
	}
	if len(dst) == 0 && kid == "" && ks.only != nil && ks.only.usableFor(a) {
		dst = append(dst, ks.only.pub)
	}
	return dst
}

func (k *verifyKey) usableFor(a algorithm) bool {
	return (k.alg == "" || k.alg == a.name) && a.fits(k.pub)
}

// checkPublicKey accepts only public signature keys of supported types.
func checkPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil || k.N.BitLen() < minRSABits {
			return fmt.Errorf("RSA key shorter than %d bits", minRSABits)
		}
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return errors.New("empty ECDSA key")
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return fmt.Errorf("unsupported curve %s", k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return errors.New("Ed25519 key of wrong length")
		}
	case nil:
		return errors.New("no key")
	default:
		return fmt.Errorf("unsupported key type %T (want *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey)", pub)
	}
	return nil
}

// parseJWKS reads a JWK Set. Keys for encryption, symmetric keys and key
// types ztkit cannot verify with are skipped; private key material anywhere
// in the set refuses the whole set.
func parseJWKS(data []byte) (*keySet, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("not a valid JWK set: %w", err)
	}
	var keys []*verifyKey
	for i := range set.Len() {
		key, ok := set.Key(i)
		if !ok {
			continue
		}
		kid, _ := key.KeyID()
		if priv, err := jwk.IsPrivateKey(key); err == nil && priv {
			return nil, fmt.Errorf("key %s holds private key material; refusing the set", quote(kid))
		}
		if use, ok := key.KeyUsage(); ok && use != "sig" {
			continue
		}
		if ops, ok := key.KeyOps(); ok && !slices.Contains(ops, jwk.KeyOpVerify) {
			continue
		}
		var raw any
		if err := jwk.Export(key, &raw); err != nil {
			continue
		}
		if checkPublicKey(raw) != nil {
			continue
		}
		vk := &verifyKey{kid: kid, pub: raw}
		if alg, ok := key.Algorithm(); ok {
			vk.alg = alg.String()
		}
		keys = append(keys, vk)
	}
	if len(keys) == 0 {
		return nil, errors.New("JWK set has no usable signature keys")
	}
	return newKeySet(keys)
}

// staticKeySet builds a key set from keys by kid; the empty kid is the key
// for tokens that carry none.
func staticKeySet(m map[string]crypto.PublicKey) (*keySet, error) {
	if len(m) == 0 {
		return nil, errors.New("no keys")
	}
	keys := make([]*verifyKey, 0, len(m))
	for kid, pub := range m {
		keys = append(keys, &verifyKey{kid: kid, pub: pub})
	}
	return newKeySet(keys)
}
