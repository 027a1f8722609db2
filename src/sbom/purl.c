/* purl.c - package URLs (github.com/package-url/purl-spec).
 *
 *   pkg:deb/debian/NAME@VERSION?arch=A&distro=debian-12&upstream=SRC
 *   pkg:apk/alpine/NAME@VERSION?arch=A&distro=alpine-3.19.1&upstream=ORIGIN
 *   pkg:rpm/fedora/NAME@VERSION-RELEASE?arch=A&distro=fedora-39&epoch=1
 *
 * Encoding (docs/standard/characters-and-encoding.md): every octet but the
 * alphanumerics, ".-_~" and ':' is percent-encoded with uppercase hex.
 * Qualifiers are sorted by key and empty ones are left out. deb and apk
 * names and every namespace are lowercased (purl-types). The deb version
 * keeps its epoch ("1:2.4.47-2"); the rpm version does not, the epoch goes
 * in the epoch qualifier. distro is "ID-VERSION_ID" (ID-codename when the
 * distro has no VERSION_ID). upstream names the source package when it
 * differs from the package: "SRC", or "SRC@SRCVERSION" when the source
 * version differs from the package's (Syft's form).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

#define PURL_MAX 8192

static enum bw_err purl_enc(struct bw_buf *b, const char *s, size_t n, bool lower)
{
	static const char hex[] = "0123456789ABCDEF";
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < n && result == BW_OK; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (lower && ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch - 'A' + 'a');
		if (isalnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == ':') {
			char c = (char)ch;

			result = bw_buf_append(b, &c, 1);
		} else {
			char t[3] = {'%', hex[ch >> 4], hex[ch & 15]};

			result = bw_buf_append(b, t, 3);
		}
	}
	return result;
}

static enum bw_err purl_encs(struct bw_buf *b, const char *s, bool lower)
{
	return purl_enc(b, s, strlen(s), lower);
}

/* The version without a leading "EPOCH:" when the epoch is known. */
static const char *strip_epoch(const char *v, const char *epoch)
{
	size_t el;

	if (!v || !epoch)
		return v;
	el = strlen(epoch);
	if (strncmp(v, epoch, el) == 0 && v[el] == ':')
		return v + el + 1;
	return v;
}

static int qual_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct sbom_purl_qual *)a)->key,
			  ((const struct sbom_purl_qual *)b)->key);
}

char *sbom_purl_build(const char *type, const char *ns, const char *name, const char *version,
		      const struct sbom_purl_qual *quals, size_t nquals)
{
	struct sbom_purl_qual q[SBOM_PURL_MAX_QUALS];
	struct bw_buf b;
	bool first = true, lower_name;
	char *out = NULL;
	enum bw_err result;

	if (!type || !*type || !name || !*name || nquals > SBOM_PURL_MAX_QUALS)
		return NULL;
	/* deb and apk names are case-insensitive and lowercased (purl-types) */
	lower_name = strcasecmp(type, "deb") == 0 || strcasecmp(type, "apk") == 0;
	if (nquals)
		memcpy(q, quals, nquals * sizeof(*q));
	qsort(q, nquals, sizeof(*q), qual_cmp);
	bw_buf_init(&b, PURL_MAX);
	result = bw_buf_appends(&b, "pkg:");
	if (result == BW_OK)
		result = purl_encs(&b, type, true);
	if (result == BW_OK)
		result = bw_buf_appends(&b, "/");
	if (result == BW_OK && ns && *ns) {
		result = purl_encs(&b, ns, true);
		if (result == BW_OK)
			result = bw_buf_appends(&b, "/");
	}
	if (result == BW_OK)
		result = purl_encs(&b, name, lower_name);
	if (result == BW_OK && version && *version) {
		result = bw_buf_appends(&b, "@");
		if (result == BW_OK)
			result = purl_encs(&b, version, false);
	}
	for (size_t i = 0; i < nquals && result == BW_OK; i++) {
		if (!q[i].value || !*q[i].value || !q[i].key || !*q[i].key)
			continue;
		result = bw_buf_appends(&b, first ? "?" : "&");
		if (result == BW_OK)
			result = purl_encs(&b, q[i].key, true);
		if (result == BW_OK)
			result = bw_buf_appends(&b, "=");
		if (result == BW_OK)
			result = purl_encs(&b, q[i].value, false);
		first = false;
	}
	if (result == BW_OK)
		out = bw_buf_detach(&b, NULL);
	bw_buf_release(&b);
	return out;
}

char *sbom_purl(const struct sbom_pkg *pkg, const struct sbom_distro *d)
{
	const char *ns = NULL, *version, *srcver;
	char *distro = NULL, *upstream = NULL, *out = NULL;
	bool is_rpm = false;

	if (!pkg || !pkg->name || !*pkg->name)
		return NULL;
	switch (pkg->type) {
	case SBOM_PKG_DEB:
		ns = d && d->id ? d->id : "debian";
		break;
	case SBOM_PKG_APK:
		ns = d && d->id ? d->id : "alpine";
		break;
	case SBOM_PKG_RPM:
		ns = d && d->id ? d->id : NULL;
		is_rpm = true;
		break;
	default:
		/* language ecosystems come with issue 4 */
		break;
	}
	version = is_rpm ? strip_epoch(pkg->version, pkg->epoch) : pkg->version;

	if (d && d->id && (pkg->type == SBOM_PKG_DEB || pkg->type == SBOM_PKG_APK || is_rpm)) {
		if (d->version_id)
			distro = bw_strfmt("%s-%s", d->id, d->version_id);
		else if (d->codename)
			distro = bw_strfmt("%s-%s", d->id, d->codename);
		if ((d->version_id || d->codename) && !distro)
			return NULL;
	}
	if (pkg->source_name && *pkg->source_name) {
		srcver = is_rpm ? strip_epoch(pkg->source_version, pkg->epoch) : pkg->source_version;
		if (srcver && *srcver && version && strcmp(srcver, version) != 0)
			upstream = bw_strfmt("%s@%s", pkg->source_name, srcver);
		else if (strcmp(pkg->source_name, pkg->name) != 0)
			upstream = bw_strdup(pkg->source_name);
		else
			upstream = bw_strdup("");
		if (!upstream)
			goto out_free;
	}
	{
		const struct sbom_purl_qual q[] = {
			{"arch", pkg->arch},
			{"distro", distro},
			{"epoch", is_rpm ? pkg->epoch : NULL},
			{"upstream", upstream},
		};

		out = sbom_purl_build(sbom_pkg_type_name(pkg->type), ns, pkg->name, version, q, 4);
	}
out_free:
	free(distro);
	free(upstream);
	return out;
}
