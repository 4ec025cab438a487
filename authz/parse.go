package authz

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxProblems bounds how many problems one error lists.
const maxProblems = 20

// PolicyError is one problem found in a policy file. It is reported inside
// an error that wraps ErrInvalidPolicy; errors.As finds the first one.
type PolicyError struct {
	File  string // the file name, empty for ParsePolicy
	Line  int    // 1-based line, 0 when unknown
	Rule  string // the rule's name, empty outside a rule
	Field string // the field path, e.g. "to.paths[1]"
	Msg   string
}

func (e *PolicyError) Error() string {
	var b bytes.Buffer
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(": ")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// problems collects PolicyErrors while a file is walked.
type problems struct {
	file string
	rule string
	list []error
}

func (ps *problems) add(n *yaml.Node, field, format string, args ...any) {
	if len(ps.list) >= maxProblems {
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	ps.list = append(ps.list, &PolicyError{File: ps.file, Line: line, Rule: ps.rule, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b error) int {
		return cmp.Compare(a.(*PolicyError).Line, b.(*PolicyError).Line)
	})
	return fmt.Errorf("%w: %w", ErrInvalidPolicy, errors.Join(ps.list...))
}

// ParsePolicy parses and validates a policy written in YAML or JSON. It is
// strict: unknown fields, duplicate keys, wrong types and bad values are
// all errors, reported together with the rule name and line of each.
func ParsePolicy(data []byte) (*Policy, error) {
	return parsePolicy(data, "")
}

func parsePolicy(data []byte, file string) (p *Policy, err error) {
	ps := &problems{file: file}
	if len(data) > maxPolicySize {
		ps.add(nil, "", "larger than %d bytes", maxPolicySize)
		return nil, ps.err()
	}
	root, perr := parseNode(data)
	if perr != nil {
		ps.add(nil, "", "%v", perr)
		return nil, ps.err()
	}
	p = decodePolicy(root, ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// parseNode parses data into a YAML node tree. JSON input is checked as
// JSON first, so that JSON files get JSON's strictness, and then read
// through the YAML parser for line numbers.
func parseNode(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The YAML parser is not expected to panic; if it does on some
		// input, that input is rejected rather than crashing the caller.
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("unparsable input")
		}
	}()
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if !json.Valid(data) {
			var v any
			return nil, fmt.Errorf("invalid JSON: %v", json.Unmarshal(data, &v))
		}
		// JSON allows tabs between tokens where YAML does not; inside
		// valid JSON a raw tab can only be such whitespace.
		data = bytes.ReplaceAll(data, []byte{'\t'}, []byte{' '})
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("empty policy file; want at least \"version: %d\"", currentVersion)
		}
		return nil, fmt.Errorf("syntax: %v", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("line %d: more than one YAML document", extra.Line)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("empty policy file; want at least \"version: 1\"")
	}
	return doc.Content[0], nil
}

// fields returns the keys of mapping node n, checking that it is a mapping,
// that every key is known and that none repeats.
func fields(ps *problems, n *yaml.Node, field string, known ...string) map[string]*yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		ps.add(n, field, "YAML anchors and aliases are not supported")
		return nil
	}
	if n.Kind != yaml.MappingNode {
		ps.add(n, field, "want a mapping, got %s", kindName(n))
		return nil
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := join(field, k.Value)
		if k.Kind != yaml.ScalarNode {
			ps.add(k, field, "keys must be strings")
			continue
		}
		if !contains(known, k.Value) {
			ps.add(k, name, "unknown field (known: %v)", known)
			continue
		}
		if _, dup := out[k.Value]; dup {
			ps.add(k, name, "duplicate field")
			continue
		}
		if v.Kind == yaml.AliasNode || v.Anchor != "" {
			ps.add(v, name, "YAML anchors and aliases are not supported")
			continue
		}
		out[k.Value] = v
	}
	return out
}

// str returns the string scalar n.
func str(ps *problems, n *yaml.Node, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		ps.add(n, field, "want a string, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// integer returns the integer scalar n.
func integer(ps *problems, n *yaml.Node, field string) (int, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		ps.add(n, field, "want an integer, got %s", kindName(n))
		return 0, false
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil {
		ps.add(n, field, "want an integer, got %q", n.Value)
		return 0, false
	}
	return v, true
}

// seq returns the items of sequence node n; an empty list is an error, as
// it would silently turn a constraint off.
func seq(ps *problems, n *yaml.Node, field string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		ps.add(n, field, "want a list, got %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		ps.add(n, field, "empty list; remove the field instead")
		return nil
	}
	for _, it := range n.Content {
		if it.Kind == yaml.AliasNode || it.Anchor != "" {
			ps.add(it, field, "YAML anchors and aliases are not supported")
			return nil
		}
	}
	return n.Content
}

// items reads the list n with one, keeping the items it accepts; one
// reports its own problems.
func items[T any](ps *problems, n *yaml.Node, field string, one func(ps *problems, it *yaml.Node, f string) (T, bool)) []T {
	list := seq(ps, n, field)
	out := make([]T, 0, len(list))
	for i, it := range list {
		if v, ok := one(ps, it, fmt.Sprintf("%s[%d]", field, i)); ok {
			out = append(out, v)
		}
	}
	return out
}

// patterns reads a list of strings as patterns with parse.
func patterns(ps *problems, n *yaml.Node, field string, parse func(string) (pattern, error)) []pattern {
	return items(ps, n, field, func(ps *problems, it *yaml.Node, f string) (pattern, bool) {
		s, ok := str(ps, it, f)
		if !ok {
			return pattern{}, false
		}
		p, err := parse(s)
		if err != nil {
			ps.add(it, f, "%v", err)
			return pattern{}, false
		}
		return p, true
	})
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!str":
			return fmt.Sprintf("string %q", n.Value)
		}
		return fmt.Sprintf("%s %s", strings.TrimPrefix(n.Tag, "!!"), n.Value)
	}
	return "nothing"
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
