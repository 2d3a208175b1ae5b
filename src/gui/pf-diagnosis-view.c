/* pf-diagnosis-view.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-diagnosis-view.h"
#include "pf-error.h"
#include "pf-gui-util.h"
#include "pf-oauth2.h"

struct _PfDiagnosisView
{
  GtkBox         parent_instance;

  char          *title;
  char          *what;
  char          *next;
  char          *transcript;

  GtkLabel      *title_label;
  GtkLabel      *what_label;
  GtkLabel      *next_label;
  GtkListBox    *steps_list;
  GtkToggleButton *details_button;
  GtkTextView   *transcript_view;
};

G_DEFINE_FINAL_TYPE (PfDiagnosisView, pf_diagnosis_view, GTK_TYPE_BOX)

PfStep
pf_gui_step_for_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, PF_STEP_CONNECT);

  if (error->domain == G_RESOLVER_ERROR)
    return PF_STEP_RESOLVE;
  if (error->domain == G_TLS_ERROR)
    return PF_STEP_SECURE;
  /* Every OAuth2 failure is one of signing in. */
  if (error->domain == PF_OAUTH2_ERROR)
    return PF_STEP_LOGIN;
  if (error->domain == G_IO_ERROR)
    {
      if (error->code == G_IO_ERROR_HOST_NOT_FOUND)
        return PF_STEP_RESOLVE;
      if (error->code == G_IO_ERROR_NO_SPACE || error->code == G_IO_ERROR_PERMISSION_DENIED ||
          error->code == G_IO_ERROR_READ_ONLY)
        return PF_STEP_SAVE;
      return PF_STEP_CONNECT;
    }
  if (error->domain != PF_ERROR)
    return PF_STEP_CONNECT;

  switch ((PfErrorCode) error->code)
    {
    case PF_ERROR_RESOLVE:
    case PF_ERROR_NOT_FOUND:
    case PF_ERROR_INVALID_INPUT:
      return PF_STEP_RESOLVE;
    case PF_ERROR_REFUSED:
    case PF_ERROR_TIMEOUT:
    case PF_ERROR_CLOSED:
      return PF_STEP_CONNECT;
    case PF_ERROR_TLS_HANDSHAKE:
    case PF_ERROR_TLS_OUTDATED:
    case PF_ERROR_CERT_UNTRUSTED:
    case PF_ERROR_CERT_EXPIRED:
    case PF_ERROR_CERT_HOST:
    case PF_ERROR_CERT_PIN_MISMATCH:
    case PF_ERROR_STLS_UNAVAILABLE:
    case PF_ERROR_STLS_INJECTION:
    case PF_ERROR_PLAINTEXT_REFUSED:
      return PF_STEP_SECURE;
    case PF_ERROR_AUTH_REJECTED:
    case PF_ERROR_AUTH_MECHANISM_FAILED:
    case PF_ERROR_NO_COMMON_MECHANISM:
    case PF_ERROR_KEYRING_UNAVAILABLE:
    case PF_ERROR_KEYRING_LOCKED:
    case PF_ERROR_NO_PASSWORD:
      return PF_STEP_LOGIN;
    case PF_ERROR_IN_USE:
    case PF_ERROR_LOGIN_DELAY:
    case PF_ERROR_SYS_TEMP:
    case PF_ERROR_SYS_PERM:
    case PF_ERROR_SERVER:
    case PF_ERROR_PROTOCOL:
    case PF_ERROR_ACCOUNT_BUSY:
    case PF_ERROR_NO_UIDL:
      return PF_STEP_MAILBOX;
    case PF_ERROR_LOCAL_DISK:
    case PF_ERROR_CONFIG:
      return PF_STEP_SAVE;
    default:
      return PF_STEP_CONNECT;
    }
}

PfFixField
pf_gui_fix_for_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, PF_FIX_NONE);

  if (error->domain == G_RESOLVER_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return PF_FIX_HOST;
  if (error->domain != PF_ERROR)
    return PF_FIX_NONE;

  switch ((PfErrorCode) error->code)
    {
    case PF_ERROR_AUTH_REJECTED:
    case PF_ERROR_NO_PASSWORD:
      return PF_FIX_PASSWORD;
    case PF_ERROR_NO_COMMON_MECHANISM:
    case PF_ERROR_AUTH_MECHANISM_FAILED:
      return PF_FIX_MECHANISM;
    case PF_ERROR_RESOLVE:
    case PF_ERROR_CERT_HOST:
      return PF_FIX_HOST;
    case PF_ERROR_REFUSED:
    case PF_ERROR_TIMEOUT:
      return PF_FIX_PORT;
    case PF_ERROR_TLS_HANDSHAKE:
    case PF_ERROR_STLS_UNAVAILABLE:
    case PF_ERROR_PLAINTEXT_REFUSED:
      return PF_FIX_SECURITY;
    default:
      return PF_FIX_NONE;
    }
}

const char *
pf_step_get_title (PfStep step)
{
  switch (step)
    {
    case PF_STEP_RESOLVE:
      return _("Find the server");
    case PF_STEP_CONNECT:
      return _("Connect");
    case PF_STEP_SECURE:
      return _("Secure the connection");
    case PF_STEP_LOGIN:
      return _("Log in");
    case PF_STEP_MAILBOX:
      return _("Open the mailbox");
    case PF_STEP_SAVE:
      return _("Save the messages");
    case PF_STEP_N:
    default:
      g_return_val_if_reached (NULL);
    }
}

