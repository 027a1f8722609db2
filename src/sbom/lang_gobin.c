/* lang_gobin.c - Go binaries: the build info the Go linker embeds (what
 * `go version -m FILE` prints), read from ELF files streamed by the walker.
 * Also the small ELF reader that lang_rustbin.c shares (sbom_elf_*).
 *
 * Build info (Go's debug/buildinfo): a 32-byte header that starts with
 * "\xff Go buildinf:" at a 16-byte aligned address, in the section
 * .go.buildinfo or, when the section table is stripped, near the start of
 * the first writable data segment. Byte 14 is the pointer size, byte 15
 * the flags: bit 1 set (Go 1.18+) means the Go version and the module info
 * follow the header inline as uvarint-length-prefixed strings; otherwise
 * (Go <= 1.17) two pointers at offsets 16 and 16+ptrsize point to Go
 * string headers {data pointer, length} (bit 0: big-endian pointers). The
 * module info is framed by two 16-byte sentinels, removed when its 17th
 * byte from the end is a newline.
 *
 * Packages: the Go toolchain as "stdlib" (version "go1.19.8", purl
 * pkg:golang/stdlib@1.19.8: OSV's Go ecosystem names it "stdlib" with
 * versions without the "go" prefix), the main module ("mod" line; skipped
 * when its version is "(devel)", a local build with nothing to match), and
 * every "dep" line; a "=>" line replaces the module before it, and the
 * replacement's path and version are reported (a local directory
 * replacement has no version and is skipped). purl pkg:golang/PATH@VERSION.
 */
#include <stdlib.h>
#include <string.h>

#include "sbom/sbom_int.h"

#define ELF_MAX_SECTIONS   65535u
#define ELF_MAX_PHDRS      4096u
#define ELF_MAX_SHSTRTAB   (16u << 20)
#define ELF_MAX_ENTSIZE    256u           /* table entries: 32..64 bytes in practice */
#define GO_MAGIC           "\xff Go buildinf:"
#define GO_MAGIC_LEN       14u
#define GO_HEADER          32u
#define GO_ALIGN           16u
#define GO_SCAN            (64u * 1024)   /* bytes of the data segment searched */
#define GO_MAX_INFO        (4u << 20)     /* version + module info */

/* ---- ELF ---- */

static uint64_t rd(const unsigned char *p, size_t n, bool be)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[be ? i : n - 1 - i] << (8 * (n - 1 - i));
	return v;
}

enum bw_err sbom_elf_open(struct sbom_elf *elf, const struct image_stream *st,
			  struct bw_errbuf *eb)
{
	unsigned char h[64];
	size_t hsz;

	memset(elf, 0, sizeof(*elf));
	elf->st = st;
	if (st->size < 52)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: not an ELF file (%llu bytes)", st->path,
			       (unsigned long long)st->size);
	hsz = st->size < sizeof(h) ? (size_t)st->size : sizeof(h);
	if (image_stream_read(st, h, hsz, 0, eb))
		return BW_ERR_FORMAT;
	if (memcmp(h, "\x7f" "ELF", 4) != 0)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: no ELF magic", st->path);
	if ((h[4] != 1 && h[4] != 2) || (h[5] != 1 && h[5] != 2))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: ELF class %u / data encoding %u unknown",
			       st->path, h[4], h[5]);
	elf->is64 = h[4] == 2;
	elf->be = h[5] == 2;
	if (elf->is64) {
		if (hsz < 64)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: truncated ELF header", st->path);
		elf->phoff = rd(h + 0x20, 8, elf->be);
		elf->shoff = rd(h + 0x28, 8, elf->be);
		elf->phentsize = (uint16_t)rd(h + 0x36, 2, elf->be);
		elf->phnum = (uint16_t)rd(h + 0x38, 2, elf->be);
		elf->shentsize = (uint16_t)rd(h + 0x3a, 2, elf->be);
		elf->shnum = (uint16_t)rd(h + 0x3c, 2, elf->be);
		elf->shstrndx = (uint16_t)rd(h + 0x3e, 2, elf->be);
	} else {
		elf->phoff = rd(h + 0x1c, 4, elf->be);
		elf->shoff = rd(h + 0x20, 4, elf->be);
		elf->phentsize = (uint16_t)rd(h + 0x2a, 2, elf->be);
		elf->phnum = (uint16_t)rd(h + 0x2c, 2, elf->be);
		elf->shentsize = (uint16_t)rd(h + 0x2e, 2, elf->be);
		elf->shnum = (uint16_t)rd(h + 0x30, 2, elf->be);
		elf->shstrndx = (uint16_t)rd(h + 0x32, 2, elf->be);
	}
	/* tables that do not fit the file are treated as absent */
	if (elf->phentsize < (elf->is64 ? 56 : 32) || elf->phentsize > ELF_MAX_ENTSIZE ||
	    elf->phnum > ELF_MAX_PHDRS ||
	    elf->phoff > st->size || (uint64_t)elf->phnum * elf->phentsize > st->size - elf->phoff)
		elf->phnum = 0;
	if (elf->shentsize < (elf->is64 ? 64 : 40) || elf->shentsize > ELF_MAX_ENTSIZE ||
	    elf->shoff > st->size ||
	    (uint64_t)elf->shnum * elf->shentsize > st->size - elf->shoff ||
	    elf->shstrndx >= elf->shnum)
		elf->shnum = 0; /* also SHN_XINDEX (huge section counts): not followed */
	return BW_OK;
}

