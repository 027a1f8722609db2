/* rpm_bdb.c - rpm's Berkeley DB "Packages" file (rpm <= 4.15, RHEL/CentOS
 * up to 8, Amazon Linux 2): a BDB hash database whose keys are 4-byte
 * header numbers and whose values are header blobs.
 *
 * Layout (Berkeley DB db_page.h / hash.h; integers in the byte order of the
 * machine that wrote the file, told by the magic):
 *   page 0: hash metadata. offset 12 magic 0x061561, 16 version (8..10),
 *           20 pagesize, 24 encrypt_alg, 26 metaflags, 32 last_pgno,
 *           72 max_bucket, 96 spares[32]
 *   other pages: 26-byte header: 8 pgno, 12 prev_pgno, 16 next_pgno,
 *           20 entries (u16), 22 hf_offset (u16), 25 type; then entries x
 *           u16 item offsets. Hash pages (type 2 or 13) hold key/value
 *           pairs; an item's first byte is its kind: 1 H_KEYDATA (bytes
 *           follow, the item ends where the previous item starts), 3
 *           H_OFFPAGE (pgno at +4, total length at +8: the value lives in a
 *           chain of overflow pages, type 7, hf_offset bytes each).
 *   bucket b starts at page b + spares[ceil(log2(b + 1))] and continues
 *   through next_pgno.
 * Hostile files: every page number is checked against the file, every page
 * may be visited once only (a bitmap catches loops and shared chains), so
 * the work is linear in the file size.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/rpm_int.h"
#include "sbom/sbom.h"

#define BDB_HASH_MAGIC 0x061561u
#define BDB_PAGE_HDR 26
#define BDB_P_HASH_UNSORTED 2
#define BDB_P_OVERFLOW 7
#define BDB_P_HASH 13
#define BDB_H_KEYDATA 1
#define BDB_H_OFFPAGE 3
#define BDB_HOFFPAGE_SIZE 12
#define BDB_METAFLAG_CHKSUM 0x01

struct bdb {
	const unsigned char *d;
	size_t n;
	const char *path;
	bool big_endian;
	uint32_t pagesize;
	uint32_t last_pgno;
	uint32_t max_bucket;
	uint32_t spares[32];
	size_t npages;       /* pages that exist in the file and the metadata */
	unsigned char *seen; /* one bit per page */
};

static uint32_t bdb_u32(const struct bdb *db, const unsigned char *p)
{
	return db->big_endian ? sbom_rpm_be32(p) : sbom_rpm_le32(p);
}

static uint16_t bdb_u16(const struct bdb *db, const unsigned char *p)
{
	return db->big_endian ? sbom_rpm_be16(p) : sbom_rpm_le16(p);
}

static enum bw_err bdb_open_meta(struct bdb *db, struct bw_errbuf *eb)
{
	const unsigned char *m = db->d;
	uint32_t version;

	if (db->n < 512)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %zu bytes, too short for a Berkeley DB file",
			       db->path, db->n);
	if (sbom_rpm_le32(m + 12) == BDB_HASH_MAGIC)
		db->big_endian = false;
	else if (sbom_rpm_be32(m + 12) == BDB_HASH_MAGIC)
		db->big_endian = true;
	else
		return bw_fail(eb, BW_ERR_FORMAT,
			       "%s: offset 12: no Berkeley DB hash magic (0x061561)", db->path);
	version = bdb_u32(db, m + 16);
	if (version < 8 || version > 10)
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: offset 16: hash version %u (8..10 known)",
			       db->path, version);
	db->pagesize = bdb_u32(db, m + 20);
	if (db->pagesize < 512 || db->pagesize > 65536 || (db->pagesize & (db->pagesize - 1)))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: offset 20: page size %u", db->path,
			       db->pagesize);
	if (m[24] != 0)
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: offset 24: encrypted database",
			       db->path);
	if (m[26] & BDB_METAFLAG_CHKSUM)
		return bw_fail(eb, BW_ERR_UNSUPPORTED, "%s: offset 26: page checksums are not read",
			       db->path);
	db->last_pgno = bdb_u32(db, m + 32);
	db->max_bucket = bdb_u32(db, m + 72);
	for (int i = 0; i < 32; i++)
		db->spares[i] = bdb_u32(db, m + 96 + 4 * i);
	db->npages = db->n / db->pagesize;
	if ((size_t)db->last_pgno + 1 < db->npages)
		db->npages = (size_t)db->last_pgno + 1;
	/* each bucket owns at least one page */
	if (db->max_bucket >= db->npages)
		return bw_fail(eb, BW_ERR_FORMAT,
			       "%s: offset 72: %u buckets but only %zu pages", db->path,
			       db->max_bucket + 1, db->npages);
	db->seen = bw_calloc(db->npages / 8 + 1, 1);
	return db->seen ? BW_OK : BW_ERR_NOMEM;
}

