package logging

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type gen struct{ r *rand.Rand }

func newGen() *gen { return &gen{rand.New(rand.NewPCG(1, 2))} }

func (g *gen) from(set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[g.r.IntN(len(set))]
	}
	return string(b)
}

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64url = alnum + "-_"
	upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	hexset = "0123456789abcdef"
)

// sample is a secret in the context it is logged in: secret must not
// appear in the output, text is what gets logged.
type sample struct {
	name, secret, text string
}

// shapeSamples are secrets recognised by their value shape alone.
func shapeSamples(g *gen) []sample {
	var out []sample
	add := func(name, secret, text string) { out = append(out, sample{name, secret, text}) }
	for i := 0; i < 6; i++ {
		hdr := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"alg":"RS256","kid":"k%d"}`, i)))
		pl := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"user-%d","exp":%d}`, i, 1700000000+i)))
		jwt := hdr + "." + pl + "." + g.from(b64url, 43)
		add("jwt", jwt, []string{jwt, "token " + jwt + " rejected", `{"id_token":"` + jwt + `"}`, "x=" + jwt, "(" + jwt + ")", "jwt:" + jwt}[i])
		tok := g.from(alnum, 24+i) + "-." + g.from(alnum, 8)
		add("bearer", tok, []string{"Bearer " + tok, "Authorization: Bearer " + tok, "bearer  " + tok, "sent Bearer " + tok + " upstream", "BEARER " + tok, "h=Bearer " + tok}[i])
		up := fmt.Sprintf("user%d:%s", i, g.from(alnum, 12))
		basic := base64.StdEncoding.EncodeToString([]byte(up))
		add("basic", basic, []string{"Basic " + basic, "Authorization: Basic " + basic, "basic " + basic, "Proxy-Authorization: Basic " + basic, "got Basic " + basic + ".", "BASIC " + basic}[i])
		pw := g.from(alnum, 10+i)
		add("url_password", pw, []string{
			"postgres://app:" + pw + "@db.internal:5432/orders",
			"dial https://admin:" + pw + "@example.com/path failed",
			"redis://:" + pw + "@cache:6379/0",
			"amqp://guest:" + pw + "@mq/vhost",
			"mongodb+srv://u:" + pw + "@cluster0.example.net/?retryWrites=true",
			"ftp://x:" + pw + "@files.example.org",
		}[i])
		q := g.from(alnum, 16+i)
		add("query", q, []string{
			"https://api.example.com/cb?access_token=" + q + "&state=1",
			"/oauth/callback?code=1&client_secret=" + q,
			"https://s3.example.com/b/o?X-Amz-Signature=" + q + "&X-Amz-Expires=60",
			"https://h/p?api_key=" + q,
			"GET /login?user=bob&password=" + q + " HTTP/1.1",
			"https://x/?token=" + q + "#frag",
		}[i])
		kv := g.from(alnum, 12+i)
		add("keyvalue", kv, []string{
			"login failed password=" + kv,
			`config {"client_secret":"` + kv + `"}`,
			"secret: " + kv,
			"api-key=" + kv + "; retry",
			"DB_PASSWORD='" + kv + "'",
			"session_id=" + kv,
		}[i])
	}
	for i := 0; i < 4; i++ {
		body := g.from(alnum+"+/", 64) + "\n" + g.from(alnum+"+/", 64)
		kind := []string{"RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"}[i]
		pem := "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n"
		add("pem", body[:64], []string{pem, "key loaded: " + pem, "cfg:\n" + pem + "done", pem[:len(pem)-30]}[i])
	}
	// Shapes that once slipped through: a JWE with direct encryption (no
	// encrypted key), a bearer token of lower-case letters, spaces around a
	// key's separator, a JWT right after a percent escape, a raw '/' in a
	// URL password.
	jweHdr := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"dir","enc":"A256GCM"}`))
	jwe := jweHdr + ".." + g.from(b64url, 16) + "." + g.from(b64url, 40) + "." + g.from(b64url, 22)
	add("jwe_dir", jwe, "got "+jwe)
	lower := "abcdefghijklmnopqrstuvwxyz"
	low := g.from(lower, 12)
	add("bearer_lower", low, "Authorization: Bearer "+low)
	low2 := g.from(lower, 10)
	add("bearer_lower_alone", low2, "Bearer "+low2)
	low3 := g.from(lower, 28)
	add("bearer_lower_prose", low3, "sent Bearer "+low3+" upstream")
	sp := g.from(alnum, 12)
	add("keyvalue_spaced", sp, "password = "+sp)
	sq := g.from(alnum, 13)
	add("keyvalue_spaced_json", sq, `{"password" : "`+sq+`"}`)
	pjwt := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"pct"}`)) + "." + g.from(b64url, 43)
	add("jwt_percent", pjwt, "/cb?state=%22"+pjwt+"%22&x=1")
	pa, ss := g.from(alnum, 7), g.from(alnum, 8)
	add("url_password_slash", pa+"/"+ss, "redis://:"+pa+"/"+ss+"@cache:6379/0")
	add("url_password_slash_tail", ss, "dial redis://app:"+pa+"x/"+ss+"@cache:6379/0 failed")
	tokens := []func() string{
		func() string { return "AKIA" + g.from(upper, 16) },
		func() string { return "ASIA" + g.from(upper, 16) },
		func() string { return "AIza" + g.from(b64url, 35) },
		func() string { return "ghp_" + g.from(alnum, 36) },
		func() string { return "gho_" + g.from(alnum, 36) },
		func() string { return "ghs_" + g.from(alnum, 36) },
		func() string { return "github_pat_" + g.from(alnum, 22) + "_" + g.from(alnum, 59) },
		func() string { return "glpat-" + g.from(b64url, 20) },
		func() string {
			return "xoxb-" + g.from("0123456789", 12) + "-" + g.from("0123456789", 12) + "-" + g.from(alnum, 24)
		},
		func() string {
			return "xoxp-" + g.from("0123456789", 11) + "-" + g.from("0123456789", 11) + "-" + g.from(alnum, 32)
		},
		func() string {
			return "xapp-1-" + g.from(alnum, 11) + "-" + g.from("0123456789", 13) + "-" + g.from(hexset, 64)
		},
		func() string { return "sk_live_" + g.from(alnum, 24) },
		func() string { return "rk_live_" + g.from(alnum, 24) },
		func() string { return "sk_test_" + g.from(alnum, 24) },
		func() string { return "whsec_" + g.from(alnum, 32) },
		func() string { return "sk-proj-" + g.from(b64url, 48) },
		func() string { return "sk-ant-api03-" + g.from(b64url, 80) },
		func() string { return "sk-" + g.from(alnum, 48) },
		func() string { return "shpat_" + g.from(hexset, 32) },
		func() string { return "SK" + g.from(hexset, 32) },
		func() string { return "npm_" + g.from(alnum, 36) },
		func() string { return "pypi-AgEIcHlwaS5vcmc" + g.from(b64url, 60) },
		func() string { return "dop_v1_" + g.from(hexset, 64) },
		func() string { return "dapi" + g.from(hexset, 32) },
		func() string { return "hvs." + g.from(b64url, 90) },
		func() string { return "lin_api_" + g.from(alnum, 40) },
		func() string { return "SG." + g.from(b64url, 22) + "." + g.from(b64url, 43) },
		func() string { return "glsa_" + g.from(alnum, 32) + "_" + g.from(hexset, 8) },
		func() string { return "key-" + g.from(hexset, 32) },
		func() string { return "sq0atp-" + g.from(b64url, 22) },
	}
	ctx := []string{"%s", "using key %s now", "err: %s.", "\"%s\"", "k=%s", "[%s]"}
	for i, mk := range tokens {
		tok := mk()
		add("token", tok, fmt.Sprintf(ctx[i%len(ctx)], tok))
	}
	return out
}

