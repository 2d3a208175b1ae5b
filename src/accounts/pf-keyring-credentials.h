/* pf-keyring-credentials.h — the password of a saved account, from the keyring
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "pf-credentials.h"

G_BEGIN_DECLS

#define PF_TYPE_KEYRING_CREDENTIALS (pf_keyring_credentials_get_type ())

G_DECLARE_FINAL_TYPE (PfKeyringCredentials, pf_keyring_credentials,
                      PF, KEYRING_CREDENTIALS, GObject)

/* PfCredentials that look the password of (@host, @user) up in the keyring
 * each time they are asked (pf_keyring_lookup_async), so a password the
 * user changed meanwhile is the one used. Fails as that lookup does:
 * PF_ERROR_NO_PASSWORD, PF_ERROR_KEYRING_UNAVAILABLE, PF_ERROR_KEYRING_LOCKED. */
PfCredentials *pf_keyring_credentials_new (const char *host,
                                           const char *user);

G_END_DECLS
