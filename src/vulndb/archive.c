/* archive.c - compressed feeds through libarchive: OSV's per-ecosystem
 * all.zip (one OSV JSON record per member) and gzip files (EPSS csv.gz, NVD
 * json.gz). Every size is bounded: a member over VDB_MAX_RECORD_BYTES, a
 * decompressed file over VDB_MAX_FILE_BYTES or more than VDB_MAX_ZIP_ENTRIES
 * members stop the file with BW_ERR_LIMIT. */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "vulndb/vulndb_int.h"

static enum bw_err read_member(struct archive *a, const char *name, const char *member,
			       struct bw_buf *out, struct bw_errbuf *eb)
{
	char chunk[65536];
	la_ssize_t n;
	enum bw_err result;

	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		result = bw_buf_append(out, chunk, (size_t)n);
		if (result == BW_ERR_LIMIT)
			return bw_fail(eb, BW_ERR_LIMIT, "%s: %s: larger than %zu bytes", name, member,
				       out->max);
		if (result != BW_OK)
			return result;
	}
	if (n < 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: %s: %s", name, member,
			       archive_error_string(a) ? archive_error_string(a) : "read error");
	return BW_OK;
}

enum bw_err vdb_read_zip(struct vdb_builder *b, const char *name, const void *data, size_t len,
			 struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct archive_entry *ent;
	struct archive *a;
	struct bw_buf buf;
	size_t members = 0, bad = 0;
	int rc;

	a = archive_read_new();
	if (!a)
		return BW_ERR_NOMEM;
	archive_read_support_format_zip(a);
	archive_read_support_filter_none(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not a readable zip: %s", name,
				 archive_error_string(a) ? archive_error_string(a) : "?");
		goto out_archive;
	}
	bw_buf_init(&buf, VDB_MAX_RECORD_BYTES);
	while ((rc = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *mname = archive_entry_pathname(ent);
		struct bw_errbuf meb = {{0}};
		char full[4096];
		enum bw_err r;

		if (++members > VDB_MAX_ZIP_ENTRIES) {
			result = bw_fail(eb, BW_ERR_LIMIT, "%s: more than %u members", name,
					 VDB_MAX_ZIP_ENTRIES);
			break;
		}
		if (!mname || archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if (!bw_str_ends_with(mname, ".json") && !bw_str_ends_with(mname, ".yaml") &&
		    !bw_str_ends_with(mname, ".yml"))
			continue;
		snprintf(full, sizeof(full), "%s:%s", name, mname);
		bw_buf_reset(&buf);
		r = read_member(a, name, mname, &buf, &meb);
		if (r == BW_OK)
			r = vdb_read_any(b, full, buf.data ? buf.data : "", buf.len, 1, &meb);
		if (r == BW_ERR_UNSUPPORTED) {
			BW_DEBUG("%s: not an advisory, skipped", full);
		} else if (r == BW_ERR_DB || r == BW_ERR_NOMEM) {
			result = bw_fail(eb, r, "%s", bw_errmsg(&meb, r));
			break;
		} else if (r != BW_OK) {
			/* One bad record does not lose the other thousands. */
			BW_WARN("%s", bw_errmsg(&meb, r));
			bad++;
		}
	}
	bw_buf_release(&buf);
	if (result == BW_OK && rc != ARCHIVE_EOF)
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: zip damaged after %zu members: %s", name,
				 members, archive_error_string(a) ? archive_error_string(a) : "?");
	if (result == BW_OK && bad && bad == members)
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: no member could be read", name);
out_archive:
	archive_read_free(a);
	return result;
}

enum bw_err vdb_gunzip(const void *data, size_t len, const char *name, struct bw_buf *out,
		       struct bw_errbuf *eb)
{
	enum bw_err result = BW_OK;
	struct archive_entry *ent;
	struct archive *a;

	a = archive_read_new();
	if (!a)
		return BW_ERR_NOMEM;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: not readable gzip: %s", name,
				 archive_error_string(a) ? archive_error_string(a) : "?");
		goto out_archive;
	}
	result = read_member(a, name, "gzip data", out, eb);
out_archive:
	archive_read_free(a);
	return result;
}