/* Page pgno, visited for the first time. Page 0 is the metadata. */
static enum bw_err bdb_page(struct bdb *db, uint64_t pgno, const unsigned char **out,
			    struct bw_errbuf *eb)
{
	const unsigned char *p;

	if (pgno == 0 || pgno >= db->npages)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: page %llu outside the file (%zu pages)",
			       db->path, (unsigned long long)pgno, db->npages);
	if (db->seen[pgno / 8] & (1u << (pgno % 8)))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: page %llu reached twice (page chain loop)",
			       db->path, (unsigned long long)pgno);
	db->seen[pgno / 8] |= (unsigned char)(1u << (pgno % 8));
	p = db->d + (size_t)pgno * db->pagesize;
	if (bdb_u32(db, p + 8) != pgno)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: page %llu says it is page %u", db->path,
			       (unsigned long long)pgno, bdb_u32(db, p + 8));
	*out = p;
	return BW_OK;
}

/* Gather an overflow chain of tlen bytes into *out (malloc'd). */
static enum bw_err bdb_overflow(struct bdb *db, uint32_t pgno, uint32_t tlen, unsigned char **out,
				struct bw_errbuf *eb)
{
	enum bw_err result;
	unsigned char *buf;
	size_t have = 0;

	*out = NULL;
	if (tlen == 0 || tlen > db->n || tlen > SBOM_RPM_HEADER_MAX)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: overflow item of %u bytes", db->path, tlen);
	buf = malloc(tlen);
	if (!buf)
		return BW_ERR_NOMEM;
	while (have < tlen) {
		const unsigned char *p;
		uint16_t plen;

		if (pgno == 0) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: overflow chain ends after %zu of %u bytes", db->path,
					 have, tlen);
			goto out_buf;
		}
		result = bdb_page(db, pgno, &p, eb);
		if (result != BW_OK)
			goto out_buf;
		plen = bdb_u16(db, p + 22);
		if (p[25] != BDB_P_OVERFLOW || plen == 0 || plen > db->pagesize - BDB_PAGE_HDR ||
		    plen > tlen - have) {
			result = bw_fail(eb, BW_ERR_FORMAT,
					 "%s: page %u: not an overflow page of the item (type %u, "
					 "%u bytes)",
					 db->path, pgno, p[25], plen);
			goto out_buf;
		}
		memcpy(buf + have, p + BDB_PAGE_HDR, plen);
		have += plen;
		pgno = bdb_u32(db, p + 16);
	}
	*out = buf;
	return BW_OK;
out_buf:
	free(buf);
	return result;
}

/* One key/value pair of a hash page: the value is a header unless the key
 * is record 0 (rpm's counter). koff/voff/end are checked item bounds. */
static enum bw_err bdb_pair(struct bdb *db, const unsigned char *p, uint32_t pgno, size_t koff,
			    size_t kend, size_t voff, const struct sbom_rpm_sink *sk)
{
	struct bw_errbuf eb = { { 0 } };
	enum bw_err result;
	unsigned char *ov = NULL;
	uint32_t hnum;

	if (p[koff] != BDB_H_KEYDATA || kend - koff != 1 + 4) {
		sbom_rpm_sink_warn(sk,
			      "%s: page %u: key of kind %u, %zu bytes is not a header number; "
			      "record skipped",
			      db->path, pgno, p[koff], kend - koff - 1);
		return BW_OK;
	}
	hnum = bdb_u32(db, p + koff + 1);
	if (hnum == 0)
		return BW_OK;
	if (p[voff] == BDB_H_KEYDATA)
		return sbom_rpm_sink_record(sk, p + voff + 1, koff - voff - 1, db->path,
					   "record", hnum);
	if (p[voff] != BDB_H_OFFPAGE || koff - voff != BDB_HOFFPAGE_SIZE) {
		sbom_rpm_sink_warn(sk,
			      "%s: record %u: value of kind %u is not a header; record skipped",
			      db->path, hnum, p[voff]);
		return BW_OK;
	}
	result = bdb_overflow(db, bdb_u32(db, p + voff + 4), bdb_u32(db, p + voff + 8), &ov, &eb);
	if (result == BW_OK)
		result = sbom_rpm_sink_record(sk, ov, bdb_u32(db, p + voff + 8), db->path,
					     "record", hnum);
	else if (result != BW_ERR_NOMEM) {
		sbom_rpm_sink_warn(sk, "%s; record %u skipped", eb.msg, hnum);
		result = BW_OK;
	}
	free(ov);
	return result;
}

