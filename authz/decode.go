package authz

import (
	"fmt"
	"net/textproto"
	"strings"

	"go.yaml.in/yaml/v3"
)

// currentVersion is the only policy format version this package reads.
const currentVersion = 1

// maxRules bounds the rules of one policy.
const maxRules = 100000

func decodePolicy(root *yaml.Node, ps *problems) *Policy {
	top := fields(ps, root, "", "version", "rules")
	if top == nil {
		return nil
	}
	p := &Policy{}
	if v, ok := top["version"]; !ok {
		ps.add(root, "version", "missing; want \"version: %d\"", currentVersion)
	} else if n, ok := integer(ps, v, "version"); ok {
		if n != currentVersion {
			ps.add(v, "version", "unsupported version %d; want %d", n, currentVersion)
		}
		p.version = n
	}
	rules, ok := top["rules"]
	if !ok || rules.Tag == "!!null" || (rules.Kind == yaml.SequenceNode && len(rules.Content) == 0) {
		return p // An empty policy is valid and allows nothing.
	}
	if rules.Kind != yaml.SequenceNode {
		ps.add(rules, "rules", "want a list, got %s", kindName(rules))
		return p
	}
	if len(rules.Content) > maxRules {
		ps.add(rules, "rules", "%d rules; at most %d are allowed", len(rules.Content), maxRules)
		return p
	}
	seen := make(map[string]int, len(rules.Content))
	for i, n := range rules.Content {
		r, ok := decodeRule(ps, n, i)
		if !ok {
			continue
		}
		if first, dup := seen[r.name]; dup {
			ps.rule = r.name
			ps.add(n, "name", "duplicate rule name (first on line %d)", first)
			ps.rule = ""
			continue
		}
		seen[r.name] = r.line
		p.rules = append(p.rules, r)
	}
	return p
}

func decodeRule(ps *problems, n *yaml.Node, i int) (rule, bool) {
	before := len(ps.list)
	defer func() { ps.rule = "" }()
	field := fmt.Sprintf("rules[%d]", i)
	if name := ruleName(n); name != "" {
		// Problems are reported under the rule's name from here on.
		ps.rule, field = name, ""
	}
	fs := fields(ps, n, field, "name", "action", "from", "to", "when")
	if fs == nil {
		return rule{}, false
	}
	r := rule{line: n.Line}
	if v, ok := fs["name"]; !ok {
		ps.add(n, join(field, "name"), "missing; every rule needs a name")
	} else if s, ok := str(ps, v, join(field, "name")); ok {
		if s == "" || len(s) > 256 || hasControl(s) {
			ps.add(v, "name", "want 1 to 256 printable characters")
		}
		r.name = s
	}
	if v, ok := fs["action"]; !ok {
		ps.add(n, "action", "missing; want allow, deny or audit")
	} else if s, ok := str(ps, v, "action"); ok {
		switch s {
		case "allow":
			r.action = actionAllow
		case "deny":
			r.action = actionDeny
		case "audit":
			r.action = actionAudit
		default:
			ps.add(v, "action", "%q; want allow, deny or audit", s)
		}
	}
	if v, ok := fs["from"]; ok {
		decodeFrom(ps, v, &r)
	}
	if v, ok := fs["to"]; ok {
		decodeTo(ps, v, &r)
	}
	if v, ok := fs["when"]; ok {
		for j, c := range seq(ps, v, "when") {
			if cond, ok := decodeCondition(ps, c, fmt.Sprintf("when[%d]", j)); ok {
				r.when = append(r.when, cond)
			}
		}
	}
	return r, len(ps.list) == before
}

// setter decodes one field's node into r.
type setter func(ps *problems, v *yaml.Node, field string, r *rule)

// field pairs a policy key with its setter.
type field struct {
	key string
	set setter
}

// decodeSection decodes the mapping n of section (from, to) with the given
// fields, in a fixed order so that problems are reported the same way each
// time.
func decodeSection(ps *problems, n *yaml.Node, section string, r *rule, known []field) map[string]*yaml.Node {
	keys := make([]string, len(known))
	for i, f := range known {
		keys[i] = f.key
	}
	fs := fields(ps, n, section, keys...)
	for _, f := range known {
		if v, ok := fs[f.key]; ok {
			f.set(ps, v, section+"."+f.key, r)
		}
	}
	return fs
}

// patternsInto returns a setter storing the patterns parse accepts into
// the field dst selects.
func patternsInto(dst func(*rule) *[]pattern, parse func(string) (pattern, error)) setter {
	return func(ps *problems, v *yaml.Node, f string, r *rule) {
		*dst(r) = patterns(ps, v, f, parse)
	}
}

func decodeFrom(ps *problems, n *yaml.Node, r *rule) {
	decodeSection(ps, n, "from", r, []field{
		{"principals", patternsInto(func(r *rule) *[]pattern { return &r.principals }, parsePrincipal)},
		{"notPrincipals", patternsInto(func(r *rule) *[]pattern { return &r.notPrincipals }, parsePrincipal)},
		{"requestPrincipals", patternsInto(func(r *rule) *[]pattern { return &r.reqPrincipals }, parseString)},
		{"notRequestPrincipals", patternsInto(func(r *rule) *[]pattern { return &r.notReqPrincipals }, parseString)},
	})
}

