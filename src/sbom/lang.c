/* lang.c - the registry of language catalogers (issue 4). Each cataloger
 * lives in its own file. The references are strong on purpose: a weak
 * reference does not pull an object file out of the static library, so a
 * cataloger nothing else referenced would silently vanish from the binary. */
#include "sbom/sbom_int.h"

#define LANG(name) extern const struct sbom_lang_cataloger sbom_cat_##name
LANG(npm);
LANG(python);
LANG(golang);
LANG(java);
LANG(ruby);
LANG(rust);
LANG(php);
LANG(dotnet);
LANG(gobin);
LANG(rustbin);
#undef LANG

const struct sbom_lang_cataloger *const *sbom_lang_catalogers(void)
{
	static const struct sbom_lang_cataloger *list[16];
	static int ready;
	const struct sbom_lang_cataloger *all[] = {
		&sbom_cat_npm,  &sbom_cat_python, &sbom_cat_golang, &sbom_cat_java,
		&sbom_cat_ruby, &sbom_cat_rust,   &sbom_cat_php,    &sbom_cat_dotnet,
		&sbom_cat_gobin, &sbom_cat_rustbin,
	};

	if (!ready) {
		size_t n = 0;

		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (all[i])
				list[n++] = all[i];
		list[n] = NULL;
		ready = 1;
	}
	return list;
}
