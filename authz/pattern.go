package authz

import (
	"fmt"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
)

// kind says how a pattern compares with a value.
type kind uint8

const (
	kindExact    kind = iota // the value equals text
	kindPrefix               // the value starts with text
	kindSuffix               // the value ends with text
	kindAny                  // the value is present and non-empty
	kindTemplate             // path template, segment by segment
)

// pattern is one validated value of a policy field.
type pattern struct {
	kind kind
	text string   // exact value, prefix or suffix without the "*"
	segs []string // kindTemplate: literal segments, "" for a {param}
	raw  string   // as written in the policy, for messages
	// dir marks a path prefix ending in "/": it also matches the path
	// without that slash, so "/admin/*" covers "/admin" too.
	dir bool
}

// match reports whether v matches p. Callers pass a value that is present;
// absence is decided before.
func (p *pattern) match(v []byte) bool {
	switch p.kind {
	case kindExact:
		return string(v) == p.text
	case kindPrefix:
		if len(v) >= len(p.text) && string(v[:len(p.text)]) == p.text {
			return true
		}
		return p.dir && string(v) == p.text[:len(p.text)-1]
	case kindSuffix:
		return len(v) >= len(p.text) && string(v[len(v)-len(p.text):]) == p.text
	case kindAny:
		return len(v) > 0
	case kindTemplate:
		return matchTemplate(p.segs, v)
	}
	return false
}

// matchString is match for a string value.
func (p *pattern) matchString(v string) bool {
	switch p.kind {
	case kindExact:
		return v == p.text
	case kindPrefix:
		return strings.HasPrefix(v, p.text)
	case kindSuffix:
		return strings.HasSuffix(v, p.text)
	case kindAny:
		return v != ""
	}
	return false
}

// matchFold is matchString ignoring ASCII case, for host names.
func (p *pattern) matchFold(v string) bool {
	switch p.kind {
	case kindExact:
		return strings.EqualFold(v, p.text)
	case kindPrefix:
		return len(v) >= len(p.text) && strings.EqualFold(v[:len(p.text)], p.text)
	case kindSuffix:
		return len(v) >= len(p.text) && strings.EqualFold(v[len(v)-len(p.text):], p.text)
	case kindAny:
		return v != ""
	}
	return false
}

// matchTemplate matches a clean path key against template segments, where
// "" stands for one non-empty segment.
func matchTemplate(segs []string, v []byte) bool {
	if len(v) == 0 || v[0] != '/' {
		return false
	}
	rest := v[1:]
	for i, s := range segs {
		j := 0
		for j < len(rest) && rest[j] != '/' {
			j++
		}
		seg := rest[:j]
		if s == "" {
			if len(seg) == 0 {
				return false
			}
		} else if string(seg) != s {
			return false
		}
		if i == len(segs)-1 {
			return j == len(rest)
		}
		if j == len(rest) {
			return false
		}
		rest = rest[j+1:]
	}
	return false
}

// parseString parses an Istio-style string pattern: "exact", "prefix*",
// "*suffix" or "*" (present and non-empty).
func parseString(s string) (pattern, error) {
	switch {
	case s == "":
		return pattern{}, fmt.Errorf("empty value")
	case s == "*":
		return pattern{kind: kindAny, raw: s}, nil
	case strings.Count(s, "*") > 1:
		return pattern{}, fmt.Errorf("%q: only one leading or trailing * is allowed", s)
	case strings.HasPrefix(s, "*"):
		return pattern{kind: kindSuffix, text: s[1:], raw: s}, nil
	case strings.HasSuffix(s, "*"):
		return pattern{kind: kindPrefix, text: s[:len(s)-1], raw: s}, nil
	case strings.Contains(s, "*"):
		return pattern{}, fmt.Errorf("%q: * is allowed only at the start or the end", s)
	}
	return pattern{kind: kindExact, text: s, raw: s}, nil
}

// parsePrincipal parses a peer principal: "*" (any authenticated peer), a
// SPIFFE ID, "spiffe://td/path/*" (IDs under that path, on a segment
// boundary) or "spiffe://td" / "spiffe://td/*" (any ID in the trust domain).
func parsePrincipal(s string) (pattern, error) {
	if s == "*" {
		return pattern{kind: kindAny, raw: s}, nil
	}
	if strings.HasSuffix(s, "/*") {
		base := strings.TrimSuffix(s, "/*")
		if td, err := spiffeid.TrustDomainFromString(base); err == nil && td.IDString() == base {
			return pattern{kind: kindPrefix, text: base + "/", raw: s}, nil
		}
		if _, err := spiffeid.FromString(base); err != nil {
			return pattern{}, fmt.Errorf("%q: %w", s, err)
		}
		return pattern{kind: kindPrefix, text: base + "/", raw: s}, nil
	}
	if strings.Contains(s, "*") {
		return pattern{}, fmt.Errorf("%q: a SPIFFE ID prefix must end in /* (segment boundary)", s)
	}
	if td, err := spiffeid.TrustDomainFromString(s); err == nil && td.IDString() == s {
		return pattern{kind: kindPrefix, text: s + "/", raw: s}, nil
	}
	id, err := spiffeid.FromString(s)
	if err != nil {
		return pattern{}, fmt.Errorf("%q: %w", s, err)
	}
	if id.Path() == "" {
		return pattern{kind: kindPrefix, text: s + "/", raw: s}, nil
	}
	return pattern{kind: kindExact, text: s, raw: s}, nil
}

