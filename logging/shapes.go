package logging

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// Token shapes after the gitleaks rule set: a fixed prefix and a minimum
// length of token characters. A word is checked only when its first byte
// and length can start one of them.

type tokenRule struct {
	prefix  string
	min     int   // minimum word length, prefix included
	max     int   // maximum word length, 0 = unbounded
	charset uint8 // charset of the rest of the word
	label   string
}

const (
	csAny   uint8 = iota // any word character
	csAlnum              // letters and digits
	csUpper              // A-Z and 2-7 (AWS key ids)
	csHex                // 0-9 a-f A-F
)

// tokenRules is indexed by the prefix's first byte.
var tokenRules = func() (t [128][]tokenRule) {
	for _, r := range []tokenRule{
		{"AKIA", 20, 20, csUpper, "aws_access_key"},
		{"ASIA", 20, 20, csUpper, "aws_access_key"},
		{"ABIA", 20, 20, csUpper, "aws_access_key"},
		{"ACCA", 20, 20, csUpper, "aws_access_key"},
		{"AIza", 39, 39, csAny, "google_api_key"},
		{"AGE-SECRET-KEY-1", 60, 0, csAlnum, "age_secret_key"},
		{"ghp_", 40, 0, csAlnum, "github_token"},
		{"gho_", 40, 0, csAlnum, "github_token"},
		{"ghu_", 40, 0, csAlnum, "github_token"},
		{"ghs_", 40, 0, csAlnum, "github_token"},
		{"ghr_", 40, 0, csAlnum, "github_token"},
		{"github_pat_", 50, 0, csAny, "github_token"},
		{"glpat-", 26, 0, csAny, "gitlab_token"},
		{"glptt-", 46, 0, csAny, "gitlab_token"},
		{"glrt-", 25, 0, csAny, "gitlab_token"},
		{"glc_", 36, 0, csAny, "grafana_token"},
		{"glsa_", 40, 0, csAny, "grafana_token"},
		{"xoxb-", 20, 0, csAny, "slack_token"},
		{"xoxp-", 20, 0, csAny, "slack_token"},
		{"xoxa-", 20, 0, csAny, "slack_token"},
		{"xoxr-", 20, 0, csAny, "slack_token"},
		{"xoxs-", 20, 0, csAny, "slack_token"},
		{"xoxe-", 20, 0, csAny, "slack_token"},
		{"xapp-", 20, 0, csAny, "slack_token"},
		{"sk_live_", 18, 0, csAlnum, "stripe_key"},
		{"sk_test_", 18, 0, csAlnum, "stripe_key"},
		{"sk_prod_", 18, 0, csAlnum, "stripe_key"},
		{"rk_live_", 18, 0, csAlnum, "stripe_key"},
		{"rk_test_", 18, 0, csAlnum, "stripe_key"},
		{"rk_prod_", 18, 0, csAlnum, "stripe_key"},
		{"whsec_", 30, 0, csAlnum, "stripe_key"},
		{"sk-proj-", 28, 0, csAny, "api_key"},
		{"sk-svcacct-", 31, 0, csAny, "api_key"},
		{"sk-admin-", 29, 0, csAny, "api_key"},
		{"sk-ant-", 27, 0, csAny, "api_key"},
		{"sk-", 35, 0, csAlnum, "api_key"},
		{"shpat_", 38, 38, csHex, "shopify_token"},
		{"shpss_", 38, 38, csHex, "shopify_token"},
		{"shpca_", 38, 38, csHex, "shopify_token"},
		{"shppa_", 38, 38, csHex, "shopify_token"},
		{"sq0atp-", 29, 0, csAny, "square_token"},
		{"sq0csp-", 50, 0, csAny, "square_token"},
		{"SK", 34, 34, csHex, "twilio_key"},
		{"npm_", 40, 40, csAlnum, "npm_token"},
		{"pypi-AgEIcHlwaS5vcmc", 70, 0, csAny, "pypi_token"},
		{"dop_v1_", 71, 71, csHex, "digitalocean_token"},
		{"doo_v1_", 71, 71, csHex, "digitalocean_token"},
		{"dapi", 36, 40, csHex, "databricks_token"},
		{"dp.pt.", 49, 0, csAny, "doppler_token"},
		{"hvs.", 28, 0, csAny, "vault_token"},
		{"hvb.", 28, 0, csAny, "vault_token"},
		{"lin_api_", 48, 48, csAlnum, "linear_key"},
		{"PMAK-", 59, 59, csAny, "postman_key"},
		{"key-", 36, 36, csHex, "mailgun_key"},
		{"SG.", 69, 69, csAny, "sendgrid_key"},
	} {
		t[r.prefix[0]] = append(t[r.prefix[0]], r)
	}
	return t
}()

