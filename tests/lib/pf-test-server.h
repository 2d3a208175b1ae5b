/* pf-test-server.h — an in-process scripted POP3 server for fault injection
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-pop3-client.h"

G_BEGIN_DECLS

/* A server on 127.0.0.1 with a port the kernel picks. Each accepted
 * connection runs the whole script, from the top, in its own thread with
 * blocking I/O, so the client under test runs on the test's main context
 * undisturbed. Everything the client sends (after TLS: decrypted) is
 * recorded, for checks such as "no credential was sent".
 *
 * A script is text, one step per line:
 *
 *   S: text      send "text\r\n"; consecutive S: lines go out in one write
 *   C: text      read one line, which must be exactly "text"
 *   C: *         read one line, whatever it is
 *   C: PREFIX*   read one line, which must start with PREFIX
 *   TLS          server side of a TLS handshake (after "+OK" to STLS)
 *   CLOSE        close the connection
 *   STALL n      do nothing for n milliseconds (ends early when the server
 *                is freed)
 *   SILENCE n    the client must send nothing for n milliseconds
 *   NEXT CONNECTION  the steps before it are the first connection's, the
 *                steps after it the next one's (a retry on a new
 *                connection); the last part serves every later connection
 *   TRICKLE n text  send "text" (no CRLF added) one byte at a time, n
 *                milliseconds apart: a server that is never silent for
 *                long but never gets anywhere either
 *
 * and steps the text cannot express are added with the functions below, in
 * order with the text steps. A script that fails (wrong line, client gone)
 * records why and ends its connection.
 *
 * Security: PF_TEST_SERVER_TLS makes the connection start with a TLS
 * handshake (implicit TLS, as on port 995); set a certificate first. */

typedef enum
{
  PF_TEST_SERVER_PLAIN,
  PF_TEST_SERVER_TLS,
} PfTestServerMode;

typedef struct _PfTestServer PfTestServer;

PfTestServer *pf_test_server_new             (PfTestServerMode  mode);
/* Stops the server, waking stalled steps, and waits for its threads. */
void          pf_test_server_free            (PfTestServer     *server);

/* The certificate (with key) for TLS and STLS. */
void          pf_test_server_set_certificate (PfTestServer     *server,
                                              GTlsCertificate  *certificate);

guint16       pf_test_server_get_port        (PfTestServer     *server);

/* Append steps as text (see above). */
void          pf_test_server_add_script      (PfTestServer     *server,
                                              const char       *script);
/* Send these exact bytes in one write (no CRLF added): e.g. "+OK\r\nJUNK"
 * puts extra bytes after a reply in the same segment. Two calls in a row
 * are two writes (the socket has TCP_NODELAY, so two segments). */
void          pf_test_server_add_send        (PfTestServer     *server,
                                              const char       *data,
                                              gssize            len);
/* Send @count copies of @byte, streamed in 64 KiB writes (an oversized
 * line or a huge message without holding it in memory). */
void          pf_test_server_add_send_repeated (PfTestServer   *server,
                                                char            byte,
                                                gsize           count);

/* Send @len bytes of @data one byte per write, @interval_ms apart (ends
 * early when the server is freed). */
void          pf_test_server_add_trickle     (PfTestServer     *server,
                                              const char       *data,
                                              gssize            len,
                                              guint             interval_ms);

/* Block (iterating nothing) until @n connections have finished their
 * script, or @timeout_seconds pass. Returns FALSE on timeout. */
gboolean      pf_test_server_wait_connections (PfTestServer    *server,
                                               guint            n,
                                               guint            timeout_seconds);
guint         pf_test_server_get_n_connections (PfTestServer   *server);

/* Why a script failed, or NULL when every connection ran it to the end.
 * (transfer full) */
char         *pf_test_server_dup_failure     (PfTestServer     *server);

/* Every byte every client sent, in order. (transfer full) */
char         *pf_test_server_dup_received    (PfTestServer     *server);
/* TRUE when @needle occurs anywhere in what clients sent. */
gboolean      pf_test_server_received_contains (PfTestServer   *server,
                                                const char     *needle);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfTestServer, pf_test_server_free)

/* Driving a PfPop3Client from a test: each runs the default main context
 * until the call finished (failing the test after @timeout_seconds) and
 * returns what _finish returned. */
gboolean      pf_test_pop3_connect (PfPop3Client     *client,
                                    guint             timeout_seconds,
                                    GError          **error);
gboolean      pf_test_pop3_login   (PfPop3Client     *client,
                                    const char       *user,
                                    const char       *secret,
                                    PfAuthMechanism   mechanism,
                                    PfAuthMechanism  *used,
                                    guint             timeout_seconds,
                                    GError          **error);
/* QUIT, which must succeed. */
void          pf_test_pop3_quit    (PfPop3Client     *client,
                                    guint             timeout_seconds);
/* Close the client, drop the caller's reference and wait until it is
 * finalized (operations on their way may hold it for a few iterations);
 * fails the test when it is still alive after @timeout_seconds. */
void          pf_test_pop3_drop    (PfPop3Client     *client,
                                    guint             timeout_seconds);

G_END_DECLS
