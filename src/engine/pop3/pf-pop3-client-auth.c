/* pf-pop3-client-auth.c — logging in: USER/PASS, APOP and SASL
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

/* ---------------------------------------------------------------------- */
/* Authentication                                                         */

typedef struct
{
  char            *user;
  char            *secret;
  PfAuthMechanism  mechanism;
} AuthData;

static void
auth_data_free (AuthData *data)
{
  g_free (data->user);
  if (data->secret != NULL)
    explicit_bzero (data->secret, strlen (data->secret));
  g_free (data->secret);
  g_free (data);
}

static gboolean
has_line_break (const char *text)
{
  return strpbrk (text, "\r\n") != NULL;
}

/* Cyrus's words (SASL_BADPROT) when the exchange itself failed: a GS2
 * header or a channel binding it would not take, whatever the password. */
static gboolean
refusal_names_protocol (const GError *error)
{
  g_autofree char *folded = g_ascii_strdown (error->message, -1);

  return strstr (folded, "bad protocol") != NULL;
}

static void
auth_done (GTask  *task,
           GError *error)
{
  PfPop3Client *self = g_task_get_source_object (task);
  AuthData *data = g_task_get_task_data (task);

  if (error != NULL)
    {
      /* A plain refusal of these may be about the method (a -PLUS the
       * server binds differently, an APOP or CRAM-MD5 it cannot check for
       * this user), so it is not reported as a wrong password: the caller
       * may try another method on a new connection. A refusal that says
       * the SASL protocol failed is the method's whatever the method. */
      if (g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED) && !self->closed &&
          data != NULL && (pf_auth_mechanism_may_be_refused_for_itself (data->mechanism) ||
                           refusal_names_protocol (error)))
        {
          GError *mechanism_error =
            g_error_new (PF_ERROR, PF_ERROR_AUTH_MECHANISM_FAILED,
                         "The server refused the login with %s: %s",
                         pf_auth_mechanism_to_string (data->mechanism), error->message);

          g_error_free (error);
          error = mechanism_error;
        }
      /* The reason in the transcript too: a cancelled exchange (a
       * challenge that is not base64, a SCRAM iteration count out of
       * bounds) shows there only as "*" and the server's -ERR. */
      pf_transcript_add_info (self->transcript, "Login failed: %s", error->message);
      g_task_return_error (task, error);
      return;
    }

  pf_transcript_add_info (self->transcript, "Logged in");
  g_task_return_boolean (task, TRUE);
}

static void
on_utf8 (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  /* A refusal leaves the session as it was; a broken connection shows at
   * the next command. */
  if (_pf_pop3_client_finish_command (self, result, on_utf8, &error) == NULL)
    pf_transcript_add_info (self->transcript, "The server refused UTF8: %s", error->message);
  auth_done (task, NULL);
}

/* RFC 6856: a server that offers UTF8 may replace every message with
 * UTF-8 in its header by a notice ("Cannot display Unicode content")
 * until the client says UTF8, so it is said before any RETR. */
static void
auth_maybe_utf8 (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);
  Command *cmd;

  if (!self->caps->utf8)
    {
      auth_done (task, NULL);
      return;
    }
  cmd = _pf_pop3_client_command_new (self, CMD_SIMPLE, g_strdup ("UTF8"), NULL, on_utf8, on_utf8,
                     g_object_ref (task));
  cmd->barrier = TRUE;
  _pf_pop3_client_submit (self, cmd);
}

static void
on_auth_capa (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  Command *cmd = _pf_pop3_client_finish_command (self, result, on_auth_capa, &error);

  /* Capabilities may grow after login (RFC 2449 §5); a refusal keeps the
   * old set. The login itself succeeded either way. */
  if (cmd != NULL)
    {
      g_clear_pointer (&self->caps, pf_capabilities_free);
      self->caps = g_steal_pointer (&cmd->caps);
    }
  auth_maybe_utf8 (task);
}

