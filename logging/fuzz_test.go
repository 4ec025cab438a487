package logging

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// FuzzOneLine: whatever the input, a record is one line of valid JSON and
// a value without secrets and with valid UTF-8 decodes back unchanged.
func FuzzOneLine(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\u2028", "\x1b[31m", "Bearer abcdefgh1234", "https://u:p@h/",
		"password=x", `"token":"y"`, "-----BEGIN PRIVATE KEY-----", "eyJhbGciOi.eyJzdWIi.sig", "\xff\xfe"} {
		f.Add(s)
	}
	l, buf := capture(f, &HandlerOptions{RedactCardNumbers: true})
	f.Fuzz(func(t *testing.T, s string) {
		buf.Reset()
		l.Info(s, s, s, "v", s, "m", map[string]any{s: []string{s}})
		out := buf.Bytes()
		if bytes.Count(out, []byte{'\n'}) != 1 || out[len(out)-1] != '\n' {
			t.Fatalf("not one line: %q", out)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("invalid JSON %q: %v", out, err)
		}
		if utf8.ValidString(s) && !bytes.Contains(out, []byte(redactedPrefix)) && m["v"] != s {
			t.Fatalf("value changed: %q -> %q", s, m["v"])
		}
	})
}
