/* rpm_owner.c - rpm's file lists for ownership: the live rpm database is
 * read a second time (after the language catalogers) and every header's
 * files (BASENAMES/DIRNAMES/DIRINDEXES, what `rpm -ql` prints) claim the
 * language packages found at them (owner.c). The first read already warned
 * about damaged records; this one skips them silently.
 */
#include <string.h>

#include "sbom/rpm_int.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

struct rpm_owner_ctx {
	struct sbom_owner_index *ix;
};

static enum bw_err rpm_owner_file(void *ctx, const char *name, const char *dir, size_t dl,
				  const char *base, size_t bl)
{
	struct rpm_owner_ctx *c = ctx;
	char path[4096];

	if (dl + bl >= sizeof(path))
		return BW_OK;
	memcpy(path, dir, dl);
	memcpy(path + dl, base, bl);
	return sbom_owner_claim(c->ix, path, dl + bl, name, SBOM_PKG_RPM, SIZE_MAX, true);
}

static enum bw_err rpm_owner_blob(void *ctx, const unsigned char *blob, size_t n)
{
	struct bw_errbuf eb = {{0}};
	enum bw_err result = sbom_rpm_header_files(blob, n, rpm_owner_file, ctx, &eb);

	/* a damaged header: the first read skipped its package too */
	return result == BW_ERR_NOMEM ? result : BW_OK;
}

enum bw_err sbom_owners_from_rpm_db(struct sbom_owner_index *ix, const char *data, size_t n,
				    const char *path)
{
	struct rpm_owner_ctx c = {.ix = ix};
	struct sbom *scratch;
	struct sbom_rpm_sink sk = {.fn = rpm_owner_blob, .ctx = &c};
	struct bw_errbuf eb = {{0}};
	const char *base = bw_path_base(path);
	enum bw_err result;

	if (sbom_owner_index_empty(ix))
		return BW_OK;
	scratch = sbom_new(); /* the readers want an sbom; nothing lands in it */
	if (!scratch)
		return BW_ERR_NOMEM;
	sk.sb = scratch;
	if (strcmp(base, "rpmdb.sqlite") == 0)
		result = sbom_rpm_read_sqlite(&sk, data, n, path, &eb);
	else if (strcmp(base, "Packages.db") == 0)
		result = sbom_rpm_read_ndb(&sk, data, n, path, &eb);
	else
		result = sbom_rpm_read_bdb(&sk, data, n, path, &eb);
	sbom_free(scratch);
	return result == BW_ERR_NOMEM ? result : BW_OK;
}
