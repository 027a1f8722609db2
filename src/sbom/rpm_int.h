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

#endif
