/* pf-pop3-client-connect.c — connecting: TCP, TLS, the greeting, CAPA and STLS
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
#include "pf-pop3-parse.h"
#include "pf-recording-stream.h"

/* ---------------------------------------------------------------------- */
/* Connect: TCP, [TLS], greeting, CAPA, [STLS, TLS, CAPA]                 */

static void connect_step_greeting (GTask *task);
static void connect_step_capa     (GTask *task);

static void
set_tls_active (PfPop3Client *self,
                gboolean      active)
{
  if (self->tls_active == active)
    return;
  self->tls_active = active;
  g_object_notify_by_pspec (G_OBJECT (self), _pf_pop3_client_properties[PROP_TLS_ACTIVE]);
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  PfPop3Client *self = user_data;
  g_autofree char *fingerprint = pf_certificate_sha256 (certificate);

  g_set_object (&self->peer_certificate, certificate);
  self->peer_errors = errors;
  self->pin_accepted = self->pinned_fingerprint != NULL &&
                       g_strcmp0 (fingerprint, self->pinned_fingerprint) == 0;

  pf_transcript_add_info (self->transcript,
                          "Certificate failed validation (flags 0x%x), SHA-256 %s: %s",
                          errors, fingerprint,
                          self->pin_accepted ? "accepted, it matches the pinned fingerprint"
                                             : "rejected");
  return self->pin_accepted;
}

static GError *
certificate_error (PfPop3Client *self,
                   const GError *tls_error)
{
  GTlsCertificateFlags flags = self->peer_errors;
  PfErrorCode code;

  if (self->pinned_fingerprint != NULL)
    code = PF_ERROR_CERT_PIN_MISMATCH;
  else if (flags & (G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_INSECURE |
                    G_TLS_CERTIFICATE_REVOKED))
    code = PF_ERROR_CERT_UNTRUSTED;
  else if (flags & (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_NOT_ACTIVATED))
    code = PF_ERROR_CERT_EXPIRED;
  else if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    code = PF_ERROR_CERT_HOST;
  else
    code = PF_ERROR_CERT_UNTRUSTED;

  return g_error_new (PF_ERROR, code, "%s", tls_error->message);
}

/* What a finished handshake must still pass before anything is sent in
 * it, implicit TLS and STLS alike. A pin names one certificate: GIO asks
 * accept-certificate only about certificates that fail validation, so a
 * different certificate that a trusted CA signed would pass unnoticed
 * unless the peer is compared here. And the version GnuTLS agreed to may
 * be one its configuration still allows but we do not. */
static GError *
check_handshake (PfPop3Client   *self,
                 GTlsConnection *tls)
{
  GTlsCertificate *peer = g_tls_connection_get_peer_certificate (tls);
  const char *version = NULL;

  if (self->pinned_fingerprint != NULL)
    {
      g_autofree char *fingerprint = peer != NULL ? pf_certificate_sha256 (peer) : NULL;

      if (g_strcmp0 (fingerprint, self->pinned_fingerprint) != 0)
        {
          pf_transcript_add_info (self->transcript,
                                  "Certificate SHA-256 %s: rejected, it is not the pinned one",
                                  fingerprint != NULL ? fingerprint : "(none)");
          return g_error_new (PF_ERROR, PF_ERROR_CERT_PIN_MISMATCH,
                              "The server’s certificate (SHA-256 %s) is not the pinned one",
                              fingerprint != NULL ? fingerprint : "unknown");
        }
    }

  /* UNKNOWN is what GIO says for a version newer than it knows. */
  switch (g_tls_connection_get_protocol_version (tls))
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      version = "SSL 3.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      version = "1.0";
      break;
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      version = "1.1";
      break;
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2:
    default:
      return NULL;
    }
  return g_error_new (PF_ERROR, PF_ERROR_TLS_OUTDATED,
                      "The server uses an outdated, insecure TLS version %s; "
                      "Popfetch needs TLS 1.2 or newer", version);
}

static void
connect_fail (GTask  *task,
              GError *error)
{
  PfPop3Client *self = g_task_get_source_object (task);

  _pf_pop3_client_fail_all (self, error);
  g_task_return_error (task, error);
}

/* The TLS layer's base after STLS records what it read; that is needed
 * only while the handshake might fail. */
static GByteArray *
take_stls_recording (GTlsConnection *tls)
{
  g_autoptr(GIOStream) base = NULL;

  g_object_get (tls, "base-io-stream", &base, NULL);
  if (!PF_IS_RECORDING_STREAM (base))
    return NULL;
  return pf_recording_stream_take_recorded (PF_RECORDING_STREAM (base));
}

static void
stop_stls_recording (GTlsConnection *tls)
{
  GByteArray *recorded = take_stls_recording (tls);

  if (recorded != NULL)
    g_byte_array_unref (recorded);
}

