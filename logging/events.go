package logging

import (
	"context"
	"log/slog"
)

// Event names a security event in the OWASP logging vocabulary. Each record
// carries it under the "event" key so that a log pipeline can alert on it
// without parsing messages.
type Event string

// Security events that ztkit's packages emit.
const (
	// AuthnTokenMissing: a request that needed a token carried none.
	AuthnTokenMissing Event = "authn_token_missing"
	// AuthnTokenInvalid: a token was malformed, expired, forged or for
	// another audience.
	AuthnTokenInvalid Event = "authn_token_invalid"
	// AuthnTokenValid: a token was verified.
	AuthnTokenValid Event = "authn_token_valid"
	// AuthnPeerRejected: a TLS peer was refused during the handshake.
	AuthnPeerRejected Event = "authn_peer_rejected"
	// AuthzAllow: an authorisation decision allowed a request.
	AuthzAllow Event = "authz_allow"
	// AuthzFail: an authorisation decision denied a request.
	AuthzFail Event = "authz_fail"
	// AuthzChange: an authorisation policy was loaded or replaced.
	AuthzChange Event = "authz_change"
	// InputValidationFail: a request was rejected as ambiguous or malformed.
	InputValidationFail Event = "input_validation_fail"
	// KeysRefreshFail: signing keys could not be refreshed; the last good
	// keys stay in use.
	KeysRefreshFail Event = "sys_keys_refresh_fail"
	// LogRecordsDropped: the log file could not keep up and records were
	// dropped; the File writes this event itself once it can write again.
	LogRecordsDropped Event = "sys_log_records_dropped"
)

// LogEvent writes a security event through l at level, under the "event"
// key, with attrs after it. A nil l logs nothing, so packages can take an
// optional logger without checking it.
//
// Inside a request wrapped by AccessLog or the access interceptors,
// LogEvent also hands the token principal found in ctx to the request's
// access record, so the record names the subject even though the layer
// that verified the token sits inside the access log.
func LogEvent(ctx context.Context, l *slog.Logger, level slog.Level, ev Event, msg string, attrs ...slog.Attr) {
	noteAccess(ctx)
	if l == nil || !l.Enabled(ctx, level) {
		return
	}
	all := make([]slog.Attr, 0, len(attrs)+1)
	all = append(all, slog.String("event", string(ev)))
	all = append(all, attrs...)
	l.LogAttrs(ctx, level, msg, all...)
}
