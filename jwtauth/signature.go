package jwtauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"
)

type keyKind uint8

const (
	kindRSA keyKind = iota + 1
	kindEC
	kindEd25519
	kindHMAC
)

// algorithm is one JWS "alg" that ztkit verifies.
type algorithm struct {
	name  string
	kind  keyKind
	hash  crypto.Hash
	pss   bool
	curve elliptic.Curve
}

// defaultAlgorithms are the asymmetric algorithms accepted when an issuer
// pins none.
func defaultAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// lookupAlgorithm returns the algorithm named exactly name. "none" in any
// case is never an algorithm.
func lookupAlgorithm(name string) (algorithm, bool) {
	a := algorithm{name: name}
	switch name {
	case "RS256", "RS384", "RS512":
		a.kind = kindRSA
	case "PS256", "PS384", "PS512":
		a.kind, a.pss = kindRSA, true
	case "ES256":
		a.kind, a.curve = kindEC, elliptic.P256()
	case "ES384":
		a.kind, a.curve = kindEC, elliptic.P384()
	case "ES512":
		a.kind, a.curve = kindEC, elliptic.P521()
	case "EdDSA":
		a.kind = kindEd25519
		return a, true
	case "HS256", "HS384", "HS512":
		a.kind = kindHMAC
	default:
		return algorithm{}, false
	}
	switch name[2:] {
	case "256":
		a.hash = crypto.SHA256
	case "384":
		a.hash = crypto.SHA384
	case "512":
		a.hash = crypto.SHA512
	}
	return a, true
}

func isNone(alg string) bool { return strings.EqualFold(alg, "none") }

// fits reports whether pub is a key of the kind (and curve) that a needs.
func (a algorithm) fits(pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return a.kind == kindRSA
	case *ecdsa.PublicKey:
		return a.kind == kindEC && k.Curve == a.curve
	case ed25519.PublicKey:
		return a.kind == kindEd25519 && len(k) == ed25519.PublicKeySize
	}
	return false
}

func digest(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return d[:]
	default:
		d := sha256.Sum256(msg)
		return d[:]
	}
}

// verifySignature checks sig over msg with an asymmetric key that fits a.
func verifySignature(a algorithm, pub crypto.PublicKey, msg, sig []byte) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if a.pss {
			opts := rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}
			return rsa.VerifyPSS(k, a.hash, digest(a.hash, msg), sig, &opts) == nil
		}
		return rsa.VerifyPKCS1v15(k, a.hash, digest(a.hash, msg), sig) == nil
	case *ecdsa.PublicKey:
		der, ok := ecdsaDER(sig, (a.curve.Params().BitSize+7)/8)
		return ok && ecdsa.VerifyASN1(k, digest(a.hash, msg), der)
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k, msg, sig)
	}
	return false
}

// verifyHMAC checks a MAC in constant time.
func verifyHMAC(a algorithm, secret, msg, sig []byte) bool {
	var newHash func() hash.Hash
	switch a.hash {
	case crypto.SHA384:
		newHash = sha512.New384
	case crypto.SHA512:
		newHash = sha512.New
	default:
		newHash = sha256.New
	}
	m := hmac.New(newHash, secret)
	m.Write(msg)
	return hmac.Equal(m.Sum(nil), sig)
}

// ecdsaDER converts a JWS ECDSA signature (r || s, each exactly size bytes)
// to ASN.1 DER. A wrong length or a zero r or s is refused here, before any
// curve arithmetic.
func ecdsaDER(sig []byte, size int) ([]byte, bool) {
	if len(sig) != 2*size {
		return nil, false
	}
	r, s := trimZeros(sig[:size]), trimZeros(sig[size:])
	if len(r) == 0 || len(s) == 0 {
		return nil, false
	}
	der := make([]byte, 0, 2*size+12)
	body := derIntLen(r) + derIntLen(s)
	der = append(der, 0x30)
	der = appendDERLen(der, body)
	der = appendDERInt(der, r)
	der = appendDERInt(der, s)
	return der, true
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func derIntLen(v []byte) int {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++
	}
	return 2 + n // tag, one length byte (n < 128 for all supported curves)
}

func appendDERLen(der []byte, n int) []byte {
	if n < 0x80 {
		return append(der, byte(n))
	}
	return append(der, 0x81, byte(n))
}

func appendDERInt(der, v []byte) []byte {
	pad := v[0]&0x80 != 0
	n := len(v)
	if pad {
		n++
	}
	der = append(der, 0x02, byte(n))
	if pad {
		der = append(der, 0)
	}
	return append(der, v...)
}
