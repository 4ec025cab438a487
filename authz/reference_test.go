package authz

import (
	"encoding/json"
	"strconv"
	"strings"
)

// The reference evaluator below restates the documented semantics as
// plainly as possible, straight from the patterns as written in the
// policy, rule by rule in order. It shares no matching code with the
// engine, so the differential fuzz test compares two readings of the docs.

type refResult struct {
	Allowed bool
	Reason  Reason
	Rule    string
	Audit   string
}

func refOf(d Decision) refResult {
	return refResult{Allowed: d.Allowed, Reason: d.Reason, Rule: d.Rule, Audit: d.Audit}
}

func refDecide(p *Policy, r *Request) refResult {
	var op string
	grpcReq := r.GRPCMethod != ""
	if grpcReq {
		parts := strings.Split(r.GRPCMethod, "/")
		if len(parts) != 3 || parts[0] != "" || parts[1] == "" || parts[2] == "" {
			return refResult{Reason: ReasonInvalidRequest}
		}
		op = r.GRPCMethod
	} else {
		clean, err := NormalizePath(r.Path)
		if err != nil {
			return refResult{Reason: ReasonInvalidRequest}
		}
		op = clean
		if len(op) > 1 {
			op = strings.TrimSuffix(op, "/")
		}
	}
	firstOf := func(a action) string {
		for i := range p.rules {
			if p.rules[i].action == a && refRule(&p.rules[i], r, grpcReq, op) {
				return p.rules[i].name
			}
		}
		return ""
	}
	var res refResult
	if name := firstOf(actionDeny); name != "" {
		res = refResult{Reason: ReasonDenyRule, Rule: name}
	} else if name := firstOf(actionAllow); name != "" {
		res = refResult{Allowed: true, Reason: ReasonAllowRule, Rule: name}
	} else {
		res = refResult{Reason: ReasonNoMatch}
	}
	res.Audit = firstOf(actionAudit)
	return res
}

// refField applies "values ORed; a positive list needs a present value, a
// not list is passed by an absent one".
func refField(pos, neg []pattern, present bool, match func(raw string) bool) bool {
	if len(pos) > 0 {
		if !present {
			return false
		}
		ok := false
		for _, p := range pos {
			ok = ok || match(p.raw)
		}
		if !ok {
			return false
		}
	}
	if present {
		for _, p := range neg {
			if match(p.raw) {
				return false
			}
		}
	}
	return true
}

func refRule(ru *rule, r *Request, grpcReq bool, op string) bool {
	peer := r.PeerID.String()
	if !refField(ru.principals, ru.notPrincipals, !r.PeerID.IsZero(), func(raw string) bool { return refPrincipal(raw, peer) }) {
		return false
	}
	rp := ""
	if r.Claims != nil {
		rp = r.Claims.Issuer() + "/" + r.Claims.Subject()
	}
	if !refField(ru.reqPrincipals, ru.notReqPrincipals, r.Claims != nil, func(raw string) bool { return refString(raw, rp) }) {
		return false
	}
	methods := func(l []string) []pattern {
		out := make([]pattern, len(l))
		for i, m := range l {
			out[i] = pattern{raw: m}
		}
		return out
	}
	if !refField(methods(ru.methods), methods(ru.notMethods), !grpcReq && r.Method != "", func(raw string) bool {
		return raw == r.Method || (raw == "GET" && r.Method == "HEAD") // ServeMux serves HEAD with GET handlers.
	}) {
		return false
	}
	if !refField(ru.paths, ru.notPaths, !grpcReq, func(raw string) bool { return refPath(raw, op) }) {
		return false
	}
	if !refField(ru.grpc, ru.notGRPC, grpcReq, func(raw string) bool { return refGRPC(raw, op) }) {
		return false
	}
	host := strings.ToLower(r.Host)
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	if !refField(ru.hosts, ru.notHosts, host != "", func(raw string) bool { return refString(strings.ToLower(raw), host) }) {
		return false
	}
	ports := func(l []int) []pattern {
		out := make([]pattern, len(l))
		for i, n := range l {
			out[i] = pattern{raw: strconv.Itoa(n)}
		}
		return out
	}
	if !refField(ports(ru.ports), ports(ru.notPorts), r.Port != 0, func(raw string) bool { return raw == strconv.Itoa(r.Port) }) {
		return false
	}
	for _, c := range ru.when {
		vals, present := refValues(c, r)
		any := func(raw string) bool {
			for _, v := range vals {
				if refString(raw, v) {
					return true
				}
			}
			return false
		}
		if !refField(c.values, c.notValues, present, any) {
			return false
		}
	}
	return true
}