func decodeTo(ps *problems, n *yaml.Node, r *rule) {
	fs := decodeSection(ps, n, "to", r, []field{
		{"methods", func(ps *problems, v *yaml.Node, f string, r *rule) { r.methods = items(ps, v, f, methodItem) }},
		{"notMethods", func(ps *problems, v *yaml.Node, f string, r *rule) { r.notMethods = items(ps, v, f, methodItem) }},
		{"paths", patternsInto(func(r *rule) *[]pattern { return &r.paths }, parsePath)},
		{"notPaths", patternsInto(func(r *rule) *[]pattern { return &r.notPaths }, parsePath)},
		{"grpcMethods", patternsInto(func(r *rule) *[]pattern { return &r.grpc }, parseGRPCMethod)},
		{"notGrpcMethods", patternsInto(func(r *rule) *[]pattern { return &r.notGRPC }, parseGRPCMethod)},
		{"hosts", patternsInto(func(r *rule) *[]pattern { return &r.hosts }, parseHost)},
		{"notHosts", patternsInto(func(r *rule) *[]pattern { return &r.notHosts }, parseHost)},
		{"ports", func(ps *problems, v *yaml.Node, f string, r *rule) { r.ports = items(ps, v, f, portItem) }},
		{"notPorts", func(ps *problems, v *yaml.Node, f string, r *rule) { r.notPorts = items(ps, v, f, portItem) }},
	})
	if has(fs, "methods", "notMethods", "paths", "notPaths") && has(fs, "grpcMethods", "notGrpcMethods") {
		ps.add(n, "to", "HTTP fields (methods, paths) and gRPC fields (grpcMethods) cannot share a rule; write two rules")
	}
}

// methodItem reads an HTTP method.
func methodItem(ps *problems, it *yaml.Node, f string) (string, bool) {
	s, ok := str(ps, it, f)
	switch {
	case !ok:
	case !isToken(s):
		ps.add(it, f, "%q is not an HTTP method", s)
	case s != strings.ToUpper(s):
		ps.add(it, f, "%q: methods are case-sensitive; write %q", s, strings.ToUpper(s))
	default:
		return s, true
	}
	return "", false
}

// portItem reads a port number.
func portItem(ps *problems, it *yaml.Node, f string) (int, bool) {
	v, ok := integer(ps, it, f)
	if ok && (v < 1 || v > 65535) {
		ps.add(it, f, "port %d out of range 1-65535", v)
		return 0, false
	}
	return v, ok
}

func decodeCondition(ps *problems, n *yaml.Node, field string) (condition, bool) {
	before := len(ps.list)
	fs := fields(ps, n, field, "claim", "header", "values", "notValues")
	if fs == nil {
		return condition{}, false
	}
	var c condition
	cv, hasClaim := fs["claim"]
	hv, hasHeader := fs["header"]
	switch {
	case hasClaim == hasHeader:
		ps.add(n, field, "want exactly one of claim or header")
	case hasClaim:
		if s, ok := str(ps, cv, field+".claim"); ok {
			if s == "" || hasControl(s) {
				ps.add(cv, field+".claim", "want a claim name")
			}
			c.claim = s
		}
	default:
		if s, ok := str(ps, hv, field+".header"); ok {
			switch {
			case strings.EqualFold(s, "Host") || strings.EqualFold(s, ":authority"):
				// net/http moves Host out of the header map and gRPC keeps
				// :authority apart, so such a condition would never match.
				ps.add(hv, field+".header", "%q cannot be matched as a header; use to.hosts", s)
			case !isToken(s) || strings.HasPrefix(s, ":"):
				ps.add(hv, field+".header", "%q is not a header name", s)
			}
			c.header = textproto.CanonicalMIMEHeaderKey(s)
			c.mdKey = strings.ToLower(s)
		}
	}
	v, hasValues := fs["values"]
	nv, hasNot := fs["notValues"]
	if !hasValues && !hasNot {
		ps.add(n, field, "want values, notValues or both")
	}
	if hasValues {
		c.values = items(ps, v, field+".values", conditionValue)
	}
	if hasNot {
		c.notValues = items(ps, nv, field+".notValues", conditionValue)
	}
	return c, len(ps.list) == before
}

// conditionValue accepts strings, and numbers and booleans in canonical
// JSON form (see canonicalValue), since claims carry all three.
func conditionValue(ps *problems, it *yaml.Node, f string) (pattern, bool) {
	if it.Kind != yaml.ScalarNode || (it.Tag != "!!str" && it.Tag != "!!int" && it.Tag != "!!bool" && it.Tag != "!!float") {
		ps.add(it, f, "want a string, number or boolean, got %s", kindName(it))
		return pattern{}, false
	}
	v, err := canonicalValue(it)
	if err != nil {
		ps.add(it, f, "%v", err)
		return pattern{}, false
	}
	p, err := parseString(v)
	if err != nil {
		ps.add(it, f, "%v", err)
		return pattern{}, false
	}
	return p, true
}

// isToken reports whether s is an RFC 9110 token (method or header name).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

func has(fs map[string]*yaml.Node, keys ...string) bool {
	for _, k := range keys {
		if _, ok := fs[k]; ok {
			return true
		}
	}
	return false
}

// ruleName returns the name a rule mapping declares, if it is a string.
func ruleName(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "name" && v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
			return v.Value
		}
	}
	return ""
}
