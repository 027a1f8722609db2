/* fuzz_match_gate.c - the gate's readers of user files: the ignore file and
 * OpenVEX documents. First input byte: even = ignore file, odd = VEX; the
 * rest is the file, passed through a memfd. The findings are fixed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "match/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_finding(struct match_result *r, const char *id, const char *alias, size_t pkg,
			enum match_severity sev)
{
	struct match_finding *f = &r->v[r->n++];

	memset(f, 0, sizeof(*f));
	f->id = bw_strdup(id);
	bw_strv_push(&f->aliases, alias);
	f->severity = sev;
	f->pkg_index = pkg;
	f->cvss_score = -1;
	f->fix_state = bw_strdup("fixed");
	bw_strv_push(&f->fixed_versions, "1.0");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbom *sb;
	struct match_result r = {0};
	struct match_gate g = {0};
	struct bw_errbuf eb = {{0}};
	struct sbom_pkg p = {0};
	char path[64];
	bool failed;
	int fd;

	if (size < 1)
		return 0;
	fd = memfd_create("gate", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	sb = sbom_new();
	p.type = SBOM_PKG_DEB;
	p.name = bw_strdup("openssl");
	p.version = bw_strdup("1.1.1n-0+deb11u3");
	p.purl = bw_strdup("pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64");
	sbom_add(sb, &p);
	sb->target = bw_strdup("oci:/img:tag");
	r.v = calloc(2, sizeof(*r.v));
	r.cap = 2;
	add_finding(&r, "CVE-2023-0286", "DSA-5343-1", 0, MATCH_SEV_HIGH);
	add_finding(&r, "CVE-2022-2097", "GHSA-x", 0, MATCH_SEV_MEDIUM);
	if (data[0] & 1)
		g.vexfile = path;
	else
		g.ignorefile = path;
	g.fail_on_set = true;
	g.fail_on = MATCH_SEV_HIGH;
	g.now = 1800000000;
	(void)match_gate_apply(&g, sb, &r, &failed, &eb);
	match_result_release(&r);
	sbom_free(sb);
	close(fd);
	return 0;
}
