package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// bytesInputKeys are every input of random:index/randomBytes:RandomBytes; both force a replacement
// when they change, as upstream.
var bytesInputKeys = []resource.PropertyKey{"keepers", "length"}

// checkBytes: `length` is required and at least 1 (upstream's validator); nothing else but keepers.
func checkBytes(news resource.PropertyMap) (resource.PropertyMap, []failure) {
	return news.Copy(), inputFailures("RandomBytes", bytesInputKeys, news)
}

// generateBytesOutputs: `length` bytes from crypto/rand, as `base64` (standard, padded) and `hex`.
func generateBytesOutputs(inputs resource.PropertyMap) (map[resource.PropertyKey]string, error) {
	length := inputs["length"]
	if !length.IsNumber() {
		return nil, fmt.Errorf("RandomBytes length is not a number")
	}
	buf := make([]byte, int(length.NumberValue()))
	if _, err := rand.Read(buf); err != nil {
		return nil, err
	}
	return map[resource.PropertyKey]string{
		"base64": base64.StdEncoding.EncodeToString(buf),
		"hex":    hex.EncodeToString(buf),
	}, nil
}
