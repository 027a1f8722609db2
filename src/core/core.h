/* core.h - Bulwark's core: errors, logging, bounded buffers, strings,
 * safe paths, JSON helpers, hashes, time and subprocesses.
 *
 * Every internal action returns enum bw_err (BW_OK is 0). Detail goes into a
 * struct bw_errbuf the caller passes, so a message can name the input, the
 * field and the value. See docs/core.md for the invariants.
 */
#ifndef BW_CORE_H
#define BW_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- errors ---------------------------------------------------------- */

enum bw_err {
	BW_OK = 0,
	BW_ERR_NOMEM,        /* allocation failed */
	BW_ERR_USAGE,        /* bad command line or API use */
	BW_ERR_IO,           /* read/write/open failed */
	BW_ERR_NOT_FOUND,    /* file, image, tag, key absent */
	BW_ERR_FORMAT,       /* input malformed (hostile or corrupt) */
	BW_ERR_UNSUPPORTED,  /* valid but not handled (version, media type) */
	BW_ERR_LIMIT,        /* a size, depth or count cap was hit */
	BW_ERR_DIGEST,       /* content does not match its digest */
	BW_ERR_NETWORK,      /* connection, TLS, HTTP transport */
	BW_ERR_AUTH,         /* credentials refused */
	BW_ERR_DB,           /* SQLite/PostgreSQL failure */
	BW_ERR_INTERNAL,     /* a bug: "cannot happen" */
	BW_ERR__COUNT
};

/* Caller-owned detail for the last error. Zero-initialise it. */
struct bw_errbuf {
	char msg[1024];
};

const char *bw_strerror(enum bw_err result);

/* Format detail into eb (may be NULL) and return code, so that callers write
 *   return bw_fail(eb, BW_ERR_FORMAT, "%s: line %d: no Package field", p, n);
 */
