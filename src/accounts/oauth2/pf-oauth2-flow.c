/* pf-oauth2-flow.c — authorization code with PKCE on a loopback redirect,
 * the device flow, and token refresh, over libsoup
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/random.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pf-oauth2.h"
#include "pf-sanitize.h"

#define HTTP_TIMEOUT_SECONDS 30
#define DESCRIPTION_MAX      300

/* Microsoft Entra codes that mean "an administrator must act": consent
 * not granted (65001), admin approval required (90094), the app is not
 * allowed in the tenant (90099), the user is not assigned to the app
 * (50105), admin consent required for the permission (65004 is the user's
 * own refusal, so it is not here). */
static const char * const admin_codes[] = {
  "AADSTS65001", "AADSTS90094", "AADSTS90099", "AADSTS50105", "AADSTS90008",
};

/* ---- helpers ------------------------------------------------------------- */

/* @n_bytes of the kernel's randomness, base64url without padding. */
static char *
random_token (gsize n_bytes)
{
  guint8 bytes[64];
  char *text;
  gsize len;

  g_assert (n_bytes <= sizeof bytes);
  if (getrandom (bytes, n_bytes, 0) != (gssize) n_bytes)
    g_error ("getrandom failed");
  text = g_base64_encode (bytes, n_bytes);
  explicit_bzero (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  len = strlen (text);
  while (len > 0 && text[len - 1] == '=')
    text[--len] = '\0';
  return text;
}

/* RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
static char *
pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  char *text;
  gsize len;

  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);
  text = g_base64_encode (digest, digest_len);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  len = strlen (text);
  while (len > 0 && text[len - 1] == '=')
    text[--len] = '\0';
  return text;
}

static void
form_add (GString    *form,
          const char *key,
          const char *value)
{
  if (value == NULL)
    return;
  if (form->len > 0)
    g_string_append_c (form, '&');
  g_string_append_uri_escaped (form, key, NULL, FALSE);
  g_string_append_c (form, '=');
  g_string_append_uri_escaped (form, value, NULL, FALSE);
}

static SoupSession *
new_session (void)
{
  g_autofree char *agent = g_strdup_printf ("Popfetch/%s", PACKAGE_VERSION);

  return soup_session_new_with_options ("timeout", HTTP_TIMEOUT_SECONDS,
                                        "user-agent", agent,
                                        NULL);
}

/* Provider text for a person: sanitised and bounded. */
static char *
provider_text (const char *text)
{
  g_autofree char *clean = NULL;

  if (text == NULL || *text == '\0')
    return NULL;
  clean = pf_pop3_sanitize_text (text, -1);
  if (g_utf8_strlen (clean, -1) > DESCRIPTION_MAX)
    {
      char *end = g_utf8_offset_to_pointer (clean, DESCRIPTION_MAX);

      *end = '\0';
      return g_strconcat (clean, "…", NULL);
    }
  return g_steal_pointer (&clean);
}

static gboolean
is_admin_consent (const char *description)
{
  if (description == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (admin_codes); i++)
    if (strstr (description, admin_codes[i]) != NULL)
      return TRUE;
  return FALSE;
}

typedef enum
{
  GRANT_CODE,      /* authorization response or code exchange */
  GRANT_REFRESH,
  GRANT_DEVICE,
} GrantKind;

/* An OAuth2 error answer (RFC 6749 §4.1.2.1, §5.2; RFC 8628 §3.5) as a
 * PF_OAUTH2_ERROR. The error code and description are the provider's
 * words, never ours, and never hold a secret of this flow. */
static GError *
error_from_answer (GrantKind   kind,
                   const char *code,
                   const char *description)
{
  g_autofree char *text = provider_text (description);
  g_autofree char *code_text = provider_text (code);
  const char *said = text != NULL ? text : code_text != NULL ? code_text : "";

  if (is_admin_consent (description) || g_strcmp0 (code, "consent_required") == 0 ||
      g_strcmp0 (code, "admin_consent_required") == 0)
    return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_ADMIN_CONSENT,
                        _("The provider says an administrator must approve Popfetch first: %s"),
                        said);
  if (g_strcmp0 (code, "access_denied") == 0)
    return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_CONSENT_REFUSED,
                        _("Access to the mailbox was declined at the sign-in page: %s"), said);
  if (kind == GRANT_REFRESH && g_strcmp0 (code, "invalid_grant") == 0)
    return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN,
                        _("The provider no longer accepts the saved sign-in: %s"), said);
  if (kind == GRANT_DEVICE && g_strcmp0 (code, "expired_token") == 0)
    return g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_DEVICE_EXPIRED,
                                _("The sign-in code expired before it was entered."));
  return g_error_new (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_PROVIDER,
                      _("The provider refused the sign-in (%s): %s"),
                      code_text != NULL ? code_text : "?", text != NULL ? text : "");
}

