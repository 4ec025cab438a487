// Package peertest holds the test services that answer with the caller's
// SPIFFE ID, shared by the mtls tests and the integration tests against
// SPIRE. It is for tests only.
package peertest

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
	testgrpc "google.golang.org/grpc/interop/grpc_testing"

	"github.com/ztkit/ztkit/mtls"
)

// Service answers UnaryCall (in SimpleResponse.Username) and each message
// of FullDuplexCall (in the payload body) with the caller's SPIFFE ID, or
// "" when the call has none.
type Service struct {
	testgrpc.UnimplementedTestServiceServer
}

// UnaryCall implements testgrpc.TestServiceServer.
func (Service) UnaryCall(ctx context.Context, _ *testgrpc.SimpleRequest) (*testgrpc.SimpleResponse, error) {
	id, _ := mtls.PeerIDFromContext(ctx)
	return &testgrpc.SimpleResponse{Username: id.String()}, nil
}

// FullDuplexCall implements testgrpc.TestServiceServer.
func (Service) FullDuplexCall(stream grpc.BidiStreamingServer[testgrpc.StreamingOutputCallRequest, testgrpc.StreamingOutputCallResponse]) error {
	id, _ := mtls.PeerIDFromContext(stream.Context())
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		resp := &testgrpc.StreamingOutputCallResponse{Payload: &testgrpc.Payload{Body: []byte(id.String())}}
		if err := stream.Send(resp); err != nil {
			return err
		}
	}
}
