package service_test

import (
	"encoding/base64"
	"io"
	"mime/quotedprintable"
)

func decoder(enc string, r io.Reader) io.Reader {
	if enc == "base64" {
		return base64.NewDecoder(base64.StdEncoding, r)
	}
	return quotedprintable.NewReader(r)
}
