/* pf-setup-detect-page.h — the setup window's page while detection runs
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-detector.h"

G_BEGIN_DECLS

#define PF_TYPE_SETUP_DETECT_PAGE (pf_setup_detect_page_get_type ())

G_DECLARE_FINAL_TYPE (PfSetupDetectPage, pf_setup_detect_page, PF, SETUP_DETECT_PAGE, AdwBin)

/* Shows the progress of @detector from now on, a row for each lookup and
 * probe, in place of what an earlier run showed. @domain is the domain of
 * the address being looked up. Signal "cancel": the user wants to stop. */
void pf_setup_detect_page_follow (PfSetupDetectPage *self,
                                  PfDetector        *detector,
                                  const char        *domain);

G_END_DECLS
