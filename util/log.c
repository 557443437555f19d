/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - the fixed logging vocabulary: log_debug, log_info, log_warn (adds
 * errno), log_warnx, fatal (adds errno) and fatalx, one line per event.
 * By default lines go to stderr as "prog: level: text"; the daemon may
 * send them to syslog(3) instead and/or make each one a JSON object.
 *
 * Nothing here may allocate through xmalloc: running out of memory is
 * reported through this file, so a failed malloc falls back to a
 * truncated line instead of recursing.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

static const char	*log_progname = "vigil";
static int		 log_debug_enabled;
static int		 log_to_syslog;
static int		 log_json;
static void		(*log_hook)(const char *, const char *, void *);
static void		*log_hook_arg;

/* Also hand every line (level, text, at most 1023 bytes) to hook. */
void
log_set_hook(void (*hook)(const char *, const char *, void *), void *arg)
{
	log_hook = hook;
	log_hook_arg = arg;
}

void
log_init(const char *progname, int debug)
{
	log_progname = progname;
	log_debug_enabled = debug;
}

/* From now on, log to syslog(3) with this facility instead of stderr. */
void
log_set_syslog(int facility)
{
	openlog(log_progname, LOG_PID | LOG_NDELAY, facility);
	log_to_syslog = 1;
}

/* Make every line a JSON object (on stderr, or as the syslog message). */
void
log_set_json(int on)
{
	log_json = on != 0;
}

/*
 * s as the inside of a JSON string into out, which has room for 6 bytes
 * per byte of s; returns the length.  Each byte that does not start a
 * valid UTF-8 sequence becomes U+FFFD, so the line is always valid JSON.
 */
static size_t
json_escape(char *out, const char *in, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*s = (const unsigned char *)in;
	unsigned char		 c, lo, hi;
	size_t			 i = 0, o = 0;
	int			 need, k;

	while (i < n) {
		c = s[i];
		if (c >= 0x80) {
			need = utf8_lead(c, &lo, &hi);
			for (k = 1; need > 0 && k <= need; k++) {
				if (i + (size_t)k >= n || s[i + k] < lo ||
				    s[i + k] > hi) {
					need = -1;
					break;
				}
				lo = 0x80;
				hi = 0xbf;
			}
			if (need < 0) {
				memcpy(out + o, "\\ufffd", 6);
				o += 6;
				i++;
			} else {
				memcpy(out + o, s + i, (size_t)need + 1);
				o += (size_t)need + 1;
				i += (size_t)need + 1;
			}
			continue;
		}
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c == '\r') {
			out[o++] = '\\';
			out[o++] = 'r';
		} else if (c == '\t') {
			out[o++] = '\\';
			out[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(out + o, "\\u00", 4);
			o += 4;
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		} else
			out[o++] = (char)c;
		i++;
	}
	return o;
}

/*
 * One event to syslog or as JSON.  msg is the whole text (errno already
 * added).  The JSON object is built in one buffer so that it is written
 * with one call and cannot interleave with another process's output.
 */
static void
log_emit(int prio, const char *level, const char *msg)
{
	static const char	 oom[] = "(log message lost: out of memory)";
	struct timespec		 ts;
	struct tm		 tm;
	char			 stamp[40], spare[1024], *json;
	size_t			 mlen = strlen(msg), o;
	size_t			 plen = strnlen(log_progname, 64);

	if (!log_json) {
		syslog(prio, "%s", msg);
		return;
	}

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	o = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + o, sizeof stamp - o, ".%03ldZ",
	    (long)(ts.tv_nsec / 1000000));

	/* 6 bytes out per byte in at worst, plus the fixed parts. */
	json = mlen < SIZE_MAX / 8 ? malloc(6 * (mlen + plen) + 256) : NULL;
	if (json == NULL) {
		msg = oom;
		mlen = sizeof oom - 1;
		json = spare;
	}
	o = (size_t)sprintf(json, "{\"time\":\"%s\",\"level\":\"%s\","
	    "\"prog\":\"", stamp, level);
	o += json_escape(json + o, log_progname, plen);
	o += (size_t)sprintf(json + o, "\",\"pid\":%ld,\"msg\":\"",
	    (long)getpid());
	o += json_escape(json + o, msg, mlen);
	memcpy(json + o, "\"}\n", 4);	/* with the NUL */
	if (log_to_syslog) {
		json[o + 2] = '\0';
		syslog(prio, "%s", json);
	} else
		fputs(json, stderr);
	if (json != spare)
		free(json);
}

static void
log_vwrite(int prio, const char *level, const char *fmt, va_list ap,
    int with_errno)
{
	int	 saved = errno;
	char	 small[1024], *msg = small, *big;
	va_list	 ap2;
	int	 n;
	size_t	 len;

	if (log_hook != NULL) {
		/* The daemon keeps its recent log for "vigil log". */
		va_copy(ap2, ap);
		n = vsnprintf(small, sizeof small, fmt, ap2);
		va_end(ap2);
		if (n < 0)
			small[0] = '\0';
		log_hook(level != NULL ? level : "info", small, log_hook_arg);
	}
	if (!log_to_syslog && !log_json) {
		fprintf(stderr, "%s: ", log_progname);
		if (level != NULL)
			fprintf(stderr, "%s: ", level);
		vfprintf(stderr, fmt, ap);
		if (with_errno)
			fprintf(stderr, ": %s", strerror(saved));
		fputc('\n', stderr);
		errno = saved;
		return;
	}

	/* The whole message, errno included, as one string. */
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap);
	if (n >= (int)sizeof small && (big = malloc((size_t)n + 1)) != NULL) {
		vsnprintf(big, (size_t)n + 1, fmt, ap2);
		msg = big;
	} else if (n < 0)
		small[0] = '\0';
	va_end(ap2);
	if (with_errno) {
		len = strlen(msg);
		if ((big = malloc(len + 256)) != NULL) {
			snprintf(big, len + 256, "%s: %s", msg, strerror(saved));
			if (msg != small)
				free(msg);
			msg = big;
		}
	}
	log_emit(prio, level != NULL ? level : "info", msg);
	if (msg != small)
		free(msg);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, "debug", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap, 0);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "warning", fmt, ap, 1);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, "warning", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, "fatal", fmt, ap, 1);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, "fatal", fmt, ap, 0);
	va_end(ap);
	exit(1);
}
