/* pf-pop3-client.c — one POP3 session, GIO-async: the object, its
 * properties and the transaction commands
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-line-reader.h"
#include "pf-pop3-client-private.h"

G_DEFINE_FINAL_TYPE (PfPop3Client, pf_pop3_client, G_TYPE_OBJECT)

GParamSpec *_pf_pop3_client_properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* GObject                                                                */

static void
pf_pop3_client_dispose (GObject *object)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  /* Every command holds a reference: nothing can be waiting here. */
  self->closed = TRUE;
  g_cancellable_cancel (self->io_cancellable);
  _pf_pop3_client_disarm_timeout (self);
  _pf_pop3_client_disarm_deadlines (self);
  if (self->flush_idle != 0)
    g_clear_handle_id (&self->flush_idle, g_source_remove);
  _pf_pop3_client_close_stream (self);

  G_OBJECT_CLASS (pf_pop3_client_parent_class)->dispose (object);
}

static void
pf_pop3_client_finalize (GObject *object)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  g_clear_pointer (&self->settings, pf_server_settings_unref);
  g_free (self->host);
  g_free (self->server_identity);
  g_free (self->pinned_fingerprint);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->transcript);
  g_clear_object (&self->stream);
  _pf_pop3_client_drop_tls (self);
  g_clear_object (&self->connection);
  g_clear_object (&self->io_cancellable);
  g_clear_error (&self->fatal_error);
  g_clear_error (&self->read_error);
  g_clear_pointer (&self->reader, pf_line_reader_free);
  explicit_bzero (self->outbuf->str, self->outbuf->allocated_len);
  g_string_free (self->outbuf, TRUE);
  g_free (self->greeting);
  g_free (self->apop_timestamp);
  g_clear_pointer (&self->caps, pf_capabilities_free);
  g_clear_object (&self->peer_certificate);

  G_OBJECT_CLASS (pf_pop3_client_parent_class)->finalize (object);
}

/* The session reads the settings once, here: a client connects once. */
static void
apply_settings (PfPop3Client     *self,
                PfServerSettings *settings)
{
  g_assert (self->settings == NULL);

  if (settings == NULL)
    return;
  self->settings = pf_server_settings_ref (settings);
  self->host = g_strdup (pf_server_settings_get_host (settings));
  self->port = pf_server_settings_get_port (settings);
  self->security = pf_server_settings_get_security (settings);
  if (pf_server_settings_get_timeout (settings) > 0)
    self->timeout = pf_server_settings_get_timeout (settings);
  self->server_identity = g_strdup (pf_server_settings_get_server_identity (settings));
  self->pinned_fingerprint = g_strdup (pf_server_settings_get_pinned_fingerprint (settings));
  g_set_object (&self->tls_database, pf_server_settings_get_tls_database (settings));
  self->allow_plaintext_auth = pf_server_settings_get_allow_plaintext_auth (settings);
}

static void
pf_pop3_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_boxed (value, self->settings);
      break;
    case PROP_PIPELINE_WINDOW:
      g_value_set_uint (value, self->pipeline_window);
      break;
    case PROP_TLS_ACTIVE:
      g_value_set_boolean (value, self->tls_active);
      break;
    case PROP_STALL_WINDOW:
      g_value_set_uint (value, self->stall_window);
      break;
    case PROP_MAX_LISTING:
      g_value_set_uint (value, self->max_listing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_pop3_client_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PfPop3Client *self = PF_POP3_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      apply_settings (self, g_value_get_boxed (value));
      break;
    case PROP_PIPELINE_WINDOW:
      pf_pop3_client_set_pipeline_window (self, g_value_get_uint (value));
      break;
    case PROP_STALL_WINDOW:
      pf_pop3_client_set_stall_window (self, g_value_get_uint (value));
      break;
    case PROP_MAX_LISTING:
      pf_pop3_client_set_max_listing (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_pop3_client_class_init (PfPop3ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ctor = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = pf_pop3_client_dispose;
  object_class->finalize = pf_pop3_client_finalize;
  object_class->get_property = pf_pop3_client_get_property;
  object_class->set_property = pf_pop3_client_set_property;

  _pf_pop3_client_properties[PROP_SETTINGS] =
    g_param_spec_boxed ("settings", NULL, NULL, PF_TYPE_SERVER_SETTINGS, ctor);
  _pf_pop3_client_properties[PROP_PIPELINE_WINDOW] =
    g_param_spec_uint ("pipeline-window", NULL, NULL, 0, G_MAXUINT,
                       DEFAULT_PIPELINE_WINDOW, rw);
  _pf_pop3_client_properties[PROP_TLS_ACTIVE] =
    g_param_spec_boolean ("tls-active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  _pf_pop3_client_properties[PROP_STALL_WINDOW] =
    g_param_spec_uint ("stall-window", NULL, NULL, 0, G_MAXUINT, DEFAULT_STALL_WINDOW, rw);
  _pf_pop3_client_properties[PROP_MAX_LISTING] =
    g_param_spec_uint ("max-listing", NULL, NULL, 1, PF_POP3_MAX_LISTING,
                       PF_POP3_MAX_LISTING, rw);

  g_object_class_install_properties (object_class, N_PROPS, _pf_pop3_client_properties);
}

static void
pf_pop3_client_init (PfPop3Client *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->pipeline_window = DEFAULT_PIPELINE_WINDOW;
  self->stall_window = DEFAULT_STALL_WINDOW;
  self->max_listing = PF_POP3_MAX_LISTING;
  self->stat_count = -1;
  self->transcript = pf_transcript_new ();
  self->io_cancellable = g_cancellable_new ();
  self->reader = pf_line_reader_new ();
  self->outbuf = g_string_sized_new (4096);
  g_queue_init (&self->pending);
  g_queue_init (&self->inflight);
}

PfPop3Client *
pf_pop3_client_new_for_settings (PfServerSettings *settings)
{
  g_return_val_if_fail (settings != NULL, NULL);

  return g_object_new (PF_TYPE_POP3_CLIENT, "settings", settings, NULL);
}

PfPop3Client *
pf_pop3_client_new (const char *host,
                    guint16     port,
                    PfSecurity  security)
{
  g_autoptr(PfServerSettings) settings = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  settings = pf_server_settings_new (host, port, security);
  return pf_pop3_client_new_for_settings (settings);
}

PfServerSettings *
pf_pop3_client_get_settings (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->settings;
}

void
pf_pop3_client_set_stall_window (PfPop3Client *self,
                                 guint         seconds)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->stall_window == seconds)
    return;
  self->stall_window = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), _pf_pop3_client_properties[PROP_STALL_WINDOW]);
}

