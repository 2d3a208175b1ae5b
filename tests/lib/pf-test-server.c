/* pf-test-server.c — an in-process scripted POP3 server for fault injection
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "pf-test-server.h"
#include "pf-test-util.h"

typedef enum
{
  STEP_SEND,
  STEP_SEND_REPEATED,
  STEP_EXPECT,
  STEP_EXPECT_ANY,
  STEP_EXPECT_PREFIX,
  STEP_TLS,
  STEP_CLOSE,
  STEP_STALL,
  STEP_SILENCE,
  STEP_NEXT_CONNECTION,
  STEP_TRICKLE,
} StepKind;

typedef struct
{
  StepKind  kind;
  GBytes   *data;
  gsize     count;
  char      byte;
  guint     ms;
} Step;

struct _PfTestServer
{
  GMutex            lock;
  GCond             cond;
  PfTestServerMode  mode;
  GTlsCertificate  *certificate;
  GPtrArray        *steps;
  GSocketService   *service;
  guint16           port;
  GCancellable     *cancellable;
  GString          *received;
  GString          *failures;
  guint             n_active;
  guint             n_finished;
  guint             n_accepted;
  gboolean          stopping;
};

static void
step_free (Step *step)
{
  g_clear_pointer (&step->data, g_bytes_unref);
  g_free (step);
}

static Step *
step_new (StepKind    kind,
          const char *data,
          gssize      len)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  if (data != NULL)
    step->data = g_bytes_new (data, len < 0 ? strlen (data) : (gsize) len);
  return step;
}

static void
record_failure (PfTestServer *server,
                const char   *format,
                ...) G_GNUC_PRINTF (2, 3);

static void
record_failure (PfTestServer *server,
                const char   *format,
                ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&server->lock);
  g_string_append_printf (server->failures, "%s\n", message);
  g_mutex_unlock (&server->lock);
}

static void
record_received (PfTestServer *server,
                 const char   *data,
                 gsize         len)
{
  g_mutex_lock (&server->lock);
  g_string_append_len (server->received, data, len);
  g_mutex_unlock (&server->lock);
}

typedef struct
{
  PfTestServer      *server;
  GSocketConnection *connection;
  GIOStream         *stream;
  GDataInputStream  *in;
} Session;

static void
session_set_stream (Session   *session,
                    GIOStream *stream)
{
  g_set_object (&session->stream, stream);
  g_clear_object (&session->in);
  session->in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (session->in), FALSE);
  g_data_input_stream_set_newline_type (session->in, G_DATA_STREAM_NEWLINE_TYPE_LF);
}

static gboolean
session_start_tls (Session  *session,
                   GError  **error)
{
  g_autoptr(GIOStream) tls = NULL;

  if (session->server->certificate == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "TLS step without a certificate");
      return FALSE;
    }
  tls = g_tls_server_connection_new (G_IO_STREAM (session->connection),
                                     session->server->certificate, error);
  if (tls == NULL)
    return FALSE;
  g_tls_connection_set_require_close_notify (G_TLS_CONNECTION (tls), FALSE);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), session->server->cancellable, error))
    return FALSE;
  session_set_stream (session, tls);
  return TRUE;
}

/* One line from the client, recorded; without its line end. */
static char *
session_read_line (Session  *session,
                   GError  **error)
{
  gsize len = 0;
  char *line = g_data_input_stream_read_line (session->in, &len,
                                              session->server->cancellable, error);

  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "the client closed the connection");
      return NULL;
    }
  record_received (session->server, line, len);
  record_received (session->server, "\n", 1);
  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  return line;
}

static gboolean
session_write (Session       *session,
               const void    *data,
               gsize          len,
               GError       **error)
{
  return g_output_stream_write_all (g_io_stream_get_output_stream (session->stream),
                                    data, len, NULL, session->server->cancellable, error);
}

static gboolean
session_stall (Session *session,
               guint    ms)
{
  PfTestServer *server = session->server;
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  g_mutex_lock (&server->lock);
  while (!server->stopping)
    if (!g_cond_wait_until (&server->cond, &server->lock, until))
      break;
  g_mutex_unlock (&server->lock);
  return TRUE;
}

