/* rpm_ndb.c - rpm's NDB package database (Packages.db, SUSE's default).
 *
 * Layout (rpm lib/backend/ndb/rpmpkg.c; every integer little-endian):
 *   bytes 0..31   header: magic "RpmP", version 0, generation, slotnpages,
 *                 nextpkgidx, reserved
 *   slot pages    slotnpages pages of 4096 bytes counted from offset 0 (the
 *                 header takes the first two 16-byte slots); each slot is
 *                 magic "Slot", pkgidx, blkoff, blkcnt; blkoff 0 = free
 *   blobs         at blkoff * 16, blkcnt blocks of 16 bytes:
 *                 head  magic "BlbS", pkgidx, timestamp, bloblen
 *                 blob  bloblen bytes: one rpm header
 *                 pad   zeros up to the tail
 *                 tail  adler32 (of head, blob and pad), bloblen, magic "BlbE"
 * Every slot is checked as rpmpkgReadSlots does (inside the file, past the
 * slot pages, no overlap) before any blob is read, so hostile slots cannot
 * make the reader touch a byte twice.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sbom/rpm_int.h"
#include "sbom/sbom.h"

#define NDB_MAGIC 0x506d7052u      /* "RpmP" read little-endian */
#define NDB_SLOT_MAGIC 0x746f6c53u /* "Slot" */
#define NDB_BLOB_MAGIC 0x53626c42u /* "BlbS" */
#define NDB_TAIL_MAGIC 0x45626c42u /* "BlbE" */
#define NDB_HEADER_SIZE 32
#define NDB_SLOT_SIZE 16
#define NDB_BLK_SIZE 16
#define NDB_PAGE_SIZE 4096
#define NDB_BLOBHEAD_SIZE 16
#define NDB_BLOBTAIL_SIZE 12

struct ndb_slot {
	uint32_t slotno;
	uint32_t pkgidx;
	uint32_t blkoff;
	uint32_t blkcnt;
};

static int slot_cmp_blkoff(const void *pa, const void *pb)
{
	const struct ndb_slot *a = pa, *b = pb;

	if (a->blkoff != b->blkoff)
		return a->blkoff < b->blkoff ? -1 : 1;
	return 0;
}

/* Read and check every used slot into *slots (malloc'd, sorted by blkoff). */
static enum bw_err ndb_read_slots(const unsigned char *d, size_t n, const char *path,
				  struct ndb_slot **slots, size_t *nslots, struct bw_errbuf *eb)
{
	uint32_t slotnpages, version;
	size_t total, used = 0, fileblks = n / NDB_BLK_SIZE, minblkoff;
	struct ndb_slot *sv;

	*slots = NULL;
	*nslots = 0;
	if (n < NDB_HEADER_SIZE || sbom_rpm_le32(d) != NDB_MAGIC)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not an rpm NDB database (no \"RpmP\" magic)",
			       path);
	version = sbom_rpm_le32(d + 4);
	if (version != 0)
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: NDB version %u (only 0 is known)", path,
			       version);
	slotnpages = sbom_rpm_le32(d + 12);
	if (slotnpages == 0 || slotnpages > n / NDB_PAGE_SIZE)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "%s: offset 12: %u slot pages do not fit the %zu-byte file", path,
			       slotnpages, n);
	total = (size_t)slotnpages * (NDB_PAGE_SIZE / NDB_SLOT_SIZE);
	minblkoff = (size_t)slotnpages * (NDB_PAGE_SIZE / NDB_BLK_SIZE);
	sv = bw_calloc(total, sizeof(*sv));
	if (!sv)
		return BW_ERR_NOMEM;
	for (size_t slotno = NDB_HEADER_SIZE / NDB_SLOT_SIZE; slotno < total; slotno++) {
		const unsigned char *p = d + slotno * NDB_SLOT_SIZE;
		struct ndb_slot s = { (uint32_t)slotno, sbom_rpm_le32(p + 4), sbom_rpm_le32(p + 8),
				      sbom_rpm_le32(p + 12) };

		if (sbom_rpm_le32(p) != NDB_SLOT_MAGIC) {
			free(sv);
			return bw_fail(eb, BW_ERR_FORMAT, "%s: slot %zu (offset %zu): bad slot magic",
				       path, slotno, slotno * NDB_SLOT_SIZE);
		}
		if (s.blkoff == 0)
			continue; /* free slot */
		if (s.pkgidx == 0 || s.blkcnt == 0 || s.blkoff < minblkoff ||
		    (size_t)s.blkoff + s.blkcnt > fileblks) {
			free(sv);
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: slot %zu (offset %zu): package %u at block %u, %u blocks: "
				       "outside the blob area (blocks %zu..%zu)",
				       path, slotno, slotno * NDB_SLOT_SIZE, s.pkgidx, s.blkoff,
				       s.blkcnt, minblkoff, fileblks);
		}
		sv[used++] = s;
	}
	qsort(sv, used, sizeof(*sv), slot_cmp_blkoff);
	for (size_t i = 1; i < used; i++) {
		if ((size_t)sv[i - 1].blkoff + sv[i - 1].blkcnt > sv[i].blkoff) {
			uint32_t a = sv[i - 1].slotno, b = sv[i].slotno;

			free(sv);
			return bw_fail(eb, BW_ERR_FORMAT, "%s: slots %u and %u: blobs overlap", path,
				       a, b);
		}
	}
	*slots = sv;
	*nslots = used;
	return BW_OK;
}

