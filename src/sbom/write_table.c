/* write_table.c - the SBOM as aligned text for people.
 *
 *   Distro: Debian GNU/Linux 12 (bookworm)    Packages: 90
 *   NAME        VERSION          ARCH    TYPE
 *   adduser     3.134            all     deb
 *
 * Values come from the image, so control characters (C0, DEL and C1, escape
 * sequences included) and bytes that are not UTF-8 are printed as '?': a
 * package name cannot drive the terminal.
 * A column is as wide as its widest value up to TABLE_COL_MAX; longer values
 * are printed whole and push the rest of their line right.
 */
#include <string.h>

#include "write_int.h"

#define TABLE_COL_MAX 48
#define TABLE_NCOLS 4

/* The next character of s for a terminal: a valid UTF-8 sequence that is
 * not a control character (C0, DEL, C1) is printed as it is, anything else
 * as one '?'. Returns the bytes consumed; *out and *outn say what to print. */
static size_t term_char(const char *s, const char **out, size_t *outn)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = sbom_utf8_seq_len(u, strlen(s));

	if (len == 0 || u[0] < 0x20 || u[0] == 0x7f ||
	    (len == 2 && u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)) {
		*out = "?";
		*outn = 1;
		return len ? len : 1;
	}
	*out = s;
	*outn = len;
	return len;
}

/* Display width: one column per printed character. */
static size_t display_width(const char *s)
{
	const char *o;
	size_t on, w = 0;

	while (*s) {
		s += term_char(s, &o, &on);
		w++;
	}
	return w;
}

/* Print s made safe for a terminal, padded to width + 2 (when pad). */
static void put_cell(FILE *f, const char *s, size_t width, bool pad)
{
	const char *o;
	size_t on, w = 0;

	while (*s) {
		s += term_char(s, &o, &on);
		fwrite(o, 1, on, f);
		w++;
	}
	if (pad)
		for (; w < width + 2; w++)
			fputc(' ', f);
}

static void cells(const struct sbom_pkg *p, const char *out[TABLE_NCOLS])
{
	out[0] = p->name ? p->name : "";
	out[1] = p->version ? p->version : "";
	out[2] = p->arch ? p->arch : "";
	out[3] = sbom_pkg_type_name(p->type);
	if (!out[3])
		out[3] = "";
}

enum bw_err sbom_write_table(const struct sbom *sb, FILE *f, struct bw_errbuf *eb)
{
	static const char *const head[TABLE_NCOLS] = {"NAME", "VERSION", "ARCH", "TYPE"};
	size_t width[TABLE_NCOLS];
	const char *row[TABLE_NCOLS];
	const struct sbom_distro *d = &sb->distro;

	for (size_t c = 0; c < TABLE_NCOLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < sb->npkgs; i++) {
		cells(&sb->pkgs[i], row);
		for (size_t c = 0; c < TABLE_NCOLS; c++) {
			size_t w = display_width(row[c]);

			if (w > width[c])
				width[c] = w > TABLE_COL_MAX ? TABLE_COL_MAX : w;
		}
	}

	fputs("Distro: ", f);
	if (d->pretty_name) {
		put_cell(f, d->pretty_name, 0, false);
	} else if (d->id) {
		put_cell(f, d->id, 0, false);
		if (d->version_id) {
			fputc(' ', f);
			put_cell(f, d->version_id, 0, false);
		}
	} else {
		fputs("unknown", f);
	}
	fprintf(f, "    Packages: %zu\n", sb->npkgs);

	for (size_t c = 0; c < TABLE_NCOLS; c++)
		put_cell(f, head[c], width[c], c + 1 < TABLE_NCOLS);
	fputc('\n', f);
	for (size_t i = 0; i < sb->npkgs; i++) {
		cells(&sb->pkgs[i], row);
		for (size_t c = 0; c < TABLE_NCOLS; c++)
			put_cell(f, row[c], width[c], c + 1 < TABLE_NCOLS);
		fputc('\n', f);
	}
	if (ferror(f))
		return bw_fail(eb, BW_ERR_IO, "writing the SBOM table failed");
	return BW_OK;
}