/* ---- one POST to a token or device endpoint ------------------------------ */

typedef struct
{
  GrantKind  kind;
  char      *url;
} PostData;

static void
post_data_free (PostData *data)
{
  g_free (data->url);
  g_free (data);
}

static void
on_post_read (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupSession *session = SOUP_SESSION (source);
  PostData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (session, result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  GError *error = NULL;
  guint status;

  body = soup_session_send_and_read_finish (session, result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, error);
      else
        {
          g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                                   _("Could not reach %s: %s"), data->url, error->message);
          g_error_free (error);
        }
      return;
    }
  status = soup_message_get_status (message);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                               _("%s answered HTTP %u without an OAuth2 answer."),
                               data->url, status);
      return;
    }
  /* An error answer is 400 or 401 with an "error" member; success is 200
   * (RFC 6749 §5.1, §5.2). Either way the object goes to the caller. */
  if (status != SOUP_STATUS_OK && !json_object_has_member (json_node_get_object (root), "error"))
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                               _("%s answered HTTP %u."), data->url, status);
      return;
    }
  g_task_return_pointer (task, json_object_ref (json_node_get_object (root)),
                         (GDestroyNotify) json_object_unref);
}

/* POSTs @form (taken; it holds secrets) to @url; the answer is a JSON
 * object, an error answer included. */
static void
post_form_async (const char          *url,
                 GrantKind            kind,
                 GString             *form,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(SoupMessage) message = NULL;
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  PostData *data = g_new0 (PostData, 1);
  gsize len = form->len;
  char *body = g_string_free (form, FALSE);
  g_autoptr(GBytes) bytes = g_bytes_new_with_free_func (body, len,
                                                        (GDestroyNotify) pf_wipe_string,
                                                        body);

  g_task_set_source_tag (task, post_form_async);
  data->kind = kind;
  data->url = g_strdup (url);
  g_task_set_task_data (task, data, (GDestroyNotify) post_data_free);

  message = soup_message_new ("POST", url);
  if (message == NULL)
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                               _("“%s” is not a usable address."), url);
      g_object_unref (task);
      return;
    }
  soup_message_headers_append (soup_message_get_request_headers (message), "Accept", "application/json");
  soup_message_set_request_body_from_bytes (message, "application/x-www-form-urlencoded", bytes);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, cancellable,
                                    on_post_read, task);
}

static JsonObject *
post_form_finish (GAsyncResult  *result,
                  GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  /* Some providers send numbers as strings. */
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      gint64 value;

      if (g_ascii_string_to_signed (json_node_get_string (node), 10, 0, G_MAXINT32, &value, NULL))
        return value;
    }
  return fallback;
}

