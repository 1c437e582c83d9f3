package httpapi

// docs/openapi.json is the served document, committed so that API changes
// show in review; `make verify` fails when it is stale.
//go:generate go run ../../cmd/settle openapi -o ../../docs/openapi.json
