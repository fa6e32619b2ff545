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
	var failures []failure
	for key := range news {
		if !containsKey(bytesInputKeys, key) {
			failures = append(failures, failure{string(key), fmt.Sprintf("unknown property %q of RandomBytes", key)})
		}
	}
	length, ok := news["length"]
	switch {
	case !ok:
		failures = append(failures, failure{"length", "length is required"})
	case length.IsNumber() && length.NumberValue() < 1:
		failures = append(failures, failure{"length", fmt.Sprintf("length must be at least 1, got %v", length.NumberValue())})
	}
	return news.Copy(), failures
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
