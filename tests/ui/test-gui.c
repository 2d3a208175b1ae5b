/* test-gui.c — the app's pure parts, GMime decoding, and where the focus goes
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "pf-account-page.h"
#include "pf-account-status.h"
#include "pf-account-window.h"
#include "pf-certificate-view.h"
#include "pf-detect-row.h"
#include "pf-diagnosis-view.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-index.h"
#include "pf-message-view.h"
#include "pf-preferences-window.h"
#include "pf-probe-row.h"
#include "pf-setup-choice-page.h"
#include "pf-setup-window.h"
#include "pf-test-server.h"
#include "pf-test-util.h"

static gboolean have_display;

static void
test_step_for_error (void)
{
  struct { GQuark domain; int code; PfStep step; PfFixField fix; } cases[] = {
    { PF_ERROR, PF_ERROR_RESOLVE, PF_STEP_RESOLVE, PF_FIX_HOST },
    { PF_ERROR, PF_ERROR_REFUSED, PF_STEP_CONNECT, PF_FIX_PORT },
    { PF_ERROR, PF_ERROR_TIMEOUT, PF_STEP_CONNECT, PF_FIX_PORT },
    { PF_ERROR, PF_ERROR_CERT_EXPIRED, PF_STEP_SECURE, PF_FIX_NONE },
    { PF_ERROR, PF_ERROR_STLS_UNAVAILABLE, PF_STEP_SECURE, PF_FIX_SECURITY },
    { PF_ERROR, PF_ERROR_AUTH_REJECTED, PF_STEP_LOGIN, PF_FIX_PASSWORD },
    { PF_ERROR, PF_ERROR_NO_COMMON_MECHANISM, PF_STEP_LOGIN, PF_FIX_MECHANISM },
    { PF_ERROR, PF_ERROR_IN_USE, PF_STEP_MAILBOX, PF_FIX_NONE },
    { PF_ERROR, PF_ERROR_LOCAL_DISK, PF_STEP_SAVE, PF_FIX_NONE },
    { G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, PF_STEP_RESOLVE, PF_FIX_HOST },
    { G_IO_ERROR, G_IO_ERROR_NO_SPACE, PF_STEP_SAVE, PF_FIX_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");

      g_assert_cmpint (pf_gui_step_for_error (error), ==, cases[i].step);
      g_assert_cmpint (pf_gui_fix_for_error (error), ==, cases[i].fix);
    }
}

static void
test_certificate_errors_in_words (void)
{
  g_auto(GStrv) none = pf_certificate_describe_errors (0);
  g_auto(GStrv) two = pf_certificate_describe_errors (G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA);

  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (g_strv_length (two), ==, 2);
  g_assert_cmpstr (two[0], ==, "It is not signed by an authority this computer trusts (it may be self-signed).");
  g_assert_cmpstr (two[1], ==, "It has expired.");
}

static void
test_progress_text (void)
{
  g_autofree char *with_rate = pf_account_status_format_progress (3, 10, 1200000, 300000);
  g_autofree char *without = pf_account_status_format_progress (1, 0, 999, 0);

  g_assert_cmpstr (with_rate, ==, "3 of 10 messages · 1.2\u00a0MB · 300.0\u00a0kB/s");
  g_assert_cmpstr (without, ==, "1 message · 999 bytes");
}

static void
test_summary_text (void)
{
  g_autoptr(GDateTime) fetched = g_date_time_new_local (2026, 11, 27, 10, 4, 5);
  g_autoptr(GDateTime) same_day = g_date_time_new_local (2026, 11, 27, 23, 0, 0);
  g_autoptr(GDateTime) next_day = g_date_time_new_local (2026, 11, 28, 8, 0, 0);
  g_autofree char *today = pf_account_status_format_summary (fetched, 3, FALSE, same_day);
  g_autofree char *earlier = pf_account_status_format_summary (fetched, 1, FALSE, next_day);
  g_autofree char *none = pf_account_status_format_summary (fetched, 0, FALSE, same_day);
  g_autofree char *never = pf_account_status_format_summary (NULL, 0, FALSE, same_day);
  g_autofree char *failed = pf_account_status_format_summary (fetched, 3, TRUE, same_day);

  g_assert_cmpstr (today, ==, "Fetched 3 messages at 10:04:05");
  g_assert_cmpstr (earlier, ==, "Fetched 1 message at 11/27/26 10:04:05");
  g_assert_cmpstr (none, ==, "No new mail at 10:04:05");
  g_assert_cmpstr (never, ==, "Not fetched yet");
  g_assert_cmpstr (failed, ==, "The last fetch failed");
}

static void
test_cancelled_text (void)
{
  g_autoptr(GDateTime) cancelled = g_date_time_new_local (2026, 11, 27, 10, 4, 5);
  g_autoptr(GDateTime) same_day = g_date_time_new_local (2026, 11, 27, 23, 0, 0);
  g_autoptr(GDateTime) next_day = g_date_time_new_local (2026, 11, 28, 8, 0, 0);
  g_autofree char *nothing = pf_account_status_format_cancelled (cancelled, 0, same_day);
  g_autofree char *one = pf_account_status_format_cancelled (cancelled, 1, same_day);
  g_autofree char *earlier = pf_account_status_format_cancelled (cancelled, 40, next_day);

  g_assert_cmpstr (nothing, ==, "Fetch cancelled at 10:04:05");
  g_assert_cmpstr (one, ==, "Fetch cancelled at 10:04:05; 1 message saved");
  g_assert_cmpstr (earlier, ==, "Fetch cancelled at 11/27/26 10:04:05; 40 messages saved");
}

static void
test_too_large_text (void)
{
  g_autofree char *one = pf_account_status_format_too_large ("Fetched 3 messages at 10:04:05", 1);
  g_autofree char *two = pf_account_status_format_too_large ("No new mail at 10:04:05", 2);

  g_assert_cmpstr (one, ==, "Fetched 3 messages at 10:04:05 · 1 message over the size limit left on the server");
  g_assert_cmpstr (two, ==, "No new mail at 10:04:05 · 2 messages over the size limit left on the server");
}

static void
test_choices (void)
{
  g_assert_cmpuint (pf_preferences_interval_to_index (0), ==, 0);
  g_assert_cmpuint (pf_preferences_interval_to_index (15), ==, 2);
  g_assert_cmpuint (pf_preferences_interval_to_index (20), ==, 2);
  g_assert_cmpuint (pf_preferences_index_to_interval (4), ==, 60);
  g_assert_cmpuint (pf_preferences_index_to_interval (99), ==, 0);
  g_assert_cmpuint (pf_account_window_bytes_to_mb (0), ==, 0);
  g_assert_cmpuint (pf_account_window_bytes_to_mb (1), ==, 1);
  g_assert_cmpuint (pf_account_window_mb_to_bytes (5), ==, 5000000);
}

static void
write_message (const char *dir,
               const char *name,
               const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
test_message_headers_decoded (void)
{
  g_autofree char *root = g_dir_make_tmp ("popfetch-test-decoded-XXXXXX", NULL);
  g_autofree char *maildir = g_build_filename (root, "Mail", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  g_autofree char *index_path = g_build_filename (root, "index.sqlite", NULL);
  g_autoptr(PfIndex) index = pf_index_new (index_path, maildir);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(PfIndexMessage) first = NULL;
  g_autoptr(PfIndexMessage) second = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *source = NULL;

  g_assert_cmpint (g_mkdir_with_parents (new_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cur_dir, 0700), ==, 0);
  write_message (new_dir, "1.a,S=1",
                 "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.org>\n"
                 "Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4=?=\n"
                 "Date: Tue, 24 Nov 2026 09:15:00 +0100\n"
                 "Content-Type: text/plain; charset=UTF-8\n"
                 "\n"
                 "Viele Grüße\n");
  write_message (cur_dir, "2.b,S=1:2,S",
                 "From: Alice <alice@example.org>\n"
                 "Subject: folded\n subject\x1b[31m\n"
                 "Date: Wed, 25 Nov 2026 16:40:00 +0000\n"
                 "\n"
                 "body\n");

  /* A Maildir the index has not seen yet is an empty list. */
  ids = pf_index_query (index, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 0);
  g_clear_pointer (&ids, g_array_unref);

  g_assert_true (pf_index_update (index, TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
  ids = pf_index_query (index, NULL, FALSE, NULL, &error);
  g_assert_cmpuint (ids->len, ==, 2);

  /* Newest first by Date; words decoded; control characters gone. */
  first = pf_index_get_message (index, g_array_index (ids, gint64, 0));
  second = pf_index_get_message (index, g_array_index (ids, gint64, 1));
  g_assert_true (g_str_has_prefix (pf_index_message_get_subject (first), "folded subject"));
  g_assert_null (strchr (pf_index_message_get_subject (first), '\x1b'));
  g_assert_cmpstr (pf_index_message_get_from (second), ==, "Jürgen Müller <juergen@example.org>");
  g_assert_cmpstr (pf_index_message_get_subject (second), ==, "Grüße aus Köln");

  g_assert_true (pf_message_view_read (pf_index_message_get_path (second), &text, &attachments, &source, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Viele Grüße"));

  g_unlink (pf_index_message_get_path (first));
  g_unlink (pf_index_message_get_path (second));
  g_clear_object (&index);
  for (const char *const *f = (const char *const[]) { "index.sqlite", "index.sqlite-wal", "index.sqlite-shm",
                                                       "Mail/new", "Mail/cur", "Mail", NULL }; *f; f++)
    {
      g_autofree char *path = g_build_filename (root, *f, NULL);

      g_remove (path);
    }
  g_rmdir (root);
}

/* The message window's reading: the text part first, an HTML-only message
 * as safe text, attachments with name, type and decoded bytes, the raw
 * source without control characters. */
static void
test_message_view_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("popfetch-test-view-XXXXXX", NULL);
  g_autofree char *html_path = g_build_filename (dir, "html", NULL);
  g_autofree char *mixed_path = g_build_filename (dir, "mixed", NULL);
  g_autofree char *text = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GError) error = NULL;
  PfAttachment *a;

  write_message (dir, "html",
                 "From: Shop <shop@example.com>\n"
                 "Subject: Offer\n"
                 "Content-Type: text/html; charset=utf-8\n"
                 "\n"
                 "<html><head><script>steal()</script></head><body>"
                 "<p>Fish &amp; Chips</p><img src=\"https://tracker.example/p.gif\">"
                 "</body></html>\n");
  g_assert_true (pf_message_view_read (html_path, &text, &attachments, &source, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "Subject: Offer\n"));
  g_assert_nonnull (strstr (text, "Fish & Chips"));
  g_assert_null (strstr (text, "steal"));
  g_assert_null (strstr (text, "tracker.example"));
  g_assert_cmpuint (attachments->len, ==, 0);
  g_assert_nonnull (strstr (source, "<script>steal()</script>"));
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&source, g_free);
  g_clear_pointer (&attachments, g_ptr_array_unref);

  write_message (dir, "mixed",
                 "From: Anna <anna@example.org>\n"
                 "Subject: Figures\x1b[2J\n"
                 "MIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed; boundary=\"b\"\n"
                 "\n"
                 "--b\n"
                 "Content-Type: text/html; charset=utf-8\n"
                 "\n"
                 "<p>HTML version</p>\n"
                 "--b\n"
                 "Content-Type: text/plain; charset=utf-8\n"
                 "\n"
                 "Plain version.\n"
                 "--b\n"
                 "Content-Type: application/pdf; name=\"../../etc/report.pdf\"\n"
                 "Content-Disposition: attachment; filename=\"../../etc/report.pdf\"\n"
                 "Content-Transfer-Encoding: base64\n"
                 "\n"
                 "JVBERi0xLjQK\n"
                 "--b--\n");
  g_assert_true (pf_message_view_read (mixed_path, &text, &attachments, &source, &error));
  g_assert_no_error (error);
  /* The plain part first, even after an HTML one. */
  g_assert_nonnull (strstr (text, "Plain version."));
  g_assert_null (strstr (text, "HTML version"));
  g_assert_null (strchr (text, '\x1b'));
  g_assert_null (strchr (source, '\x1b'));
  g_assert_cmpuint (attachments->len, ==, 1);
  a = attachments->pdata[0];
  /* A name from the message never leaves the folder it is saved in. */
  g_assert_cmpstr (a->name, ==, "report.pdf");
  g_assert_cmpstr (a->type, ==, "application/pdf");
  g_assert_cmpuint (g_bytes_get_size (a->data), ==, 9);
  g_assert_cmpmem (g_bytes_get_data (a->data, NULL), 9, "%PDF-1.4\n", 9);

  g_unlink (html_path);
  g_unlink (mixed_path);
  g_rmdir (dir);
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_auth_focuses_password (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "accounts.ini", NULL);
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_AUTH_REJECTED, "-ERR [AUTH] Authentication failed.");
  PfSetupWindow *window;
  GtkWidget *focus;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  store = pf_account_store_new (path);
  window = pf_setup_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (window));
  run_for (200);

  pf_setup_window_show_error (window, error);
  run_for (300);

  focus = gtk_window_get_focus (GTK_WINDOW (window));
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, ADW_TYPE_PASSWORD_ENTRY_ROW));
  g_assert_nonnull (gtk_widget_get_ancestor (focus, PF_TYPE_DIAGNOSIS_VIEW));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The login-method row is fed from PfAuthMechanism, not from a list in a
 * .ui file: "automatic" first, then the password methods strongest first;
 * -PLUS (automatic picks it) and the OAuth2 methods are not offered. */