static void
auth_succeeded (GTask *task)
{
  PfPop3Client *self = g_task_get_source_object (task);

  if (!self->capa_ok)
    {
      auth_done (task, NULL);
      return;
    }
  _pf_pop3_client_submit (self, _pf_pop3_client_capa_command_new (self, on_auth_capa, on_auth_capa, g_object_ref (task)));
}

static void
on_auth_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (_pf_pop3_client_finish_command (self, result, on_auth_reply, &error) == NULL)
    {
      auth_done (task, g_steal_pointer (&error));
      return;
    }
  auth_succeeded (task);
}

static Command *
auth_command_new (PfPop3Client        *self,
                  CommandKind          kind,
                  char                *line,
                  GTask               *task,
                  GAsyncReadyCallback  callback)
{
  Command *cmd = _pf_pop3_client_command_new (self, kind, line, NULL, on_auth_reply, callback,
                              g_object_ref (task));

  cmd->barrier = TRUE;
  cmd->err_fallback = PF_ERROR_AUTH_REJECTED;
  return cmd;
}

static void
on_user_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PfPop3Client *self = g_task_get_source_object (task);
  AuthData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (_pf_pop3_client_finish_command (self, result, on_auth_reply, &error) == NULL)
    {
      auth_done (task, g_steal_pointer (&error));
      return;
    }
  /* Concatenated, not formatted: printf builds a long line in buffers
   * it grows and frees itself, copies of the password that nothing wipes. */
  _pf_pop3_client_submit (self, auth_command_new (self, CMD_SIMPLE,
                                  g_strconcat ("PASS ", data->secret, NULL), task,
                                  on_auth_reply));
}

/* tls-exporter (RFC 9266) where the TLS version has it, else
 * tls-server-end-point (RFC 5929); NULL without TLS. */
static GBytes *
channel_binding_data (PfPop3Client  *self,
                      const char   **type)
{
  static const struct {
    GTlsChannelBindingType  type;
    const char             *name;
  } types[] = {
    { G_TLS_CHANNEL_BINDING_TLS_EXPORTER, "tls-exporter" },
    { G_TLS_CHANNEL_BINDING_TLS_SERVER_END_POINT, "tls-server-end-point" },
  };

  *type = NULL;
  if (self->tls == NULL || !self->tls_active)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();

      if (g_tls_connection_get_channel_binding_data (self->tls, types[i].type, data, NULL))
        {
          *type = types[i].name;
          return g_byte_array_free_to_bytes (g_steal_pointer (&data));
        }
    }
  return NULL;
}

static gboolean
is_scram (PfAuthMechanism mechanism)
{
  return mechanism == PF_AUTH_SCRAM_SHA_1 || mechanism == PF_AUTH_SCRAM_SHA_1_PLUS ||
         mechanism == PF_AUTH_SCRAM_SHA_256 || mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;
}

static gboolean
mechanism_offered (PfPop3Client    *self,
                   PfAuthMechanism  mechanism)
{
  switch (mechanism)
    {
    case PF_AUTH_USER:
      /* Without CAPA we cannot know; RFC 1939 servers all have USER. */
      return self->caps->user || !self->capa_ok;
    case PF_AUTH_APOP:
      return self->apop_timestamp != NULL;
    case PF_AUTH_AUTO:
      return FALSE;
    default:
      return pf_capabilities_has_sasl (self->caps, pf_auth_mechanism_to_string (mechanism));
    }
}

static gboolean
server_offers_binding (PfPop3Client *self)
{
  return pf_capabilities_has_sasl (self->caps, "SCRAM-SHA-256-PLUS") ||
         pf_capabilities_has_sasl (self->caps, "SCRAM-SHA-1-PLUS");
}

