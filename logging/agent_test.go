package logging

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The shipped agent configurations must match what the handler writes.
func TestAgentConfigs(t *testing.T) {
	data, err := os.ReadFile("agent/otelcol-filelog.yaml")
	require.NoError(t, err)
	var cfg struct {
		Receivers map[string]struct {
			Include   []string `yaml:"include"`
			Exclude   []string `yaml:"exclude"`
			Operators []struct {
				Type      string `yaml:"type"`
				Timestamp struct {
					ParseFrom  string `yaml:"parse_from"`
					LayoutType string `yaml:"layout_type"`
					Layout     string `yaml:"layout"`
				} `yaml:"timestamp"`
				TraceID struct {
					ParseFrom string `yaml:"parse_from"`
				} `yaml:"trace_id"`
			} `yaml:"operators"`
		} `yaml:"receivers"`
		Service struct {
			Pipelines map[string]struct {
				Receivers []string `yaml:"receivers"`
			} `yaml:"pipelines"`
		} `yaml:"service"`
	}
	require.NoError(t, yaml.Unmarshal(data, &cfg))
	rcv, ok := cfg.Receivers["filelog/ztkit"]
	require.True(t, ok)
	assert.Equal(t, []string{"filelog/ztkit"}, cfg.Service.Pipelines["logs"].Receivers)
	assert.NotEmpty(t, rcv.Include)
	assert.Contains(t, rcv.Exclude[0], ".gz")
	require.NotEmpty(t, rcv.Operators)
	jp := rcv.Operators[0]
	assert.Equal(t, "json_parser", jp.Type)
	assert.Equal(t, "attributes.time", jp.Timestamp.ParseFrom)
	require.Equal(t, "gotime", jp.Timestamp.LayoutType)
	ts := string(appendTimestamp(nil, time.Date(2026, 12, 4, 14, 12, 34, 123e6, time.UTC)))
	parsed, err := time.Parse(jp.Timestamp.Layout, ts)
	require.NoError(t, err, "collector layout must parse %s", ts)
	assert.Equal(t, 123, parsed.Nanosecond()/1e6)
	assert.Equal(t, "trace_parser", rcv.Operators[1].Type)
	assert.Equal(t, "attributes.trace_id", rcv.Operators[1].TraceID.ParseFrom)

	fb, err := os.ReadFile("agent/fluent-bit.conf")
	require.NoError(t, err)
	parsers, err := os.ReadFile("agent/parsers.conf")
	require.NoError(t, err)
	input := section(string(fb), "INPUT")
	assert.Equal(t, "tail", input["Name"])
	assert.Equal(t, "ztkit_json", input["Parser"])
	assert.Equal(t, "parsers.conf", section(string(fb), "SERVICE")["Parsers_File"])
	p := section(string(parsers), "PARSER")
	assert.Equal(t, "ztkit_json", p["Name"])
	assert.Equal(t, "json", p["Format"])
	assert.Equal(t, "time", p["Time_Key"])
}

// section returns the key/value pairs of the first [name] section of a
// Fluent Bit classic configuration.
func section(conf, name string) map[string]string {
	out := map[string]string{}
	in := false
	for _, line := range strings.Split(conf, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			if in {
				return out
			}
			in = line == "["+name+"]"
		case in:
			k, v, _ := strings.Cut(line, " ")
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}