enum bw_err bw_fail(struct bw_errbuf *eb, enum bw_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix existing detail: "prefix: old detail". Returns code. */
enum bw_err bw_fail_prefix(struct bw_errbuf *eb, enum bw_err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Message for the user: eb->msg if set, else bw_strerror(code). */
const char *bw_errmsg(const struct bw_errbuf *eb, enum bw_err code);

/* Process exit code for an error, per DESIGN.md: 0 clean, 2 usage or input
 * error, 3 internal error. (1 "policy failed" is decided by the caller.) */
int bw_exit_code(enum bw_err result);

enum { BW_EXIT_OK = 0, BW_EXIT_POLICY = 1, BW_EXIT_INPUT = 2, BW_EXIT_INTERNAL = 3 };

/* ---- logging (diagnostics to stderr; never security events) ------------ */

enum bw_log_level { BW_LOG_ERROR = 0, BW_LOG_WARN, BW_LOG_INFO, BW_LOG_DEBUG };

void bw_log_set_level(enum bw_log_level level);
enum bw_log_level bw_log_get_level(void);
void bw_log(enum bw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define BW_ERROR(...) bw_log(BW_LOG_ERROR, __VA_ARGS__)
#define BW_WARN(...)  bw_log(BW_LOG_WARN, __VA_ARGS__)
#define BW_INFO(...)  bw_log(BW_LOG_INFO, __VA_ARGS__)
#define BW_DEBUG(...) bw_log(BW_LOG_DEBUG, __VA_ARGS__)

/* Marks a defensive branch that cannot be reached with valid internal state
 * (SQLite's NEVER()). It does not abort: the caller still handles it. */
#define BW_NEVER(x) __builtin_expect(!!(x), 0)

/* ---- memory helpers -------------------------------------------------- */

/* calloc(n, size) with overflow check; NULL on failure. */
void *bw_calloc(size_t n, size_t size);
/* realloc of n*size bytes with overflow check; on failure p is untouched. */
void *bw_reallocarray(void *p, size_t n, size_t size);
/* Grow *arr (of *cap elements of elsize) so that it holds at least need.
 * Returns BW_ERR_NOMEM or BW_ERR_LIMIT (need > max) on failure. */
enum bw_err bw_grow(void **arr, size_t *cap, size_t need, size_t elsize, size_t max);

/* ---- bounded buffers -------------------------------------------------- */

/* A byte buffer that refuses to grow past max. data is always
 * NUL-terminated after a successful append (the NUL is not counted in len). */
struct bw_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

void bw_buf_init(struct bw_buf *b, size_t max);
enum bw_err bw_buf_append(struct bw_buf *b, const void *p, size_t n);
enum bw_err bw_buf_appends(struct bw_buf *b, const char *s);
enum bw_err bw_buf_appendf(struct bw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bw_buf_reset(struct bw_buf *b);     /* len = 0, keeps the memory */
/* Hands data to the caller (free() it); the buffer is empty afterwards.
 * Never NULL on success: an empty buffer yields "". */
char *bw_buf_detach(struct bw_buf *b, size_t *len);
void bw_buf_release(struct bw_buf *b);   /* frees data, keeps max */

/* Read a whole file into b (bounded by b->max: BW_ERR_LIMIT past it). */
enum bw_err bw_buf_read_file(struct bw_buf *b, const char *path, struct bw_errbuf *eb);
/* Read all of fd (bounded by b->max). */
enum bw_err bw_buf_read_fd(struct bw_buf *b, int fd, const char *what, struct bw_errbuf *eb);

/* ---- strings ---------------------------------------------------------- */

/* Copy with truncation; always NUL-terminates when size > 0.
 * Returns strlen(src) (truncated when >= size), like strlcpy. */
size_t bw_strlcpy(char *dst, const char *src, size_t size);
/* malloc'd copy of n bytes plus NUL; NULL on failure. */
char *bw_strndup(const char *s, size_t n);
/* malloc'd copy; NULL in gives NULL out. */
char *bw_strdup(const char *s);
/* malloc'd formatted string; NULL on failure. */
char *bw_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool bw_str_starts_with(const char *s, const char *prefix);
bool bw_str_ends_with(const char *s, const char *suffix);
/* Trim ASCII whitespace in place; returns s advanced past leading space. */
char *bw_str_trim(char *s);
/* Parse a whole decimal/unsigned string with range check. */
enum bw_err bw_parse_u64(const char *s, uint64_t max, uint64_t *out);
enum bw_err bw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* true if the n bytes are valid UTF-8 without NUL. */
bool bw_utf8_valid(const char *s, size_t n);

/* A growable array of owned strings. */
struct bw_strv {
	char **v;
	size_t n;
	size_t cap;
};
enum bw_err bw_strv_push(struct bw_strv *sv, const char *s);       /* copies s */
enum bw_err bw_strv_push_owned(struct bw_strv *sv, char *s);       /* takes s */
bool bw_strv_contains(const struct bw_strv *sv, const char *s);
void bw_strv_sort(struct bw_strv *sv);
void bw_strv_release(struct bw_strv *sv);

/* ---- paths ------------------------------------------------------------ */

/* Normalise a path taken from an image or archive into a clean relative
 * path: strips leading "/" and "./", folds "//" and ".", resolves ".."
 * lexically. A path that climbs above the root ("../x") gives BW_ERR_FORMAT.
 * "" or "." normalises to "" (the root). out must hold strlen(in)+1. */
enum bw_err bw_path_clean(const char *in, char *out, size_t outsz);
/* Last component of a clean path (pointer into p). */
const char *bw_path_base(const char *p);
/* Directory part of a clean path into out ("" for top level). */
void bw_path_dir(const char *p, char *out, size_t outsz);
/* Glob match for image paths: '*' and '?' do not cross '/', "**" matches
 * any number of whole components (including none). Examples, written with
 * spaces around the slashes here only: "** / package.json",
 * "usr/lib / ** / *.jar", "var/lib/dpkg/status.d / *". Both sides are clean
 * paths (see bw_path_clean). */
bool bw_path_match(const char *pattern, const char *path);

/* ---- JSON (jansson) ---------------------------------------------------- */

struct json_t;
/* Parse n bytes as JSON; on failure eb names `what`, line and column. */
enum bw_err bw_json_parse(const char *data, size_t n, const char *what, struct json_t **out,
			  struct bw_errbuf *eb);
/* Typed getters: NULL / default when absent or of another type. */
const char *bw_json_str(const struct json_t *obj, const char *key);
int64_t bw_json_int(const struct json_t *obj, const char *key, int64_t dflt);
bool bw_json_bool(const struct json_t *obj, const char *key, bool dflt);
/* A JSON string for bytes from outside: invalid UTF-8 sequences become
 * U+FFFD (jansson's json_string refuses them and returns NULL). NULL s
 * gives JSON null. NULL only when memory ran out. */
struct json_t *bw_json_string_lossy(const char *s);
/* Write v to f (or the file at path, atomically via a temp file and rename)
 * with sorted keys and 2-space indent; returns BW_ERR_IO with detail. */
enum bw_err bw_json_write(struct json_t *v, FILE *f, struct bw_errbuf *eb);

/* ---- files ------------------------------------------------------------ */

/* Open the output named by path ("-" or NULL: stdout). Writes go to a
 * temporary file beside path; bw_out_commit renames it into place, so a
 * failed run never leaves a partial file. An existing path that is not a
 * regular file (/dev/null, a FIFO) is written directly, never replaced.
 * New files get mode 0666 less the umask, as open(2) would give. */
struct bw_out {
	FILE *f;
	char *path;
	char *tmp;
	bool direct; /* an existing device/FIFO/socket, written in place */
};
enum bw_err bw_out_open(struct bw_out *o, const char *path, struct bw_errbuf *eb);
enum bw_err bw_out_commit(struct bw_out *o, struct bw_errbuf *eb);
void bw_out_abort(struct bw_out *o); /* discards the temp file */

/* ---- hashes (GnuTLS) ---------------------------------------------------- */

enum bw_hash_alg { BW_HASH_SHA256, BW_HASH_SHA1, BW_HASH_SHA512, BW_HASH_MD5 };
struct bw_hash {
	void *h; /* gnutls_hash_hd_t */
	enum bw_hash_alg alg;
};
enum bw_err bw_hash_init(struct bw_hash *hs, enum bw_hash_alg alg);
enum bw_err bw_hash_update(struct bw_hash *hs, const void *p, size_t n);
/* Writes lowercase hex (2*digest size + NUL) and releases the state. */
enum bw_err bw_hash_final_hex(struct bw_hash *hs, char *hex, size_t hexsz);
void bw_hash_release(struct bw_hash *hs); /* for abandoned states; NULL-safe */
/* One-shot: hex of p[0..n). */
enum bw_err bw_hash_hex(enum bw_hash_alg alg, const void *p, size_t n, char *hex, size_t hexsz);
#define BW_SHA256_HEX_LEN 64

/* "sha256:<64 hex>" check; true when well-formed (algorithm sha256 or
 * sha512 with the right length, lowercase hex). */
bool bw_digest_valid(const char *digest);

/* ---- time --------------------------------------------------------------- */

/* Current UTC time as RFC 3339 "2026-11-30T12:00:00Z". */
void bw_time_rfc3339(char *out, size_t outsz);
/* Parse RFC 3339 / ISO 8601 date or date-time (UTC or offset) to epoch. */
enum bw_err bw_time_parse(const char *s, int64_t *epoch);
/* Monotonic clock in nanoseconds. */
uint64_t bw_time_mono_ns(void);

/* ---- subprocess ---------------------------------------------------------- */

/* Run argv[0] (looked up in PATH) without a shell; capture stdout into out
 * (bounded by out->max), stderr passes through. *status gets the exit code
 * (or 128+signal). stdin is /dev/null unless in/inlen is given. */
enum bw_err bw_run(const char *const argv[], const void *in, size_t inlen, struct bw_buf *out,
		   int *status, struct bw_errbuf *eb);

/* ---- version of the tool ------------------------------------------------ */

const char *bw_version(void);

#endif
