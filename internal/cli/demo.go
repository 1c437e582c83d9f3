package cli

import "github.com/spf13/cobra"

// demoCmd is being written (placeholder so the tree builds).
func (a *App) demoCmd() *cobra.Command { return &cobra.Command{Use: "demo", Short: "(in progress)"} }