static gboolean
session_trickle (Session     *session,
                 const char  *data,
                 gsize        len,
                 guint        ms,
                 GError     **error)
{
  for (gsize i = 0; i < len; i++)
    {
      gboolean stopping;

      if (i > 0)
        session_stall (session, ms);
      g_mutex_lock (&session->server->lock);
      stopping = session->server->stopping;
      g_mutex_unlock (&session->server->lock);
      if (stopping)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "the server stopped during a TRICKLE step");
          return FALSE;
        }
      if (!session_write (session, data + i, 1, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
session_silence (Session  *session,
                 guint     ms,
                 GError  **error)
{
  GSocket *socket = g_socket_connection_get_socket (session->connection);
  GBufferedInputStream *buffered = G_BUFFERED_INPUT_STREAM (session->in);
  g_autoptr(GError) local_error = NULL;

  if (g_buffered_input_stream_get_available (buffered) == 0 &&
      !g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) ms * 1000,
                                      session->server->cancellable, &local_error) &&
      g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return TRUE;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "the client sent data during a SILENCE step");
  return FALSE;
}

static gboolean
session_run_step (Session     *session,
                  const Step  *step,
                  gboolean    *closed,
                  GError     **error)
{
  gsize len = 0;
  const char *data = step->data != NULL ? g_bytes_get_data (step->data, &len) : NULL;
  g_autofree char *line = NULL;

  switch (step->kind)
    {
    case STEP_SEND:
      return session_write (session, data, len, error);

    case STEP_SEND_REPEATED:
      {
        g_autofree char *block = g_malloc (64 * 1024);
        gsize left = step->count;

        memset (block, step->byte, 64 * 1024);
        while (left > 0)
          {
            gsize n = MIN (left, 64 * 1024);

            if (!session_write (session, block, n, error))
              return FALSE;
            left -= n;
          }
        return TRUE;
      }

    case STEP_EXPECT:
    case STEP_EXPECT_ANY:
    case STEP_EXPECT_PREFIX:
      line = session_read_line (session, error);
      if (line == NULL)
        return FALSE;
      if ((step->kind == STEP_EXPECT && (strlen (line) != len || memcmp (line, data, len) != 0)) ||
          (step->kind == STEP_EXPECT_PREFIX && strncmp (line, data, len) != 0))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "expected “%.*s”%s, the client sent “%s”",
                       (int) len, data, step->kind == STEP_EXPECT_PREFIX ? "…" : "", line);
          return FALSE;
        }
      return TRUE;

    case STEP_TLS:
      return session_start_tls (session, error);

    case STEP_CLOSE:
      *closed = TRUE;
      return TRUE;

    case STEP_STALL:
      return session_stall (session, step->ms);

    case STEP_SILENCE:
      return session_silence (session, step->ms, error);

    case STEP_TRICKLE:
      return session_trickle (session, data, len, step->ms, error);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  PfTestServer *server = user_data;
  Session session = { server, connection, NULL, NULL };
  g_autoptr(GError) error = NULL;
  gboolean closed = FALSE;
  guint index = 0;
  guint connection_index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (connection), "pf-test-index"));
  guint end;

  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  session_set_stream (&session, G_IO_STREAM (connection));

  /* The part of the script for this connection: after its
   * connection_index-th NEXT CONNECTION line (or the last part). */
  for (guint seen = 0, i = 0; i < server->steps->len && seen < connection_index; i++)
    if (((Step *) g_ptr_array_index (server->steps, i))->kind == STEP_NEXT_CONNECTION)
      {
        seen++;
        index = i + 1;
      }
  for (end = index; end < server->steps->len; end++)
    if (((Step *) g_ptr_array_index (server->steps, end))->kind == STEP_NEXT_CONNECTION)
      break;

  if (server->mode == PF_TEST_SERVER_TLS && !session_start_tls (&session, &error))
    record_failure (server, "TLS handshake: %s", error->message);
  else
    {
      for (; index < end && !closed; index++)
        if (!session_run_step (&session, g_ptr_array_index (server->steps, index), &closed, &error))
          {
            record_failure (server, "step %u: %s", index + 1, error->message);
            break;
          }

      /* Keep recording what the client sends until it hangs up. */
      if (error == NULL && !closed)
        {
          char *line;

          while ((line = session_read_line (&session, NULL)) != NULL)
            g_free (line);
        }
    }

  g_io_stream_close (session.stream, NULL, NULL);
  if (session.stream != G_IO_STREAM (connection))
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_clear_object (&session.in);
  g_clear_object (&session.stream);

  g_mutex_lock (&server->lock);
  server->n_active--;
  server->n_finished++;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return TRUE;
}