static void
test_mechanism_row_from_enum (void)
{
  static const PfAuthMechanism expected[] = {
    PF_AUTH_AUTO, PF_AUTH_SCRAM_SHA_256, PF_AUTH_SCRAM_SHA_1, PF_AUTH_CRAM_MD5,
    PF_AUTH_APOP, PF_AUTH_LOGIN, PF_AUTH_PLAIN, PF_AUTH_USER,
  };
  AdwComboRow *row;
  GListModel *model;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  row = ADW_COMBO_ROW (g_object_ref_sink (adw_combo_row_new ()));
  pf_gui_mechanism_row_init (row);
  model = adw_combo_row_get_model (row);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AdwEnumListItem) item = g_list_model_get_item (model, i);

      g_assert_cmpint (adw_enum_list_item_get_value (item), ==, expected[i]);
      pf_gui_combo_row_set_value (row, expected[i]);
      g_assert_cmpuint (adw_combo_row_get_selected (row), ==, i);
      g_assert_cmpint (pf_gui_combo_row_get_value (row), ==, expected[i]);
    }
  g_assert_cmpstr (pf_gui_mechanism_label (PF_AUTH_USER), ==, "USER/PASS");
  g_assert_cmpstr (pf_gui_mechanism_label (PF_AUTH_SCRAM_SHA_256), ==, "SCRAM-SHA-256");
  g_assert_false (pf_gui_mechanism_is_offered (PF_AUTH_XOAUTH2));
  g_object_unref (row);
}

