package authz

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrInvalidPolicy is wrapped by every error about the content of a policy
// file: syntax, unknown fields, bad values. The message names the rule, the
// field and the line.
var ErrInvalidPolicy = errors.New("authz: invalid policy")

// maxPolicySize bounds a policy file, so that a runaway file cannot exhaust
// memory while it is parsed.
const maxPolicySize = 16 << 20

// action is what a matching rule does.
type action uint8

const (
	actionAllow action = iota + 1
	actionDeny
	actionAudit
)

func (a action) String() string {
	switch a {
	case actionAllow:
		return "allow"
	case actionDeny:
		return "deny"
	case actionAudit:
		return "audit"
	}
	return "unknown"
}

// Policy is a validated authorisation policy: an ordered list of named
// rules. It is immutable; New compiles it into an Authorizer. The only ways
// to make one are ParsePolicy and LoadPolicy, so a Policy is always valid.
type Policy struct {
	version int
	rules   []rule
}

// rule is one validated policy rule. Fields are ANDed, the values of one
// field are ORed; an empty field does not constrain the request.
type rule struct {
	name   string
	line   int
	action action

	principals, notPrincipals       []pattern
	reqPrincipals, notReqPrincipals []pattern

	methods, notMethods []string
	paths, notPaths     []pattern
	grpc, notGRPC       []pattern
	hosts, notHosts     []pattern
	ports, notPorts     []int

	when []condition
}

// condition is one entry of a rule's when list.
type condition struct {
	claim     string // claim name, or "" for a header condition
	header    string // canonical HTTP header name
	mdKey     string // lower-case gRPC metadata key
	values    []pattern
	notValues []pattern
}

// Len returns the number of rules in p.
func (p *Policy) Len() int {
	if p == nil {
		return 0
	}
	return len(p.rules)
}

// Version returns the policy format version the file declared.
func (p *Policy) Version() int {
	if p == nil {
		return 0
	}
	return p.version
}

// LoadPolicy reads and parses the policy file at path (YAML or JSON).
func LoadPolicy(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("authz: load policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("authz: load policy: %w", err)
	}
	return parsePolicy(data, path)
}
