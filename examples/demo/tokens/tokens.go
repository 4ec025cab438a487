// Package tokens is the demo's development token service: an OpenID
// Connect style issuer that signs ES256 access tokens for a few demo users
// and publishes its keys as a JWKS with discovery, over TLS on 127.0.0.1.
// It authenticates nobody and exists only so that the demo needs nothing
// but Go; a real service points jwtauth at its real identity provider.
package tokens

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ztkit/ztkit/examples/demo/internal/devcert"
)

// User is a demo user and the scopes its tokens carry.
type User struct {
	Name   string
	Scopes []string
}

// Users are the demo's users: alice may place orders, bob may only read.
var Users = []User{
	{Name: "alice", Scopes: []string{"orders:read", "orders:write"}},
	{Name: "bob", Scopes: []string{"orders:read"}},
}

// Service is a running token service.
type Service struct {
	Audience string

	key  *ecdsa.PrivateKey
	kid  string
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
	cert *devcert.Cert
}

// Start serves discovery and JWKS on 127.0.0.1 over TLS, with a
// self-signed certificate that RootCAs trusts. Tokens are for audience.
func Start(audience string) (*Service, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	point, err := key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		return nil, err
	}
	kidBytes := sha256.Sum256(point)
	s := &Service{Audience: audience, key: key, kid: hex.EncodeToString(kidBytes[:8]), done: make(chan struct{})}
	cert, err := devcert.New("ztkit demo token service")
	if err != nil {
		return nil, err
	}
	s.cert = cert
	s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks.json", s.jwks)
	mux.HandleFunc("POST /token", s.token)
	s.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		TLSConfig:         cert.ServerConfig(),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.ServeTLS(s.ln, "", "")
	}()
	return s, nil
}

// Issuer is the issuer URL; discovery lives below it.
func (s *Service) Issuer() string { return "https://" + s.ln.Addr().String() }

// RootCAs trusts the service's TLS certificate.
func (s *Service) RootCAs() *x509.CertPool { return s.cert.Pool }

// CACertPEM is the service's TLS certificate, for curl --cacert.
func (s *Service) CACertPEM() []byte { return s.cert.PEM }

// Close stops the service.
func (s *Service) Close() error {
	err := s.srv.Shutdown(context.Background())
	<-s.done
	return err
}

// Token issues a token for a demo user valid for ttl (negative for an
// already expired one).
func (s *Service) Token(user string, ttl time.Duration) (string, error) {
	for _, u := range Users {
		if u.Name == user {
			return s.sign(s.key, s.kid, u, time.Now(), ttl)
		}
	}
	return "", fmt.Errorf("tokens: no demo user %q", user)
}

// Forged returns a token that claims to come from this issuer, with this
// service's key id, but is signed by a key the service never published.
func (s *Service) Forged(user string) (string, error) {
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	for _, u := range Users {
		if u.Name == user {
			return s.sign(other, s.kid, u, time.Now(), 5*time.Minute)
		}
	}
	return "", fmt.Errorf("tokens: no demo user %q", user)
}

func (s *Service) sign(key *ecdsa.PrivateKey, kid string, u User, now time.Time, ttl time.Duration) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": kid, "typ": "at+jwt"})
	claims, _ := json.Marshal(map[string]any{
		"iss":   s.Issuer(),
		"sub":   u.Name,
		"aud":   s.Audience,
		"scope": strings.Join(u.Scopes, " "),
		"iat":   now.Unix(),
		"nbf":   now.Add(-time.Minute).Unix(),
		"exp":   now.Add(ttl).Unix(),
	})
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	digest := sha256.Sum256([]byte(input))
	r, sig, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	sig.FillBytes(raw[32:])
	return input + "." + enc.EncodeToString(raw), nil
}

func (s *Service) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                s.Issuer(),
		"jwks_uri":                              s.Issuer() + "/jwks.json",
		"token_endpoint":                        s.Issuer() + "/token",
		"id_token_signing_alg_values_supported": []string{"ES256"},
	})
}

func (s *Service) jwks(w http.ResponseWriter, _ *http.Request) {
	enc := base64.RawURLEncoding
	point, err := s.key.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		http.Error(w, "key encoding failed", http.StatusInternalServerError)
		return
	}
	x, y := point[1:33], point[33:]
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSON(w, map[string]any{"keys": []map[string]string{{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": s.kid,
		"x": enc.EncodeToString(x), "y": enc.EncodeToString(y),
	}}})
}

// token hands out a token for ?user=; the demo's stand-in for a login.
func (s *Service) token(w http.ResponseWriter, r *http.Request) {
	tok, err := s.Token(r.URL.Query().Get("user"), 15*time.Minute)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	writeJSON(w, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 900})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
