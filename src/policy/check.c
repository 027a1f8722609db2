/* check.c - value checks shared by the policy reader and the exporter:
 * globs, group names, ports, CIDRs, and "did you mean" for near misses. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy_int.h"

/* Characters a glob may not hold: bw_path_match has no classes, braces or
 * escapes, so a user writing them means something we would not do. */
static const char *unsupported_char(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '[' || *p == ']')
			return "character classes ([...]) are not supported: globs use *, ** and ?";
		if (*p == '{' || *p == '}')
			return "braces ({a,b}) are not supported: globs use *, ** and ?; write one rule per alternative";
		if (*p == '\\')
			return "backslash escapes are not supported: globs use *, ** and ?";
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "control characters are not allowed";
	}
	return NULL;
}

/* "**" must be a whole component. */
static const char *globstar_error(const char *s)
{
	const char *p = s;

	while ((p = strstr(p, "**")) != NULL) {
		bool start = p == s || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';

		if (p[2] == '*')
			return "\"***\" is not a glob: use \"**\" alone as a path component";
		if (!start || !end)
			return "\"**\" must be a whole path component (\"/a/**/b\"); use \"*\" inside a name";
		p += 2;
	}
	return NULL;
}

const char *policy_path_glob_error(const char *s)
{
	const char *why;
	const char *p;

	if (!*s)
		return "empty path";
	if (strlen(s) > POLICY_MAX_STR)
		return "longer than 4096 bytes";
	if (s[0] != '/')
		return "must be an absolute path (starting with '/')";
	why = unsupported_char(s);
	if (why)
		return why;
	if (s[1] != '\0' && s[strlen(s) - 1] == '/')
		return "must not end with '/' (use \"/dir/**\" for everything below a directory)";
	for (p = s; *p; p++) {
		if (p[0] == '/' && p[1] == '/')
			return "has an empty component (\"//\")";
		if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return "has a \".\" component";
		if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0'))
			return "has a \"..\" component";
	}
	return globstar_error(s);
}

const char *policy_sel_glob_error(const char *s)
{
	const char *why;

	if (!*s)
		return "empty pattern";
	if (strlen(s) > 1024)
		return "longer than 1024 bytes";
	why = unsupported_char(s);
	return why ? why : globstar_error(s);
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool policy_group_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && !strchr("._:/-", s[i]))
			return false;
	return true;
}

static bool parse_port(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*out = v;
	return true;
}

const char *policy_port_error(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *dash;
	unsigned lo, hi;

	if (strcmp(s, "any") == 0)
		return NULL;
	if (!slash)
		return "expected \"PORT/PROTO\" like \"5432/tcp\", a range \"8000-8080/tcp\" or \"any\"";
	if (strcmp(slash + 1, "tcp") != 0 && strcmp(slash + 1, "udp") != 0)
		return "protocol must be tcp or udp";
	dash = memchr(s, '-', (size_t)(slash - s));
	if (dash) {
		if (!parse_port(s, (size_t)(dash - s), &lo) ||
		    !parse_port(dash + 1, (size_t)(slash - dash - 1), &hi))
			return "ports must be numbers from 1 to 65535";
		if (lo > hi)
			return "range goes backwards (low-high)";
		return NULL;
	}
	if (!parse_port(s, (size_t)(slash - s), &lo))
		return "port must be a number from 1 to 65535";
	return NULL;
}

const char *policy_cidr_error(const char *s, char *hint, size_t hintsz)
{
	unsigned char addr[16];
	char host[64];
	const char *slash = strchr(s, '/');
	size_t hn = slash ? (size_t)(slash - s) : strlen(s);
	int family, bits;
	unsigned prefix;

	if (hint && hintsz)
		hint[0] = '\0';
	if (hn == 0 || hn >= sizeof(host))
		return "expected an address or ADDRESS/PREFIX like \"10.0.0.0/8\"";
	memcpy(host, s, hn);
	host[hn] = '\0';
	if (inet_pton(AF_INET, host, addr) == 1) {
		family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		family = AF_INET6;
		bits = 128;
	} else {
		return "not an IPv4 or IPv6 address";
	}
	if (!slash)
		return NULL;
	if (!parse_port(slash + 1, strlen(slash + 1), &prefix) && strcmp(slash + 1, "0") != 0)
		return "prefix length must be a number";
	if (strcmp(slash + 1, "0") == 0)
		prefix = 0;
	if (prefix > (unsigned)bits)
		return family == AF_INET ? "IPv4 prefix length is at most 32"
					 : "IPv6 prefix length is at most 128";
	for (int i = (int)prefix; i < bits; i++) {
		if (addr[i / 8] & (0x80u >> (i % 8))) {
			char net[64];

			for (int j = (int)prefix; j < bits; j++)
				addr[j / 8] &= (unsigned char)~(0x80u >> (j % 8));
			if (hint && inet_ntop(family, addr, net, sizeof(net)))
				snprintf(hint, hintsz, "%s/%u", net, prefix);
			return "host bits are set after the prefix";
		}
	}
	return NULL;
}

bool policy_path_matches(const char *glob, const char *path)
{
	if (!glob || !path || glob[0] != '/' || path[0] != '/')
		return false;
	/* bw_path_match takes clean relative paths: drop the leading '/' */
	return bw_path_match(glob + 1, path + 1);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Optimal string alignment distance (transpositions count 1), capped. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	size_t d[34][34];

	if (n > 32 || m > 32)
		return 99;
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
			size_t v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[n][m];
}

const char *policy_near_miss(const char *s, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = 3;

	for (; *candidates; candidates++) {
		size_t d = edit_distance(s, *candidates);
		size_t len = strlen(*candidates);

		/* short words: one edit at most, or everything is "near" */
		if (d < best_d && (len > 3 || d <= 1) && d < len) {
			best = *candidates;
			best_d = d;
		}
	}
	return best;
}
