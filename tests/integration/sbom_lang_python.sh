#!/bin/bash
# sbom_lang_python.sh - the Python cataloger against independent truth:
#   1. a Debian 12 root with Debian's python3-* packages installed by apt in
#      a chroot; truth: importlib.metadata run inside that root (chroot);
#      compared as (normalised name, version) lists, one row per
#      distribution found (importlib lists Debian's cryptography twice, from
#      its .dist-info and its .egg-info; so does the SBOM), dir: and OCI.
#   2. lock and requirement files written by hand in tests/data/lang/python
#      (poetry.lock, uv.lock, Pipfile.lock, requirements*.txt) with their
#      expected lists (expected.tsv) written from the files' own text.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_image.sh"

DATA="$ROOT/tests/data/lang/python"
PYPKGS="python3-requests python3-yaml python3-jinja2 python3-setuptools python3-cryptography python3-dateutil python3-attr python3-pygments python3-pip python3-babel python3-lxml"

# pypi_rows JSON [all]: "normalised-name<TAB>version<TAB>dev" of the SBOM's pypi
# packages, unique (with "all": one row per package found, duplicates kept).
pypi_rows() {
	local u=${2:--u}; [ "$u" = all ] && u=
	jq -r '.packages[] | select(.type == "pypi") | [.name, .version, (.dev // false | tostring)] | @tsv' "$1" |
		python3 -c 'import re,sys
for l in sys.stdin:
    n, v, d = l.rstrip("\n").split("\t")
    print(re.sub(r"[-_.]+", "-", n).lower() + "\t" + v + "\t" + d)' | LC_ALL=C sort $u
}

# debian_python: $FIXTURES/debian-python, the Debian root plus $PYPKGS.
debian_python() { debian_rootfs_with python $PYPKGS; }

# ---- 1. Debian's python3 packages, truth from importlib.metadata in the root ----
if ! need_root; then
	skip "Debian python root (dir:)" "needs root (chroot, apt-get)"
	skip "Debian python root (OCI image)" "needs root"
else
	if root=$(debian_python); then
		chroot "$root" python3 -c 'import importlib.metadata as m, re
for d in m.distributions():
    print(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() + "\t" + d.version + "\tfalse")' |
			LC_ALL=C sort >"$TMP/want"
		diag "importlib.metadata lists $(wc -l <"$TMP/want") distributions"
		ok "importlib.metadata lists the installed python3 packages" \
			grep -q '^requests	' "$TMP/want"
		"$BULWARK" sbom -f json "dir:$root" >"$TMP/dir.json" 2>"$TMP/err"
		is "$?" "0" "sbom dir:ROOT exits 0"
		pypi_rows "$TMP/dir.json" all >"$TMP/got"
		if d=$(diff -u "$TMP/want" "$TMP/got"); then
			pass "dir: the pypi packages equal importlib.metadata's ($(wc -l <"$TMP/got"))"
		else
			fail "dir: the pypi packages equal importlib.metadata's"; diag "$(echo "$d" | head -30)"
		fi
		img=$(_img_cached debian-python-oci make_oci_dir "$root" "$FIXTURES/images/debian-python-oci") || img=
		if [ -n "$img" ]; then
			"$BULWARK" sbom -f json "oci:$img" >"$TMP/oci.json" 2>"$TMP/err"
			pypi_rows "$TMP/oci.json" all >"$TMP/got"
			if d=$(diff -u "$TMP/want" "$TMP/got"); then
				pass "oci: the pypi packages equal importlib.metadata's"
			else
				fail "oci: the pypi packages equal importlib.metadata's"; diag "$(echo "$d" | head -30)"
			fi
			is "$(jq -r '[.packages[] | select(.type == "pypi" and .layer == null)] | length' "$TMP/oci.json")" "0" \
				"oci: every pypi package names its layer"
		else
			fail "oci: image built"
		fi
		is "$(jq -r '.packages[] | select(.type == "pypi" and (.name | ascii_downcase) == "pyyaml") | .purl' "$TMP/dir.json" | head -1)" \
			"pkg:pypi/pyyaml@$(awk -F'\t' '$1 == "pyyaml" {print $2}' "$TMP/want")" "purl of PyYAML is normalised (pkg:pypi/pyyaml@...)"
	else
		fail "Debian python root built"
	fi
fi

# ---- 2. lock and requirement files with hand-written expectations ----
for fx in poetry poetry-legacy poetry2 uv pipfile requirements; do
	"$BULWARK" sbom -f json "dir:$DATA/$fx" >"$TMP/out.json" 2>"$TMP/err"
	st=$?
	pypi_rows "$TMP/out.json" >"$TMP/got"
	LC_ALL=C sort -u "$DATA/$fx.expected.tsv" >"$TMP/want"
	if [ "$st" = 0 ] && d=$(diff -u "$TMP/want" "$TMP/got"); then
		pass "$fx: lists the $(wc -l <"$TMP/want") hand-listed packages with dev marks"
	else
		fail "$fx: lists the hand-listed packages (exit $st)"; diag "$(echo "${d:-}" | head -30)" "$(head -3 "$TMP/err")"
	fi
done

# ---- 3. a source checkout: `sbom dir:.` from inside it ----
(cd "$DATA/poetry" && "$BULWARK" sbom -f json dir:. >"$TMP/dot.json" 2>"$TMP/err")
is "$?" "0" "sbom dir:. in a source checkout exits 0"
is "$(pypi_rows "$TMP/dot.json" | wc -l)" "$(LC_ALL=C sort -u "$DATA/poetry.expected.tsv" | wc -l)" "sbom dir:. lists the lockfile's packages"

# ---- 4. a corrupt lockfile is a warning naming the file ----
mkdir -p "$TMP/bad"
printf '[[package]]\nname = "x"\nversion = "1.0\n' >"$TMP/bad/poetry.lock"
"$BULWARK" sbom -f json "dir:$TMP/bad" >"$TMP/out.json" 2>"$TMP/err"
is "$?" "0" "corrupt poetry.lock: exit 0"
ok "corrupt poetry.lock: the warning names the file and line" grep -q "poetry.lock: line 3" "$TMP/err"

done_testing
