/* pf-certificate-view.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-certificate-view.h"

struct _PfCertificateView
{
  GtkBox      parent_instance;

  char       *fingerprint;

  GtkLabel   *intro_label;
  GtkListBox *problems_list;
  AdwActionRow *subject_row;
  AdwActionRow *issuer_row;
  AdwActionRow *names_row;
  AdwActionRow *valid_from_row;
  AdwActionRow *valid_until_row;
  AdwActionRow *fingerprint_row;
  GtkButton  *cancel_button;
  GtkButton  *trust_button;
};

G_DEFINE_FINAL_TYPE (PfCertificateView, pf_certificate_view, GTK_TYPE_BOX)

enum {
  CANCEL,
  TRUST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

char **
pf_certificate_describe_errors (GTlsCertificateFlags errors)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (errors & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_strv_builder_add (builder, _("It is not signed by an authority this computer trusts (it may be self-signed)."));
  if (errors & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_strv_builder_add (builder, _("It was issued for a different server name."));
  if (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_strv_builder_add (builder, _("It is not valid yet."));
  if (errors & G_TLS_CERTIFICATE_EXPIRED)
    g_strv_builder_add (builder, _("It has expired."));
  if (errors & G_TLS_CERTIFICATE_REVOKED)
    g_strv_builder_add (builder, _("Its issuer has revoked it."));
  if (errors & G_TLS_CERTIFICATE_INSECURE)
    g_strv_builder_add (builder, _("It uses an insecure algorithm."));
  if (errors & G_TLS_CERTIFICATE_GENERIC_ERROR)
    g_strv_builder_add (builder, _("It could not be checked."));

  return g_strv_builder_end (builder);
}

static char *
format_date (GDateTime *date)
{
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return g_strdup (_("Unknown"));
  local = g_date_time_to_local (date);
  return g_date_time_format (local, "%x %X");
}

static void
set_row_value (AdwActionRow *row,
               const char   *value)
{
  g_autofree char *valid = g_utf8_make_valid (value ? value : "", -1);

  adw_action_row_set_subtitle (row, valid);
}

void
pf_certificate_view_set_info (PfCertificateView *self,
                              const PfCertInfo  *info,
                              const char        *host)
{
  g_auto(GStrv) problems = NULL;
  g_autofree char *names = NULL;
  g_autofree char *from = NULL;
  g_autofree char *until = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *intro = NULL;
  GtkWidget *child;

  g_return_if_fail (PF_IS_CERTIFICATE_VIEW (self));
  g_return_if_fail (info != NULL);

  names = info->names && info->names[0] ? g_strjoinv (", ", info->names) : g_strdup (_("None"));
  from = format_date (info->not_before);
  until = format_date (info->not_after);

  g_free (self->fingerprint);
  self->fingerprint = g_strdup (info->sha256);
  pretty = pf_cert_info_format_fingerprint (info->sha256);

  /* Translators: %s is a server name */
  intro = g_strdup_printf (_("The certificate of %s did not pass the checks below. Someone may be "
                             "intercepting the connection. Trust it only if you know this server "
                             "uses exactly this certificate, for example by comparing the "
                             "fingerprint with what your provider publishes."),
                           host ? host : "");
  gtk_label_set_label (self->intro_label, intro);

  set_row_value (self->subject_row, info->subject);
  set_row_value (self->issuer_row, info->issuer);
  set_row_value (self->names_row, names);
  set_row_value (self->valid_from_row, from);
  set_row_value (self->valid_until_row, until);
  set_row_value (self->fingerprint_row, pretty);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->problems_list))) != NULL)
    gtk_list_box_remove (self->problems_list, child);
  problems = pf_certificate_describe_errors (info->errors);
  for (guint i = 0; problems[i]; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-error-symbolic");

      gtk_widget_add_css_class (icon, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Failed check"), -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), problems[i]);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->problems_list, row);
    }
}

const char *
pf_certificate_view_get_fingerprint (PfCertificateView *self)
{
  g_return_val_if_fail (PF_IS_CERTIFICATE_VIEW (self), NULL);
  return self->fingerprint;
}

GtkWidget *
pf_certificate_view_get_cancel_button (PfCertificateView *self)
{
  g_return_val_if_fail (PF_IS_CERTIFICATE_VIEW (self), NULL);
  return GTK_WIDGET (self->cancel_button);
}

static void
on_cancel_clicked (PfCertificateView *self)
{
  g_signal_emit (self, signals[CANCEL], 0);
}

static void
on_trust_clicked (PfCertificateView *self)
{
  g_signal_emit (self, signals[TRUST], 0);
}

GtkWidget *
pf_certificate_view_new (void)
{
  return g_object_new (PF_TYPE_CERTIFICATE_VIEW, NULL);
}

static void
pf_certificate_view_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PF_TYPE_CERTIFICATE_VIEW);

  G_OBJECT_CLASS (pf_certificate_view_parent_class)->dispose (object);
}

static void
pf_certificate_view_finalize (GObject *object)
{
  g_free (PF_CERTIFICATE_VIEW (object)->fingerprint);

  G_OBJECT_CLASS (pf_certificate_view_parent_class)->finalize (object);
}

static void
pf_certificate_view_class_init (PfCertificateViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_certificate_view_dispose;
  object_class->finalize = pf_certificate_view_finalize;

  signals[CANCEL] = g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[TRUST] = g_signal_new ("trust", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-certificate-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, intro_label);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, problems_list);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, subject_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, issuer_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, names_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, valid_from_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, valid_until_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PfCertificateView, trust_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_trust_clicked);
}

static void
pf_certificate_view_init (PfCertificateView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
