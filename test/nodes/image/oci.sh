#!/usr/bin/env bash
# Writes a one-layer OCI image archive (oci-layout + index.json + blobs, as `ctr images import` reads it)
# from a root filesystem directory. Sourced by build.sh. The layer is an uncompressed tar: the guests
# unpack it under emulation, where decompression would cost more than the bigger file.
#   oci_image OUT.tar REF ROOTFS_DIR CONFIG_JSON
# CONFIG_JSON is the image config's `config` object (Entrypoint, Cmd, User, Env, Labels, ...).

oci_blob() { # oci_blob DIR FILE -> moves FILE into DIR/blobs/sha256/<digest>, prints the digest
  local digest
  digest="$(sha256sum "$2" | cut -d' ' -f1)"
  mv "$2" "$1/blobs/sha256/$digest"
  echo "$digest"
}

oci_image() {
  local out="$1" ref="$2" rootfs="$3" config="$4" work layer layer_size config_digest config_size
  local manifest_digest manifest_size
  work="$(mktemp -d "$out.tmp.XXXXXX")"
  mkdir -p "$work/blobs/sha256"
  # Numeric owners and a fixed mtime: the same tree gives the same layer digest.
  tar --numeric-owner --xattrs --sort=name --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
  layer_size="$(stat -c %s "$work/layer.tar")"
  layer="$(oci_blob "$work" "$work/layer.tar")"
  printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"hadb test/nodes/image/build.sh (stand-in)"}]}' \
    "$config" "$layer" >"$work/config.json"
  config_size="$(stat -c %s "$work/config.json")"
  config_digest="$(oci_blob "$work" "$work/config.json")"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
    "$config_digest" "$config_size" "$layer" "$layer_size" >"$work/manifest.json"
  manifest_size="$(stat -c %s "$work/manifest.json")"
  manifest_digest="$(oci_blob "$work" "$work/manifest.json")"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "$manifest_size" "$ref" "${ref##*:}" >"$work/index.json"
  tar -C "$work" -cf "$out.part" oci-layout index.json blobs
  rm -rf "$work"
  mv -f "$out.part" "$out"
}
