/* pf-goa.h — sign-ins from GNOME Online Accounts, over D-Bus
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-credentials.h"

G_BEGIN_DECLS

/* GNOME Online Accounts (GOA) keeps the user's sign-ins to Google,
 * Microsoft and others and hands out fresh OAuth2 access tokens for them.
 * Popfetch talks to it with plain GDBus (no libgoa): the ObjectManager of
 * org.gnome.OnlineAccounts at /org/gnome/OnlineAccounts, and on each
 * account object the interfaces org.gnome.OnlineAccounts.Account (Id,
 * ProviderName, PresentationIdentity, MailDisabled, AttentionNeeded),
 * .Mail (EmailAddress) and .OAuth2Based (GetAccessToken). */
#define PF_GOA_BUS_NAME     "org.gnome.OnlineAccounts"
#define PF_GOA_MANAGER_PATH "/org/gnome/OnlineAccounts"

/* One GOA account usable for mail with an OAuth2 token. */
typedef struct
{
  char     *id;                 /* Account.Id: what the accounts file keeps */
  char     *object_path;
  char     *address;            /* Mail.EmailAddress */
  char     *provider_type;      /* Account.ProviderType: "google", "ms365", … */
  char     *provider_name;      /* Account.ProviderName, for people: "Google" */
  char     *identity;           /* Account.PresentationIdentity */
  gboolean  attention_needed;   /* GOA wants the user to sign in again */
} PfGoaAccount;

#define PF_TYPE_GOA_ACCOUNT (pf_goa_account_get_type ())
GType          pf_goa_account_get_type (void) G_GNUC_CONST;
PfGoaAccount  *pf_goa_account_copy     (const PfGoaAccount *account);
void           pf_goa_account_free     (PfGoaAccount       *account);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PfGoaAccount, pf_goa_account_free)

/* The GOA accounts that have mail switched on and give OAuth2 tokens,
 * as a GPtrArray of PfGoaAccount, sorted by address. Where GOA is absent
 * (no session bus, nobody owns or can start org.gnome.OnlineAccounts) the
 * array is empty: that is no error, the desktop simply has no GOA. Other
 * D-Bus failures are errors. */
void       pf_goa_list_mail_accounts_async  (GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray *pf_goa_list_mail_accounts_finish (GAsyncResult         *result,
                                             GError              **error);

/* Pure: the account in @accounts whose mail address is @address (ASCII
 * case ignored), or NULL. */
PfGoaAccount *pf_goa_find_by_address (GPtrArray  *accounts,
                                      const char *address);
/* Pure: the account in @accounts whose Id is @id, or NULL. */
PfGoaAccount *pf_goa_find_by_id      (GPtrArray  *accounts,
                                      const char *id);

/* The sentence that says why @address cannot use a GOA sign-in, given
 * what pf_goa_list_mail_accounts_finish() found (an empty list may mean
 * GOA is absent): for the CLI and the app alike. */
char         *pf_goa_explain_missing (GPtrArray  *accounts,
                                      const char *address);

/* PfCredentials whose secret is an access token from the GOA account
 * @account_id (Account.Id): each get_secret finds the account's object
 * and calls OAuth2Based.GetAccessToken, so GOA refreshes the token as it
 * needs. After invalidate (the mail server refused the token) the next
 * get_secret first asks GOA to check the sign-in (Account.EnsureCredentials)
 * and then for a token again. Fails with PF_OAUTH2_ERROR_SIGN_IN_AGAIN, its
 * message saying why, when GOA is absent, no longer has that account, or
 * says the user must sign in to it again (in Settings, not in Popfetch).
 * The token never appears in an error. */
PfCredentials *pf_goa_credentials_new (const char *account_id);

G_END_DECLS
