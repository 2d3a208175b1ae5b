/* pf-error.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-error.h"

G_DEFINE_QUARK (pf-error-quark, pf_error)

void
pf_explanation_free (PfExplanation *explanation)
{
  if (explanation == NULL)
    return;
  g_free (explanation->title);
  g_free (explanation->what);
  g_free (explanation->next);
  g_free (explanation);
}

/* The full table of explanations replaces this generic fallback. */
PfExplanation *
pf_error_explain (const GError *error)
{
  PfExplanation *explanation = g_new0 (PfExplanation, 1);

  explanation->title = g_strdup ("Something went wrong");
  explanation->what = g_strdup (error != NULL ? error->message : "");
  explanation->next = g_strdup ("");
  return explanation;
}
