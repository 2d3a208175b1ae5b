/* pf-paths.h — where Popfetch keeps its files
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/popfetch */
char *pf_paths_config_dir (void);
/* $XDG_STATE_HOME/popfetch: journals and locks. This is the state
 * directory to hand to PfFetcher (pf_fetcher_set_state_dir), which keys a
 * saved account's journal by the account (pf_fetcher_set_account) and an
 * ad-hoc fetch's by host and user, not port. */
char *pf_paths_state_dir  (void);

/* Blocking (call from a worker thread in the app): the journal of the
 * saved account @old_name follows it to @new_name. A fetch of it running:
 * PF_ERROR_ACCOUNT_BUSY. */
gboolean pf_paths_rename_account_state (const char  *old_name,
                                        const char  *new_name,
                                        GError     **error);
/* The same in a worker thread. */
void     pf_paths_rename_account_state_async  (const char          *old_name,
                                               const char          *new_name,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean pf_paths_rename_account_state_finish (GAsyncResult        *result,
                                               GError             **error);

/* The delivery journal and the fetch lock of an ad-hoc fetch:
 * $XDG_STATE_HOME/popfetch/KEY.journal and KEY.lock, where KEY is
 * pf_journal_account_key (@host, @user), exactly as the fetcher names them
 * (a saved account's before it was keyed by the account). */
char *pf_paths_account_journal (const char *host,
                                const char *user);
char *pf_paths_account_lock    (const char *host,
                                const char *user);

G_END_DECLS
