/* profile.c - a group's learned profile: bounded sets of executables,
 * written paths and connections, with hash indexes so the agent's per-event
 * lookups stay O(1), and its JSON file (written atomically, read as
 * hostile input).
 *
 * File format (docs/policy.md):
 *   {"version": 1, "group": "G", "updated": EPOCH,
 *    "execs": [{"exe": "/bin/sh", "parent": "/usr/bin/env"}],
 *    "writes": ["/tmp/x"],
 *    "conns": [{"direction": "egress", "peer": "10.0.0.1", "port": 5432, "proto": "tcp"}]}
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy_int.h"

#define PROFILE_VERSION 1

struct strset {
	char **slot;
	size_t cap; /* power of two, or 0 */
	size_t n;
};

struct policy_profile_index {
	struct strset execs;  /* "EXE\tPARENT" */
	struct strset exes;   /* "EXE" */
	struct strset writes;
	struct strset conns;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static bool strset_has(const struct strset *ss, const char *k)
{
	if (ss->cap == 0)
		return false;
	for (size_t i = hash(k) & (ss->cap - 1);; i = (i + 1) & (ss->cap - 1)) {
		if (!ss->slot[i])
			return false;
		if (strcmp(ss->slot[i], k) == 0)
			return true;
	}
}

static void strset_put(struct strset *ss, char *k)
{
	size_t i = hash(k) & (ss->cap - 1);

	while (ss->slot[i])
		i = (i + 1) & (ss->cap - 1);
	ss->slot[i] = k;
	ss->n++;
}

/* Adds a copy of k (caller checked it is absent). */
static bool strset_add(struct strset *ss, const char *k)
{
	char *c;

	if ((ss->n + 1) * 2 > ss->cap) {
		size_t ncap = ss->cap ? ss->cap * 2 : 64;
		struct strset grown = {.slot = bw_calloc(ncap, sizeof(char *)), .cap = ncap};

		if (!grown.slot)
			return false;
		for (size_t i = 0; i < ss->cap; i++)
			if (ss->slot[i])
				strset_put(&grown, ss->slot[i]);
		free(ss->slot);
		*ss = grown;
	}
	c = bw_strdup(k);
	if (!c)
		return false;
	strset_put(ss, c);
	return true;
}

static void strset_release(struct strset *ss)
{
	for (size_t i = 0; i < ss->cap; i++)
		free(ss->slot[i]);
	free(ss->slot);
	memset(ss, 0, sizeof(*ss));
}

static struct policy_profile_index *index_of(struct policy_profile *p)
{
	if (!p->idx)
		p->idx = calloc(1, sizeof(*p->idx));
	return p->idx;
}

void policy_profile_init(struct policy_profile *p, const char *group)
{
	memset(p, 0, sizeof(*p));
	p->group = bw_strdup(group ? group : "");
}

void policy_profile_release(struct policy_profile *p)
{
	if (!p)
		return;
	free(p->group);
	bw_strv_release(&p->execs);
	bw_strv_release(&p->writes);
	bw_strv_release(&p->conns);
	if (p->idx) {
		strset_release(&p->idx->execs);
		strset_release(&p->idx->exes);
		strset_release(&p->idx->writes);
		strset_release(&p->idx->conns);
		free(p->idx);
	}
	memset(p, 0, sizeof(*p));
}

/* A path or peer we can store and write back: UTF-8, no control bytes. */
static bool entry_ok(const char *s, bool empty_ok)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	if ((n == 0 && !empty_ok) || n > POLICY_PROFILE_MAX_ENTRY || !bw_utf8_valid(s, n))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return true;
}

static bool room(const struct policy_profile *p, size_t len)
{
	return p->bytes + len <= POLICY_PROFILE_MAX_BYTES;
}

static void touched(struct policy_profile *p, size_t len)
{
	p->bytes += len;
	p->updated = (uint64_t)time(NULL);
}

