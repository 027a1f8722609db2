#!/bin/bash
# image_million.sh - memory stays bounded whatever the file count: an OCI
# image whose one layer holds 1,000,000 one-byte files (plus a dpkg status)
# walks in bounded peak RSS, keeps only what is wanted, and the kept-record
# caps hold when everything is wanted. The layer is generated (ustar written
# directly, gzip level 1) once and cached in $FIXTURES.
. "$(dirname "$0")/lib.sh"

TOOL=${BW_IMAGE_TOOL:-$(dirname "$BULWARK")/../../tests/unit/test_image}
[ -x "$TOOL" ] || TOOL=$ROOT/build/tests/unit/test_image
if [ ! -x "$TOOL" ]; then
	echo "1..0 # SKIP test_image tool not built"
	exit 0
fi
N=${BW_MILLION_FILES:-1000000}
IMG="$FIXTURES/images/million-$N"
mkdir -p "$FIXTURES/images"
fixture_lock "image-million"
if [ ! -f "$IMG/.complete" ]; then
	rm -rf "$IMG"
	python3 - "$N" "$IMG" <<'EOF' || { fixture_unlock; echo "generating the layer failed" >&2; exit 1; }
import hashlib, json, os, sys, zlib
N = int(sys.argv[1]); out = sys.argv[2]
os.makedirs(out + "/blobs/sha256", exist_ok=True)
def hdr(name, size, typ=b"0"):
    h = bytearray(512)
    n = name.encode()
    h[0:len(n)] = n
    h[100:108] = b"0000644\0"; h[108:116] = b"0000000\0"; h[116:124] = b"0000000\0"
    h[124:136] = ("%011o\0" % size).encode(); h[136:148] = b"00000000000\0"
    h[156:157] = typ; h[257:263] = b"ustar\0"; h[263:265] = b"00"
    h[148:156] = b" " * 8
    h[148:156] = ("%06o\0 " % sum(h)).encode()
    return bytes(h)
raw = hashlib.sha256(); blob = hashlib.sha256()
comp = zlib.compressobj(1, zlib.DEFLATED, 31)
gz = open(out + "/layer.tmp", "wb")
def emit(b):
    raw.update(b); c = comp.compress(b)
    if c: blob.update(c); gz.write(c)
data = b"x" + b"\0" * 511
buf = []
for i in range(N):
    if i % 1000 == 0:
        buf.append(hdr("d%04d/" % (i // 1000), 0, b"5"))
    buf.append(hdr("d%04d/f%07d" % (i // 1000, i), 1)); buf.append(data)
    if len(buf) > 4000:
        emit(b"".join(buf)); buf = []
buf.append(hdr("var/lib/dpkg/status", 5)); buf.append(b"hello" + b"\0" * 507)
buf.append(b"\0" * 1024)
emit(b"".join(buf))
c = comp.flush(); blob.update(c); gz.write(c); gz.close()
ld = blob.hexdigest(); os.rename(out + "/layer.tmp", out + "/blobs/sha256/" + ld)
def put(obj):
    b = json.dumps(obj).encode(); d = hashlib.sha256(b).hexdigest()
    open(out + "/blobs/sha256/" + d, "wb").write(b); return d, len(b)
cd, cs = put({"architecture": "amd64", "os": "linux",
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + raw.hexdigest()]}})
md, ms = put({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": cs},
              "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + ld,
                          "size": os.path.getsize(out + "/blobs/sha256/" + ld)}]})
open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
open(out + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + md, "size": ms}]}))
EOF
	touch "$IMG/.complete"
fi
fixture_unlock

# peak RSS in KiB of "TOOL --walk ARGS..."; output in $TMP/out
# (python's getrusage of the child: no extra package needed)
rss() {
	python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "w") as o, open(sys.argv[2], "w") as e:
    subprocess.run(sys.argv[3:], stdout=o, stderr=e)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$TMP/out" "$TMP/err" "$TOOL" --walk "$@"
}

kb=$(rss "oci:$IMG" var/lib/dpkg/status)
diag "walk of $N files keeping one: peak RSS $kb KiB"
is "$(cat "$TMP/out")" "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 5 var/lib/dpkg/status" \
	"$N files: the one wanted file is kept (sha256 of 'hello')"
ok "$N files, one wanted: peak RSS $kb KiB under 32 MiB" test "$kb" -lt 32768

kb=$(rss "oci:$IMG" 'd0999/*')
is "$(wc -l <"$TMP/out")" 1000 "$N files: a directory's 1000 files kept"
ok "$N files, 1000 wanted: peak RSS $kb KiB under 32 MiB" test "$kb" -lt 32768

kb=$(rss "oci:$IMG" '**')
diag "walk of $N files wanting all: peak RSS $kb KiB; $(head -1 "$TMP/err")"
is "$(wc -l <"$TMP/out")" 100000 "$N files, all wanted: the 100000-file cap holds"
ok "all wanted: a warning names the cap" grep -q "cap of 100000 kept files" "$TMP/err"
ok "$N files, all wanted: peak RSS $kb KiB under 64 MiB" test "$kb" -lt 65536

done_testing
