/* util.c - vulndb helpers: source kinds and their attributions, ecosystem
 * names (Debian codenames, distro keys), bounded JSON getters, PyPI names. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "vulndb/vulndb_int.h"

static const struct {
	const char *name;
	const char *attribution;
} kinds[VDB_K__COUNT] = {
	[VDB_K_OSV_GHSA] = {"osv-ghsa", "GitHub Advisory Database (CC-BY-4.0), via OSV"},
	[VDB_K_OSV_GO] = {"osv-go", "Go Vulnerability Database (CC-BY-4.0), via OSV"},
	[VDB_K_OSV_PYPA] = {"osv-pypa", "PyPA Advisory Database (CC-BY-4.0), via OSV"},
	[VDB_K_OSV_RUSTSEC] = {"osv-rustsec",
			       "RustSec Advisory Database (CC0-1.0; GHSA-imported records CC-BY-4.0)"},
	[VDB_K_OSV_OTHER] = {"osv", "OSV (https://osv.dev), licence per record's source database"},
	[VDB_K_DEBIAN] = {"debian", "Debian Security Tracker (security-tracker.debian.org)"},
	[VDB_K_ALPINE] = {"alpine", "Alpine Linux secdb (secdb.alpinelinux.org)"},
	[VDB_K_RUBYSEC] = {"rubysec", "ruby-advisory-db (rubysec.com; public domain)"},
	[VDB_K_NSP] = {"nsp", "Node.js Security WG / Node Security Platform advisories (MIT)"},
	[VDB_K_NVD] = {"nvd", "This product uses data from the NVD API but is not endorsed or "
			      "certified by the NVD"},
	[VDB_K_KEV] = {"kev", "CISA Known Exploited Vulnerabilities Catalog (CC0-1.0)"},
	[VDB_K_EPSS] = {"epss", "EPSS scores by FIRST (first.org/epss)"},
};

const char *vdb_kind_name(enum vdb_kind k)
{
	return k < VDB_K__COUNT ? kinds[k].name : "?";
}

const char *vdb_kind_attribution(enum vdb_kind k)
{
	return k < VDB_K__COUNT ? kinds[k].attribution : "?";
}

char *vdb_default_path(void)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (x && x[0] == '/')
		return bw_strfmt("%s/bulwark/vulndb.sqlite", x);
	if (h && *h)
		return bw_strfmt("%s/.cache/bulwark/vulndb.sqlite", h);
	return NULL;
}

static const struct {
	const char *codename;
	const char *version;
} debian_releases[] = {
	{"hamm", "2"},      {"slink", "2.1"},    {"potato", "2.2"}, {"woody", "3.0"},
	{"sarge", "3.1"},   {"etch", "4"},       {"lenny", "5"},    {"squeeze", "6"},
	{"wheezy", "7"},    {"jessie", "8"},     {"stretch", "9"},  {"buster", "10"},
	{"bullseye", "11"}, {"bookworm", "12"},  {"trixie", "13"},  {"forky", "14"},
	{"duke", "15"},     {"sid", "sid"},
};

const char *vdb_debian_codename_version(const char *codename)
{
	if (!codename)
		return NULL;
	for (size_t i = 0; i < sizeof(debian_releases) / sizeof(debian_releases[0]); i++)
		if (strcmp(codename, debian_releases[i].codename) == 0)
			return debian_releases[i].version;
	return NULL;
}

enum bw_err vdb_distro_ecosystem(const char *distro_id, const char *version_id, char *out,
				 size_t outsz)
{
	char major[32], mm[32];
	size_t n;
	int r;

	if (!distro_id || !version_id || !outsz)
		return BW_ERR_USAGE;
	if (strcmp(distro_id, "debian") == 0) {
		const char *v = vdb_debian_codename_version(version_id);

		if (!v) {
			n = strspn(version_id, "0123456789");
			if (n == 0 || n >= sizeof(major))
				return BW_ERR_UNSUPPORTED;
			memcpy(major, version_id, n);
			major[n] = '\0';
			v = major;
		}
		r = snprintf(out, outsz, "Debian:%s", v);
	} else if (strcmp(distro_id, "alpine") == 0) {
		const char *dot;

		n = strspn(version_id, "0123456789");
		dot = version_id + n;
		if (strcmp(version_id, "edge") == 0 || n == 0 || *dot != '.' ||
		    strstr(version_id, "_alpha")) {
			r = snprintf(out, outsz, "Alpine:edge");
		} else {
			size_t m = strspn(dot + 1, "0123456789");

			if (m == 0 || n + 1 + m >= sizeof(mm))
				return BW_ERR_UNSUPPORTED;
			memcpy(mm, version_id, n + 1 + m);
			mm[n + 1 + m] = '\0';
			r = snprintf(out, outsz, "Alpine:v%s", mm);
		}
	} else if (strcmp(distro_id, "rocky") == 0 || strcmp(distro_id, "almalinux") == 0) {
		/* OSV names these by major release: "Rocky Linux:9", "AlmaLinux:9" */
		n = strspn(version_id, "0123456789");
		if (n == 0 || n >= sizeof(major))
			return BW_ERR_UNSUPPORTED;
		memcpy(major, version_id, n);
		major[n] = '\0';
		r = snprintf(out, outsz, "%s:%s",
			     distro_id[0] == 'r' ? "Rocky Linux" : "AlmaLinux", major);
	} else {
		return BW_ERR_UNSUPPORTED;
	}
	if (r < 0 || (size_t)r >= outsz)
		return BW_ERR_LIMIT;
	return BW_OK;
}

const char *vdb_jstr(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	if (!json_is_string(v) || json_string_length(v) > VDB_MAX_FIELD)
		return NULL;
	/* Strings with an embedded NUL are refused: they would be cut silently. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

const char *vdb_jscalar(const json_t *v, char *buf, size_t bufsz)
{
	if (json_is_string(v)) {
		if (json_string_length(v) > VDB_MAX_FIELD ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return NULL;
		return json_string_value(v);
	}
	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, bufsz, "%g", json_real_value(v));
		return buf;
	}
	return NULL;
}

void vdb_pypi_normalise(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	bool sep = false;

	if (!outsz)
		return;
	for (; *in && o + 1 < outsz; in++) {
		if (*in == '-' || *in == '_' || *in == '.') {
			sep = true;
			continue;
		}
		if (sep && o + 2 < outsz)
			out[o++] = '-';
		sep = false;
		out[o++] = (char)tolower((unsigned char)*in);
	}
	if (sep && o + 1 < outsz)
		out[o++] = '-';
	out[o] = '\0';
}

void vdb_name_key(const char *ecosystem, const char *name, char *out, size_t outsz)
{
	if (strcmp(ecosystem, "PyPI") == 0)
		vdb_pypi_normalise(name, out, outsz);
	else
		bw_strlcpy(out, name, outsz);
}

bool vdb_is_cve(const char *s)
{
	return s && strncmp(s, "CVE-", 4) == 0 && isdigit((unsigned char)s[4]);
}