/* A server whose TLS side fails after the grace period (a slow helper, a
 * far server) sends its -ERR line when our ClientHello is out, and the TLS
 * layer fails on it as a record. What that layer read, and what still
 * waits on the socket, may be exactly that one line: then its words, as
 * _pf_pop3_client_stls_after_ok_error() gives them, are the error. Any
 * other bytes are TLS gone wrong and keep the handshake's error (they
 * were not put before the handshake, so they are no injection). */
static GError *
stls_late_err_line (PfPop3Client   *self,
                    GTlsConnection *tls)
{
  g_autoptr(GByteArray) bytes = take_stls_recording (tls);
  g_autoptr(GError) error = NULL;
  const gsize cap = PF_POP3_MAX_STATUS_LINE + 1;
  gsize have;

  if (bytes == NULL || self->connection == NULL)
    return NULL;
  /* The TLS layer reads a record header, then gives up: the rest of a
   * line sent in one go is still on the socket. */
  have = MIN (bytes->len, cap);
  g_byte_array_set_size (bytes, cap);
  if (have < cap)
    {
      gssize len = g_socket_receive_with_blocking (g_socket_connection_get_socket (self->connection),
                                                   (char *) bytes->data + have, cap - have,
                                                   FALSE, NULL, NULL);

      if (len > 0)
        have += (gsize) len;
    }
  if (have == 0)
    return NULL;
  error = _pf_pop3_client_stls_after_ok_error (bytes->data, have);
  if (!g_error_matches (error, PF_ERROR, PF_ERROR_STLS_UNAVAILABLE))
    return NULL;
  return g_steal_pointer (&error);
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  self->reading = self->writing = FALSE;
  _pf_pop3_client_disarm_timeout (self);

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_autoptr(GError) server_words = NULL;

      if (!self->closed && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        server_words = stls_late_err_line (self, G_TLS_CONNECTION (source));

      if (server_words != NULL)
        connect_fail (task, g_steal_pointer (&server_words));
      else if (self->peer_errors != 0 && !self->pin_accepted &&
               !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_fail (task, certificate_error (self, error));
      else
        connect_fail (task, _pf_pop3_client_classify_io_error (self, error));
      return;
    }
  stop_stls_recording (G_TLS_CONNECTION (source));
  if (self->closed)
    {
      connect_fail (task, g_error_copy (self->fatal_error));
      return;
    }

  if (self->peer_errors == 0)
    g_set_object (&self->peer_certificate,
                  g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source)));

  error = check_handshake (self, G_TLS_CONNECTION (source));
  if (error != NULL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->stream, G_IO_STREAM (source));
  set_tls_active (self, TRUE);
  description = pf_pop3_client_dup_tls_description (self);
  pf_transcript_add_info (self->transcript, "TLS established (%s)",
                          description != NULL ? description : "unknown parameters");

  if (self->security == PF_SECURITY_TLS)
    connect_step_greeting (task);
  else
    connect_step_capa (task);
}

static void
connect_step_tls (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PfRecordingStream) recording = NULL;
  GIOStream *base = G_IO_STREAM (self->connection);
  GIOStream *tls;

  /* After STLS the TLS layer may meet the server's -ERR line instead of a
   * ServerHello: keep what it reads (implicit TLS has no such line). */
  if (self->security == PF_SECURITY_STARTTLS)
    {
      recording = pf_recording_stream_new (self->connection, PF_POP3_MAX_STATUS_LINE + 1);
      base = G_IO_STREAM (recording);
    }
  identity = g_network_address_new (self->server_identity != NULL ? self->server_identity
                                                                  : self->host,
                                    self->port);
  tls = g_tls_client_connection_new (base, identity, &error);
  if (tls == NULL)
    {
      connect_fail (task, _pf_pop3_client_io_error_to_pf (error, PF_ERROR_TLS_HANDSHAKE));
      return;
    }
  self->tls = G_TLS_CONNECTION (tls);
  /* POP3 has its own end (QUIT); many servers just drop the TCP link. */
  g_tls_connection_set_require_close_notify (self->tls, FALSE);
  if (self->tls_database != NULL)
    g_tls_connection_set_database (self->tls, self->tls_database);
  self->accept_certificate_id = g_signal_connect (tls, "accept-certificate",
                                                  G_CALLBACK (on_accept_certificate), self);

  /* The handshake counts as reading and writing the base stream. */
  self->reading = self->writing = TRUE;
  _pf_pop3_client_arm_timeout (self);
  g_tls_connection_handshake_async (self->tls, G_PRIORITY_DEFAULT, self->io_cancellable,
                                    on_handshake, g_object_ref (task));
}

