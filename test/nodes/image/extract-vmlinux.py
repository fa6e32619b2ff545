"""Extracts the uncompressed kernel (an ELF vmlinux) from a bzImage.

QEMU boots an ELF vmlinux directly through its PVH entry point, which skips the kernel's own
decompressor: under TCG emulation that saves several seconds per boot. Like the kernel tree's
scripts/extract-vmlinux, it tries every compressed stream the bzImage may hold until one decompresses
to an ELF file. usage: extract-vmlinux.py BZIMAGE OUT
"""
import bz2
import lzma
import shutil
import subprocess
import sys
import zlib

MAGICS = {
    "gzip": b"\x1f\x8b\x08",
    "xz": b"\xfd7zXZ\x00",
    "zstd": b"\x28\xb5\x2f\xfd",
    "bzip2": b"BZh",
    "lzma": b"\x5d\x00\x00\x00",
}


def decompress(kind: str, data: bytes) -> bytes:
    if kind == "gzip":
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data)
    if kind == "xz":
        return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data)
    if kind == "lzma":
        return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data)
    if kind == "bzip2":
        return bz2.BZ2Decompressor().decompress(data)
    if kind == "zstd" and shutil.which("zstd"):
        result = subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=False)
        return result.stdout
    return b""


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    image = open(source, "rb").read()
    for kind, magic in MAGICS.items():
        offset = image.find(magic)
        while offset >= 0:
            try:
                out = decompress(kind, image[offset:])
            except Exception:  # not a stream after all: keep looking
                out = b""
            if out[:4] == b"\x7fELF":
                with open(target, "wb") as handle:
                    handle.write(out)
                return 0
            offset = image.find(magic, offset + 1)
    sys.stderr.write(f"extract-vmlinux: no ELF kernel found in {source}\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