struct elf_shdr {
	uint32_t name, type;
	uint64_t addr, off, size;
};

static void shdr_get(const struct sbom_elf *elf, const unsigned char *p, struct elf_shdr *s)
{
	bool be = elf->be;

	s->name = (uint32_t)rd(p, 4, be);
	s->type = (uint32_t)rd(p + 4, 4, be);
	if (elf->is64) {
		s->addr = rd(p + 16, 8, be);
		s->off = rd(p + 24, 8, be);
		s->size = rd(p + 32, 8, be);
	} else {
		s->addr = rd(p + 12, 4, be);
		s->off = rd(p + 16, 4, be);
		s->size = rd(p + 20, 4, be);
	}
}

enum bw_err sbom_elf_section(const struct sbom_elf *elf, const char *name, uint64_t *off,
			     uint64_t *size, uint64_t *addr, struct bw_errbuf *eb)
{
	const struct image_stream *st = elf->st;
	size_t tsz = (size_t)elf->shnum * elf->shentsize, nlen = strlen(name);
	unsigned char *tab = NULL;
	char *names = NULL;
	struct elf_shdr s, strs;
	enum bw_err result = BW_ERR_NOT_FOUND;

	if (!elf->shnum)
		return BW_ERR_NOT_FOUND;
	tab = malloc(tsz);
	if (!tab)
		return BW_ERR_NOMEM;
	if (image_stream_read(st, tab, tsz, elf->shoff, eb)) {
		result = BW_ERR_FORMAT;
		goto out_free;
	}
	shdr_get(elf, tab + (size_t)elf->shstrndx * elf->shentsize, &strs);
	if (strs.type == 8 || strs.off > st->size || strs.size > st->size - strs.off ||
	    strs.size > ELF_MAX_SHSTRTAB || !strs.size) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: section name table (offset %llu, %llu "
				 "bytes) outside the file", st->path, (unsigned long long)strs.off,
				 (unsigned long long)strs.size);
		goto out_free;
	}
	names = malloc((size_t)strs.size + 1);
	if (!names) {
		result = BW_ERR_NOMEM;
		goto out_free;
	}
	if (image_stream_read(st, names, (size_t)strs.size, strs.off, eb)) {
		result = BW_ERR_FORMAT;
		goto out_free;
	}
	names[strs.size] = '\0';
	for (size_t i = 0; i < elf->shnum; i++) {
		shdr_get(elf, tab + i * elf->shentsize, &s);
		if (s.name >= strs.size || strs.size - s.name < nlen + 1 ||
		    memcmp(names + s.name, name, nlen + 1) != 0)
			continue;
		if (s.type == 8)
			continue; /* SHT_NOBITS: no bytes in the file */
		if (s.off > st->size || s.size > st->size - s.off) {
			result = bw_fail(eb, BW_ERR_FORMAT, "%s: section %s (offset %llu, %llu bytes) "
					 "outside the file", st->path, name,
					 (unsigned long long)s.off, (unsigned long long)s.size);
			goto out_free;
		}
		*off = s.off;
		*size = s.size;
		if (addr)
			*addr = s.addr;
		result = BW_OK;
		break;
	}
