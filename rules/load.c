/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c - loading a rule file with its INCLUDEs into a new ruleset: reads
 * each file whole, follows INCLUDE (relative to the including file, glob
 * patterns allowed) while refusing cycles and runaway depth, then finishes
 * the ruleset and checks cross-references.  Any error anywhere rejects the
 * whole load: the caller gets NULL and every error in the diag.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/rules.h"

struct loader {
	struct ruleset	*rs;
	struct diag	*diag;
	bool		 no_include;
	size_t		 depth;
	struct {
		dev_t		 dev;
		ino_t		 ino;
		const char	*file;
	}		 stack[INCLUDE_MAX_DEPTH + 1];
};

struct ruleset *
loader_ruleset(struct loader *ld)
{
	return ld->rs;
}

struct diag *
loader_diag(struct loader *ld)
{
	return ld->diag;
}

static char *
dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void
parse_buffer(struct loader *ld, const char *file, const char *buf,
    size_t len, const char *dir)
{
	struct lexer	*lx;

	lx = lexer_create(file, buf, len, ld->diag);
	parser_run(ld, lx, dir);
	lexer_free(lx);
}

/* Read a whole file; NULL with *cause on failure. */
static char *
read_file(int fd, const char *path, size_t *lenp, char **cause)
{
	struct stat	 sb;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 r;

	if (fstat(fd, &sb) != 0) {
		xasprintf(cause, "cannot stat '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "'%s' is a directory, not a rule file", path);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "'%s' is not a regular file", path);
		return NULL;
	}
	if ((uintmax_t)sb.st_size > FILE_MAX_SIZE) {
		xasprintf(cause, "'%s' is %jd bytes; a rule file may have at"
		    " most %u", path, (intmax_t)sb.st_size, FILE_MAX_SIZE);
		return NULL;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (len < (size_t)sb.st_size) {
		r = read(fd, buf + len, (size_t)sb.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			xasprintf(cause, "cannot read '%s': %s", path,
			    strerror(errno));
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;	/* the file shrank while we read it */
		len += (size_t)r;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static void
load_path(struct loader *ld, const char *path, const struct loc *from)
{
	struct stat	 sb;
	char		*buf, *cause = NULL, *dir;
	const char	*file;
	size_t		 len, i;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (from != NULL)
			diag_add(ld->diag, DIAG_ERROR, from, "INCLUDE: cannot"
			    " open '%s': %s", path, strerror(errno));
		else {
			struct loc loc = { path, 0, 0 };
			diag_add(ld->diag, DIAG_ERROR, &loc, "cannot open the"
			    " rule file: %s", strerror(errno));
		}
		return;
	}
	if (fstat(fd, &sb) == 0) {
		for (i = 0; i < ld->depth; i++) {
			if (ld->stack[i].dev != sb.st_dev ||
			    ld->stack[i].ino != sb.st_ino)
				continue;
			struct strbuf chain;
			size_t j;
			strbuf_init(&chain);
			for (j = i; j < ld->depth; j++)
				strbuf_addf(&chain, "%s -> ", ld->stack[j].file);
			strbuf_adds(&chain, path);
			diag_add(ld->diag, DIAG_ERROR, from, "INCLUDE: the"
			    " includes form a cycle: %s", chain.data);
			strbuf_free(&chain);
			close(fd);
			return;
		}
	}
	if (ld->depth == INCLUDE_MAX_DEPTH) {
		diag_add(ld->diag, DIAG_ERROR, from, "INCLUDE: '%s' would be"
		    " nested more than %d deep", path, INCLUDE_MAX_DEPTH);
		close(fd);
		return;
	}
	if ((buf = read_file(fd, path, &len, &cause)) == NULL) {
		struct loc loc = { path, 0, 0 };
		diag_add(ld->diag, DIAG_ERROR, from != NULL ? from : &loc,
		    "%s%s", from != NULL ? "INCLUDE: " : "", cause);
		free(cause);
		close(fd);
		return;
	}
	close(fd);

	file = ruleset_intern(ld->rs, path);
	ld->stack[ld->depth].dev = sb.st_dev;
	ld->stack[ld->depth].ino = sb.st_ino;
	ld->stack[ld->depth].file = file;
	ld->depth++;
	dir = dir_of(path);
	parse_buffer(ld, file, buf, len, dir);
	free(dir);
	ld->depth--;
	free(buf);
}

void
load_include(struct loader *ld, const char *path, const struct loc *from,
    const char *dir)
{
	char	*full;
	glob_t	 g;
	size_t	 i;
	int	 rc;

	if (ld->no_include) {
		diag_add(ld->diag, DIAG_ERROR, from, "INCLUDE: not available"
		    " when rules are loaded from memory");
		return;
	}
	if (path[0] == '/' || dir == NULL || strcmp(dir, ".") == 0)
		full = xstrdup(path);
	else
		xasprintf(&full, "%s/%s", dir, path);
	if (strpbrk(path, "*?[") == NULL) {
		load_path(ld, full, from);
		free(full);
		return;
	}
	/* A pattern that matches nothing includes nothing (conf.d style). */
	rc = glob(full, 0, NULL, &g);
	if (rc == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			load_path(ld, g.gl_pathv[i], from);
	} else if (rc == GLOB_NOSPACE)
		fatalx("out of memory expanding '%s'", full);
	globfree(&g);
	free(full);
}

static struct ruleset *
load_finish(struct loader *ld, size_t errors)
{
	ruleset_finish(ld->rs, ld->diag);
	xref_check(ld->rs, ld->diag);
	if (ld->diag->errors == errors)
		ruleset_set_compiled(ld->rs, compile_ruleset(ld->rs,
		    ld->diag));
	if (ld->diag->errors != errors) {
		ruleset_free(ld->rs);
		return NULL;
	}
	return ld->rs;
}

struct ruleset *
ruleset_load(const char *path, struct diag *diag)
{
	struct loader	 ld;
	size_t		 errors = diag->errors;

	memset(&ld, 0, sizeof ld);
	ld.rs = ruleset_create();
	ld.diag = diag;
	load_path(&ld, path, NULL);
	return load_finish(&ld, errors);
}

/* For tests and fuzzers: rules from memory, INCLUDE refused. */
struct ruleset *
ruleset_load_buffer(const char *name, const char *buf, size_t len,
    struct diag *diag)
{
	struct loader	 ld;
	size_t		 errors = diag->errors;

	memset(&ld, 0, sizeof ld);
	ld.rs = ruleset_create();
	ld.diag = diag;
	ld.no_include = true;
	parse_buffer(&ld, ruleset_intern(ld.rs, name), buf, len, NULL);
	return load_finish(&ld, errors);
}
