/* export.c - a learned profile written as a SecurityPolicy document that
 * policy_load_file() reads back to the same decisions: one allow rule per
 * executable and per written path, one network rule per peer.
 *
 * Learned paths are literal, rules are globs: the glob characters
 * bw_path_match gives a meaning to or that the reader refuses (* ? [ ] { } \)
 * become '?', which matches the character itself (and any other one), so
 * the rule still allows the learned path. An entry no glob can express (a
 * relative path, a "." component) is left out with a comment saying why.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

/* A YAML double-quoted scalar; entries hold no control characters. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* A comment line: anything but line breaks. */
static void put_comment_text(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
}

/* Learned literal path -> glob that matches it; NULL when none can. */
static char *literal_glob(const char *path, const char **why)
{
	char *g = bw_strdup(path);

	*why = "out of memory";
	if (!g)
		return NULL;
	for (char *p = g; *p; p++)
		if (strchr("*?[]{}\\", *p))
			*p = '?';
	*why = policy_path_glob_error(g);
	if (*why) {
		free(g);
		return NULL;
	}
	return g;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted copy of the pointers of sv (the strings stay in sv). */
static const char **sorted(const struct bw_strv *sv)
{
	const char **v = bw_calloc(sv->n ? sv->n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < sv->n; i++)
		v[i] = sv->v[i];
	qsort(v, sv->n, sizeof(*v), cmp_str);
	return v;
}

static size_t field_len(const char *s)
{
	const char *t = strchr(s, '\t');

	return t ? (size_t)(t - s) : strlen(s);
}

static void write_procs(FILE *f, const struct policy_profile *p, const char **execs)
{
	fputs("  process:", f);
	fputs(p->execs.n ? "\n" : " []\n", f);
	for (size_t i = 0; i < p->execs.n;) {
		size_t n = field_len(execs[i]), j, shown = 0;
		char *exe = bw_strndup(execs[i], n);
		const char *why = NULL;
		char *g = exe ? literal_glob(exe, &why) : NULL;

		/* entries with the same executable are consecutive after sorting */
		for (j = i; j < p->execs.n && field_len(execs[j]) == n &&
			    strncmp(execs[j], execs[i], n) == 0;
		     j++) {
			const char *parent = execs[j] + n + (execs[j][n] ? 1 : 0);

			if (!*parent || shown >= 8)
				continue;
			fputs(shown ? ", " : "    # parent: ", f);
			put_comment_text(f, parent);
			shown++;
		}
		if (shown)
			fputc('\n', f);
		if (g) {
			fputs("    - {path: ", f);
			put_quoted(f, g);
			fputs(", action: allow}\n", f);
		} else {
			fprintf(f, "    # left out (%s): ", why ? why : "out of memory");
			put_comment_text(f, exe ? exe : "");
			fputc('\n', f);
		}
		free(g);
		free(exe);
		i = j;
	}
}

static void write_files(FILE *f, const struct policy_profile *p, const char **writes)
{
	fputs("  file:", f);
	fputs(p->writes.n ? "\n" : " []\n", f);
	for (size_t i = 0; i < p->writes.n; i++) {
		const char *why = NULL;
		char *g = literal_glob(writes[i], &why);

		if (g) {
			fputs("    - {path: ", f);
			put_quoted(f, g);
			fputs(", access: write, action: allow}\n", f);
		} else {
			fprintf(f, "    # left out (%s): ", why ? why : "out of memory");
			put_comment_text(f, writes[i]);
			fputc('\n', f);
		}
		free(g);
	}
}

/* One rule per (direction, peer) with all its ports. conns entries are
 * "DIR\tPEER\tPORT/PROTO", sorted. */
static void write_net_dir(FILE *f, const struct policy_profile *p, const char **conns,
			  bool egress)
{
	const char *dir = egress ? "egress" : "ingress";
	size_t dl = strlen(dir);
	bool any = false;

	for (size_t i = 0; i < p->conns.n;) {
		const char *peer = conns[i] + dl + 1;
		size_t pl = field_len(peer), j;
		char *ps;
		unsigned char addr[16];
		bool any_port = false;

		if (strncmp(conns[i], dir, dl) != 0 || conns[i][dl] != '\t') {
			i++;
			continue;
		}
		if (!any)
			fprintf(f, "    %s:\n", dir);
		any = true;
		ps = bw_strndup(peer, pl);
		for (j = i; j < p->conns.n && strncmp(conns[j], conns[i], dl + 1 + pl + 1) == 0; j++)
			if (bw_str_starts_with(conns[j] + dl + 1 + pl + 1, "0/"))
				any_port = true;
		if (!ps) {
			i = j;
			continue;
		}
		if (inet_pton(AF_INET, ps, addr) == 1 || inet_pton(AF_INET6, ps, addr) == 1) {
			fprintf(f, "      - %s: {cidr: ", egress ? "to" : "from");
			put_quoted(f, ps);
			fputs("}\n", f);
		} else if (policy_group_name_valid(ps)) {
			fprintf(f, "      - %s: {group: ", egress ? "to" : "from");
			put_quoted(f, ps);
			fputs("}\n", f);
		} else {
			fputs("      # left out (peer is neither an address nor a group name): ", f);
			put_comment_text(f, ps);
			fputc('\n', f);
			free(ps);
			i = j;
			continue;
		}
		if (!any_port) {
			fputs("        ports: [", f);
			for (size_t k = i; k < j; k++) {
				fputs(k > i ? ", " : "", f);
				put_quoted(f, conns[k] + dl + 1 + pl + 1);
			}
			fputs("]\n", f);
		}
		fputs("        action: allow\n", f);
		free(ps);
		i = j;
	}
}

/* metadata.name: the group when it is a valid name, else a cleaned form. */
static char *doc_name(const char *group)
{
	char *n;
	size_t len = 0;

	if (policy_group_name_valid(group))
		return bw_strdup(group);
	n = malloc(strlen(group) + sizeof("group"));
	if (!n)
		return NULL;
	for (const char *s = group; *s && len < 253; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  (len > 0 && strchr("._:/-", c));

		if (ok)
			n[len++] = c;
		else if (len > 0 && n[len - 1] != '-')
			n[len++] = '-';
	}
	/* drop trailing separators until the name is valid */
	for (n[len] = '\0'; len > 0 && !policy_group_name_valid(n); n[len] = '\0')
		len--;
	if (len == 0)
		memcpy(n, "group", sizeof("group"));
	return n;
}

enum bw_err policy_export_yaml(const struct policy_profile *p, enum policy_mode mode, FILE *f,
			       struct bw_errbuf *eb)
{
	const char *group = p && p->group ? p->group : "";
	const char **execs = NULL, **writes = NULL, **conns = NULL;
	char *name = NULL, *sel = NULL;
	enum bw_err result = BW_OK;

	if (!*group)
		return bw_fail(eb, BW_ERR_USAGE, "the profile has no group name");
	name = doc_name(group);
	sel = bw_strdup(group);
	execs = sorted(&p->execs);
	writes = sorted(&p->writes);
	conns = sorted(&p->conns);
	if (!name || !sel || !execs || !writes || !conns) {
		result = bw_fail(eb, BW_ERR_NOMEM, "out of memory");
		goto out_free;
	}
	for (char *s = sel; *s; s++)
		if (strchr("*?[]{}\\", *s) || (unsigned char)*s < 0x20)
			*s = '?';
	if (policy_sel_glob_error(sel)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "group \"%.64s\" cannot be written as a selector",
				 group);
		goto out_free;
	}
	fputs("# Learned profile of group ", f);
	put_comment_text(f, group);
	fprintf(f, ", exported by bulwark %s: %zu executions, %zu written paths, %zu connections.\n",
		bw_version(), p->execs.n, p->writes.n, p->conns.n);
	fputs("apiVersion: bulwark.dev/v1\nkind: SecurityPolicy\nmetadata:\n  name: ", f);
	put_quoted(f, name);
	fputs("\nspec:\n  selector:\n    group: ", f);
	put_quoted(f, sel);
	fputc('\n', f);
	if (mode != POLICY_MODE_UNSET)
		fprintf(f, "  mode: %s\n", policy_mode_name(mode));
	write_procs(f, p, execs);
	write_files(f, p, writes);
	if (p->conns.n) {
		fputs("  network:\n", f);
		write_net_dir(f, p, conns, true);
		write_net_dir(f, p, conns, false);
	}
	if (fflush(f) != 0 || ferror(f))
		result = bw_fail(eb, BW_ERR_IO, "writing the policy YAML failed");
out_free:
	free(name);
	free(sel);
	free(execs);
	free(writes);
	free(conns);
	return result;
}