void
pf_pop3_client_set_max_listing (PfPop3Client *self,
                                guint         entries)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (entries >= 1 && entries <= PF_POP3_MAX_LISTING);

  if (self->max_listing == entries)
    return;
  self->max_listing = entries;
  g_object_notify_by_pspec (G_OBJECT (self), _pf_pop3_client_properties[PROP_MAX_LISTING]);
}

void
pf_pop3_client_set_pipeline_window (PfPop3Client *self,
                                    guint         window)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  if (self->pipeline_window == window)
    return;
  self->pipeline_window = window;
  g_object_notify_by_pspec (G_OBJECT (self), _pf_pop3_client_properties[PROP_PIPELINE_WINDOW]);
}

PfTranscript *
pf_pop3_client_get_transcript (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->transcript;
}

const char *
pf_pop3_client_get_greeting (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->greeting;
}

const char *
pf_pop3_client_get_apop_timestamp (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->apop_timestamp;
}

const PfCapabilities *
pf_pop3_client_get_capabilities (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->caps;
}

gboolean
pf_pop3_client_get_tls_active (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);

  return self->tls_active;
}

gboolean
pf_pop3_client_get_pipelining (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);

  return self->caps != NULL && self->caps->pipelining && self->pipeline_window > 0;
}

GTlsCertificate *
pf_pop3_client_get_peer_certificate (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  return self->peer_certificate;
}

GTlsCertificateFlags
pf_pop3_client_get_peer_certificate_errors (PfPop3Client *self)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), 0);

  return self->peer_errors;
}

char *
pf_pop3_client_dup_tls_description (PfPop3Client *self)
{
  const char *version = NULL;
  g_autofree char *cipher = NULL;

  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), NULL);

  if (self->tls == NULL || !self->tls_active)
    return NULL;

  switch (g_tls_connection_get_protocol_version (self->tls))
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      version = "TLS 1.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      version = "TLS 1.1";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      version = "TLS 1.2";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      version = "TLS 1.3";
      break;
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      break;
    }
  cipher = g_tls_connection_get_ciphersuite_name (self->tls);
  if (version == NULL && cipher == NULL)
    return NULL;
  if (cipher == NULL)
    return g_strdup (version);
  if (version == NULL)
    return g_steal_pointer (&cipher);
  return g_strdup_printf ("%s, %s", version, cipher);
}

/* ---------------------------------------------------------------------- */
/* Transaction commands                                                   */

void
pf_pop3_client_stat_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  _pf_pop3_client_submit (self, _pf_pop3_client_command_new (self, CMD_STAT, g_strdup ("STAT"), cancellable,
                             pf_pop3_client_stat_async, callback, user_data));
}

gboolean
pf_pop3_client_stat_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            guint         *count,
                            guint64       *size,
                            GError       **error)
{
  Command *cmd = _pf_pop3_client_finish_command (self, result, pf_pop3_client_stat_async, error);
  guint c;
  guint64 s;

  if (cmd == NULL)
    return FALSE;
  if (!pf_pop3_parse_stat (cmd->text != NULL ? cmd->text : "", &c, &s, error))
    return FALSE;
  if (count != NULL)
    *count = c;
  if (size != NULL)
    *size = s;
  return TRUE;
}

