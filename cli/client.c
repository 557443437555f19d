/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.c - the vigil client's side of the control socket: sends the
 * command line as the user typed it (the daemon expands abbreviations,
 * parses options and decides what the user may do), prints the reply as
 * it comes ("|" lines on standard output, "!" lines on standard error)
 * and returns the status of the closing "=N".  It knows no command.
 *
 * Decisions:
 * - The socket: -S, else $VIGIL_SOCKET, else VIGILD_DEFAULT_SOCKET.
 * - A daemon that cannot be reached is exit status 3 (EXIT_NODAEMON),
 *   with the path and the reason; a connection that ends without "=N" is
 *   a failure (1): the command's outcome is unknown.
 * - What the daemon sends is escaped for the terminal once more before it
 *   is printed (it changes nothing in what a well-behaved daemon sends):
 *   the client does not rely on the daemon's version to keep escape
 *   sequences off the user's terminal.
 * - Output is flushed after each read, so streaming commands (view
 *   --follow) show their lines as they come even through a pipe.
 * - Interrupting the client closes the connection, which cancels a
 *   streaming command in the daemon; nothing else is needed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/proto.h"
#include "engine/control.h"
#include "engine/engine.h"
#include "util/util.h"

#define RESPONSE_LINE_MAX	(CTL_OUTPUT_MAX + 2)

static void
print_line(FILE *f, const char *text, size_t len)
{
	struct strbuf	 sb;

	if (proto_clean(text, len))
		fwrite(text, 1, len, f);
	else {
		strbuf_init(&sb);
		proto_escape(&sb, text, len);
		fwrite(sb.data, 1, sb.len, f);
		strbuf_free(&sb);
	}
	fputc('\n', f);
}

static int
connect_daemon(const char *path)
{
	struct sockaddr_un	 sun;
	const char		*hint = "";
	int			 fd, e;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "vigil: cannot reach vigild at %s: the path is"
		    " too long for a UNIX socket (at most %zu bytes)\n", path,
		    sizeof sun.sun_path - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "vigil: socket: %s\n", strerror(errno));
		return -1;
	}
	while (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == EINTR)
			continue;
		e = errno;
		if (e == ENOENT || e == ECONNREFUSED)
			hint = ": is vigild running? (-S SOCKET or $VIGIL_SOCKET"
			    " name another socket)";
		else if (e == EACCES)
			hint = ": only the socket's owner and group may connect";
		fprintf(stderr, "vigil: cannot reach vigild at %s: %s%s\n",
		    path, strerror(e), hint);
		close(fd);
		return -1;
	}
	return fd;
}

/* Send the whole request; a daemon that closes early may have said why. */
static void
send_request(int fd, const char *line, size_t len)
{
	ssize_t	 r;
	size_t	 off = 0;

	while (off < len) {
		r = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return;		/* the reply, if any, says more */
		off += (size_t)r;
	}
}

int
client_run(const char *socket_path, int argc, char **argv)
{
	struct proto_resp	 resp;
	char			*line, *cause, *buf = NULL, *nl;
	size_t			 len, have = 0, cap = 0, start;
	ssize_t			 r;
	int			 fd, status = -1;

	if (socket_path == NULL || *socket_path == '\0')
		socket_path = getenv("VIGIL_SOCKET");
	if (socket_path == NULL || *socket_path == '\0')
		socket_path = VIGILD_DEFAULT_SOCKET;
	if ((line = proto_request_encode(argc, argv, &len, &cause)) == NULL) {
		fprintf(stderr, "vigil: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if ((fd = connect_daemon(socket_path)) == -1) {
		free(line);
		return EXIT_NODAEMON;
	}
	send_request(fd, line, len);
	free(line);

	while (status < 0) {
		if (cap - have < 65536) {
			cap = have + 65536;
			buf = xreallocarray(buf, cap, 1);
		}
		r = read(fd, buf + have, cap - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "vigil: the connection to vigild at %s"
			    " ended before the end of the reply%s%s\n",
			    socket_path, r == -1 ? ": " : "",
			    r == -1 ? strerror(errno) : "");
			status = EXIT_FAILED;
			break;
		}
		have += (size_t)r;
		start = 0;
		while (status < 0 && (nl = memchr(buf + start, '\n', have -
		    start)) != NULL) {
			len = (size_t)(nl - (buf + start));
			if (!proto_response_decode(buf + start, len, &resp,
			    &cause)) {
				fprintf(stderr, "vigil: vigild at %s does not"
				    " speak this protocol: %s\n", socket_path,
				    cause);
				free(cause);
				status = EXIT_FAILED;
				break;
			}
			if (resp.tag == PROTO_OUT)
				print_line(stdout, resp.text, resp.len);
			else if (resp.tag == PROTO_ERR)
				print_line(stderr, resp.text, resp.len);
			else
				status = resp.status;
			start += len + 1;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		if (status < 0 && have > RESPONSE_LINE_MAX) {
			fprintf(stderr, "vigil: vigild at %s sent a line longer"
			    " than %d bytes\n", socket_path, RESPONSE_LINE_MAX);
			status = EXIT_FAILED;
		}
		fflush(stdout);
	}
	fflush(stdout);
	free(buf);
	close(fd);
	return status;
}