void
pf_pop3_client_authenticate_async (PfPop3Client        *self,
                                   const char          *user,
                                   const char          *secret,
                                   PfAuthMechanism      mechanism,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) binding = NULL;
  const char *binding_type = NULL;
  AuthData *data;

  g_return_if_fail (PF_IS_POP3_CLIENT (self));
  g_return_if_fail (user != NULL);
  g_return_if_fail (secret != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_pop3_client_authenticate_async);

  if (has_line_break (user) || has_line_break (secret))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                               "The user name or password contains a line break");
      return;
    }
  if (!self->connected || self->closed)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_CLOSED, "Not connected to the server");
      return;
    }
  if (!self->tls_active && !self->allow_plaintext_auth)
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_PLAINTEXT_REFUSED,
                               "The connection is not encrypted, so no credential is sent");
      return;
    }

  binding = channel_binding_data (self, &binding_type);
  if (mechanism == PF_AUTH_AUTO)
    {
      mechanism = pf_sasl_choose ((const char * const *) self->caps->sasl,
                                  self->apop_timestamp != NULL,
                                  mechanism_offered (self, PF_AUTH_USER),
                                  self->tls_active, binding != NULL,
                                  self->allow_plaintext_auth);
      if (mechanism == PF_AUTH_AUTO)
        {
          g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                                   "The server offers no login method Popfetch can use safely");
          return;
        }
    }
  else if (!mechanism_offered (self, mechanism))
    {
      g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                               "The server does not offer %s",
                               pf_auth_mechanism_to_string (mechanism));
      return;
    }

  data = g_new0 (AuthData, 1);
  data->user = g_strdup (user);
  data->secret = g_strdup (secret);
  data->mechanism = mechanism;
  g_task_set_task_data (task, data, (GDestroyNotify) auth_data_free);
  pf_transcript_add_info (self->transcript, "Logging in with %s",
                          pf_auth_mechanism_to_string (mechanism));

  switch (mechanism)
    {
    case PF_AUTH_USER:
      {
        /* on_user_reply sends PASS. */
        _pf_pop3_client_submit (self, auth_command_new (self, CMD_SIMPLE, g_strdup_printf ("USER %s", user),
                                        task, on_user_reply));
      }
      break;

    case PF_AUTH_APOP:
      {
        g_autofree char *digest = pf_apop_digest (self->apop_timestamp, secret);

        _pf_pop3_client_submit (self, auth_command_new (self, CMD_SIMPLE,
                                        g_strdup_printf ("APOP %s %s", user, digest), task,
                                        on_auth_reply));
      }
      break;

    case PF_AUTH_AUTO:
      g_assert_not_reached ();

    default:
      {
        g_autoptr(PfSasl) sasl = NULL;
        g_autoptr(PfWipedBytes) initial = NULL;
        g_autoptr(PfWipedString) line = NULL;
        Command *cmd;
        gboolean plus = mechanism == PF_AUTH_SCRAM_SHA_1_PLUS ||
                        mechanism == PF_AUTH_SCRAM_SHA_256_PLUS;

        if (plus && binding == NULL)
          {
            g_task_return_new_error (task, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                                     "%s needs TLS channel binding, which is not available",
                                     pf_auth_mechanism_to_string (mechanism));
            return;
          }
        /* RFC 5802 §6: SCRAM without -PLUS says "y" (we could bind) only
         * when the server offered no -PLUS, so an attacker who stripped
         * -PLUS from CAPA is caught; a server that does offer -PLUS must
         * refuse "y", so then it says "n" (this is how the retry after a
         * refused -PLUS logs in). */
        if (!plus && (!is_scram (mechanism) || server_offers_binding (self)))
          g_clear_pointer (&binding, g_bytes_unref);
        sasl = pf_sasl_new_full (mechanism, user, secret,
                                 binding != NULL ? binding_type : NULL, binding, &error);
        if (sasl == NULL || !pf_sasl_step (sasl, NULL, 0, &initial, &error))
          {
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }

        if (initial != NULL && g_bytes_get_size (initial) > 0)
          {
            g_autoptr(PfWipedString) encoded = g_base64_encode (g_bytes_get_data (initial, NULL),
                                                              g_bytes_get_size (initial));

            /* Built only when it fits, and by concatenation (see PASS). */
            if (strlen ("AUTH  ") + strlen (pf_sasl_get_name (sasl)) + strlen (encoded) <= MAX_AUTH_LINE)
              line = g_strconcat ("AUTH ", pf_sasl_get_name (sasl), " ", encoded, NULL);
          }
        if (line == NULL)
          line = g_strdup_printf ("AUTH %s", pf_sasl_get_name (sasl));

        cmd = auth_command_new (self, CMD_AUTH, g_steal_pointer (&line), task, on_auth_reply);
        cmd->sasl = g_steal_pointer (&sasl);
        if (initial != NULL && g_bytes_get_size (initial) > 0 && strchr (cmd->line + 5, ' ') == NULL)
          cmd->pending_ir = g_steal_pointer (&initial);
        _pf_pop3_client_submit (self, cmd);
      }
      break;
    }
}