static void
test_plaintext_needs_confirmation (void)
{
  AdwMessageDialog *dialog;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  /* Enter or Escape keep the encryption; only a deliberate click on the
   * destructive response sends the password readable. */
  dialog = pf_gui_plaintext_dialog_new (NULL);
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_true (adw_message_dialog_has_response (dialog, "plaintext"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "plaintext"), ==, ADW_RESPONSE_DESTRUCTIVE);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "readable"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

typedef struct
{
  AdwComboRow *row;
  int          calls;
  guint        taken;
} SecurityRecord;

static void
record_security_taken (gpointer user_data,
                       guint    security)
{
  SecurityRecord *record = user_data;

  record->calls++;
  record->taken = security;
}

static void
on_record_security_changed (SecurityRecord *record)
{
  pf_gui_security_row_changed (record->row, record_security_taken, record);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

/* Answers @dialog as a click would, and makes sure it is gone. */
static void
respond (AdwMessageDialog *dialog,
         const char       *response)
{
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

static const char *
security_test_label (int security)
{
  return pf_security_to_string (security);
}

/* @data: NULL for a row written as a string list (the setup window's),
 * else a row fed from PF_TYPE_SECURITY (the account window's). */
static void
test_security_row_confirms_plaintext (gconstpointer data)
{
  SecurityRecord record = { 0 };
  GtkWidget *window;
  AdwMessageDialog *dialog;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  window = gtk_window_new ();
  record.row = ADW_COMBO_ROW (adw_combo_row_new ());
  pf_gui_combo_row_set_enum (record.row, PF_TYPE_SECURITY, security_test_label);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (record.row));
  g_signal_connect_swapped (record.row, "notify::selected", G_CALLBACK (on_record_security_changed), &record);

  /* The account's own setting is shown, not chosen: nothing taken, even
   * for "none", and no question. */
  pf_gui_security_row_set (record.row, PF_SECURITY_NONE);
  pf_gui_security_row_set (record.row, PF_SECURITY_TLS);
  g_assert_cmpint (record.calls, ==, 0);
  g_assert_null (find_message_dialog ());

  /* An encrypted choice is taken at once. */
  adw_combo_row_set_selected (record.row, PF_SECURITY_STARTTLS);
  g_assert_cmpint (record.calls, ==, 1);
  g_assert_cmpuint (record.taken, ==, PF_SECURITY_STARTTLS);

  /* "None" asks first; declining puts STARTTLS back, nothing taken. */
  adw_combo_row_set_selected (record.row, PF_SECURITY_NONE);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpint (record.calls, ==, 1);
  respond (dialog, "cancel");
  g_assert_cmpuint (adw_combo_row_get_selected (record.row), ==, PF_SECURITY_STARTTLS);
  g_assert_cmpint (record.calls, ==, 1);

  /* Confirmed, "none" is taken and stays. */
  adw_combo_row_set_selected (record.row, PF_SECURITY_NONE);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  respond (dialog, "plaintext");
  g_assert_cmpint (record.calls, ==, 2);
  g_assert_cmpuint (record.taken, ==, PF_SECURITY_NONE);
  g_assert_cmpuint (adw_combo_row_get_selected (record.row), ==, PF_SECURITY_NONE);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The first descendant of @widget (or @widget itself) of @type. */
static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The descendant of @widget that is a GtkLabel showing @text. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The image a row shows (rows hold hidden ones of their own). */
static GtkWidget *
find_shown_image (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_IMAGE (widget) && gtk_image_get_storage_type (GTK_IMAGE (widget)) != GTK_IMAGE_EMPTY)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_shown_image (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
count_notify (int *count)
{
  (*count)++;
}

static void
test_probe_row (void)
{
  g_autoptr(PfProbe) pending = pf_probe_new ("pop.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 0);
  g_autoptr(PfProbe) refused = pf_probe_new ("mail.example.org", 110, PF_SECURITY_STARTTLS, PF_PROBE_SOURCE_GUESS, 1);
  g_autoptr(PfPop3Client) client = pf_pop3_client_new ("mail.example.org", 110, PF_SECURITY_STARTTLS);
  g_autoptr(GError) no_stls = g_error_new_literal (PF_ERROR, PF_ERROR_STLS_UNAVAILABLE, "x");
  GtkWidget *box, *first, *second, *check;
  int notified = 0;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  pf_probe_complete (refused, client, no_stls, NULL);

  box = gtk_list_box_new ();
  g_object_ref_sink (box);
  first = pf_probe_row_new (pending);
  second = pf_probe_row_new (refused);
  gtk_list_box_append (GTK_LIST_BOX (box), first);
  gtk_list_box_append (GTK_LIST_BOX (box), second);
  pf_probe_row_set_group (PF_PROBE_ROW (second), PF_PROBE_ROW (first));

  /* The server as the title, the verdict in words on the badge, styled. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (first)), ==, "pop.example.org, port 995, TLS");
  g_assert_cmpstr (pf_probe_row_get_verdict_text (PF_PROBE_ROW (first)), ==, "Checking…");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (second)), ==, "mail.example.org, port 110, STARTTLS");
  g_assert_cmpstr (pf_probe_row_get_verdict_text (PF_PROBE_ROW (second)), ==, "Encryption refused by the server");
  g_assert_true (gtk_widget_has_css_class (find_label (second, "Encryption refused by the server"), "error"));
  g_assert_true (pf_probe_row_get_probe (PF_PROBE_ROW (second)) == refused);

  /* The check is the row's activatable widget, named by the title (not
   * a name of its own that a screen reader would read out as well). */
  check = adw_action_row_get_activatable_widget (ADW_ACTION_ROW (second));
  g_assert_true (GTK_IS_CHECK_BUTTON (check));
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_assert_true (gtk_test_accessible_has_relation (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_RELATION_LABELLED_BY));

  /* One choice in the group; "active" follows the check, each change once. */
  g_signal_connect_swapped (first, "notify::active", G_CALLBACK (count_notify), &notified);
  pf_probe_row_set_active (PF_PROBE_ROW (first), TRUE);
  g_assert_cmpint (notified, ==, 1);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_assert_true (pf_probe_row_get_active (PF_PROBE_ROW (second)));
  g_assert_false (pf_probe_row_get_active (PF_PROBE_ROW (first)));
  g_assert_cmpint (notified, ==, 2);

  g_object_unref (box);
}

static void
test_detect_row (void)
{
  g_autoptr(PfLookup) found = pf_lookup_new (PF_LOOKUP_SRV, "_pop3s._tcp.example.org", FALSE);
  g_autoptr(PfLookup) empty = pf_lookup_new (PF_LOOKUP_MX, "example.org", FALSE);
  g_autoptr(PfProbe) probe = pf_probe_new ("pop.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 0);
  g_autoptr(GError) refused = g_error_new_literal (PF_ERROR, PF_ERROR_REFUSED, "x");
  g_autoptr(PfExplanation) explanation = pf_error_explain (refused);
  g_autofree char *refused_text = g_strdup_printf ("Not reachable: %s", explanation->title);
  GtkWidget *box, *found_row, *empty_row, *probe_row, *icon;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  box = gtk_list_box_new ();
  g_object_ref_sink (box);
  found_row = pf_detect_row_new_for_lookup (found);
  empty_row = pf_detect_row_new_for_lookup (empty);
  probe_row = pf_detect_row_new_for_probe (probe);
  gtk_list_box_append (GTK_LIST_BOX (box), found_row);
  gtk_list_box_append (GTK_LIST_BOX (box), empty_row);
  gtk_list_box_append (GTK_LIST_BOX (box), probe_row);

  /* While running: what is asked, and a named spinner. */
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (found_row)), ==, "DNS service records (SRV)");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (found_row)), ==, "_pop3s._tcp.example.org");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (probe_row)), ==, "pop.example.org, port 995, TLS");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (probe_row)), ==, "Connecting…");
  g_assert_true (gtk_widget_get_visible (find_widget (probe_row, GTK_TYPE_SPINNER)));
  gtk_test_accessible_assert_property (find_widget (probe_row, GTK_TYPE_SPINNER), GTK_ACCESSIBLE_PROPERTY_LABEL, "Working");
  g_assert_true (pf_detect_row_get_subject (PF_DETECT_ROW (probe_row)) == G_OBJECT (probe));

  /* Finished: an icon named by the result in place of the spinner. */
  pf_lookup_add_host (found, "pop.example.org");
  pf_lookup_add_host (found, "mail.example.org");
  pf_lookup_finish (found, NULL);
  pf_detect_row_show_result (PF_DETECT_ROW (found_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (found_row)), ==, "Found pop.example.org, mail.example.org");
  g_assert_false (gtk_widget_get_visible (find_widget (found_row, GTK_TYPE_SPINNER)));
  icon = find_shown_image (found_row);
  g_assert_nonnull (icon);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, "emblem-ok-symbolic");
  gtk_test_accessible_assert_property (icon, GTK_ACCESSIBLE_PROPERTY_LABEL, "Found pop.example.org, mail.example.org");

  pf_lookup_finish (empty, NULL);
  pf_detect_row_show_result (PF_DETECT_ROW (empty_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (empty_row)), ==, "Nothing found");

  pf_probe_fail (probe, refused);
  pf_detect_row_show_result (PF_DETECT_ROW (probe_row));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (probe_row)), ==, refused_text);
  icon = find_shown_image (probe_row);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, "action-unavailable-symbolic");
  gtk_test_accessible_assert_property (icon, GTK_ACCESSIBLE_PROPERTY_LABEL, refused_text);

  g_object_unref (box);
}