/* The tokens of a success answer, or the error it carries. */
static PfOAuth2Tokens *
tokens_from_answer (JsonObject  *answer,
                    GrantKind    kind,
                    GError     **error)
{
  const char *access_token = member_string (answer, "access_token");
  PfOAuth2Tokens *tokens;
  gint64 expires_in;

  if (member_string (answer, "error") != NULL || access_token == NULL)
    {
      if (member_string (answer, "error") == NULL)
        g_set_error_literal (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                             _("The token endpoint answered without an access token."));
      else
        g_propagate_error (error, error_from_answer (kind, member_string (answer, "error"),
                                                     member_string (answer, "error_description")));
      return NULL;
    }

  tokens = g_new0 (PfOAuth2Tokens, 1);
  tokens->access_token = g_strdup (access_token);
  tokens->refresh_token = g_strdup (member_string (answer, "refresh_token"));
  tokens->scope = g_strdup (member_string (answer, "scope"));
  expires_in = member_int (answer, "expires_in", 0);
  if (expires_in > 0)
    {
      tokens->lifetime = expires_in * G_USEC_PER_SEC;
      tokens->expires_at = g_get_real_time () + tokens->lifetime;
    }
  return tokens;
}

static void
add_client (GString              *form,
            const PfOAuth2Config *config)
{
  form_add (form, "client_id", config->client_id);
  /* Not a secret for a desktop client, but some providers demand it. */
  if (config->client_secret != NULL && *config->client_secret != '\0')
    form_add (form, "client_secret", config->client_secret);
}

/* ---- refresh ------------------------------------------------------------- */

/* Ends @task with the tokens a token endpoint answered to @kind, or with
 * why there are none. */
