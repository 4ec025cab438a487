package authz

import (
	"context"
	"log/slog"

	"github.com/ztkit/ztkit/logging"
)

// logDecision writes d as a security event. It checks the level before
// building attributes, so a disabled level costs no allocation.
func (a *Authorizer) logDecision(ctx context.Context, r *Request, d Decision) {
	if a.log == nil {
		return
	}
	ev, level, msg := logging.AuthzAllow, slog.LevelDebug, "request allowed"
	if !d.Allowed {
		ev, level, msg = logging.AuthzFail, slog.LevelWarn, "request denied"
		if d.DryRun {
			msg = "request would be denied (dry run)"
		}
	}
	if d.Reason == ReasonInvalidRequest {
		ev, msg = logging.InputValidationFail, "request rejected as ambiguous"
		if d.DryRun {
			msg = "request would be rejected as ambiguous (dry run)"
		}
	}
	if d.Audit != "" && level < slog.LevelInfo {
		level = slog.LevelInfo
	}
	if !a.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 10)
	if r != nil {
		if !r.PeerID.IsZero() {
			attrs = append(attrs, slog.String("peer", r.PeerID.String()))
		}
		if r.Claims != nil {
			attrs = append(attrs, slog.String("issuer", r.Claims.Issuer()), slog.String("subject", r.Claims.Subject()))
		}
		if r.GRPCMethod != "" {
			attrs = append(attrs, slog.String("operation", r.GRPCMethod))
		} else {
			attrs = append(attrs, slog.String("operation", r.Method+" "+r.Path))
		}
	}
	attrs = append(attrs, slog.String("reason", string(d.Reason)))
	if d.Rule != "" {
		attrs = append(attrs, slog.String("rule", d.Rule))
	}
	if d.Audit != "" {
		attrs = append(attrs, slog.String("audit_rule", d.Audit))
	}
	if d.Err != nil {
		attrs = append(attrs, slog.String("error", d.Err.Error()))
	}
	attrs = append(attrs, slog.Bool("dry_run", d.DryRun))
	logging.LogEvent(ctx, a.log, level, ev, msg, attrs...)
}
