/* hash.c - message digests through GnuTLS (the project's one crypto stack). */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <string.h>

#include "core.h"

static gnutls_digest_algorithm_t to_gnutls(enum bw_hash_alg alg)
{
	switch (alg) {
	case BW_HASH_SHA256:
		return GNUTLS_DIG_SHA256;
	case BW_HASH_SHA1:
		return GNUTLS_DIG_SHA1;
	case BW_HASH_SHA512:
		return GNUTLS_DIG_SHA512;
	case BW_HASH_MD5:
		return GNUTLS_DIG_MD5;
	}
	return GNUTLS_DIG_UNKNOWN;
}

enum bw_err bw_hash_init(struct bw_hash *hs, enum bw_hash_alg alg)
{
	gnutls_hash_hd_t h;

	hs->h = NULL;
	hs->alg = alg;
	if (gnutls_hash_init(&h, to_gnutls(alg)) < 0)
		return BW_ERR_INTERNAL;
	hs->h = h;
	return BW_OK;
}

enum bw_err bw_hash_update(struct bw_hash *hs, const void *p, size_t n)
{
	if (BW_NEVER(!hs->h))
		return BW_ERR_INTERNAL;
	if (n && gnutls_hash(hs->h, p, n) < 0)
		return BW_ERR_INTERNAL;
	return BW_OK;
}

enum bw_err bw_hash_final_hex(struct bw_hash *hs, char *hex, size_t hexsz)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char out[64];
	unsigned len;

	if (BW_NEVER(!hs->h))
		return BW_ERR_INTERNAL;
	len = gnutls_hash_get_len(to_gnutls(hs->alg));
	gnutls_hash_deinit(hs->h, out);
	hs->h = NULL;
	if (len > sizeof(out) || hexsz < 2 * (size_t)len + 1)
		return BW_ERR_LIMIT;
	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[out[i] >> 4];
		hex[2 * i + 1] = digits[out[i] & 15];
	}
	hex[2 * len] = '\0';
	return BW_OK;
}

void bw_hash_release(struct bw_hash *hs)
{
	if (hs && hs->h) {
		gnutls_hash_deinit(hs->h, NULL);
		hs->h = NULL;
	}
}

enum bw_err bw_hash_hex(enum bw_hash_alg alg, const void *p, size_t n, char *hex, size_t hexsz)
{
	struct bw_hash hs;
	enum bw_err result = bw_hash_init(&hs, alg);

	if (result)
		return result;
	result = bw_hash_update(&hs, p, n);
	if (result) {
		bw_hash_release(&hs);
		return result;
	}
	return bw_hash_final_hex(&hs, hex, hexsz);
}

bool bw_digest_valid(const char *d)
{
	size_t want, n;

	if (bw_str_starts_with(d, "sha256:"))
		want = 64, d += 7;
	else if (bw_str_starts_with(d, "sha512:"))
		want = 128, d += 7;
	else
		return false;
	n = strspn(d, "0123456789abcdef");
	return n == want && d[n] == '\0';
}