// checkWord validates the word s[p:q] against the known shapes.
func checkWord(s string, p, q int) (start, end int, label string) {
	w := s[p:q]
	c := w[0]
	switch {
	case c == 'e' && len(w) >= 16 && strings.HasPrefix(w, "eyJ"):
		if isJWT(w) {
			return p, q, labelJWT
		}
	case c == 'B' || c == 'b':
		if len(w) == 6 && strings.EqualFold(w, "bearer") {
			return credentialAfter(s, q, labelBearer, false)
		}
		if len(w) == 5 && strings.EqualFold(w, "basic") {
			return credentialAfter(s, q, labelBasic, false)
		}
	case c == '-' && strings.HasPrefix(w, "-----BEGIN"):
		if e := privateKeyEnd(s, p); e > 0 {
			return p, e, labelPrivateKey
		}
	}
	// A token at the end of a sentence keeps its full stop.
	for len(w) > 1 && w[len(w)-1] == '.' {
		w = w[:len(w)-1]
		q--
	}
	if len(w) < 16 || c >= 128 {
		return 0, 0, ""
	}
	for i := range tokenRules[c] {
		r := &tokenRules[c][i]
		if len(w) < r.min || (r.max > 0 && len(w) > r.max) || !strings.HasPrefix(w, r.prefix) {
			continue
		}
		if inCharset(w[len(r.prefix):], r.charset) {
			return p, q, r.label
		}
	}
	return 0, 0, ""
}

func inCharset(w string, cs uint8) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		var ok bool
		switch cs {
		case csAny:
			ok = true
		case csAlnum:
			ok = isAlnum(c)
		case csUpper:
			ok = c >= 'A' && c <= 'Z' || c >= '2' && c <= '7'
		case csHex:
			ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
		if !ok {
			return false
		}
	}
	return true
}

// isJWT reports whether w has the shape of a JWS or JWE compact
// serialisation: base64url segments separated by dots, the first two
// non-empty, or for a JWE with direct encryption (alg "dir", no encrypted
// key) five segments of which only the second is empty.
func isJWT(w string) bool {
	var seg [4]int // lengths of the first four segments
	dots, segStart := 0, 0
	for i := 0; i <= len(w); i++ {
		if i == len(w) || w[i] == '.' {
			if dots < len(seg) {
				seg[dots] = i - segStart
			}
			if i < len(w) {
				dots++
			}
			segStart = i + 1
			continue
		}
		if c := w[i]; !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	if dots < 2 || seg[0] < 2 {
		return false
	}
	return seg[1] >= 2 || (seg[1] == 0 && dots == 4 && seg[2] >= 2 && seg[3] >= 2)
}

// credentialAfter redacts the credential that follows an authorisation
// scheme word ending at q: "Bearer <token>", "Basic <base64 user:pass>".
// Prose ("Bearer authentication is required", "Basic plan") is left
// alone: a bearer credential of 8 or more characters is redacted unless it
// is a lower-case word followed by more words. After a secret-named key
// (keyed: "Authorization: Bearer abc") any credential is redacted.
func credentialAfter(s string, q int, label string, keyed bool) (start, end int, l string) {
	v := q
	for v < len(s) && s[v] == ' ' {
		v++
	}
	if v == q || v >= len(s) {
		return 0, 0, ""
	}
	e := v
	mixed := false
	for e < len(s) {
		c := s[e]
		if c >= 'a' && c <= 'z' {
			e++
			continue
		}
		if isAlnum(c) || strings.IndexByte("-._~+/=", c) >= 0 {
			mixed = true
			e++
			continue
		}
		break
	}
	if label == labelBasic {
		for e > v && strings.IndexByte(".-_~", s[e-1]) >= 0 {
			e--
		}
	}
	cred := s[v:e]
	switch {
	case cred == "":
		return 0, 0, ""
	case keyed:
	case label == labelBasic:
		if !isBasicCredential(cred) {
			return 0, 0, ""
		}
	case len(cred) < 8:
		return 0, 0, ""
	case !mixed && len(cred) < minLetterToken && e < len(s) && s[e] == ' ':
		return 0, 0, "" // a word in a sentence
	}
	return v, e, label
}

// minLetterToken is the length from which a bearer credential of lower-case
// letters alone is a token even when more words follow it.
const minLetterToken = 20

// isBasicCredential reports whether c is padded base64 of "user:pass".
func isBasicCredential(c string) bool {
	if len(c) < 4 || len(c)%4 != 0 {
		return false
	}
	if len(c) > 128 {
		return true
	}
	var dst [96]byte
	n, err := base64.StdEncoding.Decode(dst[:], []byte(c))
	return err == nil && bytes.IndexByte(dst[:n], ':') >= 0
}

// privateKeyEnd returns the end of a PEM private key block starting at p,
// or of the string when its END line is missing; 0 if the block at p is
// not a private key.
func privateKeyEnd(s string, p int) int {
	h := s[p+len("-----BEGIN"):]
	eol := strings.Index(h[:min(len(h), 70)], "-----")
	if eol < 0 || !strings.Contains(h[:eol], "PRIVATE KEY") {
		return 0
	}
	rest := s[p+len("-----BEGIN")+eol+5:]
	i := strings.Index(rest, "-----END")
	if i < 0 {
		return len(s)
	}
	tail := rest[i+len("-----END"):]
	j := strings.Index(tail, "-----")
	if j < 0 {
		return len(s)
	}
	return len(s) - len(tail) + j + 5
}
