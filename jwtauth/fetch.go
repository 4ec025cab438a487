package jwtauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// fetchKeys gets the issuer's current JWK Set. For an issuer configured for
// OIDC discovery it reads the discovery document again on every fetch, so
// that a provider moving its jwks_uri is followed; when discovery fails the
// fetch fails and the last good keys stay. Fetches of one issuer never
// overlap, so jwksURL needs no lock.
func (r *remote) fetchKeys(ctx context.Context) (*keySet, time.Duration, error) {
	if r.discoveryURL != "" {
		u, err := r.discover(ctx)
		if err != nil {
			return nil, 0, err
		}
		r.jwksURL = u
	}
	body, hdr, err := r.v.get(ctx, r.jwksURL)
	if err != nil {
		return nil, 0, err
	}
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, 0, fmt.Errorf("jwtauth: JWKS from %s: %w", r.jwksURL, err)
	}
	return ks, maxAge(hdr.Get("Cache-Control")), nil
}

// discover reads the OIDC discovery document and returns its jwks_uri.
func (r *remote) discover(ctx context.Context) (string, error) {
	body, _, err := r.v.get(ctx, r.discoveryURL)
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("jwtauth: discovery document %s is not valid JSON: %w", r.discoveryURL, err)
	}
	if doc.Issuer != r.iss.name {
		return "", fmt.Errorf("jwtauth: discovery document %s names issuer %s, want %s", r.discoveryURL, quote(doc.Issuer), quote(r.iss.name))
	}
	if doc.JWKSURI == "" {
		return "", fmt.Errorf("jwtauth: discovery document %s has no jwks_uri", r.discoveryURL)
	}
	if err := checkKeyURL(doc.JWKSURI, r.v.cfg.AllowLoopbackHTTP); err != nil {
		return "", fmt.Errorf("jwtauth: discovery document %s: %w", r.discoveryURL, err)
	}
	return doc.JWKSURI, nil
}

// get fetches a JSON document of bounded size and explains what came back
// when it is not one.
func (v *Verifier) get(ctx context.Context, u string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("jwtauth: key URL %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json, application/jwk-set+json")
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("jwtauth: fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	limit := v.cfg.MaxKeySetSize
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, nil, fmt.Errorf("jwtauth: reading %s: %w", u, err)
	}
	if int64(len(body)) > limit {
		return nil, nil, fmt.Errorf("jwtauth: response from %s is larger than %d bytes", u, limit)
	}
	kind := describeBody(resp.Header.Get("Content-Type"), body)
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("jwtauth: %s answered %s (%s)", u, resp.Status, kind)
	}
	if kind != "JSON" {
		return nil, nil, fmt.Errorf("jwtauth: %s returned %s, not JSON", u, kind)
	}
	return body, resp.Header, nil
}

// describeBody names what a response body looks like.
func describeBody(contentType string, body []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case strings.Contains(mt, "html") || bytes.HasPrefix(trimmed, []byte("<")):
		return "an HTML page"
	case len(trimmed) == 0:
		return "an empty body"
	case trimmed[0] == '{':
		return "JSON"
	case mt != "":
		return "a " + mt + " body"
	default:
		return "a non-JSON body"
	}
}

// maxAge returns the Cache-Control max-age, or 0 when there is none or the
// response may not be cached.
func maxAge(cc string) time.Duration {
	var age time.Duration
	for _, d := range strings.Split(cc, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		switch {
		case d == "no-cache" || d == "no-store":
			return 0
		case strings.HasPrefix(d, "max-age="):
			n, err := strconv.ParseInt(strings.Trim(d[len("max-age="):], `"`), 10, 64)
			if err == nil && n > 0 && n < int64(365*24*time.Hour/time.Second) {
				age = time.Duration(n) * time.Second
			}
		}
	}
	return age
}

// httpClient copies the configured client and adds the redirect rule: at
// most five hops, each to a URL the HTTPS rule allows.
func httpClient(c *http.Client, allowLoopback bool) *http.Client {
	var cl http.Client
	if c != nil {
		cl = *c
	}
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("jwtauth: too many redirects")
		}
		return checkKeyURLParsed(req.URL, allowLoopback)
	}
	return &cl
}
