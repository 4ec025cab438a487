package authz

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizePath(t *testing.T) {
	good := map[string]string{
		"/":               "/",
		"/v1/orders":      "/v1/orders",
		"/v1/orders/":     "/v1/orders/",
		"/a%41b":          "/aAb",
		"/a%20b":          "/a b",
		"/%25":            "/%",
		"/.well-known/x":  "/.well-known/x",
		"/a/..b/c.":       "/a/..b/c.",
		"/caf%C3%A9":      "/café",
		"/v1/orders;x=1":  "/v1/orders;x=1",
		"/v1/%7Bid%7D/ok": "/v1/{id}/ok",
	}
	for raw, want := range good {
		got, err := NormalizePath(raw)
		if assert.NoError(t, err, raw) {
			assert.Equal(t, want, got, raw)
		}
	}
	bad := map[string]string{
		"":                 "must start with /",
		"v1/orders":        "must start with /",
		"*":                "must start with /",
		"/admin/../v1":     "dot segment",
		"/admin/./x":       "dot segment",
		"/admin/..":        "dot segment",
		"/admin/.":         "dot segment",
		"//admin":          "empty path segment",
		"/admin//x":        "empty path segment",
		"/v1/%2e%2e/admin": "dot segment",
		"/v1/%2E/admin":    "dot segment",
		"/admin%2F":        "encoded /",
		"/admin%2fx":       "encoded /",
		"/admin%5Cx":       "encoded \\",
		"/admin%00":        "encoded NUL",
		"/admin%0a":        "encoded control",
		"/admin%":          "invalid percent escape",
		"/admin%4":         "invalid percent escape",
		"/admin%zz":        "invalid percent escape",
		"/admin\\x":        "backslash",
		"/admin\x00":       "control character",
		"/a?b":             "query",
		"/a#b":             "query or fragment",
	}
	for raw, problem := range bad {
		_, err := NormalizePath(raw)
		require.ErrorIs(t, err, ErrAmbiguousPath, raw)
		assert.Contains(t, err.Error(), problem, raw)
		assert.Contains(t, err.Error(), "authz: ", raw)
	}
}

// TestPathBypassAttempts checks that no spelling of an admin path reaches
// the allow rule meant for everything else: each is either rejected as
// ambiguous or matched, after normalisation, by the deny rule.
func TestPathBypassAttempts(t *testing.T) {
	a := mustAuthorizer(t, `
version: 1
rules:
  - name: no-admin
    action: deny
    to:
      paths: ["/admin/*"]
  - name: no-secret
    action: deny
    to:
      paths: ["/v1/secret"]
  - name: rest
    action: allow
    to:
      paths: ["/*"]
  - name: exact-only
    action: allow
    to:
      paths: ["/Reports"]
`)
	tests := []struct {
		path   string
		reason Reason
	}{
		{"/admin", ReasonDenyRule},
		{"/admin/", ReasonDenyRule},
		{"/admin/users", ReasonDenyRule},
		{"/admin/../v1", ReasonInvalidRequest},
		{"/v1/../admin", ReasonInvalidRequest},
		{"//admin", ReasonInvalidRequest},
		{"/v1/%2e%2e/admin", ReasonInvalidRequest},
		{"/admin%2F", ReasonInvalidRequest},
		{"/admin%2fusers", ReasonInvalidRequest},
		{"/%61dmin/users", ReasonDenyRule}, // %61 is "a": decoded, then matched
		{"/admin%5Cusers", ReasonInvalidRequest},
		{"/admin%00", ReasonInvalidRequest},
		{"/./admin", ReasonInvalidRequest},
		{"/v1/secret", ReasonDenyRule},
		{"/v1/secret/", ReasonDenyRule}, // a trailing slash is not significant
		{"/v1/secre%74", ReasonDenyRule},
		{"/v1/secret%2F", ReasonInvalidRequest},
		{"/v1/public", ReasonAllowRule},
		// Matching is case-sensitive, like net/http.ServeMux routing: a
		// case variant is a different path, and it gets no more than the
		// rules for that path give it.
		{"/ADMIN/users", ReasonAllowRule},
	}
	for _, tc := range tests {
		d := a.Decide(context.Background(), &Request{Method: "GET", Path: tc.path})
		assert.Equal(t, tc.reason, d.Reason, tc.path)
		assert.Equal(t, tc.reason == ReasonAllowRule, d.Allowed, tc.path)
		if tc.reason == ReasonInvalidRequest {
			assert.ErrorIs(t, d.Err, ErrAmbiguousPath, tc.path)
		}
	}

	// Case-sensitive exact match: only the spelling in the policy.
	b := mustAuthorizer(t, `
version: 1
rules:
  - name: reports
    action: allow
    to:
      paths: ["/Reports"]
`)
	for path, allowed := range map[string]bool{"/Reports": true, "/Reports/": true, "/reports": false, "/REPORTS": false, "/Reports/x": false} {
		d := b.Decide(context.Background(), &Request{Method: "GET", Path: path})
		assert.Equal(t, allowed, d.Allowed, path)
	}
}
