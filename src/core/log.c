/* log.c - diagnostics on stderr, filtered by level. */
#include <stdio.h>
#include <unistd.h>

#include "core.h"

static enum bw_log_level current = BW_LOG_WARN;

void bw_log_set_level(enum bw_log_level level)
{
	current = level;
}

enum bw_log_level bw_log_get_level(void)
{
	return current;
}

void bw_log(enum bw_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	char line[2048];
	va_list ap;
	int n;

	if (level > current)
		return;
	n = snprintf(line, sizeof(line), "bulwark: %s: ", names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* one write per line so concurrent writers do not interleave */
	fprintf(stderr, "%s\n", line);
}