static void
return_tokens (GTask        *task,
               GAsyncResult *result,
               GrantKind     kind)
{
  g_autoptr(JsonObject) answer = NULL;
  PfOAuth2Tokens *tokens;
  GError *error = NULL;

  answer = post_form_finish (result, &error);
  if (answer == NULL || (tokens = tokens_from_answer (answer, kind, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, tokens, (GDestroyNotify) pf_oauth2_tokens_free);
}

static void
on_refresh_answer (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  return_tokens (task, result, GRANT_REFRESH);
}

void
pf_oauth2_refresh_async (const PfOAuth2Config *config,
                         const char           *refresh_token,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GString *form;

  g_return_if_fail (config != NULL);
  g_return_if_fail (refresh_token != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_oauth2_refresh_async);
  if (!pf_oauth2_config_validate (config, FALSE, FALSE, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  form = g_string_new (NULL);
  form_add (form, "grant_type", "refresh_token");
  form_add (form, "refresh_token", refresh_token);
  add_client (form, config);
  post_form_async (config->token_url, GRANT_REFRESH, form, cancellable,
                   on_refresh_answer, g_steal_pointer (&task));
}

PfOAuth2Tokens *
pf_oauth2_refresh_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_refresh_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- opening the browser ------------------------------------------------- */

static gboolean
spawn_browser (const char  *command,
               const char  *uri,
               GError     **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  gboolean substituted = FALSE;

  if (!g_shell_parse_argv (command, NULL, &argv, error))
    return FALSE;
  for (guint i = 0; argv[i] != NULL; i++)
    {
      if (strstr (argv[i], "%s") != NULL)
        {
          g_autoptr(GString) arg = g_string_new (argv[i]);

          g_string_replace (arg, "%s", uri, 0);
          g_ptr_array_add (args, g_string_free (g_steal_pointer (&arg), FALSE));
          substituted = TRUE;
        }
      else
        g_ptr_array_add (args, g_strdup (argv[i]));
    }
  if (!substituted)
    g_ptr_array_add (args, g_strdup (uri));
  g_ptr_array_add (args, NULL);
  return g_spawn_async (NULL, (char **) args->pdata, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                        NULL, NULL, NULL, error);
}

gboolean
pf_oauth2_open_uri (const char  *uri,
                    gpointer     user_data,
                    GError     **error)
{
  const char *browser = g_getenv ("BROWSER");
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);

  if (browser != NULL && *browser != '\0')
    {
      g_auto(GStrv) commands = g_strsplit (browser, ":", -1);

      for (guint i = 0; commands[i] != NULL; i++)
        {
          if (*commands[i] == '\0')
            continue;
          g_clear_error (&local_error);
          if (spawn_browser (commands[i], uri, &local_error))
            return TRUE;
        }
    }
  else if (g_app_info_launch_default_for_uri (uri, NULL, &local_error))
    return TRUE;

  g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_BROWSER,
               _("No web browser could be opened: %s"),
               local_error != NULL ? local_error->message : _("BROWSER names no command"));
  return FALSE;
}

/* ---- authorization code with PKCE on a loopback redirect ------------------ */

typedef struct
{
  GTask          *task;            /* held while waiting; NULL once done */
  PfOAuth2Config *config;
  SoupServer     *server;
  GSource        *timeout;
  GSource        *cancelled;
  GSource        *idle;
  char           *state;
  char           *verifier;
  char           *redirect_uri;
  /* The answer that belongs to this flow, once it came. */
  gboolean        answered;
  char           *code;
  GError         *answer_error;
} AuthFlow;

static void
auth_flow_remove_sources (AuthFlow *flow)
{
  GSource **sources[] = { &flow->timeout, &flow->cancelled, &flow->idle };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    if (*sources[i] != NULL)
      {
        g_source_destroy (*sources[i]);
        g_clear_pointer (sources[i], g_source_unref);
      }
}

static void
auth_flow_free (AuthFlow *flow)
{
  auth_flow_remove_sources (flow);
  if (flow->server != NULL)
    {
      soup_server_remove_handler (flow->server, NULL);
      soup_server_disconnect (flow->server);
      g_clear_object (&flow->server);
    }
  g_clear_pointer (&flow->config, pf_oauth2_config_free);
  g_free (flow->state);
  pf_wipe_string (flow->verifier);
  pf_wipe_string (flow->code);
  g_clear_error (&flow->answer_error);
  g_free (flow->redirect_uri);
  g_free (flow);
}

/* Ends the wait with @error; the flow's reference to the task goes. The
 * listener stays until the task is finalized, answering that the
 * sign-in has ended: never from inside its own handler. */
static void
auth_flow_fail (AuthFlow *flow,
                GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&flow->task);

  flow->answered = TRUE;
  auth_flow_remove_sources (flow);
  g_task_return_error (task, error);
}

static void
on_code_exchanged (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  return_tokens (task, result, GRANT_CODE);
}

/* After the browser got its page: the error, or the code exchange. */
static gboolean
on_answer_handled (gpointer user_data)
{
  AuthFlow *flow = user_data;
  g_autoptr(GTask) task = NULL;
  GCancellable *cancellable;
  GString *form;

  g_clear_pointer (&flow->idle, g_source_unref);
  if (flow->answer_error != NULL)
    {
      auth_flow_fail (flow, g_steal_pointer (&flow->answer_error));
      return G_SOURCE_REMOVE;
    }

  task = g_steal_pointer (&flow->task);
  form = g_string_new (NULL);
  form_add (form, "grant_type", "authorization_code");
  form_add (form, "code", flow->code);
  form_add (form, "redirect_uri", flow->redirect_uri);
  form_add (form, "code_verifier", flow->verifier);
  add_client (form, flow->config);
  g_clear_pointer (&flow->code, pf_wipe_string);
  cancellable = g_task_get_cancellable (task);
  post_form_async (flow->config->token_url, GRANT_CODE, form, cancellable,
                   on_code_exchanged, g_steal_pointer (&task));
  return G_SOURCE_REMOVE;
}

static void
on_answer_page_sent (SoupServerMessage *message,
                     gpointer           user_data)
{
  AuthFlow *flow = user_data;

  if (flow->task == NULL || flow->idle != NULL)
    return;
  flow->idle = g_idle_source_new ();
  g_source_set_callback (flow->idle, on_answer_handled, flow, NULL);
  g_source_attach (flow->idle, g_task_get_context (flow->task));
}

static void
answer_page (SoupServerMessage *message,
             guint              status,
             const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<title>Popfetch</title></head>"
                                           "<body><p>%s</p></body></html>\n", escaped);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

/* Equal strings, in time that does not depend on where they differ. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize len_a = strlen (a);
  gsize len_b = strlen (b);
  guint8 diff = len_a != len_b;

  for (gsize i = 0; i < len_a && i < len_b; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

static void
on_redirect (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  AuthFlow *flow = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *state = query != NULL ? g_hash_table_lookup (query, "state") : NULL;
  const char *code = query != NULL ? g_hash_table_lookup (query, "code") : NULL;
  const char *error_code = query != NULL ? g_hash_table_lookup (query, "error") : NULL;

  if (flow->answered || flow->task == NULL)
    {
      answer_page (message, SOUP_STATUS_GONE, _("This sign-in has ended."));
      return;
    }

  /* Only the browser's navigation to the exact redirect URI, with the
   * state this flow made, counts. A web page's script (it sends Origin),
   * another path or another state is some other party: ignored, and the
   * flow goes on waiting for the real redirect. */
  if (g_strcmp0 (soup_server_message_get_method (message), "GET") != 0 ||
      soup_message_headers_get_one (headers, "Origin") != NULL ||
      g_strcmp0 (path, "/") != 0)
    {
      answer_page (message, SOUP_STATUS_NOT_FOUND, _("Nothing here."));
      return;
    }
  if (state == NULL || !equal_in_constant_time (state, flow->state))
    {
      answer_page (message, SOUP_STATUS_BAD_REQUEST,
                   _("This answer does not belong to the sign-in Popfetch started."));
      return;
    }

  flow->answered = TRUE;
  /* No timeout or cancellation between here and the exchange, which has
   * the cancellable itself. */
  auth_flow_remove_sources (flow);
  if (code == NULL || error_code != NULL)
    {
      answer_page (message, SOUP_STATUS_OK,
                   _("Popfetch was not given access. You can close this window."));
      flow->answer_error = error_code != NULL
                           ? error_from_answer (GRANT_CODE, error_code,
                                                g_hash_table_lookup (query, "error_description"))
                           : g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_PROVIDER,
                                                  _("The sign-in page returned neither a code "
                                                    "nor an error."));
    }
  else
    {
      answer_page (message, SOUP_STATUS_OK,
                   _("Signed in. You can close this window and return to Popfetch."));
      flow->code = g_strdup (code);
    }
  /* Go on once the page is out, outside the listener's own handler. */
  g_signal_connect (message, "finished", G_CALLBACK (on_answer_page_sent), flow);
}

