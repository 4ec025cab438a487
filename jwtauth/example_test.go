package jwtauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/jwtauth"
)

// signES256 makes a test token; real tokens come from an issuer.
func signES256(key *ecdsa.PrivateKey, kid string, claims map[string]any) string {
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": kid, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	input := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	d := sha256.Sum256([]byte(input))
	r, s, _ := ecdsa.Sign(rand.Reader, key, d[:])
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + enc.EncodeToString(sig)
}

func Example() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v, err := jwtauth.NewVerifier(context.Background(), jwtauth.Config{Issuers: []jwtauth.Issuer{{
		Issuer:    "https://login.example.com",
		Audiences: []string{"api://orders"},
		Keys:      jwtauth.StaticKeys(map[string]crypto.PublicKey{"key-1": &key.PublicKey}),
	}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()

	handler := jwtauth.Middleware(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwtauth.ClaimsFromContext(r.Context())
		fmt.Fprintf(w, "hello %s, may read: %v", c.Subject(), c.HasScope("orders:read"))
	}))

	token := signES256(key, "key-1", map[string]any{
		"iss": "https://login.example.com", "sub": "alice", "aud": "api://orders",
		"exp": time.Now().Add(time.Minute).Unix(), "scope": "orders:read",
	})
	req := httptest.NewRequest(http.MethodGet, "/orders", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, string(body))

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders", nil))
	fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 200 hello alice, may read: true
	// 401 Bearer
}

func ExampleVerifier_Verify() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	v, _ := jwtauth.NewVerifier(context.Background(), jwtauth.Config{Issuers: []jwtauth.Issuer{{
		Issuer: "https://login.example.com", Audiences: []string{"api://orders"},
		Keys: jwtauth.StaticKeys(map[string]crypto.PublicKey{"key-1": &key.PublicKey}),
	}}})
	defer v.Close()

	expired := signES256(key, "key-1", map[string]any{
		"iss": "https://login.example.com", "aud": "api://orders", "exp": time.Now().Add(-time.Hour).Unix(),
	})
	_, err := v.Verify(context.Background(), expired)
	fmt.Println(errors.Is(err, jwtauth.ErrExpired))
	// Output: true
}

func ExampleTransport() {
	// Calls onward on behalf of the incoming request's caller: the token
	// that Middleware verified is forwarded.
	client := &http.Client{Transport: jwtauth.Transport(nil, jwtauth.ForwardedToken())}
	_, err := client.Get("http://orders.internal/v1/orders")
	fmt.Println(err)
	// Output: Get "http://orders.internal/v1/orders": jwtauth: refusing to send a token over http to orders.internal
}

func ExampleSPIFFEBundles() {
	// In production the bundles and the JWT-SVIDs come from the Workload
	// API: a workloadapi.JWTSource is a jwtbundle.Source, and
	//
	//	ts := jwtauth.NewSVIDTokenSource(client, "spiffe://example.org/orders")
	//	grpc.WithPerRPCCredentials(jwtauth.PerRPCCredentials(ts))
	//
	// attaches JWT-SVIDs to outgoing calls.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	td := spiffeid.RequireTrustDomainFromString("example.org")
	bundles := jwtbundle.NewSet(jwtbundle.FromJWTAuthorities(td, map[string]crypto.PublicKey{"k1": &key.PublicKey}))

	v, _ := jwtauth.NewVerifier(context.Background(), jwtauth.Config{Issuers: []jwtauth.Issuer{{
		Audiences: []string{"spiffe://example.org/orders"},
		Keys:      jwtauth.SPIFFEBundles(bundles),
	}}})
	defer v.Close()

	svid := signES256(key, "k1", map[string]any{
		"sub": "spiffe://example.org/web", "aud": "spiffe://example.org/orders", "exp": time.Now().Add(time.Minute).Unix(),
	})
	c, err := v.Verify(context.Background(), svid)
	if err != nil {
		fmt.Println(err)
		return
	}
	id, _ := c.SPIFFEID()
	fmt.Println(id)
	// Output: spiffe://example.org/web
}
