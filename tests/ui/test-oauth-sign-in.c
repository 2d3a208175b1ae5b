/* test-oauth-sign-in.c — the sign-in offers' rules, in process
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-diagnosis-view.h"
#include "pf-oauth-sign-in.h"
#include "pf-oauth2.h"
#include "pf-provider.h"

static gboolean have_display;

/* Only a provider that takes neither a password nor an app password for
 * POP3 makes a typed password useless. */
static void
test_provider_needs_oauth2 (void)
{
  g_assert_true (pf_oauth_sign_in_provider_needs_oauth2 (pf_provider_lookup_id ("outlook")));
  g_assert_true (pf_oauth_sign_in_provider_needs_oauth2 (pf_provider_lookup_id ("microsoft365")));
  g_assert_false (pf_oauth_sign_in_provider_needs_oauth2 (pf_provider_lookup_id ("gmail")));
  g_assert_false (pf_oauth_sign_in_provider_needs_oauth2 (NULL));
}

/* An OAuth2 failure is one of signing in. */
static void
test_oauth2_error_step (void)
{
  g_autoptr(GError) error = g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_SIGN_IN_AGAIN, "x");

  g_assert_cmpint (pf_gui_step_for_error (error), ==, PF_STEP_LOGIN);
  g_assert_true (pf_oauth_sign_in_error_needs_sign_in (error));
  g_clear_error (&error);
  error = g_error_new_literal (PF_OAUTH2_ERROR, PF_OAUTH2_ERROR_CONSENT_REFUSED, "x");
  g_assert_false (pf_oauth_sign_in_error_needs_sign_in (error));
}

/* Detection found the provider of a company domain by its MX: taken only
 * when it signs in with OAuth2 alone, and forgotten with the address. */
static void
test_offer_detected_provider (void)
{
  GtkWidget *sign_in;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  sign_in = g_object_ref_sink (pf_oauth_sign_in_new ());
  pf_oauth_sign_in_set_address (PF_OAUTH_SIGN_IN (sign_in), "jo@company.example");
  g_assert_false (pf_oauth_sign_in_get_replaces_password (PF_OAUTH_SIGN_IN (sign_in)));
  g_assert_false (pf_oauth_sign_in_offer_provider (PF_OAUTH_SIGN_IN (sign_in),
                                                   pf_provider_lookup_id ("google-workspace")));
  g_assert_true (pf_oauth_sign_in_offer_provider (PF_OAUTH_SIGN_IN (sign_in),
                                                  pf_provider_lookup_id ("microsoft365")));
  /* This build has no Microsoft client id: the password field stays,
   * next to the message that says so. */
  g_assert_false (pf_oauth_sign_in_get_replaces_password (PF_OAUTH_SIGN_IN (sign_in)));
  g_assert_false (pf_oauth_sign_in_get_busy (PF_OAUTH_SIGN_IN (sign_in)));
  g_object_unref (sign_in);
}

int
main (int   argc,
      char *argv[])
{
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/ui/oauth/pure/provider-needs-oauth2", test_provider_needs_oauth2);
  g_test_add_func ("/ui/oauth/pure/error-step", test_oauth2_error_step);
  g_test_add_func ("/ui/oauth/offer-detected-provider", test_offer_detected_provider);

  return g_test_run ();
}
