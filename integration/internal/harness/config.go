package harness

import (
	"bytes"
	"embed"
	"os"
	"testing"
	"text/template"
)

//go:embed templates
var templatesFS embed.FS

// Template returns the text of one of the configuration templates
// (spire-server.conf, spire-agent.conf, otelcol.yaml).
func Template(name string) (string, error) {
	b, err := templatesFS.ReadFile("templates/" + name)
	return string(b), err
}

// writeConfig renders templates/name with data into path.
func writeConfig(t testing.TB, name, path string, data any) {
	t.Helper()
	text, err := Template(name)
	if err != nil {
		t.Fatalf("harness: template %s: %v", name, err)
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		t.Fatalf("harness: template %s: %v", name, err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		t.Fatalf("harness: template %s: %v", name, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatalf("harness: %v", err)
	}
}
