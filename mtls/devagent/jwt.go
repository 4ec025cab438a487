package devagent

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// jwtSigner signs JWT-SVIDs with one ES256 key whose public half is the
// trust domain's JWT bundle.
type jwtSigner struct {
	kid    string
	key    *ecdsa.PrivateKey
	bundle *jwtbundle.Bundle
}

func newJWTSigner(td spiffeid.TrustDomain) (*jwtSigner, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devagent: JWT signing key: %w", err)
	}
	kidBytes := make([]byte, 8)
	if _, err := rand.Read(kidBytes); err != nil {
		return nil, fmt.Errorf("devagent: JWT key id: %w", err)
	}
	kid := hex.EncodeToString(kidBytes)
	b := jwtbundle.New(td)
	if err := b.AddJWTAuthority(kid, key.Public()); err != nil {
		return nil, fmt.Errorf("devagent: JWT bundle: %w", err)
	}
	return &jwtSigner{kid: kid, key: key, bundle: b}, nil
}

// sign returns a compact ES256 JWT-SVID for id and audience.
func (s *jwtSigner) sign(id spiffeid.ID, audience []string, now time.Time, ttl time.Duration) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "ES256", "kid": s.kid, "typ": "JWT"})
	if err != nil {
		return "", err
	}
	claims, err := json.Marshal(map[string]any{
		"sub": id.String(),
		"aud": audience,
		"iat": now.Unix(),
		"exp": now.Add(ttl).Unix(),
	})
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(signingInput))
	r, sig, err := ecdsa.Sign(rand.Reader, s.key, digest[:])
	if err != nil {
		return "", fmt.Errorf("devagent: signing JWT-SVID: %w", err)
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return signingInput + "." + enc.EncodeToString(raw), nil
}