static void
record_chosen (PfSetupChoicePage *page,
               PfProbe           *probe,
               GPtrArray         *chosen)
{
  g_ptr_array_add (chosen, g_object_ref (probe));
}

static PfProbeRow *
first_probe_row (GtkWidget *widget)
{
  return PF_PROBE_ROW (find_widget (widget, PF_TYPE_PROBE_ROW));
}

static void
test_choice_page (void)
{
  g_autoptr(PfTestServer) server = pf_test_server_new (PF_TEST_SERVER_PLAIN);
  g_autoptr(PfProbe) untrusted = pf_probe_new ("pop.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 0);
  g_autoptr(PfProbe) plain = NULL;
  g_autoptr(PfProbe) failed = pf_probe_new ("mail.example.org", 995, PF_SECURITY_TLS, PF_PROBE_SOURCE_GUESS, 2);
  g_autoptr(GError) cert_error = g_error_new_literal (PF_ERROR, PF_ERROR_CERT_UNTRUSTED, "x");
  g_autoptr(GError) refused = g_error_new_literal (PF_ERROR, PF_ERROR_REFUSED, "x");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) probes = g_ptr_array_new ();
  PfPop3Client *client;
  GtkWidget *window, *page, *recommended_list, *others_list;
  PfProbeRow *recommended_row, *plain_row;
  AdwMessageDialog *dialog;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  /* A plaintext verdict needs a server that answered without TLS. */
  pf_test_server_add_script (server, "S: +OK POP3 ready\nC: CAPA\nS: +OK\nS: USER\nS: .\nC: *\n");
  plain = pf_probe_new ("127.0.0.1", pf_test_server_get_port (server), PF_SECURITY_NONE, PF_PROBE_SOURCE_GUESS, 1);
  client = pf_pop3_client_new ("127.0.0.1", pf_test_server_get_port (server), PF_SECURITY_NONE);
  g_assert_true (pf_test_pop3_connect (client, 10, &error));
  g_assert_no_error (error);
  pf_probe_complete (plain, client, NULL, NULL);
  pf_test_pop3_drop (client, 10);
  g_assert_cmpint (pf_probe_get_verdict (plain), ==, PF_PROBE_VERDICT_PLAINTEXT);

  client = pf_pop3_client_new ("pop.example.org", 995, PF_SECURITY_TLS);
  pf_probe_complete (untrusted, client, cert_error, NULL);
  g_object_unref (client);
  g_assert_cmpint (pf_probe_get_verdict (untrusted), ==, PF_PROBE_VERDICT_CERT_INVALID);
  pf_probe_fail (failed, refused);

  g_ptr_array_add (probes, untrusted);
  g_ptr_array_add (probes, plain);
  g_ptr_array_add (probes, failed);

  window = gtk_window_new ();
  page = g_object_new (PF_TYPE_SETUP_CHOICE_PAGE, NULL);
  gtk_window_set_child (GTK_WINDOW (window), page);
  g_signal_connect (page, "chosen", G_CALLBACK (record_chosen), chosen);

  /* The recommended server is chosen from the start; the other usable
   * one is offered below it; the one that failed is not offered. */
  pf_setup_choice_page_show (PF_SETUP_CHOICE_PAGE (page), untrusted, probes);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_true (g_ptr_array_index (chosen, 0) == untrusted);
  recommended_row = first_probe_row (page);
  g_assert_true (pf_probe_row_get_probe (recommended_row) == untrusted);
  g_assert_true (pf_probe_row_get_active (recommended_row));
  recommended_list = gtk_widget_get_parent (GTK_WIDGET (recommended_row));
  others_list = gtk_widget_get_next_sibling (gtk_widget_get_ancestor (recommended_list, ADW_TYPE_PREFERENCES_GROUP));
  g_assert_true (gtk_widget_get_visible (others_list));
  plain_row = first_probe_row (others_list);
  g_assert_true (pf_probe_row_get_probe (plain_row) == plain);
  g_assert_cmpstr (pf_probe_row_get_verdict_text (plain_row), ==, "Not encrypted: the password would be readable");
  g_assert_null (gtk_widget_get_next_sibling (GTK_WIDGET (plain_row)));

  /* Plaintext asks first; declining puts the earlier choice back. */
  pf_probe_row_set_active (plain_row, TRUE);
  g_assert_false (pf_probe_row_get_active (recommended_row));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpuint (chosen->len, ==, 1);
  respond (dialog, "cancel");
  g_assert_true (pf_probe_row_get_active (recommended_row));
  g_assert_false (pf_probe_row_get_active (plain_row));
  g_assert_true (g_ptr_array_index (chosen, chosen->len - 1) == untrusted);

  /* Confirmed, the plaintext server is the choice. */
  pf_probe_row_set_active (plain_row, TRUE);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  respond (dialog, "plaintext");
  g_assert_true (g_ptr_array_index (chosen, chosen->len - 1) == plain);
  g_assert_true (pf_probe_row_get_active (plain_row));

  /* Nothing secure found: a row says so, nothing is chosen for the user. */
  g_ptr_array_set_size (chosen, 0);
  g_ptr_array_remove_index (probes, 0);
  pf_setup_choice_page_show (PF_SETUP_CHOICE_PAGE (page), NULL, probes);
  g_assert_cmpuint (chosen->len, ==, 0);
  g_assert_nonnull (find_label (page, "No secure server found"));
  plain_row = first_probe_row (page);
  g_assert_true (pf_probe_row_get_probe (plain_row) == plain);
  g_assert_false (pf_probe_row_get_active (plain_row));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_message_rows_bound (void)
{
  g_autofree char *maildir = g_dir_make_tmp ("popfetch-test-rows-XXXXXX", NULL);
  g_autofree char *new_dir = g_build_filename (maildir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (maildir, "cur", NULL);
  const char *files[] = { "new/1.a,S=1", "new/2.b,S=1", "cur/3.c,S=1:2,S", "new", "cur", "" };
  g_autoptr(PfAccount) account = pf_account_new ("Rows");
  g_autoptr(PfAccountStatus) status = NULL;
  GtkWidget *page, *list;
  GListModel *model;
  PfIndexMessage *message = NULL;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  g_assert_nonnull (maildir);
  g_assert_cmpint (g_mkdir_with_parents (new_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cur_dir, 0700), ==, 0);
  write_message (new_dir, "1.a,S=1",
                 "From: Alice <alice@example.org>\n"
                 "Subject: Minutes\n"
                 "Date: Wed, 25 Nov 2026 16:40:00 +0000\n"
                 "\n"
                 "body\n");
  write_message (new_dir, "2.b,S=1",
                 "From: Bob <bob@example.org>\n"
                 "Date: Tue, 24 Nov 2026 09:15:00 +0000\n"
                 "\n"
                 "no subject here\n");
  pf_account_set_address (account, "rows@example.org");
  pf_account_set_maildir (account, maildir);
  status = pf_account_status_new (account);

  page = g_object_new (PF_TYPE_ACCOUNT_PAGE, NULL);
  g_object_ref_sink (page);
  pf_account_page_set_status (PF_ACCOUNT_PAGE (page), status);

  /* The rows come from the mail index, brought up to date in a thread:
   * one item per message, newest first, in a GtkListView. */
  list = find_widget (page, GTK_TYPE_LIST_VIEW);
  g_assert_nonnull (list);
  model = G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)));
  for (guint i = 0; i < 200 && g_list_model_get_n_items (model) < 2; i++)
    run_for (20);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  message = g_list_model_get_item (model, 0);
  g_assert_cmpstr (pf_index_message_get_subject (message), ==, "Minutes");
  g_assert_cmpstr (pf_index_message_get_from (message), ==, "Alice <alice@example.org>");
  g_assert_true (pf_index_message_get_unread (message));
  g_clear_object (&message);
  message = g_list_model_get_item (model, 1);
  g_assert_cmpstr (pf_index_message_get_subject (message), ==, "");
  g_clear_object (&message);

  /* A reload after new mail shows the new list. */
  write_message (cur_dir, "3.c,S=1:2,S",
                 "From: Carol <carol@example.org>\n"
                 "Subject: Newest\n"
                 "Date: Thu, 26 Nov 2026 08:00:00 +0000\n"
                 "\n"
                 "body\n");
  pf_account_page_reload_messages (PF_ACCOUNT_PAGE (page));
  for (guint i = 0; i < 200 && g_list_model_get_n_items (model) < 3; i++)
    run_for (20);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  message = g_list_model_get_item (model, 0);
  g_assert_cmpstr (pf_index_message_get_subject (message), ==, "Newest");
  g_assert_false (pf_index_message_get_unread (message));
  g_clear_object (&message);

  g_object_unref (page);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (maildir, files[i], NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
}