gboolean
pf_pop3_client_authenticate_finish (PfPop3Client     *self,
                                    GAsyncResult     *result,
                                    PfAuthMechanism  *used,
                                    GError          **error)
{
  AuthData *data;

  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_pop3_client_authenticate_async, FALSE);

  /* Set on failure too: the caller names what was tried. */
  data = g_task_get_task_data (G_TASK (result));
  if (used != NULL)
    *used = data != NULL ? data->mechanism : PF_AUTH_AUTO;
  return g_task_propagate_boolean (G_TASK (result), error);
}

PfAuthMechanism
pf_pop3_client_choose_fallback (PfPop3Client    *self,
                                PfAuthMechanism  failed)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), PF_AUTH_AUTO);

  if (self->caps == NULL)
    return PF_AUTH_AUTO;
  return pf_sasl_choose_fallback (failed, (const char * const *) self->caps->sasl,
                                  mechanism_offered (self, PF_AUTH_USER),
                                  self->tls_active, self->allow_plaintext_auth);
}

gboolean
pf_pop3_client_choose_for_secret (PfPop3Client    *self,
                                  PfAuthMechanism  requested,
                                  const PfSecret  *secret,
                                  PfAuthMechanism *mechanism,
                                  GError         **error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (secret != NULL && mechanism != NULL, FALSE);

  *mechanism = requested;
  if (requested != PF_AUTH_AUTO || pf_secret_get_kind (secret) != PF_SECRET_ACCESS_TOKEN)
    return TRUE;

  *mechanism = pf_sasl_choose_for_token (self->caps != NULL ? (const char * const *) self->caps->sasl
                                                            : NULL);
  if (*mechanism != PF_AUTH_AUTO)
    return TRUE;
  g_set_error_literal (error, PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM,
                       _("The server offers neither XOAUTH2 nor "
                         "OAUTHBEARER, so it takes no OAuth2 sign-in."));
  return FALSE;
}

gboolean
pf_pop3_client_renew_refused_token (PfPop3Client   *self,
                                    PfCredentials  *credentials,
                                    PfSecret      **secret,
                                    gboolean       *renewed,
                                    const GError   *error)
{
  g_return_val_if_fail (PF_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (PF_IS_CREDENTIALS (credentials), FALSE);
  g_return_val_if_fail (secret != NULL && renewed != NULL, FALSE);

  if (*renewed || *secret == NULL || pf_secret_get_kind (*secret) != PF_SECRET_ACCESS_TOKEN ||
      !g_error_matches (error, PF_ERROR, PF_ERROR_AUTH_REJECTED))
    return FALSE;

  *renewed = TRUE;
  pf_transcript_add_info (self->transcript, "The access token was refused; renewing it once");
  pf_credentials_invalidate (credentials, *secret);
  g_clear_pointer (secret, pf_secret_free);
  pf_pop3_client_close (self);
  return TRUE;
}