// refValues lists a condition's request values as text.
func refValues(c condition, r *Request) ([]string, bool) {
	if c.claim == "" {
		var vals []string
		if r.Header != nil {
			for k, v := range r.Header {
				if strings.EqualFold(k, c.header) {
					vals = append(vals, v...)
				}
			}
		} else if r.Metadata != nil {
			vals = r.Metadata.Get(c.header)
		}
		return vals, true // An absent header has no value to match.
	}
	if r.Claims == nil {
		return nil, false
	}
	v, ok := r.Claims.Get(c.claim)
	if !ok || v == nil {
		return nil, false
	}
	text := func(v any) (string, bool) {
		switch v := v.(type) {
		case string:
			return v, true
		case bool:
			return strconv.FormatBool(v), true
		case float64:
			// Numbers compare by the JSON text encoding/json writes; policy
			// numbers were brought to that form when parsed.
			if v == 0 {
				v = 0 // -0 is 0
			}
			b, err := json.Marshal(v)
			return string(b), err == nil
		case int:
			return strconv.Itoa(v), true
		case int64:
			return strconv.FormatInt(v, 10), true
		}
		return "", false
	}
	switch v := v.(type) {
	case string:
		if c.claim == "scope" {
			return strings.Fields(v), true
		}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := text(e); ok {
				out = append(out, s)
			}
		}
		return out, true
	case []string:
		return v, true
	}
	s, ok := text(v)
	if !ok {
		return nil, true
	}
	return []string{s}, true
}

func refString(raw, v string) bool {
	switch {
	case raw == "*":
		return v != ""
	case strings.HasPrefix(raw, "*"):
		return strings.HasSuffix(v, raw[1:])
	case strings.HasSuffix(raw, "*"):
		return strings.HasPrefix(v, raw[:len(raw)-1])
	}
	return raw == v
}

func refPrincipal(raw, peer string) bool {
	switch {
	case raw == "*":
		return peer != ""
	case strings.HasSuffix(raw, "/*"):
		return strings.HasPrefix(peer, raw[:len(raw)-1])
	case strings.Count(raw, "/") == 2: // spiffe://trust.domain
		return strings.HasPrefix(peer, raw+"/")
	}
	return raw == peer
}

func refPath(raw, key string) bool {
	switch {
	case raw == "*":
		return key != ""
	case strings.HasPrefix(raw, "*"):
		return strings.HasSuffix(key, raw[1:])
	case strings.HasSuffix(raw, "*"):
		pre := raw[:len(raw)-1]
		return strings.HasPrefix(key, pre) || (len(pre) > 1 && strings.HasSuffix(pre, "/") && key == strings.TrimSuffix(pre, "/"))
	}
	if len(raw) > 1 {
		raw = strings.TrimSuffix(raw, "/")
	}
	if !strings.Contains(raw, "{") {
		return raw == key
	}
	want, got := strings.Split(raw, "/"), strings.Split(key, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if strings.HasPrefix(want[i], "{") {
			if got[i] == "" {
				return false
			}
		} else if want[i] != got[i] {
			return false
		}
	}
	return true
}

func refGRPC(raw, method string) bool {
	switch {
	case raw == "*":
		return true
	case strings.HasSuffix(raw, "/*"):
		return strings.HasPrefix(method, raw[:len(raw)-1])
	}
	return raw == method
}
