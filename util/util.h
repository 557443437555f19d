/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.h - allocation, logging and string-buffer helpers shared by every
 * folder.  Allocation never returns NULL (it aborts); strings returned by
 * x*printf/xstrdup are owned by the caller.
 */
#ifndef VIGIL_UTIL_H
#define VIGIL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* xmalloc.c */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* log.c */
void	 log_init(const char *progname, int debug);
void	 log_set_hook(void (*)(const char *level, const char *line, void *),
	    void *);
void	 log_set_syslog(int facility);	/* LOG_DAEMON, ... */
void	 log_set_json(int on);
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* hash.c: FNV-1a, 64 bits. */
#define FNV1A_BASIS	1469598103934665603ULL
#define FNV1A_PRIME	1099511628211ULL
uint64_t fnv1a(uint64_t h, const void *, size_t);
uint64_t fnv1a_str(const char *);

/* utf8.c */
int	 utf8_lead(unsigned char, unsigned char *lo, unsigned char *hi);
size_t	 utf8_seq(const unsigned char *, size_t);

/* strbuf.c: a growable byte string, always NUL-terminated. */
struct strbuf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 strbuf_init(struct strbuf *);
void	 strbuf_free(struct strbuf *);
void	 strbuf_reset(struct strbuf *);
void	 strbuf_addc(struct strbuf *, char);
void	 strbuf_addn(struct strbuf *, const char *, size_t);
void	 strbuf_adds(struct strbuf *, const char *);
void	 strbuf_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 strbuf_add_escaped(struct strbuf *, const char *, size_t);
char	*strbuf_steal(struct strbuf *);

#endif
