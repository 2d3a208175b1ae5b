/* pf-application.h
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-scheduler.h"

G_BEGIN_DECLS

#define PF_TYPE_APPLICATION (pf_application_get_type ())

G_DECLARE_FINAL_TYPE (PfApplication, pf_application, PF, APPLICATION, AdwApplication)

PfApplication *pf_application_new          (void);
/* NULL when the schema is not installed (an uninstalled build). */
GSettings     *pf_application_get_settings  (PfApplication *self);
/* The accounts and their fetches, with or without a window. */
PfScheduler   *pf_application_get_scheduler (PfApplication *self);

G_END_DECLS