// keySamples are secrets recognised by the key they are logged under.
func keySamples(g *gen) []struct{ key, secret string } {
	keys := []string{"password", "db_password", "Passwd", "user.secret", "clientSecret", "X-Api-Key",
		"apikey", "Authorization", "Cookie", "Set-Cookie", "private_key", "client_secret", "access_token",
		"refresh_token", "sessionId", "session", "credentials", "AWS_SECRET_ACCESS_KEY", "x-auth-token",
		"pwd", "PIN", "passphrase", "signing-secret", "id_token", "csrf", "api_secret", "accessKey", "privateKey",
		"connection_string", "bearer_token", "Proxy-Authorization", "jwt", "otp", "cvv", "secretKey", "x-csrf-token", "auth"}
	out := make([]struct{ key, secret string }, len(keys))
	for i, k := range keys {
		out[i].key, out[i].secret = k, "v"+g.from("abcdefghijklmnopqrstuvwxyz", 9)
	}
	return out
}

type loginForm struct {
	User     string `json:"user"`
	Password string `json:"password"`
	Note     string
	Hidden   string `log:"redact"`
}

type marshalled struct{ secret string }

func (m marshalled) MarshalJSON() ([]byte, error) {
	return []byte(`{"user":"bob","api_key":"` + m.secret + `","nested":[{"refresh_token":"` + m.secret + `x"}]}`), nil
}

type stringer struct{ s string }

func (s stringer) String() string { return "conn " + s.s }

