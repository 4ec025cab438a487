package jwtauth

import (
	"context"
	"fmt"
	"time"

	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
)

// maxSVIDRefreshMargin caps how long before expiry a cached JWT-SVID is
// replaced.
const maxSVIDRefreshMargin = 5 * time.Minute

// SVIDTokenSource supplies JWT-SVIDs for one audience from the SPIFFE
// Workload API (a *workloadapi.Client or *workloadapi.JWTSource), cached
// until a quarter of their lifetime (at most 5 minutes) remains. Concurrent
// callers share one fetch. It starts no goroutines; the caller owns and
// closes src.
type SVIDTokenSource struct {
	src    jwtsvid.Source
	params jwtsvid.Params
	now    func() time.Time

	sem       chan struct{} // one fetch at a time, abandonable by ctx
	token     string
	expiry    time.Time
	refreshAt time.Time
}

// NewSVIDTokenSource returns a TokenSource of JWT-SVIDs from src for
// audience (and any extra audiences).
func NewSVIDTokenSource(src jwtsvid.Source, audience string, extraAudiences ...string) *SVIDTokenSource {
	return &SVIDTokenSource{
		src:    src,
		params: jwtsvid.Params{Audience: audience, ExtraAudiences: append([]string(nil), extraAudiences...)},
		now:    time.Now,
		sem:    make(chan struct{}, 1),
	}
}

// Token returns the cached JWT-SVID or fetches a new one.
func (s *SVIDTokenSource) Token(ctx context.Context) (string, error) {
	if s == nil || s.src == nil {
		return "", errNoSource
	}
	if s.params.Audience == "" {
		return "", fmt.Errorf("jwtauth: JWT-SVID token source has no audience")
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("jwtauth: waiting for a JWT-SVID: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	now := s.now()
	if s.token != "" && now.Before(s.refreshAt) {
		return s.token, nil
	}
	svid, err := s.src.FetchJWTSVID(ctx, s.params)
	if err != nil {
		if s.token != "" && now.Before(s.expiry) {
			return s.token, nil // still valid; try again next call
		}
		return "", fmt.Errorf("jwtauth: fetching a JWT-SVID for %s: %w", quote(s.params.Audience), err)
	}
	if !now.Before(svid.Expiry) {
		return "", fmt.Errorf("jwtauth: the Workload API returned an expired JWT-SVID")
	}
	margin := min(svid.Expiry.Sub(now)/4, maxSVIDRefreshMargin)
	s.token, s.expiry, s.refreshAt = svid.Marshal(), svid.Expiry, svid.Expiry.Add(-margin)
	return s.token, nil
}
