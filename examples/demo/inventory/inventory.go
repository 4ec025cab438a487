// Package inventory is the demo's stock service: HTTP over SPIFFE mutual
// TLS, with the full ztkit stack in front of its handler.
package inventory

import (
	_ "embed"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/spiffe/go-spiffe/v2/spiffeid"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/examples/demo/internal/required"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/tracing"
)

// DefaultPolicy allows only spiffe://example.org/orders to reserve stock.
//
//go:embed policy.yaml
var DefaultPolicy []byte

// Config is what the inventory service is built from.
type Config struct {
	Addr        string
	Source      mtls.Source          // this workload's SVID and bundles
	TrustDomain spiffeid.TrustDomain // whose workloads may connect; the policy decides the rest
	Verifier    *jwtauth.Verifier    // verifies the user token that orders forwards
	Authorizer  *authz.Authorizer    // decides on peer ID, claims and operation
	Logger      *slog.Logger
	Tracing     *tracing.Forwarder
}

// New returns the inventory server; serve it with ServeTLS(ln, "", "").
// The handler chain is, outermost first: mTLS (in the server), trace
// extraction, access log, token verification, authorisation.
func New(cfg Config) (*http.Server, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/reserve", reserve(cfg.Logger))

	var h http.Handler = mux
	h = authz.Middleware(cfg.Authorizer)(h)
	h = jwtauth.Middleware(cfg.Verifier)(h)
	h = logging.AccessLog(cfg.Logger)(h)
	h = cfg.Tracing.Middleware(h)
	return mtls.NewHTTPServer(cfg.Addr, h, cfg.Source, mtls.AuthorizeTrustDomain(cfg.TrustDomain)), nil
}

func reserve(logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		item := r.URL.Query().Get("item")
		caller, _ := mtls.PeerIDFromRequest(r)
		claims, _ := jwtauth.ClaimsFromContext(r.Context())
		logger.InfoContext(r.Context(), "stock reserved",
			slog.String("item", item), slog.String("for_user", claims.Subject()), slog.String("via", caller.String()))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"item": item, "reserved": 1})
	}
}

// check names every required field that is missing.
func (cfg Config) check() error {
	return required.Check("inventory",
		required.Field{Name: "Source", Set: cfg.Source != nil},
		required.Field{Name: "Verifier", Set: cfg.Verifier != nil},
		required.Field{Name: "Authorizer", Set: cfg.Authorizer != nil},
		required.Field{Name: "Logger", Set: cfg.Logger != nil},
		required.Field{Name: "Tracing", Set: cfg.Tracing != nil},
	)
}
