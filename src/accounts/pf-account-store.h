/* pf-account-store.h — the accounts file, $XDG_CONFIG_HOME/popfetch/accounts.ini
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-account.h"

G_BEGIN_DECLS

#define PF_TYPE_ACCOUNT_STORE (pf_account_store_get_type ())

G_DECLARE_FINAL_TYPE (PfAccountStore, pf_account_store, PF, ACCOUNT_STORE, GObject)

/* The default file: $XDG_CONFIG_HOME/popfetch/accounts.ini */
char           *pf_account_store_default_path (void);

/* @path: NULL for the default file. The store starts empty and unloaded. */
PfAccountStore *pf_account_store_new          (const char      *path);
const char     *pf_account_store_get_path     (PfAccountStore  *self);
/* A GListModel of PfAccount, in file order. */
GListModel     *pf_account_store_get_accounts (PfAccountStore  *self);
PfAccount      *pf_account_store_lookup       (PfAccountStore  *self,
                                               const char      *name);
/* Validates @account and checks its name is unused. */
gboolean        pf_account_store_add          (PfAccountStore  *self,
                                               PfAccount       *account,
                                               GError         **error);
/* Replace the account called @name by @account (which may carry a new,
 * still unused name). Validates it. A rename of an account on the
 * default Maildir whose folder exists sets @account's Maildir to that
 * folder: mail stays where it is. */
gboolean        pf_account_store_replace      (PfAccountStore  *self,
                                               const char      *name,
                                               PfAccount       *account,
                                               GError         **error);
gboolean        pf_account_store_remove       (PfAccountStore  *self,
                                               const char      *name);

/* Change the account called @name into @account (which may carry a new,
 * unused name), applying every rule of an edit, the same for every front
 * end:
 *  - the pinned certificate is dropped when the server changes (host
 *    compared by pf_account_host_equal(), or port), unless the edit pins a
 *    new one; @account is changed accordingly;
 *  - the change is made in memory at once (the store then holds @account,
 *    as pf_account_store_replace() does), then the file is saved;
 *  - a new name takes the account's delivery journal and lock along
 *    (pf_paths_rename_account_state; a host edit keeps them);
 *  - the keyring item follows a new host, user or name, and the old item is
 *    cleared unless another saved account still uses it.
 * Fails with PF_ERROR_INVALID_INPUT or PF_ERROR_CONFIG (nothing changed),
 * the save's error, PF_ERROR_ACCOUNT_BUSY when a fetch of the account runs
 * during a rename (the settings are saved, the journal stayed: the message
 * says what to do), or a keyring error (pf_account_store_error_is_keyring:
 * the settings are saved, the password did not move). */
void            pf_account_store_update_async  (PfAccountStore       *self,
                                                const char           *name,
                                                PfAccount            *account,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        pf_account_store_update_finish (PfAccountStore       *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* After a login that needed a second method (the first was refused as a
 * method, not as a password), remember the one that worked for the account
 * called @name, so that the next login goes straight to it: its mechanism
 * becomes @mechanism if it was left on PF_AUTH_AUTO. An account whose
 * method the user chose keeps it; then nothing is saved. */
void            pf_account_store_remember_mechanism_async  (PfAccountStore       *self,
                                                            const char           *name,
                                                            PfAuthMechanism       mechanism,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
gboolean        pf_account_store_remember_mechanism_finish (PfAccountStore       *self,
                                                            GAsyncResult         *result,
                                                            GError              **error);

/* Remove the account called @name, save, then clear its password from the
 * keyring unless another saved account uses the same item (same host and
 * user). Fails with PF_ERROR_CONFIG for an unknown name, the save's error,
 * or a keyring error (pf_account_store_error_is_keyring: the account is
 * gone, its password may still be in the keyring). */
void            pf_account_store_remove_async  (PfAccountStore       *self,
                                                const char           *name,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        pf_account_store_remove_finish (PfAccountStore       *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Whether an update or remove failed only in the keyring, after saving. */
gboolean        pf_account_store_error_is_keyring (const GError  *error);
/* Whether an update failed after the settings were saved: in the keyring,
 * or moving the journal of a renamed account. */
gboolean        pf_account_store_error_is_after_save (const GError *error);

/* Read the file (a missing file is an empty store). A file that does not
 * parse or holds an invalid account fails with PF_ERROR_CONFIG naming the
 * file and the offending line or account; the store then refuses to save,
 * so the file is never overwritten behind the user's back. */
void            pf_account_store_load_async   (PfAccountStore       *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        pf_account_store_load_finish  (PfAccountStore       *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* Write atomically: a temporary file in the same directory (mode 0600),
 * fsync, rename over the file, fsync the directory. Fails with
 * PF_ERROR_CONFIG unless the last load succeeded, and when the file was
 * changed by another program since this store read or wrote it (checked
 * under a lock that every Popfetch save takes): then nothing is written. */
void            pf_account_store_save_async   (PfAccountStore       *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean        pf_account_store_save_finish  (PfAccountStore       *self,
                                               GAsyncResult         *result,
                                               GError              **error);

/* Pure halves of load and save, tested byte by byte. @filename only
 * names the file in error messages. */
GPtrArray      *pf_account_store_parse        (const char      *data,
                                               gsize            length,
                                               const char      *filename,
                                               GError         **error);
char           *pf_account_store_serialize    (GListModel      *accounts,
                                               gsize           *length);

/* Blocking atomic replace of @path by @data; what save runs in a thread. */
gboolean        pf_write_file_atomically      (const char      *path,
                                               const char      *data,
                                               gsize            length,
                                               GError         **error);

G_END_DECLS