static GtkWidget *
step_row_new (PfStep step,
              PfStep failed)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  const char *icon_name;
  const char *state;

  if (step < failed)
    {
      icon_name = "emblem-ok-symbolic";
      state = _("Done");
    }
  else if (step == failed)
    {
      icon_name = "dialog-error-symbolic";
      state = _("Failed here");
    }
  else
    {
      icon_name = "content-loading-symbolic";
      state = _("Not reached");
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), pf_step_get_title (step));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), state);
  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, state, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (step == failed)
    {
      gtk_widget_add_css_class (row, "pf-failed-step");
      gtk_widget_add_css_class (icon, "error");
    }
  else if (step < failed)
    gtk_widget_add_css_class (icon, "success");
  else
    gtk_widget_add_css_class (row, "dim-label");

  return row;
}

void
pf_diagnosis_view_set_error (PfDiagnosisView *self,
                             const GError    *error,
                             const char      *transcript)
{
  g_autoptr(PfExplanation) explanation = NULL;
  GtkWidget *child;
  PfStep failed;

  g_return_if_fail (PF_IS_DIAGNOSIS_VIEW (self));
  g_return_if_fail (error != NULL);

  explanation = pf_oauth2_error_explain (error);
  if (explanation == NULL)
    explanation = pf_error_explain (error);
  g_free (self->title);
  g_free (self->what);
  g_free (self->next);
  g_free (self->transcript);
  self->title = g_strdup (explanation->title);
  self->what = g_strdup (explanation->what);
  self->next = g_strdup (explanation->next);
  self->transcript = g_strdup (transcript);

  gtk_label_set_label (self->title_label, self->title);
  gtk_label_set_label (self->what_label, self->what);
  gtk_label_set_label (self->next_label, self->next);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_list))) != NULL)
    gtk_list_box_remove (self->steps_list, child);
  failed = pf_gui_step_for_error (error);
  for (PfStep step = PF_STEP_RESOLVE; step < PF_STEP_N; step++)
    gtk_list_box_append (self->steps_list, step_row_new (step, failed));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->transcript_view),
                            transcript && *transcript ? transcript : _("No protocol transcript was recorded."),
                            -1);
  gtk_toggle_button_set_active (self->details_button, FALSE);
}

void
pf_diagnosis_view_set_fix_widget (PfDiagnosisView *self,
                                  GtkWidget       *widget)
{
  g_return_if_fail (PF_IS_DIAGNOSIS_VIEW (self));
  g_return_if_fail (GTK_IS_WIDGET (widget));

  g_object_ref (widget);
  if (gtk_widget_get_parent (widget) != NULL)
    gtk_box_remove (GTK_BOX (gtk_widget_get_parent (widget)), widget);
  gtk_box_insert_child_after (GTK_BOX (self), widget, GTK_WIDGET (self->next_label));
  g_object_unref (widget);
}

char *
pf_diagnosis_view_dup_report (PfDiagnosisView *self)
{
  GString *report;

  g_return_val_if_fail (PF_IS_DIAGNOSIS_VIEW (self), NULL);

  report = g_string_new (NULL);
  g_string_append_printf (report, "Popfetch %s\n\n", PACKAGE_VERSION);
  g_string_append_printf (report, "%s\n\n%s\n\n%s\n", self->title ? self->title : "",
                          self->what ? self->what : "", self->next ? self->next : "");
  if (self->transcript != NULL)
    {
      /* Translators: heading of the protocol log in a copied report */
      g_string_append_printf (report, "\n%s\n%s", _("Transcript (passwords removed):"), self->transcript);
      if (!g_str_has_suffix (self->transcript, "\n"))
        g_string_append_c (report, '\n');
    }

  return g_string_free (report, FALSE);
}

static void
on_copy_report (PfDiagnosisView *self)
{
  g_autofree char *report = pf_diagnosis_view_dup_report (self);
  GtkWidget *overlay;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), report);

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                   adw_toast_new (_("Report copied to the clipboard")));
      pf_gui_name_icon_buttons (overlay);
    }
}

GtkWidget *
pf_diagnosis_view_new (void)
{
  return g_object_new (PF_TYPE_DIAGNOSIS_VIEW, NULL);
}

static void
pf_diagnosis_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PF_TYPE_DIAGNOSIS_VIEW);

  G_OBJECT_CLASS (pf_diagnosis_view_parent_class)->dispose (object);
}

static void
pf_diagnosis_view_finalize (GObject *object)
{
  PfDiagnosisView *self = PF_DIAGNOSIS_VIEW (object);

  g_free (self->title);
  g_free (self->what);
  g_free (self->next);
  g_free (self->transcript);

  G_OBJECT_CLASS (pf_diagnosis_view_parent_class)->finalize (object);
}

static void
pf_diagnosis_view_class_init (PfDiagnosisViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_diagnosis_view_dispose;
  object_class->finalize = pf_diagnosis_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-diagnosis-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, title_label);
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, what_label);
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, next_label);
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, steps_list);
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, details_button);
  gtk_widget_class_bind_template_child (widget_class, PfDiagnosisView, transcript_view);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_report);
}

static void
pf_diagnosis_view_init (PfDiagnosisView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