static gboolean
on_auth_timeout (gpointer user_data)
{
  AuthFlow *flow = user_data;

  g_clear_pointer (&flow->timeout, g_source_unref);
  auth_flow_fail (flow, g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_TIMEOUT,
                                             _("The browser did not come back with an answer "
                                               "in time.")));
  return G_SOURCE_REMOVE;
}

static gboolean
on_auth_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  AuthFlow *flow = user_data;

  g_clear_pointer (&flow->cancelled, g_source_unref);
  auth_flow_fail (flow, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             _("The sign-in was cancelled.")));
  return G_SOURCE_REMOVE;
}

static char *
authorize_url (AuthFlow   *flow,
               const char *login_hint)
{
  g_autofree char *challenge = pkce_challenge (flow->verifier);
  GString *query = g_string_new (NULL);
  const char *url = flow->config->authorize_url;

  form_add (query, "response_type", "code");
  form_add (query, "client_id", flow->config->client_id);
  form_add (query, "redirect_uri", flow->redirect_uri);
  form_add (query, "scope", flow->config->scope);
  form_add (query, "state", flow->state);
  form_add (query, "code_challenge", challenge);
  form_add (query, "code_challenge_method", "S256");
  if (login_hint != NULL && *login_hint != '\0')
    form_add (query, "login_hint", login_hint);
  g_string_prepend_c (query, strchr (url, '?') != NULL ? '&' : '?');
  g_string_prepend (query, url);
  return g_string_free (query, FALSE);
}

