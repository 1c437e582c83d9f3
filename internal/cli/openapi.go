package cli

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"settle/internal/httpapi"
	"settle/internal/service"
)

func (a *App) openapiCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "openapi [-o FILE]",
		Short: "Print the OpenAPI 3.1 document the server serves",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The document is built from the API's types; no database is opened.
			doc := httpapi.New(service.New(nil, nil), nil).API().OpenAPI()
			b, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return err
			}
			b = append(b, '\n')
			if out == "" {
				_, err = a.Stdout.Write(b)
				return err
			}
			return os.WriteFile(out, b, 0o644)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of stdout")
	return cmd
}