/* The window's content: the frame around it (decorations, shadows) is
 * the window manager's and the theme's, not the layout's. */
static int
min_width (GtkWidget *widget)
{
  int minimum = 0, natural = 0;

  if (ADW_IS_WINDOW (widget))
    widget = adw_window_get_content (ADW_WINDOW (widget));

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  return minimum;
}

static void
test_fits_phone_width (void)
{
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "accounts.ini", NULL);
  g_autoptr(PfAccountStore) store = NULL;
  g_autoptr(PfAccount) account = NULL;
  g_autoptr(GError) error = g_error_new_literal (PF_ERROR, PF_ERROR_CERT_HOST, "x");
  PfSetupWindow *setup;
  PfAccountWindow *editor;
  GtkWidget *page;

  if (!pf_test_require (have_display, "REQUIRE_DISPLAY", "no display"))
    return;

  store = pf_account_store_new (path);
  account = pf_account_new ("A rather long account name for a phone");
  pf_account_set_address (account, "someone.with.a.long.name@example.org");
  pf_account_set_host (account, "pop.example.org");
  pf_account_set_user (account, "someone.with.a.long.name@example.org");

  /* Every page of the setup window, the account page and the account
   * settings fit a 360 px wide phone screen. */
  setup = pf_setup_window_new (NULL, store);
  gtk_window_present (GTK_WINDOW (setup));
  run_for (100);
  g_assert_cmpint (min_width (GTK_WIDGET (setup)), <=, 360);
  pf_setup_window_show_error (setup, error);
  run_for (100);
  g_assert_cmpint (min_width (GTK_WIDGET (setup)), <=, 360);
  gtk_window_destroy (GTK_WINDOW (setup));

  editor = pf_account_window_new (NULL, store, account);
  gtk_window_present (GTK_WINDOW (editor));
  run_for (100);
  g_assert_cmpint (min_width (GTK_WIDGET (editor)), <=, 360);
  gtk_window_destroy (GTK_WINDOW (editor));

  page = g_object_new (PF_TYPE_ACCOUNT_PAGE, NULL);
  g_object_ref_sink (page);
  {
    g_autoptr(PfAccountStatus) status = pf_account_status_new (account);

    pf_account_page_set_status (PF_ACCOUNT_PAGE (page), status);
    g_assert_cmpint (min_width (page), <=, 360);
  }
  g_object_unref (page);
}

