/* pf-diagnosis-view.h — what failed, why, and what to try
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* The steps of a login, in order; a failure is shown on one of them. */
typedef enum
{
  PF_STEP_RESOLVE,   /* find the server */
  PF_STEP_CONNECT,   /* connect */
  PF_STEP_SECURE,    /* TLS or STLS, certificate */
  PF_STEP_LOGIN,     /* authenticate */
  PF_STEP_MAILBOX,   /* open the mailbox, fetch */
  PF_STEP_SAVE,      /* write into the Maildir */
  PF_STEP_N
} PfStep;

/* The field the user should change to fix an error. */
typedef enum
{
  PF_FIX_NONE,
  PF_FIX_PASSWORD,
  PF_FIX_USER,
  PF_FIX_HOST,
  PF_FIX_PORT,
  PF_FIX_SECURITY,
  PF_FIX_MECHANISM,
} PfFixField;

#define PF_TYPE_DIAGNOSIS_VIEW (pf_diagnosis_view_get_type ())

G_DECLARE_FINAL_TYPE (PfDiagnosisView, pf_diagnosis_view, PF, DIAGNOSIS_VIEW, GtkBox)

GtkWidget  *pf_diagnosis_view_new        (void);
/* @transcript: the redacted transcript, or NULL. */
void        pf_diagnosis_view_set_error  (PfDiagnosisView *self,
                                          const GError    *error,
                                          const char      *transcript);
/* Shows @widget (the field to fix and its button) right under the advice. */
void        pf_diagnosis_view_set_fix_widget (PfDiagnosisView *self,
                                              GtkWidget       *widget);
/* The plain-text report Copy Report puts on the clipboard. */
char       *pf_diagnosis_view_dup_report (PfDiagnosisView *self);

/* Pure: where an error happened and which field fixes it. */
PfStep      pf_gui_step_for_error  (const GError    *error);
PfFixField  pf_gui_fix_for_error   (const GError    *error);
const char *pf_step_get_title            (PfStep           step);

G_END_DECLS
