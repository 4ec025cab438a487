package jwtauth

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSONObjectMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{}`, ` { "a" : 1 } `, `{"a":[1,2.5,-3e2,true,false,null,"x",{"b":{}}]}`,
		`{"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, `{"lone":"\ud800x","pair":"\ud800\u0041"}`,
		`{"e":1E+2,"f":-0.0,"g":0}`, `{"u":"héllo ✓"}`, `{"a":{"a":{"a":1}}}`,
	} {
		var want map[string]any
		require.NoError(t, json.Unmarshal([]byte(in), &want), in)
		got, err := parseJSONObject([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}

func TestParseJSONObjectRejects(t *testing.T) {
	for in, want := range map[string]string{
		``:                    "not a JSON object",
		`[]`:                  "not a JSON object",
		`{"a":1,"a":2}`:       "duplicate key",
		`{"a":1,"\u0061":2}`:  "duplicate key",
		`{"a":{"b":1,"b":1}}`: "duplicate key",
		`{"a":1}x`:            "data after",
		`{"a":01}`:            "expected ','",
		`{"a":1.}`:            "invalid number",
		`{"a":.5}`:            "unexpected character",
		`{"a":1e}`:            "invalid number",
		`{"a":tru}`:           "invalid literal",
		`{"a":"\x"}`:          "invalid escape",
		`{"a":"\u12"}`:        "invalid \\u escape",
		`{"a":"abc`:           "unterminated string",
		`{"a":[1,2}`:          "expected ','",
		`{"a" 1}`:             "expected ':'",
		`{a:1}`:               "expected an object key",
		`{"a":1,}`:            "expected an object key",
		"{\"a\":\"\xc3\"}":    "invalid UTF-8",
		"{\"a\":\"\\n\xff\"}": "invalid UTF-8",
		"{\"a\":\"\t\"}":      "control character",
		`{"a":1e400}`:         "out of range",
		strings.Repeat(`{"a":`, 40) + `1` + strings.Repeat(`}`, 40): "nested deeper",
	} {
		_, err := parseJSONObject([]byte(in))
		if assert.Error(t, err, in) {
			assert.Contains(t, err.Error(), want, in)
		}
	}
}

// hasDuplicateKey is a reference duplicate detector built on encoding/json's
// token stream.
func hasDuplicateKey(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		obj     bool
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.wantKey {
			if k, ok := tok.(string); ok {
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.wantKey = false
				continue
			}
		}
		if top != nil && top.obj {
			top.wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return false
			}
			if p := stack[len(stack)-1]; p.obj {
				p.wantKey = true
			}
		}
	}
}

func FuzzParseJSONObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,{"b":"\u00e9"}],"c":null}`, `{"a":1,"a":2}`, `{"x":"\ud800"}`, `{"n":-1.5e3}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseJSONObject(bytes.Clone(data)) // got aliases its input
		p := jsonParser{data: data}
		walkErr := p.members(func(string) error { _, err := p.value(); return err })
		if (err == nil) != (walkErr == nil) {
			t.Fatalf("member walk differs on %q: %v / %v", data, err, walkErr)
		}
		var want map[string]any
		stdErr := json.Unmarshal(data, &want)
		if err == nil {
			if stdErr != nil {
				t.Fatalf("accepted what encoding/json rejects: %q: %v", data, stdErr)
			}
			if !assert.ObjectsAreEqual(want, got) {
				t.Fatalf("decoded %q differently:\n got %#v\nwant %#v", data, got, want)
			}
			return
		}
		if stdErr == nil && want != nil {
			// Rejections encoding/json does not make must be ours on purpose.
			msg := err.Error()
			switch {
			case strings.Contains(msg, "duplicate key"):
				if !hasDuplicateKey(data) {
					t.Fatalf("claimed a duplicate in %q", data)
				}
			case strings.Contains(msg, "invalid UTF-8"):
				if utf8.Valid(data) {
					t.Fatalf("claimed invalid UTF-8 in %q", data)
				}
			case strings.Contains(msg, "nested deeper"):
			default:
				t.Fatalf("rejected %q that encoding/json accepts: %v", data, err)
			}
		}
	})
}