out_free:
	free(names);
	free(tab);
	return result;
}

struct elf_phdr {
	uint32_t type, flags;
	uint64_t off, vaddr, filesz;
};

static enum bw_err phdr_at(const struct sbom_elf *elf, size_t i, struct elf_phdr *p,
			   struct bw_errbuf *eb)
{
	unsigned char b[56];
	bool be = elf->be;

	if (image_stream_read(elf->st, b, elf->is64 ? 56 : 32,
			      elf->phoff + (uint64_t)i * elf->phentsize, eb))
		return BW_ERR_FORMAT;
	p->type = (uint32_t)rd(b, 4, be);
	if (elf->is64) {
		p->flags = (uint32_t)rd(b + 4, 4, be);
		p->off = rd(b + 8, 8, be);
		p->vaddr = rd(b + 16, 8, be);
		p->filesz = rd(b + 32, 8, be);
	} else {
		p->off = rd(b + 4, 4, be);
		p->vaddr = rd(b + 8, 4, be);
		p->filesz = rd(b + 16, 4, be);
		p->flags = (uint32_t)rd(b + 24, 4, be);
	}
	return BW_OK;
}

enum bw_err sbom_elf_vaddr(const struct sbom_elf *elf, uint64_t addr, uint64_t len,
			   uint64_t *off, struct bw_errbuf *eb)
{
	for (size_t i = 0; i < elf->phnum; i++) {
		struct elf_phdr p;

		if (phdr_at(elf, i, &p, eb))
			return BW_ERR_FORMAT;
		if (p.type != 1 || addr < p.vaddr || addr - p.vaddr >= p.filesz ||
		    len > p.filesz - (addr - p.vaddr))
			continue;
		if (p.off > elf->st->size || p.filesz > elf->st->size - p.off)
			continue;
		*off = p.off + (addr - p.vaddr);
		return BW_OK;
	}
	return BW_ERR_NOT_FOUND;
}

enum bw_err sbom_elf_data_segment(const struct sbom_elf *elf, uint64_t *off, uint64_t *size,
				  uint64_t *addr, struct bw_errbuf *eb)
{
	for (size_t i = 0; i < elf->phnum; i++) {
		struct elf_phdr p;

		if (phdr_at(elf, i, &p, eb))
			return BW_ERR_FORMAT;
		if (p.type != 1 || (p.flags & 3) != 2)
			continue; /* PT_LOAD, PF_W without PF_X */
		if (p.off > elf->st->size || p.filesz > elf->st->size - p.off)
			continue;
		*off = p.off;
		*size = p.filesz;
		*addr = p.vaddr;
		return BW_OK;
	}
	return BW_ERR_NOT_FOUND;
}

/* ---- packages ---- */

/* purl-spec percent-encoding of one segment (case kept). */
static enum bw_err purl_seg(struct bw_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	enum bw_err result = BW_OK;

	for (size_t i = 0; i < n && result == BW_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '_' || c == '~') {
			result = bw_buf_append(b, &s[i], 1);
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};

			result = bw_buf_append(b, e, 3);
		}
	}
	return result;
}

/* pkg:golang/SEG/SEG/...@VERSION: the module path's '/' separate the
 * namespace segments and the name; each segment is encoded on its own. */
static char *golang_purl(const char *path, const char *version)
{
	struct bw_buf b;
	enum bw_err result;
	char *out = NULL;

	bw_buf_init(&b, 8192);
	result = bw_buf_appends(&b, "pkg:golang/");
	for (const char *p = path; result == BW_OK && *p;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);

		if (n)
			result = purl_seg(&b, p, n);
		if (result == BW_OK && sl && sl[1])
			result = bw_buf_appends(&b, "/");
		p += n + (sl ? 1 : 0);
	}
	if (result == BW_OK && version && *version) {
		result = bw_buf_appends(&b, "@");
		if (result == BW_OK)
			result = purl_seg(&b, version, strlen(version));
	}
	if (result == BW_OK)
		out = bw_buf_detach(&b, NULL);
	bw_buf_release(&b);
	return out;
}

