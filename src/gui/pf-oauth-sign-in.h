/* pf-oauth-sign-in.h — signing in with OAuth2: GNOME Online Accounts or the browser
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account.h"
#include "pf-provider.h"

G_BEGIN_DECLS

#define PF_TYPE_OAUTH_SIGN_IN (pf_oauth_sign_in_get_type ())

G_DECLARE_FINAL_TYPE (PfOAuthSignIn, pf_oauth_sign_in, PF, OAUTH_SIGN_IN, AdwBin)

/* The sign-in offers for one address, in the setup window: "Use your GNOME
 * Online Accounts sign-in for ADDRESS" when GOA has a mail account with
 * that address; "Sign in with Microsoft" (Google, …) when the provider
 * table says the address's provider signs in with OAuth2, or, without a
 * client id built in for it, a plain message pointing to GOA or an app
 * password; and, folded, the fields of an organization's own app
 * registration. While the browser is open: a spinner and Cancel.
 *
 * Properties:
 *   "replaces-password"  the offers stand in for the password: the setup
 *                        window hides its password field while TRUE
 *                        ("Use a Password Instead" sets it FALSE)
 *   "busy"               waiting for the browser or GOA
 * Signals:
 *   "signed-in"          a sign-in succeeded: take
 *                        pf_oauth_sign_in_dup_credentials() and
 *                        pf_oauth_sign_in_apply()
 *   "failed" (GError)    it did not; cancelling is no failure */
GtkWidget     *pf_oauth_sign_in_new                   (void);

void           pf_oauth_sign_in_set_address           (PfOAuthSignIn  *self,
                                                       const char     *address);
gboolean       pf_oauth_sign_in_get_replaces_password (PfOAuthSignIn  *self);
/* Detection found @provider (by the MX of a company domain, say): when it
 * signs in with OAuth2 only, it is offered from now on (until the address
 * changes) and TRUE is returned; a password cannot work there. */
gboolean       pf_oauth_sign_in_offer_provider        (PfOAuthSignIn  *self,
                                                       PfProvider     *provider);
/* Pure: whether @provider (may be NULL) takes no password or app password
 * for POP3, only OAuth2. */
gboolean       pf_oauth_sign_in_provider_needs_oauth2 (PfProvider     *provider);
gboolean       pf_oauth_sign_in_get_busy              (PfOAuthSignIn  *self);
/* Stops a sign-in that waits for the browser. */
void           pf_oauth_sign_in_cancel                (PfOAuthSignIn  *self);

/* The account page's "Sign In Again" for @account, an OAuth2 account whose
 * sign-in the provider no longer accepts: one button that runs the
 * browser sign-in with the account's own settings. */
void           pf_oauth_sign_in_set_account           (PfOAuthSignIn  *self,
                                                       PfAccount      *account);
/* Whether @error says the account's sign-in must be done again. Pure. */
gboolean       pf_oauth_sign_in_error_needs_sign_in   (const GError   *error);

/* After "signed-in": credentials for the login test (transfer full), and
 * the account fields of this sign-in written into @account. */
PfCredentials *pf_oauth_sign_in_dup_credentials       (PfOAuthSignIn  *self);
void           pf_oauth_sign_in_apply                 (PfOAuthSignIn  *self,
                                                       PfAccount      *account);
/* Keeps what the sign-in needs later in the keyring (the refresh token of
 * a browser sign-in; nothing for GOA), for @account as saved. */
void           pf_oauth_sign_in_save_async            (PfOAuthSignIn       *self,
                                                       PfAccount           *account,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean       pf_oauth_sign_in_save_finish           (PfOAuthSignIn       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
