package mtlspair

import (
	"context"
	"io"
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/ztkit/ztkit/mtls"
)

// ordersService is a gRPC service that reserves stock at inventory over
// mutual TLS. Its messages are protobuf Structs, so the example needs no
// generated code.
type ordersService struct {
	inventoryURL string
	inventory    *http.Client
}

// PlaceOrder implements ordersapi.Server.
func (s *ordersService) PlaceOrder(ctx context.Context, req *structpb.Struct) (*structpb.Struct, error) {
	caller, _ := mtls.PeerIDFromContext(ctx)
	item := req.GetFields()["item"].GetStringValue()
	if item == "" {
		return nil, status.Error(codes.InvalidArgument, "item is required")
	}
	httpReq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.inventoryURL+"/v1/reserve?item="+item, nil)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp, err := s.inventory.Do(httpReq)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "inventory: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return nil, status.Errorf(codes.FailedPrecondition, "inventory answered %d", resp.StatusCode)
	}
	return structpb.NewStruct(map[string]any{
		"item":      item,
		"caller":    caller.String(),
		"inventory": string(body),
	})
}