/* Under Xvfb without the image loaders' cache in the isolated dirs, GTK
 * may fail to load a theme icon; that says nothing about the layout. */
static gboolean
ignore_icon_warnings (const char     *log_domain,
                      GLogLevelFlags  log_level,
                      const char     *message,
                      gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "Gtk") == 0 && strstr (message, "Failed to load icon") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* GTK reads its settings schemas from the system data directories,
   * which G_TEST_OPTION_ISOLATE_DIRS hides: start it first. */
  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_log_set_fatal_handler (ignore_icon_warnings, NULL);
  /* Criticals stay fatal; GTK's structured warnings about theme icons
   * do not pass through the handler above. */
  g_log_set_always_fatal (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL);

  g_test_add_func ("/ui/pure/step-and-field-for-error", test_step_for_error);
  g_test_add_func ("/ui/pure/message-view-read", test_message_view_read);
  g_test_add_func ("/ui/pure/certificate-errors-in-words", test_certificate_errors_in_words);
  g_test_add_func ("/ui/pure/progress-text", test_progress_text);
  g_test_add_func ("/ui/pure/choices-round-trip", test_choices);
  g_test_add_func ("/ui/pure/summary-shows-date-of-earlier-day", test_summary_text);
  g_test_add_func ("/ui/pure/cancelled-summary", test_cancelled_text);
  g_test_add_func ("/ui/pure/too-large-summary", test_too_large_text);
  g_test_add_func ("/ui/message/headers-decoded-newest-first", test_message_headers_decoded);
  g_test_add_func ("/ui/setup/auth-focuses-password", test_auth_focuses_password);
  g_test_add_func ("/ui/layout/fits-phone-width", test_fits_phone_width);
  g_test_add_func ("/ui/setup/plaintext-needs-confirmation", test_plaintext_needs_confirmation);
  g_test_add_func ("/ui/setup/mechanism-row-from-enum", test_mechanism_row_from_enum);
  g_test_add_data_func ("/ui/security-row/from-enum/plaintext-confirmed-or-put-back", "enum",
                        test_security_row_confirms_plaintext);
  g_test_add_func ("/ui/setup/probe-row-shows-verdict", test_probe_row);
  g_test_add_func ("/ui/setup/detect-row-shows-result", test_detect_row);
  g_test_add_func ("/ui/setup/choice-page-confirms-plaintext", test_choice_page);
  g_test_add_func ("/ui/account-page/message-rows-bound", test_message_rows_bound);

  return g_test_run ();
}
