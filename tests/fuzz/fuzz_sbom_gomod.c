/* fuzz_sbom_gomod.c - the go.mod and go.sum readers.
 * Input: attacker-controlled file bytes. Checks: no crash or leak, an
 * error names the file, every package has a name, a version and a purl. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "sbom/sbom.h"

/* In src/sbom/lang_*.c (prototypes to move to sbom.h). */
enum bw_err sbom_parse_go_mod(struct sbom *sb, const char *data, size_t n,
		const char *path, const char *layer, struct bw_errbuf *eb);
enum bw_err sbom_parse_go_sum(struct sbom *sb, const char *data, size_t n,
		const char *path, const char *layer, struct bw_errbuf *eb);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(enum bw_err (*parse)(struct sbom *, const char *, size_t, const char *,
				     const char *, struct bw_errbuf *),
		const uint8_t *data, size_t size)
{
	static const char path[] = "src/go.mod";
	struct sbom *sb = sbom_new();
	struct bw_errbuf eb = {{0}};
	enum bw_err result;

	if (!sb)
		return;
	result = parse(sb, (const char *)data, size, path, "sha256:ff", &eb);
	if (result != BW_OK && result != BW_ERR_NOMEM && !strstr(eb.msg, path))
		abort();
	for (size_t i = 0; i < sb->npkgs; i++) {
		const struct sbom_pkg *p = &sb->pkgs[i];

		if (!p->name || !p->name[0] || !p->version || !p->version[0] || !p->purl ||
		    strncmp(p->purl, "pkg:", 4) != 0 || strcmp(p->found_path, path) != 0)
			abort();
	}
	sbom_free(sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(sbom_parse_go_mod, data, size);
	run(sbom_parse_go_sum, data, size);
	return 0;
}
