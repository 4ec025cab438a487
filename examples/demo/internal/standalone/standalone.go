// Package standalone holds what the demo services' own commands share when
// they run alone against a real SPIFFE agent (SPIRE) and a real token
// issuer: flags, and building the source, logger, verifier, tracing and
// authorizer from them.
package standalone

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/ztkit/ztkit/authz"
	"github.com/ztkit/ztkit/jwtauth"
	"github.com/ztkit/ztkit/logging"
	"github.com/ztkit/ztkit/mtls"
	"github.com/ztkit/ztkit/tracing"
)

// Flags are the settings every service takes.
type Flags struct {
	Listen   string
	Socket   string
	Issuer   string
	IssuerCA string
	Audience string
	LogFile  string
	Policy   string
}

// Register adds the common flags to fs.
func Register(fs *flag.FlagSet, name, listen string) *Flags {
	f := &Flags{}
	fs.StringVar(&f.Listen, "listen", listen, "address to listen on")
	fs.StringVar(&f.Socket, "spiffe-socket", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "SPIFFE Workload API address (unix:///...)")
	fs.StringVar(&f.Issuer, "issuer", "", "token issuer URL (OIDC discovery below it); required")
	fs.StringVar(&f.IssuerCA, "issuer-ca", "", "PEM file trusted for the issuer's TLS certificate (default: system roots)")
	fs.StringVar(&f.Audience, "audience", "ztkit-demo", "accepted token audience")
	fs.StringVar(&f.LogFile, "log-file", name+".log", "local log file")
	fs.StringVar(&f.Policy, "policy", "", "authorisation policy file, reloaded on change (default: the built-in policy)")
	return f
}

// Stack is what a service is wired with. Close releases it.
type Stack struct {
	Source     *mtls.WorkloadAPISource
	Logger     *logging.Logger
	Verifier   *jwtauth.Verifier
	Authorizer *authz.Authorizer
	Tracing    *tracing.Forwarder
	closers    []func() error
}

// Build connects to the Workload API, opens the log file, fetches the
// issuer's keys and loads the policy (defaultPolicy unless -policy names a
// file, which is then watched).
func (f *Flags) Build(ctx context.Context, service string, defaultPolicy []byte, tracingOpts ...tracing.Option) (_ *Stack, err error) {
	if f.Issuer == "" {
		return nil, errors.New("-issuer is required")
	}
	s := &Stack{}
	defer func() {
		if err != nil {
			_ = s.Close()
		}
	}()
	if s.Source, err = mtls.NewWorkloadAPISource(ctx, mtls.WithAddr(f.Socket)); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Source.Close)
	if s.Logger, err = logging.New(logging.Config{
		File:    logging.FileOptions{Path: f.LogFile},
		Handler: logging.HandlerOptions{Service: service},
	}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Logger.Close)
	client, err := f.issuerClient()
	if err != nil {
		return nil, err
	}
	if s.Verifier, err = jwtauth.NewVerifier(ctx, jwtauth.Config{
		Issuers:    []jwtauth.Issuer{{Issuer: f.Issuer, Audiences: []string{f.Audience}, Keys: jwtauth.OIDCDiscovery()}},
		HTTPClient: client,
		Logger:     s.Logger.Logger,
	}); err != nil {
		return nil, err
	}
	s.closers = append(s.closers, s.Verifier.Close)
	if s.Tracing, err = tracing.New(tracingOpts...); err != nil {
		return nil, err
	}
	if err := s.loadPolicy(f.Policy, defaultPolicy); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Stack) loadPolicy(path string, defaultPolicy []byte) error {
	p, err := authz.ParsePolicy(defaultPolicy)
	if err != nil {
		return err
	}
	if s.Authorizer, err = authz.New(p, authz.WithLogger(s.Logger.Logger)); err != nil {
		return err
	}
	if path == "" {
		return nil
	}
	w, err := authz.Watch(s.Authorizer, path)
	if err != nil {
		return err
	}
	s.closers = append(s.closers, w.Close)
	return nil
}

func (f *Flags) issuerClient() (*http.Client, error) {
	if f.IssuerCA == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(f.IssuerCA)
	if err != nil {
		return nil, fmt.Errorf("-issuer-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-issuer-ca: no certificate in %s", f.IssuerCA)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}}}, nil
}

// Close releases the stack in reverse order.
func (s *Stack) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}
