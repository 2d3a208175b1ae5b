/* pf-cli-accounts-private.h — the steps the account commands share
 * across pf-cli-accounts.c, pf-cli-oauth2.c and pf-cli-saved.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-account-store.h"
#include "pf-credentials.h"

G_BEGIN_DECLS

/* The accounts file, loaded; NULL with @error set when it cannot be. */
PfAccountStore *pf_cli_open_store     (GError         **error);
/* Save the accounts file from the CLI's main loop. */
gboolean        pf_cli_save_accounts  (PfAccountStore  *store,
                                       GError         **error);
/* The account @name of @store, or NULL with a PF_ERROR_CONFIG that names
 * `popfetch-cli list`. */
PfAccount      *pf_cli_find_account   (PfAccountStore  *store,
                                       const char      *name,
                                       GError         **error);
/* Print what pf_cli_find_account() said; a missing account is a
 * configuration problem (78), not a broken file. */
int             pf_cli_report_missing (const GError    *error);
/* The method that worked after the first was refused as a method (by
 * `fetch NAME` or `test NAME`): the account keeps it when it was on
 * "auto", so the next login goes straight to it, and standard error says
 * so. Not being able to save that is worth a warning only. */
void            pf_cli_remember_mechanism (PfAccountStore  *store,
                                           PfAccount       *account,
                                           PfAuthMechanism  mechanism);
/* Log in once per user-name form (only the saved one when @user_given);
 * on success the account takes the user name that worked. */
gboolean        pf_cli_test_login     (PfAccount       *account,
                                       gboolean         user_given,
                                       PfCredentials   *credentials,
                                       GError         **error);
/* The end of every `add`: unless @credentials is NULL (--skip-test), the
 * login test with them ("Nothing was saved." when it fails), then @account
 * added to @store and saved. PF_EXIT_OK, or the exit code, reported. */
int             pf_cli_test_and_save  (PfAccountStore  *store,
                                       PfAccount       *account,
                                       gboolean         user_given,
                                       PfCredentials   *credentials);

G_END_DECLS
