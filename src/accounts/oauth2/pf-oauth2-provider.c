/* pf-oauth2-provider.c — the built-in OAuth2 providers and account configs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-oauth2.h"

/* Endpoints and scopes as each provider documents them for a public
 * (native) client reading mail over POP:
 *
 * Microsoft — "Authenticate an IMAP, POP or SMTP connection using OAuth"
 *   (learn.microsoft.com/exchange/client-developer/legacy-protocols/
 *   how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth): scope
 *   https://outlook.office.com/POP.AccessAsUser.All plus offline_access for
 *   a refresh token; the v2.0 endpoints of the "common" tenant serve work
 *   and personal accounts ("Microsoft identity platform and OAuth 2.0
 *   authorization code flow", "… device authorization grant flow").
 * Google — "OAuth 2.0 for Mobile & Desktop Apps" (developers.google.com/
 *   identity/protocols/oauth2/native-app) and "IMAP, POP, and SMTP"
 *   (developers.google.com/gmail/imap/xoauth2-protocol): scope
 *   https://mail.google.com/. Google's device flow does not allow that
 *   scope ("OAuth 2.0 for TV and Limited-Input Device Applications",
 *   allowed scopes), so there is no device URL.
 * Yahoo, AOL — Yahoo's OAuth 2.0 guide (developer.yahoo.com/oauth2/guide/):
 *   request_auth and get_token on api.login.yahoo.com (AOL: the same on
 *   api.login.aol.com); mail access over POP asks for the mail-r scope (an
 *   account may override it, e.g. with mail-w, if its provider wants that).
 * Fastmail — "Integrating with Fastmail" (fastmail.com/dev/): OAuth for
 *   every protocol, the POP scope https://www.fastmail.com/dev/protocol-pop;
 *   client registration by request to Fastmail. */
static const PfOAuth2Provider microsoft = {
  "microsoft", "Microsoft",
  "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
  "https://login.microsoftonline.com/common/oauth2/v2.0/token",
  "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode",
  "https://outlook.office.com/POP.AccessAsUser.All offline_access",
  PF_OAUTH2_MICROSOFT_CLIENT_ID, "",
};

static const PfOAuth2Provider google = {
  "google", "Google",
  "https://accounts.google.com/o/oauth2/v2/auth",
  "https://oauth2.googleapis.com/token",
  NULL,
  "https://mail.google.com/",
  PF_OAUTH2_GOOGLE_CLIENT_ID, PF_OAUTH2_GOOGLE_CLIENT_SECRET,
};

static const PfOAuth2Provider yahoo = {
  "yahoo", "Yahoo",
  "https://api.login.yahoo.com/oauth2/request_auth",
  "https://api.login.yahoo.com/oauth2/get_token",
  NULL,
  "mail-r",
  PF_OAUTH2_YAHOO_CLIENT_ID, PF_OAUTH2_YAHOO_CLIENT_SECRET,
};

static const PfOAuth2Provider aol = {
  "aol", "AOL",
  "https://api.login.aol.com/oauth2/request_auth",
  "https://api.login.aol.com/oauth2/get_token",
  NULL,
  "mail-r",
  PF_OAUTH2_AOL_CLIENT_ID, PF_OAUTH2_AOL_CLIENT_SECRET,
};

static const PfOAuth2Provider fastmail = {
  "fastmail", "Fastmail",
  "https://api.fastmail.com/oauth/authorize",
  "https://api.fastmail.com/oauth/refresh",
  NULL,
  "https://www.fastmail.com/dev/protocol-pop",
  PF_OAUTH2_FASTMAIL_CLIENT_ID, "",
};

static const PfOAuth2Provider * const providers[] = {
  &microsoft, &google, &yahoo, &aol, &fastmail, NULL,
};

const PfOAuth2Provider * const *
pf_oauth2_get_providers (void)
{
  return providers;
}

const PfOAuth2Provider *
pf_oauth2_lookup_provider (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; providers[i] != NULL; i++)
    if (g_ascii_strcasecmp (providers[i]->name, name) == 0)
      return providers[i];
  return NULL;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
pf_oauth2_check_url (const char  *url,
                     const char  *what,
                     GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  g_return_val_if_fail (what != NULL, FALSE);

  if (url != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (scheme == NULL || host == NULL || *host == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0))
    {
      g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_INSECURE_URL,
                   /* Translators: the first %s is "token URL" or the like */
                   _("The %s “%s” is not an https:// address."), what, url != NULL ? url : "");
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !host_is_loopback (host))
    {
      g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_INSECURE_URL,
                   _("The %s “%s” must use https://: plain http is accepted only on "
                     "this computer’s own address."), what, url);
      return FALSE;
    }
  return TRUE;
}