/* Check one blob's head and tail (rpmpkgReadBlob); on success *blob and
 * *bloblen name the header inside it. Messages name the package index. */
static enum bw_err ndb_blob(const unsigned char *d, const struct ndb_slot *s,
			    const unsigned char **blob, uint32_t *bloblen, struct bw_errbuf *eb)
{
	const unsigned char *head = d + (size_t)s->blkoff * NDB_BLK_SIZE;
	size_t span = (size_t)s->blkcnt * NDB_BLK_SIZE;
	const unsigned char *tail;
	uint32_t len;
	uLong adler;

	if (span < NDB_BLOBHEAD_SIZE + NDB_BLOBTAIL_SIZE)
		return bw_fail(eb, BW_ERR_FORMAT, "blob at offset %zu: %u blocks cannot hold a blob",
			       (size_t)s->blkoff * NDB_BLK_SIZE, s->blkcnt);
	if (sbom_rpm_le32(head) != NDB_BLOB_MAGIC)
		return bw_fail(eb, BW_ERR_FORMAT, "blob at offset %zu: bad blob magic",
			       (size_t)s->blkoff * NDB_BLK_SIZE);
	if (sbom_rpm_le32(head + 4) != s->pkgidx)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "blob at offset %zu: holds package %u, the slot says %u",
			       (size_t)s->blkoff * NDB_BLK_SIZE, sbom_rpm_le32(head + 4), s->pkgidx);
	len = sbom_rpm_le32(head + 12);
	if (len > span - NDB_BLOBHEAD_SIZE - NDB_BLOBTAIL_SIZE ||
	    span - NDB_BLOBHEAD_SIZE - NDB_BLOBTAIL_SIZE - len >= NDB_BLK_SIZE)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "blob at offset %zu: length %u does not match its %u blocks",
			       (size_t)s->blkoff * NDB_BLK_SIZE, len, s->blkcnt);
	tail = head + span - NDB_BLOBTAIL_SIZE;
	if (sbom_rpm_le32(tail + 8) != NDB_TAIL_MAGIC || sbom_rpm_le32(tail + 4) != len)
		return bw_fail(eb, BW_ERR_FORMAT, "blob at offset %zu: bad blob tail",
			       (size_t)s->blkoff * NDB_BLK_SIZE);
	/* zlib's adler32 is RFC 1950's, the one rpmpkg.c computes */
	adler = adler32_z(1L, head, span - NDB_BLOBTAIL_SIZE);
	if ((uint32_t)adler != sbom_rpm_le32(tail))
		return bw_fail(eb, BW_ERR_DIGEST,
			       "blob at offset %zu: adler32 %08x, the tail says %08x",
			       (size_t)s->blkoff * NDB_BLK_SIZE, (uint32_t)adler,
			       sbom_rpm_le32(tail));
	*blob = head + NDB_BLOBHEAD_SIZE;
	*bloblen = len;
	return BW_OK;
}

enum bw_err sbom_parse_rpm_ndb(struct sbom *sb, const char *data, size_t n, const char *path,
			const char *layer, struct bw_errbuf *eb)
{
	struct sbom_rpm_sink sk = { .sb = sb, .layer = layer };

	if (BW_NEVER(!sb))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_parse_rpm_ndb: NULL argument");
	return sbom_rpm_read_ndb(&sk, data, n, path, eb);
}

enum bw_err sbom_rpm_read_ndb(const struct sbom_rpm_sink *sk, const char *data, size_t n,
		      const char *path, struct bw_errbuf *eb)
{
	enum bw_err result;
	const unsigned char *d = (const unsigned char *)data;
	struct ndb_slot *slots;
	size_t nslots;

	if (BW_NEVER(!sk || !sk->sb || (!data && n)))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_rpm_read_ndb: NULL argument");
	if (!path)
		path = "Packages.db";
	result = ndb_read_slots(d, n, path, &slots, &nslots, eb);
	if (result != BW_OK)
		return result;
	for (size_t i = 0; i < nslots && result == BW_OK; i++) {
		struct bw_errbuf beb = { { 0 } };
		const unsigned char *blob = NULL;
		uint32_t bloblen = 0;

		if (ndb_blob(d, &slots[i], &blob, &bloblen, &beb) != BW_OK) {
			/* rpm skips a damaged blob too; the others stay readable */
			sbom_rpm_sink_warn(sk, "%s: package %u: %s; record skipped", path,
				      slots[i].pkgidx, beb.msg);
			continue;
		}
		result = sbom_rpm_sink_record(sk, blob, bloblen, path, "package",
					     slots[i].pkgidx);
	}
	free(slots);
	if (result == BW_ERR_LIMIT)
		return bw_fail(eb, result, "%s: more packages than an sbom holds", path);
	return result;
}
