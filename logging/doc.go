// Package logging writes structured, sanitised security logs to local
// files, for a separate agent to ship.
//
// A service logs to a file on its own disk, not over the network, so that a
// logging outage or attack loses nothing; the records are JSON lines with
// passwords, keys and tokens removed before they are encoded. The happy
// path is one call:
//
//	l, err := logging.New(logging.Config{File: logging.FileOptions{Path: "/var/log/orders/orders.log"},
//		Handler: logging.HandlerOptions{Service: "orders", Version: version}})
//	defer l.Close()
//	l.InfoContext(ctx, "order placed", "order_id", id) // l embeds *slog.Logger
//
// The pieces also stand alone: NewHandler is the sanitising slog.Handler
// for any io.Writer, OpenFile the file sink for any handler, AccessLog and
// UnaryServerInterceptor / StreamServerInterceptor the access log for
// net/http and gRPC, and LogEvent writes security events in the OWASP
// logging vocabulary (authn_token_invalid, authz_fail, ...). The access
// record names the token subject even though the layer that verifies the
// token runs inside the access log: LogEvent hands the principal in its
// context to the enclosing access record, and AddAccessAttrs adds any
// other attribute to it.
//
// # Security defaults
//
// Redaction by key: a value is replaced by [REDACTED:key] when its key, at
// any depth of groups, maps, structs and JSON from a json.Marshaler,
// contains password, secret, token, apikey, authorization, cookie,
// session, credential, privatekey, ... after lower-casing and dropping
// separators ("X-Api-Key", "api_key" and "apiKey" all match); see
// DefaultRedactKeys, HandlerOptions.RedactKeys and AllowKeys. A struct
// field tagged `log:"redact"` is always redacted, one tagged `log:"-"`
// left out.
//
// Redaction by type, at any depth of structs, maps, slices and pointers:
// private keys (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey,
// *ecdh.PrivateKey, and any value or pointer that is a crypto.Signer,
// crypto.Decrypter or crypto.Decapsulator, such as a KMS or HSM handle) log
// as [REDACTED:private_key], never their fields nor their LogValue; a
// url.URL, by value or pointer, and a *url.Userinfo log as text with the
// password replaced by [REDACTED:url_password].
//
// Redaction by value shape, in every string including the message, keys,
// errors, fmt.Stringers and marshalled JSON: JWTs and JWEs (also right
// after a percent escape, as in %22eyJ...) ([REDACTED:jwt]), Bearer and
// Basic credentials (after an Authorization key whatever their shape;
// elsewhere a Bearer credential of 8 or more characters unless it is a
// lower-case word followed by more words), PEM private keys, passwords in
// URL userinfo (a raw '/' included), secret-named query parameters and
// key=value pairs ("password=x", "password = x", `"password" : "x"`), and the
// well-known token formats of AWS, GitHub, GitLab, Slack, Stripe, Google,
// OpenAI, Anthropic, npm, PyPI, SendGrid, Twilio, Shopify, Vault and
// others. Payment card numbers (Luhn-checked) with
// HandlerOptions.RedactCardNumbers. The mark names the kind of secret,
// never the secret or a hash of it. A Secret always logs as
// [REDACTED:secret], through any handler and any fmt verb.
//
// The scan is one pass over each string that looks for cheap triggers and
// validates a shape only then; the JSON is encoded into a pooled buffer.
// A record with nothing to redact costs no allocation beyond slog's own and
// about the time slog.JSONHandler takes for it.
//
// Log injection: control characters (newlines, ANSI escapes, C1 codes),
// U+2028, U+2029, bidirectional overrides and invalid UTF-8 are escaped in
// messages, keys and values, so one record is always exactly one line.
// Every record carries the OpenTelemetry trace_id and span_id of the
// context's span, a UTC RFC 3339 time, and the configured service, version
// and host.
//
// Files: the directory is created 0700 and the files 0600 (0750/0640 on
// request, for an agent's group; never wider), opened with O_APPEND and
// without following symlinks. Records are buffered for at most
// FlushInterval and written by one goroutine; a record is never split
// across write calls, so writers in several goroutines or processes never
// interleave. Files rotate by size and time, are kept by count and age and
// may be gzipped. A full or stuck disk never blocks a caller longer than
// WriteTimeout and never panics: records are dropped, counted
// (File.Stats) and reported in the file once it is writable again. Close
// waits a few seconds at most: it returns an error on a stuck disk, aborts
// the compression or pruning of rotated files still under way (the next
// OpenFile finishes it), and every goroutine of the File ends by then or,
// if stuck in a system call on the disk, as soon as that call returns. If the
// process is killed inside write(2) the kernel may cut that write at a page
// boundary; the next open of the file removes the torn fragment.
//
// # Shipping the files
//
// The agent directory holds ready configurations for an agent that tails
// the files: agent/otelcol-filelog.yaml for the OpenTelemetry Collector's
// filelog receiver (json_parser with the timestamp layout, severity
// mapping, trace_parser, service.name as a resource attribute, offsets in
// file_storage) and agent/fluent-bit.conf with agent/parsers.conf for
// Fluent Bit's tail input. Both follow rotated files and skip the .gz
// archives; adjust the paths and the exporter endpoint.
package logging
