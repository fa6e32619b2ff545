// Package deps keeps Rook's API package in this module's graph: controller-gen (test/crds/build.sh)
// generates the ceph.rook.io CRDs from it.
package deps

import _ "github.com/rook/rook/pkg/apis/ceph.rook.io/v1"