static enum bw_err add_go(struct sbom *sb, const char *path, size_t plen, const char *version,
			  size_t vlen, const char *purl_version, const struct image_stream *st)
{
	struct sbom_pkg pkg;

	memset(&pkg, 0, sizeof(pkg));
	pkg.type = SBOM_PKG_GOLANG;
	pkg.name = bw_strndup(path, plen);
	pkg.version = bw_strndup(version, vlen);
	pkg.found_path = bw_strdup(st->path);
	if (st->layer_digest)
		pkg.layer_digest = bw_strdup(st->layer_digest);
	if (!pkg.name || !pkg.version || !pkg.found_path || (st->layer_digest && !pkg.layer_digest))
		goto out_nomem;
	pkg.purl = golang_purl(pkg.name, purl_version ? purl_version : pkg.version);
	if (!pkg.purl)
		goto out_nomem;
	return sbom_add(sb, &pkg);
out_nomem:
	sbom_pkg_release(&pkg);
	return BW_ERR_NOMEM;
}

/* A module path from the binary: printable, no spaces, bounded. */
static bool mod_path_ok(const char *s, size_t n)
{
	if (!n || n > 1024)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

struct go_mod {
	const char *path, *ver;
	size_t plen, vlen;
	bool main;
	bool set;
};

static enum bw_err flush_mod(struct sbom *sb, struct go_mod *m, const struct image_stream *st)
{
	enum bw_err result = BW_OK;

	if (m->set && m->vlen && !(m->vlen == 7 && memcmp(m->ver, "(devel)", 7) == 0) &&
	    mod_path_ok(m->path, m->plen) && mod_path_ok(m->ver, m->vlen))
		result = add_go(sb, m->path, m->plen, m->ver, m->vlen, NULL, st);
	memset(m, 0, sizeof(*m));
	return result;
}

enum bw_err sbom_parse_go_modinfo(struct sbom *sb, const char *goversion, const char *mod,
				  size_t n, const struct image_stream *st, struct bw_errbuf *eb)
{
	struct go_mod cur;
	const char *p = mod, *end = mod + n;
	size_t gl = 0;
	enum bw_err result = BW_OK;

	(void)eb;
	memset(&cur, 0, sizeof(cur));
	/* "go1.19.8", "go1.21.0 X:boringcrypto": the first word; "devel ..." is
	 * a toolchain built from source, with no release to match */
	while (goversion && goversion[gl] && goversion[gl] != ' ')
		gl++;
	if (gl > 2 && gl < 64 && memcmp(goversion, "go", 2) == 0 && mod_path_ok(goversion, gl)) {
		char v[64];

		memcpy(v, goversion + 2, gl - 2);
		v[gl - 2] = '\0';
		result = add_go(sb, "stdlib", 6, goversion, gl, v, st);
	}
	while (result == BW_OK && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[4] = {NULL};
		size_t fl[4] = {0}, nf = 0;

		for (const char *q = p; q <= le && nf < 4;) {
			const char *t = memchr(q, '\t', (size_t)(le - q));
			const char *fe = t ? t : le;

			f[nf] = q;
			fl[nf++] = (size_t)(fe - q);
			if (!t)
				break;
			q = t + 1;
		}
		p = le + 1;
		if (nf < 2)
			continue;
		if ((fl[0] == 3 && memcmp(f[0], "mod", 3) == 0) ||
		    (fl[0] == 3 && memcmp(f[0], "dep", 3) == 0)) {
			result = flush_mod(sb, &cur, st);
			cur.set = true;
			cur.main = f[0][0] == 'm';
			cur.path = f[1];
			cur.plen = fl[1];
			cur.ver = nf > 2 ? f[2] : "";
			cur.vlen = nf > 2 ? fl[2] : 0;
		} else if (fl[0] == 2 && memcmp(f[0], "=>", 2) == 0 && cur.set) {
			cur.path = f[1];
			cur.plen = fl[1];
			cur.ver = nf > 2 ? f[2] : "";
			cur.vlen = nf > 2 ? fl[2] : 0;
		}
	}
	if (result == BW_OK)
		result = flush_mod(sb, &cur, st);
	return result;
}

/* ---- build info ---- */

static bool uvarint(const unsigned char *p, size_t n, size_t *used, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n && i < 10; i++) {
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			if (i == 9 && p[i] > 1)
				return false;
			*used = i + 1;
			*v = x;
			return true;
		}
	}
	return false;
}

