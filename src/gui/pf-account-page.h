/* pf-account-page.h — one account: status, newest messages, actions
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account-status.h"

G_BEGIN_DECLS

#define PF_TYPE_ACCOUNT_PAGE (pf_account_page_get_type ())

G_DECLARE_FINAL_TYPE (PfAccountPage, pf_account_page, PF, ACCOUNT_PAGE, GtkBox)

/* Signals: "go-back", "edit-account" (gboolean focus_password). */
void             pf_account_page_set_status      (PfAccountPage   *self,
                                                  PfAccountStatus *status);
PfAccountStatus *pf_account_page_get_status      (PfAccountPage   *self);
/* Re-read the newest messages from the Maildir. */
void             pf_account_page_reload_messages (PfAccountPage   *self);

G_END_DECLS