/* A server says nothing after "+OK" to STLS until our ClientHello. Bytes
 * that arrive anyway were injected; a short wait catches those sent in a
 * segment of their own, which a late attacker could otherwise slip in
 * while the handshake starts (it would then fail as a TLS error). */
#define STLS_GRACE_MS 50

typedef struct
{
  GTask   *task;
  GSource *socket_source;
  GSource *timer;
} StlsGrace;

static void
stls_grace_free (StlsGrace *grace)
{
  g_source_destroy (grace->socket_source);
  g_source_unref (grace->socket_source);
  g_source_destroy (grace->timer);
  g_source_unref (grace->timer);
  g_object_unref (grace->task);
  g_free (grace);
}

static gboolean
on_stls_grace_data (GSocket      *socket,
                    GIOCondition  condition,
                    gpointer      user_data)
{
  StlsGrace *grace = user_data;
  GTask *task = g_object_ref (grace->task);
  PfPop3Client *self = g_task_get_source_object (task);
  /* One byte more than a status line may hold, so an over-long one
   * cannot pass for a whole -ERR line. */
  g_autofree guint8 *peeked = g_malloc (PF_POP3_MAX_STATUS_LINE + 1);
  gssize len;

  stls_grace_free (grace);
  /* Only a look: the session ends here whatever the bytes are. */
  len = g_socket_receive_with_blocking (socket, (char *) peeked, PF_POP3_MAX_STATUS_LINE + 1,
                                        FALSE, NULL, NULL);
  if (self->closed)
    connect_fail (task, g_error_copy (self->fatal_error));
  else
    connect_fail (task, len > 0 ? _pf_pop3_client_stls_after_ok_error (peeked, len) : _pf_pop3_client_stls_injection_error ());
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stls_grace_over (gpointer user_data)
{
  StlsGrace *grace = user_data;
  GTask *task = g_object_ref (grace->task);
  PfPop3Client *self = g_task_get_source_object (task);

  stls_grace_free (grace);
  if (self->closed)
    connect_fail (task, g_error_copy (self->fatal_error));
  else
    connect_step_tls (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

void
_pf_pop3_client_stls_grace (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  StlsGrace *grace = g_new0 (StlsGrace, 1);
  GSocket *socket = g_socket_connection_get_socket (self->connection);

  grace->task = g_object_ref (task);
  grace->socket_source = g_socket_create_source (socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (grace->socket_source, (GSourceFunc) (void (*) (void)) on_stls_grace_data,
                         grace, NULL);
  g_source_attach (grace->socket_source, g_main_context_get_thread_default ());
  grace->timer = g_timeout_source_new (STLS_GRACE_MS);
  g_source_set_callback (grace->timer, on_stls_grace_over, grace, NULL);
  g_source_attach (grace->timer, g_main_context_get_thread_default ());
}

static void
on_stls (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (_pf_pop3_client_finish_command (self, result, on_stls, &error) == NULL)
    {
      if (g_error_matches (error, PF_ERROR, PF_ERROR_STLS_INJECTION) ||
          g_error_matches (error, PF_ERROR, PF_ERROR_TIMEOUT) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closed)
        connect_fail (task, g_steal_pointer (&error));
      else
        connect_fail (task, g_error_new (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE,
                                         "The server refused STLS: %s", error->message));
      return;
    }

  /* Forget everything learned before TLS: it may have been forged. */
  pf_line_reader_reset (self->reader);
  g_clear_error (&self->read_error);
  g_clear_pointer (&self->caps, pf_capabilities_free);
  g_clear_pointer (&self->greeting, g_free);
  g_clear_pointer (&self->apop_timestamp, g_free);
  self->capa_ok = FALSE;
  _pf_pop3_client_stls_grace (task);
}

static void
on_capa (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = _pf_pop3_client_finish_command (self, result, on_capa, &error);
  Command *stls;

  if (cmd != NULL)
    {
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = g_steal_pointer (&cmd->caps);
      self->capa_ok = TRUE;
    }
  else if (self->closed || error->domain != PF_ERROR || error->code == PF_ERROR_PROTOCOL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }
  else
    {
      /* CAPA refused: an RFC 1939 server. Assume nothing. */
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = pf_capabilities_new ();
      self->capa_ok = FALSE;
    }

  if (self->security != PF_SECURITY_STARTTLS || self->tls_active)
    {
      self->connected = TRUE;
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (!self->caps->stls)
    {
      connect_fail (task, g_error_new_literal (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE,
                                               self->capa_ok
                                                 ? "The server does not offer STLS"
                                                 : "The server refused CAPA, so it does not offer STLS"));
      return;
    }

  stls = _pf_pop3_client_command_new (self, CMD_STLS, g_strdup ("STLS"), NULL, on_stls, on_stls,
                      g_object_ref (task));
  stls->barrier = TRUE;
  stls->err_fallback = PF_ERROR_STLS_UNAVAILABLE;
  _pf_pop3_client_submit (self, stls);
}

Command *
_pf_pop3_client_capa_command_new (PfPop3Client        *self,
                  gpointer             source_tag,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  Command *cmd = _pf_pop3_client_command_new (self, CMD_CAPA, g_strdup ("CAPA"), NULL, source_tag,
                              callback, user_data);

  cmd->caps = pf_capabilities_new ();
  cmd->barrier = TRUE;
  return cmd;
}

static void
connect_step_capa (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);

  _pf_pop3_client_submit (self, _pf_pop3_client_capa_command_new (self, on_capa, on_capa, g_object_ref (task)));
}

static void
on_greeting (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = _pf_pop3_client_finish_command (self, result, on_greeting, &error);

  if (cmd == NULL)
    {
      connect_fail (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->greeting);
  self->greeting = g_strdup (cmd->text != NULL ? cmd->text : "");
  connect_step_capa (task);
}

static void
connect_step_greeting (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  Command *cmd = _pf_pop3_client_command_new (self, CMD_GREETING, NULL, NULL, on_greeting, on_greeting,
                              g_object_ref (task));

  cmd->barrier = TRUE;
  _pf_pop3_client_submit (self, cmd);
}

static void
on_socket_connected (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) remote = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL)
    {
      g_autoptr(GError) pf_error = _pf_pop3_client_io_error_to_pf (error, PF_ERROR_REFUSED);

      pf_transcript_add_info (self->transcript, "Connection failed: %s", error->message);
      if (self->closed && self->fatal_error != NULL)
        {
          /* close() or a cancellation got here first: report that. */
          g_clear_error (&pf_error);
          pf_error = g_error_copy (self->fatal_error);
        }
      self->closed = TRUE;
      g_clear_error (&self->fatal_error);
      self->fatal_error = g_error_copy (pf_error);
      g_task_return_error (task, g_steal_pointer (&pf_error));
      return;
    }

  self->connection = connection;
  self->stream = g_object_ref (G_IO_STREAM (connection));
  /* GSocketClient's timeout also applies to each blocking socket call; our
   * own timer covers reads from here on, so it must not fire on idle. */
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 0);
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (remote))
    {
      g_autofree char *address =
        g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));

      pf_transcript_add_info (self->transcript, "Connected to %s port %u", address, self->port);
    }

  if (self->security == PF_SECURITY_TLS)
    connect_step_tls (task);
  else
    connect_step_greeting (task);
}

