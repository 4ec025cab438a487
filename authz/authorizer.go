package authz

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ztkit/ztkit/logging"
)

// ErrNoPolicy is returned by New and Swap for a nil policy: an authorizer
// always has a policy, and never falls back to allowing everything.
var ErrNoPolicy = errors.New("authz: no policy")

// Authorizer decides requests against a compiled policy. It is safe for
// concurrent use; Swap replaces the policy atomically, so every decision
// sees either the old policy or the new one, never a mix.
type Authorizer struct {
	eng    atomic.Pointer[engine]
	log    *slog.Logger
	dryRun bool

	// The gRPC status errors are built once; they never change.
	errDenied, errInvalid error
}

// Option configures an Authorizer.
type Option func(*Authorizer)

// WithLogger logs every decision and policy change through l as security
// events: denials (authz_fail) at Warn, allows (authz_allow) at Debug,
// matched audit rules at Info, policy changes (authz_change) at Info and
// rejected reloads at Error. Without it nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(a *Authorizer) { a.log = l }
}

// WithDryRun makes the authorizer report decisions without enforcing
// them: Decide still returns the verdict and logs it, and the middleware
// and interceptors let every request through. Use it to roll out a policy.
func WithDryRun() Option {
	return func(a *Authorizer) { a.dryRun = true }
}

// New compiles p into an Authorizer.
func New(p *Policy, opts ...Option) (*Authorizer, error) {
	a := &Authorizer{
		errDenied:  status.Error(codes.PermissionDenied, msgDenied),
		errInvalid: status.Error(codes.InvalidArgument, msgInvalid),
	}
	for _, o := range opts {
		if o != nil {
			o(a)
		}
	}
	if err := a.swap(p, "new"); err != nil {
		return nil, err
	}
	return a, nil
}

// Swap compiles p and makes it the policy for every later decision.
func (a *Authorizer) Swap(p *Policy) error {
	return a.swap(p, "swap")
}

func (a *Authorizer) swap(p *Policy, how string) error {
	if a == nil || p == nil {
		return ErrNoPolicy
	}
	a.eng.Store(compile(p))
	logging.LogEvent(context.Background(), a.log, slog.LevelInfo, logging.AuthzChange, "authorization policy loaded",
		slog.String("how", how), slog.Int("rules", p.Len()), slog.Bool("dry_run", a.dryRun))
	return nil
}

// Policy returns the policy in force.
func (a *Authorizer) Policy() *Policy {
	if a == nil {
		return nil
	}
	if e := a.eng.Load(); e != nil {
		return e.policy
	}
	return nil
}

// Decide decides r: any matching deny rule denies, else any matching allow
// rule allows, else the request is denied. An ambiguous path, a malformed
// gRPC method or a nil r is denied with ReasonInvalidRequest. Decide does
// not allocate unless it logs.
func (a *Authorizer) Decide(ctx context.Context, r *Request) Decision {
	if a == nil {
		return Decision{Reason: ReasonNoPolicy}
	}
	return a.decideWith(ctx, a.eng.Load(), r)
}

// decideWith is Decide against e, the engine the caller loaded once: a
// caller that builds the request for a particular policy decides with that
// same policy, even when Swap replaces it in between.
func (a *Authorizer) decideWith(ctx context.Context, e *engine, r *Request) Decision {
	if e == nil {
		return Decision{Reason: ReasonNoPolicy, DryRun: a.dryRun}
	}
	var opBuf, peerBuf, rpBuf [256]byte
	d := e.decide(r, opBuf[:0], peerBuf[:0], rpBuf[:0])
	d.DryRun = a.dryRun
	a.logDecision(ctx, r, d)
	return d
}

func (e *engine) decide(r *Request, opBuf, peerBuf, rpBuf []byte) Decision {
	if r == nil {
		return Decision{Reason: ReasonInvalidRequest, Err: errors.New("authz: nil request")}
	}
	s := search{e: e, method: r.Method, host: hostOnly(r.Host), port: r.Port, header: r.Header, md: r.Metadata}
	if r.GRPCMethod != "" {
		if _, _, ok := splitFullMethod(r.GRPCMethod); !ok {
			return Decision{Reason: ReasonInvalidRequest, Err: errors.New("authz: malformed gRPC method")}
		}
		s.grpc = true
		s.op = append(opBuf, r.GRPCMethod...)
	} else {
		p, err := cleanPath(r.Path, opBuf)
		if err != nil {
			return Decision{Reason: ReasonInvalidRequest, Err: err}
		}
		s.op = matchKey(p)
	}
	if !r.PeerID.IsZero() {
		s.hasPeer = true
		s.peer = append(peerBuf, r.PeerID.String()...)
	}
	if r.Claims != nil {
		s.hasRP = true
		s.rp = append(append(append(rpBuf, r.Claims.Issuer()...), '/'), r.Claims.Subject()...)
	}
	var d Decision
	if pos := s.scan(&e.deny, r.Claims); pos != none {
		d = Decision{Reason: ReasonDenyRule, Rule: e.rules[pos].name}
	} else if pos := s.scan(&e.allow, r.Claims); pos != none {
		d = Decision{Allowed: true, Reason: ReasonAllowRule, Rule: e.rules[pos].name}
	} else {
		d = Decision{Reason: ReasonNoMatch}
	}
	if pos := s.scan(&e.audit, r.Claims); pos != none {
		d.Audit = e.rules[pos].name
	}
	return d
}

// hostOnly strips a port from host.
func hostOnly(host string) string {
	i := strings.LastIndexByte(host, ':')
	if i < 0 || strings.LastIndexByte(host, ']') > i {
		return host
	}
	return host[:i]
}
