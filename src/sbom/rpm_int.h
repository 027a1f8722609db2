/* rpm_int.h - private helpers shared by the rpm database readers
 * (rpm_header.c, rpm_sqlite.c, rpm_bdb.c, rpm_ndb.c). See docs/rpmdb.md.
 */
#ifndef BW_SBOM_RPM_INT_H
#define BW_SBOM_RPM_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sbom/sbom.h"

/* rpm's own ceiling for one header (lib/header.c: HEADER_DATA_MAX is
 * 256 MiB, the index at most 0xffff entries). */
#define SBOM_RPM_HEADER_MAX ((size_t)256 * 1024 * 1024)
#define SBOM_RPM_INDEX_MAX 0xffffu

static inline uint32_t sbom_rpm_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint32_t sbom_rpm_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint16_t sbom_rpm_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint16_t sbom_rpm_be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A skipped record: a warning in the sbom and on stderr (BW_WARN), as the
 * cataloger reports a database it cannot read; " (layer L)" is appended
 * when layer is not NULL. */
void sbom_rpm_warn(struct sbom *sb, const char *layer, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse one header blob of a database record and add its package to sb.
 * A malformed blob does not stop the database: like rpm ("damaged header
 * #N retrieved -- skipping"), the record is skipped and a warning naming
 * path and record goes into sb (and to stderr). Returns an error only when
 * the sbom cannot take more (BW_ERR_NOMEM, BW_ERR_LIMIT). */
enum bw_err sbom_rpm_add_record(struct sbom *sb, const unsigned char *blob, size_t n,
				const char *path, const char *layer, const char *what,
				unsigned long long recno);

/* Where a database reader sends each header blob. Without fn, the blob
 * becomes a package of sb (sbom_rpm_add_record); with fn (a second read of
 * the database, for file ownership), fn gets it and warnings are not
 * repeated. */
struct sbom_rpm_sink {
	struct sbom *sb;
	const char *layer;
	enum bw_err (*fn)(void *ctx, const unsigned char *blob, size_t n);
	void *ctx;
};
void sbom_rpm_sink_warn(const struct sbom_rpm_sink *sk, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum bw_err sbom_rpm_sink_record(const struct sbom_rpm_sink *sk, const unsigned char *blob,
				 size_t n, const char *path, const char *what,
				 unsigned long long recno);

/* The database readers behind sbom_parse_rpm_{sqlite,bdb,ndb}. */
enum bw_err sbom_rpm_read_sqlite(const struct sbom_rpm_sink *sk, const char *data, size_t n,
				 const char *path, struct bw_errbuf *eb);
enum bw_err sbom_rpm_read_bdb(const struct sbom_rpm_sink *sk, const char *data, size_t n,
			      const char *path, struct bw_errbuf *eb);
enum bw_err sbom_rpm_read_ndb(const struct sbom_rpm_sink *sk, const char *data, size_t n,
			      const char *path, struct bw_errbuf *eb);

/* The files one header blob lists (rpm -ql): fn gets the package NAME and
 * each path split as DIRNAMES[DIRINDEXES[i]] + BASENAMES[i] (dirnames end
 * in '/'), or OLDFILENAMES whole (dir "") in headers older than rpm 4.
 * A header without files is fine. fn's error stops the walk. */
typedef enum bw_err (*sbom_rpm_file_fn)(void *ctx, const char *name, const char *dir,
					size_t dl, const char *base, size_t bl);
enum bw_err sbom_rpm_header_files(const unsigned char *blob, size_t n, sbom_rpm_file_fn fn,
				  void *ctx, struct bw_errbuf *eb);

#endif
