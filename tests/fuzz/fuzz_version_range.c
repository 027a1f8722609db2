/* fuzz_version_range.c - constraint languages on hostile input. Input: one
 * selector byte, then VERSION '\n' CONSTRAINT. Selector % 4: npm range
 * (flags from bits 2-3), PEP 440 specifiers, RubyGems requirements, OSV
 * range (CONSTRAINT lines "i:V", "f:V", "l:V", "m:V" = introduced, fixed,
 * last_affected, limit; scheme from bits 2-5). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "version/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {0};
	bool out = false;

	if (size < 1 || size > 8192)
		return 0;
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *v = buf, *c = strchr(buf, '\n');
	if (c)
		*c++ = '\0';
	else
		c = v + strlen(v);
	switch (data[0] % 4) {
	case 0:
		(void)version_semver_satisfies(v, c, (unsigned)(data[0] >> 2) & 3u, &out, &eb);
		break;
	case 1:
		(void)version_pep440_satisfies(v, c, (data[0] >> 2) & 1, &out, &eb);
		break;
	case 2:
		(void)version_gem_satisfies(v, c, &out, &eb);
		break;
	case 3: {
		struct version_event ev[64];
		size_t n = 0;
		for (char *line = c; line && *line && n < 64;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (strlen(line) >= 2 && line[1] == ':') {
				enum version_event_kind k = line[0] == 'i'   ? VERSION_EVENT_INTRODUCED
							    : line[0] == 'f' ? VERSION_EVENT_FIXED
							    : line[0] == 'l' ? VERSION_EVENT_LAST_AFFECTED
									     : VERSION_EVENT_LIMIT;
				ev[n].kind = k;
				ev[n].version = line + 2;
				n++;
			}
			line = nl ? nl + 1 : NULL;
		}
		enum version_scheme s = (enum version_scheme)((data[0] >> 2) % VERSION__COUNT);
		(void)version_in_osv_range(s, v, ev, n, &out, &eb);
		break;
	}
	}
	free(buf);
	return 0;
}
