package cli

import "github.com/spf13/cobra"

// benchCmd is being written (placeholder so the tree builds).
func (a *App) benchCmd() *cobra.Command { return &cobra.Command{Use: "bench", Short: "(in progress)"} }