static gboolean
on_incoming (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  PfTestServer *server = user_data;

  /* Runs before the worker thread starts. */
  g_mutex_lock (&server->lock);
  server->n_active++;
  g_object_set_data (G_OBJECT (connection), "pf-test-index", GUINT_TO_POINTER (server->n_accepted++));
  g_mutex_unlock (&server->lock);
  return FALSE;  /* let the threaded service run the connection */
}

PfTestServer *
pf_test_server_new (PfTestServerMode mode)
{
  PfTestServer *server = g_new0 (PfTestServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->mode = mode;
  server->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  server->cancellable = g_cancellable_new ();
  server->received = g_string_new (NULL);
  server->failures = g_string_new (NULL);

  server->service = g_threaded_socket_service_new (16);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, &error))
    g_error ("test server: %s", error->message);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  /* "incoming" runs in the accepting context, before "run" in a thread. */
  g_signal_connect (server->service, "incoming", G_CALLBACK (on_incoming), server);
  g_signal_connect (server->service, "run", G_CALLBACK (on_run), server);
  g_socket_service_start (server->service);
  return server;
}

void
pf_test_server_free (PfTestServer *server)
{
  if (server == NULL)
    return;

  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));

  g_mutex_lock (&server->lock);
  server->stopping = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  g_cancellable_cancel (server->cancellable);

  g_mutex_lock (&server->lock);
  while (server->n_active > 0)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);

  g_clear_object (&server->service);
  g_clear_object (&server->certificate);
  g_clear_object (&server->cancellable);
  g_ptr_array_unref (server->steps);
  g_string_free (server->received, TRUE);
  g_string_free (server->failures, TRUE);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

void
pf_test_server_set_certificate (PfTestServer    *server,
                                GTlsCertificate *certificate)
{
  g_set_object (&server->certificate, certificate);
}

guint16
pf_test_server_get_port (PfTestServer *server)
{
  return server->port;
}

void
pf_test_server_add_send (PfTestServer *server,
                         const char   *data,
                         gssize        len)
{
  g_ptr_array_add (server->steps, step_new (STEP_SEND, data, len));
}

void
pf_test_server_add_send_repeated (PfTestServer *server,
                                  char          byte,
                                  gsize         count)
{
  Step *step = step_new (STEP_SEND_REPEATED, NULL, 0);

  step->byte = byte;
  step->count = count;
  g_ptr_array_add (server->steps, step);
}

void
pf_test_server_add_trickle (PfTestServer *server,
                            const char   *data,
                            gssize        len,
                            guint         interval_ms)
{
  Step *step = step_new (STEP_TRICKLE, data, len);

  step->ms = interval_ms;
  g_ptr_array_add (server->steps, step);
}