/* ---- configs ------------------------------------------------------------ */

PfOAuth2Config *
pf_oauth2_config_new (void)
{
  return g_new0 (PfOAuth2Config, 1);
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

PfOAuth2Config *
pf_oauth2_config_new_for_provider (const char  *name,
                                   GError     **error)
{
  const PfOAuth2Provider *provider = pf_oauth2_lookup_provider (name);
  PfOAuth2Config *config;

  if (provider == NULL)
    {
      g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_UNKNOWN_PROVIDER,
                   _("Popfetch knows no OAuth2 provider named “%s”; known are microsoft, "
                     "google, yahoo, aol and fastmail."), name != NULL ? name : "");
      return NULL;
    }
  config = pf_oauth2_config_new ();
  config->provider = g_strdup (provider->name);
  config->authorize_url = dup_nonempty (provider->authorize_url);
  config->token_url = dup_nonempty (provider->token_url);
  config->device_url = dup_nonempty (provider->device_url);
  config->client_id = dup_nonempty (provider->client_id);
  config->client_secret = dup_nonempty (provider->client_secret);
  config->scope = dup_nonempty (provider->scope);
  return config;
}

PfOAuth2Config *
pf_oauth2_config_copy (const PfOAuth2Config *config)
{
  PfOAuth2Config *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = pf_oauth2_config_new ();
  copy->provider = g_strdup (config->provider);
  copy->authorize_url = g_strdup (config->authorize_url);
  copy->token_url = g_strdup (config->token_url);
  copy->device_url = g_strdup (config->device_url);
  copy->client_id = g_strdup (config->client_id);
  copy->client_secret = g_strdup (config->client_secret);
  copy->scope = g_strdup (config->scope);
  return copy;
}

void
pf_oauth2_config_free (PfOAuth2Config *config)
{
  if (config == NULL)
    return;
  g_free (config->provider);
  g_free (config->authorize_url);
  g_free (config->token_url);
  g_free (config->device_url);
  g_free (config->client_id);
  g_free (config->client_secret);
  g_free (config->scope);
  g_free (config);
}

void
pf_oauth2_config_override (char       **field,
                           const char  *value)
{
  g_return_if_fail (field != NULL);

  if (value == NULL || *value == '\0')
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static gboolean
missing (const char  *what,
         GError     **error)
{
  g_set_error (error, PF_ERROR, PF_ERROR_INVALID_INPUT,
               _("The OAuth2 sign-in has no %s."), what);
  return FALSE;
}

gboolean
pf_oauth2_config_validate (const PfOAuth2Config  *config,
                           gboolean               need_authorize,
                           gboolean               need_device,
                           GError               **error)
{
  const PfOAuth2Provider *provider;

  g_return_val_if_fail (config != NULL, FALSE);

  if (config->client_id == NULL || *config->client_id == '\0')
    {
      provider = pf_oauth2_lookup_provider (config->provider);
      if (provider != NULL)
        g_set_error (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_NO_CLIENT_ID,
                     _("This build of Popfetch has no OAuth2 client id for %s."),
                     provider->display_name);
      else
        g_set_error_literal (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_NO_CLIENT_ID,
                             _("The OAuth2 sign-in has no client id."));
      return FALSE;
    }
  if (config->token_url == NULL)
    return missing (_("token URL"), error);
  if (!pf_oauth2_check_url (config->token_url, _("token URL"), error))
    return FALSE;
  if (config->scope == NULL)
    return missing (_("scope"), error);
  if (need_authorize)
    {
      if (config->authorize_url == NULL)
        return missing (_("authorization URL"), error);
      if (!pf_oauth2_check_url (config->authorize_url, _("authorization URL"), error))
        return FALSE;
    }
  if (need_device)
    {
      if (config->device_url == NULL)
        {
          g_set_error_literal (error, PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_NO_DEVICE_FLOW,
                               _("This provider offers no device sign-in for mail; sign in "
                                 "with a browser instead."));
          return FALSE;
        }
      if (!pf_oauth2_check_url (config->device_url, _("device authorization URL"), error))
        return FALSE;
    }
  return TRUE;
}

/* ---- tokens ------------------------------------------------------------- */

void
pf_oauth2_tokens_free (PfOAuth2Tokens *tokens)
{
  if (tokens == NULL)
    return;
  pf_wipe_string (tokens->access_token);
  pf_wipe_string (tokens->refresh_token);
  g_free (tokens->scope);
  g_free (tokens);
}
