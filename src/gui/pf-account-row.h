/* pf-account-row.h — one account in the main list
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account-status.h"
#include "pf-scheduler.h"

G_BEGIN_DECLS

#define PF_TYPE_ACCOUNT_ROW (pf_account_row_get_type ())

G_DECLARE_FINAL_TYPE (PfAccountRow, pf_account_row, PF, ACCOUNT_ROW, GtkListBoxRow)

GtkWidget       *pf_account_row_new        (PfAccountStatus *status,
                                            PfScheduler     *scheduler);
PfAccountStatus *pf_account_row_get_status (PfAccountRow    *self);

G_END_DECLS
