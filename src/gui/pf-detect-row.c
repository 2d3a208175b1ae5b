/* pf-detect-row.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-detect-row.h"
#include "pf-error.h"
#include "pf-probe-row.h"

struct _PfDetectRow
{
  AdwActionRow  parent_instance;

  GObject      *subject;

  GtkSpinner   *spinner;
  GtkImage     *icon;
};

G_DEFINE_FINAL_TYPE (PfDetectRow, pf_detect_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_SUBJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
lookup_title (PfLookup *lookup)
{
  switch (pf_lookup_get_kind (lookup))
    {
    case PF_LOOKUP_AUTOCONFIG:
      return _("Provider configuration");
    case PF_LOOKUP_ISPDB:
      return _("Thunderbird ISP database");
    case PF_LOOKUP_SRV:
      return _("DNS service records (SRV)");
    case PF_LOOKUP_MX:
      return _("Mail exchanger (MX)");
    default:
      return _("Lookup");
    }
}

static char *
error_reason (const GError *error)
{
  g_autoptr(PfExplanation) explanation = NULL;

  if (error == NULL)
    return g_strdup ("");
  explanation = pf_error_explain (error);
  return g_strdup (explanation->title);
}

static void
finish (PfDetectRow *self,
        const char  *icon_name,
        const char  *css_class,
        const char  *result)
{
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);

  gtk_image_set_from_icon_name (self->icon, icon_name);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->icon), css_class);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->icon), GTK_ACCESSIBLE_PROPERTY_LABEL, result, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->icon), TRUE);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), result);
}

static void
show_lookup_result (PfDetectRow *self,
                    PfLookup    *lookup)
{
  const char * const *hosts = pf_lookup_get_hosts (lookup);
  g_autofree char *result = NULL;

  if (hosts != NULL && hosts[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (", ", (char **) hosts);

      /* Translators: %s is a list of server names */
      result = g_strdup_printf (_("Found %s"), joined);
      finish (self, "emblem-ok-symbolic", "success", result);
    }
  else
    {
      g_autofree char *reason = error_reason (pf_lookup_get_error (lookup));

      /* Translators: %s says why, e.g. "The server name was not found" */
      result = *reason ? g_strdup_printf (_("Nothing found: %s"), reason)
                       : g_strdup (_("Nothing found"));
      finish (self, "action-unavailable-symbolic", "dim-label", result);
    }
}

static void
show_probe_result (PfDetectRow *self,
                   PfProbe     *probe)
{
  const char *css_class = NULL;
  const char *verdict = pf_probe_row_describe_verdict (probe, &css_class);
  g_autofree char *reason = error_reason (pf_probe_get_error (probe));
  g_autofree char *result = NULL;
  const char *icon;

  /* Translators: a verdict and its reason: "Not reachable: Connection refused" */
  result = *reason ? g_strdup_printf (_("%s: %s"), verdict, reason) : g_strdup (verdict);
  switch (pf_probe_get_verdict (probe))
    {
    case PF_PROBE_VERDICT_SECURE:
    case PF_PROBE_VERDICT_PINNED:
      icon = "channel-secure-symbolic";
      break;
    case PF_PROBE_VERDICT_FAILED:
      icon = "action-unavailable-symbolic";
      break;
    default:
      icon = "dialog-warning-symbolic";
      break;
    }
  finish (self, icon, css_class, result);
}

void
pf_detect_row_show_result (PfDetectRow *self)
{
  g_return_if_fail (PF_IS_DETECT_ROW (self));

  if (PF_IS_LOOKUP (self->subject))
    show_lookup_result (self, PF_LOOKUP (self->subject));
  else
    show_probe_result (self, PF_PROBE (self->subject));
}

GtkWidget *
pf_detect_row_new_for_lookup (PfLookup *lookup)
{
  g_return_val_if_fail (PF_IS_LOOKUP (lookup), NULL);

  return g_object_new (PF_TYPE_DETECT_ROW,
                       "subject", lookup,
                       "title", lookup_title (lookup),
                       "subtitle", pf_lookup_get_query (lookup),
                       NULL);
}

GtkWidget *
pf_detect_row_new_for_probe (PfProbe *probe)
{
  g_autofree char *title = NULL;

  g_return_val_if_fail (PF_IS_PROBE (probe), NULL);

  title = pf_probe_row_format_title (probe);
  return g_object_new (PF_TYPE_DETECT_ROW,
                       "subject", probe,
                       "title", title,
                       "subtitle", _("Connecting…"),
                       NULL);
}

GObject *
pf_detect_row_get_subject (PfDetectRow *self)
{
  g_return_val_if_fail (PF_IS_DETECT_ROW (self), NULL);
  return self->subject;
}

static void
pf_detect_row_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PfDetectRow *self = PF_DETECT_ROW (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_object (value, self->subject);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_detect_row_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PfDetectRow *self = PF_DETECT_ROW (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      self->subject = g_value_dup_object (value);
      g_assert (PF_IS_LOOKUP (self->subject) || PF_IS_PROBE (self->subject));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_detect_row_dispose (GObject *object)
{
  PfDetectRow *self = PF_DETECT_ROW (object);

  g_clear_object (&self->subject);

  G_OBJECT_CLASS (pf_detect_row_parent_class)->dispose (object);
}

static void
pf_detect_row_class_init (PfDetectRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pf_detect_row_get_property;
  object_class->set_property = pf_detect_row_set_property;
  object_class->dispose = pf_detect_row_dispose;

  properties[PROP_SUBJECT] =
    g_param_spec_object ("subject", NULL, NULL, G_TYPE_OBJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-detect-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PfDetectRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PfDetectRow, icon);
}

static void
pf_detect_row_init (PfDetectRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
