/* fuzz_agent_cnmsg.c - agent_cn_parse on one datagram as the netlink proc
 * connector delivers it (netlink headers, cn_msg, proc_event): every length
 * in it is untrusted. Invariants: events are only of the reported types,
 * threads are never reported, strings stay terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/src_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(void *ctx, struct agent_proc_ev *ev)
{
	size_t *n = ctx;

	switch (ev->type) {
	case AGENT_EV_EXEC:
	case AGENT_EV_FORK:
	case AGENT_EV_EXIT:
	case AGENT_EV_PTRACE:
	case AGENT_EV_SETID:
		break;
	default:
		abort();
	}
	if (memchr(ev->comm, 0, sizeof(ev->comm)) == NULL ||
	    memchr(ev->filename, 0, sizeof(ev->filename)) == NULL || ev->args_len != 0)
		abort();
	(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bw_errbuf eb = {{0}};
	size_t seen = 0, counted = 0;
	uint8_t *copy;

	if (size > 1 << 16)
		return 0;
	/* an exact-size heap copy: ASan catches any read past the datagram */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	(void)agent_cn_parse(copy, size, check, &seen, &counted, &eb);
	if (seen != counted)
		abort();
	free(copy);
	return 0;
}
