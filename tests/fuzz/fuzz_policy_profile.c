/* fuzz_policy_profile.c - learned-profile JSON loading (a file an attacker
 * with write access to the state directory could shape) and, for what it
 * accepts, the export: the exported YAML must load back as one policy,
 * and every learned executable must be allowed by it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policy/policy_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_export(const struct policy_profile *p)
{
	struct policy_set ps;
	struct bw_errbuf eb = {{0}};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	if (policy_export_yaml(p, POLICY_MODE_PROTECT, f, &eb) != BW_OK) {
		fclose(f);
		free(text);
		return;
	}
	fclose(f);
	policy_set_init(&ps);
	if (policy_load_mem(&ps, "export.yaml", text, len, &eb) != BW_OK || ps.ndocs != 1) {
		fprintf(stderr, "export does not load back: %s\n%s\n", eb.msg, text);
		abort();
	}
	for (size_t i = 0; i < p->execs.n; i++) {
		char *exe = strndup(p->execs.v[i], strcspn(p->execs.v[i], "\t"));

		/* every executable the export can write as a glob gets a rule */
		char *g = exe ? strdup(exe) : NULL;

		for (char *c = g; c && *c; c++)
			if (strchr("*?[]{}\\", *c))
				*c = '?';
		if (g && !policy_path_glob_error(g) &&
		    policy_check_exec(&ps.docs[0], exe, NULL) != POLICY_VERDICT_ALLOW) {
			fprintf(stderr, "learned %s is not allowed by the export\n%s\n", exe, text);
			abort();
		}
		free(g);
		free(exe);
	}
	policy_set_release(&ps);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_profile p;
	struct bw_errbuf eb = {{0}};
	char path[64];
	int fd;

	if (size > (1u << 20))
		return 0;
	fd = memfd_create("profile", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	policy_profile_init(&p, "g");
	if (policy_profile_load(&p, path, &eb) == BW_OK)
		check_export(&p);
	policy_profile_release(&p);
	close(fd);
	return 0;
}
