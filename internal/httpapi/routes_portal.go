package httpapi

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"settle/internal/service"
)

// PortalLinkInput asks for a link to a customer's portal.
type PortalLinkInput struct {
	TTLHours int `json:"ttl_hours,omitempty" minimum:"1" maximum:"8784" doc:"How long the link works, in hours (default 720: 30 days)"`
}

// PortalLink is a signed link to a customer's self-service portal.
type PortalLink struct {
	CustomerID string    `json:"customer_id"`
	URL        string    `json:"url" doc:"The link to send the customer: it opens this customer's portal only, until expires_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// portalRoutes registers the customer portal's API: making a link.
func (s *Server) portalRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "create-portal-link", Method: http.MethodPost, Path: "/v1/customers/{id}/portal-link",
		Summary: "Make a link to a customer's self-service portal (agents and admins)", Tags: []string{"Customers"},
		Description: "A signed, expiring link to /portal/{token}: the customer sees what they owe and why, chooses or proposes a payment plan, accepts the agreement, promises to pay, disputes an invoice and sets contact preferences. " +
			"The URL starts with SETTLE_PUBLIC_URL, else http:// and SETTLE_ADDR (default 127.0.0.1:8080). The token is not stored: make a new link when one is lost."},
		func(ctx context.Context, in *struct {
			IDParam
			Body *PortalLinkInput
		}) (*bodyOut[PortalLink], error) {
			var ttl time.Duration
			if in.Body != nil && in.Body.TTLHours > 0 {
				ttl = time.Duration(in.Body.TTLHours) * time.Hour
			}
			l, err := s.svc.CreatePortalLink(ctx, in.ID, ttl, service.PortalBaseURL(os.Getenv))
			if err != nil {
				return nil, s.fail(err)
			}
			return &bodyOut[PortalLink]{Body: PortalLink{CustomerID: l.CustomerID, URL: l.URL, ExpiresAt: l.ExpiresAt}}, nil
		})
}