bool policy_profile_add_exec(struct policy_profile *p, const char *exe, const char *parent)
{
	struct policy_profile_index *ix = index_of(p);
	char *entry;
	size_t len;

	if (!ix || !entry_ok(exe, false) || !entry_ok(parent ? parent : "", true))
		return false;
	entry = bw_strfmt("%s\t%s", exe, parent ? parent : "");
	if (!entry)
		return false;
	len = strlen(entry);
	if (strset_has(&ix->execs, entry) || p->execs.n >= POLICY_PROFILE_MAX_EXECS ||
	    !room(p, len))
		goto out_free;
	if (!strset_add(&ix->execs, entry))
		goto out_free;
	if (!strset_has(&ix->exes, exe) && !strset_add(&ix->exes, exe))
		goto out_free; /* execs has it; has_exec falls back on the list */
	if (bw_strv_push_owned(&p->execs, entry) != BW_OK)
		return false; /* push_owned frees entry on failure */
	touched(p, len);
	return true;
out_free:
	free(entry);
	return false;
}

bool policy_profile_add_write(struct policy_profile *p, const char *path)
{
	struct policy_profile_index *ix = index_of(p);
	size_t len;

	if (!ix || !entry_ok(path, false))
		return false;
	len = strlen(path);
	if (strset_has(&ix->writes, path) || p->writes.n >= POLICY_PROFILE_MAX_WRITES ||
	    !room(p, len))
		return false;
	if (!strset_add(&ix->writes, path))
		return false;
	if (bw_strv_push(&p->writes, path) != BW_OK)
		return false;
	touched(p, len);
	return true;
}

bool policy_profile_add_conn(struct policy_profile *p, bool egress, const char *peer,
			     unsigned port, const char *proto)
{
	struct policy_profile_index *ix = index_of(p);
	char *entry;
	size_t len;

	if (!ix || !entry_ok(peer, false) || port > 65535 || !proto ||
	    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0))
		return false;
	entry = bw_strfmt("%s\t%s\t%u/%s", egress ? "egress" : "ingress", peer, port, proto);
	if (!entry)
		return false;
	len = strlen(entry);
	if (strset_has(&ix->conns, entry) || p->conns.n >= POLICY_PROFILE_MAX_CONNS ||
	    !room(p, len) || !strset_add(&ix->conns, entry)) {
		free(entry);
		return false;
	}
	if (bw_strv_push_owned(&p->conns, entry) != BW_OK)
		return false;
	touched(p, len);
	return true;
}

bool policy_profile_has_exec(const struct policy_profile *p, const char *exe)
{
	if (!p || !exe || !p->idx)
		return false;
	if (strset_has(&p->idx->exes, exe))
		return true;
	return false;
}

bool policy_profile_has_write(const struct policy_profile *p, const char *path)
{
	return p && path && p->idx && strset_has(&p->idx->writes, path);
}