/* Every pair of one hash page. */
static enum bw_err bdb_hash_page(struct bdb *db, const unsigned char *p, uint32_t pgno,
				 const struct sbom_rpm_sink *sk, struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	uint16_t nent = bdb_u16(db, p + 20);
	size_t minoff = BDB_PAGE_HDR + 2 * (size_t)nent, prev = db->pagesize;

	if (minoff > db->pagesize || nent % 2)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: page %u: %u entries", db->path, pgno, nent);
	for (size_t i = 0; i < nent && result == BW_OK; i += 2) {
		size_t koff = bdb_u16(db, p + BDB_PAGE_HDR + 2 * i);
		size_t voff = bdb_u16(db, p + BDB_PAGE_HDR + 2 * i + 2);

		/* items grow down from the end of the page: each starts
		 * below the previous one */
		if (koff < minoff || koff >= prev || voff < minoff || voff >= koff)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: page %u: entry %zu: item offsets %zu/%zu out of order "
				       "or outside the page",
				       db->path, pgno, i, koff, voff);
		result = bdb_pair(db, p, pgno, koff, prev, voff, sk);
		prev = voff;
	}
	return result;
}

/* ceil(log2(n)) for n >= 1, as hash.h's __db_log2 */
static unsigned bdb_log2(uint64_t n)
{
	unsigned i = 0;

	while (((uint64_t)1 << i) < n)
		i++;
	return i;
}

enum bw_err sbom_parse_rpm_bdb(struct sbom *sb, const char *data, size_t n, const char *path,
			const char *layer, struct bw_errbuf *eb)
{
	struct sbom_rpm_sink sk = { .sb = sb, .layer = layer };

	if (BW_NEVER(!sb))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_parse_rpm_bdb: NULL argument");
	return sbom_rpm_read_bdb(&sk, data, n, path, eb);
}

enum bw_err sbom_rpm_read_bdb(const struct sbom_rpm_sink *sk, const char *data, size_t n,
		      const char *path, struct bw_errbuf *eb)
{
	enum bw_err result;
	struct bdb db = { 0 };

	if (BW_NEVER(!sk || !sk->sb || (!data && n)))
		return bw_fail(eb, BW_ERR_INTERNAL, "sbom_rpm_read_bdb: NULL argument");
	db.d = (const unsigned char *)data;
	db.n = n;
	db.path = path ? path : "Packages";
	result = bdb_open_meta(&db, eb);
	if (result != BW_OK)
		goto out_seen;
	for (uint64_t b = 0; b <= db.max_bucket && result == BW_OK; b++) {
		unsigned lg = bdb_log2(b + 1);
		uint64_t pgno = b + (lg < 32 ? db.spares[lg] : 0);

		while (pgno != 0 && result == BW_OK) {
			const unsigned char *p;

			result = bdb_page(&db, pgno, &p, eb);
			if (result != BW_OK)
				break;
			if (p[25] != BDB_P_HASH && p[25] != BDB_P_HASH_UNSORTED) {
				result = bw_fail(eb, BW_ERR_FORMAT,
						 "%s: bucket %llu: page %llu has type %u, not a hash "
						 "page",
						 db.path, (unsigned long long)b,
						 (unsigned long long)pgno, p[25]);
				break;
			}
			result = bdb_hash_page(&db, p, (uint32_t)pgno, sk, eb);
			pgno = bdb_u32(&db, p + 16);
		}
	}
	if (result == BW_ERR_LIMIT)
		result = bw_fail(eb, result, "%s: more packages than an sbom holds", db.path);
out_seen:
	free(db.seen);
	return result;
}