void
pf_test_server_add_script (PfTestServer *server,
                           const char   *script)
{
  g_auto(GStrv) lines = g_strsplit (script, "\n", -1);
  GString *send = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "S: ") || strcmp (line, "S:") == 0)
        {
          if (send == NULL)
            send = g_string_new (NULL);
          g_string_append_printf (send, "%s\r\n", line[2] == '\0' ? "" : line + 3);
          continue;
        }
      if (send != NULL)
        {
          pf_test_server_add_send (server, send->str, send->len);
          g_string_free (g_steal_pointer (&send), TRUE);
        }

      if (*line == '\0')
        continue;
      else if (strcmp (line, "C: *") == 0)
        g_ptr_array_add (server->steps, step_new (STEP_EXPECT_ANY, NULL, 0));
      else if (g_str_has_prefix (line, "C: ") && g_str_has_suffix (line, "*"))
        g_ptr_array_add (server->steps, step_new (STEP_EXPECT_PREFIX, line + 3, strlen (line + 3) - 1));
      else if (g_str_has_prefix (line, "C: "))
        g_ptr_array_add (server->steps, step_new (STEP_EXPECT, line + 3, -1));
      else if (strcmp (line, "TLS") == 0)
        g_ptr_array_add (server->steps, step_new (STEP_TLS, NULL, 0));
      else if (strcmp (line, "CLOSE") == 0)
        g_ptr_array_add (server->steps, step_new (STEP_CLOSE, NULL, 0));
      else if (strcmp (line, "NEXT CONNECTION") == 0)
        g_ptr_array_add (server->steps, step_new (STEP_NEXT_CONNECTION, NULL, 0));
      else if (g_str_has_prefix (line, "TRICKLE "))
        {
          char *end = NULL;
          guint64 ms = g_ascii_strtoull (line + 8, &end, 10);

          if (end == line + 8 || *end != ' ')
            g_error ("test server: bad script line “%s”", line);
          pf_test_server_add_trickle (server, end + 1, -1, (guint) ms);
        }
      else if (g_str_has_prefix (line, "STALL ") || g_str_has_prefix (line, "SILENCE "))
        {
          Step *step = step_new (line[1] == 'T' ? STEP_STALL : STEP_SILENCE, NULL, 0);

          step->ms = atoi (strchr (line, ' ') + 1);
          g_ptr_array_add (server->steps, step);
        }
      else
        g_error ("test server: bad script line “%s”", line);
    }

  if (send != NULL)
    {
      pf_test_server_add_send (server, send->str, send->len);
      g_string_free (send, TRUE);
    }
}

gboolean
pf_test_server_wait_connections (PfTestServer *server,
                                 guint         n,
                                 guint         timeout_seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;
  gboolean done = FALSE;

  while (g_get_monotonic_time () < until)
    {
      g_mutex_lock (&server->lock);
      done = server->n_finished >= n;
      g_mutex_unlock (&server->lock);
      if (done)
        break;
      /* The client may need the main loop to finish closing. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
  return done;
}

guint
pf_test_server_get_n_connections (PfTestServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->n_finished + server->n_active;
  g_mutex_unlock (&server->lock);
  return n;
}

char *
pf_test_server_dup_failure (PfTestServer *server)
{
  char *failure;

  g_mutex_lock (&server->lock);
  failure = server->failures->len > 0 ? g_strdup (server->failures->str) : NULL;
  g_mutex_unlock (&server->lock);
  return failure;
}

char *
pf_test_server_dup_received (PfTestServer *server)
{
  char *received;

  g_mutex_lock (&server->lock);
  received = g_strdup (server->received->str);
  g_mutex_unlock (&server->lock);
  return received;
}

gboolean
pf_test_server_received_contains (PfTestServer *server,
                                  const char   *needle)
{
  gboolean found;

  g_mutex_lock (&server->lock);
  found = strstr (server->received->str, needle) != NULL;
  g_mutex_unlock (&server->lock);
  return found;
}

gboolean
pf_test_pop3_connect (PfPop3Client  *client,
                      guint          timeout_seconds,
                      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_pop3_client_connect_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, timeout_seconds);
  return pf_pop3_client_connect_finish (client, result, error);
}

gboolean
pf_test_pop3_login (PfPop3Client     *client,
                    const char       *user,
                    const char       *secret,
                    PfAuthMechanism   mechanism,
                    PfAuthMechanism  *used,
                    guint             timeout_seconds,
                    GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pf_pop3_client_authenticate_async (client, user, secret, mechanism, NULL,
                                     pf_test_store_result, &result);
  pf_test_wait_result (&result, timeout_seconds);
  return pf_pop3_client_authenticate_finish (client, result, used, error);
}

void
pf_test_pop3_quit (PfPop3Client *client,
                   guint         timeout_seconds)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pf_pop3_client_quit_async (client, NULL, pf_test_store_result, &result);
  pf_test_wait_result (&result, timeout_seconds);
  pf_pop3_client_quit_finish (client, result, &error);
  g_assert_no_error (error);
}

void
pf_test_pop3_drop (PfPop3Client *client,
                   guint         timeout_seconds)
{
  gpointer weak = client;
  gint64 until = g_get_monotonic_time () + (gint64) timeout_seconds * G_USEC_PER_SEC;

  pf_pop3_client_close (client);
  g_object_add_weak_pointer (G_OBJECT (client), &weak);
  g_object_unref (client);
  while (weak != NULL && g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (weak);
}
