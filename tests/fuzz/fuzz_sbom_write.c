/* fuzz_sbom_write.c - the SBOM writers and the SPDX licence expression
 * parser on hostile package data.
 *
 * Input: newline-separated fields. The first line goes to the SPDX
 * expression parser on its own; then the distro (id, version, pretty name)
 * and packages of 5 fields each (name, version, arch, licence, licence).
 * Every byte can appear in a field (invalid UTF-8, control characters).
 * The harness checks what the writers promise: every JSON format parses
 * back as JSON, and the table is UTF-8 with no control character but '\n'. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom.h"
#include "sbom/write_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Next field of at most 4096 bytes as a malloc'd string; NULL at the end. */
static char *next_field(const char **p, const char *end)
{
	const char *nl;
	char *s;

	if (*p >= end)
		return NULL;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		nl = end;
	s = bw_strndup(*p, (size_t)(nl - *p) > 4096 ? 4096 : (size_t)(nl - *p));
	*p = nl < end ? nl + 1 : end;
	return s;
}

static void check_output(const struct sbom *sb, enum sbom_format fmt)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	struct bw_errbuf eb = {0};
	enum bw_err result;

	if (!f)
		return;
	result = sbom_write(sb, fmt, f, &eb);
	fclose(f);
	if (result == BW_OK && fmt == SBOM_FMT_TABLE) {
		for (size_t i = 0; i < n;) {
			const unsigned char *u = (const unsigned char *)out + i;
			size_t len = sbom_utf8_seq_len(u, n - i);

			/* a control character (C0, DEL, C1) or a byte that is not
			 * UTF-8 reached the terminal */
			if (len == 0 || (u[0] < 0x20 && u[0] != '\n') || u[0] == 0x7f ||
			    (len == 2 && u[0] == 0xc2 && u[1] <= 0x9f))
				abort();
			i += len;
		}
	} else if (result == BW_OK) {
		json_error_t je;
		json_t *v = json_loadb(out, n, 0, &je);

		if (!v)
			abort(); /* the writer produced invalid JSON */
		json_decref(v);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct sbom *sb;
	char *first;
	bool compound;

	first = next_field(&p, end);
	if (first) {
		free(sbom_spdx_expression(first, &compound));
		free(first);
	}
	sb = sbom_new();
	if (!sb)
		return 0;
	sb->target = bw_strdup("fuzz");
	sb->distro.id = next_field(&p, end);
	sb->distro.version_id = next_field(&p, end);
	sb->distro.pretty_name = next_field(&p, end);
	for (int i = 0; i < 64 && p < end; i++) {
		struct sbom_pkg pkg = {0};
		char *l1, *l2;

		pkg.type = (enum sbom_pkg_type)((unsigned)i % SBOM_PKG__COUNT);
		pkg.name = next_field(&p, end);
		pkg.version = next_field(&p, end);
		pkg.arch = next_field(&p, end);
		l1 = next_field(&p, end);
		l2 = next_field(&p, end);
		/* empty licences too: a database can record "L:" with nothing */
		if (l1)
			(void)bw_strv_push(&pkg.licenses, l1);
		if (l2)
			(void)bw_strv_push(&pkg.licenses, l2);
		free(l1);
		free(l2);
		pkg.purl = sbom_purl(&pkg, &sb->distro);
		if (sbom_add(sb, &pkg) != BW_OK)
			break;
	}
	sbom_sort(sb);
	check_output(sb, SBOM_FMT_TABLE);
	check_output(sb, SBOM_FMT_JSON);
	check_output(sb, SBOM_FMT_CYCLONEDX);
	check_output(sb, SBOM_FMT_SPDX_JSON);
	sbom_free(sb);
	return 0;
}
