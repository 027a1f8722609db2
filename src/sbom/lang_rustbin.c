/* lang_rustbin.c - being written. */
#include "sbom/sbom_int.h"

const struct sbom_lang_cataloger sbom_cat_rustbin = {
	.name = "rustbin",
};
