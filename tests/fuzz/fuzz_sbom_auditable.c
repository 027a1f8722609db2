/* fuzz_sbom_auditable.c - cargo-auditable's .dep-v0: ELF section lookup,
 * bounded zlib inflation, the JSON crate list. Input: an ELF file; input
 * that is not ELF becomes the content of a .dep-v0 section in a minimal
 * 64-bit ELF built here, so the fuzzer reaches zlib and JSON directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void le(unsigned char *p, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* header, section data at 64, ".dep-v0\0.shstrtab\0" names, 3 section headers */
static unsigned char *wrap(const uint8_t *data, size_t size, size_t *outlen)
{
	static const char names[] = "\0.dep-v0\0.shstrtab";
	size_t stroff = 64 + size, shoff = (stroff + sizeof(names) + 7) & ~(size_t)7;
	size_t total = shoff + 3 * 64;
	unsigned char *b = calloc(1, total), *sh;

	if (!b)
		return NULL;
	memcpy(b, "\x7f" "ELF\x02\x01\x01", 7);
	le(b + 0x28, 8, shoff);
	le(b + 0x3a, 2, 64);
	le(b + 0x3c, 2, 3);
	le(b + 0x3e, 2, 2);
	memcpy(b + 64, data, size);
	memcpy(b + stroff, names, sizeof(names));
	sh = b + shoff + 64;
	le(sh, 4, 1);
	le(sh + 4, 4, 1);
	le(sh + 24, 8, 64);
	le(sh + 32, 8, size);
	sh += 64;
	le(sh, 4, 9);
	le(sh + 4, 4, 3);
	le(sh + 24, 8, stroff);
	le(sh + 32, 8, sizeof(names));
	*outlen = total;
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "usr/bin/rapp";
	struct sbom *sb;
	struct bw_errbuf eb = {{0}};
	struct image_stream st;
	unsigned char *elf = NULL;
	size_t n = size;
	enum bw_err result;

	if (size > (1u << 20))
		return 0;
	if (size < 4 || memcmp(data, "\x7f" "ELF", 4) != 0) {
		elf = wrap(data, size, &n);
		if (!elf)
			return 0;
	}
	sb = sbom_new();
	if (!sb) {
		free(elf);
		return 0;
	}
	image_stream_mem(&st, path, elf ? elf : data, n);
	result = sbom_parse_rust_auditable(sb, &st, &eb);
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, path))
		abort(); /* every error names the binary */
	for (size_t i = 0; i < sb->npkgs; i++)
		if (!sb->pkgs[i].purl || !sb->pkgs[i].name[0] || !sb->pkgs[i].version[0])
			abort();
	sbom_free(sb);
	free(elf);
	return 0;
}