func TestCorpusSecretsNeverLogged(t *testing.T) {
	g := newGen()
	shapes := shapeSamples(g)
	keyed := keySamples(g)
	require.GreaterOrEqual(t, len(shapes)+len(keyed), 100, "corpus needs at least 100 distinct secrets")
	seen := map[string]bool{}
	for _, s := range shapes {
		require.False(t, seen[s.secret], "duplicate sample %s", s.secret)
		seen[s.secret] = true
	}

	l, buf := capture(t, nil)
	for i, s := range shapes {
		// Each shape in every container: value, message, key, group, map,
		// slice, struct, error, Stringer and a URL query.
		l.Info(s.text, "v", s.text,
			slog.Group("g", slog.String("inner", s.text)),
			"m", map[string]any{"k": s.text, "n": []any{s.text}},
			"err", fmt.Errorf("wrapped: %w", errors.New(s.text)),
			"str", stringer{s.text},
			"form", loginForm{User: "u", Note: s.text},
		)
		l.WithGroup("grp").With("pre", s.text).Info("with", s.text, i)
	}
	for _, k := range keyed {
		l.Info("keyed", k.key, k.secret,
			slog.Group("deep", slog.Group("er", slog.String(k.key, k.secret))),
			"m", map[string]any{k.key: k.secret, "list": []map[string]string{{k.key: k.secret}}},
			"form", loginForm{User: "u", Password: k.secret, Hidden: k.secret},
			"json", marshalled{k.secret},
			"secret_type", Secret(k.secret),
			"any", []any{Secret(k.secret)},
		)
		l.With(k.key, k.secret).Info("with")
		l.WithGroup(k.key).Info("group", "x", k.secret)
	}
	out := buf.String()
	lines(t, buf.Bytes())
	for _, s := range shapes {
		assert.NotContains(t, out, s.secret, "%s sample leaked: %q", s.name, s.text)
	}
	for _, k := range keyed {
		assert.NotContains(t, out, k.secret, "value under key %q leaked", k.key)
	}
	for _, mark := range []string{"[REDACTED:jwt]", "[REDACTED:bearer]", "[REDACTED:basic]", "[REDACTED:url_password]",
		"[REDACTED:private_key]", "[REDACTED:aws_access_key]", "[REDACTED:github_token]", "[REDACTED:key]", "[REDACTED:secret]"} {
		assert.Contains(t, out, mark)
	}
}

// ordinaryValues must pass through unchanged.
var ordinaryValues = []string{
	"7f3c2c2a-4b1e-4d7a-9f5e-2b8c6d1e0a93", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"da39a3ee5e6b4b0d3255bfef95601890afd80709", "9fceb02d0ae598e95dc970b74767f19372d61af8",
	"orders-7d9f8b6c5-x2x9z", "spiffe://example.org/ns/prod/sa/web", "https://example.com/a/b?page=2&sort=asc",
	"GET", "ok", "hello world", "the quick brown fox", "Bearer", "Basic plan", "Bearer authentication is required",
	"/api/v1/orders/12345", "2026-12-04T14:22:21.708Z", "10.0.0.1:8443", "[::1]:50051", "user@example.com",
	"12345678", "3.14159", "AKIA", "ghp_short", "eyJhbGciOi", "sk-learn", "token", "password", "secret sauce",
	"key-value store", "session expired", "x509: certificate signed by unknown authority",
	"rpc error: code = Unavailable desc = connection refused", "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "aGVsbG8gd29ybGQ=", "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	"https://example.com:8443/path#section", "mailto:ops@example.com", "ldap://ldap.example.com/dc=example,dc=com",
	"4111 1111 1111 1112", "1234-5678-9012-3456", "v1.2.3", "go1.26.8", "US-ASCII", "name=value", "status: ok",
	"a_b-c.d", "0xdeadbeef", "AB12CD34EF56GH78IJ90",
	"https://example.com:8443/users/bob@example.com", "http://[::1]:8080/a/b@c", "status = ok",
	"Bearer authorization header missing", "50%25 of requests", "%7B%22id%22%3A%22abc%22%7D",
}

func TestCorpusOrdinaryValuesIntact(t *testing.T) {
	l, buf := capture(t, &HandlerOptions{RedactCardNumbers: true})
	for _, v := range ordinaryValues {
		buf.Reset()
		l.Info(v, "value", v, "m", map[string]string{"id": v}, slog.Group("g", slog.String("hash", v)))
		recs := lines(t, buf.Bytes())
		require.Len(t, recs, 1)
		r := recs[0]
		assert.Equal(t, v, r["msg"])
		assert.Equal(t, v, r["value"])
		assert.Equal(t, v, r["m"].(map[string]any)["id"])
		assert.Equal(t, v, r["g"].(map[string]any)["hash"])
		assert.NotContains(t, buf.String(), redactedPrefix, "ordinary value %q was redacted", v)
	}
	for _, k := range []string{"id", "user", "trace_id", "method", "path", "status", "author", "keyboard", "monkey", "topic"} {
		buf.Reset()
		l.Info("k", k, "plain")
		assert.Equal(t, "plain", lines(t, buf.Bytes())[0][k], "key %q", k)
	}
}

func TestCardNumbersByOption(t *testing.T) {
	cards := []string{"4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005"}
	off, offBuf := capture(t, nil)
	on, onBuf := capture(t, &HandlerOptions{RedactCardNumbers: true})
	for _, c := range cards {
		off.Info("pay", "card", "card "+c)
		on.Info("pay", "card", "card "+c)
	}
	on.Info("pay", "n", int64(4111111111111111), "u", uint64(378282246310005))
	assert.Contains(t, offBuf.String(), cards[0])
	for _, c := range cards {
		assert.NotContains(t, onBuf.String(), c)
	}
	assert.NotContains(t, onBuf.String(), "378282246310005")
	assert.Equal(t, 6, strings.Count(onBuf.String(), "[REDACTED:card]"))
}
