/* fuzz_agent_detect.c - the built-in detections on hostile event fields:
 * a container controls every executable name, argv, file path and mount
 * source the agent hands to agent_detect_eval(). Input: one kind byte, then
 * NUL-separated exe, args, parent, path, mount source, mount fstype; the
 * path is also noted as written (drift) in one of four containers. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "agent/agent_int.h"

static struct agent_detect *det;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *field(const char **p, const char *end)
{
	const char *s = *p;
	const char *z = memchr(s, '\0', (size_t)(end - s));

	*p = z ? z + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[4096];
	struct agent_proc_ev raw;
	struct agent_det_in in;
	struct agent_det_hit hits[8];

	if (size < 2 || size >= sizeof(buf))
		return 0;
	if (!det)
		det = agent_detect_new();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	const char *p = buf, *end = buf + size - 1;
	memset(&raw, 0, sizeof(raw));
	memset(&in, 0, sizeof(in));
	in.kind = (enum agent_det_kind)(data[0] % 9);
	in.mntns = 1 + (data[0] >> 6);
	in.pid = data[0] & 7;
	in.stdin_socket = data[0] & 8;
	in.exe = field(&p, end);
	in.args = field(&p, end);
	in.parent_exe = field(&p, end);
	in.path = field(&p, end);
	in.access = data[0] & 7;
	/* unterminated fixed arrays, as a raw event could carry */
	const char *src = field(&p, end), *fst = field(&p, end);
	memcpy(raw.u.mount.source, src, strnlen(src, sizeof(raw.u.mount.source)));
	memcpy(raw.u.mount.fstype, fst, strnlen(fst, sizeof(raw.u.mount.fstype)));
	in.raw = (data[0] & 16) ? &raw : NULL;
	agent_detect_note_write(det, in.mntns, in.path);
	agent_detect_eval(det, &in, hits, 8);
	if (data[0] == 0xff)
		agent_detect_forget(det, in.mntns);
	return 0;
}
