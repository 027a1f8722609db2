/* error.c - the project's error type and its messages. */
#include <stdio.h>
#include <string.h>

#include "core.h"

static const char *const messages[BW_ERR__COUNT] = {
	[BW_OK] = "success",
	[BW_ERR_NOMEM] = "out of memory",
	[BW_ERR_USAGE] = "invalid usage",
	[BW_ERR_IO] = "input/output error",
	[BW_ERR_NOT_FOUND] = "not found",
	[BW_ERR_FORMAT] = "malformed input",
	[BW_ERR_UNSUPPORTED] = "unsupported",
	[BW_ERR_LIMIT] = "limit exceeded",
	[BW_ERR_DIGEST] = "digest mismatch",
	[BW_ERR_NETWORK] = "network error",
	[BW_ERR_AUTH] = "authentication failed",
	[BW_ERR_DB] = "database error",
	[BW_ERR_INTERNAL] = "internal error",
};

const char *bw_strerror(enum bw_err result)
{
	if ((unsigned)result >= BW_ERR__COUNT)
		return "unknown error";
	return messages[result];
}

enum bw_err bw_fail(struct bw_errbuf *eb, enum bw_err code, const char *fmt, ...)
{
	va_list ap;

	if (!eb)
		return code;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	return code;
}

enum bw_err bw_fail_prefix(struct bw_errbuf *eb, enum bw_err code, const char *fmt, ...)
{
	char prefix[512];
	char old[sizeof(eb->msg)];
	va_list ap;

	if (!eb)
		return code;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	bw_strlcpy(old, eb->msg[0] ? eb->msg : bw_strerror(code), sizeof(old));
	snprintf(eb->msg, sizeof(eb->msg), "%s: %s", prefix, old);
	return code;
}

const char *bw_errmsg(const struct bw_errbuf *eb, enum bw_err code)
{
	if (eb && eb->msg[0])
		return eb->msg;
	return bw_strerror(code);
}

int bw_exit_code(enum bw_err result)
{
	switch (result) {
	case BW_OK:
		return BW_EXIT_OK;
	case BW_ERR_NOMEM:
	case BW_ERR_INTERNAL:
	case BW_ERR_DB:
		return BW_EXIT_INTERNAL;
	default:
		return BW_EXIT_INPUT;
	}
}
