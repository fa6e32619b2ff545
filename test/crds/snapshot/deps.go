// Package deps keeps the CSI snapshot API package in this module's graph: controller-gen
// (test/crds/build.sh) generates the snapshot.storage.k8s.io CRDs from it.
package deps

import _ "github.com/kubernetes-csi/external-snapshotter/client/v8/apis/volumesnapshot/v1"