void
pf_oauth2_authorize_async (const PfOAuth2Config *config,
                           const char           *login_hint,
                           PfOAuth2OpenUriFunc   open_uri,
                           gpointer              open_uri_data,
                           guint                 timeout_seconds,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  AuthFlow *flow;
  GError *error = NULL;

  g_return_if_fail (config != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_oauth2_authorize_async);

  if (!pf_oauth2_config_validate (config, TRUE, FALSE, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  flow = g_new0 (AuthFlow, 1);
  flow->config = pf_oauth2_config_copy (config);
  flow->state = random_token (16);
  /* 32 bytes: a 43-character verifier, the RFC 7636 minimum length and
   * 256 bits of entropy. */
  flow->verifier = random_token (32);
  g_task_set_task_data (task, flow, (GDestroyNotify) auth_flow_free);

  /* RFC 8252 §7.3: the loopback IP literal, not "localhost", on a port the
   * system picks. */
  flow->server = soup_server_new ("server-header", "Popfetch", NULL);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!soup_server_listen (flow->server, address, 0, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  uris = soup_server_get_uris (flow->server);
  flow->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  soup_server_add_handler (flow->server, NULL, on_redirect, flow, NULL);

  flow->timeout = g_timeout_source_new_seconds (timeout_seconds > 0 ? timeout_seconds
                                                : PF_OAUTH2_DEFAULT_TIMEOUT_SECONDS);
  g_source_set_callback (flow->timeout, on_auth_timeout, flow, NULL);
  g_source_attach (flow->timeout, g_task_get_context (task));
  if (cancellable != NULL)
    {
      flow->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (flow->cancelled, G_SOURCE_FUNC (on_auth_cancelled), flow, NULL);
      g_source_attach (flow->cancelled, g_task_get_context (task));
    }

  url = authorize_url (flow, login_hint);
  flow->task = g_object_ref (task);
  if (!(open_uri != NULL ? open_uri : pf_oauth2_open_uri) (url, open_uri_data, &error))
    auth_flow_fail (flow, error);
}

PfOAuth2Tokens *
pf_oauth2_authorize_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_authorize_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- device authorization grant (RFC 8628) ------------------------------- */

typedef struct
{
  PfOAuth2Config         *config;
  PfOAuth2DeviceCodeFunc  show_code;
  gpointer                show_code_data;
  char                   *device_code;
  guint                   interval;      /* seconds */
  gint64                  deadline;      /* monotonic */
  GSource                *wait;
} DeviceFlow;

static void
device_flow_free (DeviceFlow *flow)
{
  if (flow->wait != NULL)
    {
      g_source_destroy (flow->wait);
      g_source_unref (flow->wait);
    }
  g_clear_pointer (&flow->config, pf_oauth2_config_free);
  pf_wipe_string (flow->device_code);
  g_free (flow);
}

static void device_poll (GTask *task);

static gboolean
on_device_wait_done (gpointer user_data)
{
  GTask *task = user_data;
  DeviceFlow *flow = g_task_get_task_data (task);

  g_clear_pointer (&flow->wait, g_source_unref);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  device_poll (task);
  return G_SOURCE_REMOVE;
}

static void
device_wait (GTask *task)
{
  DeviceFlow *flow = g_task_get_task_data (task);

  if (g_get_monotonic_time () + (gint64) flow->interval * G_USEC_PER_SEC > flow->deadline)
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_DEVICE_EXPIRED,
                               _("The sign-in code expired before it was entered."));
      g_object_unref (task);
      return;
    }
  flow->wait = g_timeout_source_new_seconds (flow->interval);
  g_source_set_callback (flow->wait, on_device_wait_done, task, NULL);
  g_source_attach (flow->wait, g_task_get_context (task));
}

static void
on_device_token_answer (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  DeviceFlow *flow = g_task_get_task_data (task);
  g_autoptr(JsonObject) answer = NULL;
  PfOAuth2Tokens *tokens;
  const char *code;
  GError *error = NULL;

  answer = post_form_finish (result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  code = member_string (answer, "error");
  if (g_strcmp0 (code, "authorization_pending") == 0 || g_strcmp0 (code, "slow_down") == 0)
    {
      /* RFC 8628 §3.5: slow_down adds 5 seconds to every later wait. */
      if (g_strcmp0 (code, "slow_down") == 0)
        flow->interval += 5;
      device_wait (task);
      return;
    }
  tokens = tokens_from_answer (answer, GRANT_DEVICE, &error);
  if (tokens == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) pf_oauth2_tokens_free);
  g_object_unref (task);
}

static void
device_poll (GTask *task)
{
  DeviceFlow *flow = g_task_get_task_data (task);
  GString *form = g_string_new (NULL);

  form_add (form, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
  form_add (form, "device_code", flow->device_code);
  add_client (form, flow->config);
  post_form_async (flow->config->token_url, GRANT_DEVICE, form, g_task_get_cancellable (task),
                   on_device_token_answer, task);
}

static void
on_device_code (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  DeviceFlow *flow = g_task_get_task_data (task);
  g_autoptr(JsonObject) answer = NULL;
  const char *device_code;
  const char *user_code;
  const char *verification_uri;
  g_autofree char *uri_text = NULL;
  g_autofree char *code_text = NULL;
  g_autofree char *complete_text = NULL;
  GError *error = NULL;

  answer = post_form_finish (result, &error);
  if (answer == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (member_string (answer, "error") != NULL)
    {
      g_task_return_error (task, error_from_answer (GRANT_DEVICE, member_string (answer, "error"),
                                                    member_string (answer, "error_description")));
      g_object_unref (task);
      return;
    }
  device_code = member_string (answer, "device_code");
  user_code = member_string (answer, "user_code");
  /* Google says verification_url. */
  verification_uri = member_string (answer, "verification_uri");
  if (verification_uri == NULL)
    verification_uri = member_string (answer, "verification_url");
  if (device_code == NULL || user_code == NULL || verification_uri == NULL)
    {
      g_task_return_new_error (task, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_HTTP,
                               _("The device authorization endpoint answered without a code."));
      g_object_unref (task);
      return;
    }
  flow->device_code = g_strdup (device_code);
  flow->interval = (guint) CLAMP (member_int (answer, "interval", 5), 1, 60);
  flow->deadline = g_get_monotonic_time () +
                   CLAMP (member_int (answer, "expires_in", 600), 10, 3600) * G_USEC_PER_SEC;

  /* What the user reads comes from the provider: sanitised. */
  uri_text = provider_text (verification_uri);
  code_text = provider_text (user_code);
  complete_text = provider_text (member_string (answer, "verification_uri_complete"));
  if (flow->show_code != NULL)
    flow->show_code (uri_text, code_text, complete_text, flow->show_code_data);
  device_wait (task);
}

void
pf_oauth2_device_authorize_async (const PfOAuth2Config   *config,
                                  const char             *login_hint,
                                  PfOAuth2DeviceCodeFunc  show_code,
                                  gpointer                show_code_data,
                                  GCancellable           *cancellable,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data)
{
  GTask *task;
  DeviceFlow *flow;
  GError *error = NULL;
  GString *form;

  g_return_if_fail (config != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_oauth2_device_authorize_async);
  if (!pf_oauth2_config_validate (config, FALSE, TRUE, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  flow = g_new0 (DeviceFlow, 1);
  flow->config = pf_oauth2_config_copy (config);
  flow->show_code = show_code;
  flow->show_code_data = show_code_data;
  g_task_set_task_data (task, flow, (GDestroyNotify) device_flow_free);

  form = g_string_new (NULL);
  form_add (form, "client_id", config->client_id);
  form_add (form, "scope", config->scope);
  if (login_hint != NULL && *login_hint != '\0')
    form_add (form, "login_hint", login_hint);
  post_form_async (config->device_url, GRANT_DEVICE, form, cancellable, on_device_code, task);
}

PfOAuth2Tokens *
pf_oauth2_device_authorize_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_oauth2_device_authorize_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
