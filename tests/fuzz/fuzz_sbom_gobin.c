/* fuzz_sbom_gobin.c - Go build info from an ELF file (ELF headers, section
 * and program header tables, the build info header, uvarint and pointer
 * strings, module info lines). Input: a file from an image (hostile). An
 * input that is not ELF is fed to the module info line parser instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"
#include "sbom/sbom_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char path[] = "usr/local/bin/app";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	struct image_stream st;
	enum bw_err result;

	if (!sb)
		return 0;
	image_stream_mem(&st, path, data, size);
	if (size >= 4 && memcmp(data, "\x7f" "ELF", 4) == 0)
		result = sbom_parse_gobin(sb, &st, &eb);
	else
		result = sbom_parse_go_modinfo(sb, "go1.21.5", (const char *)data, size, &st, &eb);
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, path))
		abort(); /* every error names the file */
	for (size_t i = 0; i < sb->npkgs; i++)
		if (!sb->pkgs[i].purl || !sb->pkgs[i].name[0] || !sb->pkgs[i].version[0] ||
		    strcmp(sb->pkgs[i].found_path, path) != 0)
			abort();
	sbom_free(sb);
	return 0;
}
