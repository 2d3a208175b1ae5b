/* pf-oauth2-error.c — OAuth2 failures in words
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-oauth2.h"

G_DEFINE_QUARK (pf-oauth2-error-quark, pf_oauth2_error)

static PfExplanation *
explanation_new (const char *title,
                 const char *what,
                 const char *next)
{
  PfExplanation *explanation = g_new0 (PfExplanation, 1);

  explanation->title = g_strdup (title);
  explanation->what = g_strdup (what);
  explanation->next = g_strdup (next);
  return explanation;
}

PfExplanation *
pf_oauth2_error_explain (const GError *error)
{
  if (error == NULL || error->domain != PF_OAUTH2_ERROR)
    return NULL;

  switch ((PfOAuth2ErrorCode) error->code)
    {
    case PF_OAUTH2_ERROR_NO_CLIENT_ID:
      return explanation_new (_("No OAuth2 client id"), error->message,
                              _("Popfetch can sign in to this provider only with a client id, "
                                "which the build or the account must name. Use the account "
                                "through GNOME Online Accounts, sign in with an app password "
                                "if the provider offers them, or give the client id of your "
                                "organisation’s own app registration."));
    case PF_OAUTH2_ERROR_UNKNOWN_PROVIDER:
      return explanation_new (_("Unknown OAuth2 provider"), error->message,
                              _("Name one of the known providers, or give the authorization "
                                "URL, token URL, client id and scope yourself."));
    case PF_OAUTH2_ERROR_INSECURE_URL:
      return explanation_new (_("Sign-in address not secure"), error->message,
                              _("Give the https:// address of the identity provider."));
    case PF_OAUTH2_ERROR_CONSENT_REFUSED:
      return explanation_new (_("Access was not granted"), error->message,
                              _("Sign in again and allow Popfetch to read your mail."));
    case PF_OAUTH2_ERROR_ADMIN_CONSENT:
      return explanation_new (_("Your organisation’s administrator must approve Popfetch"),
                              error->message,
                              _("Ask the administrator of your organisation to grant consent "
                                "to Popfetch for reading mail over POP (in Microsoft Entra: "
                                "Enterprise applications, Permissions), or to register the "
                                "organisation’s own app and give you its client id."));
    case PF_OAUTH2_ERROR_SIGN_IN_AGAIN:
      return explanation_new (_("Sign in again"), error->message,
                              _("The provider no longer accepts Popfetch’s sign-in for this "
                                "account: it was revoked, it expired, or the password "
                                "changed. Sign in again to give Popfetch access."));
    case PF_OAUTH2_ERROR_TIMEOUT:
      return explanation_new (_("The browser never came back"), error->message,
                              _("Finish the sign-in in the browser window in time, and let it "
                                "return to Popfetch. Where no browser can run, use the device "
                                "code sign-in."));
    case PF_OAUTH2_ERROR_BROWSER:
      return explanation_new (_("No browser could be opened"), error->message,
                              _("Set the BROWSER environment variable to a web browser, or use "
                                "the device code sign-in."));
    case PF_OAUTH2_ERROR_DEVICE_EXPIRED:
      return explanation_new (_("The sign-in code expired"), error->message,
                              _("Start again and enter the code within the time shown."));
    case PF_OAUTH2_ERROR_NO_DEVICE_FLOW:
      return explanation_new (_("No device sign-in"), error->message,
                              _("Sign in with a browser instead."));
    case PF_OAUTH2_ERROR_PROVIDER:
      return explanation_new (_("The provider refused the sign-in"), error->message,
                              _("Check the client id, scope and addresses of the sign-in, "
                                "then try again."));
    case PF_OAUTH2_ERROR_HTTP:
      return explanation_new (_("The identity provider did not answer as expected"),
                              error->message,
                              _("Check the network and the provider’s addresses, then try "
                                "again."));
    case PF_OAUTH2_ERROR_POP_REFUSED:
      return explanation_new (_("The mail server refused the sign-in"), error->message,
                              _("The provider signed you in, but its POP server refused the "
                                "token. POP is probably switched off for this mailbox: in "
                                "Outlook.com, Settings, Mail, Forwarding and IMAP, “Let "
                                "devices and apps use POP”; in Microsoft 365 the "
                                "administrator enables POP for the mailbox; in Gmail, "
                                "Settings, Forwarding and POP/IMAP."));
    default:
      return NULL;
    }
}
