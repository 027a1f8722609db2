/* fuzz_sbom_jar.c - Java archives, read both ways: libarchive's zip reader
 * over the stream's random access (central directory) and front to back
 * (local headers, as a layer streams); nested archives, pom.properties and
 * MANIFEST.MF parsing, the depth/entry/size caps. Input: a .jar/.war. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The sequential form (a layer entry read front to back, zip read from its
 * local headers): read() only. */
struct seqmem {
	const uint8_t *p;
	size_t n, pos;
};

static ssize_t seq_read(const struct image_stream *s, void *buf, size_t n)
{
	struct seqmem *q = s->priv;

	if (n > q->n - q->pos)
		n = q->n - q->pos;
	memcpy(buf, q->p + q->pos, n);
	q->pos += n;
	return (ssize_t)n;
}

static void check(struct sbom *sb, enum bw_err result, const struct bw_errbuf *eb,
		  const char *path)
{
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb->msg, path))
		abort(); /* every error names the archive */
	for (size_t i = 0; i < sb->npkgs; i++)
		if (!sb->pkgs[i].purl || !sb->pkgs[i].name[0] || !sb->pkgs[i].version[0] ||
		    !sb->pkgs[i].sha1 || strlen(sb->pkgs[i].sha1) != 40 ||
		    strncmp(sb->pkgs[i].found_path, path, strlen(path)) != 0)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "srv/app.war";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	struct image_stream st;
	enum bw_err result;
	static int quiet;

	if (!quiet) {
		bw_log_set_level(BW_LOG_ERROR); /* per-archive warnings go to the sbom */
		quiet = 1;
	}
	if (!sb)
		return 0;
	image_stream_mem(&st, path, data, size);
	result = sbom_parse_java_archive(sb, &st, &eb);
	check(sb, result, &eb, path);
	sbom_free(sb);
	sb = sbom_new();
	if (!sb)
		return 0;
	{
		struct seqmem q = {.p = data, .n = size};

		memset(&st, 0, sizeof(st));
		st.path = path;
		st.size = size;
		st.read = seq_read;
		st.priv = &q;
		memset(&eb, 0, sizeof(eb));
		result = sbom_parse_java_archive(sb, &st, &eb);
		check(sb, result, &eb, path);
	}
	sbom_free(sb);
	return 0;
}
