/* version.c - the tool's version, set by the build. */
#include "core.h"

#ifndef BW_VERSION
#define BW_VERSION "0.0.0-dev"
#endif

const char *bw_version(void)
{
	return BW_VERSION;
}
