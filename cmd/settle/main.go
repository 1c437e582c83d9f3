// Command settle turns overdue invoices into specific, kept payment plans.
package main

import (
	"context"
	"os"
	_ "time/tzdata" // customers' time zones load on machines without zoneinfo

	"settle/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
