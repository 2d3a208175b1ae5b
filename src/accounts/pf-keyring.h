/* pf-keyring.h — account passwords in the Secret Service (libsecret)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "pf-credentials.h"

G_BEGIN_DECLS

/* Items use the schema "io.github.popfetch.Popfetch.Password" with the
 * string attributes host, service (always "pop3") and user. mpop looks
 * passwords up by exactly host/service/user and ignores the schema name
 * (SECRET_SCHEMA_DONT_MATCH_NAME), so it finds what Popfetch stores.
 * Popfetch itself matches its own schema name, so it never reads, replaces
 * or clears an item another program stored. */
#define PF_KEYRING_SCHEMA_NAME "io.github.popfetch.Popfetch.Password"
#define PF_KEYRING_SERVICE     "pop3"

const SecretSchema *pf_keyring_get_schema (void);

/* "Popfetch: NAME (user@host)" */
char     *pf_keyring_item_label (const char *account_name,
                                 const char *host,
                                 const char *user);

/* Every call fails with PF_ERROR_KEYRING_UNAVAILABLE when no Secret Service
 * answers on the session bus, and PF_ERROR_KEYRING_LOCKED when the
 * collection stays locked (the unlock prompt was dismissed or cannot be
 * shown). */

/* Store or replace the password of (host, user). */
void      pf_keyring_store_async   (const char           *account_name,
                                    const char           *host,
                                    const char           *user,
                                    const char           *password,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  pf_keyring_store_finish  (GAsyncResult         *result,
                                    GError              **error);

/* The password, or NULL with PF_ERROR_NO_PASSWORD when none is stored.
 * Free it with pf_wipe_string(). */
void      pf_keyring_lookup_async  (const char           *host,
                                    const char           *user,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
char     *pf_keyring_lookup_finish (GAsyncResult         *result,
                                    GError              **error);

/* Remove the password of (host, user); TRUE also when there was none. */
void      pf_keyring_clear_async   (const char           *host,
                                    const char           *user,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean  pf_keyring_clear_finish  (GAsyncResult         *result,
                                    GError              **error);

/* A libsecret failure (taken; NULL for libsecret 0.20's silent failure
 * after a dismissed unlock prompt) as PF_ERROR_KEYRING_LOCKED or
 * PF_ERROR_KEYRING_UNAVAILABLE; cancellation stays as it is. Shared with
 * the OAuth2 refresh-token items. */
GError   *pf_keyring_classify_error (GError *error);


G_END_DECLS