/* A Go string {data, len} at virtual address addr (pointer format). */
static enum bw_err go_string(const struct sbom_elf *elf, uint64_t addr, unsigned ptrsz, bool be,
			     char **out, size_t *outlen, struct bw_errbuf *eb)
{
	unsigned char hdr[16];
	uint64_t off, data, len;
	enum bw_err result;

	*out = NULL;
	result = sbom_elf_vaddr(elf, addr, 2 * ptrsz, &off, eb);
	if (result == BW_OK)
		result = image_stream_read(elf->st, hdr, 2 * ptrsz, off, eb);
	if (result)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: build info: string header at address 0x%llx "
			       "not in the file", elf->st->path, (unsigned long long)addr);
	data = rd(hdr, ptrsz, be);
	len = rd(hdr + ptrsz, ptrsz, be);
	if (len > GO_MAX_INFO)
		return bw_fail(eb, BW_ERR_FORMAT, "%s: build info: string of %llu bytes at address "
			       "0x%llx", elf->st->path, (unsigned long long)len,
			       (unsigned long long)addr);
	if (len && sbom_elf_vaddr(elf, data, len, &off, eb))
		return bw_fail(eb, BW_ERR_FORMAT, "%s: build info: string data at address 0x%llx "
			       "(%llu bytes) not in the file", elf->st->path,
			       (unsigned long long)data, (unsigned long long)len);
	*out = malloc((size_t)len + 1);
	if (!*out)
		return BW_ERR_NOMEM;
	if (len && image_stream_read(elf->st, *out, (size_t)len, off, eb)) {
		free(*out);
		*out = NULL;
		return BW_ERR_FORMAT;
	}
	(*out)[len] = '\0';
	*outlen = (size_t)len;
	return BW_OK;
}

/* Strip the module info's sentinels (cmd/go's infoStart / infoEnd). */
static void unframe(char **mod, size_t *n)
{
	if (*n >= 33 && (*mod)[*n - 17] == '\n') {
		memmove(*mod, *mod + 16, *n - 32);
		*n -= 32;
		(*mod)[*n] = '\0';
	} else {
		*n = 0;
		(*mod)[0] = '\0';
	}
}

/* Find the header in the first 64 KiB of [off, off+size): the magic at a
 * multiple of 16 bytes from the region's start. */
static enum bw_err find_header(const struct image_stream *st, uint64_t off, uint64_t size,
			       uint64_t addr, uint64_t *hoff, struct bw_errbuf *eb)
{
	size_t n = size < GO_SCAN ? (size_t)size : GO_SCAN;
	unsigned char *buf;
	enum bw_err result = BW_ERR_NOT_FOUND;

	if (n < GO_HEADER)
		return BW_ERR_NOT_FOUND;
	buf = malloc(n);
	if (!buf)
		return BW_ERR_NOMEM;
	if (image_stream_read(st, buf, n, off, eb)) {
		free(buf);
		return BW_ERR_FORMAT;
	}
	(void)addr; /* like Go, alignment is relative to the region's start */
	for (size_t i = 0; i + GO_HEADER <= n; i += GO_ALIGN)
		if (memcmp(buf + i, GO_MAGIC, GO_MAGIC_LEN) == 0) {
			*hoff = off + i;
			result = BW_OK;
			break;
		}
	free(buf);
	return result;
}

enum bw_err sbom_parse_gobin(struct sbom *sb, const struct image_stream *st, struct bw_errbuf *eb)
{
	struct sbom_elf elf;
	uint64_t off = 0, size = 0, addr = 0, hoff;
	unsigned char hdr[GO_HEADER];
	char *ver = NULL, *mod = NULL;
	size_t vlen = 0, mlen = 0;
	enum bw_err result;