void
pf_pop3_client_list_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  cmd = _pf_pop3_client_command_new (self, CMD_LIST, g_strdup ("LIST"), cancellable,
                     pf_pop3_client_list_async, callback, user_data);
  cmd->entries = g_array_new (FALSE, FALSE, sizeof (PfListEntry));
  _pf_pop3_client_submit (self, cmd);
}

GArray *
pf_pop3_client_list_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  Command *cmd = _pf_pop3_client_finish_command (self, result, pf_pop3_client_list_async, error);

  return cmd != NULL ? g_steal_pointer (&cmd->entries) : NULL;
}

void
pf_pop3_client_uidl_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  Command *cmd;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  cmd = _pf_pop3_client_command_new (self, CMD_UIDL, g_strdup ("UIDL"), cancellable,
                     pf_pop3_client_uidl_async, callback, user_data);
  cmd->uidl = pf_uidl_list_new ();
  _pf_pop3_client_submit (self, cmd);
}

PfUidlList *
pf_pop3_client_uidl_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  Command *cmd = _pf_pop3_client_finish_command (self, result, pf_pop3_client_uidl_async, error);

  return cmd != NULL ? g_steal_pointer (&cmd->uidl) : NULL;
}

void
pf_pop3_client_retrieve_async (PfPop3Client        *self,
                               guint                msgno,
                               gint                 top_lines,
                               GOutputStream       *sink,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  pf_pop3_client_retrieve_checked_async (self, msgno, top_lines, -1, 0, sink,
                                         cancellable, callback, user_data);
}

void
pf_pop3_client_retrieve_checked_async (PfPop3Client        *self,
                                       guint                msgno,
                                       gint                 top_lines,
                                       gint64               listed_size,
                                       guint64              byte_cap,
                                       GOutputStream       *sink,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  Command *cmd;
  char *line;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (msgno > 0);
  g_return_if_fail (G_IS_OUTPUT_STREAM (sink));

  if (top_lines >= 0)
    line = g_strdup_printf ("TOP %u %d", msgno, top_lines);
  else
    line = g_strdup_printf ("RETR %u", msgno);
  cmd = _pf_pop3_client_command_new (self, CMD_RETR, line, cancellable,
                     pf_pop3_client_retrieve_async, callback, user_data);
  cmd->sink = g_object_ref (sink);
  cmd->listed_size = listed_size;
  cmd->byte_cap = byte_cap;
  _pf_pop3_client_submit (self, cmd);
}

gboolean
pf_pop3_client_retrieve_finish (PfPop3Client  *self,
                                GAsyncResult  *result,
                                guint64       *bytes,
                                GError       **error)
{
  Command *cmd = _pf_pop3_client_finish_command (self, result, pf_pop3_client_retrieve_async, error);

  if (cmd == NULL)
    return FALSE;
  if (bytes != NULL)
    *bytes = cmd->bytes;
  return TRUE;
}

static void
simple_async (PfPop3Client        *self,
              char                *line,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  _pf_pop3_client_submit (self, _pf_pop3_client_command_new (self, CMD_SIMPLE, line, cancellable, source_tag,
                             callback, user_data));
}

void
pf_pop3_client_delete_async (PfPop3Client        *self,
                             guint                msgno,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (msgno > 0);

  simple_async (self, g_strdup_printf ("DELE %u", msgno), pf_pop3_client_delete_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_delete_finish (PfPop3Client  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return _pf_pop3_client_finish_command (self, result, pf_pop3_client_delete_async, error) != NULL;
}

void
pf_pop3_client_reset_async (PfPop3Client        *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  simple_async (self, g_strdup ("RSET"), pf_pop3_client_reset_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_reset_finish (PfPop3Client  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return _pf_pop3_client_finish_command (self, result, pf_pop3_client_reset_async, error) != NULL;
}

void
pf_pop3_client_noop_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  simple_async (self, g_strdup ("NOOP"), pf_pop3_client_noop_async,
                cancellable, callback, user_data);
}

gboolean
pf_pop3_client_noop_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _pf_pop3_client_finish_command (self, result, pf_pop3_client_noop_async, error) != NULL;
}

static void
on_quit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (_pf_pop3_client_finish_command (self, result, on_quit, &error) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pf_pop3_client_close (self);
  g_task_return_boolean (task, TRUE);
}

void
pf_pop3_client_quit_async (PfPop3Client        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_quit_async);
  simple_async (self, g_strdup ("QUIT"), on_quit, cancellable, on_quit, task);
}

gboolean
pf_pop3_client_quit_finish (PfPop3Client  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_quit_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