// parsePath parses an HTTP path pattern: "/exact", "/prefix*", "*suffix",
// "*" or a template with whole-segment parameters, "/v1/orders/{id}". Paths
// are written decoded and clean; a trailing slash is not significant.
func parsePath(s string) (pattern, error) {
	if s == "*" {
		return pattern{kind: kindAny, raw: s}, nil
	}
	if strings.ContainsAny(s, "%?#\\") || hasControl(s) {
		return pattern{}, fmt.Errorf("%q: write paths decoded, without %%, ?, #, \\ or control characters", s)
	}
	p, err := parseString(s)
	if err != nil {
		return pattern{}, err
	}
	switch p.kind {
	case kindSuffix:
		if strings.HasSuffix(p.text, "/") {
			return pattern{}, fmt.Errorf("%q: a suffix cannot end in / (trailing slashes are ignored)", s)
		}
		if strings.ContainsAny(p.text, "{}") {
			return pattern{}, fmt.Errorf("%q: templates cannot be combined with *", s)
		}
		return p, nil
	case kindPrefix:
		if !strings.HasPrefix(p.text, "/") {
			return pattern{}, fmt.Errorf("%q: a path must start with /", s)
		}
		if strings.ContainsAny(p.text, "{}") {
			return pattern{}, fmt.Errorf("%q: templates cannot be combined with *", s)
		}
		if _, err := cleanPath(p.text, nil); err != nil {
			return pattern{}, pathProblem(s, err)
		}
		p.dir = strings.HasSuffix(p.text, "/") && len(p.text) > 1
		return p, nil
	}
	if !strings.HasPrefix(s, "/") {
		return pattern{}, fmt.Errorf("%q: a path must start with /", s)
	}
	if _, err := cleanPath(s, nil); err != nil {
		return pattern{}, pathProblem(s, err)
	}
	key := string(matchKey([]byte(s)))
	if !strings.ContainsAny(key, "{}") {
		return pattern{kind: kindExact, text: key, raw: s}, nil
	}
	return parseTemplate(s, key)
}

// maxTemplateSegments bounds the depth of path templates, which bounds the
// work and stack of matching them.
const maxTemplateSegments = 32

func parseTemplate(s, key string) (pattern, error) {
	if key == "/" {
		return pattern{}, fmt.Errorf("%q: invalid template", s)
	}
	parts := strings.Split(key[1:], "/")
	if len(parts) > maxTemplateSegments {
		return pattern{}, fmt.Errorf("%q: a template has at most %d segments", s, maxTemplateSegments)
	}
	segs := make([]string, len(parts))
	for i, part := range parts {
		if !strings.ContainsAny(part, "{}") {
			segs[i] = part
			continue
		}
		name, ok := strings.CutPrefix(part, "{")
		name, ok2 := strings.CutSuffix(name, "}")
		if !ok || !ok2 || !isIdent(name) {
			return pattern{}, fmt.Errorf("%q: a template parameter is a whole segment {name} of letters, digits and _", s)
		}
	}
	return pattern{kind: kindTemplate, segs: segs, text: key, raw: s}, nil
}

// parseGRPCMethod parses a gRPC method pattern: "/pkg.Service/Method",
// "/pkg.Service/*" or "*".
func parseGRPCMethod(s string) (pattern, error) {
	if s == "*" {
		return pattern{kind: kindAny, raw: s}, nil
	}
	svc, method, ok := splitFullMethod(s)
	if !ok || strings.Contains(svc, "*") || (method != "*" && strings.Contains(method, "*")) {
		return pattern{}, fmt.Errorf("%q: want /package.Service/Method, /package.Service/* or *", s)
	}
	if method == "*" {
		return pattern{kind: kindPrefix, text: "/" + svc + "/", raw: s}, nil
	}
	return pattern{kind: kindExact, text: s, raw: s}, nil
}

// splitFullMethod splits "/svc/method" into its two non-empty parts.
func splitFullMethod(s string) (svc, method string, ok bool) {
	if !strings.HasPrefix(s, "/") || hasControl(s) {
		return "", "", false
	}
	svc, method, ok = strings.Cut(s[1:], "/")
	if !ok || svc == "" || method == "" || strings.Contains(method, "/") {
		return "", "", false
	}
	return svc, method, true
}

// parseHost parses a host pattern; hosts compare without the port and
// ignoring case.
func parseHost(s string) (pattern, error) {
	if strings.Contains(s, ":") && !strings.HasPrefix(s, "[") {
		return pattern{}, fmt.Errorf("%q: hosts are matched without the port; use ports", s)
	}
	if hasControl(s) || strings.ContainsAny(s, "/ ") {
		return pattern{}, fmt.Errorf("%q: not a host name", s)
	}
	p, err := parseString(s)
	if err != nil {
		return pattern{}, err
	}
	p.text = strings.ToLower(p.text)
	return p, nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// pathProblem reports why a policy path is not clean.
func pathProblem(s string, err error) error {
	return fmt.Errorf("%q: ambiguous path: %s", s, strings.TrimPrefix(err.Error(), ErrAmbiguousPath.Error()+": "))
}