	result = sbom_elf_open(&elf, st, eb);
	if (result)
		return result;
	result = sbom_elf_section(&elf, ".go.buildinfo", &off, &size, &addr, eb);
	if (result == BW_ERR_NOT_FOUND)
		result = sbom_elf_data_segment(&elf, &off, &size, &addr, eb);
	if (result == BW_ERR_NOT_FOUND)
		return BW_OK; /* not a Go binary */
	if (result)
		return result;
	result = find_header(st, off, size, addr, &hoff, eb);
	if (result == BW_ERR_NOT_FOUND)
		return BW_OK;
	if (result)
		return result;
	if (image_stream_read(st, hdr, GO_HEADER, hoff, eb))
		return BW_ERR_FORMAT;
	if (hdr[15] & 2) {
		/* inline: two uvarint-prefixed strings after the header */
		uint64_t avail = st->size - (hoff + GO_HEADER), l1, l2;
		size_t n = avail < GO_MAX_INFO ? (size_t)avail : GO_MAX_INFO, u1, u2;
		unsigned char *b = malloc(n + 1);

		if (!b)
			return BW_ERR_NOMEM;
		if (image_stream_read(st, b, n, hoff + GO_HEADER, eb)) {
			free(b);
			return BW_ERR_FORMAT;
		}
		if (!uvarint(b, n, &u1, &l1) || l1 > n - u1 ||
		    !uvarint(b + u1 + l1, n - u1 - (size_t)l1, &u2, &l2) ||
		    l2 > n - u1 - (size_t)l1 - u2) {
			free(b);
			return bw_fail(eb, BW_ERR_FORMAT, "%s: build info at offset %llu: string "
				       "lengths run past the data", st->path,
				       (unsigned long long)hoff);
		}
		ver = bw_strndup((const char *)b + u1, (size_t)l1);
		mod = bw_strndup((const char *)b + u1 + l1 + u2, (size_t)l2);
		vlen = (size_t)l1;
		mlen = (size_t)l2;
		free(b);
		if (!ver || !mod) {
			result = BW_ERR_NOMEM;
			goto out_free;
		}
	} else {
		unsigned ptrsz = hdr[14];
		bool be = hdr[15] & 1;

		if (ptrsz != 4 && ptrsz != 8)
			return bw_fail(eb, BW_ERR_FORMAT, "%s: build info at offset %llu: pointer "
				       "size %u", st->path, (unsigned long long)hoff, ptrsz);
		result = go_string(&elf, rd(hdr + 16, ptrsz, be), ptrsz, be, &ver, &vlen, eb);
		if (result == BW_OK)
			result = go_string(&elf, rd(hdr + 16 + ptrsz, ptrsz, be), ptrsz, be, &mod,
					   &mlen, eb);
		if (result)
			goto out_free;
	}
	unframe(&mod, &mlen);
	if (strlen(ver) != vlen) {
		result = bw_fail(eb, BW_ERR_FORMAT, "%s: build info: a NUL in the Go version",
				 st->path);
		goto out_free;
	}
	result = sbom_parse_go_modinfo(sb, ver, mod, mlen, st, eb);
out_free:
	free(ver);
	free(mod);
	return result;
}

static enum bw_err gobin_stream(struct sbom *sb, const struct image_stream *st,
				struct bw_errbuf *eb)
{
	return sbom_parse_gobin(sb, st, eb);
}

/* Any ELF file: Go binaries have no telling name. 256 MiB: the largest
 * Go binaries seen in images are under 200 MB; a layer's binary is held in
 * memory during the callback, so this is also the peak for one file. */
static const struct image_stream_want gobin_swants[] = {
	{"**", 256u << 20, SBOM_ELF_MAGIC, 4, 0},
};

const struct sbom_lang_cataloger sbom_cat_gobin = {
	.name = "go-binary",
	.swants = gobin_swants,
	.nswants = sizeof(gobin_swants) / sizeof(gobin_swants[0]),
	.stream = gobin_stream,
};