char *policy_profile_filename(const char *group)
{
	char hex[BW_SHA256_HEX_LEN + 1];
	size_t n = strlen(group), keep = n > 200 ? 200 : n;
	char *out = malloc(keep + 1 + 16 + sizeof(".json"));

	if (!out)
		return NULL;
	for (size_t i = 0; i < keep; i++) {
		char c = group[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '-';

		out[i] = ok ? c : '_';
	}
	if (n > keep) {
		if (bw_hash_hex(BW_HASH_SHA256, group, n, hex, sizeof(hex)) != BW_OK) {
			free(out);
			return NULL;
		}
		out[keep++] = '-';
		memcpy(out + keep, hex, 16);
		keep += 16;
	}
	memcpy(out + keep, ".json", sizeof(".json"));
	return out;
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *to_json(const struct policy_profile *p)
{
	json_t *root = json_object(), *execs = json_array(), *writes = json_array(),
	       *conns = json_array();
	bool ok = root && execs && writes && conns;

	for (size_t i = 0; ok && i < p->execs.n; i++) {
		const char *e = p->execs.v[i];
		const char *tab = strchr(e, '\t');

		ok = tab && json_array_append_new(execs, json_pack("{s:s%,s:s}", "exe", e,
								   (size_t)(tab - e), "parent",
								   tab + 1)) == 0;
	}
	for (size_t i = 0; ok && i < p->writes.n; i++)
		ok = json_array_append_new(writes, json_string(p->writes.v[i])) == 0;
	for (size_t i = 0; ok && i < p->conns.n; i++) {
		const char *c = p->conns.v[i];
		const char *t1 = strchr(c, '\t');
		const char *t2 = t1 ? strrchr(c, '\t') : NULL;
		const char *slash = t2 ? strchr(t2, '/') : NULL;
		uint64_t port = 0;
		char num[8];
		size_t nl;

		ok = t1 && t2 && t2 > t1 && slash;
		if (!ok)
			break;
		nl = (size_t)(slash - t2 - 1);
		ok = nl < sizeof(num);
		if (!ok)
			break;
		memcpy(num, t2 + 1, nl);
		num[nl] = '\0';
		ok = bw_parse_u64(num, 65535, &port) == BW_OK &&
		     json_array_append_new(conns,
					   json_pack("{s:s%,s:s%,s:I,s:s}", "direction", c,
						     (size_t)(t1 - c), "peer", t1 + 1,
						     (size_t)(t2 - t1 - 1), "port", (json_int_t)port,
						     "proto", slash + 1)) == 0;
	}
	if (ok)
		ok = json_object_set_new(root, "version", json_integer(PROFILE_VERSION)) == 0 &&
		     json_object_set_new(root, "group", json_string(p->group ? p->group : "")) == 0 &&
		     json_object_set_new(root, "updated", json_integer((json_int_t)p->updated)) == 0 &&
		     json_object_set(root, "execs", execs) == 0 &&
		     json_object_set(root, "writes", writes) == 0 &&
		     json_object_set(root, "conns", conns) == 0;
	json_decref(execs);
	json_decref(writes);
	json_decref(conns);
	if (!ok) {
		json_decref(root);
		return NULL;
	}
	return root;
}

enum bw_err policy_profile_save(const struct policy_profile *p, const char *path,
				struct bw_errbuf *eb)
{
	struct bw_out out = {0};
	json_t *v = to_json(p);
	enum bw_err result;

	if (!v)
		return bw_fail(eb, BW_ERR_NOMEM, "%s: cannot build the profile JSON", path);
	result = bw_out_open(&out, path, eb);
	if (result != BW_OK)
		goto out_decref;
	result = bw_json_write(v, out.f, eb);
	if (result != BW_OK) {
		bw_out_abort(&out);
		bw_fail_prefix(eb, result, "%s", path);
		goto out_decref;
	}
	result = bw_out_commit(&out, eb);
out_decref:
	json_decref(v);
	return result;
}

static const char *str_field(const json_t *o, const char *key, bool empty_ok)
{
	const json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;

	if (!s || strlen(s) != json_string_length(v) || !entry_ok(s, empty_ok))
		return NULL;
	return s;
}

static enum bw_err too_big(const char *path, struct bw_errbuf *eb)
{
	return bw_fail(eb, BW_ERR_LIMIT, "%s: more than %u bytes of entries", path,
		       POLICY_PROFILE_MAX_BYTES);
}

static enum bw_err from_json(struct policy_profile *np, const json_t *root, const char *path,
			     struct bw_errbuf *eb)
{
	const json_t *execs = json_object_get(root, "execs"), *writes = json_object_get(root, "writes"),
		     *conns = json_object_get(root, "conns"), *item;
	const json_t *ver = json_object_get(root, "version"), *upd = json_object_get(root, "updated");
	const char *group = str_field(root, "group", false);
	size_t i;

	if (!json_is_integer(ver) || json_integer_value(ver) != PROFILE_VERSION)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"version\" must be %d", path, PROFILE_VERSION);
	if (!group)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: \"group\" must be a non-empty string", path);
	if ((execs && !json_is_array(execs)) || (writes && !json_is_array(writes)) ||
	    (conns && !json_is_array(conns)))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: execs, writes and conns must be arrays", path);
	if (json_array_size(execs) > POLICY_PROFILE_MAX_EXECS ||
	    json_array_size(writes) > POLICY_PROFILE_MAX_WRITES ||
	    json_array_size(conns) > POLICY_PROFILE_MAX_CONNS)
		return bw_fail(eb, BW_ERR_LIMIT, "%s: more entries than a profile holds (%d execs, %d writes, %d conns)",
			       path, POLICY_PROFILE_MAX_EXECS, POLICY_PROFILE_MAX_WRITES,
			       POLICY_PROFILE_MAX_CONNS);
	free(np->group);
	np->group = bw_strdup(group);
	if (!np->group)
		return bw_fail(eb, BW_ERR_NOMEM, "out of memory");
	json_array_foreach(execs, i, item) {
		const char *exe = str_field(item, "exe", false);
		const char *parent = json_object_get(item, "parent") ? str_field(item, "parent", true) : "";

		if (!json_is_object(item) || !exe || !parent)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: execs[%zu]: expected {\"exe\": PATH, \"parent\": PATH} with printable UTF-8 of at most %d bytes",
				       path, i, POLICY_PROFILE_MAX_ENTRY);
		if (np->bytes + strlen(exe) + 1 + strlen(parent) > POLICY_PROFILE_MAX_BYTES)
			return too_big(path, eb);
		policy_profile_add_exec(np, exe, parent); /* false: a duplicate */
	}
	json_array_foreach(writes, i, item) {
		const char *w = json_is_string(item) ? json_string_value(item) : NULL;

		if (!w || strlen(w) != json_string_length(item) || !entry_ok(w, false))
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: writes[%zu]: expected a path of printable UTF-8, at most %d bytes",
				       path, i, POLICY_PROFILE_MAX_ENTRY);
		if (np->bytes + strlen(w) > POLICY_PROFILE_MAX_BYTES)
			return too_big(path, eb);
		policy_profile_add_write(np, w);
	}
	json_array_foreach(conns, i, item) {
		const char *dir = str_field(item, "direction", false);
		const char *peer = str_field(item, "peer", false);
		const char *proto = str_field(item, "proto", false);
		const json_t *port = json_object_get(item, "port");
		bool egress = dir && strcmp(dir, "egress") == 0;

		if (!dir || (!egress && strcmp(dir, "ingress") != 0) || !peer || !proto ||
		    (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) ||
		    !json_is_integer(port) || json_integer_value(port) < 0 ||
		    json_integer_value(port) > 65535)
			return bw_fail(eb, BW_ERR_FORMAT,
				       "%s: conns[%zu]: expected {\"direction\": egress|ingress, \"peer\": ADDR|GROUP, \"port\": 0-65535, \"proto\": tcp|udp}",
				       path, i);
		if (np->bytes + strlen(peer) + 20 > POLICY_PROFILE_MAX_BYTES)
			return too_big(path, eb);
		policy_profile_add_conn(np, egress, peer, (unsigned)json_integer_value(port), proto);
	}
	np->updated = json_is_integer(upd) && json_integer_value(upd) > 0
			      ? (uint64_t)json_integer_value(upd) : 0;
	return BW_OK;
}

enum bw_err policy_profile_load(struct policy_profile *p, const char *path, struct bw_errbuf *eb)
{
	struct bw_buf b;
	struct policy_profile np;
	json_t *root = NULL;
	enum bw_err result;

	bw_buf_init(&b, POLICY_PROFILE_MAX_FILE);
	result = bw_buf_read_file(&b, path, eb);
	if (result == BW_ERR_LIMIT)
		result = bw_fail(eb, result, "%s: larger than %u bytes", path, POLICY_PROFILE_MAX_FILE);
	if (result != BW_OK)
		goto out_release_buf;
	result = bw_json_parse(b.data ? b.data : "", b.len, path, &root, eb);
	if (result != BW_OK)
		goto out_release_buf;
	if (!json_is_object(root)) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: expected a JSON object", path);
		goto out_decref;
	}
	policy_profile_init(&np, NULL);
	result = from_json(&np, root, path, eb);
	if (result != BW_OK) {
		policy_profile_release(&np);
		goto out_decref;
	}
	policy_profile_release(p);
	*p = np;
out_decref:
	json_decref(root);
out_release_buf:
	bw_buf_release(&b);
	return result;
}
