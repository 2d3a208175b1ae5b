/* pf-test-oauth.c — the test OAuth2 authorization server, from GTest programs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>

#include "pf-test-oauth.h"
#include "pf-test-util.h"

#define START_TIMEOUT_S 15

struct _PfTestOAuth
{
  GSubprocess *process;
  guint16      port;
};

const char *
pf_test_oauth_get_script (void)
{
  return PF_TEST_OAUTH_SERVER_SCRIPT;
}

static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

typedef struct
{
  char     *line;
  gboolean  done;
} ReadyLine;

static void
on_ready_line (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ReadyLine *ready = user_data;

  ready->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                           result, NULL, NULL);
  ready->done = TRUE;
}

PfTestOAuth *
pf_test_oauth_start (GError **error)
{
  g_autoptr(PfTestOAuth) self = g_new0 (PfTestOAuth, 1);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  ReadyLine ready = { NULL, FALSE };
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, error, "python3",
                                               PF_TEST_OAUTH_SERVER_SCRIPT, NULL);
  if (self->process == NULL)
    return NULL;

  /* Read the READY line on a private context, so the caller's context
   * does not run. */
  g_main_context_push_thread_default (context);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, on_ready_line, &ready);
  while (!ready.done && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (context, FALSE))
        g_usleep (5000);
    }
  if (!ready.done)
    {
      g_subprocess_force_exit (self->process);
      while (!ready.done)
        g_main_context_iteration (context, TRUE);
    }
  g_main_context_pop_thread_default (context);

  if (ready.line == NULL || !g_str_has_prefix (ready.line, "READY "))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the test OAuth2 server did not start (%s)",
                   ready.line != NULL ? ready.line : "no READY line");
      g_free (ready.line);
      return NULL;
    }
  self->port = (guint16) g_ascii_strtoull (ready.line + strlen ("READY "), NULL, 10);
  g_free (ready.line);
  return g_steal_pointer (&self);
}

PfTestOAuth *
pf_test_oauth_start_or_skip (void)
{
  g_autoptr(GError) error = NULL;
  PfTestOAuth *self;

  if (!pf_test_require_program ("python3", "REQUIRE_DOVECOT"))
    return NULL;
  self = pf_test_oauth_start (&error);
  g_assert_no_error (error);
  return self;
}

void
pf_test_oauth_stop (PfTestOAuth *self)
{
  if (self == NULL)
    return;
  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_subprocess_wait (self->process, NULL, NULL);
      g_clear_object (&self->process);
    }
  g_free (self);
}

guint16
pf_test_oauth_get_port (PfTestOAuth *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

char *
pf_test_oauth_get_url (PfTestOAuth *self,
                       const char  *path)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path != NULL ? path : "");
}

/* One blocking HTTP/1.1 POST with "Connection: close"; the body of a 200
 * answer, else an error with the status line. Tests only: the server is
 * ours and on loopback. */
static char *
post_form (PfTestOAuth  *self,
           const char   *path,
           const char   *body,
           GError      **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  GInputStream *in;
  char buffer[4096];
  gssize n;
  const char *text;
  const char *end;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", self->port, NULL, error);
  if (connection == NULL)
    return NULL;
  request = g_strdup_printf ("POST %s HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Connection: close\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\n"
                             "Content-Length: %zu\r\n"
                             "\r\n%s",
                             path, self->port, strlen (body), body);
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                  request, strlen (request), NULL, NULL, error))
    return NULL;
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, error)) > 0)
    g_byte_array_append (answer, (const guint8 *) buffer, n);
  if (n < 0)
    return NULL;
  g_byte_array_append (answer, (const guint8 *) "", 1);
  text = (const char *) answer->data;
  end = strstr (text, "\r\n\r\n");
  if (!g_str_has_prefix (text, "HTTP/1.") || strlen (text) < 12 ||
      strncmp (text + 9, "200", 3) != 0 || end == NULL)
    {
      const char *eol = strstr (text, "\r\n");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "test OAuth2 server: %.*s",
                   eol != NULL ? (int) (eol - text) : (int) strlen (text), text);
      return NULL;
    }
  return g_strdup (end + 4);
}

static GHashTable *
control_valist (PfTestOAuth  *self,
                GError      **error,
                const char   *action,
                va_list       args)
{
  g_autoptr(GString) body = g_string_new ("action=");
  g_autofree char *answer = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *table;
  const char *key;

  g_string_append_uri_escaped (body, action, NULL, FALSE);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);

      g_string_append_c (body, '&');
      g_string_append_uri_escaped (body, key, NULL, FALSE);
      g_string_append_c (body, '=');
      g_string_append_uri_escaped (body, value != NULL ? value : "", NULL, FALSE);
    }

  answer = post_form (self, "/control", body->str, error);
  if (answer == NULL)
    return NULL;
  table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (answer, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');

      if (eq != NULL)
        g_hash_table_insert (table, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }
  return table;
}

GHashTable *
pf_test_oauth_control (PfTestOAuth  *self,
                       GError      **error,
                       const char   *action,
                       ...)
{
  GHashTable *table;
  va_list args;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (action != NULL, NULL);

  va_start (args, action);
  table = control_valist (self, error, action, args);
  va_end (args);
  return table;
}

char *
pf_test_oauth_mint (PfTestOAuth  *self,
                    const char   *user,
                    guint         expires_in,
                    char        **refresh_token,
                    GError      **error)
{
  g_autoptr(GHashTable) answer = NULL;
  g_autofree char *seconds = g_strdup_printf ("%u", expires_in);

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);

  if (expires_in > 0)
    answer = pf_test_oauth_control (self, error, "mint", "user", user, "expires_in", seconds, NULL);
  else
    answer = pf_test_oauth_control (self, error, "mint", "user", user, NULL);
  if (answer == NULL)
    return NULL;
  if (refresh_token != NULL)
    *refresh_token = g_strdup (g_hash_table_lookup (answer, "refresh_token"));
  return g_strdup (g_hash_table_lookup (answer, "access_token"));
}

gboolean
pf_test_oauth_revoke_user (PfTestOAuth  *self,
                           const char   *user,
                           GError      **error)
{
  g_autoptr(GHashTable) answer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  answer = pf_test_oauth_control (self, error, "revoke-user", "user", user, NULL);
  return answer != NULL;
}

gboolean
pf_test_oauth_expire_access (PfTestOAuth  *self,
                             const char   *user,
                             GError      **error)
{
  g_autoptr(GHashTable) answer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  if (user != NULL)
    answer = pf_test_oauth_control (self, error, "expire-access", "user", user, NULL);
  else
    answer = pf_test_oauth_control (self, error, "expire-access", NULL);
  return answer != NULL;
}

gboolean
pf_test_oauth_set (PfTestOAuth  *self,
                   const char   *key,
                   const char   *value,
                   GError      **error)
{
  g_autoptr(GHashTable) answer = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  answer = pf_test_oauth_control (self, error, "set", key, value, NULL);
  return answer != NULL;
}

guint
pf_test_oauth_get_count (PfTestOAuth *self,
                         const char  *counter)
{
  g_autoptr(GHashTable) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *value;

  g_return_val_if_fail (self != NULL, 0);
  answer = pf_test_oauth_control (self, &error, "stats", NULL);
  g_assert_no_error (error);
  value = g_hash_table_lookup (answer, counter);
  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : 0;
}
