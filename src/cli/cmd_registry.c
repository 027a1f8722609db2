/* cmd_registry.c - `bulwark registry`: whole-registry scanning.
 *
 * This file also plugs the registry image source into image_open() at
 * start-up, so that `bulwark sbom` and `bulwark scan` accept registry
 * references without further wiring (main.c may call registry_init()
 * itself; the call is idempotent). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "registry/registry.h"

__attribute__((constructor)) static void cmd_registry_plug_source(void)
{
	registry_init();
}

static void usage(FILE *f)
{
	fputs("usage: bulwark registry scan HOST [--repo GLOB] [--tag GLOB] [--store FILE]\n"
	      "       bulwark registry report HOST [--store FILE]\n"
	      "\n"
	      "Registry connection settings come from the environment:\n"
	      "  BULWARK_REGISTRY_INSECURE=1      plain HTTP\n"
	      "  BULWARK_REGISTRY_CA_FILE=FILE    trust these CAs instead of the system's\n"
	      "  BULWARK_REGISTRY_USERNAME / BULWARK_REGISTRY_PASSWORD\n",
	      f);
}

int cmd_registry(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return BW_EXIT_OK;
	}
	if (argc < 2) {
		usage(stderr);
		return BW_EXIT_INPUT;
	}
	return cli_usage_error("registry", "%s: not implemented yet", argv[1]);
}