static void
source_destroy_and_unref (gpointer data)
{
  g_source_destroy (data);
  g_source_unref (data);
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  PfPop3Client *self = user_data;
  g_autoptr(GError) error = NULL;

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  if (!self->connected && !self->closed)
    _pf_pop3_client_fail_all (self, error);
  return G_SOURCE_REMOVE;
}

gboolean
pf_pop3_proxy_may_be_configured (const char * const *envp)
{
  static const char * const settings[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
    "all_proxy", "ALL_PROXY", "socks_proxy", "SOCKS_PROXY", "GIO_USE_PROXY_RESOLVER",
    "XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID", "KDE_FULL_SESSION",
    "FLATPAK_ID",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      const char *value = g_environ_getenv ((char **) envp, settings[i]);

      if (value != NULL && *value != '\0')
        return TRUE;
    }
  return FALSE;
}

void
pf_pop3_client_connect_async (PfPop3Client        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) address = NULL;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_connect_async);

  if (self->connection != NULL || self->closed)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               "A session connects only once");
      return;
    }

  if (cancellable != NULL)
    {
      g_autoptr(GSource) source = g_cancellable_source_new (cancellable);

      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) on_connect_cancelled,
                             g_object_ref (self), g_object_unref);
      g_source_attach (source, g_main_context_get_thread_default ());
      g_task_set_task_data (task, g_steal_pointer (&source), source_destroy_and_unref);
    }

  pf_transcript_add_info (self->transcript, "Connecting to %s port %u (%s)",
                          self->host, self->port, pf_security_to_string (self->security));

  client = g_socket_client_new ();
  g_socket_client_set_timeout (client, self->timeout);
  {
    g_auto(GStrv) envp = g_get_environ ();

    if (!pf_pop3_proxy_may_be_configured ((const char * const *) envp))
      g_socket_client_set_enable_proxy (client, FALSE);
  }
  address = g_network_address_new (self->host, self->port);
  g_socket_client_connect_async (client, address, self->io_cancellable,
                                 on_socket_connected, g_steal_pointer (&task));
}

gboolean
pf_pop3_client_connect_finish (PfPop3Client  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_connect_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
